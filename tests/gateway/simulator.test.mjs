// Tests for the gateway simulator itself, through plain fetch.
// Run: node --test tests/gateway/simulator.test.mjs

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { inflateSync } from "node:zlib";
import { registerExactEvmScheme } from "@x402/evm/exact/client";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import { createPublicClient, erc20Abi, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { base, baseSepolia } from "viem/chains";
import { CronError, minIntervalMinutes, nextRun, parseCron } from "./cron.mjs";
import { balanceOf, hold, mint } from "./ledger.mjs";
import { withPayment } from "./payments.mjs";
import { start } from "./server.mjs";
import { createState } from "./state.mjs";
import { decodeSettlement, offersFrom, signPayment } from "./test-payer.mjs";
import { siwxHeaders } from "./test-signer.mjs";
import { ciSession, ciState } from "./ci-sessions.mjs";
import { HttpError } from "./http-util.mjs";

// Well-known development keys (Hardhat / Anvil accounts 0 and 1).
const USER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ADMIN_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const USER = privateKeyToAccount(USER_KEY).address.toLowerCase();
const ADMIN = privateKeyToAccount(ADMIN_KEY).address;

let sim;

before(async () => {
  sim = await start({ adminWallets: [ADMIN] });
});

after(async () => {
  await sim?.close();
});

/**
 * fetch against a simulator (`on`, default the shared one); `json` is sent as
 * a JSON body. Returns status, headers, text, parsed body.
 */
async function call(path, { method = "GET", headers = {}, json, body, on = sim } = {}) {
  const init = { method, headers: { ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["content-type"] ??= "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  const res = await fetch(on.url + path, init);
  const text = await res.text();
  let parsed = null;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, body: parsed };
}

function assertEnvelope(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get("content-type"), /^application\/json; charset=utf-8/);
  assert.equal(typeof res.body.error, "string");
  assert.equal(typeof res.body.message, "string");
  if (code) assert.equal(res.body.code, code);
}

async function provision(json = {}, headers = {}) {
  const res = await call("/projects/v1", { method: "POST", json, headers });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function sql(project, text, headers = {}) {
  return call(`/projects/v1/admin/${project.project_id}/sql`, {
    method: "POST",
    headers: { authorization: `Bearer ${project.service_key}`, "content-type": "text/plain", ...headers },
    body: text,
  });
}

function admin(project, suffix, options = {}) {
  return call(`/projects/v1/admin/${project.project_id}/${suffix}`, {
    ...options,
    headers: { authorization: `Bearer ${project.service_key}`, ...options.headers },
  });
}

function rest(project, path, { key = "anon", ...options } = {}) {
  const value = key === "anon" ? project.anon_key : project.service_key;
  return call(`/rest/v1/${path}`, { ...options, headers: { apikey: value, authorization: `Bearer ${value}`, ...options.headers } });
}

describe("service endpoints and HTTP hygiene", () => {
  it("answers health, status and tiers", async () => {
    const health = await call("/health");
    assert.deepEqual(health.body, { status: "ok", checks: { database: "ok" }, version: health.body.version });
    const status = await call("/status");
    assert.equal(status.body.status, "ok");
    assert.equal(typeof status.body.uptime_seconds, "number");
    assert.ok(Array.isArray(status.body.capabilities));
    assert.equal(typeof status.body.deployment.version, "string");
    assert.equal(typeof status.body.operator.name, "string");
    const { tiers } = (await call("/tiers/v1")).body;
    assert.deepEqual(Object.keys(tiers), ["prototype", "hobby", "team"]);
    assert.deepEqual(
      Object.values(tiers).map((t) => [t.price, t.lease_days, t.storage_mb, t.api_calls, t.max_functions]),
      [
        ["$0.10", 7, 250, 500000, 5],
        ["$5.00", 30, 1024, 5000000, 25],
        ["$20.00", 30, 10240, 50000000, 100],
      ],
    );
  });

  it("sends CORS headers and answers preflights", async () => {
    const res = await call("/health");
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    assert.match(res.headers.get("access-control-expose-headers"), /payment-required/);
    const pre = await call("/projects/v1", { method: "OPTIONS" });
    assert.equal(pre.status, 204);
    assert.match(pre.headers.get("access-control-allow-headers"), /sign-in-with-x/);
    assert.match(pre.headers.get("access-control-allow-headers"), /idempotency-key/);
    assert.match(pre.headers.get("access-control-allow-methods"), /PATCH/);
  });

  it("answers unknown routes with 404 and wrong methods with 405", async () => {
    assertEnvelope(await call("/nope/v1"), 404, "NOT_FOUND");
    assert.equal((await call("/nope/v1")).body.error, "not_found");
    const wrong = await call("/tiers/v1", { method: "DELETE" });
    assertEnvelope(wrong, 405, "METHOD_NOT_ALLOWED");
  });
});

describe("projects", () => {
  it("provisions with defaults and validates the body strictly", async () => {
    const p = await provision({ tier: "hobby", name: "demo" });
    assert.match(p.project_id, /^prj_\d+_\d+$/);
    assert.match(p.schema_slot, /^p\d{4}$/);
    assert.equal(p.tier, "hobby");
    assert.equal(p.name, "demo");
    assert.equal(p.anon_key.split(".").length, 3);
    assert.ok(Date.parse(p.lease_expires_at) > Date.now() + 29 * 86400_000);
    assert.equal((await provision()).tier, "prototype");

    assertEnvelope(await call("/projects/v1", { method: "POST", json: { tier: "gold" } }), 400, "INVALID_TIER");
    const unknown = await call("/projects/v1", { method: "POST", json: { tier: "hobby", color: "red" } });
    assertEnvelope(unknown, 400, "UNKNOWN_FIELD");
    assert.deepEqual(unknown.body.details.unknown_fields, ["color"]);
    assertEnvelope(await call("/projects/v1", { method: "POST", body: "{}", headers: { "content-type": "text/plain" } }), 415);
    assertEnvelope(await call("/projects/v1", { method: "POST", body: "{nope", headers: { "content-type": "application/json" } }), 400, "INVALID_JSON");
    const big = "x".repeat(1024 * 1024 + 10);
    assertEnvelope(await call("/projects/v1", { method: "POST", json: { name: big } }), 413, "PAYLOAD_TOO_LARGE");
  });

  it("honors Idempotency-Key", async () => {
    const before = sim.state.projects.size;
    const headers = { "idempotency-key": "idem-1" };
    const first = await call("/projects/v1", { method: "POST", json: { name: "once" }, headers });
    const second = await call("/projects/v1", { method: "POST", json: { name: "once" }, headers });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.body.project_id, first.body.project_id);
    assert.equal(second.headers.get("idempotent-replayed"), "true");
    assert.equal(sim.state.projects.size, before + 1);
    const reused = await call("/projects/v1", { method: "POST", json: { name: "other" }, headers });
    assertEnvelope(reused, 422, "IDEMPOTENCY_KEY_REUSED");
  });

  it("deletes with the project's own service key only", async () => {
    const p = await provision();
    const other = await provision();
    assertEnvelope(await call(`/projects/v1/${p.project_id}`, { method: "DELETE" }), 401);
    const wrong = await call(`/projects/v1/${p.project_id}`, { method: "DELETE", headers: { authorization: `Bearer ${other.service_key}` } });
    assertEnvelope(wrong, 403, "PROJECT_KEY_MISMATCH");
    const anon = await call(`/projects/v1/${p.project_id}`, { method: "DELETE", headers: { authorization: `Bearer ${p.anon_key}` } });
    assertEnvelope(anon, 403, "SERVICE_KEY_REQUIRED");
    const ok = await call(`/projects/v1/${p.project_id}`, { method: "DELETE", headers: { authorization: `Bearer ${p.service_key}` } });
    assert.deepEqual(ok.body, { status: "deleted", project_id: p.project_id });
    assertEnvelope(await admin(p, "usage"), 401, "INVALID_KEY");
    assertEnvelope(await rest(p, "anything"), 401, "INVALID_KEY");
  });
});

describe("wallet sign-in (SIGN-IN-WITH-X)", () => {
  const status = "/tiers/v1/status";

  it("records the signer as owner and lists its projects", async () => {
    const p = await provision({ name: "mine" }, await siwxHeaders(USER_KEY, sim.url, "/projects/v1"));
    const list = await call(`/wallets/v1/${USER.toUpperCase().replace("0X", "0x")}/projects`);
    assert.equal(list.body.wallet, USER);
    const entry = list.body.projects.find((x) => x.id === p.project_id);
    assert.deepEqual(Object.keys(entry).sort(), ["api_calls", "created_at", "id", "lease_expires_at", "name", "status", "storage_bytes", "tier"]);
    assert.equal(entry.status, "active");
    assertEnvelope(await call("/wallets/v1/not-a-wallet/projects"), 400, "INVALID_WALLET");
  });

  it("requires a valid header on tier status", async () => {
    assertEnvelope(await call(status), 401, "SIWX_REQUIRED");
    const ok = await call(status, { headers: await siwxHeaders(USER_KEY, sim.url, status) });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.wallet, USER);
    assert.equal(ok.body.tier, "prototype");
    assert.equal(ok.body.active, true);
    assert.ok(ok.body.pool_usage.projects >= 1);
    assert.equal(ok.body.pool_usage.api_calls_limit, 500000);
  });

  it("rejects replayed, expired, misdirected and malformed headers", async () => {
    const headers = await siwxHeaders(USER_KEY, sim.url, status);
    assert.equal((await call(status, { headers })).status, 200);
    assertEnvelope(await call(status, { headers }), 401, "SIWX_NONCE_REPLAY");
    const past = Date.now() - 10 * 60_000;
    const expired = await siwxHeaders(USER_KEY, sim.url, status, { issuedAt: past, expirationTime: past + 60_000 });
    assertEnvelope(await call(status, { headers: expired }), 401, "SIWX_EXPIRED");
    const future = await siwxHeaders(USER_KEY, sim.url, status, { issuedAt: Date.now() + 5 * 60_000 });
    assertEnvelope(await call(status, { headers: future }), 401, "SIWX_ISSUED_IN_FUTURE");
    const otherHost = sim.url.replace("127.0.0.1", "localhost");
    assertEnvelope(await call(status, { headers: await siwxHeaders(USER_KEY, otherHost, status) }), 401, "SIWX_DOMAIN_MISMATCH");
    assertEnvelope(await call(status, { headers: await siwxHeaders(USER_KEY, sim.url, "/projects/v1") }), 401, "SIWX_URI_MISMATCH");
    assertEnvelope(await call(status, { headers: { "sign-in-with-x": "bm90IGpzb24=" } }), 401, "SIWX_MALFORMED");
    const payload = JSON.parse(Buffer.from(headers["SIGN-IN-WITH-X"], "base64").toString());
    const forged = { ...payload, nonce: "ffffffffffffffffffffffffffffffff" };
    const forgedHeader = { "sign-in-with-x": Buffer.from(JSON.stringify(forged)).toString("base64") };
    assertEnvelope(await call(status, { headers: forgedHeader }), 401, "SIWX_SIGNATURE_INVALID");
  });

  it("pins only for admin wallets in admin mode", async () => {
    const p = await provision();
    const path = `/projects/v1/admin/${p.project_id}/pin`;
    assertEnvelope(await call(path, { method: "POST" }), 403, "ADMIN_REQUIRED");
    const asUser = { ...(await siwxHeaders(USER_KEY, sim.url, path)), "x-admin-mode": "1" };
    assert.equal((await call(path, { method: "POST", headers: asUser })).body.error, "admin_required");
    const noMode = await siwxHeaders(ADMIN_KEY, sim.url, path);
    assertEnvelope(await call(path, { method: "POST", headers: noMode }), 403, "ADMIN_REQUIRED");
    const asAdmin = { ...(await siwxHeaders(ADMIN_KEY, sim.url, path)), "x-admin-mode": "1" };
    const ok = await call(path, { method: "POST", headers: asAdmin });
    assert.deepEqual(ok.body, { status: "pinned", project_id: p.project_id });
  });
});

