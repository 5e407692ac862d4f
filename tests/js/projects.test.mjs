// r.projects and r.service end to end: the built package against the
// simulator (real SQL in embedded Postgres, real key checks), every method
// and its error paths.
import { test, before } from "node:test";
import assert from "node:assert/strict";

import {
  sdk, simulator, sim, fault, client, withProject, rejectsKind, memoryProvider,
  walletAuth, ADMIN_KEY, WALLET_KEY, WALLET_ADDRESS,
} from "./helpers.mjs";

before(async () => { await simulator(); });

test("service.status and service.health pass the gateway's JSON through", async () => {
  const { r, credentials } = await client();
  const health = await r.service.health();
  assert.equal(health.status, "ok");
  assert.equal(typeof health.checks, "object");
  const status = await r.service.status();
  assert.equal(typeof status.uptime_seconds, "number");
  assert.ok(Array.isArray(status.capabilities));
  assert.equal(credentials.calls.filter(([m]) => m === "getAuth").length, 0, "no auth on service calls");
});

test("provision saves keys and activates the project; the keys really work", async () => {
  const { r, credentials, project, id } = await withProject();
  assert.match(id, /\S/);
  assert.equal(typeof project.anon_key, "string");
  assert.equal(typeof project.schema_slot, "string");
  assert.ok("tier" in project, "fields beyond the typed ones are kept");
  assert.deepEqual(credentials.projects.get(id), { anon_key: project.anon_key, service_key: project.service_key });
  assert.equal(credentials.active, id);
  assert.deepEqual(credentials.calls.find(([m]) => m === "getAuth").slice(1),
    ["/projects/v1", { method: "projects.provision", url: `${await simulator()}/projects/v1` }]);
  assert.equal(await r.projects.active(), id);
  assert.deepEqual(await r.projects.keys(id), credentials.projects.get(id));
  assert.deepEqual(await r.projects.info(id), { project_id: id, ...credentials.projects.get(id) });
  const named = await r.projects.provision({ tier: "hobby", name: "demo" });
  assert.notEqual(named.project_id, id);
  await rejectsKind(r.projects.provision({ tier: "enterprise" }), "local_error");
  await rejectsKind(r.projects.provision({ name: 5 }), "local_error");
});

test("a 402 surfaces as PaymentRequired carrying the server's requirements", async () => {
  const { r, credentials } = await client();
  await sim("config", { payments: true });
  try {
    const e = await rejectsKind(r.projects.provision({ tier: "prototype" }), "payment_required");
    assert.equal(e.status, 402);
    assert.match(e.message, / while provisioning project$/);
    assert.equal(e.body.x402Version, 1);
    assert.equal(e.body.accepts[0].scheme, "exact");
    assert.equal(e.body.accepts[0].maxAmountRequired, "100000");
    assert.ok(sdk.isPaymentRequired(e) && !sdk.isRetryableRun402Error(e));
    assert.equal(credentials.calls.filter(([m]) => m === "saveProject").length, 0, "nothing saved on failure");
  } finally {
    await sim("config", { payments: false });
  }
});

test("sql: text and parameterized forms run real SQL; blocked statements get 403 with a hint", async () => {
  const { r, id } = await withProject();
  await r.projects.sql(id, "CREATE TABLE notes (id serial primary key, title text not null, n int)");
  await r.projects.sql(id, "INSERT INTO notes (title, n) VALUES ('a', 1), ('b', 2)");
  await r.projects.sql(id, "INSERT INTO notes (title, n) VALUES ($1, $2)", ["it's \"quoted\"", 3]);
  const out = await r.projects.sql(id, "SELECT title, n FROM notes WHERE n >= $1 ORDER BY n", [2]);
  assert.deepEqual(out.rows, [{ title: "b", n: 2 }, { title: "it's \"quoted\"", n: 3 }]);
  const blocked = await rejectsKind(r.projects.sql(id, "CREATE EXTENSION pgcrypto"), "unauthorized");
  assert.equal(blocked.status, 403);
  assert.equal(typeof blocked.body.hint, "string");
  assert.match(blocked.message, / while running SQL \(HTTP 403\)$/);
  const bad = await rejectsKind(r.projects.sql(id, "SELEC nonsense"), "api_error");
  assert.equal(bad.status, 400);
  await rejectsKind(r.projects.sql(id, ""), "local_error");
  await rejectsKind(r.projects.sql("prj_unknown", "SELECT 1"), "project_not_found", (e) => assert.equal(e.projectId, "prj_unknown"));
});

