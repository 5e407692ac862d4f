// allowance.faucet (wire contract §1.10): POST /faucet/v1 {address} drips
// 0.25 testnet USDC on Base Sepolia into the simulator's ledger, once per
// address per 24 hours.

import { isAddress } from "viem";
import { fail, json, jsonObjectBody } from "../http-util.mjs";
import { mint } from "../ledger.mjs";
import { BASE_SEPOLIA, NETWORKS } from "../networks.mjs";

export const FAUCET_AMOUNT = 250_000;
const FAUCET_WINDOW_MS = 24 * 60 * 60 * 1000;

function faucet(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["address"] });
  const { address } = body;
  if (typeof address !== "string" || !isAddress(address)) {
    fail(400, "invalid_address", "address must be a 0x-prefixed 20-byte hex address (EIP-55 checksum when mixed-case).", "INVALID_ADDRESS");
  }
  const key = address.toLowerCase();
  const now = Date.now();
  const last = ctx.state.faucetClaims.get(key);
  if (last !== undefined && now - last < FAUCET_WINDOW_MS) {
    const retryAfter = Math.ceil((last + FAUCET_WINDOW_MS - now) / 1000);
    fail(
      429,
      "rate_limited",
      `The faucet already funded ${key} in the last 24 hours; try again in ${retryAfter} s.`,
      "FAUCET_RATE_LIMITED",
      { retry_after: retryAfter },
      { "retry-after": String(retryAfter) },
    );
  }
  ctx.state.faucetClaims.set(key, now);
  const tx = mint(ctx.state.ledger, { network: BASE_SEPOLIA, asset: NETWORKS[BASE_SEPOLIA].usdc, address: key, amount: BigInt(FAUCET_AMOUNT), kind: "faucet" });
  return json(200, { transaction_hash: tx.hash, amount_usd_micros: FAUCET_AMOUNT, token: "USDC", network: "base-sepolia" });
}

export function register(router) {
  router.add("POST", "/faucet/v1", faucet);
}
