// Run by node, deno and bun from the staged project dir, so the bare import
// below goes through node_modules/@run402/sdk-wasm/package.json `exports`
// with the runtime's own conditions. Usage: <runtime> cli-entry.mjs <apiBase>
import * as sdk from "@run402/sdk-wasm";
import { smoke } from "./smoke.mjs";

// All three runtimes provide a Node-style `process` global.
const apiBase = process.argv[2];
try {
  const summary = await smoke(sdk, apiBase);
  // Which file the exports map picked, so the harness can check the condition.
  const entry = import.meta.resolve("@run402/sdk-wasm");
  console.log(`RESULT ${JSON.stringify({ ...summary, entry })}`);
} catch (err) {
  console.error(err?.stack ?? err);
  process.exitCode = 1;
}
