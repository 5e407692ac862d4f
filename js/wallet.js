// Low-level signing exported for callers who build their own x402 flows,
// and for cross-checks against independent implementations. Signing runs
// in wasm; errors become LocalError and never contain the key.
import { signTransferAuthorization as sign } from "./run402_sdk_wasm.js";
import { LocalError } from "./errors.js";

const SIGNING = "signing transfer authorization";
const DOMAIN_FIELDS = ["name", "version", "chainId", "verifyingContract"];
const MESSAGE_FIELDS = ["from", "to", "value", "validAfter", "validBefore", "nonce"];

function plainObject(v) {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

// A fresh object holding only the known fields, each a string or a number
// (bigints as decimal text, as viem passes uint256 values), so no caller
// object, getter or Proxy ever reaches wasm. A missing field stays missing
// and the signer names it.
function fields(what, value, names) {
  try {
    if (!plainObject(value)) throw new LocalError(`${what} must be a plain object`, SIGNING);
    const out = {};
    for (const name of names) {
      const v = value[name];
      if (v === undefined) continue;
      if (typeof v === "bigint") out[name] = v.toString();
      else if (typeof v === "string" || typeof v === "number") out[name] = v;
      else throw new LocalError(`${what}.${name} must be a string or a number`, SIGNING);
    }
    return out;
  } catch (e) {
    if (e instanceof LocalError) throw e;
    throw new LocalError(`Cannot read ${what}`, SIGNING, e);
  }
}

export function signTransferAuthorization(privateKey, domain, message) {
  // The wasm export takes a Rust &str: a non-string would be misread by the
  // string conversion inside wasm, so it never gets there.
  if (typeof privateKey !== "string") throw new LocalError("privateKey must be a string (0x + 64 hex digits)", SIGNING);
  const d = fields("domain", domain, DOMAIN_FIELDS);
  const m = fields("message", message, MESSAGE_FIELDS);
  try {
    return sign(privateKey, d, m);
  } catch (e) {
    throw new LocalError(`Cannot sign the transfer authorization: ${typeof e === "string" ? e : "signing failed"}`, SIGNING);
  }
}
