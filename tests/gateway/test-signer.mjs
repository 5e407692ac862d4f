// Builds SIGN-IN-WITH-X headers with viem so tests can act as a wallet. The
// message comes from viem's own EIP-4361 formatter, independent of the
// simulator's verifier in siwx.mjs.

import { randomBytes } from "node:crypto";
import { privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";

const CHAIN_ID = 84532;

/**
 * Returns `{ "SIGN-IN-WITH-X": value }` for a request to `apiBase + path`
 * (path includes any query). `overrides` may replace domain, uri, nonce,
 * statement, issuedAt or expirationTime (Date or ISO string) to build bad headers.
 */
export async function siwxHeaders(privateKeyHex, apiBase, path, overrides = {}) {
  const account = privateKeyToAccount(privateKeyHex);
  const issuedAt = new Date(overrides.issuedAt ?? Date.now());
  const expirationTime = new Date(overrides.expirationTime ?? issuedAt.getTime() + 5 * 60_000);
  const fields = {
    domain: overrides.domain ?? new URL(apiBase).hostname,
    address: account.address,
    statement: overrides.statement ?? "Sign in to Run402",
    uri: overrides.uri ?? apiBase + path,
    version: "1",
    chainId: `eip155:${CHAIN_ID}`,
    type: "eip191",
    nonce: overrides.nonce ?? randomBytes(16).toString("hex"),
    issuedAt: issuedAt.toISOString(),
    expirationTime: expirationTime.toISOString(),
  };
  const message = createSiweMessage({
    domain: fields.domain,
    address: fields.address,
    statement: fields.statement,
    uri: fields.uri,
    version: "1",
    chainId: CHAIN_ID,
    nonce: fields.nonce,
    issuedAt,
    expirationTime,
  });
  const signature = await account.signMessage({ message });
  const value = Buffer.from(JSON.stringify({ ...fields, signature })).toString("base64");
  return { "SIGN-IN-WITH-X": value };
}
