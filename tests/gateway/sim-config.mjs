// Simulator configuration shared by start() options and POST /__sim/config:
//   payments      bool      paid routes answer 402 until paid (default false)
//   x402Versions  [1|2,…]   protocol versions offered and accepted (default [1, 2])
//   networks      [CAIP-2…] networks offered, one `accepts` entry each (default ["eip155:84532"])
//   priceOverride int|null  USD micros charged by every paid route instead of its price
//   faucetWindowSeconds int  how long the faucet refuses a client IP after funding it
//                            (default 86400, the gateway's 1 per IP per 24 h; 0 = no limit)

import { fail } from "./http-util.mjs";
import { BASE_SEPOLIA, NETWORKS } from "./networks.mjs";

export const CONFIG_KEYS = ["payments", "x402Versions", "networks", "priceOverride", "faucetWindowSeconds"];

export function defaultConfig() {
  return { payments: false, x402Versions: [1, 2], networks: [BASE_SEPOLIA], priceOverride: null, faucetWindowSeconds: 24 * 60 * 60 };
}

function invalid(message) {
  fail(400, "invalid_field", message, "INVALID_FIELD");
}

/** Validates `input` (only keys present are changed) and applies it to `config`. Throws the 400 envelope. */
export function applyConfig(config, input) {
  const unknown = Object.keys(input).filter((k) => !CONFIG_KEYS.includes(k));
  if (unknown.length > 0) invalid(`Unknown config field(s): ${unknown.join(", ")}. Use ${CONFIG_KEYS.join(", ")}.`);
  const next = { ...config };
  if (input.payments !== undefined) {
    if (typeof input.payments !== "boolean") invalid('"payments" must be a boolean.');
    next.payments = input.payments;
  }
  if (input.x402Versions !== undefined) {
    const v = input.x402Versions;
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => x !== 1 && x !== 2)) invalid('"x402Versions" must be a non-empty array of 1 and/or 2.');
    next.x402Versions = [...new Set(v)].sort();
  }
  if (input.networks !== undefined) {
    const n = input.networks;
    if (!Array.isArray(n) || n.length === 0 || n.some((x) => !Object.hasOwn(NETWORKS, x))) {
      invalid(`"networks" must be a non-empty array of ${Object.keys(NETWORKS).join(", ")}.`);
    }
    next.networks = [...new Set(n)];
  }
  if (input.priceOverride !== undefined) {
    const p = input.priceOverride;
    if (p !== null && !(Number.isSafeInteger(p) && p > 0)) invalid('"priceOverride" must be a positive integer (USD micros) or null.');
    next.priceOverride = p;
  }
  if (input.faucetWindowSeconds !== undefined) {
    const w = input.faucetWindowSeconds;
    if (!(Number.isSafeInteger(w) && w >= 0)) invalid('"faucetWindowSeconds" must be a non-negative integer (0 turns the faucet limit off).');
    next.faucetWindowSeconds = w;
  }
  Object.assign(config, next);
  return config;
}
