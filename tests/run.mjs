// Runs every JS test file under one simulator: embedded Postgres starts once
// (about 5 s) and every file reaches it through RUN402_SIM_URL.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";

import { start } from "./gateway/server.mjs";
import { ADMIN_ADDRESS } from "./js/wallets.mjs";

const here = new URL(".", import.meta.url).pathname;
// Checks what the other files recorded (see RUN402_RECORD below), so it runs
// after them, in a run of its own: node --test orders files by path, not as given.
const checksRecordings = `${here}js/typings-reality.test.mjs`;
const files = [
  ...readdirSync(`${here}js`).filter((f) => f.endsWith(".test.mjs")).map((f) => `${here}js/${f}`).filter((f) => f !== checksRecordings),
  `${here}gateway/simulator.test.mjs`,
  `${here}runtimes/matrix.test.mjs`,
];

// Every value a simulator client's method resolves to, one JSON line each
// (tests/js/helpers.mjs appends them), fresh for each run.
const recordings = new URL("../.tmp/recorded-results.jsonl", import.meta.url).pathname;
mkdirSync(new URL("../.tmp/", import.meta.url), { recursive: true });
writeFileSync(recordings, "");

const sim = await start({ port: 0, adminWallets: [ADMIN_ADDRESS] });
const env = { ...process.env, RUN402_SIM_URL: sim.url, RUN402_RECORD: recordings };
const runTests = (list) => new Promise((resolve) => {
  const child = spawn(process.execPath, ["--test", "--test-concurrency=1", ...list], { stdio: "inherit", env });
  child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});
const code = await runTests(files);
const checked = await runTests([checksRecordings]);
await sim.close();
process.exit(code || checked);
