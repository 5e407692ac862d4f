// Where deployed functions live and how they run. Each deploy writes the
// module to its own directory, with node_modules links for its `deps`; each
// invocation runs it in a fresh worker thread (functions-worker.mjs) with
// the project's secrets as process.env, the function's memory as the heap
// limit (resourceLimits) and its timeout as a deadline, and captures console
// output as log lines carrying the invocation's request id.
//
// Offline, `deps` resolve to what is on this machine: `@run402/sdk-wasm` is
// this repository's pkg/ (the SDK inside deployed functions), anything else
// a package installed in this repository's node_modules.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const WORKER = fileURLToPath(new URL("./functions-worker.mjs", import.meta.url));
const SDK_PACKAGE = "@run402/sdk-wasm";

/** Lines kept per function (older ones are dropped first). */
export const MAX_LOG_LINES = 10_000;

let root;
/** The process's function directory, made on first use and removed at exit. */
function functionsRoot() {
  if (!root) {
    root = mkdtempSync(join(tmpdir(), "run402-sim-functions-"));
    process.once("exit", () => rmSync(root, { recursive: true, force: true }));
  }
  return root;
}

/** `name@range` → `name`, `@scope/name@range` → `@scope/name`. */
export function packageName(spec) {
  const from = spec.startsWith("@") ? spec.indexOf("/") : 0;
  const at = from === -1 ? -1 : spec.indexOf("@", from);
  return at === -1 ? spec : spec.slice(0, at);
}

/** Where a dependency comes from, or null when this machine does not have it. */
function locate(name) {
  const dir = name === SDK_PACKAGE ? join(REPO, "pkg") : join(REPO, "node_modules", name);
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) return null;
  return { dir, version: JSON.parse(readFileSync(manifest, "utf8")).version ?? "0.0.0" };
}

/** `{name → version}` for the specs, or `{missing}` naming the first one not available. */
export function resolveDeps(specs) {
  const resolved = {};
  for (const spec of specs) {
    const name = packageName(spec);
    const found = locate(name);
    if (!found) return { missing: spec };
    resolved[name] = found.version;
  }
  return { resolved };
}

/** Writes a deployed module and its dependency links; returns the module's path. */
export function install(projectId, name, code, deps) {
  const dir = join(functionsRoot(), projectId, `${name}-${randomBytes(4).toString("hex")}`);
  mkdirSync(dir, { recursive: true });
  for (const dep of Object.keys(deps)) {
    const link = join(dir, "node_modules", dep);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(locate(dep).dir, link, "dir");
  }
  const file = join(dir, "index.mjs");
  writeFileSync(file, code);
  return file;
}

export function uninstall(file) {
  if (file) rmSync(dirname(file), { recursive: true, force: true });
}

export const newRequestId = () => `req_${randomBytes(12).toString("base64url")}`;

/** Appends a log line to a function's record. */
export function log(fn, requestId, message, level = "info") {
  const at = new Date();
  fn.logSeq = (fn.logSeq ?? 0) + 1;
  fn.logs.push({
    timestamp: at.toISOString(),
    message,
    event_id: String(fn.logSeq).padStart(12, "0"),
    log_stream_name: `${at.toISOString().slice(0, 10).replaceAll("-", "/")}/[$LATEST]${fn.instance}`,
    ingestion_time: at.toISOString(),
    request_id: requestId,
    level,
  });
  if (fn.logs.length > MAX_LOG_LINES) fn.logs.splice(0, fn.logs.length - MAX_LOG_LINES);
}

/**
 * Runs one invocation. `request` is `{method, url, headers, body}` (body a
 * Buffer or null). Resolves to `{status, headers, body, outcome, error?}`
 * where outcome is "ok", "error", "timeout" or "out_of_memory"; never rejects.
 */
export function invoke(fn, request, env, requestId) {
  const started = Date.now();
  log(fn, requestId, `START RequestId: ${requestId}`);
  return new Promise((resolve) => {
    let settled = false;
    const worker = new Worker(WORKER, {
      workerData: { file: fn.file, request },
      env,
      resourceLimits: { maxOldGenerationSizeMb: fn.memory, maxYoungGenerationSizeMb: Math.max(4, Math.floor(fn.memory / 16)) },
      stdout: true,
      stderr: true,
    });
    // Output written past console (process.stdout.write) is logged too.
    for (const stream of [worker.stdout, worker.stderr]) {
      stream.setEncoding("utf8");
      stream.on("data", (text) => { for (const line of text.split("\n").filter(Boolean)) log(fn, requestId, line); });
    }
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (result.error) log(fn, requestId, result.error, "error");
      const duration = Date.now() - started;
      log(fn, requestId, `END RequestId: ${requestId}`);
      log(fn, requestId, `REPORT RequestId: ${requestId}\tDuration: ${duration} ms\tMemory Size: ${fn.memory} MB`);
      worker.terminate().catch(() => {});
      resolve({ ...result, durationMs: duration });
    };
    const timer = setTimeout(() => finish({ outcome: "timeout", error: `Task timed out after ${fn.timeout} seconds` }), fn.timeout * 1000);
    worker.on("message", (m) => {
      if (m.type === "log") log(fn, requestId, m.message, m.level);
      else if (m.type === "response") finish({ outcome: "ok", status: m.status, headers: m.headers, body: Buffer.from(m.body) });
      else if (m.type === "error") finish({ outcome: "error", error: m.message });
    });
    worker.on("error", (err) => {
      const oom = err?.code === "ERR_WORKER_OUT_OF_MEMORY";
      finish(oom ? { outcome: "out_of_memory", error: `Runtime exited: out of memory (${fn.memory} MB)` } : { outcome: "error", error: err?.stack ?? String(err) });
    });
    worker.on("exit", (code) => finish({ outcome: "error", error: `Runtime exited with code ${code} before responding` }));
  });
}
