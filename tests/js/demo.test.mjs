// The README's demo command must keep working: run it as a user would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

test("examples/demo.mjs pays, provisions and queries end to end", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(process.execPath, ["examples/demo.mjs"], { cwd: root, timeout: 60_000 });
  assert.match(stdout, /health: ok/);
  assert.match(stdout, /funded with \$0\.25/);
  assert.match(stdout, /provisioned prj_\S+, paid \$0\.10/);
  assert.match(stdout, /write the SDK/);
  assert.match(stdout, /open todos: 1/);
  assert.match(stdout, /signed in with the wallet\): 0x[0-9a-f]{40}/);
});
