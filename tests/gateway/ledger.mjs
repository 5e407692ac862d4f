// The simulator's testnet USDC ledger: balances in 6-decimal base units per
// (network, asset, address), the EIP-3009 nonces already spent, and a log of
// fake transactions. Keys are lower-cased; amounts are BigInt inside and
// plain numbers at the edges (test amounts stay far below 2^53).
//
// A payment moves in two steps so it is charged exactly once and never
// double-spent: hold() re-checks the nonce and balance and debits the payer
// synchronously (nothing can interleave); settle() then credits the payee and
// records the transaction, or release() refunds the payer and frees the nonce
// when the paid request did not succeed.

import { randomBytes } from "node:crypto";

export function createLedger() {
  return {
    balances: new Map(), // "network|asset|address" → bigint
    nonces: new Set(), // "network|asset|from|nonce"
    transactions: [], // {hash, kind, network, asset, from, to, value, at}
  };
}

const balanceKey = (network, asset, address) => `${network}|${asset}|${address}`.toLowerCase();
const nonceKey = (network, asset, from, nonce) => `${network}|${asset}|${from}|${nonce}`.toLowerCase();

export function fakeTxHash() {
  return `0x${randomBytes(32).toString("hex")}`;
}

export function balanceOf(ledger, network, asset, address) {
  return ledger.balances.get(balanceKey(network, asset, address)) ?? 0n;
}

function add(ledger, network, asset, address, amount) {
  const key = balanceKey(network, asset, address);
  ledger.balances.set(key, (ledger.balances.get(key) ?? 0n) + amount);
}

export function nonceUsed(ledger, network, asset, from, nonce) {
  return ledger.nonces.has(nonceKey(network, asset, from, nonce));
}

function record(ledger, entry) {
  const tx = { hash: fakeTxHash(), ...entry, value: Number(entry.value), at: new Date().toISOString() };
  ledger.transactions.push(tx);
  return tx;
}

/** Mints `amount` to `address` (faucet, /__sim/fund). Returns the transaction. */
export function mint(ledger, { network, asset, address, amount, kind }) {
  add(ledger, network, asset, address, amount);
  return record(ledger, { kind, network, asset: asset.toLowerCase(), from: null, to: address.toLowerCase(), value: amount });
}

/**
 * Spends an authorization's nonce without moving funds (a payment settled
 * off chain, from a prepaid allowance, must not be replayable on chain or
 * against the allowance). Returns its key for freeNonce(), or null when it
 * was already used.
 */
export function spendNonce(ledger, { network, asset, from, nonce }) {
  const nk = nonceKey(network, asset, from, nonce);
  if (ledger.nonces.has(nk)) return null;
  ledger.nonces.add(nk);
  return nk;
}

export function freeNonce(ledger, key) {
  ledger.nonces.delete(key);
}

/**
 * Reserves a payment: `{ok: true, hold}` with the payer already debited and
 * the nonce spent, or `{ok: false, reason}` ("nonce" | "balance").
 */
export function hold(ledger, { network, asset, from, to, value, nonce }) {
  if (nonceUsed(ledger, network, asset, from, nonce)) return { ok: false, reason: "nonce" };
  if (balanceOf(ledger, network, asset, from) < value) return { ok: false, reason: "balance" };
  const nk = spendNonce(ledger, { network, asset, from, nonce });
  add(ledger, network, asset, from, -value);
  return { ok: true, hold: { network, asset, from, to, value, nonceKey: nk, state: "held" } };
}

/** Completes a held payment: credits the payee and records the transaction. */
export function settle(ledger, h) {
  if (h.state !== "held") throw new Error(`payment hold is ${h.state}`);
  h.state = "settled";
  add(ledger, h.network, h.asset, h.to, h.value);
  return record(ledger, { kind: "payment", network: h.network, asset: h.asset.toLowerCase(), from: h.from.toLowerCase(), to: h.to.toLowerCase(), value: h.value });
}

/** Undoes a held payment: refunds the payer and frees the nonce. */
export function release(ledger, h) {
  if (h.state !== "held") return;
  h.state = "released";
  freeNonce(ledger, h.nonceKey);
  add(ledger, h.network, h.asset, h.from, h.value);
}
