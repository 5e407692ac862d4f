// Regression tests for the spine-safety defects: each reproduces one report
// (a trap, crossed calls, a cap overrun, key handling, timeouts) against the
// built package and fails on the code before the fix.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { sdk, simulator, sim, paying, rejectsKind } from "./helpers.mjs";
import * as core from "../../pkg/run402_sdk_wasm.js";

const { Run402, allowanceCredentials, withRetry, signTransferAuthorization } = sdk;
const KEYS = { anon_key: "anon-k", service_key: "svc-SECRET-k" };

before(async () => { await simulator(); });

/** A client over a stub fetch that records what it sends. */
function stub(answer = () => new Response("{}", { headers: { "content-type": "application/json" } }), extra = {}) {
  const sent = [];
  const fetch = async (url, init) => {
    sent.push({ url, ...init });
    return answer(url, init);
  };
  const r = new Run402({
    apiBase: "https://api.test",
    credentials: { getAuth: () => null, getProject: () => KEYS, ...extra.credentials },
    fetch,
    ...extra.opts,
  });
  return { r, sent };
}

const ok = (body = {}) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

/** The running instance's exports (initSync returns them once instantiated). */
function wasmExports() {
  return core.initSync({ module: new Uint8Array(0) });
}

test("a throwing Proxy argument never unwinds through wasm: 3,000 calls, then the instance still works", async () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const throwingLength = new Proxy([], { get(t, k) { if (k === "length") throw new Error("length"); return t[k]; } });
  const { r } = stub();
  for (let i = 0; i < 1000; i++) {
    for (const bad of [proxy, throwingLength]) {
      const e = await r.projects.sql("prj_1", bad).then(() => null, (x) => x);
      // Either a typed refusal or a request that went out: never a RuntimeError.
      if (e) assert.ok(sdk.isRun402Error(e), `${e}`);
    }
    await r.projects.rest("prj_1", "t", proxy).catch((x) => assert.ok(sdk.isRun402Error(x), `${x}`));
  }
  assert.deepEqual(await r.projects.getUsage("prj_1"), {});
  assert.deepEqual(await stub().r.projects.getUsage("prj_1"), {});
});

test("hostile provider results and payment options give typed errors, not traps", async () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const ownKeysThrows = new Proxy({}, { ownKeys() { throw new Error("ownKeys"); } });
  for (const value of [proxy, ownKeysThrows]) {
    for (let i = 0; i < 300; i++) {
      const { r } = stub(undefined, { credentials: { getAuth: () => value, getProject: async () => value } });
      await r.projects.getUsage("prj_1").catch((e) => assert.ok(sdk.isRun402Error(e), `${e}`));
      await r.service.health().catch((e) => assert.ok(sdk.isRun402Error(e), `${e}`));
    }
  }
  const networks = new Proxy(["eip155:84532"], { get(t, k) { if (k === "0") throw new Error("index"); return t[k]; } });
  for (let i = 0; i < 300; i++) {
    assert.throws(() => stub(undefined, { opts: { payments: { networks } } }), (e) => sdk.isLocalError(e));
  }
  assert.deepEqual(await stub().r.service.health(), {});
});

test("a provider that starts a call while another is resuming never crosses them", async () => {
  // getProject is async (the outer call parks, then resumes); getAuth, called
  // during that resume, synchronously starts another call on the same client.
  let r;
  const inner = [];
  const seen = [];
  const fetch = async (url, init) => {
    seen.push({ url, auth: init.headers.Authorization ?? init.headers.authorization });
    return ok({ url });
  };
  r = new Run402({
    apiBase: "https://api.test",
    credentials: {
      getProject: async (id) => ({ anon_key: `anon-${id}`, service_key: `svc-${id}` }),
      getAuth: (path) => {
        if (path.startsWith("/projects/v1/admin/prj_outer")) inner.push(r.projects.getSchema("prj_inner"));
        return null;
      },
    },
    fetch,
  });
  const outer = await r.projects.getSchema("prj_outer");
  const innerResult = await inner[0];
  assert.match(outer.url, /prj_outer/);
  assert.match(innerResult.url, /prj_inner/);
  for (const s of seen) assert.equal(s.auth, `Bearer svc-${s.url.includes("prj_outer") ? "prj_outer" : "prj_inner"}`, s.url);
  assert.equal(seen.length, 2);
});

async function wallet(usdc) {
  const privateKey = generatePrivateKey();
  const address = privateKeyToAccount(privateKey).address;
  await sim("fund", { address, amount: Math.round(usdc * 1e6) });
  return { address, privateKey };
}

