// The client itself: construction checks, the error classes and guards,
// withRetry, the credentials bridge and the fetch boundary. No simulator:
// these use a stub fetch, so they pin behaviour independent of any server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { sdk, rejectsKind } from "./helpers.mjs";
import { surface } from "../../pkg/run402_sdk_wasm.js";
import { ERROR_CLASSES } from "../../pkg/errors.js";

const { Run402, run402, withRetry } = sdk;

const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

function stubClient(answer, credentials = {}) {
  const sent = [];
  const fetch = async (url, init) => {
    sent.push({ url, ...init });
    return typeof answer === "function" ? answer(url, init) : answer.clone();
  };
  const r = new Run402({
    apiBase: "https://api.test",
    credentials: { getAuth: () => null, getProject: () => ({ anon_key: "anon-k", service_key: "svc-k" }), ...credentials },
    fetch,
  });
  return { r, sent };
}

test("constructor checks throw LocalError with clear messages, synchronously", () => {
  const cases = [
    [undefined, /options object/],
    [null, /options object/],
    [{}, /apiBase/],
    [{ apiBase: "", credentials: {} }, /apiBase/],
    [{ apiBase: 5, credentials: {} }, /apiBase/],
    [{ apiBase: "https://x" }, /credentials/],
    [{ apiBase: "https://x", credentials: { getAuth() {} } }, /missing required methods: getProject/],
    [{ apiBase: "https://x", credentials: { getProject() {} } }, /missing required methods: getAuth/],
    [{ apiBase: "https://x", credentials: { getAuth() {}, getProject() {} }, fetch: "nope" }, /opts.fetch must be a function/],
  ];
  for (const [opts, message] of cases) {
    assert.throws(() => new Run402(opts), (e) => {
      assert.ok(e instanceof sdk.LocalError && e instanceof sdk.Run402Error && e instanceof Error);
      assert.equal(e.kind, "local_error");
      assert.equal(e.context, "constructing client");
      assert.match(e.message, message);
      return true;
    });
  }
  const r = run402({ apiBase: "https://x", credentials: { getAuth() {}, getProject() {} } });
  assert.ok(r instanceof Run402);
  assert.equal(typeof r.projects.provision, "function");
});

test("without opts.fetch the client uses globalThis.fetch, called on globalThis; with none it says so", async () => {
  const original = globalThis.fetch;
  const seen = [];
  try {
    globalThis.fetch = function (url) {
      seen.push({ url, self: this });
      return Promise.resolve(new Response(JSON.stringify({ status: "ok" }), { headers: { "content-type": "application/json" } }));
    };
    const r = new Run402({ apiBase: "https://api.test", credentials: { getAuth: () => null, getProject: () => null } });
    await r.service.health();
    assert.equal(seen.length, 1);
    assert.equal(seen[0].url, "https://api.test/health");
    assert.equal(seen[0].self, globalThis);
    for (const missing of [undefined, "not a function"]) {
      globalThis.fetch = missing;
      assert.throws(() => new Run402({ apiBase: "https://x", credentials: { getAuth() {}, getProject() {} } }), (e) => {
        assert.ok(e instanceof sdk.LocalError);
        assert.equal(e.message, "This runtime has no global fetch; pass opts.fetch");
        return true;
      });
    }
    Object.defineProperty(globalThis, "fetch", { configurable: true, get() { throw new Error("no fetch for you"); } });
    assert.throws(() => new Run402({ apiBase: "https://x", credentials: { getAuth() {}, getProject() {} } }), /no global fetch; pass opts.fetch/);
  } finally {
    Object.defineProperty(globalThis, "fetch", { configurable: true, writable: true, value: original });
  }
});

