// tier.set (wire contract §1.9): POST /tiers/v1/:tier, paid at the tier's
// price. The paying wallet (or, with payments off, the SIGN-IN-WITH-X
// wallet) gets the tier and a lease; GET /tiers/v1/status reads it back.

import { walletFromSiwx } from "../auth.mjs";
import { fail, json, jsonObjectBody } from "../http-util.mjs";
import { balanceOf } from "../ledger.mjs";
import { BASE_SEPOLIA, NETWORKS } from "../networks.mjs";
import { requirePayment } from "../payments.mjs";
import { TIERS, isTier, leaseEnd } from "../tiers.mjs";

const RANK = Object.keys(TIERS); // cheapest first

/** What buying `tier` does to the wallet's current lease. */
function nextLease(current, tier, now) {
  const active = current !== undefined && Date.parse(current.leaseExpiresAt) > now.getTime();
  if (active && current.tier === tier) {
    return { action: "renew", leaseStartedAt: current.leaseStartedAt, leaseExpiresAt: leaseEnd(tier, new Date(current.leaseExpiresAt)).toISOString() };
  }
  let action = "subscribe";
  if (active) action = RANK.indexOf(tier) > RANK.indexOf(current.tier) ? "upgrade" : "downgrade";
  return { action, leaseStartedAt: now.toISOString(), leaseExpiresAt: leaseEnd(tier, now).toISOString() };
}

async function setTier(ctx) {
  const tier = ctx.params.tier;
  if (!isTier(tier)) {
    fail(400, "invalid_tier", `Unknown tier: ${JSON.stringify(tier)}. Use one of ${RANK.join(", ")}.`, "INVALID_TIER");
  }
  jsonObjectBody(ctx, { allowed: [] });
  const siwxWallet = await walletFromSiwx(ctx, { required: !ctx.state.config.payments });
  const { payer, network, remaining } = await requirePayment(ctx, "POST /tiers/v1/:tier", {});
  const wallet = payer ?? siwxWallet;

  const current = ctx.state.walletTiers.get(wallet);
  const lease = nextLease(current, tier, new Date());
  ctx.state.walletTiers.set(wallet, { tier, leaseStartedAt: lease.leaseStartedAt, leaseExpiresAt: lease.leaseExpiresAt });
  const paidOn = network ?? BASE_SEPOLIA;
  return json(200, {
    wallet,
    action: lease.action,
    tier,
    previous_tier: current?.tier ?? null,
    lease_started_at: lease.leaseStartedAt,
    lease_expires_at: lease.leaseExpiresAt,
    // What the payment's rail has left: the prepaid allowance, or the wallet's USDC on chain.
    allowance_remaining_usd_micros: remaining ?? Number(balanceOf(ctx.state.ledger, paidOn, NETWORKS[paidOn].usdc, wallet)),
  });
}

export function register(router) {
  router.add("POST", "/tiers/v1/:tier", setTier, { idempotent: true });
}