describe("admin: auth, SQL, schema, usage, users", () => {
  let p;
  let other;

  before(async () => {
    p = await provision({ name: "admin" });
    other = await provision();
  });

  it("needs this project's service key", async () => {
    assertEnvelope(await call(`/projects/v1/admin/${p.project_id}/usage`), 401, "MISSING_SERVICE_KEY");
    const headers = (key) => ({ headers: { authorization: `Bearer ${key}` } });
    assertEnvelope(await call(`/projects/v1/admin/${p.project_id}/usage`, headers(p.anon_key)), 403, "SERVICE_KEY_REQUIRED");
    assertEnvelope(await call(`/projects/v1/admin/${p.project_id}/usage`, headers(other.service_key)), 403, "PROJECT_KEY_MISMATCH");
    assertEnvelope(await call(`/projects/v1/admin/${p.project_id}/usage`, headers("abc.def.ghi")), 401, "INVALID_KEY");
    assertEnvelope(await call(`/projects/v1/admin/${p.project_id}/usage`, { headers: { authorization: "Basic x" } }), 401);
  });

  it("runs real SQL in the project's schema", async () => {
    const created = await sql(p, "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL, n bigint); INSERT INTO notes (body, n) VALUES ('a', 1), ('b', 2) RETURNING id, body, n");
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.status, "ok");
    assert.equal(created.body.schema, p.schema_slot);
    assert.equal(created.body.rowCount, 2);
    assert.deepEqual(created.body.rows, [{ id: 1, body: "a", n: "1" }, { id: 2, body: "b", n: "2" }]);
    const bound = await admin(p, "sql", { method: "POST", json: { sql: "SELECT body FROM notes WHERE id = $1", params: [2] } });
    assert.deepEqual(bound.body.rows, [{ body: "b" }]);
    assert.deepEqual(bound.body.fields.map((f) => f.name), ["body"]);
    const update = await sql(p, "UPDATE notes SET body = 'c'");
    assert.deepEqual([update.body.rows, update.body.rowCount], [[], 2]);
    assert.equal((await sql(other, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'notes' AND table_schema = current_schema()")).body.rows[0].count, "0");
  });

  it("rejects wrong content types, bad bodies and SQL errors", async () => {
    assertEnvelope(await sql(p, "SELECT 1", { "content-type": "application/sql" }), 415);
    assertEnvelope(await admin(p, "sql", { method: "POST", json: { query: "SELECT 1" } }), 400, "UNKNOWN_FIELD");
    const bad = await sql(p, "SELECT * FROM missing_table");
    assertEnvelope(bad, 400, "SQL_ERROR");
    assert.match(bad.body.message, /relation "missing_table" does not exist/);
    assert.equal(bad.body.details.sqlstate, "42P01");
  });

  it("blocks the seed's forbidden statements with a hint", async () => {
    const blocked = [
      "CREATE EXTENSION pgcrypto",
      "COPY notes TO PROGRAM 'cat'",
      "ALTER SYSTEM SET work_mem = '1MB'",
      "SET search_path TO public",
      "CREATE SCHEMA other",
      "DROP SCHEMA x",
      "GRANT SELECT ON notes TO anon",
      "REVOKE ALL ON notes FROM anon",
      "CREATE ROLE hacker",
      "DROP ROLE anon",
      "SET ROLE postgres",
    ];
    for (const statement of blocked) {
      const res = await sql(p, statement);
      assertEnvelope(res, 403, "SQL_BLOCKED");
      assert.match(res.body.error, /^Blocked SQL pattern/);
      assert.equal(typeof res.body.hint, "string", statement);
    }
    const cross = await sql(p, `SELECT * FROM ${other.schema_slot}.anything`);
    assertEnvelope(cross, 403, "CROSS_SCHEMA_ACCESS");
    assert.equal((await sql(p, "SELECT 'grant all' AS t -- create extension")).status, 200);
  });

  it("keeps SQL inside the project even across COMMIT", async () => {
    const res = await sql(p, "BEGIN; CREATE TABLE t_commit (id int); COMMIT; CREATE TABLE t_after (id int); SELECT current_user AS u, current_schema() AS s");
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.rows, [{ u: `${p.schema_slot}_owner`, s: p.schema_slot }]);
    const escape = await sql(p, "CREATE TABLE public.leak (id int)");
    assertEnvelope(escape, 400, "SQL_ERROR");
  });

  it("reports schema and usage", async () => {
    const schema = await admin(p, "schema");
    assert.equal(schema.body.schema, p.schema_slot);
    const notes = schema.body.tables.find((t) => t.name === "notes");
    assert.deepEqual(notes.columns[1], { name: "body", type: "text", nullable: false, default_value: null });
    assert.equal(notes.columns[0].type, "integer");
    assert.match(notes.columns[0].default_value, /^nextval/);
    assert.deepEqual(notes.constraints, [{ name: "notes_pkey", type: "PRIMARY KEY", definition: "PRIMARY KEY (id)" }]);
    assert.equal(notes.rls_enabled, false);
    assert.deepEqual(notes.policies, []);

    const usage = (await admin(p, "usage")).body;
    assert.equal(usage.project_id, p.project_id);
    assert.equal(usage.tier, "prototype");
    assert.ok(usage.api_calls >= 5);
    assert.equal(usage.api_calls_limit, 500000);
    assert.ok(usage.storage_bytes > 0);
    assert.equal(usage.storage_limit_bytes, 250 * 1024 * 1024);
    assert.equal(usage.status, "active");
  });

  it("promotes and demotes known users", async () => {
    const missing = await admin(p, "promote-user", { method: "POST", json: { email: "who@example.com" } });
    assertEnvelope(missing, 404, "USER_NOT_FOUND");
    await call("/__sim/users", { method: "POST", json: { project_id: p.project_id, email: "Ann@example.com" } });
    const up = await admin(p, "promote-user", { method: "POST", json: { email: "ann@example.com" } });
    assert.deepEqual(up.body, { status: "ok", email: "ann@example.com", is_admin: true });
    const down = await admin(p, "demote-user", { method: "POST", json: { email: "ann@example.com" } });
    assert.equal(down.body.is_admin, false);
    assertEnvelope(await admin(p, "demote-user", { method: "POST", json: { email: "ann@example.com", extra: 1 } }), 400, "UNKNOWN_FIELD");
  });
});

describe("REST and expose", () => {
  let p;

  before(async () => {
    p = await provision({ name: "rest" });
    const res = await sql(
      p,
      `CREATE TABLE items (id serial PRIMARY KEY, title text NOT NULL, score int, done boolean DEFAULT false, user_id uuid, tags text[], meta jsonb);
       INSERT INTO items (title, score, done, user_id) VALUES
         ('alpha', 10, false, '11111111-1111-1111-1111-111111111111'),
         ('beta', 20, true, NULL),
         ('Gamma, the third', NULL, false, NULL),
         ('delta', 40, true, '11111111-1111-1111-1111-111111111111');
       CREATE TABLE secrets (id serial PRIMARY KEY, v text);
       INSERT INTO secrets (v) VALUES ('s');`,
    );
    assert.equal(res.status, 200, res.text);
  });

  it("authenticates with apikey", async () => {
    assertEnvelope(await call("/rest/v1/items"), 401, "MISSING_API_KEY");
    assertEnvelope(await call("/rest/v1/items", { headers: { apikey: "nope" } }), 401, "INVALID_KEY");
    const other = await provision();
    const mixed = await call("/rest/v1/items", { headers: { apikey: p.anon_key, authorization: `Bearer ${other.service_key}` } });
    assertEnvelope(mixed, 401, "KEY_PROJECT_MISMATCH");
  });

  it("keeps tables dark for anon until exposed; service key sees them", async () => {
    const dark = await rest(p, "items");
    assert.equal(dark.status, 404);
    assert.equal(dark.body.code, "42P01");
    assert.equal((await rest(p, "items", { key: "service" })).body.length, 4);
    const missing = await rest(p, "nope", { key: "service" });
    assert.deepEqual([missing.status, missing.body.code], [404, "42P01"]);
    assert.equal((await sql(p, `CREATE TABLE "odd name" (id int); INSERT INTO "odd name" VALUES (7)`)).status, 200);
    assert.deepEqual((await rest(p, "odd%20name", { key: "service" })).body, [{ id: 7 }]);
  });

  it("filters, orders and pages like PostgREST", async () => {
    const ids = async (query) => {
      const res = await rest(p, `items?select=id&${query}`, { key: "service" });
      assert.equal(res.status, 200, res.text);
      return res.body.map((r) => r.id);
    };
    assert.deepEqual(await ids("id=eq.2"), [2]);
    assert.deepEqual(await ids("id=neq.2&order=id"), [1, 3, 4]);
    assert.deepEqual(await ids("score=gt.10&order=id"), [2, 4]);
    assert.deepEqual(await ids("score=gte.20&score=lt.40"), [2]);
    assert.deepEqual(await ids("score=lte.10"), [1]);
    assert.deepEqual(await ids("title=like.*ta&order=id"), [2, 4]);
    assert.deepEqual(await ids("title=ilike.gamma*"), [3]);
    assert.deepEqual(await ids("score=is.null"), [3]);
    assert.deepEqual(await ids("done=is.true&order=id"), [2, 4]);
    assert.deepEqual(await ids(`title=in.(alpha,"Gamma, the third")&order=id`), [1, 3]);
    assert.deepEqual(await ids("id=in.(1,2,3)&id=not.eq.2&order=id.desc"), [3, 1]);
    assert.deepEqual(await ids("order=score.desc.nullsfirst"), [3, 4, 2, 1]);
    assert.deepEqual(await ids("order=score.asc.nullslast,id.desc"), [1, 2, 4, 3]);
    assert.deepEqual(await ids("order=id&limit=2&offset=1"), [2, 3]);
    assert.deepEqual(await ids("user_id=eq.11111111-1111-1111-1111-111111111111&order=id"), [1, 4]);
    const ranged = await rest(p, "items?order=id&limit=2&offset=1", { key: "service" });
    assert.equal(ranged.headers.get("content-range"), "1-2/*");
    const aliased = await rest(p, "items?select=name:title&id=eq.1", { key: "service" });
    assert.deepEqual(aliased.body, [{ name: "alpha" }]);
  });

  it("rejects bad queries", async () => {
    const column = await rest(p, "items?select=nope", { key: "service" });
    assert.deepEqual([column.status, column.body.code], [400, "42703"]);
    const filter = await rest(p, "items?nope=eq.1", { key: "service" });
    assert.deepEqual([filter.status, filter.body.code], [400, "42703"]);
    const op = await rest(p, "items?id=between.1", { key: "service" });
    assert.deepEqual([op.status, op.body.code], [400, "PGRST100"]);
    const limit = await rest(p, "items?limit=-1", { key: "service" });
    assert.equal(limit.status, 400);
    const value = await rest(p, "items?id=eq.abc", { key: "service" });
    assert.deepEqual([value.status, value.body.code], [400, "22P02"]);
  });

  it("inserts, updates and deletes", async () => {
    const repr = { prefer: "return=representation" };
    const one = await rest(p, "items", { key: "service", method: "POST", json: { title: "eps", tags: ["a", "b c"], meta: { k: [1] } }, headers: repr });
    assert.equal(one.status, 201, one.text);
    assert.deepEqual([one.body[0].title, one.body[0].tags, one.body[0].meta, one.body[0].done], ["eps", ["a", "b c"], { k: [1] }, false]);
    const many = await rest(p, "items?select=title", { key: "service", method: "POST", json: [{ title: "z1" }, { title: "z2" }], headers: repr });
    assert.deepEqual(many.body, [{ title: "z1" }, { title: "z2" }]);
    const minimal = await rest(p, "items", { key: "service", method: "POST", json: { title: "quiet" } });
    assert.deepEqual([minimal.status, minimal.text], [201, ""]);
    const mismatched = await rest(p, "items", { key: "service", method: "POST", json: [{ title: "a" }, { score: 1 }] });
    assert.deepEqual([mismatched.status, mismatched.body.code], [400, "PGRST102"]);
    const wrongType = await rest(p, "items", { key: "service", method: "POST", body: "title=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.equal(wrongType.status, 415);

    const unfiltered = await rest(p, "items", { key: "service", method: "PATCH", json: { done: true } });
    assert.deepEqual([unfiltered.status, unfiltered.body.code], [400, "21000"]);
    const patched = await rest(p, "items?title=eq.z1", { key: "service", method: "PATCH", json: { score: 99 }, headers: repr });
    assert.deepEqual([patched.status, patched.body[0].score], [200, 99]);
    const quiet = await rest(p, "items?title=eq.z2", { key: "service", method: "PATCH", json: { score: 1 } });
    assert.equal(quiet.status, 204);

    assert.equal((await rest(p, "items", { key: "service", method: "DELETE" })).status, 400);
    const removed = await rest(p, "items?title=in.(z1,z2,quiet,eps)", { key: "service", method: "DELETE", headers: repr });
    assert.equal(removed.body.length, 4);
    const gone = await rest(p, "items?title=eq.z1", { key: "service", method: "DELETE" });
    assert.equal(gone.status, 204);
  });

  it("validates expose manifests against the live schema and migration SQL", async () => {
    const manifest = {
      version: "1",
      tables: [
        { name: "items", expose: true, policy: "user_owns_rows", owner_column: "owner" },
        { name: "ghosts", expose: true, policy: "public_read_authenticated_write" },
        { name: "secrets", expose: true, policy: "public_read_write_UNRESTRICTED" },
      ],
    };
    const res = await admin(p, "expose/validate", { method: "POST", json: { manifest } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.hasErrors, true);
    assert.deepEqual(res.body.errors.map((e) => e.type).sort(), ["missing-column", "missing-table", "unrestricted-ack-required"]);
    for (const e of res.body.errors) assert.equal(e.severity, "error");

    const withMigration = await admin(p, "expose/validate", {
      method: "POST",
      json: { manifest: { tables: [{ name: "ghosts", expose: true, policy: "public_read_authenticated_write" }] }, migration_sql: "CREATE TABLE ghosts (id int PRIMARY KEY, name text);" },
    });
    assert.deepEqual(withMigration.body, { hasErrors: false, errors: [], warnings: [] });
    const shape = await admin(p, "expose/validate", { method: "POST", json: { manifest: { tables: "x" } } });
    assert.equal(shape.body.errors[0].type, "schema-shape");
    assertEnvelope(await admin(p, "expose/validate", { method: "POST", json: { manifest: {}, extra: 1 } }), 400, "UNKNOWN_FIELD");
  });

  it("validates without a project only for a signed-in wallet", async () => {
    const path = "/projects/v1/expose/validate";
    const body = { manifest: { version: "1", tables: [{ name: "posts", expose: true, policy: "user_owns_rows", owner_column: "user_id" }] } };
    assertEnvelope(await call(path, { method: "POST", json: body }), 401, "SIWX_REQUIRED");
    const loose = await call(path, { method: "POST", json: body, headers: await siwxHeaders(USER_KEY, sim.url, path) });
    assert.equal(loose.body.hasErrors, false);
    assert.equal(loose.body.warnings[0].type, "validation-inconclusive");
    const checked = await call(path, {
      method: "POST",
      json: { ...body, migration_sql: "create table posts (id bigint primary key);" },
      headers: await siwxHeaders(USER_KEY, sim.url, path),
    });
    assert.deepEqual(checked.body.errors.map((e) => e.type), ["missing-column"]);
  });

  it("applies manifests as real RLS policies", async () => {
    // The body is the manifest itself, not a wrapper around it.
    assert.deepEqual((await admin(p, "expose")).body, { version: "1", tables: [], views: [], rpcs: [] });
    const bad = await admin(p, "expose", { method: "POST", json: { tables: [{ name: "ghosts", expose: true, policy: "custom" }] } });
    assertEnvelope(bad, 400, "INVALID_MANIFEST");
    assert.ok(bad.body.errors.length >= 1);

    const manifest = {
      version: "1",
      tables: [
        { name: "items", expose: true, policy: "user_owns_rows", owner_column: "user_id", force_owner_on_insert: true },
        { name: "secrets", expose: true, policy: "public_read_authenticated_write" },
      ],
    };
    const applied = await admin(p, "expose", { method: "POST", json: manifest });
    assert.equal(applied.status, 200, applied.text);
    assert.deepEqual(applied.body.applied.tables, ["items", "secrets"]);

    // user_owns_rows: anon is no owner, so RLS hides every row; the service key bypasses RLS.
    assert.deepEqual((await rest(p, "items")).body, []);
    assert.equal((await rest(p, "items", { key: "service" })).body.length, 4);
    const anonInsert = await rest(p, "items", { method: "POST", json: { title: "x" } });
    assert.deepEqual([anonInsert.status, anonInsert.body.code], [403, "42501"]);
    // public_read_authenticated_write: anon reads, cannot write.
    assert.deepEqual((await rest(p, "secrets?select=v")).body, [{ v: "s" }]);
    assert.equal((await rest(p, "secrets", { method: "POST", json: { v: "t" } })).status, 403);

    const schema = (await admin(p, "schema")).body.tables.find((t) => t.name === "items");
    assert.equal(schema.rls_enabled, true);
    assert.deepEqual(schema.policies.map((x) => [x.name, x.command]), [["run402_user_owns_rows", "ALL"]]);
    assert.match(schema.policies[0].using_expression, /auth\.uid\(\)/);

    // Convergent re-apply: secrets drops out and goes dark again.
    const next = await admin(p, "expose", {
      method: "POST",
      json: { tables: [{ name: "items", expose: true, policy: "public_read_write_UNRESTRICTED", i_understand_this_is_unrestricted: true }] },
    });
    assert.deepEqual(next.body.dropped.tables, ["secrets"]);
    assert.equal((await rest(p, "secrets")).status, 404);
    const anonWrite = await rest(p, "items?select=title", { method: "POST", json: { title: "open" }, headers: { prefer: "return=representation" } });
    assert.deepEqual([anonWrite.status, anonWrite.body], [201, [{ title: "open" }]]);
    assert.deepEqual((await admin(p, "expose")).body, {
      tables: [{ name: "items", expose: true, policy: "public_read_write_UNRESTRICTED", i_understand_this_is_unrestricted: true }],
    });
  });
});

describe("payments (x402)", () => {
  const SEPOLIA_USDC = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
  const MAINNET_USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
  let paid;
  let payee;

  before(async () => {
    paid = await start({ payments: true });
    payee = (await call("/__sim/config", { on: paid })).body.payee;
  });

  after(async () => {
    await paid?.close();
  });

  const at = (path, options = {}) => call(path, { ...options, on: paid });

  /** A fresh wallet, optionally funded on the paid simulator. */
  async function wallet(fund = 0, network) {
    const key = generatePrivateKey();
    const address = privateKeyToAccount(key).address;
    if (fund > 0) {
      const res = await at("/__sim/fund", { method: "POST", json: { address, amount: fund, ...(network ? { network } : {}) } });
      assert.equal(res.status, 200, res.text);
    }
    return { key, address, lower: address.toLowerCase() };
  }

  async function balance(address, network = "eip155:84532", on = paid) {
    return (await call(`/__sim/ledger?address=${address}`, { on })).body.balances[network];
  }

  /** The 402 for an unpaid request, and its offers. */
  async function quote(path, json, on = paid) {
    const res = await call(path, { method: "POST", json, on });
    assert.equal(res.status, 402, res.text);
    return { res, ...offersFrom(res.headers, res.body) };
  }

  /** Both places a 402 names its reason, which must agree; returns it. */
  function reasonOf(res) {
    assert.equal(res.status, 402, res.text);
    const required = JSON.parse(Buffer.from(res.headers.get("payment-required"), "base64").toString());
    assert.equal(required.error, res.body.error);
    assert.equal(res.body.x402Version, 1);
    assert.ok(res.body.accepts.length > 0 && required.accepts.length > 0, "requirements are sent again");
    assert.equal(res.body.code, res.body.error.toUpperCase());
    assert.equal(typeof res.body.message, "string");
    return res.body.error;
  }

  it("answers 402 with the x402 v2 header and the v1 body", async () => {
    const res = await at("/projects/v1", { method: "POST", json: { tier: "hobby" } });
    assert.equal(res.status, 402);
    const required = JSON.parse(Buffer.from(res.headers.get("payment-required"), "base64").toString());
    assert.equal(required.x402Version, 2);
    assert.equal(required.error, "PAYMENT-SIGNATURE header is required");
    assert.equal(required.resource.url, `${paid.url}/projects/v1`);
    assert.equal(required.resource.mimeType, "application/json");
    assert.deepEqual(required.accepts, [
      { scheme: "exact", network: "eip155:84532", amount: "5000000", asset: SEPOLIA_USDC, payTo: payee, maxTimeoutSeconds: 300, extra: { name: "USDC", version: "2" } },
    ]);
    assert.match(payee, /^0x[0-9a-fA-F]{40}$/);
    assert.equal(res.body.x402Version, 1);
    assert.equal(res.body.error, "X-PAYMENT header is required");
    assert.equal(res.body.code, "PAYMENT_REQUIRED");
    const [v1] = res.body.accepts;
    assert.deepEqual(
      [v1.scheme, v1.network, v1.maxAmountRequired, v1.resource, v1.payTo, v1.asset, v1.maxTimeoutSeconds],
      ["exact", "base-sepolia", "5000000", `${paid.url}/projects/v1`, payee, SEPOLIA_USDC, 300],
    );
    assert.equal((await at("/projects/v1", { method: "POST" })).body.accepts[0].maxAmountRequired, "100000");
    assertEnvelope(await at("/projects/v1", { method: "POST", json: { tier: "gold" } }), 400, "INVALID_TIER");
  });

  it("settles a good v2 payment: balance moves, PAYMENT-RESPONSE decodes, the payer owns the project", async () => {
    const payer = await wallet(1_000_000);
    const payeeBefore = await balance(payee);
    const stats = (await at("/__sim/state")).body;
    const { accepts, resource } = await quote("/projects/v1", { name: "paid" });
    const { headers } = await signPayment(payer.key, accepts[0], { resource });
    const res = await at("/projects/v1", { method: "POST", json: { name: "paid" }, headers });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get("x-payment-response"), null);
    const settlement = decodeSettlement(res.headers.get("payment-response"));
    assert.deepEqual(Object.keys(settlement), ["success", "transaction", "network", "payer"]);
    assert.equal(settlement.success, true);
    assert.match(settlement.transaction, /^0x[0-9a-f]{64}$/);
    assert.equal(settlement.network, "eip155:84532");
    assert.equal(settlement.payer, payer.address);
    assert.equal(await balance(payer.address), 900_000);
    assert.equal(await balance(payee), payeeBefore + 100_000);
    const ledger = (await at(`/__sim/ledger?address=${payer.address}`)).body;
    assert.ok(ledger.transactions.some((t) => t.hash === settlement.transaction && t.kind === "payment" && t.value === 100_000));
    const owned = (await at(`/wallets/v1/${payer.lower}/projects`)).body.projects;
    assert.deepEqual(owned.map((p) => p.id), [res.body.project_id]);
    const after = (await at("/__sim/state")).body;
    assert.deepEqual(
      [after.payments_seen, after.payments_verified, after.payments_settled, after.payments_rejected],
      [stats.payments_seen + 1, stats.payments_verified + 1, stats.payments_settled + 1, stats.payments_rejected],
    );
  });

  it("accepts an overpayment and charges the signed value", async () => {
    const payer = await wallet(500_000);
    const { accepts } = await quote("/projects/v1", {});
    const { headers } = await signPayment(payer.key, accepts[0], { value: 150_000 });
    assert.equal((await at("/projects/v1", { method: "POST", json: {}, headers })).status, 201);
    assert.equal(await balance(payer.address), 350_000);
  });

  it("rejects a replayed nonce with 402 and a failed settlement response", async () => {
    const payer = await wallet(1_000_000);
    const { accepts } = await quote("/projects/v1", {});
    const { headers, authorization } = await signPayment(payer.key, accepts[0]);
    assert.equal((await at("/projects/v1", { method: "POST", json: {}, headers })).status, 201);
    const replay = await at("/projects/v1", { method: "POST", json: {}, headers });
    assert.equal(reasonOf(replay), "invalid_exact_evm_nonce_already_used");
    assert.ok(replay.body.message.includes(authorization.nonce));
    assert.deepEqual(decodeSettlement(replay.headers.get("payment-response")), {
      success: false,
      errorReason: "invalid_exact_evm_nonce_already_used",
      transaction: "",
      network: "eip155:84532",
      payer: payer.address,
    });
    // The same nonce freshly signed for another request is still a replay.
    const again = await signPayment(payer.key, accepts[0], { nonce: authorization.nonce });
    assert.equal(reasonOf(await at("/projects/v1", { method: "POST", json: {}, headers: again.headers })), "invalid_exact_evm_nonce_already_used");
    assert.equal(await balance(payer.address), 900_000);
  });

  it("takes the sign-in header that got the 402 again with the payment, and only once after that", async () => {
    const payer = await wallet(1_000_000);
    for (const path of ["/projects/v1", "/tiers/v1/prototype"]) {
      const signIn = await siwxHeaders(payer.key, paid.url, path);
      const unpaid = await at(path, { method: "POST", json: {}, headers: signIn });
      assert.equal(unpaid.status, 402, unpaid.text);
      // A payment that fails verification is a 402 too: the header stays usable.
      const { accepts } = offersFrom(unpaid.headers, unpaid.body);
      const short = await signPayment(payer.key, accepts[0], { value: 1 });
      assert.equal(reasonOf(await at(path, { method: "POST", json: {}, headers: { ...signIn, ...short.headers } })), "invalid_exact_evm_payload_authorization_value_mismatch");
      const { headers } = await signPayment(payer.key, accepts[0]);
      const ok = await at(path, { method: "POST", json: {}, headers: { ...signIn, ...headers } });
      assert.ok(ok.status === 200 || ok.status === 201, ok.text);
      // Answered, so the nonce is spent: neither a new payment nor none gets it back.
      const fresh = await signPayment(payer.key, accepts[0]);
      assertEnvelope(await at(path, { method: "POST", json: {}, headers: { ...signIn, ...fresh.headers } }), 401, "SIWX_NONCE_REPLAY");
      assertEnvelope(await at(path, { method: "POST", json: {}, headers: signIn }), 401, "SIWX_NONCE_REPLAY");
    }
    assert.equal(await balance(payer.address), 800_000);
  });

  it("charges exactly once when one payment is sent concurrently", async () => {
    const payer = await wallet(1_000_000);
    const { accepts } = await quote("/projects/v1", {});
    const { headers } = await signPayment(payer.key, accepts[0]);
    const results = await Promise.all([1, 2, 3, 4].map(() => at("/projects/v1", { method: "POST", json: {}, headers })));
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 402, 402, 402]);
    for (const r of results.filter((x) => x.status === 402)) assert.equal(r.body.error, "invalid_exact_evm_nonce_already_used");
    assert.equal(await balance(payer.address), 900_000);
  });

  it("rejects underpayment, wrong payee, wrong network or asset, bad signatures and bad windows", async () => {
    const payer = await wallet(1_000_000);
    const { accepts } = await quote("/projects/v1", {});
    const offer = accepts[0];
    const now = Math.floor(Date.now() / 1000);
    const other = privateKeyToAccount(USER_KEY).address;
    const rejectedBefore = (await at("/__sim/state")).body.payments_rejected;
    const cases = [
      [{ value: 99_999 }, "invalid_exact_evm_payload_authorization_value_mismatch"],
      [{ to: other }, "invalid_exact_evm_payload_recipient_mismatch"],
      [{ accepted: { payTo: other } }, "invalid_exact_evm_payload_recipient_mismatch"],
      [{ accepted: { network: "eip155:8453" } }, "invalid_network"],
      [{ accepted: { network: "solana:devnet" } }, "invalid_network"],
      [{ accepted: { asset: MAINNET_USDC } }, "invalid_payment_requirements"],
      [{ accepted: { scheme: "upto" } }, "invalid_scheme"],
      [{ domain: { verifyingContract: MAINNET_USDC } }, "invalid_exact_evm_payload_signature"],
      [{ domain: { chainId: 8453 } }, "invalid_exact_evm_payload_signature"],
      [{ domain: { name: "USD Coin" } }, "invalid_exact_evm_payload_signature"],
      [{ validBefore: now - 1 }, "invalid_exact_evm_payload_authorization_valid_before"],
      [{ validBefore: now + 3600 }, "invalid_exact_evm_payload_authorization_valid_before"],
      [{ validAfter: now + 120 }, "invalid_exact_evm_payload_authorization_valid_after"],
    ];
    for (const [options, reason] of cases) {
      const { headers } = await signPayment(payer.key, offer, options);
      const res = await at("/projects/v1", { method: "POST", json: {}, headers });
      assert.equal(reasonOf(res), reason, `${JSON.stringify(options)}: ${res.body.message}`);
    }
    // Tampering after signing: a larger value, or someone else's address as `from`.
    const signed = await signPayment(payer.key, offer);
    for (const change of [{ value: "100001" }, { from: other }]) {
      const payload = { ...signed.payload, payload: { ...signed.payload.payload, authorization: { ...signed.authorization, ...change } } };
      const headers = { "PAYMENT-SIGNATURE": Buffer.from(JSON.stringify(payload)).toString("base64") };
      assert.equal(reasonOf(await at("/projects/v1", { method: "POST", json: {}, headers })), "invalid_exact_evm_payload_signature");
    }
    // A v1 payment naming a network that is not offered.
    const v1 = await signPayment(payer.key, offer, { version: 1, network: "base" });
    assert.equal(reasonOf(await at("/projects/v1", { method: "POST", json: {}, headers: v1.headers })), "invalid_network");
    assert.equal(await balance(payer.address), 1_000_000);
    assert.equal((await at("/__sim/state")).body.payments_rejected, rejectedBefore + cases.length + 3);
  });

  it("rejects a payer without enough balance", async () => {
    const poor = await wallet(50_000);
    const { accepts } = await quote("/projects/v1", {});
    const { headers } = await signPayment(poor.key, accepts[0]);
    const res = await at("/projects/v1", { method: "POST", json: {}, headers });
    assert.equal(reasonOf(res), "insufficient_funds");
    assert.equal(decodeSettlement(res.headers.get("payment-response")).errorReason, "insufficient_funds");
    const broke = await wallet();
    const none = await signPayment(broke.key, accepts[0]);
    assert.equal(reasonOf(await at("/projects/v1", { method: "POST", json: {}, headers: none.headers })), "insufficient_funds");
    assert.equal(await balance(poor.address), 50_000);
    assert.deepEqual((await at(`/wallets/v1/${poor.lower}/projects`)).body.projects, []);
  });

  it("answers malformed and garbage payment headers with 402, never 500", async () => {
    const payer = await wallet(1_000_000);
    const { accepts } = await quote("/projects/v1", {});
    const good = await signPayment(payer.key, accepts[0]);
    const b64 = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64");
    const auth = good.authorization;
    const withAuth = (change) => b64({ ...good.payload, payload: { ...good.payload.payload, authorization: { ...auth, ...change } } });
    const cases = [
      ["PAYMENT-SIGNATURE", "", "invalid_payload"],
      ["PAYMENT-SIGNATURE", "!!!not base64!!!", "invalid_payload"],
      ["PAYMENT-SIGNATURE", "abcde", "invalid_payload"],
      ["PAYMENT-SIGNATURE", "e30", "invalid_x402_version"],
      ["PAYMENT-SIGNATURE", b64("not json"), "invalid_payload"],
      ["PAYMENT-SIGNATURE", b64("[]"), "invalid_payload"],
      ["PAYMENT-SIGNATURE", b64("null"), "invalid_payload"],
      ["PAYMENT-SIGNATURE", b64({}), "invalid_x402_version"],
      ["PAYMENT-SIGNATURE", b64({ x402Version: 2 }), "invalid_payload"],
      ["PAYMENT-SIGNATURE", b64({ x402Version: 2, accepted: accepts[0] }), "invalid_payload"],
      ["PAYMENT-SIGNATURE", b64({ ...good.payload, x402Version: 1 }), "invalid_x402_version"],
      ["PAYMENT-SIGNATURE", b64({ ...good.payload, surprise: true }), "invalid_payload"],
      ["PAYMENT-SIGNATURE", b64({ ...good.payload, accepted: { ...accepts[0], amount: 100000 } }), "invalid_payload"],
      ["PAYMENT-SIGNATURE", b64({ ...good.payload, payload: { signature: good.payload.payload.signature } }), "invalid_payload"],
      ["PAYMENT-SIGNATURE", b64({ ...good.payload, payload: { ...good.payload.payload, signature: "0xzz" } }), "invalid_payload"],
      ["PAYMENT-SIGNATURE", b64({ ...good.payload, payload: { ...good.payload.payload, signature: "0x1234" } }), "invalid_exact_evm_payload_signature"],
      ["PAYMENT-SIGNATURE", withAuth({ nonce: "0x1234" }), "invalid_payload"],
      ["PAYMENT-SIGNATURE", withAuth({ nonce: undefined }), "invalid_payload"],
      ["PAYMENT-SIGNATURE", withAuth({ value: 100000 }), "invalid_payload"],
      ["PAYMENT-SIGNATURE", withAuth({ value: "1e5" }), "invalid_payload"],
      ["PAYMENT-SIGNATURE", withAuth({ value: "-1" }), "invalid_payload"],
      ["PAYMENT-SIGNATURE", withAuth({ value: "9".repeat(90) }), "invalid_payload"],
      ["PAYMENT-SIGNATURE", withAuth({ from: "0x1234" }), "invalid_payload"],
      ["PAYMENT-SIGNATURE", withAuth({ extra: "x" }), "invalid_payload"],
      ["X-PAYMENT", "%%%", "invalid_payload"],
      ["X-PAYMENT", b64({ x402Version: 1, scheme: "exact", network: "base-sepolia" }), "invalid_payload"],
      ["X-PAYMENT", good.headers["PAYMENT-SIGNATURE"], "invalid_x402_version"],
    ];
    for (const [name, value, reason] of cases) {
      const res = await at("/projects/v1", { method: "POST", json: {}, headers: { [name]: value } });
      assert.equal(reasonOf(res), reason, `${name}: ${value.slice(0, 60)} → ${res.body.message}`);
      assert.ok(res.body.message.length > 10);
    }
    assert.equal(await balance(payer.address), 1_000_000);
    // The good one still works afterwards.
    assert.equal((await at("/projects/v1", { method: "POST", json: {}, headers: good.headers })).status, 201);
  });

  it("replays an Idempotency-Key without verifying or charging again; a 402 is not stored", async () => {
    const payer = await wallet(1_000_000);
    const key = { "idempotency-key": `paid-${Date.now()}` };
    const unpaid = await at("/projects/v1", { method: "POST", json: { name: "idem" }, headers: key });
    assert.equal(unpaid.status, 402);
    const { accepts } = offersFrom(unpaid.headers, unpaid.body);
    const first = await signPayment(payer.key, accepts[0]);
    const created = await at("/projects/v1", { method: "POST", json: { name: "idem" }, headers: { ...key, ...first.headers } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get("idempotent-replayed"), null);
    const stats = (await at("/__sim/state")).body;
    const second = await signPayment(payer.key, accepts[0]);
    for (const headers of [{ ...key, ...second.headers }, key]) {
      const replay = await at("/projects/v1", { method: "POST", json: { name: "idem" }, headers });
      assert.equal(replay.status, 201);
      assert.equal(replay.headers.get("idempotent-replayed"), "true");
      assert.equal(replay.body.project_id, created.body.project_id);
      assert.equal(replay.headers.get("payment-response"), created.headers.get("payment-response"));
    }
    const after = (await at("/__sim/state")).body;
    assert.deepEqual([after.payments_seen, after.payments_settled], [stats.payments_seen, stats.payments_settled]);
    assert.equal(await balance(payer.address), 900_000);
    assert.equal((await at(`/wallets/v1/${payer.lower}/projects`)).body.projects.length, 1);
    // The unused second payment is still good for another request.
    assert.equal((await at("/projects/v1", { method: "POST", json: {}, headers: second.headers })).status, 201);
    assert.equal(await balance(payer.address), 800_000);
  });

  it("speaks v1 only when configured: no PAYMENT-REQUIRED, X-PAYMENT in, X-PAYMENT-RESPONSE out", async () => {
    const v1 = await start({ payments: true, x402Versions: [1] });
    try {
      const res = await call("/projects/v1", { method: "POST", json: {}, on: v1 });
      assert.equal(res.status, 402);
      assert.equal(res.headers.get("payment-required"), null);
      const offers = offersFrom(res.headers, res.body);
      assert.equal(offers.version, 1);
      const key = generatePrivateKey();
      const address = privateKeyToAccount(key).address;
      await call("/__sim/fund", { method: "POST", json: { address, amount: 100_000, network: "base-sepolia" }, on: v1 });
      const v2 = await signPayment(key, offers.accepts[0]);
      const ignored = await call("/projects/v1", { method: "POST", json: {}, headers: v2.headers, on: v1 });
      assert.equal(ignored.status, 402);
      assert.equal(ignored.body.error, "X-PAYMENT header is required");
      assert.match(ignored.body.message, /PAYMENT-SIGNATURE was ignored/);
      const { headers } = await signPayment(key, offers.accepts[0], { version: 1 });
      const ok = await call("/projects/v1", { method: "POST", json: {}, headers, on: v1 });
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.headers.get("payment-response"), null);
      const settlement = decodeSettlement(ok.headers.get("x-payment-response"));
      assert.deepEqual([settlement.success, settlement.network, settlement.payer], [true, "base-sepolia", address]);
      assert.match(settlement.transaction, /^0x[0-9a-f]{64}$/);
      assert.equal(await balance(address, "eip155:84532", v1), 0);
    } finally {
      await v1.close();
    }
  });

  it("answers viem's balanceOf reads from the ledger through /__sim/rpc/{network}", async () => {
    const payer = await wallet(123_456);
    await at("/__sim/fund", { method: "POST", json: { address: payer.address, amount: 7, network: "eip155:8453" } });
    const read = (chain, network, address) =>
      createPublicClient({ chain, transport: http(`${paid.url}/__sim/rpc/${network}`) }).readContract({
        address: chain.id === 8453 ? MAINNET_USDC : SEPOLIA_USDC,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [address],
      });
    assert.equal(await read(baseSepolia, "eip155:84532", payer.address), 123_456n);
    assert.equal(await read(base, "base", payer.address), 7n);
    assert.equal(await read(baseSepolia, "eip155:84532", (await wallet()).address), 0n);
    const client = createPublicClient({ chain: baseSepolia, transport: http(`${paid.url}/__sim/rpc/eip155:84532`, { retryCount: 0 }) });
    assert.equal(await client.getChainId(), 84532);
    await assert.rejects(client.getBlockNumber(), /not supported by the simulator/);
    // USDC of the other network, and calls other than balanceOf, are errors rather than zeros.
    await assert.rejects(client.readContract({ address: MAINNET_USDC, abi: erc20Abi, functionName: "balanceOf", args: [payer.address] }), /only answers calls to USDC/);
    await assert.rejects(client.readContract({ address: SEPOLIA_USDC, abi: erc20Abi, functionName: "totalSupply" }), /only answers balanceOf/);
    assertEnvelope(await at("/__sim/rpc/eip155:1", { method: "POST", json: { jsonrpc: "2.0", id: 1, method: "eth_chainId" } }), 404, "UNKNOWN_NETWORK");
    const batch = await at("/__sim/rpc/eip155:84532", { method: "POST", json: [{ jsonrpc: "2.0", id: 1, method: "eth_chainId" }, { id: 2 }] });
    assert.deepEqual(batch.body, [
      { jsonrpc: "2.0", id: 1, result: "0x14a34" },
      { jsonrpc: "2.0", id: 2, error: { code: -32600, message: "Invalid JSON-RPC request." } },
    ]);
  });

  it("configures versions, networks and price override through /__sim/config", async () => {
    const config = (body) => at("/__sim/config", { method: "POST", json: body });
    try {
      const set = await config({ networks: ["eip155:84532", "eip155:8453"], priceOverride: 5000 });
      assert.deepEqual(
        [set.body.payments, set.body.x402Versions, set.body.networks, set.body.priceOverride],
        [true, [1, 2], ["eip155:84532", "eip155:8453"], 5000],
      );
      const { res, accepts } = await quote("/projects/v1", { tier: "team" });
      assert.deepEqual(
        accepts.map((a) => [a.network, a.asset, a.amount, a.extra.name]),
        [
          ["eip155:84532", SEPOLIA_USDC, "5000", "USDC"],
          ["eip155:8453", MAINNET_USDC, "5000", "USD Coin"],
        ],
      );
      assert.deepEqual(res.body.accepts.map((a) => [a.network, a.maxAmountRequired]), [["base-sepolia", "5000"], ["base", "5000"]]);

      const payer = await wallet(20_000, "eip155:8453");
      const { headers } = await signPayment(payer.key, accepts[1]);
      const ok = await at("/projects/v1", { method: "POST", json: { tier: "team" }, headers });
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.body.tier, "team");
      assert.equal(decodeSettlement(ok.headers.get("payment-response")).network, "eip155:8453");
      const balances = (await at(`/__sim/ledger?address=${payer.address}`)).body.balances;
      assert.deepEqual(balances, { "eip155:84532": 0, "eip155:8453": 15_000 });
      // A v1 payment on mainnet is named "base".
      const v1 = await signPayment(payer.key, accepts[1], { version: 1 });
      const v1ok = await at("/projects/v1", { method: "POST", json: {}, headers: v1.headers });
      assert.equal(decodeSettlement(v1ok.headers.get("x-payment-response")).network, "base");

      await config({ x402Versions: [2] });
      const v2only = await at("/projects/v1", { method: "POST", json: {} });
      assert.equal(v2only.status, 402);
      assert.ok(v2only.headers.get("payment-required"));
      assert.deepEqual(Object.keys(v2only.body).sort(), ["code", "error", "message"]);
      assert.equal(v2only.body.error, "PAYMENT-SIGNATURE header is required");
      const xpay = await signPayment(payer.key, accepts[1], { version: 1 });
      assert.match((await at("/projects/v1", { method: "POST", json: {}, headers: xpay.headers })).body.message, /X-PAYMENT was ignored/);

      for (const bad of [{ x402Versions: [] }, { x402Versions: [3] }, { networks: ["eip155:1"] }, { priceOverride: -1 }, { priceOverride: "5" }, { payments: "yes" }, { color: 1 }]) {
        assertEnvelope(await config(bad), 400);
      }
      assert.deepEqual((await call("/__sim/config", { on: paid })).body.x402Versions, [2]);
    } finally {
      await config({ x402Versions: [1, 2], networks: ["eip155:84532"], priceOverride: null });
    }
    await assert.rejects(start({ networks: ["eip155:1"] }), /networks/);
  });

  it("funds and reports the ledger through control endpoints", async () => {
    const { address, lower } = await wallet();
    const funded = await at("/__sim/fund", { method: "POST", json: { address, amount: 1234, network: "base" } });
    assert.deepEqual([funded.body.address, funded.body.network, funded.body.balance], [lower, "eip155:8453", 1234]);
    const ledger = (await at(`/__sim/ledger?address=${address}`)).body;
    assert.deepEqual(ledger.balances, { "eip155:84532": 0, "eip155:8453": 1234 });
    assert.equal(ledger.transactions[0].kind, "fund");
    const all = (await at("/__sim/ledger")).body;
    assert.equal(all.payee, payee);
    assert.ok(all.accounts.some((a) => a.address === lower && a.balance === 1234));
    assertEnvelope(await at("/__sim/fund", { method: "POST", json: { address, amount: 0 } }), 400);
    assertEnvelope(await at("/__sim/fund", { method: "POST", json: { address: "0x12", amount: 1 } }), 400);
    assertEnvelope(await at("/__sim/fund", { method: "POST", json: { address, amount: 1, network: "solana" } }), 400);
    assertEnvelope(await at("/__sim/ledger?address=nope"), 400);
  });

  it("sets a tier for the paying wallet: subscribe, upgrade, renew, downgrade; tier status follows", async () => {
    const payer = await wallet(60_000_000);
    const { accepts } = await quote("/tiers/v1/hobby", {});
    assert.equal(accepts[0].amount, "5000000");
    const buy = async (tier) => {
      const offer = (await quote(`/tiers/v1/${tier}`, {})).accepts[0];
      const { headers } = await signPayment(payer.key, offer);
      const res = await at(`/tiers/v1/${tier}`, { method: "POST", json: {}, headers });
      assert.equal(res.status, 200, res.text);
      assert.ok(res.headers.get("payment-response"));
      return res.body;
    };
    const hobby = await buy("hobby");
    assert.deepEqual(Object.keys(hobby), ["wallet", "action", "tier", "previous_tier", "lease_started_at", "lease_expires_at", "allowance_remaining_usd_micros"]);
    assert.deepEqual([hobby.wallet, hobby.action, hobby.tier, hobby.previous_tier, hobby.allowance_remaining_usd_micros], [payer.lower, "subscribe", "hobby", null, 55_000_000]);
    const days = (body) => Math.round((Date.parse(body.lease_expires_at) - Date.parse(body.lease_started_at)) / 86_400_000);
    assert.equal(days(hobby), 30);
    const team = await buy("team");
    assert.deepEqual([team.action, team.previous_tier, team.allowance_remaining_usd_micros], ["upgrade", "hobby", 35_000_000]);
    const renewed = await buy("team");
    assert.deepEqual([renewed.action, renewed.previous_tier, renewed.lease_started_at], ["renew", "team", team.lease_started_at]);
    assert.equal(days(renewed), 60);
    const proto = await buy("prototype");
    assert.deepEqual([proto.action, proto.previous_tier, proto.tier, days(proto)], ["downgrade", "team", "prototype", 7]);
    assert.equal(await balance(payer.address), 60_000_000 - 5_000_000 - 40_000_000 - 100_000);

    const status = await at("/tiers/v1/status", { headers: await siwxHeaders(payer.key, paid.url, "/tiers/v1/status") });
    assert.deepEqual([status.body.wallet, status.body.tier, status.body.active, status.body.lease_expires_at], [payer.lower, "prototype", true, proto.lease_expires_at]);

    assertEnvelope(await at("/tiers/v1/gold", { method: "POST", json: {} }), 400, "INVALID_TIER");
    assertEnvelope(await at("/tiers/v1/hobby", { method: "POST", json: { months: 2 } }), 400, "UNKNOWN_FIELD");
    assertEnvelope(await at("/tiers/v1/hobby", { method: "POST" }), 400, "MISSING_BODY");
  });

  it("generates an image for $0.03", async () => {
    const payer = await wallet(100_000);
    const body = { prompt: "a lighthouse at dusk", aspect: "landscape" };
    const { accepts } = await quote("/generate-image/v1", body);
    assert.equal(accepts[0].amount, "30000");
    const { headers } = await signPayment(payer.key, accepts[0]);
    const res = await at("/generate-image/v1", { method: "POST", json: body, headers });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.body.content_type, res.body.aspect], ["image/png", "landscape"]);
    const png = Buffer.from(res.body.image, "base64");
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.subarray(12, 16).toString(), "IHDR");
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [32, 18]);
    const idatLength = png.readUInt32BE(33);
    assert.equal(png.subarray(37, 41).toString(), "IDAT");
    assert.equal(inflateSync(png.subarray(41, 41 + idatLength)).length, (1 + 32 * 3) * 18);
    assert.equal(png.subarray(-8, -4).toString(), "IEND");
    assert.equal(await balance(payer.address), 70_000);
    assertEnvelope(await at("/generate-image/v1", { method: "POST", json: { prompt: "x", aspect: "wide" } }), 400, "INVALID_ASPECT");
    assertEnvelope(await at("/generate-image/v1", { method: "POST", json: { aspect: "square" } }), 400, "INVALID_FIELD");
  });

  it("drips the faucet once per client IP per day, and faucet money pays", async () => {
    const { key, address, lower } = await wallet();
    const res = await at("/faucet/v1", { method: "POST", json: { address: lower } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), ["transaction_hash", "amount_usd_micros", "token", "network"]);
    assert.match(res.body.transaction_hash, /^0x[0-9a-f]{64}$/);
    assert.deepEqual([res.body.amount_usd_micros, res.body.token, res.body.network], [250_000, "USDC", "base-sepolia"]);
    assert.equal(await balance(address), 250_000);
    // The limit is the IP's (every test client is 127.0.0.1), so a new wallet gets nothing either.
    const newcomer = await wallet();
    for (const again of [lower, address, newcomer.address]) {
      const limited = await at("/faucet/v1", { method: "POST", json: { address: again } });
      assertEnvelope(limited, 429, "FAUCET_RATE_LIMITED");
      assert.ok(limited.body.retry_after > 86_000 && limited.body.retry_after <= 86_400);
      assert.equal(limited.headers.get("retry-after"), String(limited.body.retry_after));
    }
    assert.equal(await balance(address), 250_000);
    assert.equal(await balance(newcomer.address), 0);
    // Flipping the case of one letter of an EIP-55 address breaks its checksum.
    const letter = address.slice(2).search(/[a-fA-F]/) + 2;
    const flipped = address[letter] === address[letter].toLowerCase() ? address[letter].toUpperCase() : address[letter].toLowerCase();
    const badChecksum = address.slice(0, letter) + flipped + address.slice(letter + 1);
    for (const bad of ["0x1234", "not an address", 42, badChecksum]) {
      assertEnvelope(await at("/faucet/v1", { method: "POST", json: { address: bad } }), 400, "INVALID_ADDRESS");
    }
    assertEnvelope(await at("/faucet/v1", { method: "POST", json: { address: lower, amount: 5 } }), 400, "UNKNOWN_FIELD");
    assertEnvelope(await at("/faucet/v1", { method: "POST" }), 400, "MISSING_BODY");

    const { accepts } = await quote("/projects/v1", {});
    const { headers } = await signPayment(key, accepts[0]);
    assert.equal((await at("/projects/v1", { method: "POST", json: {}, headers })).status, 201);
    assert.equal(await balance(address), 150_000);
  });

  it("sets the faucet window through /__sim/config and start(); 0 turns the limit off; /__sim/reset clears it", async () => {
    const config = (body) => at("/__sim/config", { method: "POST", json: body });
    assert.equal((await call("/__sim/config", { on: paid })).body.faucetWindowSeconds, 86_400);
    try {
      assert.equal((await config({ faucetWindowSeconds: 0 })).body.faucetWindowSeconds, 0);
      for (let i = 0; i < 2; i++) assert.equal((await at("/faucet/v1", { method: "POST", json: { address: (await wallet()).address } })).status, 200);
      await config({ faucetWindowSeconds: 60 });
      const limited = await at("/faucet/v1", { method: "POST", json: { address: (await wallet()).address } });
      assertEnvelope(limited, 429, "FAUCET_RATE_LIMITED");
      assert.ok(limited.body.retry_after > 0 && limited.body.retry_after <= 60);
      for (const bad of [-1, 1.5, "60", null]) assertEnvelope(await config({ faucetWindowSeconds: bad }), 400, "INVALID_FIELD");
    } finally {
      await config({ faucetWindowSeconds: 86_400 });
    }
    const open = await start({ faucetWindowSeconds: 0 });
    try {
      for (let i = 0; i < 2; i++) assert.equal((await call("/faucet/v1", { method: "POST", json: { address: (await wallet()).address }, on: open })).status, 200);
    } finally {
      await open.close();
    }
    await assert.rejects(start({ faucetWindowSeconds: -5 }), /faucetWindowSeconds/);
    // /__sim/reset forgets who was funded.
    assertEnvelope(await at("/faucet/v1", { method: "POST", json: { address: (await wallet()).address } }), 429, "FAUCET_RATE_LIMITED");
    assert.equal((await at("/__sim/reset", { method: "POST" })).status, 200);
    assert.equal((await at("/faucet/v1", { method: "POST", json: { address: (await wallet()).address } })).status, 200);
  });

  it("is paid by the official @x402/fetch client, v2 and v1", async () => {
    const v1 = await start({ payments: true, x402Versions: [1] });
    try {
      for (const [on, header, network] of [[paid, "payment-response", "eip155:84532"], [v1, "x-payment-response", "base-sepolia"]]) {
        const account = privateKeyToAccount(generatePrivateKey());
        await call("/__sim/fund", { method: "POST", json: { address: account.address, amount: 1_000_000 }, on });
        const client = new x402Client();
        registerExactEvmScheme(client, { signer: account });
        const res = await wrapFetchWithPayment(fetch, client)(`${on.url}/projects/v1`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: "official" }),
        });
        assert.equal(res.status, 201, await res.clone().text());
        assert.equal((await res.json()).name, "official");
        const settlement = decodeSettlement(res.headers.get(header));
        assert.deepEqual([settlement.success, settlement.network, settlement.payer], [true, network, account.address]);
        assert.equal(await balance(account.address, "eip155:84532", on), 900_000);
      }
    } finally {
      await v1.close();
    }
  });

  it("releases a held payment when the paid request does not succeed", async () => {
    const state = createState({ payments: true });
    const asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
    const from = privateKeyToAccount(generatePrivateKey()).address.toLowerCase();
    mint(state.ledger, { network: "eip155:84532", asset, address: from, amount: 1000n, kind: "fund" });
    const payment = { network: "eip155:84532", asset, from, to: payee, value: 600n, nonce: `0x${"11".repeat(32)}` };
    const attempt = (outcome) => {
      const ctx = { state, payment: null };
      return withPayment(ctx, async () => {
        const held = hold(state.ledger, payment);
        assert.equal(held.ok, true);
        ctx.payment = { hold: held.hold, version: 2, network: "eip155:84532", payer: from };
        assert.equal(balanceOf(state.ledger, "eip155:84532", asset, from), 400n);
        if (outcome === "throw") throw new Error("handler failed");
        return { status: outcome, headers: {}, body: "{}" };
      });
    };
    await assert.rejects(attempt("throw"), /handler failed/);
    assert.equal((await attempt(500)).headers["payment-response"], undefined);
    assert.equal(balanceOf(state.ledger, "eip155:84532", asset, from), 1000n);
    const ok = await attempt(200); // the nonce was freed each time
    assert.equal(decodeSettlement(ok.headers["payment-response"]).success, true);
    assert.equal(balanceOf(state.ledger, "eip155:84532", asset, from), 400n);
    assert.equal(balanceOf(state.ledger, "eip155:84532", asset, payee), 600n);
    assert.deepEqual(hold(state.ledger, payment), { ok: false, reason: "nonce" });
    assert.deepEqual(state.paymentStats.settled, 1);
  });

  it("keeps paid routes free when payments are off", async () => {
    assert.equal((await call("/__sim/config")).body.payments, false);
    const image = await call("/generate-image/v1", { method: "POST", json: { prompt: "free" } });
    assert.deepEqual([image.status, image.body.aspect], [200, "square"]);
    const path = "/tiers/v1/hobby";
    assertEnvelope(await call(path, { method: "POST", json: {} }), 401, "SIWX_REQUIRED");
    const key = generatePrivateKey();
    const set = await call(path, { method: "POST", json: {}, headers: await siwxHeaders(key, sim.url, path) });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual([set.body.wallet, set.body.action, set.body.tier, set.body.allowance_remaining_usd_micros], [privateKeyToAccount(key).address.toLowerCase(), "subscribe", "hobby", 0]);
    assert.equal(set.headers.get("payment-response"), null);
  });
});

