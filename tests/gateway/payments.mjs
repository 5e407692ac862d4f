// x402 pricing, the 402 answer and settlement. Paid routes answer with the v2
// PAYMENT-REQUIRED header and/or the v1 JSON body (per config.x402Versions),
// one `accepts` entry per offered network (field names per coinbase/x402
// specs/transports-v{1,2}/http.md).
//
// A paid handler calls requirePayment(): it verifies the payment and holds the
// funds (payer debited, nonce spent). withPayment(), which the dispatcher
// wraps around every handler, then settles the hold when the handler answered
// 2xx (payee credited, PAYMENT-RESPONSE / X-PAYMENT-RESPONSE added) or
// releases it otherwise, so each successful paid request is charged once and
// a failed one not at all.
//
// Two rails, as on Run402 ("once funded, x402 payments settle from allowance
// automatically"): when the payer's billing account (billing-accounts.mjs)
// has an available balance that covers the price, the verified payment
// settles from that allowance: the price is held there, then debited as one
// history entry with metadata.rail "allowance"; nothing moves on chain (the
// authorization's nonce is still spent, so it cannot be replayed). Otherwise
// it settles on the simulated chain as before. Paid responses say which:
// X-Run402-Settlement-Rail: allowance | x402, and for the allowance
// X-Run402-Allowance-Remaining: the micros left. The settlement header is
// sent on both rails, success true; an allowance settlement has no chain
// transaction, so its `transaction` is "" (a made-up hash would name a
// transaction no chain has).

import { getAddress, keccak256, toHex } from "viem";
import { forkPrice } from "./app-store.mjs";
import { HttpError, JSON_TYPE } from "./http-util.mjs";
import { holdFunds, releaseHeld, spendHeld, walletAccount } from "./billing-accounts.mjs";
import { balanceOf, freeNonce, hold, release, settle, spendNonce } from "./ledger.mjs";
import { BASE_SEPOLIA, NETWORKS } from "./networks.mjs";
import { DEFAULT_TIER, TIERS } from "./tiers.mjs";
import { REASONS, verifyPayment } from "./verify-payment.mjs";

export const USDC_BASE_SEPOLIA = NETWORKS[BASE_SEPOLIA].usdc;
export const MAX_TIMEOUT_SECONDS = 300;
export const IMAGE_PRICE_USD_MICROS = 30_000;

/** The simulator's payee: a fixed address derived from a label, so it is stable across runs. */
export const PAYEE = getAddress(`0x${keccak256(toHex("run402-simulator-payee")).slice(-40)}`);

/** "METHOD route" → price (USDC base units = USD micros) and description, from the request. */
export const PAID_ROUTES = {
  "POST /projects/v1": (_ctx, body) => {
    const tier = body.tier ?? DEFAULT_TIER;
    return { amount: TIERS[tier].price_usd_micros, description: `Provision a ${tier} Run402 project (${TIERS[tier].price})` };
  },
  "POST /tiers/v1/:tier": (ctx) => {
    const tier = ctx.params.tier;
    return { amount: TIERS[tier].price_usd_micros, description: `Run402 ${tier} tier (${TIERS[tier].price})` };
  },
  "POST /generate-image/v1": () => ({ amount: IMAGE_PRICE_USD_MICROS, description: "Generate an image ($0.03)" }),
  "POST /fork/v1": forkPrice,
};

const SETTLEMENT_REASONS = new Set([REASONS.nonceUsed, REASONS.insufficientFunds]);

const base64Json = (value) => Buffer.from(JSON.stringify(value)).toString("base64");

/** One offer per configured network, in CAIP-2 terms. */
function offers(config, amount) {
  return config.networks.map((network) => ({
    scheme: "exact",
    network,
    amount: String(amount),
    asset: NETWORKS[network].usdc,
    payTo: PAYEE,
    maxTimeoutSeconds: MAX_TIMEOUT_SECONDS,
    extra: { ...NETWORKS[network].eip712 },
  }));
}

