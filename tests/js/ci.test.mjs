// r.ci and the CI root exports, through the built package:
// - the delegation helpers byte-identical to @run402/sdk 3.3.3's for the
//   same inputs (clock and nonce pinned), the reference imported here;
// - every ci member and its error paths against the simulator, whose local
//   OIDC issuer (tests/gateway/oidc.mjs) plays GitHub Actions;
// - end to end: a wallet links a binding, a "job" gets an OIDC token from
//   the issuer, githubActionsCredentials exchanges it, the session is used.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import * as reference from "@run402/sdk";
import { signCiDelegation as referenceSign } from "@run402/sdk/node";

import { siwxHeaders } from "../gateway/test-signer.mjs";
import { sdk, simulator, sim, rejectsKind } from "./helpers.mjs";

const { Run402, allowanceCredentials, signCiDelegation, buildCiDelegationStatement, buildCiDelegationResourceUri } = sdk;

let base;
let dir;
before(async () => {
  base = await simulator();
  dir = mkdtempSync(join(tmpdir(), "run402-ci-"));
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

const nonce = () => randomBytes(16).toString("hex");
const wallet = () => {
  const privateKey = generatePrivateKey();
  return { address: privateKeyToAccount(privateKey).address, privateKey };
};
const decode = (signed) => JSON.parse(Buffer.from(signed, "base64").toString("utf8"));

/** What the reference's Node signCiDelegation needs: the wallet in a file. */
function allowanceFile(w) {
  const path = join(dir, `allowance-${w.address}.json`);
  writeFileSync(path, JSON.stringify({ address: w.address, privateKey: w.privateKey }));
  return path;
}

const SAMPLES = [
  {
    project_id: "prj_1",
    subject_match: "repo:acme/site:ref:refs/heads/main",
    allowed_actions: ["deploy"],
    allowed_events: ["push", "workflow_dispatch"],
    github_repository_id: "123456789",
    expires_at: null,
    nonce: "0123456789abcdef0123456789abcdef",
  },
  {
    project_id: "prj_2",
    subject_match: "repo:Acme Co/n(1)!'~x:*",
    allowed_actions: ["deploy", "deploy"],
    allowed_events: ["workflow_dispatch", "push", "push", "\u{ff5e}", "\u{1f600}", "release"],
    route_scopes: ["/api/*", "/admin", "/a b/%C3%A9", "/Zed/"],
    expires_at: "2031-02-03T04:05:06.000Z",
    nonce: "ffffffffffffffff",
  },
  {
    project_id: "prj_3",
    issuer: "https://issuer.example/x?y=1",
    audience: "https://gw.example:8443",
    subject_match: "repo:o/n:environment:prod",
    allowed_actions: ["deploy"],
    allowed_events: ["push"],
    route_scopes: [],
    github_repository_id: null,
    nonce: "a".repeat(64),
  },
];

// ── byte-identical to @run402/sdk 3.3.3 ──

test("buildCiDelegationStatement and buildCiDelegationResourceUri match the reference byte for byte", () => {
  for (const values of SAMPLES) {
    assert.equal(buildCiDelegationStatement(values), reference.buildCiDelegationStatement(values), values.project_id);
    assert.equal(buildCiDelegationResourceUri(values), reference.buildCiDelegationResourceUri(values), values.project_id);
  }
  assert.match(buildCiDelegationResourceUri(SAMPLES[1]), /&route_scopes=%2FZed%2F,%2Fa%20b%2F%25C3%25A9,%2Fadmin,%2Fapi%2F\*&/);
});

test("signCiDelegation matches the reference's for the same wallet, clock and nonce", () => {
  const w = wallet();
  const allowancePath = allowanceFile(w);
  const cases = [
    { apiBase: "https://api.run402.com" },
    { apiBase: "http://127.0.0.1:4402/some/prefix?q=1", nonce: "customNonce42" },
    { apiBase: "https://API.Example.COM:443", chainId: "eip155:8453" },
  ];
  for (const values of SAMPLES) {
    for (const opts of cases) {
      const pinned = { ...opts, issuedAt: "2030-01-02T03:04:05.678Z", expirationTime: "2030-01-02T03:09:05.678Z" };
      const ours = signCiDelegation(values, { ...pinned, allowance: w });
      const theirs = referenceSign(values, { ...pinned, allowancePath });
      assert.equal(ours, theirs, `${values.project_id} ${JSON.stringify(opts)}`);
    }
  }
  const payload = decode(signCiDelegation(SAMPLES[0], { allowance: w, apiBase: "https://api.run402.com" }));
  assert.equal(payload.nonce, SAMPLES[0].nonce.slice(0, 16));
  assert.equal(payload.uri, "https://api.run402.com/ci/v1/bindings");
  assert.equal(payload.address, w.address);
  assert.equal(Date.parse(payload.expirationTime) - Date.parse(payload.issuedAt), 5 * 60 * 1000);
});

test("bad delegation values are LocalErrors in both SDKs", () => {
  const good = SAMPLES[0];
  const bad = [
    null,
    { ...good, project_id: "" },
    { ...good, subject_match: "*" },
    { ...good, subject_match: "repo:a/*:b" },
    { ...good, subject_match: "a\u0001" },
    { ...good, subject_match: "x".repeat(257) },
    { ...good, nonce: "ABCDEF0123456789" },
    { ...good, nonce: "0123456789abcde" },
    { ...good, allowed_actions: ["deploy", "admin"] },
    { ...good, allowed_actions: "deploy" },
    { ...good, allowed_events: [] },
    { ...good, allowed_events: ["push", 1] },
    { ...good, route_scopes: ["api"] },
    { ...good, route_scopes: ["/a?b"] },
    { ...good, route_scopes: ["/a%"] },
    { ...good, route_scopes: ["/a*"] },
    { ...good, route_scopes: ["/*"] },
    { ...good, route_scopes: ["/a", "/a/"] },
    { ...good, route_scopes: Array.from({ length: 101 }, (_, i) => `/p${i}`) },
    { ...good, route_scopes: [`/${"a".repeat(256)}`] },
    { ...good, allowed_events: Array.from({ length: 800 }, (_, i) => `event-${i}`) }, // statement over 8192 bytes
  ];
  for (const values of bad) {
    const label = JSON.stringify(values)?.slice(0, 80);
    assert.throws(() => reference.buildCiDelegationStatement(values), (e) => e.kind === "local_error", `reference: ${label}`);
    assert.throws(() => buildCiDelegationStatement(values), (e) => e instanceof sdk.LocalError && e.kind === "local_error", `ours: ${label}`);
  }
  // Only the URI limit: a long project id fits the statement but not the URI.
  const long = { ...good, project_id: "p".repeat(4100) };
  assert.throws(() => reference.buildCiDelegationResourceUri(long), (e) => e.kind === "local_error");
  assert.throws(() => buildCiDelegationResourceUri(long), (e) => e.kind === "local_error" && /4096/.test(e.message) && e.context === "building CI delegation resource URI");
  assert.throws(() => buildCiDelegationStatement({ ...good, allowed_events: Array.from({ length: 800 }, (_, i) => `event-${i}`) }), (e) => /8192/.test(e.message));
});

test("signCiDelegation refuses a missing or unreadable wallet and bad options, and never quotes the key", () => {
  const w = wallet();
  const good = SAMPLES[0];
  for (const opts of [undefined, {}, { allowance: null }, { allowance: { address: w.address } }, { allowance: { privateKey: "0x12" } }, { allowance: w, apiBase: "ftp://x" }, { allowance: w, apiBase: "not a url" }, { allowance: w, issuedAt: 5 }, 7]) {
    assert.throws(() => signCiDelegation(good, opts), (e) => e.kind === "local_error" && !e.message.includes(w.privateKey.slice(2)), JSON.stringify(opts));
  }
  const hostile = { allowance: { get privateKey() { throw new Error("boom"); } } };
  assert.throws(() => signCiDelegation(good, hostile), (e) => e.kind === "local_error");
  assert.throws(() => signCiDelegation({ ...good, nonce: "x" }, { allowance: w }), (e) => e.kind === "local_error" && e.context === "validating CI delegation");
});

test("the constants are the reference's", () => {
  assert.equal(sdk.CI_GITHUB_ACTIONS_PROVIDER, reference.CI_GITHUB_ACTIONS_PROVIDER);
  assert.deepEqual([...sdk.V1_CI_ALLOWED_ACTIONS], reference.V1_CI_ALLOWED_ACTIONS);
  assert.deepEqual([...sdk.V1_CI_ALLOWED_EVENTS_DEFAULT], reference.V1_CI_ALLOWED_EVENTS_DEFAULT);
  assert.ok(Object.isFrozen(sdk.V1_CI_ALLOWED_EVENTS_DEFAULT), "shared arrays cannot be changed by one caller for all");
});

// ── against the simulator ──

/** A wallet that owns a fresh project, and its client. */
async function owner() {
  const w = wallet();
  const r = new Run402({ apiBase: base, credentials: allowanceCredentials({ allowance: w, projects: {} }) });
  const { project_id: projectId } = await r.projects.provision({ tier: "prototype" });
  return { w, r, projectId };
}

const REPO = { repository: "acme/site", repository_id: "424242" };

function delegationValues(projectId, extra = {}) {
  return {
    project_id: projectId,
    subject_match: "repo:acme/site:ref:refs/heads/main",
    allowed_actions: sdk.V1_CI_ALLOWED_ACTIONS,
    allowed_events: sdk.V1_CI_ALLOWED_EVENTS_DEFAULT,
    github_repository_id: REPO.repository_id,
    expires_at: null,
    nonce: nonce(),
    ...extra,
  };
}

async function link(o, extra = {}, signer = o.w) {
  const values = delegationValues(o.projectId, extra);
  const signed_delegation = signCiDelegation(values, { allowance: signer, apiBase: base });
  return o.r.ci.createBinding({ ...values, provider: sdk.CI_GITHUB_ACTIONS_PROVIDER, signed_delegation });
}

/** A GitHub Actions job's OIDC environment from the local issuer. */
async function job(claims = {}) {
  const { request_url, request_token } = await sim("oidc/jobs", { ...REPO, ...claims });
  return { ACTIONS_ID_TOKEN_REQUEST_URL: request_url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: request_token };
}

const mint = async (claims = {}) => (await sim("oidc/tokens", { ...REPO, ...claims })).value;
const anonymous = () => new Run402({ apiBase: base, credentials: { getAuth: () => null, getProject: () => null } });

test("createBinding, getBinding, listBindings, revokeBinding: the owner's wallet links and unlinks CI", async () => {
  const o = await owner();
  const row = await link(o, { allowed_events: ["workflow_dispatch", "push", "push"], route_scopes: ["/api/*", "/admin"] });
  assert.match(row.id, /^cib_/);
  assert.equal(row.project_id, o.projectId);
  assert.equal(row.issuer, "https://token.actions.githubusercontent.com");
  assert.deepEqual(row.allowed_actions, ["deploy"]);
  assert.deepEqual(row.allowed_events, ["push", "workflow_dispatch"]);
  assert.deepEqual(row.route_scopes, ["/admin", "/api/*"]);
  assert.equal(row.github_repository_id, "424242");
  assert.equal(row.created_by, o.w.address.toLowerCase());
  assert.equal(row.created_sig.signer, o.w.address.toLowerCase());
  assert.deepEqual([row.revoked_at, row.last_used_at, row.use_count, row.expires_at], [null, null, 0, null]);

  assert.deepEqual(await o.r.ci.getBinding(row.id), row);
  const { bindings } = await o.r.ci.listBindings({ project: o.projectId });
  assert.deepEqual(bindings.map((b) => b.id), [row.id]);

  const revoked = await o.r.ci.revokeBinding(row.id);
  assert.equal(revoked.id, row.id);
  assert.ok(Date.parse(revoked.revoked_at) > 0);
  assert.equal((await o.r.ci.getBinding(row.id)).revoked_at, revoked.revoked_at);

  // Another wallet sees none of it.
  const other = await owner();
  await rejectsKind(other.r.ci.getBinding(row.id), "unauthorized", (e) => assert.equal(e.status, 403));
  await rejectsKind(other.r.ci.listBindings({ project: o.projectId }), "unauthorized", (e) => assert.equal(e.status, 403));
  await rejectsKind(o.r.ci.getBinding("cib_nope"), "api_error", (e) => assert.equal(e.status, 404));
  await rejectsKind(anonymous().ci.listBindings({ project: o.projectId }), "unauthorized", (e) => assert.equal(e.status, 401));
});

test("createBinding: the gateway's delegation checks answer the contract's codes", async () => {
  const o = await owner();
  const code = (expected, status) => (e) => assert.deepEqual([e.body?.code, e.status], [expected, status], e.message);
  const send = (values, signed_delegation) => o.r.ci.createBinding({ ...values, provider: "github-actions", signed_delegation });

  // Signed by a wallet that is not the one signing the request.
  await rejectsKind(link(o, {}, wallet()), "unauthorized", code("signer_mismatch", 403));
  // Signed for other values than the ones sent.
  const values = delegationValues(o.projectId);
  const signedPush = signCiDelegation({ ...values, allowed_events: ["push"] }, { allowance: o.w, apiBase: base });
  await rejectsKind(send(values, signedPush), "api_error", code("delegation_statement_mismatch", 400));
  // A custom issuer: the statement names none, so only the Resource URI differs.
  const signedIssuer = signCiDelegation({ ...values, issuer: "https://evil.example" }, { allowance: o.w, apiBase: base });
  await rejectsKind(send(values, signedIssuer), "api_error", code("delegation_resource_uri_mismatch", 400));
  // Not base64 JSON; too large; a SIWX nonce the gateway refuses; a broken signature; another gateway's URI.
  await rejectsKind(send(values, "not base64 json"), "api_error", code("delegation_parse_failed", 400));
  await rejectsKind(send(values, "A".repeat(20_000)), "api_error", code("delegation_oversized", 400));
  await rejectsKind(send(values, signCiDelegation(values, { allowance: o.w, apiBase: base, nonce: "abc" })), "api_error", code("delegation_nonce_invalid", 400));
  const payload = decode(signCiDelegation(values, { allowance: o.w, apiBase: base }));
  // One hex digit of r changed: never an equivalent signature (overwriting
  // the last byte of s and v could leave it unchanged, about 1 run in 512).
  const sig = payload.signature;
  const flipped = `${sig.slice(0, 10)}${sig[10] === "0" ? "1" : "0"}${sig.slice(11)}`;
  const tampered = Buffer.from(JSON.stringify({ ...payload, signature: flipped })).toString("base64");
  await rejectsKind(send(values, tampered), "api_error", code("delegation_signature_invalid", 400));
  await rejectsKind(send(values, signCiDelegation(values, { allowance: o.w, apiBase: "https://api.run402.com" })), "api_error", code("delegation_signature_invalid", 400));

  // The same nonce twice, even after revoking; the same subject twice while live.
  const first = await send(values, signCiDelegation(values, { allowance: o.w, apiBase: base }));
  await rejectsKind(link(o), "api_error", code("duplicate", 409));
  await o.r.ci.revokeBinding(first.id);
  await rejectsKind(send(values, signCiDelegation(values, { allowance: o.w, apiBase: base })), "api_error", code("nonce_replay", 409));
  assert.match((await link(o)).id, /^cib_/, "a fresh nonce after revoking works");

  // Someone else's project.
  const other = await owner();
  await rejectsKind(link({ ...other, w: o.w, r: o.r }), "unauthorized", (e) => assert.equal(e.status, 403));
});

test("createBinding: route scopes the SDK lets through are checked again by the gateway", async () => {
  const o = await owner();
  const values = { ...delegationValues(o.projectId), provider: "github-actions", route_scopes: [] };
  const path = "/ci/v1/bindings";
  const signed_delegation = signCiDelegation(values, { allowance: o.w, apiBase: base });
  // A raw request with an empty list (the SDK leaves the field out then).
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(await siwxHeaders(o.w.privateKey, base, path)) },
    body: JSON.stringify({ ...values, signed_delegation }),
  });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).code, "invalid_route_scopes");
});

