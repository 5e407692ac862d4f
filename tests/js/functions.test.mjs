// r.functions end to end: the built package against the simulator, where
// deployed functions really run (a worker thread each, the project's secrets
// as process.env, console captured into logs). Every member and its error
// paths, the local checks that stop a call before the provider or the
// network is asked, the tier's limits, schedules run on demand, and a
// function that uses this SDK to read its own project's database.
import { test, before } from "node:test";
import assert from "node:assert/strict";

import { sdk, simulator, sim, client, withProject, rejectsKind, recordingFetch } from "./helpers.mjs";

before(async () => { await simulator(); });

/** A fetch that goes to the simulator and records what it sent. */
const providerCalls = (credentials, name) => credentials.calls.filter(([m]) => m === name);

const ECHO = `export default async (req) => {
  const url = new URL(req.url);
  console.log("echo", req.method, url.search);
  const text = req.method === "GET" || req.method === "HEAD" ? "" : await req.text();
  return Response.json({
    method: req.method,
    query: url.search,
    body: text,
    contentType: req.headers.get("content-type"),
    custom: req.headers.get("x-custom"),
    apikeySent: req.headers.has("apikey"),
    greeting: process.env.GREETING ?? null,
  }, { status: req.method === "PUT" ? 201 : 200 });
};`;

test("functions: deploy, list, invoke (methods, bodies, headers), update, delete", async () => {
  const rec = recordingFetch();
  const { r, id, credentials } = await withProject({ fetch: rec.fetch });
  const { service_key: serviceKey } = credentials.projects.get(id);
  await r.secrets.set(id, "GREETING", "hola");

  const deployed = await r.functions.deploy(id, { name: "echo", code: ECHO, config: { timeout: 5, memory: 128 } });
  assert.deepEqual([deployed.name, deployed.status, deployed.runtime, deployed.timeout, deployed.memory, deployed.schedule],
    ["echo", "deployed", "node22", 5, 128, null]);
  assert.equal(deployed.url, `${await simulator()}/functions/v1/echo`);
  const sent = rec.sent.at(-1);
  assert.deepEqual([sent.method, new URL(sent.url).pathname], ["POST", `/projects/v1/admin/${id}/functions`]);
  assert.equal(sent.headers.authorization, `Bearer ${serviceKey}`);
  assert.deepEqual(JSON.parse(sent.body), { name: "echo", code: ECHO, config: { timeout: 5, memory: 128 } });

  const listed = await r.functions.list(id);
  assert.deepEqual(listed.functions.map((f) => [f.name, f.timeout, f.schedule, f.schedule_meta]), [["echo", 5, null, null]]);

  // An object body goes as JSON; the service key is the apikey; secrets are process.env.
  const posted = await r.functions.invoke(id, "echo", { body: { a: 1 } });
  assert.equal(posted.status, 200);
  assert.ok(Number.isInteger(posted.duration_ms) && posted.duration_ms >= 0);
  assert.deepEqual(posted.body, { method: "POST", query: "", body: '{"a":1}', contentType: "application/json", custom: null, apikeySent: true, greeting: "hola" });
  const inv = rec.sent.at(-1);
  assert.deepEqual([inv.method, new URL(inv.url).pathname], ["POST", "/functions/v1/echo"]);
  assert.equal(inv.headers.apikey, serviceKey);
  assert.equal(inv.headers.authorization, undefined);

  // A string body goes as is, with no content type of its own; headers are the caller's.
  const text = await r.functions.invoke(id, "echo", { method: "patch", body: "plain words", headers: { "X-Custom": "yes", "Content-Type": "text/plain" } });
  assert.deepEqual([text.body.method, text.body.body, text.body.contentType, text.body.custom], ["PATCH", "plain words", "text/plain", "yes"]);
  await r.functions.invoke(id, "echo", { method: "DELETE", body: "x" });
  assert.equal(rec.sent.at(-1).headers["content-type"], undefined, "a string body gets no content type added");
  const got = await r.functions.invoke(id, "echo", { method: "GET" });
  assert.deepEqual([got.body.method, got.body.body], ["GET", ""]);
  assert.equal(rec.sent.at(-1).body, null);
  // Any 2xx is 200 in the result, as in the reference.
  assert.equal((await r.functions.invoke(id, "echo", { method: "PUT", body: {} })).status, 200);

  // The caller's apikey header replaces the service key (any letter case).
  const anonKey = credentials.projects.get(id).anon_key;
  await r.functions.invoke(id, "echo", { headers: { APIKEY: anonKey } });
  assert.equal(rec.sent.at(-1).headers.apikey, anonKey);
  const wrong = await rejectsKind(r.functions.invoke(id, "echo", { headers: { apikey: "not-a-key" } }), "unauthorized");
  assert.equal(wrong.status, 401);

  const updated = await r.functions.update(id, "echo", { timeout: 7, memory: 64 });
  assert.deepEqual([updated.name, updated.timeout, updated.memory, updated.schedule, updated.schedule_meta], ["echo", 7, 64, null, null]);
  assert.deepEqual(JSON.parse(rec.sent.at(-1).body), { config: { timeout: 7, memory: 64 } });
  assert.equal(rec.sent.at(-1).method, "PATCH");

  assert.deepEqual(await r.functions.delete(id, "echo"), { status: "deleted", name: "echo" });
  assert.deepEqual((await r.functions.list(id)).functions, []);
  const gone = await rejectsKind(r.functions.invoke(id, "echo"), "api_error");
  assert.deepEqual([gone.status, gone.code], [404, "FUNCTION_NOT_FOUND"]);
  assert.match(gone.message, / while invoking function \(HTTP 404\)$/);
  for (const call of [() => r.functions.delete(id, "echo"), () => r.functions.update(id, "echo", { timeout: 1 }), () => r.functions.logs(id, "echo")]) {
    assert.equal((await rejectsKind(call(), "api_error")).status, 404);
  }
});