describe("ai add-ons: translate, moderate, usage", () => {
  const bearer = (key) => ({ authorization: `Bearer ${key}` });

  it("refuses calls without the project's service key", async () => {
    const project = await provision();
    const text = { method: "POST", json: { text: "hello", to: "es" } };
    assertEnvelope(await call("/ai/v1/translate", text), 401, "MISSING_SERVICE_KEY");
    assertEnvelope(await call("/ai/v1/translate", { ...text, headers: bearer("not-a-key") }), 401, "INVALID_KEY");
    assertEnvelope(await call("/ai/v1/moderate", { method: "POST", json: { text: "x" }, headers: bearer(project.anon_key) }), 403, "SERVICE_KEY_REQUIRED");
    assertEnvelope(await call("/ai/v1/usage", { headers: bearer(project.anon_key) }), 403, "SERVICE_KEY_REQUIRED");
    assertEnvelope(await call("/ai/v1/usage", { method: "POST", headers: bearer(project.service_key) }), 405, "METHOD_NOT_ALLOWED");
  });

  it("checks bodies strictly and meters words only for translations it made", async () => {
    const project = await provision();
    const post = (path, json) => call(path, { method: "POST", json, headers: bearer(project.service_key) });
    assertEnvelope(await post("/ai/v1/translate", { text: "hello", to: "es", tone: "warm" }), 400, "UNKNOWN_FIELD");
    assertEnvelope(await post("/ai/v1/translate", { text: "   ", to: "es" }), 400, "INVALID_FIELD");
    assertEnvelope(await post("/ai/v1/translate", { text: "hello", to: "spanish" }), 400, "INVALID_LANGUAGE");
    assertEnvelope(await post("/ai/v1/translate", { text: "hello", to: "es" }), 402, "TRANSLATION_ADDON_REQUIRED");
    assertEnvelope(await post("/ai/v1/moderate", { text: "" }), 400, "INVALID_FIELD");

    const enable = (json) => call("/__sim/ai/translation", { method: "POST", json: { project_id: project.project_id, ...json } });
    assertEnvelope(await enable({ included_words: -1 }), 400, "INVALID_FIELD");
    assertEnvelope(await call("/__sim/ai/translation", { method: "POST", json: { project_id: "prj_none" } }), 404, "PROJECT_NOT_FOUND");
    const on = await enable({ included_words: 3 });
    assert.deepEqual([on.body.translation.active, on.body.translation.remaining_words], [true, 3]);
    const same = await post("/ai/v1/translate", { text: "hola amigo", to: "es" });
    assert.deepEqual(same.body, { text: "hola amigo", from: "es", to: "es" }, "same language: returned as is");
    const hund = await post("/ai/v1/translate", { text: "DOG, Cat", to: "de" });
    assert.deepEqual(hund.body, { text: "HUND, Katze", from: "en", to: "de" });
    const over = await post("/ai/v1/translate", { text: "the dog and the cat", to: "de" });
    assertEnvelope(over, 402, "TRANSLATION_QUOTA_EXCEEDED");
    assert.deepEqual([over.body.details.requested_words, over.body.details.remaining_words, over.body.details.used_words], [5, 1, 2]);
    const usage = await call("/ai/v1/usage", { headers: bearer(project.service_key) });
    assert.deepEqual(usage.body.translation.used_words, 2);
    assert.equal(Object.keys(usage.body.translation).length, 5);
  });
});

