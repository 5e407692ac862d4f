// Shared plumbing for the runtime harnesses: stage the built package where a
// user's project would have it, spawn runtimes with a deadline, and make sure
// nothing we started outlives the test file.

import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

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
export function launch(cmd, args, { cwd, env, timeoutMs = 15_000, extraFds = 0 } = {}) {
  const stdio = ["ignore", "pipe", "pipe", ...Array(extraFds).fill("pipe")];
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio, detached: true });
  live.add(child);
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
 * The CLI runtimes (node, deno, bun) run cli-entry.mjs, which prints one
 * `RESULT {...}` line on success and exits non-zero with the error otherwise.
 */
export async function runCli(label, cmd, args, opts) {
  const run = await launch(cmd, args, opts).done;
  const line = run.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (run.code !== 0 || !line) throw new Error(describeRun(label, run));
  // A passing smoke must be silent: a warning here (say, the wasm-bindgen
  // glue falling back from instantiateStreaming) is something users would see.
  if (run.stderr.trim()) throw new Error(`the smoke passed but ${describeRun(label, run)}`);
  return JSON.parse(line.slice("RESULT ".length));
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