test("rest: select, filters, order, limit, offset, writes with representation, both keys", async () => {
  const { r, id } = await withProject();
  await r.projects.sql(id, "CREATE TABLE items (id int primary key, name text, qty int, tag text)");
  await r.projects.sql(id, "INSERT INTO items VALUES (1,'apple',5,'fruit'),(2,'banana',0,'fruit'),(3,'carrot',7,null),(4,'dates',12,'fruit')");
  const svc = (q) => r.projects.rest(id, "items", { query: q, keyType: "service" });
  assert.deepEqual((await svc("select=id&order=id.desc&limit=2")).map((x) => x.id), [4, 3]);
  assert.deepEqual((await svc("select=id&order=id&offset=1&limit=2")).map((x) => x.id), [2, 3]);
  assert.deepEqual((await svc("select=name&qty=gt.4&order=name")).map((x) => x.name), ["apple", "carrot", "dates"]);
  assert.deepEqual((await svc({ select: "id", tag: "is.null" })).map((x) => x.id), [3]);
  assert.deepEqual((await svc({ select: "id", id: "in.(1,4)", order: "id" })).map((x) => x.id), [1, 4]);
  assert.deepEqual((await svc("select=id&name=ilike.*AN*&order=id")).map((x) => x.id), [2]);
  assert.deepEqual((await svc("select=id&qty=lte.0")).map((x) => x.id), [2]);
  assert.deepEqual((await svc("select=id&tag=neq.fruit")).length, 0, "neq does not match NULL, as in Postgres");

  const created = await r.projects.restResponse(id, "items", { method: "POST", body: { id: 5, name: "egg", qty: 1 }, keyType: "service" });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body, [{ id: 5, name: "egg", qty: 1, tag: null }]);
  const patched = await r.projects.rest(id, "items", { method: "PATCH", query: "id=eq.5", body: { qty: 9 }, keyType: "service" });
  assert.equal(patched[0].qty, 9);
  const deleted = await r.projects.rest(id, "items", { method: "DELETE", query: { id: "eq.5" }, keyType: "service" });
  assert.equal(deleted[0].id, 5);
  assert.equal((await svc("id=eq.5")).length, 0);

  const unknown = await rejectsKind(r.projects.rest(id, "nope", { keyType: "service" }), "api_error");
  assert.equal(unknown.status, 404);
  await rejectsKind(r.projects.rest(id, "items", { method: "PUT" }), "local_error");
  await rejectsKind(r.projects.rest(id, "items", { body: { a: 1 } }), "local_error");
});

test("rest with the anon key obeys row-level security", async () => {
  const { r, id } = await withProject();
  await r.projects.sql(id, "CREATE TABLE secrets (id int primary key, v text)");
  await r.projects.sql(id, "INSERT INTO secrets VALUES (1, 'x')");
  await r.projects.sql(id, "CREATE TABLE posts (id int primary key, body text)");
  await r.projects.sql(id, "INSERT INTO posts VALUES (1, 'hello')");
  await r.projects.applyExpose(id, {
    version: "1",
    tables: [{ name: "posts", expose: true, policy: "public_read_authenticated_write" }, { name: "secrets" }],
  });
  const schema = await r.projects.getSchema(id);
  const posts = schema.tables.find((t) => t.name === "posts");
  assert.equal(posts.rls_enabled, true);
  assert.ok(posts.policies.length > 0, "the manifest became real policies");
  assert.deepEqual(await r.projects.rest(id, "posts", "select=body"), [{ body: "hello" }]);
  const hidden = await r.projects.rest(id, "secrets").catch((e) => e);
  assert.ok(Array.isArray(hidden) ? hidden.length === 0 : sdk.isRun402Error(hidden), "anon cannot read service-only rows");
  assert.deepEqual(await r.projects.rest(id, "secrets", { keyType: "service", query: "select=v" }), [{ v: "x" }]);
});

test("usage, schema and expose manifest round trip", async () => {
  const { r, id } = await withProject({ auth: walletAuth(WALLET_KEY) });
  await r.projects.sql(id, "CREATE TABLE t (id int primary key, label text)");
  const usage = await r.projects.getUsage(id);
  assert.equal(usage.project_id, id);
  assert.equal(typeof usage.api_calls, "number");
  await r.projects.sql(id, "SELECT 1");
  const again = await r.projects.usage(id);
  assert.equal(again.project_id, id);
  assert.ok(again.api_calls > usage.api_calls, "the usage counter is real");
  const schema = await r.projects.schema(id);
  const t = schema.tables.find((x) => x.name === "t");
  assert.deepEqual(t.columns.map((c) => c.name), ["id", "label"]);
  const manifest = { version: "1", tables: [{ name: "t", expose: true, policy: "public_read_authenticated_write" }] };
  await r.projects.applyExpose(id, manifest);
  const got = await r.projects.getExpose(id);
  assert.deepEqual(got, manifest, "getExpose answers the manifest as applied");
  const ok = await r.projects.validateExpose(manifest, { project: id });
  assert.equal(ok.hasErrors, false);
  const missing = await r.projects.validateExpose({ version: "1", tables: [{ name: "missing_table", expose: true, policy: "public_read_authenticated_write" }] }, { project_id: id });
  assert.equal(missing.hasErrors, true);
  assert.equal(missing.errors[0].type, "missing-table");
  const local = await r.projects.validateExpose("{not json");
  assert.deepEqual([local.hasErrors, local.errors[0].type], [true, "schema-shape"]);
  const projectless = await r.projects.validateExpose(JSON.stringify(manifest));
  assert.equal(typeof projectless.hasErrors, "boolean");
  await rejectsKind(r.projects.validateExpose(manifest, { project: id, project_id: "other" }), "local_error");
  await rejectsKind(r.projects.applyExpose(id, "not an object"), "local_error");
});