test("createBinding and the other members check their input before any request", async () => {
  const o = await owner();
  const before = (await sim("requests")).length;
  const values = delegationValues(o.projectId);
  const signed_delegation = signCiDelegation(values, { allowance: o.w, apiBase: base });
  const bad = [
    o.r.ci.createBinding({ ...values, provider: "gitlab", signed_delegation }),
    o.r.ci.createBinding({ ...values, provider: "github-actions" }),
    o.r.ci.createBinding({ ...values, provider: "github-actions", signed_delegation, nonce: "XYZ" }),
    o.r.ci.createBinding({ ...values, provider: "github-actions", signed_delegation, allowed_events: [] }),
    o.r.ci.createBinding({ ...values, provider: "github-actions", signed_delegation, route_scopes: ["/x*"] }),
    o.r.ci.createBinding(null),
    o.r.ci.listBindings({}),
    o.r.ci.listBindings(),
    o.r.ci.getBinding(""),
    o.r.ci.revokeBinding(5),
    o.r.ci.exchangeToken({ project_id: o.projectId }),
    o.r.ci.exchangeToken({ subject_token: "x" }),
  ];
  for (const call of bad) await rejectsKind(call, "local_error");
  assert.equal((await sim("requests")).length, before, "no request was sent");
});

test("exchangeToken: an OIDC token from the local issuer becomes a CI session; the contract's refusals", async () => {
  const o = await owner();
  const binding = await link(o);
  const ex = (subject_token, project_id = o.projectId) => anonymous().ci.exchangeToken({ project_id, subject_token });
  const code = (expected, status) => (e) => assert.deepEqual([e.body?.code, e.status], [expected, status], e.message);

  const session = await ex(await mint());
  assert.match(session.access_token, /^r402ci_/);
  assert.deepEqual([session.token_type, session.scope, typeof session.expires_in], ["Bearer", "deploy", "number"]);
  const used = await o.r.ci.getBinding(binding.id);
  assert.equal(used.use_count, 1);
  assert.ok(Date.parse(used.last_used_at) > 0);

  await rejectsKind(ex("not.a.jwt"), "unauthorized", code("invalid_token", 401));
  await rejectsKind(ex(await mint({ forged: true })), "unauthorized", code("invalid_token", 401));
  await rejectsKind(ex(await mint({ audience: "https://github.com/acme" })), "unauthorized", code("invalid_token", 401));
  const past = Math.floor(Date.now() / 1000) - 3600;
  await rejectsKind(ex(await mint({ claims: { iat: past - 300, nbf: past - 300, exp: past } })), "unauthorized", code("invalid_token", 401));
  await rejectsKind(ex(await mint({ claims: { iss: "https://example.com" } })), "unauthorized", code("invalid_token", 401));

  await rejectsKind(ex(await mint({ ref: "refs/heads/dev" })), "unauthorized", code("access_denied", 403));
  await rejectsKind(ex(await mint(), "prj_unknown"), "unauthorized", code("access_denied", 403));
  await rejectsKind(ex(await mint({ repository_id: "999" })), "unauthorized", code("repository_id_mismatch", 403));
  await rejectsKind(ex(await mint({ event_name: "pull_request", sub: "repo:acme/site:ref:refs/heads/main" })), "unauthorized", code("event_not_allowed", 403));

  // Two live bindings whose patterns both match the subject.
  await link(o, { subject_match: "repo:acme/site:*" });
  await rejectsKind(ex(await mint()), "api_error", code("ambiguous_binding", 409));

  // A revoked binding no longer exchanges, and its sessions stop.
  const lone = await owner();
  const b = await link(lone);
  const live = await anonymous().ci.exchangeToken({ project_id: lone.projectId, subject_token: await mint() });
  await lone.r.ci.revokeBinding(b.id);
  await rejectsKind(anonymous().ci.exchangeToken({ project_id: lone.projectId, subject_token: await mint() }), "unauthorized", code("access_denied", 403));
  const res = await fetch(`${base}/projects/v1/admin/${lone.projectId}/secrets`, { headers: { authorization: `Bearer ${live.access_token}` } });
  assert.equal((await res.json()).code, "insufficient_scope");

  // The wire's own checks (the SDK always sends these right).
  const raw = await fetch(`${base}/ci/v1/token-exchange`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ grant_type: "password", subject_token: "x", subject_token_type: "urn:ietf:params:oauth:token-type:jwt", project_id: o.projectId }),
  });
  assert.deepEqual([raw.status, (await raw.json()).code], [400, "invalid_request"]);
});

