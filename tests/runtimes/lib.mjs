// Shared plumbing for the runtime harnesses: stage the built package where a
// user's project would have it, spawn runtimes with a deadline, make sure
// nothing we started outlives the test file, and run the paid phase (a funded
// wallet, payments switched on only around it and always off again).

import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const HERE = fileURLToPath(new URL("./", import.meta.url));
export const PKG = join(ROOT, "pkg");
export const bin = (name) => join(ROOT, "node_modules", ".bin", name);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** True when every file package.json ships is present (not mid `./dev build`). */
function pkgComplete() {
  try {
    const { files } = JSON.parse(readFileSync(join(PKG, "package.json"), "utf8"));
    return files.every((f) => existsSync(join(PKG, f)));
  } catch {
    return false;
  }
}

/**
 * Copies pkg/ into a fresh project dir under .tmp/ as
 * node_modules/@run402/sdk-wasm, next to the harness entry files and
 * smoke.mjs. Every runtime then resolves the bare specifier through the
 * package's `exports` map with its own conditions, as an installed package
 * would. A copy (not a symlink) pins one build for the whole run even if the
 * lead rebuilds pkg/ meanwhile; `./dev build` deletes pkg/ first, so wait
 * out a rebuild in progress.
 */
export async function stagePackage() {
  for (let waited = 0; !pkgComplete(); waited += 500) {
    if (waited > 45_000) throw new Error(`pkg/ is missing or incomplete at ${PKG}; run ./dev build`);
    await sleep(500);
  }
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, ".tmp", "runtimes-"));
  const pkgDir = join(dir, "node_modules", "@run402", "sdk-wasm");
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    copyBuild(pkgDir);
  } catch {
    // A rebuild started mid-copy: wait for it to finish, then copy once more.
    await sleep(1000);
    for (let waited = 0; !pkgComplete(); waited += 500) {
      if (waited > 45_000) throw new Error(`pkg/ vanished during a rebuild at ${PKG}`);
      await sleep(500);
    }
    rmSync(pkgDir, { recursive: true, force: true });
    copyBuild(pkgDir);
  }
  for (const f of ["smoke.mjs", "cli-entry.mjs", "worker-entry.mjs"]) cpSync(join(HERE, f), join(dir, f));
  // The nearest package.json marks the project root for Deno and Bun (and
  // stops them from walking up into the dev workspace's package.json).
  cpSync(join(HERE, "project.package.json"), join(dir, "package.json"));
  return { dir, pkgDir, remove };
}

/** Size and mtime of every file in pkg/: changes if a rebuild touches it. */
function fingerprint() {
  return readdirSync(PKG)
    .map((f) => `${f}:${statSync(join(PKG, f)).size}:${statSync(join(PKG, f)).mtimeMs}`)
    .join("|");
}

/** Copies pkg/ and throws unless it held still and complete meanwhile. */
function copyBuild(pkgDir) {
  const before = fingerprint();
  cpSync(PKG, pkgDir, { recursive: true });
  if (!pkgComplete() || fingerprint() !== before) throw new Error("pkg/ changed while it was copied");
}

// Every child still running, so the test file can kill them all on the way out.
const live = new Set();

/** Kills a child's whole process group (runtimes spawn helpers of their own). */
export function kill(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

export function killAll() {
  for (const child of live) kill(child);
  live.clear();
}
process.once("exit", killAll);

/**
 * Spawns a command in its own process group and collects its output. The
 * returned `done` settles with {code, signal, stdout, stderr}; after
 * `timeoutMs` the group is killed and `timedOut` is set.
 */
export function launch(cmd, args, { cwd, env, timeoutMs = 15_000, extraFds = 0, stdin = false } = {}) {
  const stdio = [stdin ? "pipe" : "ignore", "pipe", "pipe", ...Array(extraFds).fill("pipe")];
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio, detached: true });
  live.add(child);
  // Writing to a child that already exited must fail the test, not crash the harness.
  child.stdin?.on("error", () => {});
  const out = { stdout: "", stderr: "", timedOut: false };
  child.stdout.on("data", (d) => (out.stdout += d));
  child.stderr.on("data", (d) => (out.stderr += d));
  const timer = setTimeout(() => {
    out.timedOut = true;
    kill(child);
  }, timeoutMs);
  const done = new Promise((resolve) => {
    child.on("error", (err) => {
      out.stderr += `\n[spawn error] ${err.message}`;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ ...out, code, signal });
    });
  });
  return { child, out, done };
}