test("functions: logs carry console output with the request id, filtered by tail, since and requestId", async () => {
  const { r, id } = await withProject();
  await r.functions.deploy(id, { name: "talk", code: `export default async (req) => { const n = new URL(req.url).searchParams.get("n"); console.log("line", n); console.error("oops", n); return new Response("ok " + n); }` });
  const before = Date.now();
  const first = await r.functions.invoke(id, "talk", { method: "GET", headers: {} });
  assert.equal(first.body, "ok null", "a text answer is the text");
  await r.functions.invoke(id, "talk", { body: "" });

  const all = await r.functions.logs(id, "talk");
  const lines = all.logs.map((l) => l.message);
  assert.ok(lines.includes("line null") && lines.includes("oops null"), lines.join("\n"));
  const ids = [...new Set(all.logs.map((l) => l.request_id))];
  assert.equal(ids.length, 2, "one request id per invocation");
  for (const l of all.logs) {
    assert.match(l.request_id, /^req_[A-Za-z0-9_-]{4,128}$/);
    assert.ok(Date.parse(l.timestamp) >= before - 1000 && typeof l.event_id === "string");
  }
  const one = await r.functions.logs(id, "talk", { requestId: ids[0] });
  assert.ok(one.logs.length >= 3 && one.logs.every((l) => l.request_id === ids[0]));
  assert.equal((await r.functions.logs(id, "talk", { tail: 2 })).logs.length, 2);
  assert.deepEqual((await r.functions.logs(id, "talk", { tail: 1 })).logs, all.logs.slice(-1));
  const later = new Date(Date.now() + 60_000);
  assert.deepEqual((await r.functions.logs(id, "talk", { since: later.toISOString() })).logs, []);
  assert.deepEqual((await r.functions.logs(id, "talk", { since: String(later.getTime()) })).logs, []);
  assert.equal((await r.functions.logs(id, "talk", { since: 0 })).logs.length, all.logs.length);
  assert.equal((await r.functions.logs(id, "talk", { since: "1970-01-01" })).logs.length, all.logs.length);
});