test("promoteUser and demoteUser change a real user's role", async () => {
  const { r, id } = await withProject();
  await sim("users", { project_id: id, email: "ada@example.com" });
  assert.equal(await r.projects.promoteUser(id, "ada@example.com"), undefined);
  await r.projects.demoteUser(id, "ada@example.com");
  const e = await rejectsKind(r.projects.promoteUser(id, "nobody@example.com"), "api_error");
  assert.equal(e.status, 404);
  await rejectsKind(r.projects.demoteUser(id, ""), "local_error");
});

test("getQuote and its alias read the tier table without auth", async () => {
  const { r, credentials } = await client();
  const quote = await r.projects.getQuote();
  assert.deepEqual(Object.keys(quote.tiers).sort(), ["hobby", "prototype", "team"]);
  assert.equal(quote.tiers.prototype.lease_days, 7);
  assert.deepEqual(await r.projects.quote(), quote);
  assert.equal(r.projects.quote, r.projects.getQuote, "aliases are the same method");
  assert.equal(r.projects.usage, r.projects.getUsage);
  assert.equal(r.projects.schema, r.projects.getSchema);
  assert.equal(credentials.calls.length, 0);
});

test("list: by wallet, signed in with the wallet; and from the provider's allowance", async () => {
  const { r } = await client({ auth: walletAuth(WALLET_KEY), allowance: { address: WALLET_ADDRESS, privateKey: WALLET_KEY } });
  const mine = await r.projects.provision({ tier: "prototype", name: "owned" });
  const listed = await r.projects.list(WALLET_ADDRESS);
  assert.equal(listed.wallet, WALLET_ADDRESS.toLowerCase());
  assert.ok(listed.projects.some((p) => p.id === mine.project_id && p.name === "owned"));
  const viaAllowance = await r.projects.list();
  assert.deepEqual(viaAllowance.projects.map((p) => p.id), listed.projects.map((p) => p.id));
  await rejectsKind(r.projects.list("not-a-wallet"), "local_error");
});

test("pin needs a platform-admin wallet", async () => {
  const { r, id } = await withProject();
  const e = await rejectsKind(r.projects.pin(id), "unauthorized");
  assert.equal(e.status, 403);
  assert.equal(e.code, "ADMIN_REQUIRED");
  const admin = new sdk.Run402({ apiBase: await simulator(), credentials: { getAuth: walletAuth(ADMIN_KEY), getProject: () => null } });
  const pinned = await admin.projects.pin(id);
  assert.deepEqual([pinned.status, pinned.project_id], ["pinned", id]);
});

test("delete removes the project at the gateway and in the provider", async () => {
  const { r, credentials, id } = await withProject();
  const keys = credentials.projects.get(id);
  assert.equal(await r.projects.delete(id), undefined);
  assert.equal(credentials.projects.has(id), false);
  assert.deepEqual(credentials.calls.at(-1), ["removeProject", id]);
  await rejectsKind(r.projects.delete(id), "project_not_found");
  credentials.projects.set(id, keys);
  const gone = await r.projects.getUsage(id).catch((e) => e);
  assert.ok(sdk.isUnauthorized(gone) || sdk.isApiError(gone), "the old keys no longer work");
});

