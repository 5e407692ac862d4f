// Creating and dropping projects: a Postgres schema owned by a per-project
// role (BYPASSRLS, so the service key skips policies while anon does not),
// the keys, and the in-memory record the routes read.

import { quoteIdent, withSession } from "./db.mjs";
import { mintKey } from "./keys.mjs";
import { leaseEnd } from "./tiers.mjs";

/** The role that owns a project's schema and runs its SQL and service-key REST. */
export function ownerRole(schema) {
  return `${schema}_owner`;
}

export async function createProject(state, { tier, name, ownerWallet }) {
  const { slotNumber, schema } = await withSession(async (db) => {
    const { rows } = await db.query("SELECT nextval('sim_internal.schema_slot')::int AS n");
    const n = rows[0].n;
    const slot = `p${String(n).padStart(4, "0")}`;
    await db.exec(`
      CREATE ROLE ${quoteIdent(ownerRole(slot))} NOLOGIN BYPASSRLS;
      CREATE SCHEMA ${quoteIdent(slot)} AUTHORIZATION ${quoteIdent(ownerRole(slot))};
      GRANT USAGE ON SCHEMA ${quoteIdent(slot)} TO anon, authenticated;
    `);
    return { slotNumber: n, schema: slot };
  });
  const now = new Date();
  const id = `prj_${Math.floor(now.getTime() / 1000)}_${slotNumber}`;
  const project = {
    id,
    name: name ?? `project-${slotNumber}`,
    tier,
    schema,
    ownerWallet: ownerWallet?.toLowerCase() ?? null,
    status: "active",
    apiCalls: 0,
    createdAt: now.toISOString(),
    leaseExpiresAt: leaseEnd(tier, now).toISOString(),
    pinned: false,
    users: new Map(),
    expose: null,
    anonKey: mintKey("anon", id),
    serviceKey: mintKey("service_role", id),
  };
  state.projects.set(id, project);
  if (project.ownerWallet && !state.walletTiers.has(project.ownerWallet)) {
    state.walletTiers.set(project.ownerWallet, { tier, leaseStartedAt: project.createdAt, leaseExpiresAt: project.leaseExpiresAt });
  }
  return project;
}

export async function deleteProject(state, project) {
  state.projects.delete(project.id);
  const role = quoteIdent(ownerRole(project.schema));
  await withSession((db) =>
    db.exec(`DROP SCHEMA ${quoteIdent(project.schema)} CASCADE; DROP OWNED BY ${role}; DROP ROLE ${role};`),
  );
}
