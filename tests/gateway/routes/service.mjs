// Service and tier routes (wire contract §1.8, §1.9, projects.getQuote).

import { walletFromSiwx } from "../auth.mjs";
import { withSession } from "../db.mjs";
import { json } from "../http-util.mjs";
import { storageBytes } from "../introspect.mjs";
import { TIERS, quote, storageLimitBytes } from "../tiers.mjs";

export const SIM_VERSION = "1.69.7-sim";

async function health() {
  await withSession((db) => db.query("SELECT 1"));
  return json(200, { status: "ok", checks: { database: "ok" }, version: SIM_VERSION });
}

function status(ctx) {
  return json(200, {
    status: "ok",
    uptime_seconds: Math.floor((Date.now() - ctx.state.startedAt) / 1000),
    deployment: { version: SIM_VERSION },
    capabilities: ["projects", "postgres", "rest", "sql", "expose", "tiers", "siwx", "x402"],
    operator: { name: "Run402 simulator", contact: "https://run402.com" },
  });
}

function tiers() {
  return json(200, { tiers: Object.fromEntries(Object.keys(TIERS).map((name) => [name, quote(name)])) });
}

async function tierStatus(ctx) {
  const wallet = await walletFromSiwx(ctx, { required: true });
  const lease = ctx.state.walletTiers.get(wallet);
  const projects = [...ctx.state.projects.values()].filter((p) => p.ownerWallet === wallet);
  const storage = await withSession(async (db) => {
    let total = 0;
    for (const p of projects) total += await storageBytes(db, p.schema);
    return total;
  });
  return json(200, {
    wallet,
    tier: lease?.tier ?? null,
    lease_started_at: lease?.leaseStartedAt ?? null,
    lease_expires_at: lease?.leaseExpiresAt ?? null,
    active: lease !== undefined && Date.parse(lease.leaseExpiresAt) > Date.now(),
    pool_usage: {
      projects: projects.length,
      total_api_calls: projects.reduce((sum, p) => sum + p.apiCalls, 0),
      total_storage_bytes: storage,
      api_calls_limit: lease ? TIERS[lease.tier].api_calls : 0,
      storage_bytes_limit: lease ? storageLimitBytes(lease.tier) : 0,
    },
  });
}

export function register(router) {
  router.add("GET", "/health", health);
  router.add("GET", "/status", status);
  router.add("GET", "/tiers/v1", tiers);
  router.add("GET", "/tiers/v1/status", tierStatus);
}
