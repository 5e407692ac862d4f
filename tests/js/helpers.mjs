// Shared test helpers: the built package, the simulator (one per run: the
// runner passes RUN402_SIM_URL; a file run alone starts its own), and an
// in-memory credentials provider that records what the SDK asks of it.
import { after } from "node:test";
import { appendFileSync } from "node:fs";

import * as pkg from "../../pkg/entry-node.js";

import { siwxHeaders } from "../gateway/test-signer.mjs";
import { ADMIN_ADDRESS } from "./wallets.mjs";

export * from "./wallets.mjs";

let simUrl = process.env.RUN402_SIM_URL;
let ownSim = null;
// Registered at load time so it belongs to the file, not to whichever hook
// first asked for the simulator.
after(() => ownSim?.close());


/** A getAuth that signs in with a wallet (viem-built header, until the SDK signs itself). */
export const walletAuth = (key) => async (path) => siwxHeaders(key, await simulator(), path);

/** The simulator's base URL, starting one for this file if the runner did not. */
export async function simulator() {
  if (!simUrl) {
    const { start } = await import("../gateway/server.mjs");
    ownSim = await start({ port: 0, adminWallets: [ADMIN_ADDRESS] });
    simUrl = ownSim.url;
  }
  return simUrl;
}

// ── Recording what methods resolve to (opt-in) ──
// With RUN402_RECORD naming a JSONL file (tests/run.mjs sets it), every value
// a namespace method of a simulator client resolves to is appended there, so
// typings-reality.test.mjs can check it against the method's declared result
// type. Clients with their own fetch are left alone: a stub's answers are
// made up by the test, not sent by the gateway.
const recordPath = process.env.RUN402_RECORD;

/** Stands for `undefined` in a recorded value (JSON has none). */
export const UNDEFINED_MARK = "\u0000undefined";
/** Stands for a `Uint8Array` in a recorded value (`email.getRaw`'s bytes). */
export const BYTES_MARK = "\u0000bytes";
/** Stand for a function (an AssetRef's tag emitters) and a `Response` (blobs.get): JSON has neither. */
export const FUNCTION_MARK = "\u0000function";
export const RESPONSE_MARK = "\u0000Response";
/** Stands for a `Map` (deploy.plan's byteReaders), which JSON writes as `{}`. */
export const MAP_MARK = "\u0000Map";

const marked = (v) => {
  if (v === undefined) return UNDEFINED_MARK;
  if (v instanceof Uint8Array) return BYTES_MARK;
  if (typeof v === "function") return FUNCTION_MARK;
  if (typeof Response === "function" && v instanceof Response) return RESPONSE_MARK;
  if (v instanceof Map) return MAP_MARK;
  return v;
};

const recorders = new WeakSet();

function record(method, scoped, value) {
  let line;
  try {
    line = JSON.stringify({ method, scoped, value }, (_key, v) => marked(v));
  } catch (e) {
    // Counted as a finding by the checker, not silently dropped.
    line = JSON.stringify({ method, scoped, unserializable: String(e) });
  }
  try {
    appendFileSync(recordPath, `${line}\n`);
  } catch (e) {
    process.emitWarning(`recording ${method} failed: ${e.message}`);
  }
}

function recorder(method, scoped, fn) {
  const wrapper = {
    [fn.name](...args) {
      const result = fn.apply(this, args);
      // Attached first, so it sees the value before the caller can change it;
      // the caller still gets the original promise.
      result.then((value) => record(method, scoped, value), () => {});
      return result;
    },
  }[fn.name];
  recorders.add(wrapper);
  return wrapper;
}

/**
 * Makes `r` record what its namespace methods resolve to, in place (aliases
 * stay one function object), including the scoped clients `r.project()` and
 * `r.useProject()` return. Returns `r`; does nothing unless RUN402_RECORD is set.
 */
export function recording(r, scoped = false) {
  if (!recordPath) return r;
  // Nested namespaces (`email.webhooks`) are enumerable properties of their parent.
  const wrapAll = (ns, methods) => {
    if (methods === null || typeof methods !== "object") return; // a scoped client's projectId
    const wrapped = new Map();
    for (const name of Object.getOwnPropertyNames(methods)) {
      const desc = Object.getOwnPropertyDescriptor(methods, name);
      const fn = desc.value;
      if (typeof fn !== "function" || recorders.has(fn)) continue;
      if (!wrapped.has(fn)) wrapped.set(fn, recorder(`${ns}.${fn.name}`, scoped, fn));
      Object.defineProperty(methods, name, { ...desc, value: wrapped.get(fn) });
    }
    for (const [child, value] of Object.entries(methods)) wrapAll(`${ns}.${child}`, value);
  };
  for (const [ns, methods] of Object.entries(r)) wrapAll(ns, methods);
  if (!scoped && !Object.hasOwn(r, "project")) {
    for (const name of ["project", "useProject"]) {
      const fn = r[name];
      const bound = { async [name](...args) { return recording(await fn.apply(r, args), true); } }[name];
      Object.defineProperty(r, name, { value: bound, writable: true, configurable: true });
    }
  }
  return r;
}

