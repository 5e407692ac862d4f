// allowance.faucet (wire contract §1.10): POST /faucet/v1 {address} drips
// 0.25 testnet USDC on Base Sepolia into the simulator's ledger. The limit is
// per client IP, as the gateway's (seed 003: "1 per IP per 24h"), so new
// wallets from one machine do not get more. For tests and local development,
// config.faucetWindowSeconds sets the window (0 = no limit) and POST
// /__sim/reset forgets every claim.

import { isAddress } from "viem";
import { fail, json, jsonObjectBody } from "../http-util.mjs";
import { mint } from "../ledger.mjs";
import { BASE_SEPOLIA, NETWORKS } from "../networks.mjs";

export const FAUCET_AMOUNT = 250_000;

function faucet(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["address"] });
  const { address } = body;
  if (typeof address !== "string" || !isAddress(address)) {
    fail(400, "invalid_address", "address must be a 0x-prefixed 20-byte hex address (EIP-55 checksum when mixed-case).", "INVALID_ADDRESS");
  }
  const windowMs = ctx.state.config.faucetWindowSeconds * 1000;
  const now = Date.now();
  const last = ctx.state.faucetClaims.get(ctx.clientIp);
  if (last !== undefined && now - last < windowMs) {
    const retryAfter = Math.ceil((last + windowMs - now) / 1000);
    fail(
      429,
      "rate_limited",
      `The faucet already funded a wallet from ${ctx.clientIp} in the last ${windowMs / 1000} s; try again in ${retryAfter} s.`,
      "FAUCET_RATE_LIMITED",
      { retry_after: retryAfter },
      { "retry-after": String(retryAfter) },
    );
  }
  ctx.state.faucetClaims.set(ctx.clientIp, now);
  const key = address.toLowerCase();
  const tx = mint(ctx.state.ledger, { network: BASE_SEPOLIA, asset: NETWORKS[BASE_SEPOLIA].usdc, address: key, amount: BigInt(FAUCET_AMOUNT), kind: "faucet" });
  return json(200, { transaction_hash: tx.hash, amount_usd_micros: FAUCET_AMOUNT, token: "USDC", network: "base-sepolia" });
}

export function register(router) {
  router.add("POST", "/faucet/v1", faucet);
}
