// Runs every JS test file under one simulator: embedded Postgres starts once
// (about 5 s) and every file reaches it through RUN402_SIM_URL.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";

import { start } from "./gateway/server.mjs";
import { ADMIN_ADDRESS } from "./js/wallets.mjs";

const here = new URL(".", import.meta.url).pathname;
// Checks what the other files recorded (see RUN402_RECORD below), so it runs last.
const CHECKS_RECORDINGS = "typings-reality.test.mjs";
const files = [
  ...readdirSync(`${here}js`).filter((f) => f.endsWith(".test.mjs") && f !== CHECKS_RECORDINGS).map((f) => `${here}js/${f}`),
  `${here}gateway/simulator.test.mjs`,
  `${here}runtimes/matrix.test.mjs`,
  `${here}js/${CHECKS_RECORDINGS}`,
];

// Every value a simulator client's method resolves to, one JSON line each
// (tests/js/helpers.mjs appends them), fresh for each run.
const recordings = new URL("../.tmp/recorded-results.jsonl", import.meta.url).pathname;
mkdirSync(new URL("../.tmp/", import.meta.url), { recursive: true });
writeFileSync(recordings, "");

const sim = await start({ port: 0, adminWallets: [ADMIN_ADDRESS] });
const child = spawn(process.execPath, ["--test", "--test-concurrency=1", ...files], {
  stdio: "inherit",
  env: { ...process.env, RUN402_SIM_URL: sim.url, RUN402_RECORD: recordings },
});
const code = await new Promise((resolve) => child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await sim.close();
process.exit(code);