function onSimulator(opts) {
  try {
    return simUrl !== undefined && opts.apiBase === simUrl && opts.fetch === undefined;
  } catch {
    return false;
  }
}

/**
 * The built package. When recording, `sdk.Run402` is the package's class
 * behind a Proxy that records the clients it builds on the simulator
 * (`instanceof` and everything else behave as the class's own).
 */
export const sdk = recordPath
  ? Object.freeze({
      ...pkg,
      Run402: new Proxy(pkg.Run402, {
        construct(target, args, newTarget) {
          const r = Reflect.construct(target, args, newTarget);
          return onSimulator(args[0]) ? recording(r) : r;
        },
      }),
    })
  : pkg;

/** Calls a `/__sim/` control endpoint. */
export async function sim(path, body) {
  const base = await simulator();
  const res = await fetch(`${base}/__sim/${path}`, body === undefined ? {} : {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sim ${path}: HTTP ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/**
 * Runs `fn` with the simulator charging x402 (`config` over the defaults:
 * v1 and v2, Base Sepolia, real prices), and turns payments off after it.
 * `paying(fn)` is `paying({}, fn)`.
 */
export async function paying(config, fn) {
  if (typeof config === "function") [config, fn] = [{}, config];
  const defaults = { x402Versions: [1, 2], networks: ["eip155:84532"], priceOverride: null };
  await sim("config", { payments: true, ...defaults, ...config });
  try {
    return await fn();
  } finally {
    await sim("config", { payments: false, ...defaults });
  }
}

/** Injects a fault for the next matching request(s). */
export const fault = (spec) => sim("faults", spec);

/** A provider with every optional method, backed by maps; `calls` records use. */
export function memoryProvider({ auth = null, allowance = null } = {}) {
  const projects = new Map();
  const calls = [];
  let active = null;
  const provider = {
    projects,
    calls,
    get active() { return active; },
    async getAuth(path, meta) {
      calls.push(["getAuth", path, meta]);
      return typeof auth === "function" ? auth(path, meta) : auth;
    },
    async getProject(id) {
      calls.push(["getProject", id]);
      return projects.get(id) ?? null;
    },
    async saveProject(id, keys) { calls.push(["saveProject", id, keys]); projects.set(id, { ...keys }); },
    async updateProject(id, patch) { calls.push(["updateProject", id, patch]); projects.set(id, { ...projects.get(id), ...patch }); },
    async removeProject(id) { calls.push(["removeProject", id]); projects.delete(id); },
    async setActiveProject(id) { calls.push(["setActiveProject", id]); active = id; },
    async getActiveProject() { return active; },
    async readAllowance() { return allowance; },
  };
  return provider;
}

/**
 * A fetch that records each request (method, URL, headers lower-cased, the
 * body as given) in `sent`, then sends it with the real fetch.
 */
export function recordingFetch() {
  const sent = [];
  const fetch = async (url, init = {}) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    sent.push({ method: init.method ?? "GET", url: String(url), headers, body: init.body ?? null });
    return globalThis.fetch(url, init);
  };
  return { fetch, sent };
}

/** A client on the simulator with a memory provider. */
export async function client(opts = {}) {
  const credentials = memoryProvider(opts);
  const r = new sdk.Run402({ apiBase: await simulator(), credentials, fetch: opts.fetch });
  return { r, credentials };
}

/** A client with one freshly provisioned project. */
export async function withProject(opts = {}) {
  const { r, credentials } = await client(opts);
  const project = await r.projects.provision({ tier: "prototype" });
  return { r, credentials, project, id: project.project_id };
}

/** Asserts that `promise` rejects with a Run402 error of `kind`; returns it. */
export async function rejectsKind(promise, kind, check = () => {}) {
  try {
    await promise;
  } catch (e) {
    if (e?.kind !== kind) throw new Error(`expected a ${kind} error, got ${e?.kind ?? e}: ${e?.message}`, { cause: e });
    check(e);
    return e;
  }
  throw new Error(`expected a ${kind} error, but the call succeeded`);
}

/** A ReadableStream over `bytes`, `chunk` bytes per pull (for byte-source tests). */
export function streamOf(bytes, chunk = 1000) {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}
