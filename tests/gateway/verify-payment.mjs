// Payment verification for PAYMENT-SIGNATURE (x402 v2) and X-PAYMENT (v1),
// scheme "exact" on EVM with an EIP-3009 TransferWithAuthorization:
// decode the base64 JSON payload strictly, match it to one of the offered
// requirements, recover the EIP-712 signer with viem against the domain the
// simulator offered (never the one the client claims), then check payee,
// validity window, amount, nonce and the payer's ledger balance (not needed
// when the payer's prepaid allowance covers the price: payments.mjs settles
// that one off chain).
//
// Reason strings are the x402 specification's (x402-specification-v2.md §9),
// except the nonce replay, which the spec does not name: that one is the
// reference facilitator's `invalid_exact_evm_nonce_already_used`.

import { getAddress, recoverTypedDataAddress } from "viem";
import { balanceOf, nonceUsed } from "./ledger.mjs";
import { NETWORKS } from "./networks.mjs";

export const REASONS = Object.freeze({
  invalidPayload: "invalid_payload",
  invalidVersion: "invalid_x402_version",
  invalidScheme: "invalid_scheme",
  invalidNetwork: "invalid_network",
  invalidRequirements: "invalid_payment_requirements",
  invalidSignature: "invalid_exact_evm_payload_signature",
  recipientMismatch: "invalid_exact_evm_payload_recipient_mismatch",
  validBefore: "invalid_exact_evm_payload_authorization_valid_before",
  validAfter: "invalid_exact_evm_payload_authorization_valid_after",
  valueMismatch: "invalid_exact_evm_payload_authorization_value_mismatch",
  nonceUsed: "invalid_exact_evm_nonce_already_used",
  insufficientFunds: "insufficient_funds",
});

/** Seconds an authorization may stay valid beyond the offer's maxTimeoutSeconds. */
export const WINDOW_SLACK_SECONDS = 60;

/** EIP-3009 TransferWithAuthorization as EIP-712 types (viem's format). */
export const AUTHORIZATION_TYPES = {
  TransferWithAuthorization: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "validAfter", type: "uint256" },
    { name: "validBefore", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
};

const V2_KEYS = ["x402Version", "resource", "accepted", "payload", "extensions"];
const V1_KEYS = ["x402Version", "scheme", "network", "payload"];
const AUTHORIZATION_KEYS = ["from", "to", "value", "validAfter", "validBefore", "nonce"];
const MAX_UINT256 = 2n ** 256n - 1n;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

class Invalid extends Error {
  constructor(reason, message, extra = {}) {
    super(message);
    this.reason = reason;
    this.extra = extra;
  }
}

const malformed = (message) => new Invalid(REASONS.invalidPayload, message);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const describe = (v) => (v === undefined ? "missing" : `${JSON.stringify(v)}`.slice(0, 80));

function decodeHeader(value, headerName) {
  const text = typeof value === "string" ? value.trim() : "";
  if (text === "") throw malformed(`${headerName} header is empty.`);
  if (!BASE64.test(text) || text.length % 4 === 1) throw malformed(`${headerName} header is not standard base64.`);
  let parsed;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64").toString("utf8"));
  } catch {
    throw malformed(`${headerName} header does not decode to JSON.`);
  }
  if (!isObject(parsed)) throw malformed(`${headerName} payload must be a JSON object.`);
  return parsed;
}

function rejectUnknown(object, allowed, where) {
  const unknown = Object.keys(object).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw malformed(`${where} has unknown field(s): ${unknown.join(", ")}.`);
}

function string(object, key, where) {
  const v = object[key];
  if (typeof v !== "string" || v === "") throw malformed(`${where}.${key} must be a non-empty string (got ${describe(v)}).`);
  return v;
}

function address(object, key, where) {
  const v = string(object, key, where);
  if (!/^0x[0-9a-fA-F]{40}$/.test(v)) throw malformed(`${where}.${key} must be a 0x-prefixed 20-byte hex address.`);
  return v;
}

function uint(object, key, where) {
  const v = object[key];
  if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,77})$/.test(v) || BigInt(v) > MAX_UINT256) {
    throw malformed(`${where}.${key} must be a decimal uint256 string (got ${describe(v)}).`);
  }
  return BigInt(v);
}

