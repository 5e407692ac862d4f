// Secrets never leak into errors or logs. Every failure mode we can provoke
// (fetch and provider failures that carry the request, HTTP error answers
// from the simulator, payment refusals, bad keys) is run with known secrets
// in play: a service key, an anon key and an allowance private key (with and
// without its 0x). None may appear in an error's message, stack, toJSON(),
// JSON.stringify, or util.inspect (depth 10, hidden properties shown), nor in
// anything written to the console during the calls.
//
// `cause` is left out of the inspection on purpose: it holds the caller's
// own value unchanged (a fetch rejecting with its init, say), which is the
// caller's to log or not; the SDK must not copy it into anything it writes
// itself. So `cause` is removed before inspect, and toJSON must not carry it.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { sdk, simulator, sim } from "./helpers.mjs";
import { ask402, b64, json, OFFER } from "./stub-responses.mjs";

const { Run402, allowanceCredentials } = sdk;

const SERVICE = "svc-SECRET-5f0c1d2e3a4b";
const ANON = "anon-SECRET-9a8b7c6d5e4f";
const KEY = generatePrivateKey();            // 0x + 64 hex digits
const KEY_HEX = KEY.slice(2);
const ADDRESS = privateKeyToAccount(KEY).address;
const SECRETS = { SERVICE, ANON, KEY, KEY_HEX };


function keyedProvider(extra = {}) {
  return {
    getAuth: () => null,
    getProject: () => ({ anon_key: ANON, service_key: SERVICE }),
    readAllowance: () => ({ address: ADDRESS, privateKey: KEY }),
    ...extra,
  };
}

const stubClient = (fetch, credentials = keyedProvider(), extra = {}) =>
  new Run402({ apiBase: "https://api.secrets.test", credentials, fetch, ...extra });

/** Every text the SDK produced for `e`, cause excluded (see the header). */
function surfaces(e) {
  const out = { message: String(e?.message), stack: String(e?.stack), string: String(e) };
  if (typeof e?.toJSON === "function") {
    const j = e.toJSON();
    assert.ok(!Object.hasOwn(j, "cause"), "toJSON must not carry cause");
    out.toJSON = JSON.stringify(j);
  }
  out.stringify = JSON.stringify(e);
  const had = Object.hasOwn(e, "cause");
  const cause = e.cause;
  if (had) delete e.cause;
  try {
    out.inspect = inspect(e, { depth: 10, showHidden: true });
  } finally {
    if (had) e.cause = cause;
  }
  return out;
}

/**
 * Runs `call`, capturing console output; returns the error it failed with,
 * or null if it succeeded and `mayPass` allows that.
 */
async function failure(label, call, { mayPass = false } = {}) {
  const logged = [];
  const saved = {};
  for (const m of ["log", "info", "warn", "error", "debug", "trace"]) {
    saved[m] = console[m];
    console[m] = (...args) => logged.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 10 }))).join(" "));
  }
  let error;
  try {
    await call();
  } catch (e) {
    error = e;
  } finally {
    Object.assign(console, saved);
  }
  if (error === undefined && mayPass) return null;
  assert.ok(error !== undefined, `${label}: the call was expected to fail`);
  assert.ok(sdk.isRun402Error(error), `${label}: not a Run402 error: ${error}`);
  return { error, logged };
}

const checked = [];
// Leaks found by the current test: all are listed when it ends, not just the first.
let found = [];

/** Where a secret shows up in what the SDK produced for a failure. */
function leaksOf(label, { error, logged }) {
  const texts = { ...surfaces(error), console: logged.join("\n") };
  const out = [];
  for (const [name, secret] of Object.entries(SECRETS)) {
    const where = Object.keys(texts).filter((w) => texts[w].includes(secret));
    if (where.length) out.push(`${label}: the ${name} secret appears in the error's ${where.join(", ")} (message: ${texts.message.slice(0, 160)})`);
  }
  return out;
}

function assertClean(label, failed) {
  found.push(...leaksOf(label, failed));
  checked.push(label);
}

async function expectClean(label, call, opts) {
  const failed = await failure(label, call, opts);
  if (failed) assertClean(label, failed);
}

function noLeaks() {
  const leaks = found;
  found = [];
  assert.equal(leaks.length, 0, `${leaks.length} leaks:\n${leaks.join("\n")}`);
}

before(async () => { await simulator(); });