test("error kinds are identical in Rust, JS and the declarations", () => {
  const rust = JSON.parse(surface()).errors;
  const js = Object.entries(ERROR_CLASSES).map(([kind, cls]) => ({ kind, className: cls.name }));
  assert.deepEqual(rust.map(({ kind, className }) => ({ kind, className })), js);
  const dts = readFileSync(new URL("../../pkg/index.d.ts", import.meta.url), "utf8");
  const union = dts.match(/export type Run402ErrorKind = (.*);/)[1];
  assert.deepEqual(union.split(" | ").map((s) => JSON.parse(s)), rust.map((e) => e.kind));
  for (const { className, guard, kind } of rust) {
    assert.equal(typeof sdk[guard], "function", guard);
    assert.equal(typeof sdk[className], "function", className);
    assert.equal(new sdk[className]("m", { code: "X", context: "c" }).kind === kind || className !== "Run402DeployError", true);
  }
});

test("errors: fields, envelope lifting, defaults, guards, toJSON", () => {
  const body = { message: "m", code: "LEASE_EXPIRED", category: "lifecycle", retryable: true, safe_to_retry: true,
    mutation_state: "none", trace_id: "tr_1", details: { a: 1 }, next_actions: [{ action: "renew" }] };
  const e = new sdk.PaymentRequired("m while x", 402, body, "x");
  assert.equal(e.name, "PaymentRequired");
  assert.deepEqual(
    [e.code, e.category, e.retryable, e.safeToRetry, e.mutationState, e.traceId, e.details, e.nextActions],
    ["LEASE_EXPIRED", "lifecycle", true, true, "none", "tr_1", { a: 1 }, [{ action: "renew" }]],
  );
  assert.deepEqual(Object.keys(e.toJSON()), ["name", "kind", "message", "status", "code", "category", "retryable",
    "safeToRetry", "mutationState", "traceId", "context", "details", "nextActions", "body"]);
  assert.equal(JSON.parse(JSON.stringify(e)).kind, "payment_required");
  const plain = new sdk.ApiError("boom", 500, "text body", "y");
  assert.deepEqual([plain.code, plain.category, plain.retryable], ["API_ERROR", "api", false]);
  const net = new sdk.NetworkError("n", new Error("x"), "z");
  assert.deepEqual([net.code, net.retryable, net.status], ["NETWORK_ERROR", true, null]);
  const nf = new sdk.ProjectNotFound("prj_1", "c");
  assert.deepEqual([nf.message, nf.projectId, nf.code], ["Project prj_1 not found", "prj_1", "PROJECT_NOT_FOUND"]);
  const d = new sdk.Run402DeployError("d", { code: "BASE_RELEASE_CONFLICT", context: "deploying", phase: "plan", retryable: true });
  assert.equal(d.toJSON().phase, "plan");
  assert.ok(sdk.isDeployError(d) && !sdk.isApiError(d));
  const guards = ["isPaymentRequired", "isProjectNotFound", "isUnauthorized", "isApiError", "isNetworkError", "isLocalError", "isDeployError"];
  const samples = [e, nf, new sdk.Unauthorized("u", 401, null, "c"), plain, net, new sdk.LocalError("l", "c"), d];
  guards.forEach((g, i) => samples.forEach((s, j) => assert.equal(sdk[g](s), i === j, `${g} on ${s.name}`)));
  // Identity-free: a structurally branded object from "another copy" passes.
  assert.ok(sdk.isPaymentRequired({ isRun402Error: true, kind: "payment_required" }));
  assert.ok(!sdk.isRun402Error(new Error("x")) && !sdk.isRun402Error(null) && !sdk.isRun402Error("x"));
});