/** The EIP-3009 `payload` object: `{signature, authorization}`. */
function parseExactPayload(payload) {
  if (!isObject(payload)) throw malformed(`payload must be an object with signature and authorization (got ${describe(payload)}).`);
  rejectUnknown(payload, ["signature", "authorization"], "payload");
  const signature = string(payload, "signature", "payload");
  if (!/^0x([0-9a-fA-F]{2})+$/.test(signature)) throw malformed("payload.signature must be 0x-prefixed hex.");
  const auth = payload.authorization;
  if (!isObject(auth)) throw malformed(`payload.authorization must be an object (got ${describe(auth)}).`);
  rejectUnknown(auth, AUTHORIZATION_KEYS, "payload.authorization");
  const where = "payload.authorization";
  const authorization = {
    from: address(auth, "from", where),
    to: address(auth, "to", where),
    value: uint(auth, "value", where),
    validAfter: uint(auth, "validAfter", where),
    validBefore: uint(auth, "validBefore", where),
    nonce: string(auth, "nonce", where),
  };
  if (!/^0x[0-9a-fA-F]{64}$/.test(authorization.nonce)) throw malformed(`${where}.nonce must be 0x-prefixed 32-byte hex.`);
  return { signature, authorization };
}

/**
 * Structure of a decoded payload for the header's protocol version. Returns
 * `{scheme, network (as sent), accepted?, exact}`.
 */
function parseEnvelope(decoded, version, headerName) {
  if (decoded.x402Version !== version) {
    throw new Invalid(
      REASONS.invalidVersion,
      `${headerName} carries x402Version ${describe(decoded.x402Version)}; this header is for x402Version ${version}.`,
    );
  }
  if (version === 2) {
    rejectUnknown(decoded, V2_KEYS, "PaymentPayload");
    if (decoded.resource !== undefined && !(isObject(decoded.resource) && typeof decoded.resource.url === "string")) {
      throw malformed("PaymentPayload.resource must be an object with a url string.");
    }
    if (decoded.extensions !== undefined && !isObject(decoded.extensions)) throw malformed("PaymentPayload.extensions must be an object.");
    const accepted = decoded.accepted;
    if (!isObject(accepted)) throw malformed(`PaymentPayload.accepted must be the chosen requirement object (got ${describe(accepted)}).`);
    const parsed = {
      scheme: string(accepted, "scheme", "accepted"),
      network: string(accepted, "network", "accepted"),
      asset: address(accepted, "asset", "accepted"),
      payTo: address(accepted, "payTo", "accepted"),
      amount: uint(accepted, "amount", "accepted"),
    };
    return { scheme: parsed.scheme, network: parsed.network, accepted: parsed, exact: parseExactPayload(decoded.payload) };
  }
  rejectUnknown(decoded, V1_KEYS, "PaymentPayload");
  return {
    scheme: string(decoded, "scheme", "PaymentPayload"),
    network: string(decoded, "network", "PaymentPayload"),
    accepted: null,
    exact: parseExactPayload(decoded.payload),
  };
}

async function recoverSigner(offer, { signature, authorization }) {
  try {
    return await recoverTypedDataAddress({
      domain: { ...offer.extra, chainId: NETWORKS[offer.network].chainId, verifyingContract: getAddress(offer.asset) },
      types: AUTHORIZATION_TYPES,
      primaryType: "TransferWithAuthorization",
      message: { ...authorization, from: getAddress(authorization.from.toLowerCase()), to: getAddress(authorization.to.toLowerCase()) },
      signature,
    });
  } catch {
    return null;
  }
}

const sameAddress = (a, b) => a.toLowerCase() === b.toLowerCase();

/**
 * @param {object} input
 * @param {string} input.header the header value as received
 * @param {1 | 2} input.version which header it came in (2 = PAYMENT-SIGNATURE, 1 = X-PAYMENT)
 * @param {object[]} input.offers `{network (CAIP-2), asset, payTo, maxTimeoutSeconds, extra}` per offered network
 * @param {bigint} input.price what this request costs, in base units
 * @param {object} input.ledger the simulator's ledger (read only here)
 * @param {(payer: string) => boolean} [input.prepaid] whether the payer's prepaid allowance
 *   covers the price: such a payment settles off chain, so the chain balance is not required
 * @param {number} [input.nowSeconds]
 * @returns {Promise<{ok: true, payer: string, offer: object, authorization: object}
 *   | {ok: false, reason: string, message: string, payer?: string, offer?: object}>}
 */
