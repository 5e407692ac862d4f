// The hostile-input cases, generated: every method of the table printed by
// `cargo run --example surface_json` (the same table the facade is built
// from) × every argument position × every hostile value, then every
// provider method × every way of answering × every value, then every way a
// fetch can misbehave, then the client options and the JS exports. Each case
// is { section, label, sync, run }; the worker (hostile-worker.mjs) runs them.
import * as sdk from "../../pkg/entry-node.js";
import { HOSTILE } from "./hostile-values.mjs";
import { WALLET_KEY, WALLET_ADDRESS } from "./wallets.mjs";
import { ask402, b64, json, OFFER } from "./stub-responses.mjs";

const { Run402 } = sdk;

const API = "https://api.hostile.test";
const KEYS = { anon_key: "anon-k", service_key: "svc-k" };
const ALLOWANCE = { address: WALLET_ADDRESS, privateKey: WALLET_KEY };

const PROVISIONED = { project_id: "prj_new", anon_key: "anon-new", service_key: "svc-new", tier: "prototype" };

/**
 * A fetch that answers every route plausibly; provision is paid (a 402 with
 * payable terms first, so readAllowance, signing and the resend run too).
 */
export function stubFetch(url, init) {
  const path = new URL(url).pathname;
  if (init?.method === "POST" && path === "/projects/v1") {
    const paid = init.headers["PAYMENT-SIGNATURE"] ?? init.headers["X-PAYMENT"];
    return paid ? json(200, PROVISIONED) : ask402();
  }
  return json(200, {});
}

/** A provider with every method, answering well; `overrides` replace some. */
export function goodProvider(overrides = {}) {
  return {
    getAuth: () => null,
    getProject: () => ({ ...KEYS }),
    saveProject: () => {},
    updateProject: () => {},
    removeProject: () => {},
    setActiveProject: () => {},
    getActiveProject: () => "prj_1",
    readAllowance: () => ({ ...ALLOWANCE }),
    saveAllowance: () => {},
    createAllowance: () => ({ ...ALLOWANCE }),
    getAllowancePath: () => "/tmp/allowance.json",
    ...overrides,
  };
}

export const PROVIDER_METHODS = Object.keys(goodProvider());

const client = (credentials = goodProvider(), fetch = stubFetch, extra = {}) =>
  new Run402({ apiBase: API, credentials, fetch, ...extra });

// A plausible value for a parameter, so the hostile value at another
// position is what the method trips on (not an earlier bad argument).
export function filler(p) {
  const byName = { id: "prj_1", sql: "SELECT 1", table: "todos", email: "a@example.com", wallet: WALLET_ADDRESS,
    address: WALLET_ADDRESS, tier: "prototype", params: [], queryOrOptions: "select=id" };
  if (p.name in byName) return byName[p.name];
  if (p.ts.startsWith("string")) return "x";
  if (p.ts === "number") return 1;
  if (p.ts.endsWith("[]")) return [];
  return {};
}

// The facade names of the internal namespace's methods.
const INTERNAL = { resolveProject: "project", useProject: "useProject" };

/**
 * Every public method as { label, params, kind, call(target, args) } on root
 * and scoped clients: nested namespaces by their path (`email.webhooks`),
 * scoped clients with their own declaration where the table has a variant.
 */
export function methods(table) {
  const out = [];
  for (const ns of table.namespaces) {
    const at = (target) => ns.name.split(".").reduce((o, k) => o[k], target);
    for (const m of ns.methods) {
      if (ns.internal) {
        const name = INTERNAL[m.name];
        if (!name) throw new Error(`the suite does not know how the facade exposes ${ns.name}.${m.name}`);
        out.push({ label: `r.${name}`, params: m.params, kind: m.kind, scoped: false, call: (r, args) => r[name](...args) });
        continue;
      }
      out.push({ label: `r.${ns.name}.${m.name}`, params: m.params, kind: m.kind, scoped: false, call: (r, args) => at(r)[m.name](...args) });
      const d = m.variant ?? m;
      if (ns.scoped && d.scope !== "root") {
        const params = d.scope === "project" ? d.params.slice(1) : d.params;
        out.push({ label: `scoped.${ns.name}.${m.name}`, params, kind: d.kind, scoped: true, call: (p, args) => at(p)[m.name](...args) });
      }
    }
  }
  return out;
}