test("isRetryableRun402Error follows the seed's policy in order", () => {
  const R = sdk.isRetryableRun402Error;
  assert.equal(R(new sdk.ApiError("a", 503, {}, "c")), true);
  assert.equal(R(new sdk.ApiError("a", 503, { retryable: false }, "c")), false);
  assert.equal(R(new sdk.ApiError("a", 400, { retryable: true }, "c")), true);
  for (const s of [408, 425, 429, 500]) assert.equal(R(new sdk.ApiError("a", s, null, "c")), true, String(s));
  for (const s of [400, 404, 409]) assert.equal(R(new sdk.ApiError("a", s, null, "c")), false, String(s));
  assert.equal(R(new sdk.NetworkError("n", null, "c")), true);
  assert.equal(R(new sdk.Run402DeployError("d", { code: "X", context: "c", status: 500 })), false);
  assert.equal(R(new Error("plain")), false);
});

test("withRetry: defaults, backoff, retryIf, onRetry, last error unchanged", async () => {
  let n = 0;
  const delays = [];
  const result = await withRetry(async () => {
    if (++n < 3) throw new sdk.ApiError("busy", 503, null, "c");
    return "done";
  }, { baseDelayMs: 1, onRetry: (_e, attempt, delay) => { delays.push([attempt, delay]); throw new Error("ignored"); } });
  assert.equal(result, "done");
  assert.deepEqual(delays, [[1, 1], [2, 2]]);

  const errors = [];
  const last = await withRetry(async () => {
    const e = new sdk.ApiError(`try ${errors.length + 1}`, 500, null, "c");
    errors.push(e);
    throw e;
  }, { baseDelayMs: 1 }).catch((e) => e);
  assert.equal(errors.length, 3, "3 attempts by default");
  assert.equal(last, errors[2], "the last error itself is re-thrown");

  let calls = 0;
  await assert.rejects(withRetry(async () => { calls++; throw new sdk.ApiError("bad", 400, null, "c"); }, { baseDelayMs: 1 }));
  assert.equal(calls, 1, "non-retryable errors are not retried");
  calls = 0;
  await assert.rejects(withRetry(async () => { calls++; throw new sdk.PaymentRequired("pay", 402, null, "c"); },
    { baseDelayMs: 1, attempts: 4, retryIf: (e) => sdk.isPaymentRequired(e) }));
  assert.equal(calls, 4);
  const t0 = performance.now();
  await assert.rejects(withRetry(async () => { throw new sdk.NetworkError("n", null, "c"); }, { attempts: 2, baseDelayMs: 5000, maxDelayMs: 20 }));
  assert.ok(performance.now() - t0 < 1000, "maxDelayMs caps the delay");
});

test("the credentials bridge accepts sync and async providers", async () => {
  const sync = stubClient(json(200, {}), { getAuth: () => ({ "X-Sync": "1" }), getProject: () => ({ anon_key: "a", service_key: "s" }) });
  await sync.r.projects.getUsage("prj_1");
  assert.equal(sync.sent[0].headers["X-Sync"], "1");
  assert.equal(sync.sent[0].headers.Authorization, "Bearer s");
  const thenable = stubClient(json(200, {}), { getAuth: () => ({ then: (ok) => ok({ "X-Thenable": "1" }) }) });
  await thenable.r.service.health();
  await thenable.r.projects.getExpose("prj_1");
  assert.equal(thenable.sent[1].headers["X-Thenable"], "1");
  assert.equal(thenable.sent[0].headers["X-Thenable"], undefined, "no-auth calls never ask the provider");
});

