// Low-level signing exported for callers who build their own x402 flows,
// and for cross-checks against independent implementations. Signing runs
// in wasm; errors become LocalError and never contain the key.
import { signTransferAuthorization as sign } from "./run402_sdk_wasm.js";
import { LocalError } from "./errors.js";

export function signTransferAuthorization(privateKey, domain, message) {
  try {
    return sign(String(privateKey), domain ?? {}, message ?? {});
  } catch (e) {
    throw new LocalError(`Cannot sign the transfer authorization: ${typeof e === "string" ? e : e?.message}`, "signing transfer authorization");
  }
}