function v1Requirement(offer, resourceUrl, description) {
  return {
    scheme: "exact",
    network: NETWORKS[offer.network].v1Name,
    maxAmountRequired: offer.amount,
    resource: resourceUrl,
    description,
    mimeType: "application/json",
    payTo: offer.payTo,
    maxTimeoutSeconds: offer.maxTimeoutSeconds,
    asset: offer.asset,
    extra: offer.extra,
  };
}

/**
 * The 402: v2 header and/or v1 body as configured; `error` is the same in
 * both. `settlement` adds the failed SettlementResponse header for failures
 * that happen at settlement (spent nonce, insufficient funds).
 */
function paymentRequired(ctx, price, { v2Error, v1Error, message, code, settlement }) {
  const { config } = ctx.state;
  const resourceUrl = ctx.baseUrl + ctx.url.pathname;
  const list = offers(config, price.amount);
  const headers = { "content-type": JSON_TYPE };
  if (config.x402Versions.includes(2)) {
    headers["payment-required"] = base64Json({
      x402Version: 2,
      error: v2Error,
      resource: { url: resourceUrl, description: price.description, mimeType: "application/json" },
      accepts: list,
    });
  }
  const body = config.x402Versions.includes(1)
    ? { x402Version: 1, error: v1Error, accepts: list.map((o) => v1Requirement(o, resourceUrl, price.description)), message, code }
    : { error: v2Error, message, code };
  if (settlement) {
    const { version, reason, network, payer } = settlement;
    headers[version === 2 ? "payment-response" : "x-payment-response"] = base64Json({
      success: false,
      errorReason: reason,
      transaction: "",
      network: version === 2 ? network : NETWORKS[network].v1Name,
      payer,
    });
  }
  return new HttpError(402, body, headers);
}

function priceFor(ctx, routeKey, body) {
  const price = PAID_ROUTES[routeKey](ctx, body);
  const override = ctx.state.config.priceOverride;
  return override === null ? price : { ...price, amount: override };
}

function rejected(ctx, price, version, { reason, message, payer, network }) {
  ctx.state.paymentStats.rejected += 1;
  return paymentRequired(ctx, price, {
    v2Error: reason,
    v1Error: reason,
    message,
    code: reason.toUpperCase(),
    settlement: SETTLEMENT_REASONS.has(reason) ? { version, reason, network, payer } : undefined,
  });
}

/**
 * Gate for a paid route. Returns `{payer, network}` (lower-cased payer; both
 * null when payments are switched off) or throws the 402. On success the
 * payment is held on `ctx.payment` until withPayment() settles it.
 */
export async function requirePayment(ctx, routeKey, body) {
  const { config, ledger } = ctx.state;
  if (!config.payments) return { payer: null, network: null };
  const price = priceFor(ctx, routeKey, body);
  const v2Header = config.x402Versions.includes(2) ? ctx.headers["payment-signature"] : undefined;
  const v1Header = config.x402Versions.includes(1) ? ctx.headers["x-payment"] : undefined;
  if (v2Header === undefined && v1Header === undefined) {
    const ignored =
      ctx.headers["payment-signature"] !== undefined
        ? " PAYMENT-SIGNATURE was ignored: this server speaks x402 v1 only."
        : ctx.headers["x-payment"] !== undefined
          ? " X-PAYMENT was ignored: this server speaks x402 v2 only."
          : "";
    throw paymentRequired(ctx, price, {
      v2Error: "PAYMENT-SIGNATURE header is required",
      v1Error: "X-PAYMENT header is required",
      message: `Payment of ${price.amount} USDC base units required: ${price.description}.${ignored}`,
      code: "PAYMENT_REQUIRED",
    });
  }
  ctx.state.paymentStats.seen += 1;
  const version = v2Header !== undefined ? 2 : 1;
  const prepaid = (payer) => (walletAccount(ctx.state.billing, payer)?.available ?? 0) >= price.amount;
  const result = await verifyPayment({
    header: v2Header ?? v1Header,
    version,
    offers: offers(config, price.amount),
    price: BigInt(price.amount),
    ledger,
    prepaid,
  });
  if (!result.ok) throw rejected(ctx, price, version, { ...result, network: result.offer?.network });

  // Re-checked and reserved synchronously: a concurrent request may have
  // spent the nonce or the balance while the signature was being recovered.
  const { authorization, offer, payer } = result;
  const payment = {
    network: offer.network,
    asset: offer.asset,
    from: authorization.from,
    to: offer.payTo,
    value: authorization.value,
    nonce: authorization.nonce,
  };
  const held = holdAllowance(ctx, payment, price.amount) ?? { ...hold(ledger, payment), rail: "x402" };
  if (!held.ok) {
    const reason = held.reason === "nonce" ? REASONS.nonceUsed : REASONS.insufficientFunds;
    throw rejected(ctx, price, version, { reason, message: `Settlement failed: ${reason}.`, payer, network: offer.network });
  }
  ctx.state.paymentStats.verified += 1;
  ctx.payment = { hold: held.hold, rail: held.rail, version, network: offer.network, payer, nonce: authorization.nonce };
  const remaining = held.rail === "allowance" ? held.hold.account.available : Number(balanceOf(ledger, offer.network, offer.asset, authorization.from));
  return { payer: payer.toLowerCase(), network: offer.network, rail: held.rail, remaining };
}

