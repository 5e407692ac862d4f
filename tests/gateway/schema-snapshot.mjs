// A project's schema as DDL, without its data (for publishing an app), and
// that DDL replayed into another project's schema (for forking it).
// Captured: sequences, tables (columns, types, defaults, identity and
// generated columns), constraints, indexes, SQL functions, and row-level
// security with policies made by hand. What the expose manifest sets up
// (grants, template policies, views, the owner trigger) is left to the
// manifest, which the fork applies again.

import { quoteIdent as q, withSession } from "./db.mjs";
import { ownerRole } from "./project-store.mjs";

/** Policies the expose templates create: the manifest makes them again. */
const MANIFEST_POLICY = /^run402_/;

async function columnsOf(db, oid) {
  const { rows } = await db.query(
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, a.attidentity, a.attgenerated,
            pg_get_expr(d.adbin, d.adrelid) AS def
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [oid],
  );
  return rows.map((c) => {
    let text = `${q(c.attname)} ${c.type}`;
    if (c.attidentity) text += ` GENERATED ${c.attidentity === "a" ? "ALWAYS" : "BY DEFAULT"} AS IDENTITY`;
    else if (c.attgenerated === "s") text += ` GENERATED ALWAYS AS (${c.def}) STORED`;
    else if (c.def !== null) text += ` DEFAULT ${c.def}`;
    if (c.attnotnull) text += " NOT NULL";
    return text;
  });
}

/**
 * `{statements, tables}`: DDL that rebuilds `schema`'s objects when run with
 * search_path on another schema (names are printed unqualified), and the
 * table names.
 */
export function snapshotSchema(schema) {
  return withSession(async (db) => {
    await db.exec(`SET search_path TO ${q(schema)}`);
    try {
      const inSchema = (kinds) =>
        db.query(
          `SELECT c.oid, c.relname, c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relkind = ANY($2) ORDER BY c.oid`,
          [schema, kinds],
        );
      const statements = [];
      const identityOwned = (await db.query(
        `SELECT s.relname FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace JOIN pg_depend d ON d.objid = s.oid AND d.deptype = 'i'
          WHERE n.nspname = $1 AND s.relkind = 'S'`,
        [schema],
      )).rows.map((r) => r.relname);
      for (const { relname } of (await inSchema(["S"])).rows) {
        if (!identityOwned.includes(relname)) statements.push(`CREATE SEQUENCE ${q(relname)}`);
      }
      const tables = (await inSchema(["r", "p"])).rows;
      for (const t of tables) statements.push(`CREATE TABLE ${q(t.relname)} (${(await columnsOf(db, t.oid)).join(", ")})`);
      // Constraints once every table exists (foreign keys point across them);
      // primary and unique keys before the foreign keys that need them.
      const later = [];
      for (const t of tables) {
        const { rows } = await db.query(
          "SELECT conname, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1 AND contype IN ('p', 'u', 'c', 'f', 'x') ORDER BY oid",
          [t.oid],
        );
        for (const c of rows) (c.contype === "f" ? later : statements).push(`ALTER TABLE ${q(t.relname)} ADD CONSTRAINT ${q(c.conname)} ${c.def}`);
        const indexes = await db.query(
          "SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i WHERE i.indrelid = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
          [t.oid],
        );
        for (const { def } of indexes.rows) statements.push(def.replaceAll(`${q(schema)}.`, "").replaceAll(`${schema}.`, ""));
      }
      statements.push(...later);
      for (const seq of (await inSchema(["S"])).rows) {
        const owner = await db.query(
          `SELECT t.relname, a.attname FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
            WHERE d.objid = $1 AND d.deptype = 'a'`,
          [seq.oid],
        );
        if (owner.rows[0]) statements.push(`ALTER SEQUENCE ${q(seq.relname)} OWNED BY ${q(owner.rows[0].relname)}.${q(owner.rows[0].attname)}`);
      }
      const fns = await db.query(
        "SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.prokind IN ('f', 'p') ORDER BY p.oid",
        [schema],
      );
      for (const { def } of fns.rows) statements.push(def.replaceAll(`${q(schema)}.`, "").replaceAll(`${schema}.`, ""));
      for (const t of tables.filter((x) => x.relrowsecurity)) {
        statements.push(`ALTER TABLE ${q(t.relname)} ENABLE ROW LEVEL SECURITY`);
        const { rows } = await db.query("SELECT * FROM pg_policies WHERE schemaname = $1 AND tablename = $2", [schema, t.relname]);
        for (const p of rows.filter((x) => !MANIFEST_POLICY.test(x.policyname))) {
          const roles = (Array.isArray(p.roles) ? p.roles : String(p.roles).replace(/^{|}$/g, "").split(",")).map((r) => (r === "public" ? "PUBLIC" : q(r)));
          let text = `CREATE POLICY ${q(p.policyname)} ON ${q(t.relname)} AS ${p.permissive} FOR ${p.cmd} TO ${roles.join(", ")}`;
          if (p.qual !== null) text += ` USING (${p.qual})`;
          if (p.with_check !== null) text += ` WITH CHECK (${p.with_check})`;
          statements.push(text);
        }
      }
      return { statements, tables: tables.map((t) => t.relname) };
    } finally {
      await db.exec("RESET search_path");
    }
  });
}

/** Runs a snapshot's DDL in `schema` as its owner role, in one transaction. */
export function replaySchema(schema, statements) {
  return withSession((db) =>
    db.transaction(async (tx) => {
      await tx.exec(`SET LOCAL search_path TO ${q(schema)}; SET LOCAL ROLE ${q(ownerRole(schema))};`);
      for (const statement of statements) await tx.exec(statement);
    }),
  );
}