// What a case awaits, by kind: an operation's events to their end, then its
// result; a sync method's value (it may also throw, typed, synchronously).
export async function drained(op) {
  for await (const _ of op.events());
  return op.result();
}

/** Calls that between them use every provider method (see usageOf). */
export const PROBES = [
  ["projects.getUsage", (r) => r.projects.getUsage("prj_1")],
  ["tier.status", (r) => r.tier.status()],
  ["projects.provision", (r) => r.projects.provision({ tier: "prototype" })],
  ["projects.delete", (r) => r.projects.delete("prj_1")],
  ["projects.use", (r) => r.projects.use("prj_1")],
  ["projects.active", (r) => r.projects.active()],
  ["projects.list", (r) => r.projects.list()],
  ["project()", (r) => r.project()],
  ["allowance.status", (r) => r.allowance.status()],
  ["allowance.create", (r) => r.allowance.create()],
  ["allowance.create (none yet)", (r) => r.allowance.create(), { readAllowance: () => null }],
  ["allowance.export", (r) => r.allowance.export()],
  ["allowance.faucet", (r) => r.allowance.faucet()],
];

/**
 * Which provider methods each probe call uses, found by running it once
 * against a recording provider, so the provider cases need no hand map.
 */
export async function usageOf() {
  const usage = {};
  for (const [label, call, base = {}] of PROBES) {
    const used = new Set();
    const provider = goodProvider(base);
    for (const name of Object.keys(provider)) {
      const real = provider[name];
      provider[name] = (...args) => { used.add(name); return real(...args); };
    }
    await call(client(provider)).catch(() => {});
    usage[label] = used;
  }
  return usage;
}

/**
 * Builds every case. `scopedClient` is a project-scoped client made once by
 * the worker (r.project is async).
 */
