// One smoke test per JavaScript runtime the package claims to support, each
// loading @run402/sdk-wasm the way a user of that runtime would (see the
// harness modules). Run: node --test tests/runtimes/matrix.test.mjs
// Uses the simulator at RUN402_SIM_URL if set, else starts one for this file.
// Needs pkg/ (./dev build) and, for the chromium test, /usr/bin/chromium.
//
// Each runtime runs the unpaid smoke with payments off, then a paid provision
// with a fresh funded wallet (allowanceCredentials, x402 signed in wasm). The
// simulator may be shared with other test files, which expect payments off:
// lib.mjs paidPhase switches them on only around the paid part and off again
// in every outcome, and after() checks once more. Runtimes run one at a time.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { runBun } from "./bun.mjs";
import { runChromium } from "./chromium.mjs";
import { runDeno } from "./deno.mjs";
import { killAll, setPayments, simControl, stagePackage } from "./lib.mjs";
import { runNode } from "./node.mjs";
import { runWorkerd } from "./workerd.mjs";

const RUNTIMES = { node: runNode, deno: runDeno, bun: runBun, workerd: runWorkerd, chromium: runChromium };

let sim;
let apiBase;
let stage;

before(async () => {
  stage = await stagePackage();
  apiBase = process.env.RUN402_SIM_URL;
  if (!apiBase) {
    // Imported lazily: with RUN402_SIM_URL set, no embedded Postgres starts here.
    const { start } = await import("../gateway/server.mjs");
    sim = await start({ port: 0, payments: false });
    apiBase = sim.url;
  }
  const { payments } = await simControl(apiBase, "config");
  assert.equal(payments, false, `the simulator at ${apiBase} has payments on before this file ran (left on by an earlier test?)`);
});

after(async () => {
  killAll();
  try {
    // Belt and braces: whatever happened above, leave payments off.
    if (apiBase) await setPayments(apiBase, false);
  } finally {
    await sim?.close();
    stage?.remove();
  }
});

const projects = new Set();

for (const [name, run] of Object.entries(RUNTIMES)) {
  test(name, { timeout: 45_000 }, async (t) => {
    const started = Date.now();
    const result = await run(stage, apiBase);
    // Each runtime provisions its own projects (one free, one paid) on the shared simulator.
    for (const id of [result.projectId, result.paid?.projectId]) {
      assert.ok(id && !projects.has(id), `${name} reused project ${id}`);
      projects.add(id);
    }
    const { paid } = result;
    t.diagnostic(
      `${name}: ${result.entry}, smoke ${result.ms} ms, paid smoke ${paid.ms} ms (provision ${paid.provisionMs} ms), ` +
        `payments on for ${paid.windowMs} ms, total ${Date.now() - started} ms`,
    );
  });
}