test("fetch failures that carry the request (and its Authorization header) do not leak it", async () => {
  // What a fetch might fail with, each holding the init the SDK passed,
  // whose headers hold the project's key.
  const rejections = {
    "rejects with a plain object holding init": (url, init) => Promise.reject({ reason: "offline", url, init }),
    "rejects with a plain object holding the headers": (url, init) => Promise.reject({ headers: init.headers }),
    "rejects with an Error whose message is the init": (url, init) => Promise.reject(new Error(`failed: ${JSON.stringify(init)}`)),
    "throws an Error whose message holds the header": (url, init) => { throw new Error(`no route for ${init.headers.Authorization ?? init.headers.authorization}`); },
    "rejects with a string holding the init": (url, init) => Promise.reject(JSON.stringify(init)),
    "resolves to a non-Response holding init": (url, init) => ({ init }),
    "body read fails with the init": (url, init) => ({ status: 200, headers: new Headers(), text: () => Promise.reject({ init }) }),
    "body read fails with an Error holding the header": (url, init) => ({ status: 200, headers: new Headers(),
      text: () => Promise.reject(new Error(JSON.stringify(init.headers))) }),
  };
  for (const [how, fetch] of Object.entries(rejections)) {
    const r = stubClient(fetch);
    await expectClean(`service key; fetch ${how}`, () => r.projects.getUsage("prj_1"));
    await expectClean(`service-key SQL; fetch ${how}`, () => r.projects.sql("prj_1", "SELECT 1"));
    await expectClean(`anon key; fetch ${how}`, () => r.projects.rest("prj_1", "todos"));
  }
  noLeaks();
});

test("provider failures with the secrets in hand do not leak them", async () => {
  const cases = {
    "getAuth rejects with the allowance": { getAuth: () => Promise.reject({ allowance: { address: ADDRESS, privateKey: KEY } }) },
    "getAuth throws the key as a plain object": { getAuth: () => { throw { privateKey: KEY_HEX }; } },
    "getProject rejects with the keys object": { getProject: () => Promise.reject({ keys: { anon_key: ANON, service_key: SERVICE } }) },
    "readAllowance rejects with the allowance": { readAllowance: () => Promise.reject({ address: ADDRESS, privateKey: KEY }) },
    "getProject returns keys with a line break": { getProject: () => ({ anon_key: ANON, service_key: `${SERVICE}\r\nX: 1` }) },
    "getProject returns only a service key": { getProject: () => ({ service_key: SERVICE }) },
    "getAuth returns the key in a bad header": { getAuth: () => ({ Authorization: `Bearer ${SERVICE}\n` }) },
  };
  const fetch = () => ask402();
  for (const [how, over] of Object.entries(cases)) {
    const r = stubClient(fetch, keyedProvider(over));
    await expectClean(`${how}: getUsage`, () => r.projects.getUsage("prj_1"));
    await expectClean(`${how}: paid provision`, () => r.projects.provision({ tier: "prototype" }));
    await expectClean(`${how}: tier.status`, () => r.tier.status());
  }
  noLeaks();
});

test("HTTP error answers from the simulator do not leak the keys sent", async () => {
  const apiBase = await simulator();
  // Keys the gateway does not know: every call is refused by the gateway itself.
  const r = new Run402({ apiBase, credentials: keyedProvider({ getAuth: () => ({ Authorization: `Bearer ${SERVICE}` }) }) });
  await expectClean("unknown project, bad service key: getUsage", () => r.projects.getUsage("prj_doesnotexist"));
  await expectClean("bad service key: sql", () => r.projects.sql("prj_doesnotexist", "SELECT 1"));
  await expectClean("bad anon key: rest", () => r.projects.rest("prj_doesnotexist", "todos"));
  await expectClean("bad service key: delete", () => r.projects.delete("prj_doesnotexist"));
  await expectClean("bad bearer: tier.status", () => r.tier.status());
  for (const status of [400, 401, 403, 404, 409, 429, 500, 502, 503]) {
    const stub = stubClient(() => json(status, { message: "no", code: "NOPE" }));
    await expectClean(`stub HTTP ${status}`, () => stub.projects.sql("prj_1", "SELECT 1"));
  }
  noLeaks();
});

