// The package as newcomers meet it: `npm pack` of pkg/, installed into a
// fresh app per tool, built with that tool's defaults (cases.mjs), and run:
// browser bundles in headless Chromium, server bundles and runtimes as
// processes, the Wrangler bundle in workerd. Each app makes one gateway call
// and one signature in wasm (app/src/check.js); the signature must equal
// viem's. Also checks the tarball with publint --strict and attw (ESM), and
// prints the gzip size of each entry's import graph.
//   node tests/bundlers/run.mjs [name filter]
// Uses RUN402_SIM_URL when set, else starts its own simulator.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { privateKeyToAccount } from "viem/accounts";
import { start } from "../gateway/server.mjs";
import { AUTHORIZATION_TYPES } from "../gateway/verify-payment.mjs";
import { bin, describeRun, killAll, launch, withTimeout } from "../runtimes/lib.mjs";
import { launchBrowser, runPage } from "./browser.mjs";
import { CASES } from "./cases.mjs";
import { DOMAIN, MESSAGE, TEST_KEY } from "./app/src/inputs.js";
import { checkPackage, entrySizes } from "./package-checks.mjs";
import { stage } from "./stage.mjs";
import { runWorkerBundle } from "./workerd.mjs";

const filter = process.argv[2];
const gz = (buf) => gzipSync(buf, { level: 9 }).length;

const expected = await privateKeyToAccount(TEST_KEY).signTypedData({
  domain: DOMAIN,
  types: AUTHORIZATION_TYPES,
  primaryType: "TransferWithAuthorization",
  message: { ...MESSAGE, value: BigInt(MESSAGE.value), validAfter: BigInt(MESSAGE.validAfter), validBefore: BigInt(MESSAGE.validBefore) },
});

/** Raw and gzip bytes of the .js/.mjs/.cjs/.wasm files a build emitted (each gzipped alone, as served). */
function emitted(dir) {
  let raw = 0;
  let gzip = 0;
  for (const f of readdirSync(dir, { recursive: true }).map(String)) {
    if (!/\.(m?js|cjs|wasm)$/.test(f) || !statSync(join(dir, f)).isFile()) continue;
    const buf = readFileSync(join(dir, f));
    raw += buf.length;
    gzip += gz(buf);
  }
  return { raw, gzip };
}

async function runCli({ cli: [cmd, ...args], cwd, env }, apiBase, name) {
  const proc = launch(cmd, [...args, apiBase], { cwd, env, timeoutMs: 30_000 });
  const done = await proc.done;
  const line = done.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (done.code !== 0 || !line) throw new Error(describeRun(name, done));
  if (done.stderr.trim()) throw new Error(`the check passed but ${name} wrote to stderr:\n${done.stderr.trim()}`);
  return JSON.parse(line.slice("RESULT ".length));
}

const t0 = performance.now();
const ownSim = process.env.RUN402_SIM_URL ? null : await start({ port: 0 });
const apiBase = process.env.RUN402_SIM_URL ?? ownSim.url;
const staged = stage();
let browser;
const rows = [];
let failed = 0;
try {
  const pkgReport = await checkPackage(staged);
  for (const line of pkgReport.lines) console.log(line);
  if (pkgReport.problems.length) {
    failed++;
    console.error(`package checks failed:\n  ${pkgReport.problems.join("\n  ")}`);
  }
  for (const c of CASES.filter((c) => !filter || c.name.includes(filter))) {
    const started = performance.now();
    let built;
    let error;
    let result;
    try {
      built = await c.build(staged.app(c.app), apiBase, async () => (browser ??= await launchBrowser()));
      if (built.page) result = await runPage((browser ??= await launchBrowser()), built.page, apiBase);
      else if (built.cli) result = await runCli(built, apiBase, c.name);
      else if (built.workerd) result = await withTimeout(runWorkerBundle(built, apiBase), 40_000, "the workerd run");
      else result = await withTimeout(built.run(), 20_000, "the check");
      // A control case checks its own refusal; every other one must have run the app.
      if (!c.control) {
        if (result?.health !== "ok") throw new Error(`service.health() answered ${JSON.stringify(result?.health)}`);
        if (result.signature !== expected) throw new Error(`the signature made in wasm differs from viem's: ${result.signature} vs ${expected}`);
      }
    } catch (err) {
      error = err;
    } finally {
      await built?.close?.().catch(() => {});
    }
    const size = built?.out ? emitted(built.out) : null;
    rows.push({ name: c.name, settings: c.settings ?? "none", ok: !error, ms: Math.round(performance.now() - started), size, warnings: built?.warnings ?? [] });
    if (error) {
      failed++;
      console.error(`\n✗ ${c.name}\n${error.stack ?? error}\n`);
    } else {
      console.log(`✓ ${c.name} (${rows.at(-1).ms} ms)`);
    }
  }
  console.log("\n" + entrySizes(staged.pkgDir).join("\n"));
} finally {
  await browser?.close().catch(() => {});
  killAll();
  await ownSim?.close();
  if (!failed) staged.remove();
  else console.error(`fixtures kept in ${staged.dir}`);
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
console.log("\n| tool | settings needed | result | time | emitted JS+wasm (raw / gzip -9) | tool warnings |\n| --- | --- | --- | --- | --- | --- |");
for (const r of rows) {
  const size = r.size ? `${kb(r.size.raw)} / ${kb(r.size.gzip)}` : "—";
  console.log(`| ${r.name} | ${r.settings} | ${r.ok ? "ok" : "FAILED"} | ${(r.ms / 1000).toFixed(1)} s | ${size} | ${r.warnings.join("; ") || "none"} |`);
}
console.log(`\n${rows.length - rows.filter((r) => !r.ok).length}/${rows.length} cases passed in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
process.exit(failed ? 1 : 0);