test("use and scoped clients: r.project(id), r.project(), r.useProject(id)", async () => {
  const { r, credentials, id } = await withProject();
  const other = await r.projects.provision({ tier: "prototype" });
  await r.projects.use(id);
  assert.equal(credentials.active, id);
  const p = await r.project();
  assert.equal(p.projectId, id);
  await p.projects.sql("CREATE TABLE scoped (n int)");
  await p.projects.sql("INSERT INTO scoped VALUES ($1)", [42]);
  assert.deepEqual(await p.projects.rest("scoped", { keyType: "service" }), [{ n: 42 }]);
  assert.equal((await p.projects.getUsage()).project_id, id);
  assert.equal((await p.projects.info()).project_id, id);
  assert.equal(typeof (await p.projects.getQuote()).tiers, "object", "pass-through methods work on scoped clients");
  assert.equal(p.projects.provision, undefined, "scoped projects has no provision");
  assert.equal(p.projects.use, undefined, "scoped projects has no use");
  assert.equal(p.projects.usage, undefined, "scoped clients expose no CLI aliases");
  assert.equal(p.service, undefined, "service is not a scoped namespace");
  const v = await p.projects.validateExpose({ version: "1", tables: [{ name: "scoped", expose: true, policy: "public_read_authenticated_write" }] });
  assert.equal(v.hasErrors, false, "validateExpose is scoped to the project");
  const q = await r.project(other.project_id);
  assert.equal(credentials.active, id, "r.project(id) does not change provider state");
  assert.equal((await q.projects.getUsage()).project_id, other.project_id);
  const u = await r.useProject(other.project_id);
  assert.equal(credentials.active, other.project_id);
  assert.equal(u.projectId, other.project_id);
  await rejectsKind(r.useProject("prj_missing"), "project_not_found");
  await rejectsKind(r.project("bad id"), "local_error");
});

test("fault injection: 5xx retried by withRetry, reset and truncation are network errors, delays are survived", async () => {
  const { r } = await client();
  await fault({ match: { method: "GET", path: "/health" }, count: 2, status: 503, body: { message: "warming up" } });
  let retries = 0;
  const health = await sdk.withRetry(() => r.service.health(), { baseDelayMs: 5, onRetry: () => retries++ });
  assert.equal(health.status, "ok");
  assert.equal(retries, 2);

  await fault({ match: { path: "/health" }, status: 500, body: { message: "boom", retryable: false } });
  const e = await rejectsKind(r.service.health(), "api_error");
  assert.equal(sdk.isRetryableRun402Error(e), false, "gateway-flagged retryable:false wins");

  await fault({ match: { path: "/health" }, reset: true });
  await rejectsKind(r.service.health(), "network_error", (e) => assert.match(e.message, /^Network error while fetching service health: /));
  await fault({ match: { path: "/status" }, truncate: true });
  await rejectsKind(r.service.status(), "network_error");
  await fault({ match: { path: "/health" }, delayMs: 300 });
  const t0 = performance.now();
  assert.equal((await r.service.health()).status, "ok");
  assert.ok(performance.now() - t0 >= 250);
  await fault({ match: { path: "/tiers/v1" }, status: 429, headers: { "retry-after": "1" }, body: { message: "slow down" } });
  const limited = await rejectsKind(r.projects.getQuote(), "api_error");
  assert.ok(sdk.isRetryableRun402Error(limited));
});

test("two hundred concurrent calls on one client", async () => {
  const { r, id } = await withProject();
  await r.projects.sql(id, "CREATE TABLE c (n int)");
  const work = [];
  for (let i = 0; i < 200; i++) {
    if (i % 4 === 0) work.push(r.service.health().then((h) => h.status));
    else if (i % 4 === 1) work.push(r.projects.sql(id, "INSERT INTO c VALUES ($1)", [i]).then(() => "ins"));
    else if (i % 4 === 2) work.push(r.projects.rest(id, "c", { keyType: "service", query: "select=n&limit=1" }).then(() => "rest"));
    else work.push(r.projects.getUsage("prj_nowhere").catch((e) => e.kind));
  }
  const results = await Promise.all(work);
  assert.equal(results.filter((x) => x === "ok").length, 50);
  assert.equal(results.filter((x) => x === "ins").length, 50);
  assert.equal(results.filter((x) => x === "rest").length, 50);
  assert.equal(results.filter((x) => x === "project_not_found").length, 50);
  const count = await r.projects.sql(id, "SELECT count(*)::int AS n FROM c");
  assert.equal(count.rows[0].n, 50);
});

test("the wire form the simulator saw: headers and bodies as the contract says", async () => {
  const { r, id, project } = await withProject({ auth: () => ({ "X-Trace": "t-1", Authorization: "Bearer provider" }) });
  await sim("reset", {});
  await r.projects.sql(id, "SELECT 1");
  await r.projects.rest(id, "nothing_here").catch(() => {});
  const [sqlReq, restReq] = await sim("requests");
  assert.equal(sqlReq.method, "POST");
  assert.equal(sqlReq.path, `/projects/v1/admin/${id}/sql`);
  assert.equal(sqlReq.headers.authorization, `Bearer ${project.service_key}`, "the request's own auth wins");
  assert.equal(sqlReq.headers["x-trace"], "t-1", "other provider headers are merged");
  assert.equal(sqlReq.headers["content-type"], "text/plain");
  assert.equal(sqlReq.body, "SELECT 1");
  assert.equal(restReq.headers.apikey, project.anon_key);
  assert.equal(restReq.headers["x-trace"], undefined, "REST never merges provider headers");
});
