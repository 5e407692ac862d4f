// One smoke test per JavaScript runtime the package claims to support, each
// loading @run402/sdk-wasm the way a user of that runtime would (see the
// harness modules). Run: node --test tests/runtimes/matrix.test.mjs
// Uses the simulator at RUN402_SIM_URL if set, else starts one for this file.
// Needs pkg/ (./dev build) and, for the chromium test, /usr/bin/chromium.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { runBun } from "./bun.mjs";
import { runChromium } from "./chromium.mjs";
import { runDeno } from "./deno.mjs";
import { killAll, stagePackage } from "./lib.mjs";
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
});

after(async () => {
  killAll();
  await sim?.close();
  stage?.remove();
});

const projects = new Set();

for (const [name, run] of Object.entries(RUNTIMES)) {
  test(name, { timeout: 45_000 }, async (t) => {
    const started = Date.now();
    const result = await run(stage, apiBase);
    // Each runtime provisions its own project on the shared simulator.
    assert.ok(!projects.has(result.projectId), `${name} reused project ${result.projectId}`);
    projects.add(result.projectId);
    t.diagnostic(`${name}: ${result.entry}, smoke ${result.ms} ms, total ${Date.now() - started} ms`);
  });
}
