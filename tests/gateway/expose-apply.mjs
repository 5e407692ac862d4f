// Applies a validated expose manifest as real Postgres objects, convergently:
// everything the previous manifest set up is torn down first, then the new
// one is built, in one transaction. Listed tables get RLS enabled and forced;
// exposed ones get grants for anon/authenticated and the policy template's
// policies. Unlisted tables stay dark (no grants).

import { quoteIdent as q, quoteLiteral } from "./db.mjs";
import { ownerRole } from "./project-store.mjs";

const REST_ROLES = "anon, authenticated";

function policyStatements(table, entry, ownerType) {
  switch (entry.policy) {
    case "user_owns_rows": {
      const col = q(entry.owner_column);
      const match = ownerType === "uuid" ? `${col} = auth.uid()` : `${col}::text = auth.uid()::text`;
      return [`CREATE POLICY run402_user_owns_rows ON ${table} FOR ALL TO authenticated USING (${match}) WITH CHECK (${match})`];
    }
    case "public_read_authenticated_write":
      return [
        `CREATE POLICY run402_public_read ON ${table} FOR SELECT TO ${REST_ROLES} USING (true)`,
        `CREATE POLICY run402_authenticated_insert ON ${table} FOR INSERT TO authenticated WITH CHECK (true)`,
        `CREATE POLICY run402_authenticated_update ON ${table} FOR UPDATE TO authenticated USING (true) WITH CHECK (true)`,
        `CREATE POLICY run402_authenticated_delete ON ${table} FOR DELETE TO authenticated USING (true)`,
      ];
    case "public_read_write_UNRESTRICTED":
      return [`CREATE POLICY run402_unrestricted ON ${table} FOR ALL TO ${REST_ROLES} USING (true) WITH CHECK (true)`];
    default:
      return []; // custom: custom_sql creates them
  }
}

function rpcTarget(schema, rpc) {
  return `${q(schema)}.${q(rpc.name)}${rpc.signature ?? ""}`;
}

/** Resets a table to "listed but dark": no policies, grants or owner trigger. */
async function darken(tx, schema, name) {
  const table = `${q(schema)}.${q(name)}`;
  const { rows } = await tx.query("SELECT policyname FROM pg_policies WHERE schemaname = $1 AND tablename = $2", [schema, name]);
  for (const { policyname } of rows) await tx.exec(`DROP POLICY ${q(policyname)} ON ${table}`);
  await tx.exec(`REVOKE ALL ON ${table} FROM ${REST_ROLES}; DROP TRIGGER IF EXISTS run402_force_owner ON ${table};`);
}

/**
 * `manifest` must already be valid against `shape` (expose-validate.mjs).
 * Returns the apply summary `{applied, dropped}` with names per section.
 */
export async function applyManifest(db, project, manifest, shape) {
  const previous = project.expose ?? {};
  const schema = project.schema;
  const tables = manifest.tables ?? [];
  const views = manifest.views ?? [];
  const rpcs = manifest.rpcs ?? [];
  const exposedBefore = new Set((previous.tables ?? []).filter((t) => t.expose === true).map((t) => t.name));

  await db.transaction(async (tx) => {
    for (const name of new Set([...(previous.tables ?? []), ...tables].map((t) => t.name))) {
      if (shape.tables.has(name)) await darken(tx, schema, name);
    }
    for (const view of previous.views ?? []) await tx.exec(`DROP VIEW IF EXISTS ${q(schema)}.${q(view.name)}`);
    for (const rpc of previous.rpcs ?? []) {
      if (shape.functions.has(rpc.name)) await tx.exec(`REVOKE EXECUTE ON FUNCTION ${rpcTarget(schema, rpc)} FROM ${REST_ROLES}`);
    }

    for (const entry of tables) {
      const table = `${q(schema)}.${q(entry.name)}`;
      await tx.exec(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY; ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`);
      if (entry.expose !== true) continue;
      await tx.exec(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${REST_ROLES}`);
      const ownerType = shape.tables.get(entry.name).columns.get(entry.owner_column);
      for (const statement of policyStatements(table, entry, ownerType)) await tx.exec(statement);
      if (entry.policy === "custom") {
        // Run as the project's role, as the SQL endpoint would.
        await tx.exec(`SET LOCAL ROLE ${q(ownerRole(schema))}; SET LOCAL search_path TO ${q(schema)};`);
        await tx.exec(entry.custom_sql);
        await tx.exec("RESET ROLE; RESET search_path;");
      }
      if (entry.force_owner_on_insert === true) {
        await tx.exec(`CREATE TRIGGER run402_force_owner BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION auth.force_owner(${quoteLiteral(entry.owner_column)})`);
      }
    }
    if (tables.some((t) => t.expose === true)) {
      await tx.exec(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${q(schema)} TO ${REST_ROLES}`);
    }

    for (const view of views) {
      const target = `${q(schema)}.${q(view.name)}`;
      const columns = view.select ? view.select.map(q).join(", ") : "*";
      await tx.exec(`DROP VIEW IF EXISTS ${target}`);
      await tx.exec(`CREATE VIEW ${target} WITH (security_invoker = true) AS SELECT ${columns} FROM ${q(schema)}.${q(view.base)}`);
      await tx.exec(`ALTER VIEW ${target} OWNER TO ${q(ownerRole(schema))}`);
      if (view.expose === true) await tx.exec(`GRANT SELECT ON ${target} TO ${REST_ROLES}`);
    }
    for (const rpc of rpcs) {
      if (rpc.grant_to?.length) await tx.exec(`GRANT EXECUTE ON FUNCTION ${rpcTarget(schema, rpc)} TO ${rpc.grant_to.join(", ")}`);
    }
  });

  project.expose = structuredClone(manifest);
  const exposedNow = tables.filter((t) => t.expose === true).map((t) => t.name);
  const viewNames = new Set(views.map((v) => v.name));
  const rpcNames = new Set(rpcs.map((r) => r.name));
  return {
    applied: { tables: exposedNow, views: views.filter((v) => v.expose === true).map((v) => v.name), rpcs: [...rpcNames] },
    dropped: {
      tables: [...exposedBefore].filter((name) => !exposedNow.includes(name)),
      views: (previous.views ?? []).map((v) => v.name).filter((name) => !viewNames.has(name)),
      rpcs: (previous.rpcs ?? []).map((r) => r.name).filter((name) => !rpcNames.has(name)),
    },
  };
}
