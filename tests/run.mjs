// Runs every JS test file under one simulator: embedded Postgres starts once
// (about 5 s) and every file reaches it through RUN402_SIM_URL.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";

import { start } from "./gateway/server.mjs";
import { ADMIN_ADDRESS } from "./js/wallets.mjs";

const here = new URL(".", import.meta.url).pathname;
const files = [
  ...readdirSync(`${here}js`).filter((f) => f.endsWith(".test.mjs")).map((f) => `${here}js/${f}`),
  `${here}gateway/simulator.test.mjs`,
  `${here}runtimes/matrix.test.mjs`,
];

const sim = await start({ port: 0, adminWallets: [ADMIN_ADDRESS] });
const child = spawn(process.execPath, ["--test", "--test-concurrency=1", ...files], {
  stdio: "inherit",
  env: { ...process.env, RUN402_SIM_URL: sim.url },
});
const code = await new Promise((resolve) => child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await sim.close();
process.exit(code);
