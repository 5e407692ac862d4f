// Prepaid billing accounts (wire contract §1.14): one per wallet, or one per
// email that wallets can be linked to. The balance moves only through
// entries recorded here (Stripe top-ups, purchases, KMS fees, x402 payments
// settled from the allowance, email packs), each with the balances after
// it; an account's history is those entries merged with the x402 payments
// its wallets made on the simulator's USDC ledger (ledger.mjs), so the two
// rails read as one ledger. Amounts are USD micros.
//
// Email credits (from email packs) pay for sends beyond the tier's daily
// limit, one credit a send (routes/email.mjs); with auto-recharge on, a
// credit count below the threshold buys one more pack from the available
// balance, when the balance covers it.

import { randomUUID } from "node:crypto";

export const EMAIL_PACK = Object.freeze({ price_usd_micros: 5_000_000, emails: 10_000 });

export function createBilling() {
  return {
    accounts: new Map(), // id → account
    byWallet: new Map(), // lower-cased wallet → account id
    byEmail: new Map(), // lower-cased email → account id
    checkouts: new Map(), // topup id → checkout (routes/billing.mjs)
    sequence: 0, // orders entries recorded in the same millisecond
  };
}

function newAccount(billing, { email = null, wallet = null }) {
  const account = {
    id: randomUUID(),
    email,
    wallets: new Set(wallet ? [wallet] : []),
    available: 0,
    held: 0,
    emailCredits: 0,
    autoRecharge: false,
    autoRechargeThreshold: 0,
    tier: null, // an email account's own tier (a wallet's lives in state.walletTiers)
    leaseExpiresAt: null,
    entries: [],
    createdAt: new Date().toISOString(),
  };
  billing.accounts.set(account.id, account);
  if (email) billing.byEmail.set(email, account.id);
  if (wallet) billing.byWallet.set(wallet, account.id);
  return account;
}

/** The account a wallet belongs to; with `create`, a new wallet account when it has none. */
export function walletAccount(billing, wallet, { create = false } = {}) {
  const id = billing.byWallet.get(wallet.toLowerCase());
  if (id) return billing.accounts.get(id);
  return create ? newAccount(billing, { wallet: wallet.toLowerCase() }) : null;
}

export function emailAccount(billing, email) {
  const id = billing.byEmail.get(email.toLowerCase());
  return id ? billing.accounts.get(id) : null;
}

export function createEmailAccount(billing, email) {
  return newAccount(billing, { email: email.toLowerCase() });
}

/**
 * Moves a wallet into an email account. A wallet account that never had an
 * entry is folded in; one with history stays its own (`{ok: false}`).
 */
export function linkWallet(billing, account, wallet) {
  const current = walletAccount(billing, wallet);
  if (current === account) return { ok: true };
  if (current) {
    if (current.email || current.entries.length > 0) return { ok: false };
    billing.accounts.delete(current.id);
  }
  account.wallets.add(wallet);
  billing.byWallet.set(wallet, account.id);
  return { ok: true };
}

/**
 * Records one balance movement: `direction` credit or debit of `amount`,
 * refused (returns null) when a debit exceeds the available balance.
 */
export function record(billing, account, { direction, kind, amount, referenceType = null, referenceId = null, metadata = {} }) {
  const delta = direction === "credit" ? amount : -amount;
  if (account.available + delta < 0) return null;
  account.available += delta;
  return append(billing, account, { direction, kind, amount, referenceType, referenceId, metadata });
}

/** The entry for a movement already applied to the balances. */
function append(billing, account, { direction, kind, amount, referenceType = null, referenceId = null, metadata = {} }) {
  const entry = {
    id: `ble_${randomUUID()}`,
    direction,
    kind,
    amount_usd_micros: amount,
    balance_after_available: account.available,
    balance_after_held: account.held,
    reference_type: referenceType,
    reference_id: referenceId,
    metadata,
    created_at: new Date().toISOString(),
    seq: billing.sequence++,
  };
  account.entries.push(entry);
  return entry;
}

/**
 * Sets `amount` aside from the available balance for a paid request in
 * flight (moved to held): the hold, or null when the balance does not cover
 * it. spendHeld() debits it once the request succeeded; releaseHeld() gives
 * it back otherwise.
 */
export function holdFunds(account, amount) {
  if (account.available < amount) return null;
  account.available -= amount;
  account.held += amount;
  return { account, value: amount, state: "held" };
}

/** Debits a hold: one entry, with the balances after it. */
export function spendHeld(billing, h, entry) {
  if (h.state !== "held") throw new Error(`funds hold is ${h.state}`);
  h.state = "settled";
  h.account.held -= h.value;
  return append(billing, h.account, { ...entry, direction: "debit", amount: h.value });
}

export function releaseHeld(h) {
  if (h.state !== "held") return;
  h.state = "released";
  h.account.held -= h.value;
  h.account.available += h.value;
}

/** Buys one email pack from the available balance: the entry, or null when the balance is short. */
function buyEmailPack(billing, account, metadata) {
  const entry = record(billing, account, {
    direction: "debit", kind: "email_pack", amount: EMAIL_PACK.price_usd_micros, referenceType: "auto_recharge", metadata: { emails: EMAIL_PACK.emails, ...metadata },
  });
  if (entry) account.emailCredits += EMAIL_PACK.emails;
  return entry;
}

/** Auto-recharge: one pack when it is on and the credits are below its threshold (and the balance covers it). */
function recharge(billing, account) {
  if (account.autoRecharge && account.emailCredits < account.autoRechargeThreshold) {
    buyEmailPack(billing, account, { auto_recharge: true, threshold: account.autoRechargeThreshold });
  }
}

/**
 * Spends one email credit for a send beyond the daily limit: false when
 * there is none even after auto-recharge had its chance. Auto-recharge is
 * looked at before the spend (an empty account may buy its first pack) and
 * after it (the spend may take the credits below the threshold).
 */
export function spendEmailCredit(billing, account) {
  if (account.emailCredits < 1) recharge(billing, account);
  if (account.emailCredits < 1) return false;
  account.emailCredits -= 1;
  recharge(billing, account);
  return true;
}

/**
 * The account's history, newest first: its own entries and its wallets'
 * settled x402 payments. A payment went on chain, so it leaves the prepaid
 * balance as it was; its balance fields say what that balance was then.
 */
export function history(account, ledger, limit) {
  const payments = ledger.transactions
    .map((tx, index) => ({ tx, index }))
    .filter(({ tx }) => tx.kind === "payment" && account.wallets.has(tx.from));
  const own = account.entries.map((e) => ({ at: Date.parse(e.created_at), order: e.seq, entry: e }));
  const theirs = payments.map(({ tx, index }) => ({ at: Date.parse(tx.at), order: -1e9 + index, tx }));
  const merged = [...own, ...theirs].sort((a, b) => a.at - b.at || a.order - b.order);
  let available = 0;
  let held = 0;
  const entries = merged.map((item) => {
    if (item.entry) {
      available = item.entry.balance_after_available;
      held = item.entry.balance_after_held;
      const { seq: _seq, ...entry } = item.entry;
      return entry;
    }
    const { tx } = item;
    return {
      id: `ble_x402_${tx.hash.slice(2, 26)}`,
      direction: "debit",
      kind: "x402_payment",
      amount_usd_micros: tx.value,
      balance_after_available: available,
      balance_after_held: held,
      reference_type: "x402_payment",
      reference_id: tx.hash,
      metadata: { rail: "x402", network: tx.network, asset: tx.asset, pay_to: tx.to, payer: tx.from },
      created_at: tx.at,
    };
  });
  return entries.reverse().slice(0, limit);
}