test("a provider that throws, rejects with a non-Error, or returns the wrong shape yields a typed error", async () => {
  const cases = [
    [{ getProject: () => { throw new Error("vault down"); } }, /credentials\.getProject\(\) failed while fetching usage: vault down/],
    [{ getProject: () => Promise.reject("a string") }, /getProject\(\) failed while fetching usage: a string/],
    [{ getProject: () => Promise.reject(undefined) }, /undefined was thrown/],
    // Never the value's JSON (it could hold keys); the value is the cause.
    [{ getProject: () => Promise.reject({ weird: true }) }, /failed while fetching usage: a non-Error object was thrown$/],
    [{ getProject: () => 42 }, /getProject\(\) returned a number/],
    [{ getProject: () => ({ anon_key: "a" }) }, /without string anon_key and service_key/],
    [{ getAuth: () => ({ apikey: 5 }) }, /non-string value for header "apikey"/],
    [{ getAuth: () => "header" }, /getAuth\(\) returned a string/],
  ];
  for (const [creds, message] of cases) {
    const { r, sent } = stubClient(json(200, {}), creds);
    const e = await rejectsKind(r.projects.getUsage("prj_1"), "local_error");
    assert.match(e.message, message);
    assert.equal(e.context, "fetching usage");
    assert.equal(sent.length, 0, "nothing is sent");
    assert.doesNotMatch(e.message, /weird/);
  }
  const { r: r2 } = stubClient(json(200, {}), { getProject: () => Promise.reject({ weird: true }) });
  const e = await rejectsKind(r2.projects.getUsage("prj_1"), "local_error");
  assert.deepEqual(e.cause, { weird: true });
  // The client keeps working after every one of those.
  const { r } = stubClient(json(200, { ok: 1 }));
  assert.deepEqual(await r.projects.getUsage("prj_1"), { ok: 1 });
});

test("a Run402 error thrown by the provider passes through unchanged", async () => {
  const mine = new sdk.Unauthorized("session expired", 401, null, "my provider");
  const { r } = stubClient(json(200, {}), { getAuth: () => { throw mine; } });
  await assert.rejects(r.projects.pin("prj_1"), (e) => e === mine);
});

test("optional provider methods: missing ones are named; present ones are used", async () => {
  const { r } = stubClient(json(200, {}));
  await rejectsKind(r.projects.use("prj_1"), "local_error", (e) => assert.match(e.message, /setActiveProject/));
  await rejectsKind(r.project(), "local_error", (e) => assert.match(e.message, /getActiveProject/));
  await rejectsKind(r.projects.list(), "local_error", (e) => assert.match(e.message, /readAllowance/));
  assert.equal(await r.projects.active(), null);
  const withActive = stubClient(json(200, {}), { getActiveProject: async () => null });
  await rejectsKind(withActive.r.project(), "local_error", (e) => assert.match(e.message, /No active project/));
});

test("fetch failures: rejection, synchronous throw, non-Response, cut body", async () => {
  const reject = stubClient(() => Promise.reject(new TypeError("fetch failed")));
  const e = await rejectsKind(reject.r.service.health(), "network_error");
  assert.equal(e.message, "Network error while fetching service health: fetch failed");
  assert.ok(e.cause instanceof TypeError);
  assert.equal(e.retryable, true);
  const sync = stubClient(() => { throw new Error("sync boom"); });
  await rejectsKind(sync.r.service.health(), "network_error", (e) => assert.match(e.message, /sync boom/));
  for (const bad of [42, null, "x", { status: 200 }, { status: 200, headers: {}, text() {} }]) {
    const odd = stubClient(() => bad);
    await rejectsKind(odd.r.service.health(), "local_error", (e) => assert.match(e.message, /not a Response/));
  }
  const cut = stubClient(() => ({ status: 200, headers: new Headers({ "content-type": "application/json" }), text: () => Promise.reject(new Error("terminated")) }));
  await rejectsKind(cut.r.service.health(), "network_error", (e) => assert.match(e.message, /body could not be read \(terminated\)/));
});

test("status mapping through the package, with context in every message", async () => {
  const cases = [
    [402, { message: "Pay" }, "payment_required", "Pay while fetching service health"],
    [401, {}, "unauthorized", "Unauthorized while fetching service health (HTTP 401)"],
    [403, { error: "forbidden" }, "unauthorized", "forbidden while fetching service health (HTTP 403)"],
    [404, { message: "nope" }, "api_error", "nope while fetching service health (HTTP 404)"],
    [500, null, "api_error", "API error while fetching service health (HTTP 500)"],
  ];
  for (const [status, body, kind, message] of cases) {
    const { r } = stubClient(json(status, body));
    const e = await rejectsKind(r.service.health(), kind);
    assert.equal(e.message, message);
    assert.equal(e.status, status);
    assert.deepEqual(e.body, body);
    assert.equal(e.context, "fetching service health");
  }
  const { r } = stubClient(new Response("<html>oops</html>", { status: 502, headers: { "content-type": "text/html" } }));
  const e = await rejectsKind(r.service.health(), "api_error");
  assert.equal(e.body, "<html>oops</html>");
});

