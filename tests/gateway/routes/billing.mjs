// billing (wire contract §1.14, the v1.69.7 `/billing/v1` wire): accounts by
// wallet or email, their history, and Stripe checkouts. No auth anywhere, as
// in the contract. A checkout is only a URL and a top-up id until a test
// completes it through POST /__sim/billing/checkouts (the simulator's stand-in
// for Stripe's webhook): a top-up then credits the balance, a tier starts or
// extends the lease, an email pack adds 10,000 email credits.

import { randomBytes } from "node:crypto";

import { EMAIL_PACK, createEmailAccount, emailAccount, history, linkWallet, record, walletAccount } from "../billing-accounts.mjs";
import { fail, json, jsonObjectBody, requireString } from "../http-util.mjs";
import { TIERS, isTier, leaseEnd } from "../tiers.mjs";

const WALLET = /^0x[0-9a-fA-F]{40}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_TOPUP_USD_MICROS = 500_000; // Stripe's $0.50 minimum charge
const MAX_TOPUP_USD_MICROS = 1_000_000_000;
const HISTORY_DEFAULT = 50;
const HISTORY_MAX = 200;

function walletField(value, field = "wallet") {
  if (typeof value !== "string" || !WALLET.test(value)) {
    fail(400, "invalid_wallet", `${field} must be a 0x-prefixed 20-byte hex address.`, "INVALID_WALLET", { details: { field } });
  }
  return value.toLowerCase();
}

function emailField(value) {
  if (typeof value !== "string" || !EMAIL.test(value) || value.length > 254) {
    fail(400, "invalid_email", "email must be an email address.", "INVALID_EMAIL", { details: { field: "email" } });
  }
  return value.toLowerCase();
}

/** `{type, wallet | email}` from a path identifier: a wallet, an email, or a 400. */
function parseIdentifier(raw) {
  if (WALLET.test(raw)) return { type: "wallet", wallet: raw.toLowerCase() };
  if (raw.includes("@")) return { type: "email", email: emailField(raw) };
  fail(400, "invalid_identifier", "The identifier must be a wallet address or an email.", "INVALID_IDENTIFIER");
}

function accountOf(ctx, identifier) {
  const { billing } = ctx.state;
  if (identifier.type === "wallet") return walletAccount(billing, identifier.wallet);
  const account = emailAccount(billing, identifier.email);
  if (!account) fail(404, "account_not_found", `No billing account for ${identifier.email}.`, "ACCOUNT_NOT_FOUND");
  return account;
}

/** A wallet's tier is the one tier.set and provisioning keep; an email account has its own. */
function tierOf(ctx, account, identifier) {
  const wallets = identifier.type === "wallet" ? [identifier.wallet] : [...(account?.wallets ?? [])];
  for (const w of wallets) {
    const lease = ctx.state.walletTiers.get(w);
    if (lease && Date.parse(lease.leaseExpiresAt) > Date.now()) return { tier: lease.tier, leaseExpiresAt: lease.leaseExpiresAt };
  }
  if (account?.tier && Date.parse(account.leaseExpiresAt) > Date.now()) return { tier: account.tier, leaseExpiresAt: account.leaseExpiresAt };
  return { tier: null, leaseExpiresAt: null };
}

function getAccount(ctx) {
  const identifier = parseIdentifier(ctx.params.identifier);
  // A wallet that never bought anything still has an (empty) account.
  const account = accountOf(ctx, identifier);
  const { tier, leaseExpiresAt } = tierOf(ctx, account, identifier);
  return json(200, {
    identifier_type: identifier.type,
    available_usd_micros: account?.available ?? 0,
    email_credits_remaining: account?.emailCredits ?? 0,
    tier,
    lease_expires_at: leaseExpiresAt,
    auto_recharge_enabled: account?.autoRecharge ?? false,
    auto_recharge_threshold: account?.autoRechargeThreshold ?? 0,
  });
}

function getHistory(ctx) {
  const identifier = parseIdentifier(ctx.params.identifier);
  const unknown = [...ctx.url.searchParams.keys()].filter((k) => k !== "limit");
  if (unknown.length > 0) fail(400, "unknown_parameter", `Unknown query parameter: ${unknown.join(", ")}.`, "UNKNOWN_PARAMETER");
  const raw = ctx.url.searchParams.get("limit");
  let limit = HISTORY_DEFAULT;
  if (raw !== null) {
    limit = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(limit >= 1 && limit <= HISTORY_MAX)) fail(400, "invalid_limit", `limit must be a whole number from 1 to ${HISTORY_MAX}.`, "INVALID_LIMIT");
  }
  const account = accountOf(ctx, identifier);
  return json(200, {
    identifier: identifier.wallet ?? identifier.email,
    identifier_type: identifier.type,
    entries: account ? history(account, ctx.state.ledger, limit) : [],
  });
}

