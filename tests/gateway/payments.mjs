// x402 pricing and the 402 answer. Paid routes answer with both the v2
// PAYMENT-REQUIRED header and the v1 JSON body, so clients of either protocol
// version can pay (field names per coinbase/x402 specs/transports-v{1,2}/http.md).

import { getAddress, keccak256, toHex } from "viem";
import { HttpError, JSON_TYPE } from "./http-util.mjs";
import { DEFAULT_TIER, TIERS } from "./tiers.mjs";
import { verifyPayment } from "./verify-payment.mjs";

export const USDC_BASE_SEPOLIA = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
const NETWORK_V2 = "eip155:84532";
const NETWORK_V1 = "base-sepolia";
const MAX_TIMEOUT_SECONDS = 300;
const USDC_EIP712 = { name: "USDC", version: "2" };

/** The simulator's payee: a fixed address derived from a label, so it is stable across runs. */
export const PAYEE = getAddress(`0x${keccak256(toHex("run402-simulator-payee")).slice(-40)}`);

/** "METHOD path" → price (USDC base units, 6 decimals) and description for a request body. */
export const PAID_ROUTES = {
  "POST /projects/v1": (body) => {
    const tier = body.tier ?? DEFAULT_TIER;
    return { amount: TIERS[tier].price_usd_micros, description: `Provision a ${tier} Run402 project (${TIERS[tier].price})` };
  },
};

function requirements(resourceUrl, { amount, description }) {
  const v2 = {
    scheme: "exact",
    network: NETWORK_V2,
    amount: String(amount),
    asset: USDC_BASE_SEPOLIA,
    payTo: PAYEE,
    maxTimeoutSeconds: MAX_TIMEOUT_SECONDS,
    extra: USDC_EIP712,
  };
  const v1 = {
    scheme: "exact",
    network: NETWORK_V1,
    maxAmountRequired: String(amount),
    resource: resourceUrl,
    description,
    mimeType: "application/json",
    payTo: PAYEE,
    maxTimeoutSeconds: MAX_TIMEOUT_SECONDS,
    asset: USDC_BASE_SEPOLIA,
    extra: USDC_EIP712,
  };
  return { v1, v2 };
}

function paymentRequired(resourceUrl, price, { v2Error, v1Error, message, code }) {
  const { v1, v2 } = requirements(resourceUrl, price);
  const header = {
    x402Version: 2,
    error: v2Error,
    resource: { url: resourceUrl, description: price.description, mimeType: "application/json" },
    accepts: [v2],
  };
  const body = { x402Version: 1, error: v1Error, accepts: [v1], message, code };
  return new HttpError(402, body, {
    "content-type": JSON_TYPE,
    "payment-required": Buffer.from(JSON.stringify(header)).toString("base64"),
  });
}

/**
 * Gate for a paid route. Returns `{payer}` (null payer when payments are
 * switched off) or throws the 402.
 */
export async function requirePayment(ctx, routeKey, body) {
  if (!ctx.state.config.payments) return { payer: null };
  const price = PAID_ROUTES[routeKey](body);
  const resourceUrl = ctx.baseUrl + ctx.url.pathname;
  const v2Header = ctx.headers["payment-signature"];
  const v1Header = ctx.headers["x-payment"];
  if (v2Header === undefined && v1Header === undefined) {
    throw paymentRequired(resourceUrl, price, {
      v2Error: "PAYMENT-SIGNATURE header is required",
      v1Error: "X-PAYMENT header is required",
      message: `Payment of ${price.amount} USDC base units required: ${price.description}.`,
      code: "PAYMENT_REQUIRED",
    });
  }
  ctx.state.paymentsSeen += 1;
  const version = v2Header !== undefined ? 2 : 1;
  const { v1, v2 } = requirements(resourceUrl, price);
  const result = await verifyPayment({ header: v2Header ?? v1Header, version, requirement: version === 2 ? v2 : v1 });
  if (result.ok) return { payer: result.payer.toLowerCase() };
  throw paymentRequired(resourceUrl, price, {
    v2Error: result.reason,
    v1Error: result.reason,
    message: result.message,
    code: result.reason.toUpperCase(),
  });
}
