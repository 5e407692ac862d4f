// Shared test helpers: the built package, the simulator (one per run: the
// runner passes RUN402_SIM_URL; a file run alone starts its own), and an
// in-memory credentials provider that records what the SDK asks of it.
import { after } from "node:test";

export * as sdk from "../../pkg/entry-node.js";
import { Run402 } from "../../pkg/entry-node.js";

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

/** A client on the simulator with a memory provider. */
export async function client(opts = {}) {
  const credentials = memoryProvider(opts);
  const r = new Run402({ apiBase: await simulator(), credentials, fetch: opts.fetch });
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