test("functions: the wire of logs (tail always sent, since in epoch ms, request_id)", async () => {
  const rec = recordingFetch();
  const { r, id } = await withProject({ fetch: rec.fetch });
  await r.functions.deploy(id, { name: "quiet", code: "export default async () => new Response('')" });
  await r.functions.logs(id, "quiet");
  assert.equal(new URL(rec.sent.at(-1).url).search, "?tail=50");
  await r.functions.logs(id, "quiet", { tail: 1000, since: "2024-02-29T12:34:56.789Z", requestId: "req_abcd-_1" });
  assert.equal(new URL(rec.sent.at(-1).url).search, "?tail=1000&since=1709210096789&request_id=req_abcd-_1");
  await r.functions.logs(id, "quiet", { since: "2024-02-29T14:34:56.789+02:00" });
  assert.equal(new URL(rec.sent.at(-1).url).search, "?tail=50&since=1709210096789", "an offset is taken off");
  await r.functions.logs(id, "quiet", { tail: null, since: 5 });
  assert.equal(new URL(rec.sent.at(-1).url).search, "?tail=50&since=5");
});

test("functions: local checks stop bad input before the provider or the network", async () => {
  const rec = recordingFetch();
  const { r, credentials } = await client({ fetch: rec.fetch });
  const id = "prj_local";
  const code = "export default async () => new Response('')";
  const bad = [
    () => r.functions.deploy(id, { name: "Upper", code }),
    () => r.functions.deploy(id, { name: "-dash", code }),
    () => r.functions.deploy(id, { name: "a".repeat(129), code }),
    () => r.functions.deploy(id, { name: "ok", code: "   " }),
    () => r.functions.deploy(id, { name: "ok" }),
    () => r.functions.deploy(id, { name: "ok", code, config: null }),
    () => r.functions.deploy(id, { name: "ok", code, config: { timeout: 0 } }),
    () => r.functions.deploy(id, { name: "ok", code, config: { memory: 1.5 } }),
    () => r.functions.deploy(id, { name: "ok", code, deps: "lodash" }),
    () => r.functions.deploy(id, { name: "ok", code, deps: Array.from({ length: 31 }, (_, i) => `p${i}`) }),
    () => r.functions.deploy(id, { name: "ok", code, deps: ["lo dash"] }),
    () => r.functions.deploy(id, { name: "ok", code, deps: [" lodash"] }),
    () => r.functions.deploy(id, { name: "ok", code, deps: [""] }),
    () => r.functions.deploy(id, { name: "ok", code, deps: ["x".repeat(201)] }),
    () => r.functions.deploy(id, { name: "ok", code, deps: [5] }),
    () => r.functions.deploy(id, { name: "ok", code, schedule: "* * * *" }),
    () => r.functions.deploy(id, { name: "ok", code, schedule: 5 }),
    () => r.functions.deploy(id),
    () => r.functions.update(id, "ok", {}),
    () => r.functions.update(id, "ok", { timeout: -1 }),
    () => r.functions.update(id, "ok", { memory: null }),
    () => r.functions.update(id, "ok", { schedule: "*/5 * * *" }),
    () => r.functions.logs(id, "ok", { tail: 0 }),
    () => r.functions.logs(id, "ok", { tail: 1001 }),
    () => r.functions.logs(id, "ok", { tail: "5" }),
    () => r.functions.logs(id, "ok", { since: "yesterday" }),
    () => r.functions.logs(id, "ok", { since: "2024-01-02T10:00:00" }),
    () => r.functions.logs(id, "ok", { since: -1 }),
    () => r.functions.logs(id, "ok", { requestId: "abc" }),
    () => r.functions.logs(id, "ok", { requestId: "req_abc" }),
    () => r.functions.invoke(id, "ok", { method: "TRACE" }),
    () => r.functions.invoke(id, "ok", { method: "GET", body: "x" }),
    () => r.functions.invoke(id, "ok", { method: "head", body: { a: 1 } }),
    () => r.functions.invoke(id, "ok", { headers: { "x-n": 5 } }),
    () => r.functions.invoke(id, "a/b"),
    () => r.functions.invoke("..", "ok"),
    () => r.functions.delete(id, ""),
  ];
  for (const call of bad) await rejectsKind(call(), "local_error");
  for (const [i, dep] of ["@run402/functions", "run402-functions@1.0.0", "sharp", "canvas@^2", "bcrypt@5.1.1"].entries()) {
    const e = await rejectsKind(r.functions.deploy(id, { name: `f${i}`, code, deps: [dep] }), "local_error");
    assert.match(e.message, /cannot name/);
    assert.equal(e.context, "deploying function");
  }
  const e = await rejectsKind(r.functions.logs(id, "ok", { tail: 1001 }), "local_error");
  assert.match(e.message, /^functions\.logs: `tail` must be a whole number from 1 to 1000/);
  assert.deepEqual(providerCalls(credentials, "getProject"), [], "no key lookup for bad input");
  assert.equal(rec.sent.length, 0, "no request for bad input");
  // Good input passes the checks and reaches the key lookup.
  await rejectsKind(r.functions.deploy(id, { name: "ok", code, deps: ["lodash@4.17.21", "@scope/pkg@^1"], schedule: null }), "project_not_found");
  await rejectsKind(r.functions.update(id, "ok", { schedule: null }), "project_not_found");
  assert.equal(providerCalls(credentials, "getProject").length, 2);
});

