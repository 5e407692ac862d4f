// Builds x402 payment headers with viem so tests can pay the simulator:
// an EIP-3009 TransferWithAuthorization signed with signTypedData, wrapped as
// a v2 PAYMENT-SIGNATURE or v1 X-PAYMENT header. Independent of the
// simulator's verifier (verify-payment.mjs) except for shared public facts.

import { randomBytes } from "node:crypto";
import { getAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const CHAIN_IDS = { "eip155:84532": 84532, "eip155:8453": 8453 };
const V1_NAMES = { "eip155:84532": "base-sepolia", "eip155:8453": "base" };

const TYPES = {
  TransferWithAuthorization: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "validAfter", type: "uint256" },
    { name: "validBefore", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
};

/**
 * The offers of a 402 response, as v2-shaped requirements: from the
 * PAYMENT-REQUIRED header when present, else from the v1 body.
 * Returns `{version, resource, accepts}`.
 */
export function offersFrom(headers, body) {
  const header = headers.get("payment-required");
  if (header) {
    const required = JSON.parse(Buffer.from(header, "base64").toString("utf8"));
    return { version: 2, resource: required.resource, accepts: required.accepts };
  }
  const byName = Object.fromEntries(Object.entries(V1_NAMES).map(([caip, name]) => [name, caip]));
  const accepts = body.accepts.map((r) => ({
    scheme: r.scheme,
    network: byName[r.network],
    amount: r.maxAmountRequired,
    asset: r.asset,
    payTo: r.payTo,
    maxTimeoutSeconds: r.maxTimeoutSeconds,
    extra: r.extra,
  }));
  return { version: 1, resource: { url: body.accepts[0].resource }, accepts };
}

/**
 * Signs a payment for `requirement` (v2 shape). Options override any part to
 * build bad payments: `version` (2 | 1), `value`, `to`, `validAfter`,
 * `validBefore`, `nonce`, `domain` (merged into the EIP-712 domain),
 * `accepted` (merged into the v2 accepted object), `network` (the v1 network
 * name sent), `resource`.
 * Returns `{headers, payload, authorization}`.
 */
export async function signPayment(privateKeyHex, requirement, options = {}) {
  const account = privateKeyToAccount(privateKeyHex);
  const version = options.version ?? 2;
  const now = Math.floor(Date.now() / 1000);
  const authorization = {
    from: account.address,
    to: getAddress(options.to ?? requirement.payTo),
    value: String(options.value ?? requirement.amount),
    validAfter: String(options.validAfter ?? now - 600),
    validBefore: String(options.validBefore ?? now + requirement.maxTimeoutSeconds),
    nonce: options.nonce ?? `0x${randomBytes(32).toString("hex")}`,
  };
  const signature = await account.signTypedData({
    domain: {
      name: requirement.extra.name,
      version: requirement.extra.version,
      chainId: CHAIN_IDS[requirement.network],
      verifyingContract: getAddress(requirement.asset),
      ...options.domain,
    },
    types: TYPES,
    primaryType: "TransferWithAuthorization",
    message: {
      ...authorization,
      value: BigInt(authorization.value),
      validAfter: BigInt(authorization.validAfter),
      validBefore: BigInt(authorization.validBefore),
    },
  });
  const exact = { signature, authorization };
  const payload =
    version === 2
      ? {
          x402Version: 2,
          ...(options.resource ? { resource: options.resource } : {}),
          accepted: { ...requirement, ...options.accepted },
          payload: exact,
        }
      : { x402Version: 1, scheme: "exact", network: options.network ?? V1_NAMES[requirement.network], payload: exact };
  const value = Buffer.from(JSON.stringify(payload)).toString("base64");
  return { headers: { [version === 2 ? "PAYMENT-SIGNATURE" : "X-PAYMENT"]: value }, payload, authorization };
}

/** Decodes a PAYMENT-RESPONSE / X-PAYMENT-RESPONSE header value. */
export function decodeSettlement(value) {
  return JSON.parse(Buffer.from(value, "base64").toString("utf8"));
}
