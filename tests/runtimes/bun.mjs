// Bun: resolves with the "bun" condition → entry-web.js (the wasm inlined
// as text, so `bun build` bundles work too). --no-install keeps Bun from
// auto-installing anything.
import { bin, expectEntry, runCli } from "./lib.mjs";

export async function runBun(stage, apiBase) {
  // No transpiler cache: nothing written outside the staged dir.
  const env = { NO_COLOR: "1", BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" };
  const result = await runCli("bun", bin("bun"), ["--no-install", "cli-entry.mjs", apiBase], { cwd: stage.dir, env, apiBase });
  expectEntry("bun", result.entry, "entry-web.js");
  return result;
}