test("functions: the gateway refuses what the SDK cannot check (cron ranges, unknown deps, the tier's limits)", async () => {
  const { r, id } = await withProject();
  const code = "export default async () => new Response('ok')";
  const refuse = async (call, status, code) => {
    const e = await rejectsKind(call, status === 400 ? "api_error" : "unauthorized");
    assert.deepEqual([e.status, e.code], [status, code]);
    return e;
  };
  await refuse(r.functions.deploy(id, { name: "f", code, schedule: "61 * * * *" }), 400, "INVALID_SCHEDULE");
  await refuse(r.functions.deploy(id, { name: "f", code, deps: ["surely-not-installed-here"] }), 400, "DEPS_INSTALL_FAILED");
  // Prototype: timeout 10 s, memory 128 MB, one schedule at most every 15 minutes, 5 functions.
  const overTimeout = await refuse(r.functions.deploy(id, { name: "f", code, config: { timeout: 11 } }), 403, "TIER_LIMIT_EXCEEDED");
  assert.deepEqual(overTimeout.details, { field: "timeout", limit: 10, tier: "prototype" });
  await refuse(r.functions.deploy(id, { name: "f", code, config: { memory: 256 } }), 403, "TIER_LIMIT_EXCEEDED");
  await refuse(r.functions.deploy(id, { name: "f", code, schedule: "*/5 * * * *" }), 403, "SCHEDULE_TOO_FREQUENT");
  await r.functions.deploy(id, { name: "f0", code, schedule: "*/15 * * * *" });
  await refuse(r.functions.deploy(id, { name: "f1", code, schedule: "0 * * * *" }), 403, "SCHEDULE_LIMIT_REACHED");
  await refuse(r.functions.update(id, "f0", { schedule: "* * * * *" }), 403, "SCHEDULE_TOO_FREQUENT");
  for (let i = 1; i < 5; i++) await r.functions.deploy(id, { name: `f${i}`, code });
  const limit = await refuse(r.functions.deploy(id, { name: "f5", code }), 403, "FUNCTION_LIMIT_REACHED");
  assert.deepEqual(limit.details, { limit: 5, tier: "prototype" });
  // Replacing an existing function is not a new one.
  assert.equal((await r.functions.deploy(id, { name: "f4", code, config: { timeout: 3 } })).timeout, 3);
  assert.equal((await r.functions.list(id)).functions.length, 5);
});