/** A pending Stripe checkout; answered as `{checkout_url, topup_id}`. */
function openCheckout(ctx, { product, amount, target, tier = null }) {
  const id = `topup_${randomBytes(12).toString("hex")}`;
  const session = `cs_test_${randomBytes(16).toString("hex")}`;
  ctx.state.billing.checkouts.set(id, { id, product, amount, target, tier, status: "open", session, createdAt: new Date().toISOString(), completedAt: null });
  return json(201, { checkout_url: `https://checkout.stripe.com/c/pay/${session}`, topup_id: id });
}

function createCheckout(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["wallet", "amount_usd_micros"] });
  const wallet = walletField(body.wallet);
  const amount = body.amount_usd_micros;
  if (!Number.isSafeInteger(amount) || amount < MIN_TOPUP_USD_MICROS || amount > MAX_TOPUP_USD_MICROS || amount % 10_000 !== 0) {
    fail(400, "invalid_amount", `amount_usd_micros must be whole cents from ${MIN_TOPUP_USD_MICROS} to ${MAX_TOPUP_USD_MICROS}.`, "INVALID_AMOUNT", {
      details: { field: "amount_usd_micros" },
    });
  }
  return openCheckout(ctx, { product: "balance_topup", amount, target: { type: "wallet", wallet } });
}

function createAccount(ctx) {
  const email = emailField(requireString(jsonObjectBody(ctx, { allowed: ["email"] }), "email"));
  if (emailAccount(ctx.state.billing, email)) {
    fail(409, "account_exists", `A billing account for ${email} already exists.`, "ACCOUNT_EXISTS");
  }
  const account = createEmailAccount(ctx.state.billing, email);
  return json(201, { id: account.id, email: account.email, email_credits_remaining: account.emailCredits, verification_sent: true });
}

function accountById(ctx, id) {
  const account = ctx.state.billing.accounts.get(id);
  if (!account) fail(404, "account_not_found", `No billing account ${id}.`, "ACCOUNT_NOT_FOUND");
  return account;
}

function link(ctx) {
  const account = accountById(ctx, ctx.params.id);
  const wallet = walletField(jsonObjectBody(ctx, { allowed: ["wallet"] }).wallet);
  if (!account.email) fail(400, "not_an_email_account", "Wallets are linked to email billing accounts.", "NOT_AN_EMAIL_ACCOUNT");
  if (!linkWallet(ctx.state.billing, account, wallet).ok) {
    fail(409, "wallet_has_account", `${wallet} already has a billing account with history.`, "WALLET_HAS_ACCOUNT");
  }
  return json(200, { id: account.id, email: account.email, wallets: [...account.wallets] });
}

/** Exactly one of `{wallet}` / `{email}`; an email needs its account. */
function checkoutTarget(ctx, allowedExtra = []) {
  const body = jsonObjectBody(ctx, { allowed: ["wallet", "email", ...allowedExtra] });
  if ((body.wallet === undefined) === (body.email === undefined)) {
    fail(400, "invalid_identifier", "Send exactly one of wallet or email.", "INVALID_IDENTIFIER");
  }
  if (body.wallet !== undefined) return { type: "wallet", wallet: walletField(body.wallet) };
  const email = emailField(body.email);
  if (!emailAccount(ctx.state.billing, email)) fail(404, "account_not_found", `No billing account for ${email}.`, "ACCOUNT_NOT_FOUND");
  return { type: "email", email };
}

function tierCheckout(ctx) {
  const { tier } = ctx.params;
  if (!isTier(tier)) fail(400, "invalid_tier", `Unknown tier: ${JSON.stringify(tier)}. Use one of ${Object.keys(TIERS).join(", ")}.`, "INVALID_TIER");
  return openCheckout(ctx, { product: "tier", tier, amount: TIERS[tier].price_usd_micros, target: checkoutTarget(ctx) });
}

function emailPackCheckout(ctx) {
  return openCheckout(ctx, { product: "email_pack", amount: EMAIL_PACK.price_usd_micros, target: checkoutTarget(ctx) });
}