/**
 * The allowance rail's hold: the price set aside in the payer's billing
 * account and the nonce spent; `{ok: false, reason: "nonce"}` for a spent
 * nonce; null when the account does not cover the price (the chain pays).
 */
function holdAllowance(ctx, payment, amount) {
  const account = walletAccount(ctx.state.billing, payment.from);
  if (!account || account.available < amount) return null;
  const nonceKey = spendNonce(ctx.state.ledger, payment);
  if (nonceKey === null) return { ok: false, reason: "nonce" };
  return { ok: true, rail: "allowance", hold: { ...holdFunds(account, amount), nonceKey } };
}

function releasePayment(state, payment) {
  if (payment.rail !== "allowance") return release(state.ledger, payment.hold);
  if (payment.hold.state === "held") freeNonce(state.ledger, payment.hold.nonceKey);
  releaseHeld(payment.hold);
}

/** Settles a held payment on its rail: the settlement's transaction ("" off chain) and the rail's headers. */
function settlePayment(state, payment) {
  if (payment.rail !== "allowance") {
    return { transaction: settle(state.ledger, payment.hold).hash, headers: { "x-run402-settlement-rail": "x402" } };
  }
  const { hold: h, network, payer } = payment;
  spendHeld(state.billing, h, {
    kind: "x402_payment",
    referenceType: "x402_payment",
    referenceId: payment.nonce,
    metadata: { rail: "allowance", network, asset: NETWORKS[network].usdc.toLowerCase(), pay_to: PAYEE.toLowerCase(), payer: payer.toLowerCase() },
  });
  const headers = { "x-run402-settlement-rail": "allowance", "x-run402-allowance-remaining": String(h.account.available) };
  return { transaction: "", headers };
}

/** Runs a handler; settles the payment it held if it answered 2xx, releases it otherwise. */
export async function withPayment(ctx, handler) {
  let reply;
  try {
    reply = await handler();
  } catch (err) {
    if (ctx.payment) releasePayment(ctx.state, ctx.payment);
    throw err;
  }
  const payment = ctx.payment;
  if (!payment) return reply;
  if (reply.status < 200 || reply.status >= 300) {
    releasePayment(ctx.state, payment);
    return reply;
  }
  const { transaction, headers } = settlePayment(ctx.state, payment);
  ctx.state.paymentStats.settled += 1;
  const response = {
    success: true,
    transaction,
    network: payment.version === 2 ? payment.network : NETWORKS[payment.network].v1Name,
    payer: payment.payer,
  };
  const name = payment.version === 2 ? "payment-response" : "x-payment-response";
  return { ...reply, headers: { ...reply.headers, ...headers, [name]: base64Json(response) } };
}