test("functions: errors, timeouts and memory limits end the invocation with the gateway's codes and logs", async () => {
  const { r, id } = await withProject();
  await r.functions.deploy(id, { name: "boom", code: "export default async () => { throw new Error('kaput'); }" });
  const boom = await rejectsKind(r.functions.invoke(id, "boom"), "api_error");
  assert.deepEqual([boom.status, boom.code], [502, "FUNCTION_ERROR"]);
  assert.match(boom.message, /kaput/);
  assert.match(boom.body.request_id, /^req_/);
  const logged = await r.functions.logs(id, "boom", { requestId: boom.body.request_id });
  assert.ok(logged.logs.some((l) => l.message.includes("Error: kaput")), JSON.stringify(logged.logs));

  await r.functions.deploy(id, { name: "not-a-response", code: "export default async () => ({ hello: 1 })" });
  assert.match((await rejectsKind(r.functions.invoke(id, "not-a-response"), "api_error")).message, /not a Response/);
  await r.functions.deploy(id, { name: "syntax", code: "export default async ( => {" });
  assert.equal((await rejectsKind(r.functions.invoke(id, "syntax"), "api_error")).status, 502);

  await r.functions.deploy(id, { name: "slow", code: "export default async () => { await new Promise((d) => setTimeout(d, 60_000)); return new Response('late'); }", config: { timeout: 1 } });
  const started = Date.now();
  const slow = await rejectsKind(r.functions.invoke(id, "slow"), "api_error");
  assert.deepEqual([slow.status, slow.code], [504, "FUNCTION_TIMEOUT"]);
  assert.ok(Date.now() - started < 5000, "the timeout ended it");

  await r.functions.deploy(id, { name: "hog", config: { memory: 32 }, code: "export default async () => { const keep = []; for (;;) keep.push(new Array(1e6).fill(keep.length)); }" });
  const hog = await rejectsKind(r.functions.invoke(id, "hog"), "api_error");
  assert.deepEqual([hog.status, hog.code], [502, "FUNCTION_OUT_OF_MEMORY"]);
  assert.ok((await r.functions.logs(id, "hog")).logs.some((l) => /out of memory \(32 MB\)/.test(l.message)));
});

test("functions: schedules are recorded with their next run and run on demand through /__sim/", async () => {
  const { r, id } = await withProject();
  const fn = await r.functions.deploy(id, {
    name: "nightly",
    code: "let n = 0; export default async (req) => { const event = await req.json(); console.log('run', req.headers.get('x-run402-trigger'), event.type); return Response.json({ ok: true }); }",
    schedule: "30 2 * * *",
  });
  assert.equal(fn.schedule, "30 2 * * *");
  const [listed] = (await r.functions.list(id)).functions;
  const next = new Date(listed.schedule_meta.next_run_at);
  assert.deepEqual([next.getUTCHours(), next.getUTCMinutes()], [2, 30]);
  assert.ok(next.getTime() > Date.now() && next.getTime() <= Date.now() + 86_400_000);
  assert.deepEqual([listed.schedule_meta.run_count, listed.schedule_meta.last_error], [0, null]);

  const ran = await sim("functions/run", { project_id: id, name: "nightly" });
  assert.deepEqual([ran.status, ran.schedule_meta.run_count, ran.schedule_meta.last_status], [200, 1, 200]);
  const logs = await r.functions.logs(id, "nightly", { requestId: ran.request_id });
  assert.ok(logs.logs.some((l) => l.message === "run schedule schedule"), JSON.stringify(logs.logs));
  // The scheduler's tick runs what is due: tomorrow 02:30 has come by the day after.
  const tick = await sim("functions/tick", { at: new Date(Date.now() + 2 * 86_400_000).toISOString() });
  // (The simulator is shared: other tests' schedules may be due too.)
  assert.deepEqual(tick.ran.filter((x) => x.project_id === id).map((x) => [x.name, x.status]), [["nightly", 200]]);
  assert.equal((await r.functions.list(id)).functions[0].schedule_meta.run_count, 2);

  await r.functions.deploy(id, { name: "nightly", code: "export default async () => { throw new Error('no db'); }", schedule: "30 2 * * *" });
  const failed = await sim("functions/run", { project_id: id, name: "nightly" });
  assert.deepEqual([failed.status, failed.schedule_meta.last_status], [502, 502]);
  assert.match(failed.schedule_meta.last_error, /no db/);

  const cleared = await r.functions.update(id, "nightly", { schedule: null });
  assert.deepEqual([cleared.schedule, cleared.schedule_meta], [null, null]);
  await assert.rejects(sim("functions/run", { project_id: id, name: "nightly" }), /HTTP 409/);
});