describe("fault injection and request log", () => {
  before(async () => {
    await call("/__sim/reset", { method: "POST" });
  });

  it("injects status codes for the next N matching requests", async () => {
    const queued = await call("/__sim/faults", {
      method: "POST",
      json: { match: { method: "GET", path: "/tiers" }, count: 2, status: 503, headers: { "Retry-After": "1" }, body: { error: "busy", message: "try later", code: "BUSY" } },
    });
    assert.equal(queued.status, 201);
    assert.equal((await call("/health")).status, 200);
    for (let i = 0; i < 2; i++) {
      const res = await call("/tiers/v1?x=1");
      assert.deepEqual([res.status, res.headers.get("retry-after"), res.body.code], [503, "1", "BUSY"]);
    }
    assert.equal((await call("/tiers/v1")).status, 200);
    assertEnvelope(await call("/__sim/faults", { method: "POST", json: { count: 1 } }), 400, "INVALID_FAULT");
  });

  it("delays, resets and truncates", async () => {
    await call("/__sim/faults", { method: "POST", json: { match: { path: "/health" }, delayMs: 300 } });
    const t0 = Date.now();
    assert.equal((await call("/health")).status, 200);
    assert.ok(Date.now() - t0 >= 290);

    await call("/__sim/faults", { method: "POST", json: { match: { path: "/health" }, reset: true } });
    await assert.rejects(fetch(`${sim.url}/health`));

    await call("/__sim/faults", { method: "POST", json: { match: { path: "/tiers/v1" }, truncate: true } });
    const res = await fetch(`${sim.url}/tiers/v1`);
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
    assert.equal((await call("/tiers/v1")).status, 200);
  });

  it("logs every non-control request", async () => {
    await call("/__sim/reset", { method: "POST" });
    await call("/projects/v1?x=1", { method: "POST", json: { name: "logged" }, headers: { "X-Custom": "yes" } });
    const log = (await call("/__sim/requests")).body;
    assert.equal(log.length, 1);
    assert.deepEqual([log[0].method, log[0].path, log[0].body], ["POST", "/projects/v1?x=1", '{"name":"logged"}']);
    assert.equal(log[0].headers["x-custom"], "yes");
    const state = (await call("/__sim/state")).body;
    assert.equal(state.requests_logged, 1);
    assert.ok(state.projects > 0);
  });
});

