// Run by node, deno and bun from the staged project dir, so the bare import
// below goes through node_modules/@run402/sdk-wasm/package.json `exports`
// with the runtime's own conditions. Usage: <runtime> cli-entry.mjs <apiBase>
// The protocol with the harness (lib.mjs runCli): unpaid smoke, print
// READY-FOR-PAYMENT, read the funded wallet as one JSON line on stdin (the
// harness switches payments on first), paid smoke, print PAID {...}, then
// RESULT {...}. A test key on a local simulator, so stdin is plenty private.
import * as sdk from "@run402/sdk-wasm";
import { paidSmoke, smoke } from "./smoke.mjs";

/** The first line on stdin (all three runtimes provide Node's process.stdin). */
function readLine() {
  return new Promise((resolve, reject) => {
    let buf = "";
    process.stdin.setEncoding("utf8");
    const onData = (chunk) => {
      buf += chunk;
      const end = buf.indexOf("\n");
      if (end < 0) return;
      process.stdin.off("data", onData);
      process.stdin.pause();
      resolve(buf.slice(0, end));
    };
    process.stdin.on("data", onData);
    process.stdin.once("end", () => reject(new Error("stdin ended before the harness sent the wallet")));
  });
}

// All three runtimes provide a Node-style `process` global.
const apiBase = process.argv[2];
try {
  const summary = await smoke(sdk, apiBase);
  console.log("READY-FOR-PAYMENT");
  const wallet = JSON.parse(await readLine());
  const paid = await paidSmoke(sdk, apiBase, wallet);
  console.log(`PAID ${JSON.stringify(paid)}`);
  // Which file the exports map picked, so the harness can check the condition.
  const entry = import.meta.resolve("@run402/sdk-wasm");
  console.log(`RESULT ${JSON.stringify({ ...summary, entry })}`);
} catch (err) {
  console.error(err?.stack ?? err);
  process.exitCode = 1;
}
