// Reads a project's schema back out of pg_catalog: the admin schema report,
// storage used, the columns REST validates against, and the shape expose
// validation checks manifests against. Every function takes a session's db.

const CONSTRAINT_TYPES = { p: "PRIMARY KEY", f: "FOREIGN KEY", u: "UNIQUE", c: "CHECK", x: "EXCLUDE" };

export async function schemaReport(db, schema) {
  const tables = await db.query(
    `SELECT c.oid, c.relname AS name, c.relrowsecurity AS rls_enabled
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
      ORDER BY c.relname`,
    [schema],
  );
  const columns = await db.query(
    `SELECT a.attrelid AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default_value
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [schema],
  );
  const constraints = await db.query(
    `SELECT k.conrelid AS oid, k.conname AS name, k.contype AS type, pg_get_constraintdef(k.oid) AS definition
       FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
      WHERE n.nspname = $1 AND k.contype IN ('p', 'f', 'u', 'c', 'x')
      ORDER BY k.conname`,
    [schema],
  );
  const policies = await db.query(
    `SELECT tablename, policyname AS name, cmd AS command, qual AS using_expression, with_check AS check_expression
       FROM pg_policies WHERE schemaname = $1 ORDER BY policyname`,
    [schema],
  );
  return {
    schema,
    tables: tables.rows.map((t) => ({
      name: t.name,
      columns: columns.rows.filter((c) => c.oid === t.oid).map(({ oid, ...column }) => column),
      constraints: constraints.rows
        .filter((k) => k.oid === t.oid)
        .map((k) => ({ name: k.name, type: CONSTRAINT_TYPES[k.type], definition: k.definition })),
      rls_enabled: t.rls_enabled,
      policies: policies.rows.filter((p) => p.tablename === t.name).map(({ tablename, ...policy }) => policy),
    })),
  };
}

export async function storageBytes(db, schema) {
  const { rows } = await db.query(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm')`,
    [schema],
  );
  return Number(rows[0].bytes);
}

/**
 * A table or view REST can address: its columns with types, and whether
 * `role` holds any privilege on it (un-exposed tables are dark to anon).
 */
export async function relationInfo(db, schema, name, role) {
  const { rows } = await db.query(
    `SELECT c.oid, c.relkind AS kind,
            has_table_privilege($3, c.oid, 'SELECT, INSERT, UPDATE, DELETE') AS visible
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm')`,
    [schema, name, role],
  );
  if (rows.length === 0) return null;
  const columns = await db.query(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            t.typcategory = 'A' AS is_array, t.typname IN ('json', 'jsonb') AS is_json
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [rows[0].oid],
  );
  return {
    kind: rows[0].kind,
    visible: rows[0].visible,
    columns: new Map(columns.rows.map((c) => [c.name, { type: c.type, isArray: c.is_array, isJson: c.is_json }])),
  };
}

/** Tables (name → {columns: Map name → type}), views, and functions (name → overload count). */
export async function schemaShape(db, schema) {
  const { rows } = await db.query(
    `SELECT c.relname AS rel, c.relkind AS kind, a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm')`,
    [schema],
  );
  const functions = await db.query(
    `SELECT p.proname AS name, count(*)::int AS overloads
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1 GROUP BY p.proname`,
    [schema],
  );
  const shape = { tables: new Map(), views: new Set(), functions: new Map(functions.rows.map((f) => [f.name, f.overloads])) };
  for (const row of rows) {
    if (row.kind === "v" || row.kind === "m") {
      shape.views.add(row.rel);
      continue;
    }
    if (!shape.tables.has(row.rel)) shape.tables.set(row.rel, { columns: new Map() });
    if (row.col) shape.tables.get(row.rel).columns.set(row.col, row.type);
  }
  return shape;
}