describe("cron schedules (functions)", () => {
  const at = (iso) => Date.parse(iso);
  const next = (expr, from) => new Date(nextRun(parseCron(expr), at(from))).toISOString();

  it("finds the next run in UTC, strictly after the given time", () => {
    assert.equal(next("*/15 * * * *", "2030-01-01T10:07:30Z"), "2030-01-01T10:15:00.000Z");
    assert.equal(next("*/15 * * * *", "2030-01-01T10:15:00Z"), "2030-01-01T10:30:00.000Z");
    assert.equal(next("30 2 * * *", "2030-01-01T03:00:00Z"), "2030-01-02T02:30:00.000Z");
    assert.equal(next("0 0 1 jan *", "2030-06-01T00:00:00Z"), "2031-01-01T00:00:00.000Z");
    assert.equal(next("0 9 * * mon-fri", "2030-01-05T12:00:00Z"), "2030-01-07T09:00:00.000Z"); // Saturday → Monday
    assert.equal(next("0 0 29 2 *", "2030-03-01T00:00:00Z"), "2032-02-29T00:00:00.000Z");
    // Both day fields restricted: either matches (classic cron).
    assert.equal(next("0 0 13 * 5", "2030-01-01T00:00:00Z"), "2030-01-04T00:00:00.000Z");
    assert.equal(next("0 12 * * 7", "2030-01-01T00:00:00Z"), "2030-01-06T12:00:00.000Z"); // 7 is Sunday
    assert.equal(nextRun(parseCron("0 0 31 2 *"), at("2030-01-01T00:00:00Z")), null);
  });

  it("measures the shortest gap between runs", () => {
    for (const [expr, minutes] of [["* * * * *", 1], ["*/5 * * * *", 5], ["*/15 * * * *", 15], ["0,50 * * * *", 10], ["0 */2 * * *", 120], ["30 2 * * *", 1440], ["0 23,1 * * *", 120]]) {
      assert.equal(minIntervalMinutes(parseCron(expr)), minutes, expr);
    }
  });

  it("refuses malformed expressions, saying where", () => {
    for (const [expr, why] of [["* * * *", /expected 5 fields/], ["60 * * * *", /outside 0-59 in the minute/], ["* 24 * * *", /hour/], ["* * 0 * *", /day of month/],
      ["* * * 13 *", /month/], ["* * * * 8", /day of week/], ["*/0 * * * *", /bad step/], ["5-1 * * * *", /backwards/], ["x * * * *", /not a number/]]) {
      assert.throws(() => parseCron(expr), (e) => e instanceof CronError && why.test(e.message), expr);
    }
  });
});

