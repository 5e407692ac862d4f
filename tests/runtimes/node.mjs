// Node 20: `node cli-entry.mjs` in the staged project; Node's resolver uses
// the "node" + "import" conditions, so the package loads entry-node.js
// (readFileSync + initSync).
import { expectEntry, runCli } from "./lib.mjs";

export async function runNode(stage, apiBase) {
  const result = await runCli("node", process.execPath, ["cli-entry.mjs", apiBase], { cwd: stage.dir, apiBase });
  expectEntry("node", result.entry, "entry-node.js");
  return result;
}