export function buildCases(table, { root, scoped, usage }) {
  const cases = [];
  const add = (section, label, run, sync = false) => cases.push({ section, label, run, sync });

  // 1. Every argument position of every method (and one past the last).
  for (const m of methods(table)) {
    const target = m.scoped ? scoped : root;
    for (let pos = 0; pos <= m.params.length; pos++) {
      for (const [vl, make] of HOSTILE) {
        add("params", `${m.label} argument ${pos} = ${vl}`, () => {
          const args = m.params.map(filler);
          args[pos] = make();
          const out = m.call(target, args);
          return m.kind === "operation" ? drained(out) : out;
        }, m.kind === "sync");
      }
    }
  }

  // 2. Provider results: every method, answering with each value in each way.
  const answers = {
    "returns": (make) => () => make(),
    "resolves": (make) => () => new Promise((resolve) => resolve(make())),
    "throws": (make) => () => { throw make(); },
    "rejects": (make) => () => new Promise((_, reject) => reject(make())),
    "thenable resolves": (make) => () => ({ then: (resolve) => resolve(make()) }),
  };
  for (const pm of PROVIDER_METHODS) {
    const probes = PROBES.filter(([label]) => usage[label].has(pm));
    for (const [how, answer] of Object.entries(answers)) {
      for (const [vl, make] of HOSTILE) {
        add("providers", `credentials.${pm} ${how} ${vl}`, async () => {
          const results = [];
          for (const [, call, base = {}] of probes) {
            const r = client(goodProvider({ ...base, [pm]: answer(make) }));
            results.push(await settled(call(r)));
          }
          return results;
        });
      }
    }
  }

  // 3. Fetch results. Each is probed with three calls: no auth, project
  // keys, and the paid provision (which reads the PAYMENT-REQUIRED header).
  const fetchCall = (r) => [r.service.health(), r.projects.getUsage("prj_1"), r.projects.provision({ tier: "prototype" })];
  const response = (over) => ({ status: 200, headers: new Headers({ "content-type": "application/json" }), text: async () => "{}", ...over });
  const fetches = {
    "fetch returns": (make) => () => make(),
    "fetch resolves": (make) => async () => make(),
    "fetch throws": (make) => () => { throw make(); },
    "fetch rejects": (make) => async () => { throw make(); },
    "status is": (make) => async () => response({ status: make() }),
    "headers are": (make) => async () => response({ headers: make() }),
    "headers.get throws": (make) => async () => response({ headers: { get: () => { throw make(); } } }),
    "402 whose headers.get throws": (make) => async () => response({ status: 402, headers: { get: () => { throw make(); } } }),
    "headers.get returns": (make) => async () => response({ status: 402, headers: { get: () => make() } }),
    "text() returns": (make) => async () => response({ text: () => make() }),
    "text() resolves": (make) => async () => response({ text: async () => make() }),
    "text() throws": (make) => async () => response({ text: () => { throw make(); } }),
    "text() rejects": (make) => async () => response({ text: async () => { throw make(); } }),
  };
  for (const [how, fetchOf] of Object.entries(fetches)) {
    for (const [vl, make] of HOSTILE) {
      add("fetch", `${how} ${vl}`, () => Promise.all(fetchCall(client(goodProvider(), fetchOf(make))).map(settled)));
    }
  }
  // Response bodies and x402 headers that are text but garbage.
  const deep = "[".repeat(100000) + "]".repeat(100000);
  const bodies = {
    "empty": "", "truncated JSON": '{"a":', "a JSON string": '"x"', "null": "null", "deep JSON": deep,
    "10 MiB of JSON": JSON.stringify({ a: "x".repeat(10 * 1024 * 1024) }), "NUL bytes": "\0\0\0", "lone surrogate": '{"a":"\uD800"}',
    "escaped lone surrogate": '{"a":"\\uD800"}', "huge number": '{"a":1e400}', "__proto__ key": '{"__proto__":{"polluted":1}}',
  };
  const headers402 = {
    "not base64": "!!!", "base64 of text": b64("not json"), "accepts a number": b64('{"x402Version":2,"accepts":5}'),
    "accepts junk entries": b64('{"x402Version":2,"accepts":[null,5,"x",[],{"scheme":"exact"},{"scheme":"exact","network":"eip155:84532","amount":"-1"}]}'),
    "absurd amount": b64(JSON.stringify({ ...OFFER, accepts: [{ ...OFFER.accepts[0], amount: "9".repeat(400) }] })),
    "deep JSON": b64(deep), "100,000 offers": b64(JSON.stringify({ x402Version: 2, accepts: Array(100000).fill(OFFER.accepts[0]) })),
  };
  for (const status of [0, 99, 204, 304, 402, 500, 999, 1000, -1, 1.5, 2 ** 53]) {
    for (const [bl, text] of Object.entries(bodies)) {
      add("fetch", `status ${status} with body: ${bl}`, () => Promise.all(fetchCall(client(goodProvider(),
        async () => response({ status, text: async () => text }))).map(settled)));
    }
  }
  for (const [hl, header] of Object.entries(headers402)) {
    add("fetch", `402 with PAYMENT-REQUIRED: ${hl}`, () => Promise.all(fetchCall(client(goodProvider(),
      async () => json(402, { x402Version: 1, accepts: "junk" }, { "payment-required": header }))).map(settled)));
  }

  // 4. Client options: construction throws a LocalError or builds a client
  // that then works or fails typed.
  const construct = (opts) => () => { const r = new Run402(opts); return r.service.health(); };
  for (const [vl, make] of HOSTILE) {
    add("options", `new Run402(${vl})`, () => construct(make())(), true);
    for (const key of ["apiBase", "credentials", "fetch", "payments"]) {
      add("options", `opts.${key} = ${vl}`, () => construct({ apiBase: API, credentials: goodProvider(), fetch: stubFetch, [key]: make() })(), true);
    }
    for (const key of ["getAuth", "getProject"]) {
      add("options", `credentials.${key} is ${vl}`, () => construct({ apiBase: API, credentials: goodProvider({ [key]: make() }), fetch: stubFetch })(), true);
    }
    for (const key of ["maxPerRequest", "maxTotal", "networks", "assets"]) {
      add("options", `payments.${key} = ${vl}`, () => construct({ apiBase: API, credentials: goodProvider(), fetch: stubFetch, payments: { [key]: make() } })(), true);
    }
    add("options", `payments.networks = [${vl}]`, () => construct({ apiBase: API, credentials: goodProvider(), fetch: stubFetch, payments: { networks: [make()] } })(), true);
  }

  // 5. The JS exports.
  const D = { name: "USDC", version: "2", chainId: 84532, verifyingContract: "0x036CbD53842c5426634e7929541eC2318f3dCF7e" };
  const M = { from: WALLET_ADDRESS, to: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", value: "1", validAfter: "0", validBefore: "9999999999", nonce: `0x${"ab".repeat(32)}` };
  const guards = ["isRun402Error", "isPaymentRequired", "isProjectNotFound", "isUnauthorized", "isApiError", "isNetworkError",
    "isLocalError", "isDeployError", "isRetryableRun402Error"];
  for (const [vl, make] of HOSTILE) {
    for (const g of guards) {
      add("exports", `${g}(${vl})`, () => {
        const out = sdk[g](make());
        if (out !== false) throw new Error(`${g} answered ${String(out)} for a value that is not a Run402 error`);
      });
    }
    // A function in a function's place is called, and what it throws is the
    // caller's own error, re-thrown unchanged by contract: not a case.
    const callable = typeof make() === "function";
    if (!callable) add("exports", `withRetry(${vl})`, () => sdk.withRetry(make()));
    add("exports", `withRetry(fn, ${vl})`, () => sdk.withRetry(async () => 1, make()));
    for (const key of ["attempts", "baseDelayMs", "maxDelayMs", ...(callable ? [] : ["retryIf", "onRetry"])]) {
      add("exports", `withRetry(fn, { ${key}: ${vl} })`, () => {
        let n = 0;
        // Fails retryably once, so every option is consulted.
        return sdk.withRetry(async () => { if (n++ === 0) throw new sdk.NetworkError("n", null, "c"); return n; },
          { baseDelayMs: 0, maxDelayMs: 0, [key]: make() });
      });
    }
    add("exports", `signTransferAuthorization(${vl}, domain, message)`, () => sdk.signTransferAuthorization(make(), D, M), true);
    add("exports", `signTransferAuthorization(key, ${vl}, message)`, () => sdk.signTransferAuthorization(WALLET_KEY, make(), M), true);
    add("exports", `signTransferAuthorization(key, domain, ${vl})`, () => sdk.signTransferAuthorization(WALLET_KEY, D, make()), true);
    for (const f of Object.keys(D)) add("exports", `signTransferAuthorization domain.${f} = ${vl}`, () => sdk.signTransferAuthorization(WALLET_KEY, { ...D, [f]: make() }, M), true);
    for (const f of Object.keys(M)) add("exports", `signTransferAuthorization message.${f} = ${vl}`, () => sdk.signTransferAuthorization(WALLET_KEY, D, { ...M, [f]: make() }), true);
    // allowanceCredentials: creation is sync; the provider is then used for
    // a signed-in call, a keyed call and a paid provision.
    const viaAllowance = (opts) => () => {
      const r = client(sdk.allowanceCredentials(opts));
      return Promise.all([r.tier.status(), r.projects.getUsage("prj_1"), r.projects.provision({ tier: "prototype" })].map(settled));
    };
    add("exports", `allowanceCredentials(${vl})`, viaAllowance(make()), true);
    for (const key of ["allowance", "readAllowance", "saveAllowance", "projects", "getProject"]) {
      add("exports", `allowanceCredentials({ ${key}: ${vl} })`, () => viaAllowance({ allowance: ALLOWANCE, projects: { prj_1: KEYS }, [key]: make() })(), true);
    }
    add("exports", `allowanceCredentials readAllowance() returns ${vl}`, () => viaAllowance({ readAllowance: () => make() })(), true);
    add("exports", `allowanceCredentials allowance.privateKey = ${vl}`, () => viaAllowance({ allowance: { ...ALLOWANCE, privateKey: make() } })(), true);
    add("exports", `new ApiError(message, 500, body = ${vl})`, () => { sdk.isRetryableRun402Error(new sdk.ApiError("m", 500, make(), "c")); }, true);
  }
  return cases;
}

// Several calls in one case: each must settle typed; the first failure wins.
const SETTLED = Symbol("settled");
function settled(p) {
  return Promise.resolve(p).then((value) => ({ [SETTLED]: true, ok: true, value }), (error) => ({ [SETTLED]: true, ok: false, error }));
}
export const isSettledBatch = (v) => Array.isArray(v) && v.length > 0 && v.every((x) => x?.[SETTLED]);
