// Deno 2: the staged dir has a package.json and node_modules, so Deno
// resolves the bare specifier from node_modules ("bring your own
// node_modules", never installing) with the "deno" condition → entry-web.js.
// That entry carries the wasm inlined, so importing the package needs no
// permission at all: only --allow-net, for the simulator.
import { join } from "node:path";
import { bin, expectEntry, runCli } from "./lib.mjs";

export async function runDeno(stage, apiBase) {
  const args = ["run", "--no-prompt", "--node-modules-dir=manual", "--allow-net=127.0.0.1", "cli-entry.mjs", apiBase];
  const env = { DENO_DIR: join(stage.dir, ".deno"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  const result = await runCli("deno", bin("deno"), args, { cwd: stage.dir, env, apiBase });
  expectEntry("deno", result.entry, "entry-web.js");
  return result;
}