/** Formats a child's output for a failure message. */
export function describeRun(label, run) {
  const status = run.timedOut ? "timed out" : `exited with ${run.signal ?? run.code}`;
  return `${label} ${status}\n--- stdout ---\n${run.stdout.trim()}\n--- stderr ---\n${run.stderr.trim()}`;
}

/**
 * Resolves with the first stdout line of `proc` that starts with `prefix`
 * (lines already printed count); rejects if the process exits first.
 */
export function waitForLine(proc, prefix, label) {
  const find = () => proc.out.stdout.split("\n").slice(0, -1).find((l) => l.startsWith(prefix));
  return new Promise((resolve, reject) => {
    const onData = () => {
      const line = find();
      if (line !== undefined) {
        proc.child.stdout.off("data", onData);
        resolve(line);
      }
    };
    proc.child.stdout.on("data", onData); // after launch()'s own listener, so out.stdout is current
    onData();
    proc.done.then(() => {
      proc.child.stdout.off("data", onData);
      const line = find();
      if (line !== undefined) resolve(line);
      else reject(new Error(`${label} exited before printing "${prefix.trim()}"`));
    });
  });
}

/**
 * The CLI runtimes (node, deno, bun) run cli-entry.mjs in one process: the
 * unpaid smoke, then `READY-FOR-PAYMENT`; the harness funds a wallet, switches
 * payments on and writes the wallet to the child's stdin as one JSON line; the
 * child runs the paid smoke, prints `PAID {...}` (payments go off again right
 * then) and one `RESULT {...}` line, and exits 0. Any failure exits non-zero
 * with the error on stderr.
 */
export async function runCli(label, cmd, args, { apiBase, ...opts }) {
  const proc = launch(cmd, args, { ...opts, stdin: true });
  let paid;
  try {
    await waitForLine(proc, "READY-FOR-PAYMENT", label);
    paid = await paidPhase(apiBase, label, async (wallet) => {
      proc.child.stdin.end(`${JSON.stringify(wallet)}\n`);
      const line = await waitForLine(proc, "PAID ", label);
      return JSON.parse(line.slice("PAID ".length));
    });
  } catch (err) {
    kill(proc.child);
    throw new Error(`${err.message}\n${describeRun(label, await proc.done)}`, { cause: err });
  }
  const run = await proc.done;
  const line = run.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (run.code !== 0 || !line) throw new Error(describeRun(label, run));
  // A passing smoke must be silent: a warning here (say, the wasm-bindgen
  // glue falling back from instantiateStreaming) is something users would see.
  if (run.stderr.trim()) throw new Error(`the smoke passed but ${describeRun(label, run)}`);
  return { ...JSON.parse(line.slice("RESULT ".length)), paid };
}

// ---------- the paid phase ----------------------------------------------------

export const FUND = 1_000_000; // 1 USDC, in base units, credited to each fresh wallet
export const PRICE = 100_000; // a prototype provision, $0.10
const NETWORK = "eip155:84532"; // what /__sim/fund credits and the simulator offers by default