test("payment refusals and bad allowance keys do not leak the private key", async () => {
  const badKeys = {
    "no 0x": KEY_HEX,
    "one digit short": KEY.slice(0, -1),
    "a non-hex digit": `${KEY.slice(0, -1)}g`,
    "zero": `0x${"0".repeat(64)}`,
    "over the curve order": `0x${"f".repeat(64)}`,
    "with spaces": ` ${KEY} `,
  };
  // The key in `SECRETS` is the valid one; bad keys are secrets too.
  for (const [how, privateKey] of Object.entries(badKeys)) {
    SECRETS[`bad key (${how})`] = privateKey.trim();
    const r = stubClient(() => ask402(), keyedProvider({ readAllowance: () => ({ address: ADDRESS, privateKey }) }));
    await expectClean(`paying with a key ${how}`, () => r.projects.provision({ tier: "prototype" }));
    const signedIn = stubClient(() => json(200, {}), allowanceCredentials({ allowance: { address: ADDRESS, privateKey } }));
    await expectClean(`signing in with a key ${how}`, () => signedIn.tier.status(), { mayPass: true });
    await expectClean(`signTransferAuthorization with a key ${how}`, async () => sdk.signTransferAuthorization(privateKey,
      { name: "USDC", version: "2", chainId: 84532, verifyingContract: OFFER.accepts[0].asset },
      { from: ADDRESS, to: OFFER.accepts[0].payTo, value: "1", validAfter: "0", validBefore: "9999999999", nonce: `0x${"ab".repeat(32)}` }),
      { mayPass: true }); // the key without 0x (or padded) may be accepted: then there is no error to inspect
    delete SECRETS[`bad key (${how})`];
  }
  const other = privateKeyToAccount(generatePrivateKey()).address;
  const mismatch = stubClient(() => ask402(), keyedProvider({ readAllowance: () => ({ address: other, privateKey: KEY }) }));
  await expectClean("an allowance whose address is not its key's", () => mismatch.projects.provision({ tier: "prototype" }));
  const capped = stubClient(() => ask402(), keyedProvider(), { payments: { maxPerRequest: "0.01" } });
  await expectClean("the spend policy refuses", () => capped.projects.provision({ tier: "prototype" }));
  const none = stubClient(() => ask402(), keyedProvider({ readAllowance: () => null }));
  await expectClean("no allowance", () => none.projects.provision({ tier: "prototype" }));
  // Pays, and the server refuses the payment: the signed header went out.
  const refused = stubClient((url, init) => (init.headers["PAYMENT-SIGNATURE"]
    ? json(402, { message: "payment rejected" }, { "payment-required": b64(JSON.stringify({ ...OFFER, error: "invalid_signature" })) })
    : ask402()));
  const e = await failure("the server refuses the payment", () => refused.projects.provision({ tier: "prototype" }));
  assertClean("the server refuses the payment", e);
  assert.equal(e.error.kind, "payment_required");
  // The price stays visible over JSON (reason and requirements, no secret).
  const envelope = e.error.toJSON();
  assert.match(envelope.reason, /refused the payment/);
  assert.deepEqual(envelope.requirements, OFFER.accepts);
  noLeaks();
});

test("a real paid flow that fails at the gateway does not leak the key", async () => {
  // Payments on, an unfunded wallet: the simulator refuses at settlement.
  await sim("config", { payments: true, x402Versions: [1, 2], networks: ["eip155:84532"], priceOverride: null });
  try {
    const r = new Run402({ apiBase: await simulator(), credentials: allowanceCredentials({ allowance: { address: ADDRESS, privateKey: KEY }, projects: {} }) });
    await expectClean("unfunded wallet pays at the simulator", () => r.projects.provision({ tier: "prototype" }));
  } finally {
    await sim("config", { payments: false, x402Versions: [1, 2], networks: ["eip155:84532"], priceOverride: null });
  }
  noLeaks();
});

test("the secrets checks are not vacuous", () => {
  // The checker itself must see a secret that is there.
  const leaky = new sdk.LocalError(`boom ${SERVICE}`, "c");
  assert.match(leaksOf("planted", { error: leaky, logged: [] }).join("\n"), /SERVICE secret appears in the error's message/);
  const logged = { error: new sdk.LocalError("fine", "c"), logged: [`log ${KEY_HEX}`] };
  assert.match(leaksOf("planted log", logged).join("\n"), /KEY_HEX secret appears in the error's console/);
  assert.ok(checked.length > 60, `only ${checked.length} failure modes were checked`);
});