export async function verifyPayment({ header, version, offers, price, ledger, prepaid = () => false, nowSeconds = Math.floor(Date.now() / 1000) }) {
  const headerName = version === 2 ? "PAYMENT-SIGNATURE" : "X-PAYMENT";
  let payer;
  let offer;
  try {
    const envelope = parseEnvelope(decodeHeader(header, headerName), version, headerName);
    const { authorization } = envelope.exact;
    payer = getAddress(authorization.from.toLowerCase());

    if (envelope.scheme !== "exact") {
      throw new Invalid(REASONS.invalidScheme, `Scheme ${describe(envelope.scheme)} is not supported; this server accepts "exact".`);
    }
    const offeredNames = offers.map((o) => (version === 2 ? o.network : NETWORKS[o.network].v1Name));
    offer = offers.find((_, i) => offeredNames[i] === envelope.network);
    if (!offer) {
      throw new Invalid(REASONS.invalidNetwork, `Network ${describe(envelope.network)} is not offered here; offered: ${offeredNames.join(", ")}.`);
    }
    if (envelope.accepted) {
      if (!sameAddress(envelope.accepted.asset, offer.asset)) {
        throw new Invalid(
          REASONS.invalidRequirements,
          `accepted.asset ${envelope.accepted.asset} is not the asset offered on ${offer.network} (${offer.asset}).`,
        );
      }
      if (!sameAddress(envelope.accepted.payTo, offer.payTo)) {
        throw new Invalid(REASONS.recipientMismatch, `accepted.payTo ${envelope.accepted.payTo} is not this server's payee ${offer.payTo}.`);
      }
    }

    const signer = await recoverSigner(offer, envelope.exact);
    if (!signer || !sameAddress(signer, authorization.from)) {
      throw new Invalid(
        REASONS.invalidSignature,
        `The TransferWithAuthorization signature does not recover to authorization.from ${payer} under the EIP-712 domain ` +
          `{name: ${offer.extra.name}, version: ${offer.extra.version}, chainId: ${NETWORKS[offer.network].chainId}, verifyingContract: ${offer.asset}}.`,
      );
    }
    if (!sameAddress(authorization.to, offer.payTo)) {
      throw new Invalid(REASONS.recipientMismatch, `authorization.to ${authorization.to} is not this server's payee ${offer.payTo}.`);
    }
    const now = BigInt(nowSeconds);
    if (authorization.validBefore <= now) {
      throw new Invalid(REASONS.validBefore, `The authorization expired at ${authorization.validBefore} (now ${now}).`);
    }
    if (authorization.validAfter > now) {
      throw new Invalid(REASONS.validAfter, `The authorization is not valid until ${authorization.validAfter} (now ${now}).`);
    }
    const latest = now + BigInt(offer.maxTimeoutSeconds + WINDOW_SLACK_SECONDS);
    if (authorization.validBefore > latest) {
      throw new Invalid(
        REASONS.validBefore,
        `validBefore ${authorization.validBefore} is too far ahead: at most maxTimeoutSeconds (${offer.maxTimeoutSeconds}) + ${WINDOW_SLACK_SECONDS} s from now (${latest}).`,
      );
    }
    if (authorization.value < price) {
      throw new Invalid(REASONS.valueMismatch, `Underpayment: authorization.value ${authorization.value} is less than the price ${price}.`);
    }
    if (nonceUsed(ledger, offer.network, offer.asset, authorization.from, authorization.nonce)) {
      throw new Invalid(REASONS.nonceUsed, `Nonce ${authorization.nonce} was already used by ${payer} on ${offer.network}.`);
    }
    const balance = balanceOf(ledger, offer.network, offer.asset, authorization.from);
    if (balance < authorization.value && !prepaid(payer)) {
      throw new Invalid(REASONS.insufficientFunds, `${payer} holds ${balance} USDC base units on ${offer.network}; the payment needs ${authorization.value}.`);
    }
    return { ok: true, payer, offer, authorization };
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    return { ok: false, reason: err.reason, message: err.message, payer, offer };
  }
}