test("secrets never appear in errors, toJSON or console output", async () => {
  const secret = "svc-SECRET-0123456789";
  const { r } = stubClient(json(500, { message: "boom" }), { getProject: () => ({ anon_key: "anon-SECRET", service_key: secret }) });
  const e = await rejectsKind(r.projects.getUsage("prj_1"), "api_error");
  const seen = [e.message, e.stack, JSON.stringify(e), JSON.stringify(e.toJSON()), String(e)].join("\n");
  assert.ok(!seen.includes(secret) && !seen.includes("anon-SECRET"));
  const util = await import("node:util");
  assert.ok(!util.inspect(r, { depth: 5 }).includes(secret));
});

test("bad input never crashes the instance: garbage to every method, then a normal call", async () => {
  const { r } = stubClient(json(200, { ok: true }));
  const garbage = [undefined, null, 0, -1, NaN, "", " ", "a/b", {}, [], () => 1, Symbol("s"), 10n, new Uint8Array(2), { toString() { throw new Error("x"); } }];
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(r.projects)).filter((m) => m !== "constructor");
  for (const m of [...methods.map((m) => ["projects", m]), ["service", "health"]]) {
    for (const g of garbage) {
      try {
        await r[m[0]][m[1]](g, g, g);
      } catch (e) {
        assert.equal(e.isRun402Error, true, `${m.join(".")}(${String(typeof g)}) threw a non-Run402 error: ${e}`);
      }
    }
  }
  assert.deepEqual(await r.service.health(), { ok: true });
});

test("a provider may call back into the same client while the SDK is calling it", async () => {
  let inner;
  const sent = [];
  const fetch = async (url) => { sent.push(url); return json(200, { ok: url }); };
  const r = new Run402({
    apiBase: "https://api.test",
    fetch,
    credentials: {
      getAuth: () => null,
      // Synchronously starts another call on the same client (re-entrancy).
      getProject: (id) => { inner = r.service.health(); return { anon_key: "a", service_key: "s" }; },
      getActiveProject: () => "prj_1",
    },
  });
  const outer = await r.projects.getUsage("prj_1");
  assert.deepEqual(outer, { ok: "https://api.test/projects/v1/admin/prj_1/usage" });
  assert.deepEqual(await inner, { ok: "https://api.test/health" });
  const many = await Promise.all(Array.from({ length: 50 }, () => r.projects.getSchema("prj_1")));
  assert.equal(many.length, 50);
  assert.equal(sent.length, 102);
});

test("each request gets its own headers object: a fetch that changes one does not change the next call's", async () => {
  const seen = [];
  const { r } = stubClient((url, init) => {
    seen.push({ ...init.headers });
    init.headers.apikey = "changed-by-fetch";
    init.headers["X-Added"] = "1";
    delete init.headers.Authorization;
    return json(200, []);
  });
  await r.projects.rest("prj_a", "items", { keyType: "service" });
  await r.projects.rest("prj_a", "items", { keyType: "service" });
  await r.projects.rest("prj_a", "items");
  await r.projects.rest("prj_a", "items", { keyType: "service" });
  const service = { apikey: "svc-k", Authorization: "Bearer svc-k" };
  const anon = { apikey: "anon-k", Authorization: "Bearer anon-k" };
  assert.deepEqual(seen, [service, service, anon, service]);
});
