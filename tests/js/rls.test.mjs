// Row-level security end to end: the RLS templates become Postgres
// policies on auth.uid(), which reads the `sub` of the verified access
// token REST was called with. Two users, each with their own token, see and
// change only their own rows; the anon key keeps its documented read-only
// scope (seed 003 "Key scopes"); the service key bypasses RLS. Tables are
// exposed through the SDK's applyExpose manifest and through seed 003's
// POST /admin/v1/projects/:id/rls templates, which map onto the same policies.
import { test, before } from "node:test";
import assert from "node:assert/strict";

import { simulator, withProject } from "./helpers.mjs";

let base;
before(async () => { base = await simulator(); });

const uniq = () => Math.random().toString(36).slice(2, 10);

async function raw(method, path, { apikey, bearer, body, prefer } = {}) {
  const headers = {};
  if (apikey) headers.apikey = apikey;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (prefer) headers.prefer = prefer;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A user signed up and logged in by password, as an app's frontend does it. */
async function user(anon, who) {
  const address = `${who}-${uniq()}@example.com`;
  const made = await raw("POST", "/auth/v1/signup", { apikey: anon, body: { email: address, password: "rls-pass-123" } });
  assert.equal(made.status, 201);
  const session = await raw("POST", "/auth/v1/token", { apikey: anon, body: { email: address, password: "rls-pass-123" } });
  return { id: made.body.id, token: session.body.access_token };
}

/** REST with a user's token: as the apikey (seed 003's frontend pattern) or as the bearer beside the anon key. */
const asUser = (u, anon, style) => (style === "apikey" ? { apikey: u.token } : { apikey: anon, bearer: u.token });

async function setup() {
  const ctx = await withProject();
  const { r, id } = ctx;
  const keys = ctx.credentials.projects.get(id);
  await r.projects.sql(id, `
    CREATE TABLE todos (id serial PRIMARY KEY, task text NOT NULL, user_id uuid);
    CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL, owner uuid NOT NULL);
    CREATE TABLE announcements (id serial PRIMARY KEY, title text NOT NULL);
    CREATE TABLE guestbook (id serial PRIMARY KEY, line text NOT NULL);
  `);
  await r.projects.applyExpose(id, {
    version: "1",
    tables: [
      { name: "todos", expose: true, policy: "user_owns_rows", owner_column: "user_id", force_owner_on_insert: true },
      { name: "notes", expose: true, policy: "user_owns_rows", owner_column: "owner" },
    ],
  });
  return { ...ctx, keys };
}

for (const style of ["apikey", "bearer"]) {
  test(`user_owns_rows: two users each see and change only their own rows (token as ${style})`, async () => {
    const { r, id, keys } = await setup();
    const ann = await user(keys.anon_key, "ann");
    const bob = await user(keys.anon_key, "bob");
    const A = asUser(ann, keys.anon_key, style);
    const B = asUser(bob, keys.anon_key, style);

    // force_owner_on_insert stamps the writer's id, whatever the row says.
    const a1 = await raw("POST", "/rest/v1/todos", { ...A, body: { task: "ann 1", user_id: bob.id }, prefer: "return=representation" });
    assert.equal(a1.status, 201, JSON.stringify(a1.body));
    assert.equal(a1.body[0].user_id, ann.id);
    await raw("POST", "/rest/v1/todos", { ...A, body: [{ task: "ann 2" }, { task: "ann 3" }] });
    await raw("POST", "/rest/v1/todos", { ...B, body: { task: "bob 1" } });

    const annSees = await raw("GET", "/rest/v1/todos?select=task,user_id&order=id.asc", A);
    assert.deepEqual(annSees.body.map((t) => t.task), ["ann 1", "ann 2", "ann 3"]);
    assert.ok(annSees.body.every((t) => t.user_id === ann.id));
    const bobSees = await raw("GET", "/rest/v1/todos?select=task", B);
    assert.deepEqual(bobSees.body, [{ task: "bob 1" }]);

    // Bob cannot change or delete Ann's rows: they do not exist for him.
    const patch = await raw("PATCH", `/rest/v1/todos?id=eq.${a1.body[0].id}`, { ...B, body: { task: "hacked" }, prefer: "return=representation" });
    assert.deepEqual([patch.status, patch.body], [200, []]);
    const del = await raw("DELETE", "/rest/v1/todos?task=like.ann*", { ...B, prefer: "return=representation" });
    assert.deepEqual(del.body, []);
    // His own, he can.
    const mine = await raw("PATCH", "/rest/v1/todos?task=eq.bob%201", { ...B, body: { task: "bob 1 done" }, prefer: "return=representation" });
    assert.deepEqual(mine.body.map((t) => t.task), ["bob 1 done"]);

    // Without the trigger, a row claiming someone else's id is refused by the policy's WITH CHECK.
    const forged = await raw("POST", "/rest/v1/notes", { ...B, body: { body: "as ann", owner: ann.id } });
    assert.equal(forged.status, 403);
    assert.equal(forged.body.code, "42501");
    assert.equal((await raw("POST", "/rest/v1/notes", { ...B, body: { body: "mine", owner: bob.id } })).status, 201);
    // Moving one's own row to another user is refused too.
    const moved = await raw("PATCH", "/rest/v1/notes?body=eq.mine", { ...B, body: { owner: ann.id } });
    assert.equal(moved.status, 403);

    // The anon key: read-only, and these rows belong to users, so it sees none and writes none.
    assert.deepEqual(await r.projects.rest(id, "todos", "select=task"), []);
    const anonWrite = await raw("POST", "/rest/v1/todos", { apikey: keys.anon_key, body: { task: "anon" } });
    assert.equal(anonWrite.status, 403);
    // The service key bypasses RLS: every row of both users.
    const all = await r.projects.rest(id, "todos", { query: "select=task&order=id.asc", keyType: "service" });
    assert.deepEqual(all.map((t) => t.task), ["ann 1", "ann 2", "ann 3", "bob 1 done"]);
  });
}

test("access tokens on REST: expired sessions, forged tokens and another project's token are refused", async () => {
  const { r, keys } = await setup();
  const ann = await user(keys.anon_key, "ann");
  assert.equal((await raw("GET", "/rest/v1/todos", { apikey: ann.token })).status, 200);
  const forged = ann.token.slice(0, ann.token.lastIndexOf(".") + 1) + Buffer.alloc(32, 7).toString("base64url");
  const bad = await raw("GET", "/rest/v1/todos", { apikey: forged });
  assert.deepEqual([bad.status, bad.body.code], [401, "INVALID_KEY"]);
  // A token of another project, next to this project's anon key.
  const other = await r.projects.provision({ tier: "prototype" });
  const stranger = await user(other.anon_key, "eve");
  const mixed = await raw("GET", "/rest/v1/todos", { apikey: keys.anon_key, bearer: stranger.token });
  assert.deepEqual([mixed.status, mixed.body.code], [401, "KEY_PROJECT_MISMATCH"]);
  // After logout the token no longer reaches the table.
  assert.equal((await raw("POST", "/auth/v1/logout", { bearer: ann.token })).status, 204);
  assert.equal((await raw("GET", "/rest/v1/todos", { apikey: ann.token })).status, 401);
});

test("seed 003 templates: public_read (anyone reads, users write) and public_read_write (anyone writes)", async () => {
  const { r, id, keys } = await setup();
  const svc = { bearer: keys.service_key };
  const ann = await user(keys.anon_key, "ann");
  const read = await raw("POST", `/admin/v1/projects/${id}/rls`, { ...svc, body: { template: "public_read", tables: [{ table: "announcements" }] } });
  assert.deepEqual(read.body, { status: "ok", template: "public_read", tables: ["announcements"] });
  await raw("POST", `/admin/v1/projects/${id}/rls`, { ...svc, body: { template: "public_read_write", tables: [{ table: "guestbook" }] } });

  assert.equal((await raw("POST", "/rest/v1/announcements", { apikey: keys.anon_key, body: { title: "from anon" } })).status, 403, "anon cannot write");
  assert.equal((await raw("POST", "/rest/v1/announcements", { apikey: ann.token, body: { title: "launch day" } })).status, 201, "a user can");
  assert.deepEqual(await r.projects.rest(id, "announcements", "select=title"), [{ title: "launch day" }], "anon reads");

  assert.equal((await raw("POST", "/rest/v1/guestbook", { apikey: keys.anon_key, body: { line: "hi from anon" } })).status, 201);
  assert.equal((await raw("POST", "/rest/v1/guestbook", { apikey: ann.token, body: { line: "hi from ann" } })).status, 201);
  assert.deepEqual((await r.projects.rest(id, "guestbook", "select=line&order=id.asc")).map((g) => g.line), ["hi from anon", "hi from ann"]);

  // The templates are entries of the expose manifest: the earlier ones are kept, and the schema shows the policies.
  const manifest = await r.projects.getExpose(id);
  assert.deepEqual(manifest.tables.map((t) => [t.name, t.policy]), [
    ["todos", "user_owns_rows"], ["notes", "user_owns_rows"],
    ["announcements", "public_read_authenticated_write"], ["guestbook", "public_read_write_UNRESTRICTED"],
  ]);
  const schema = await r.projects.getSchema(id);
  const todos = schema.tables.find((t) => t.name === "todos");
  assert.equal(todos.rls_enabled, true);
  assert.ok(todos.policies.some((p) => /auth\.uid\(\)/.test(p.using_expression)), JSON.stringify(todos.policies));

  const user_owns = await raw("POST", `/admin/v1/projects/${id}/rls`, { ...svc, body: { template: "user_owns_rows", tables: [{ table: "announcements" }] } });
  assert.deepEqual([user_owns.status, user_owns.body.code], [400, "INVALID_RLS"], "user_owns_rows needs owner_column");
  const unknown = await raw("POST", `/admin/v1/projects/${id}/rls`, { ...svc, body: { template: "everyone", tables: [{ table: "guestbook" }] } });
  assert.equal(unknown.status, 400);
  const anon = await raw("POST", `/admin/v1/projects/${id}/rls`, { bearer: keys.anon_key, body: { template: "public_read", tables: [{ table: "guestbook" }] } });
  assert.equal(anon.status, 403);
  // Unrestricted means anon may delete as well; public_read does not let anon delete.
  assert.equal((await raw("DELETE", "/rest/v1/announcements?id=gt.0", { apikey: keys.anon_key, prefer: "return=representation" })).body.length, 0);
  assert.equal((await raw("DELETE", "/rest/v1/guestbook?id=gt.0", { apikey: keys.anon_key, prefer: "return=representation" })).body.length, 2);
});
