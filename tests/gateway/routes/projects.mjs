// Project lifecycle routes (wire contract §1.1): provision, delete, list by wallet.

import { requireServiceKey, walletFromSiwx } from "../auth.mjs";
import { withSession } from "../db.mjs";
import { expectNoBody, fail, json, jsonObjectBody } from "../http-util.mjs";
import { storageBytes } from "../introspect.mjs";
import { requirePayment } from "../payments.mjs";
import { createProject, deleteProject } from "../project-store.mjs";
import { DEFAULT_TIER, TIERS, isTier } from "../tiers.mjs";

const MAX_NAME_LENGTH = 128;

async function provision(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["tier", "name"], optional: true });
  if (body.tier !== undefined && !isTier(body.tier)) {
    fail(400, "invalid_tier", `Unknown tier: ${JSON.stringify(body.tier)}. Use one of ${Object.keys(TIERS).join(", ")}.`, "INVALID_TIER");
  }
  if (body.name !== undefined && (typeof body.name !== "string" || body.name.trim() === "" || body.name.length > MAX_NAME_LENGTH)) {
    fail(400, "invalid_name", `name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters.`, "INVALID_NAME");
  }
  const wallet = await walletFromSiwx(ctx, { required: false });
  const { payer } = await requirePayment(ctx, "POST /projects/v1", body);
  // The paying wallet owns what it paid for; without payments the signed-in one does.
  const project = await createProject(ctx.state, { tier: body.tier ?? DEFAULT_TIER, name: body.name, ownerWallet: payer ?? wallet });
  // The held payment settles once this answers 201; admin finance reads it back.
  project.payment = ctx.payment?.hold ?? null;
  return json(201, {
    project_id: project.id,
    anon_key: project.anonKey,
    service_key: project.serviceKey,
    schema_slot: project.schema,
    tier: project.tier,
    name: project.name,
    lease_expires_at: project.leaseExpiresAt,
  });
}

async function remove(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  expectNoBody(ctx);
  await deleteProject(ctx.state, project);
  return json(200, { status: "deleted", project_id: project.id });
}

async function listForWallet(ctx) {
  const wallet = ctx.params.wallet.toLowerCase();
  if (!/^0x[0-9a-f]{40}$/.test(wallet)) {
    fail(400, "invalid_wallet", "Wallet must be a 0x-prefixed 20-byte hex address.", "INVALID_WALLET");
  }
  const owned = [...ctx.state.projects.values()].filter((p) => p.ownerWallet === wallet);
  const projects = await withSession(async (db) => {
    const summaries = [];
    for (const p of owned) {
      summaries.push({
        id: p.id,
        name: p.name,
        tier: p.tier,
        status: p.status,
        api_calls: p.apiCalls,
        storage_bytes: await storageBytes(db, p.schema),
        lease_expires_at: p.leaseExpiresAt,
        created_at: p.createdAt,
      });
    }
    return summaries;
  });
  return json(200, { wallet, projects });
}

export function register(router) {
  router.add("POST", "/projects/v1", provision, { idempotent: true });
  router.add("DELETE", "/projects/v1/:id", remove);
  router.add("GET", "/wallets/v1/:wallet/projects", listForWallet);
}