/** One /__sim/ control call: GET without a body, POST with one. */
export async function simControl(apiBase, path, body) {
  const init = body === undefined
    ? { signal: AbortSignal.timeout(5_000) }
    : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(5_000) };
  const res = await fetch(`${apiBase}/__sim/${path}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`simulator /__sim/${path} answered HTTP ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Switches the simulator's payments on or off and checks it took. */
export async function setPayments(apiBase, on) {
  const config = await simControl(apiBase, "config", { payments: on });
  if (config.payments !== on) throw new Error(`simulator payments stayed ${config.payments} after asking for ${on}`);
}

/**
 * Makes a fresh random wallet, funds it with 1 USDC, switches payments on,
 * runs `pay(wallet)` (which hands `{address, privateKey}` to the runtime and
 * resolves with paidSmoke's summary once the runtime is done paying), and
 * switches payments off again whatever happened — other test files share the
 * simulator and expect them off. Then checks on the simulator's ledger that
 * the wallet was charged exactly one prototype provision.
 */
export async function paidPhase(apiBase, label, pay) {
  const privateKey = generatePrivateKey();
  const wallet = { address: privateKeyToAccount(privateKey).address, privateKey };
  await simControl(apiBase, "fund", { address: wallet.address, amount: FUND });

  let result;
  let failure;
  const t0 = performance.now();
  try {
    await setPayments(apiBase, true);
    result = await pay(wallet);
  } catch (err) {
    failure = err;
  }
  try {
    await setPayments(apiBase, false);
  } catch (err) {
    const also = failure ? `; the paid phase had already failed: ${failure.message}` : "";
    throw new Error(`${label}: could not switch simulator payments off again (${err.message})${also}`, { cause: failure ?? err });
  }
  const windowMs = Math.round(performance.now() - t0);
  if (failure) throw failure;

  const ledger = await simControl(apiBase, `ledger?address=${wallet.address}`);
  const payments = ledger.transactions.filter((t) => t.kind === "payment" && t.from === wallet.address.toLowerCase());
  const want = { [NETWORK]: FUND - PRICE, payments: [{ value: PRICE, hash: result?.transaction }] };
  const got = { [NETWORK]: ledger.balances[NETWORK], payments: payments.map((t) => ({ value: t.value, hash: t.hash })) };
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${label}: the ledger does not show exactly one ${PRICE} charge for the receipt's transaction: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
  const elsewhere = Object.entries(ledger.balances).filter(([n, b]) => n !== NETWORK && b !== 0);
  if (elsewhere.length) throw new Error(`${label}: unexpected balances on other networks: ${JSON.stringify(elsewhere)}`);
  return { ...result, windowMs };
}

/** Rejects with `what` timed out unless `promise` settles within `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Asserts the package entry a runtime picked from the `exports` map. */
export function expectEntry(label, resolved, file) {
  if (!String(resolved).endsWith(`/node_modules/@run402/sdk-wasm/${file}`)) {
    throw new Error(`${label} resolved @run402/sdk-wasm to ${resolved}, expected ${file}`);
  }
}

/**
 * A workerd config that serves `modules` (file names in the working
 * directory; the first is the main module, `.wasm` files are wasm modules,
 * compiled at load as Cloudflare does) on 127.0.0.1 at a port workerd
 * picks (see workerdPort), with outbound requests allowed to loopback only.
 */
export function workerdConfig(modules) {
  const list = modules
    .map((m) => (m.endsWith(".wasm") ? `(name = "${m}", wasm = embed "${m}")` : `(name = "${m}", esModule = embed "${m}")`))
    .join(",\n    ");
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .fixture),
    # The default outbound only reaches public addresses; the gateway is on loopback.
    (name = "loopback", network = (allow = ["local"])),
  ],
  # Port 0: the real port comes back on the control fd.
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);

const fixture :Workerd.Worker = (
  modules = [
    ${list}
  ],
  compatibilityDate = "2025-06-01",
  globalOutbound = "loopback",
);
`;
}

/** The port of a `workerd serve --control-fd=3` process (launched with extraFds: 1), from its control messages. */
export function workerdPort(proc) {
  return new Promise((resolve, reject) => {
    let buf = "";
    proc.child.stdio[3].on("data", (d) => {
      buf += d;
      for (const line of buf.split("\n").slice(0, -1)) {
        let msg;
        try {
          msg = JSON.parse(line);
        } catch {
          continue; // not a control message we know
        }
        if (msg.event === "listen" && msg.socket === "http") resolve(msg.port);
      }
      buf = buf.slice(buf.lastIndexOf("\n") + 1);
    });
    proc.done.then((run) => reject(new Error(describeRun("workerd", run))));
  });
}