function autoRecharge(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["billing_account_id", "enabled", "threshold"] });
  const account = accountById(ctx, requireString(body, "billing_account_id"));
  if (typeof body.enabled !== "boolean") fail(400, "invalid_field", "enabled must be a boolean.", "INVALID_FIELD", { details: { field: "enabled" } });
  if (body.threshold !== undefined && !(Number.isSafeInteger(body.threshold) && body.threshold >= 0)) {
    fail(400, "invalid_field", "threshold must be a non-negative integer.", "INVALID_FIELD", { details: { field: "threshold" } });
  }
  account.autoRecharge = body.enabled;
  if (body.threshold !== undefined) account.autoRechargeThreshold = body.threshold;
  return json(200, { billing_account_id: account.id, auto_recharge_enabled: account.autoRecharge, auto_recharge_threshold: account.autoRechargeThreshold });
}

/** What a paid checkout does to its account (the Stripe webhook's work). */
function fulfil(ctx, checkout) {
  const { billing, walletTiers } = ctx.state;
  const { target } = checkout;
  const account = target.type === "wallet" ? walletAccount(billing, target.wallet, { create: true }) : emailAccount(billing, target.email);
  const ref = { referenceType: "stripe_checkout", referenceId: checkout.id };
  record(billing, account, { direction: "credit", kind: checkout.product === "balance_topup" ? "topup" : "stripe_payment", amount: checkout.amount, ...ref });
  if (checkout.product === "email_pack") {
    record(billing, account, { direction: "debit", kind: "email_pack", amount: checkout.amount, ...ref, metadata: { emails: EMAIL_PACK.emails } });
    account.emailCredits += EMAIL_PACK.emails;
  } else if (checkout.product === "tier") {
    record(billing, account, { direction: "debit", kind: "tier_purchase", amount: checkout.amount, ...ref, metadata: { tier: checkout.tier } });
    const now = new Date();
    const current = target.type === "wallet" ? walletTiers.get(target.wallet) : account.tier && { tier: account.tier, leaseExpiresAt: account.leaseExpiresAt };
    const renew = current && current.tier === checkout.tier && Date.parse(current.leaseExpiresAt) > now.getTime();
    const leaseExpiresAt = leaseEnd(checkout.tier, renew ? new Date(current.leaseExpiresAt) : now).toISOString();
    if (target.type === "wallet") {
      walletTiers.set(target.wallet, { tier: checkout.tier, leaseStartedAt: renew ? current.leaseStartedAt : now.toISOString(), leaseExpiresAt });
    } else {
      account.tier = checkout.tier;
      account.leaseExpiresAt = leaseExpiresAt;
    }
  }
}

/** /__sim/: POST {topup_id, outcome?: "paid" | "expired"} settles a checkout as Stripe would. */
function completeCheckout(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["topup_id", "outcome"] });
  const checkout = ctx.state.billing.checkouts.get(requireString(body, "topup_id"));
  if (!checkout) fail(404, "checkout_not_found", "No such checkout.", "CHECKOUT_NOT_FOUND");
  const outcome = body.outcome ?? "paid";
  if (!["paid", "expired"].includes(outcome)) fail(400, "invalid_field", 'outcome must be "paid" or "expired".', "INVALID_FIELD");
  if (checkout.status !== "open") fail(409, "checkout_closed", `This checkout is already ${checkout.status}.`, "CHECKOUT_CLOSED");
  if (outcome === "paid") fulfil(ctx, checkout);
  checkout.status = outcome;
  checkout.completedAt = new Date().toISOString();
  const { target, ...rest } = checkout;
  return json(200, { ...rest, ...target });
}

export function register(router) {
  router.add("GET", "/billing/v1/accounts/:identifier", getAccount);
  router.add("GET", "/billing/v1/accounts/:identifier/history", getHistory);
  router.add("POST", "/billing/v1/accounts", createAccount);
  router.add("POST", "/billing/v1/accounts/:id/link-wallet", link);
  router.add("POST", "/billing/v1/checkouts", createCheckout);
  router.add("POST", "/billing/v1/tiers/:tier/checkout", tierCheckout);
  router.add("POST", "/billing/v1/email-packs/checkout", emailPackCheckout);
  router.add("POST", "/billing/v1/email-packs/auto-recharge", autoRecharge);
}

export function registerControl(control) {
  control.add("POST", "/__sim/billing/checkouts", completeCheckout);
}
