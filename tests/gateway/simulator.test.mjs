// Tests for the gateway simulator itself, through plain fetch.
// Run: node --test tests/gateway/simulator.test.mjs

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { privateKeyToAccount } from "viem/accounts";
import { start } from "./server.mjs";
import { siwxHeaders } from "./test-signer.mjs";

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

/** fetch against the simulator; `json` is sent as a JSON body. Returns status, headers, text, parsed body. */
async function call(path, { method = "GET", headers = {}, json, body } = {}) {
  const init = { method, headers: { ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["content-type"] ??= "application/json";
  } else if (body !== undefined) {
    init.body = body;
  }
  const res = await fetch(sim.url + path, init);
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
    const empty = (await admin(p, "expose")).body;
    assert.deepEqual([empty.source, empty.manifest.tables], ["introspected", []]);
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
    const stored = (await admin(p, "expose")).body;
    assert.equal(stored.source, "applied");
    assert.equal(stored.manifest.tables[0].policy, "public_read_write_UNRESTRICTED");
  });
});

describe("payments switch", () => {
  after(async () => {
    await call("/__sim/config", { method: "POST", json: { payments: false } });
  });

  it("answers 402 with x402 v2 header and v1 body", async () => {
    assert.deepEqual((await call("/__sim/config", { method: "POST", json: { payments: true } })).body, { payments: true });
    const res = await call("/projects/v1", { method: "POST", json: { tier: "hobby" } });
    assert.equal(res.status, 402);
    const required = JSON.parse(Buffer.from(res.headers.get("payment-required"), "base64").toString());
    assert.equal(required.x402Version, 2);
    assert.equal(required.resource.url, `${sim.url}/projects/v1`);
    assert.equal(required.resource.mimeType, "application/json");
    const [accept] = required.accepts;
    assert.deepEqual(
      [accept.scheme, accept.network, accept.amount, accept.asset, accept.maxTimeoutSeconds, accept.extra],
      ["exact", "eip155:84532", "5000000", "0x036CbD53842c5426634e7929541eC2318f3dCF7e", 300, { name: "USDC", version: "2" }],
    );
    assert.match(accept.payTo, /^0x[0-9a-fA-F]{40}$/);
    assert.equal(res.body.x402Version, 1);
    assert.equal(res.body.error, "X-PAYMENT header is required");
    const [v1] = res.body.accepts;
    assert.deepEqual([v1.network, v1.maxAmountRequired, v1.resource, v1.payTo], ["base-sepolia", "5000000", `${sim.url}/projects/v1`, accept.payTo]);
    assert.equal((await call("/projects/v1", { method: "POST" })).body.accepts[0].maxAmountRequired, "100000");
    assertEnvelope(await call("/projects/v1", { method: "POST", json: { tier: "gold" } }), 400, "INVALID_TIER");
  });

  it("does not verify payments yet", async () => {
    const seen = (await call("/__sim/state")).body.payments_seen;
    for (const header of ["payment-signature", "x-payment"]) {
      const res = await call("/projects/v1", { method: "POST", json: {}, headers: { [header]: "e30=" } });
      assert.equal(res.status, 402);
      assert.equal(res.body.error, "payment_verification_unavailable");
    }
    assert.equal((await call("/__sim/state")).body.payments_seen, seen + 2);
    await call("/__sim/config", { method: "POST", json: { payments: false } });
    assert.equal((await call("/projects/v1", { method: "POST", json: {} })).status, 201);
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