test("concurrent paid calls with an async getAuth never spend past the total cap", async () => {
  const w = await wallet(5);
  // A getAuth that waits on real I/O (a timer here), as a vault lookup would:
  // other calls' 402s are handled while it is pending.
  const signing = allowanceCredentials({ allowance: w, projects: {} });
  const credentials = { ...signing, getAuth: async (...a) => { await new Promise((t) => setTimeout(t, 50)); return signing.getAuth(...a); } };
  const r = new Run402({ apiBase: await simulator(), credentials, payments: { maxTotal: "0.25" } });
  const results = await paying(() => Promise.allSettled(Array.from({ length: 10 }, () => r.projects.provision({ tier: "prototype" }))));
  const paid = results.filter((x) => x.status === "fulfilled");
  const refused = results.filter((x) => x.status === "rejected");
  assert.equal(paid.length, 2, "exactly two $0.10 payments fit under $0.25");
  for (const x of refused) assert.ok(sdk.isPaymentRequired(x.reason), `${x.reason}`);
  assert.deepEqual(await r.payments.spent(), { total: "0.20", baseUnits: "200000", count: 2 });
  const ledger = await sim(`ledger?address=${w.address}`);
  assert.equal(ledger.balances["eip155:84532"], 4_800_000, "the wallet paid $0.20, no more");
});

test("private keys that are not key-sized strings are refused before they reach wasm memory", () => {
  const mem = () => wasmExports().memory.buffer.byteLength;
  const before = mem();
  for (const bad of [42, {}, { length: 4e6 }, { length: 2 ** 31 }, null, undefined, Symbol("k"), 10n, "0x" + "a".repeat(10_000_000)]) {
    for (let i = 0; i < 60; i++) {
      assert.throws(() => core.signInHeader(bad, "https://api.test/x"), (e) => typeof e === "string" && /private key/.test(e));
    }
  }
  assert.ok(mem() - before < 1 << 20, `wasm memory grew by ${mem() - before} bytes`);
});

test("a fetch rejecting with a plain object never puts it (or the service key in it) in the message", async () => {
  const { r } = stub(undefined, { opts: { fetch: (url, init) => Promise.reject({ reason: "offline", url, init }) } });
  const e = await rejectsKind(r.projects.getSchema("prj_1"), "network_error");
  assert.doesNotMatch(e.message, /SECRET|Bearer|offline/);
  assert.doesNotMatch(JSON.stringify(e), /SECRET/);
  assert.equal(e.cause.reason, "offline", "the value itself is the cause");
});

test("no copy of the private key is left in wasm memory after signing", async () => {
  const privateKey = generatePrivateKey();
  const hex = privateKey.slice(2);
  const raw = Buffer.from(hex, "hex");
  const leaks = () => {
    const m = Buffer.from(wasmExports().memory.buffer);
    const found = [];
    // Any 16 consecutive hex digits of the key, or 8 consecutive raw bytes.
    for (let i = 0; i + 16 <= hex.length; i += 4) if (m.includes(Buffer.from(hex.slice(i, i + 16)))) found.push(`hex@${i}`);
    for (let i = 0; i + 8 <= raw.length; i += 4) if (m.includes(raw.subarray(i, i + 8))) found.push(`raw@${i}`);
    return found;
  };
  core.signInHeader(privateKey, "https://api.test/projects/v1");
  assert.deepEqual(leaks(), [], "after signInHeader");
  signTransferAuthorization(privateKey, { name: "USDC", version: "2", chainId: 84532, verifyingContract: "0x036CbD53842c5426634e7929541eC2318f3dCF7e" }, {
    from: privateKeyToAccount(privateKey).address, to: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", value: "100000",
    validAfter: "0", validBefore: "9999999999", nonce: "0x" + "11".repeat(32),
  });
  assert.deepEqual(leaks(), [], "after signTransferAuthorization");
  // A paid call signs both a sign-in and a payment from the allowance.
  const w = { address: privateKeyToAccount(privateKey).address, privateKey };
  await sim("fund", { address: w.address, amount: 1_000_000 });
  const r = new Run402({ apiBase: await simulator(), credentials: allowanceCredentials({ allowance: w, projects: {} }) });
  await paying(() => r.projects.provision({ tier: "prototype" }));
  assert.deepEqual(leaks(), [], "after a paid provision");
  // allowance.create makes a key in wasm and hands it to saveAllowance.
  let saved;
  const c = new Run402({ apiBase: "https://api.test", credentials: { getAuth: () => null, getProject: () => null, readAllowance: () => saved ?? null, saveAllowance: (a) => { saved = a; } } });
  await c.allowance.create();
  const made = saved.privateKey.slice(2);
  const m = Buffer.from(wasmExports().memory.buffer);
  for (let i = 0; i + 16 <= made.length; i += 4) assert.ok(!m.includes(Buffer.from(made.slice(i, i + 16))), `created key hex@${i} left in memory`);
});

test("project ids '.' and '..' are refused before any request", async () => {
  const { r, sent } = stub();
  for (const id of [".", "..", "..."]) {
    await rejectsKind(r.projects.pin(id), "local_error");
    await rejectsKind(r.projects.delete(id), "local_error");
    await rejectsKind(r.projects.sql(id, "select 1"), "local_error");
  }
  assert.equal(sent.length, 0);
});