test("githubActionsCredentials: job env → OIDC token → exchange → a cached CI session the gateway accepts", async () => {
  const o = await owner();
  const binding = await link(o);
  const env = await job();
  const seen = [];
  const fetch = (url, init) => {
    seen.push(new URL(url).pathname);
    return globalThis.fetch(url, init);
  };
  const credentials = sdk.githubActionsCredentials({ projectId: o.projectId, apiBase: base, env, fetch });
  assert.equal(credentials[Symbol.for("@run402/sdk/ci-session-credentials")], true);
  assert.ok(!Object.keys(credentials).some((k) => typeof k !== "string"), "the marker is not enumerable");

  // Concurrent first calls share one renewal.
  const auths = await Promise.all([1, 2, 3].map(() => credentials.getAuth("/x")));
  assert.equal(new Set(auths.map((a) => a.Authorization)).size, 1);
  assert.match(auths[0].Authorization, /^Bearer r402ci_/);
  assert.deepEqual(seen, ["/__sim/oidc/token-request", "/ci/v1/token-exchange"]);
  // Cached until expires_in - refreshBeforeSeconds.
  assert.deepEqual(await credentials.getAuth("/y"), auths[0]);
  assert.equal(seen.length, 2);
  assert.equal((await o.r.ci.getBinding(binding.id)).use_count, 1);

  // The audience asked of GitHub is Run402's.
  const oidc = await globalThis.fetch(`${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=x`, { headers: { authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` } });
  assert.equal(oidc.status, 200);

  // The session on a client: the project is known (with empty keys), routes a
  // CI session may not use answer insufficient_scope.
  const r = new Run402({ apiBase: base, credentials });
  assert.deepEqual(await credentials.getProject(o.projectId), { anon_key: "", service_key: "" });
  assert.equal(await credentials.getProject("prj_other"), null);
  assert.equal(await credentials.getActiveProject(), o.projectId);
  assert.equal((await r.project()).projectId, o.projectId);
  await rejectsKind(r.tier.status(), "unauthorized", (e) => assert.deepEqual([e.status, e.body.code], [403, "insufficient_scope"]));
  await rejectsKind(r.ci.listBindings({ project: o.projectId }), "unauthorized", (e) => assert.equal(e.body.code, "insufficient_scope"));
});

test("githubActionsCredentials: renews before expiry, reads process.env, and fails typed without the job's variables", async () => {
  const o = await owner();
  await link(o);
  const env = await job();
  let exchanges = 0;
  const fetch = (url, init) => {
    if (url.endsWith("/ci/v1/token-exchange")) exchanges += 1;
    return globalThis.fetch(url, init);
  };
  // Renewing as soon as the session is issued: every call exchanges again.
  const eager = sdk.githubActionsCredentials({ projectId: o.projectId, apiBase: base, env, fetch, refreshBeforeSeconds: 24 * 3600 });
  const a = await eager.getAuth("/");
  const b = await eager.getAuth("/");
  assert.equal(exchanges, 2);
  assert.notDeepEqual(a, b);

  const saved = { url: process.env.ACTIONS_ID_TOKEN_REQUEST_URL, token: process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN };
  try {
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = env.ACTIONS_ID_TOKEN_REQUEST_URL;
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    const fromProcess = sdk.githubActionsCredentials({ projectId: o.projectId, apiBase: base });
    assert.match((await fromProcess.getAuth("/")).Authorization, /^Bearer r402ci_/);
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    const missing = sdk.githubActionsCredentials({ projectId: o.projectId, apiBase: base });
    await rejectsKind(missing.getAuth("/"), "local_error", (e) => assert.match(e.message, /id-token: write/));
  } finally {
    for (const [k, v] of [["ACTIONS_ID_TOKEN_REQUEST_URL", saved.url], ["ACTIONS_ID_TOKEN_REQUEST_TOKEN", saved.token]]) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }

  // A request token GitHub does not know; an exchange the gateway refuses (no binding for this repo).
  const badToken = sdk.githubActionsCredentials({ projectId: o.projectId, apiBase: base, env: { ...env, ACTIONS_ID_TOKEN_REQUEST_TOKEN: "ghs_wrong" } });
  await rejectsKind(badToken.getAuth("/"), "local_error", (e) => {
    assert.match(e.message, /HTTP 401/);
    assert.ok(!e.message.includes("ghs_wrong"));
  });
  const otherRepo = sdk.githubActionsCredentials({ projectId: o.projectId, apiBase: base, env: await job({ repository: "someone/else" }) });
  await rejectsKind(otherRepo.getAuth("/"), "unauthorized", (e) => assert.equal(e.body.code, "access_denied"));
  // A failed renewal is not cached: the next call tries again.
  await rejectsKind(otherRepo.getAuth("/"), "unauthorized");
  const offline = sdk.githubActionsCredentials({ projectId: o.projectId, apiBase: base, env, fetch: () => Promise.reject(new TypeError("offline")) });
  await rejectsKind(offline.getAuth("/"), "network_error", (e) => assert.equal(e.context, "requesting GitHub Actions OIDC token"));

  for (const opts of [undefined, {}, { projectId: "" }, { projectId: "p", env: 5 }, { projectId: "p", fetch: "no" }, { projectId: "p", refreshBeforeSeconds: "60" }, { projectId: "p", apiBase: "nope" }]) {
    assert.throws(() => sdk.githubActionsCredentials(opts), (e) => e.kind === "local_error", JSON.stringify(opts));
  }
});

test("createCiSessionCredentials: a bearer for one project, from a token or a getter", async () => {
  const fixed = sdk.createCiSessionCredentials({ projectId: "prj_1", accessToken: "tok" });
  assert.deepEqual(await fixed.getAuth("/p"), { Authorization: "Bearer tok" });
  assert.deepEqual(await fixed.getProject("prj_1"), { anon_key: "", service_key: "" });
  assert.equal(await fixed.getProject("prj_2"), null);
  assert.equal(await fixed.getActiveProject(), "prj_1");
  assert.deepEqual(Object.keys(fixed).sort(), ["getActiveProject", "getAuth", "getProject"]);
  assert.equal(fixed[Symbol.for("@run402/sdk/ci-session-credentials")], true);
  let n = 0;
  const dynamic = sdk.createCiSessionCredentials({ projectId: "prj_1", getAccessToken: async () => `t${++n}` });
  assert.deepEqual([await dynamic.getAuth(), await dynamic.getAuth()], [{ Authorization: "Bearer t1" }, { Authorization: "Bearer t2" }]);
  const empty = sdk.createCiSessionCredentials({ projectId: "prj_1", getAccessToken: () => "" });
  await rejectsKind(empty.getAuth(), "local_error");
  for (const opts of [undefined, {}, { projectId: "p" }, { projectId: "p", accessToken: "" }, { projectId: "p", getAccessToken: "x" }, { accessToken: "t" }]) {
    assert.throws(() => sdk.createCiSessionCredentials(opts), (e) => e.kind === "local_error", JSON.stringify(opts));
  }
  // On a client, the gateway refuses what a session may not do (it has no keys).
  const r = new Run402({ apiBase: base, credentials: fixed });
  await rejectsKind(r.ci.getBinding("cib_1"), "unauthorized");
});

/**
 * The EIP-4361 text written out here (viem's formatter refuses the CI
 * statement: EIP-4361 has no multi-line statements, Run402's delegation does).
 */
function siweText(f, resources) {
  return [
    `${f.domain} wants you to sign in with your Ethereum account:`, f.address, "", f.statement, "",
    `URI: ${f.uri}`, "Version: 1", "Chain ID: 84532", `Nonce: ${f.nonce}`, `Issued At: ${f.issuedAt}`, `Expiration Time: ${f.expirationTime}`,
    "Resources:", ...resources.map((r) => `- ${r}`),
  ].join("\n");
}

test("a crafted delegation with the canonical statement but another Resource URI is refused by the gateway", async () => {
  // Signed by viem, so the signature is valid and only the resource differs.
  const o = await owner();
  const values = delegationValues(o.projectId);
  const account = privateKeyToAccount(o.w.privateKey);
  const url = new URL("/ci/v1/bindings", base);
  const issuedAt = new Date();
  const expirationTime = new Date(issuedAt.getTime() + 60_000);
  const fields = {
    domain: url.hostname, address: account.address, statement: buildCiDelegationStatement(values), uri: url.toString(), version: "1",
    chainId: "eip155:84532", type: "eip191", nonce: values.nonce.slice(0, 16), issuedAt: issuedAt.toISOString(), expirationTime: expirationTime.toISOString(),
  };
  const resources = [`${buildCiDelegationResourceUri(values)}&extra=1`];
  const signature = await account.signMessage({ message: siweText(fields, resources) });
  const signed = Buffer.from(JSON.stringify({ ...fields, signature, resources })).toString("base64");
  await rejectsKind(o.r.ci.createBinding({ ...values, provider: "github-actions", signed_delegation: signed }), "api_error", (e) => {
    assert.equal(e.body.code, "delegation_resource_uri_mismatch");
  });
  // The same, with the canonical resource, is accepted: the check is not a blanket refusal.
  const good = [buildCiDelegationResourceUri(values)];
  const ok = await account.signMessage({ message: siweText(fields, good) });
  const row = await o.r.ci.createBinding({ ...values, provider: "github-actions", signed_delegation: Buffer.from(JSON.stringify({ ...fields, signature: ok, resources: good })).toString("base64") });
  assert.match(row.id, /^cib_/);
});

test("the root helpers turn hostile values into LocalErrors, and the instance keeps working", async () => {
  const { HOSTILE } = await import("./hostile-values.mjs");
  const good = SAMPLES[1];
  const w = wallet();
  const expected = buildCiDelegationStatement(good);
  const place = [
    (v) => v,
    (v) => ({ ...good, subject_match: v }),
    (v) => ({ ...good, allowed_events: v }),
    (v) => ({ ...good, allowed_events: ["push", v] }),
    (v) => ({ ...good, route_scopes: v }),
    (v) => ({ ...good, expires_at: v }),
  ];
  let cases = 0;
  for (const [label, make] of HOSTILE) {
    for (const at of place) {
      for (const call of [
        (v) => buildCiDelegationStatement(v),
        (v) => buildCiDelegationResourceUri(v),
        (v) => signCiDelegation(v, { allowance: w }),
        () => signCiDelegation(good, make()),
        () => signCiDelegation(good, { allowance: make() }),
      ]) {
        let value;
        try {
          value = at(make());
        } catch {
          continue; // building the case itself threw (a spread of a hostile object)
        }
        cases += 1;
        try {
          call(value);
        } catch (e) {
          assert.equal(e?.kind, "local_error", `${label}: ${e?.name}: ${e?.message}`);
        }
      }
    }
  }
  assert.ok(cases > 100, `${cases} cases`);
  assert.equal(buildCiDelegationStatement(good), expected, "the wasm instance still works");
});
