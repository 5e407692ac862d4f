// What every fixture app does, whichever tool built it: construct a client
// right after the import (no await, no init call), make one call to the
// gateway, and sign one EIP-3009 authorization in wasm. The harness compares
// the signature with viem's for the same inputs, so a wasm that loaded but
// computes garbage fails too. Named imports, as an app writes them, so the
// bundler's tree shaking (package.json "sideEffects") is exercised.
import { Run402, isRun402Error, signTransferAuthorization } from "@run402/sdk-wasm";
import { DOMAIN, MESSAGE, TEST_KEY } from "./inputs.js";

export async function check(apiBase) {
  const started = Date.now();
  const r = new Run402({ apiBase, credentials: { getAuth: () => null, getProject: () => null } });
  let health;
  try {
    health = await r.service.health();
  } catch (e) {
    throw new Error(isRun402Error(e) ? `service.health() failed: ${e.kind}: ${e.message}` : `service.health() threw ${e}`);
  }
  const signature = signTransferAuthorization(TEST_KEY, DOMAIN, MESSAGE);
  return { health: health?.status, signature, ms: Date.now() - started };
}