test("small ones: apiBase must be an http(s) URL; detached methods work; a 30k-key provider record is fast", async () => {
  for (const apiBase of ["not a url", "ftp://x", "https://", "api.run402.com"]) {
    assert.throws(() => new Run402({ apiBase, credentials: { getAuth() {}, getProject() {} } }), (e) => sdk.isLocalError(e) && /apiBase/.test(e.message));
  }
  const { r } = stub();
  const { getUsage } = r.projects;
  assert.deepEqual(await getUsage("prj_1"), {});
  assert.equal(r.projects.usage, r.projects.getUsage, "aliases are one function");
  const big = { ...KEYS };
  for (let i = 0; i < 30_000; i++) big[`k${i}`] = "v";
  const { r: r2 } = stub(undefined, { credentials: { getProject: () => big } });
  const t0 = performance.now();
  const info = await r2.projects.info("prj_1");
  const ms = performance.now() - t0;
  assert.equal(info.k29999, "v");
  // Quadratic merging took about 4 s here; linear takes a few ms.
  assert.ok(ms < 1000, `projects.info took ${ms.toFixed(0)} ms`);
});

test("timeouts: a fetch, a body read or a provider that never settles fails with NetworkError TIMEOUT", async () => {
  let signal;
  const never = (url, init) => { signal = init.signal; return new Promise(() => {}); };
  const { r } = stub(never, { opts: { timeoutMs: 50 } });
  const e = await rejectsKind(r.projects.getSchema("prj_1"), "network_error");
  assert.equal(e.code, "TIMEOUT");
  assert.match(e.message, /50 ms/);
  assert.equal(signal.aborted, true, "the fetch was aborted");
  assert.ok(sdk.isRetryableRun402Error(e));

  const slowBody = () => ({ status: 200, headers: new Headers({ "content-type": "application/json" }), text: () => new Promise(() => {}) });
  const e2 = await rejectsKind(stub(slowBody, { opts: { timeoutMs: 50 } }).r.projects.getSchema("prj_1"), "network_error");
  assert.equal(e2.code, "TIMEOUT");

  const { r: r3, sent } = stub(undefined, { opts: { timeoutMs: 50 }, credentials: { getProject: () => new Promise(() => {}) } });
  const e3 = await rejectsKind(r3.projects.getSchema("prj_1"), "network_error");
  assert.equal(e3.code, "TIMEOUT");
  assert.equal(sent.length, 0);

  // Per call: the options object's timeoutMs overrides the client's.
  const { r: r4 } = stub(never);
  assert.equal((await rejectsKind(r4.projects.rest("prj_1", "t", { timeoutMs: 30 }), "network_error")).code, "TIMEOUT");
  await rejectsKind(r4.projects.rest("prj_1", "t", { timeoutMs: -1 }), "local_error");
  await rejectsKind(r4.projects.rest("prj_1", "t", { signal: {} }), "local_error");
  assert.throws(() => new Run402({ apiBase: "https://x", credentials: { getAuth() {}, getProject() {} }, timeoutMs: "soon" }), (x) => sdk.isLocalError(x));
});

test("an AbortSignal stops a call: NetworkError ABORTED, fetch aborted, not retried", async () => {
  let signal;
  const never = (url, init) => { signal = init.signal; return new Promise(() => {}); };
  const { r, sent } = stub(never);
  const ac = new AbortController();
  const pending = r.projects.rest("prj_1", "todos", { signal: ac.signal });
  setTimeout(() => ac.abort(new Error("user left")), 20);
  const e = await rejectsKind(pending, "network_error");
  assert.equal(e.code, "ABORTED");
  assert.equal(signal.aborted, true);
  assert.equal(e.cause.message, "user left");
  assert.equal(sdk.isRetryableRun402Error(e), false);
  // Already aborted: nothing is sent.
  const before = sent.length;
  await rejectsKind(r.projects.rest("prj_1", "todos", { signal: AbortSignal.abort() }), "network_error");
  assert.equal(sent.length, before);
  let attempts = 0;
  await rejectsKind(withRetry(() => { attempts++; return r.projects.rest("prj_1", "t", { signal: AbortSignal.abort() }); }, { baseDelayMs: 1 }), "network_error");
  assert.equal(attempts, 1, "withRetry does not retry an aborted call");
});

test("a paid call whose answer times out is retried with the same idempotency key and paid once", async () => {
  const w = await wallet(1);
  const base = await simulator();
  const keys = [];
  let held = 0;
  // Forwards to the simulator, but loses the answer to the first paid resend
  // (the server has charged): the client times out and withRetry retries.
  const lossy = async (url, init) => {
    const res = await fetch(url, init);
    if (init.method === "POST") keys.push(init.headers["Idempotency-Key"]);
    const paidResend = Object.keys(init.headers).some((h) => /^(payment-signature|x-payment)$/i.test(h));
    if (paidResend && held++ === 0) return new Promise(() => {});
    return res;
  };
  const r = new Run402({ apiBase: base, credentials: allowanceCredentials({ allowance: w, projects: {} }), fetch: lossy, timeoutMs: 1500 });
  const project = await paying(() => withRetry(() => r.projects.provision({ tier: "prototype" }), { baseDelayMs: 10 }));
  assert.match(project.project_id, /^prj_/);
  assert.ok(keys.length >= 3 && keys.every((k) => k === keys[0]), `keys: ${keys}`);
  const ledger = await sim(`ledger?address=${w.address}`);
  assert.equal(ledger.balances["eip155:84532"], 900_000, "charged exactly once");
});
