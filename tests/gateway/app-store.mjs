// Published app versions, per simulator, and what forking one costs (read
// by payments.mjs for POST /fork/v1): provisioning the version's tier.

import { TIERS } from "./tiers.mjs";

const stores = new WeakMap();

/** version id → version record (routes/apps.mjs). */
export function versionsOf(state) {
  let versions = stores.get(state);
  if (!versions) stores.set(state, (versions = new Map()));
  return versions;
}

/** The price of forking the version named in a fork request's body. */
export function forkPrice(ctx, body) {
  const version = versionsOf(ctx.state).get(body.version_id);
  const tier = version?.minTier ?? "prototype";
  return { amount: TIERS[tier].price_usd_micros, description: `Fork ${version?.name ?? "an app"} into a ${tier} Run402 project (${TIERS[tier].price})` };
}
