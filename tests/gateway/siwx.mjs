// Verifies the SIGN-IN-WITH-X header (wire contract §5): base64 JSON payload,
// EIP-4361 message rebuilt from its fields, EIP-191 signature checked with
// viem, and the domain / uri / time window / nonce checked against this
// simulator and request.

import { getAddress, isAddress, verifyMessage } from "viem";

const CLOCK_SKEW_MS = 60_000;
const DEFAULT_LIFETIME_MS = 5 * 60_000;
const REQUIRED = ["domain", "address", "uri", "version", "chainId", "type", "nonce", "issuedAt", "signature"];
const OPTIONAL = ["statement", "expirationTime", "notBefore", "requestId", "resources", "signatureScheme"];

export class SiwxError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function decodePayload(value) {
  let payload;
  try {
    payload = JSON.parse(Buffer.from(value.trim(), "base64").toString("utf8"));
  } catch {
    throw new SiwxError("SIWX_MALFORMED", "SIGN-IN-WITH-X header is not base64-encoded JSON.");
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    throw new SiwxError("SIWX_MALFORMED", "SIGN-IN-WITH-X payload must be a JSON object.");
  }
  for (const field of REQUIRED) {
    if (typeof payload[field] !== "string" || payload[field] === "") {
      throw new SiwxError("SIWX_MALFORMED", `SIGN-IN-WITH-X payload field "${field}" is missing or not a string.`);
    }
  }
  const unknown = Object.keys(payload).filter((k) => !REQUIRED.includes(k) && !OPTIONAL.includes(k));
  if (unknown.length > 0) {
    throw new SiwxError("SIWX_MALFORMED", `SIGN-IN-WITH-X payload has unknown field(s): ${unknown.join(", ")}.`);
  }
  if (payload.resources !== undefined && !(Array.isArray(payload.resources) && payload.resources.every((r) => typeof r === "string"))) {
    throw new SiwxError("SIWX_MALFORMED", 'SIGN-IN-WITH-X "resources" must be an array of strings.');
  }
  return payload;
}

function parseTime(payload, field) {
  const value = payload[field];
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (typeof value !== "string" || Number.isNaN(ms)) {
    throw new SiwxError("SIWX_MALFORMED", `SIGN-IN-WITH-X "${field}" is not an ISO-8601 timestamp.`);
  }
  return ms;
}

/**
 * The EIP-4361 message for a payload. Layout per the EIP's ABNF: the statement
 * and its trailing blank line are present only when a statement is; optional
 * fields follow Issued At in the EIP's order.
 */
function siweMessage(payload, checksummedAddress, chainNumber) {
  const lines = [`${payload.domain} wants you to sign in with your Ethereum account:`, checksummedAddress, ""];
  if (payload.statement !== undefined) lines.push(payload.statement, "");
  lines.push(
    `URI: ${payload.uri}`,
    `Version: ${payload.version}`,
    `Chain ID: ${chainNumber}`,
    `Nonce: ${payload.nonce}`,
    `Issued At: ${payload.issuedAt}`,
  );
  if (payload.expirationTime !== undefined) lines.push(`Expiration Time: ${payload.expirationTime}`);
  if (payload.notBefore !== undefined) lines.push(`Not Before: ${payload.notBefore}`);
  if (payload.requestId !== undefined) lines.push(`Request ID: ${payload.requestId}`);
  if (payload.resources?.length) lines.push("Resources:", ...payload.resources.map((r) => `- ${r}`));
  return lines.join("\n");
}

/**
 * Verifies a header value for a request to `uri` on host `domain`.
 * `nonces` is a Map of used nonce → expiry ms, shared per simulator; a valid
 * header's nonce is reserved in it at once, so a concurrent replay is refused
 * too (releaseNonce() gives it back).
 * Returns `{address, nonce}` (address EIP-55) or throws SiwxError.
 */
export async function verifySiwx(value, { domain, uri, nonces, now = Date.now() }) {
  const payload = decodePayload(value);

  if (payload.type !== "eip191") {
    throw new SiwxError("SIWX_UNSUPPORTED_TYPE", `SIGN-IN-WITH-X type "${payload.type}" is not supported; use "eip191".`);
  }
  const chain = /^eip155:([1-9][0-9]*)$/.exec(payload.chainId);
  if (!chain) throw new SiwxError("SIWX_MALFORMED", `SIGN-IN-WITH-X chainId "${payload.chainId}" is not an eip155 chain id.`);
  if (payload.version !== "1") throw new SiwxError("SIWX_MALFORMED", 'SIGN-IN-WITH-X version must be "1".');
  if (!isAddress(payload.address, { strict: false })) {
    throw new SiwxError("SIWX_MALFORMED", "SIGN-IN-WITH-X address is not a 20-byte hex address.");
  }
  if (!/^[A-Za-z0-9]{8,}$/.test(payload.nonce)) {
    throw new SiwxError("SIWX_MALFORMED", "SIGN-IN-WITH-X nonce must be at least 8 alphanumeric characters.");
  }
  const issuedAt = parseTime(payload, "issuedAt");
  const expiresAt = parseTime(payload, "expirationTime") ?? issuedAt + DEFAULT_LIFETIME_MS;
  const notBefore = parseTime(payload, "notBefore");

  const address = getAddress(payload.address);
  let valid = false;
  try {
    valid = await verifyMessage({ address, message: siweMessage(payload, address, chain[1]), signature: payload.signature });
  } catch {
    valid = false;
  }
  if (!valid) throw new SiwxError("SIWX_SIGNATURE_INVALID", "SIGN-IN-WITH-X signature does not recover to the payload address.");

  if (payload.domain !== domain) {
    throw new SiwxError("SIWX_DOMAIN_MISMATCH", `SIGN-IN-WITH-X domain "${payload.domain}" does not match "${domain}".`);
  }
  if (payload.uri !== uri) {
    throw new SiwxError("SIWX_URI_MISMATCH", `SIGN-IN-WITH-X uri "${payload.uri}" does not match the request URL "${uri}".`);
  }
  if (expiresAt <= now) throw new SiwxError("SIWX_EXPIRED", "SIGN-IN-WITH-X message has expired.");
  if (issuedAt > now + CLOCK_SKEW_MS) throw new SiwxError("SIWX_ISSUED_IN_FUTURE", "SIGN-IN-WITH-X issuedAt is in the future.");
  if (notBefore !== undefined && notBefore > now + CLOCK_SKEW_MS) {
    throw new SiwxError("SIWX_NOT_YET_VALID", "SIGN-IN-WITH-X message is not valid yet (notBefore).");
  }

  for (const [nonce, expiry] of nonces) if (expiry + CLOCK_SKEW_MS < now) nonces.delete(nonce);
  if (nonces.has(payload.nonce)) throw new SiwxError("SIWX_NONCE_REPLAY", "SIGN-IN-WITH-X nonce has already been used.");
  nonces.set(payload.nonce, expiresAt);

  return { address, nonce: payload.nonce };
}

/** Un-reserves a nonce verifySiwx() reserved, so the same header may be sent once more. */
export function releaseNonce(nonces, nonce) {
  nonces.delete(nonce);
}