describe("CI: the local OIDC issuer, token exchange and CI sessions", () => {
  it("a minted token exchanges for a session that ciSession() accepts for its project only, until revoked", async () => {
    const project = await provision({ tier: "prototype" }, await siwxHeaders(USER_KEY, sim.url, "/projects/v1"));
    const other = await provision({ tier: "prototype" }, await siwxHeaders(USER_KEY, sim.url, "/projects/v1"));
    // A binding as the bindings route stores it (its delegation checks are tested through the SDKs).
    const binding = {
      id: "cib_sim", project_id: project.project_id, issuer: "https://token.actions.githubusercontent.com",
      subject_match: "repo:o/n:*", allowed_actions: ["deploy"], allowed_events: ["push"], route_scopes: [],
      github_repository_id: null, created_by: USER, nonce: "0".repeat(16), created_at: new Date().toISOString(),
      expires_at: null, revoked_at: null, last_used_at: null, use_count: 0,
    };
    ciState(sim.state).bindings.set(binding.id, binding);

    const jwks = await call("/__sim/oidc/jwks");
    assert.equal(jwks.body.keys[0].kty, "RSA");
    assert.equal(jwks.body.keys[0].alg, "RS256");
    const { value } = (await call("/__sim/oidc/tokens", { method: "POST", json: { repository: "o/n", ref: "refs/heads/x" } })).body;
    const [, claims] = value.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url").toString()));
    assert.deepEqual([claims.sub, claims.aud, claims.event_name, claims.iss], ["repo:o/n:ref:refs/heads/x", "https://api.run402.com", "push", "https://token.actions.githubusercontent.com"]);

    const exchange = (subject_token, project_id = project.project_id) => call("/ci/v1/token-exchange", {
      method: "POST",
      json: { grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token, subject_token_type: "urn:ietf:params:oauth:token-type:jwt", project_id },
    });
    const res = await exchange(value);
    assert.equal(res.status, 200, res.text);
    const ctx = { state: sim.state, headers: { authorization: `Bearer ${res.body.access_token}` } };
    assert.equal(ciSession(ctx, project.project_id).binding.id, binding.id);
    assert.equal(binding.use_count, 1);

    const refused = (c, projectId, status, code) => assert.throws(() => ciSession(c, projectId), (e) => e instanceof HttpError && e.status === status && e.body.code === code);
    refused(ctx, other.project_id, 403, "insufficient_scope");
    refused({ ...ctx, headers: { authorization: "Bearer r402ci_unknown" } }, project.project_id, 401, "invalid_token");
    refused({ ...ctx, headers: { authorization: `Bearer ${project.service_key}` } }, project.project_id, 401, "invalid_token");
    refused({ ...ctx, headers: {} }, project.project_id, 401, "invalid_token");
    // Unknown fields and wrong grant types are invalid_request; a token for another project's bindings is access_denied.
    assertEnvelope(await exchange(value, other.project_id), 403, "access_denied");
    assertEnvelope(await call("/ci/v1/token-exchange", { method: "POST", json: { grant_type: "x" } }), 400, "invalid_request");
    // A CI session is not a project key.
    assertEnvelope(await call(`/projects/v1/admin/${project.project_id}/secrets`, { headers: ctx.headers }), 403, "insufficient_scope");

    binding.revoked_at = new Date().toISOString();
    refused(ctx, project.project_id, 403, "access_denied");
    binding.revoked_at = null;
    const session = ciState(sim.state).sessions.get(res.body.access_token);
    session.expiresAt = Date.now() - 1;
    refused(ctx, project.project_id, 401, "invalid_token");
    binding.revoked_at = new Date().toISOString();
  });

  it("a job's request URL hands out tokens for the audience asked, only to its request token", async () => {
    const job = (await call("/__sim/oidc/jobs", { method: "POST", json: { repository: "o/n", event_name: "pull_request" } })).body;
    const url = new URL(job.request_url);
    const token = await call(`${url.pathname}${url.search}&audience=aud-1`, { headers: { authorization: `Bearer ${job.request_token}` } });
    assert.equal(token.status, 200);
    const claims = JSON.parse(Buffer.from(token.body.value.split(".")[1], "base64url").toString());
    assert.deepEqual([claims.aud, claims.sub], ["aud-1", "repo:o/n:pull_request"]);
    assert.equal((await call(`${url.pathname}${url.search}`, { headers: { authorization: "Bearer ghs_nope" } })).status, 401);
    assertEnvelope(await call("/__sim/oidc/jobs", { method: "POST", json: { repository: "no-slash" } }), 400);
  });
});