test("functions: a deployed function uses this SDK (deps: @run402/sdk-wasm) to read its project's database", async () => {
  const { r, id, credentials } = await withProject();
  const { service_key: serviceKey, anon_key: anonKey } = credentials.projects.get(id);
  await r.projects.sql(id, "CREATE TABLE todos (id serial PRIMARY KEY, task text NOT NULL, done boolean DEFAULT false)");
  await r.projects.sql(id, "INSERT INTO todos (task, done) VALUES ($1, false), ($2, true), ($3, false)", ["write", "test", "ship"]);
  for (const [k, v] of Object.entries({ RUN402_API_BASE: await simulator(), RUN402_PROJECT_ID: id, RUN402_SERVICE_KEY: serviceKey, RUN402_ANON_KEY: anonKey })) {
    await r.secrets.set(id, k, v);
  }
  const code = `import { Run402, isRun402Error } from "@run402/sdk-wasm";
const { RUN402_API_BASE, RUN402_PROJECT_ID, RUN402_ANON_KEY, RUN402_SERVICE_KEY } = process.env;
const r = new Run402({
  apiBase: RUN402_API_BASE,
  credentials: { getAuth: () => null, getProject: (id) => (id === RUN402_PROJECT_ID ? { anon_key: RUN402_ANON_KEY, service_key: RUN402_SERVICE_KEY } : null) },
});
export default async (req) => {
  const done = new URL(req.url).searchParams.get("done") === "true";
  try {
    const p = await r.project(RUN402_PROJECT_ID);
    const { rows } = await p.projects.sql("SELECT id, task FROM todos WHERE done = $1 ORDER BY id", [done]);
    return Response.json({ rows });
  } catch (e) {
    return Response.json({ kind: isRun402Error(e) ? e.kind : "other", message: String(e.message) }, { status: 500 });
  }
};`;
  const fn = await r.functions.deploy(id, { name: "todos", code, deps: ["@run402/sdk-wasm"] });
  assert.equal(fn.deps_resolved["@run402/sdk-wasm"], JSON.parse(await (await import("node:fs/promises")).readFile(new URL("../../pkg/package.json", import.meta.url), "utf8")).version);
  const open = await r.functions.invoke(id, "todos", { method: "GET" });
  assert.deepEqual(open.body, { rows: [{ id: 1, task: "write" }, { id: 3, task: "ship" }] });
  // Through a scoped client too, and the query reaches the function.
  const p = await r.project(id);
  const res = await fetch(`${await simulator()}/functions/v1/todos?done=true`, { headers: { apikey: anonKey } });
  assert.deepEqual(await res.json(), { rows: [{ id: 2, task: "test" }] });
  assert.match(res.headers.get("x-run402-request-id"), /^req_/);
  assert.deepEqual((await p.functions.list()).functions.map((f) => [f.name, f.deps_resolved]), [["todos", fn.deps_resolved]]);
  // Without the dependency the import cannot resolve: deps are what a function gets.
  await p.functions.deploy({ name: "bare", code });
  const bare = await rejectsKind(p.functions.invoke("bare"), "api_error");
  assert.match(bare.message, /Cannot find package '@run402\/sdk-wasm'/);
});

test("functions: invoke needs an API key of the function's own project", async () => {
  const { r, id } = await withProject();
  const other = await r.projects.provision({ tier: "prototype" });
  await r.functions.deploy(id, { name: "mine", code: "export default async () => new Response('mine')" });
  const base = await simulator();
  assert.equal((await fetch(`${base}/functions/v1/mine`)).status, 401);
  assert.equal((await fetch(`${base}/functions/v1/mine`, { headers: { apikey: other.anon_key } })).status, 404);
  assert.equal((await rejectsKind(r.functions.invoke(other.project_id, "mine"), "api_error")).status, 404);
  await rejectsKind(r.functions.list("prj_nope"), "project_not_found");
  const mixed = new sdk.Run402({ apiBase: base, credentials: { getAuth: () => null, getProject: () => ({ anon_key: other.anon_key, service_key: other.service_key }) } });
  assert.equal((await rejectsKind(mixed.functions.list(id), "unauthorized")).code, "PROJECT_KEY_MISMATCH");
  assert.deepEqual(await r.functions.delete(id, "mine"), { status: "deleted", name: "mine" });
});
