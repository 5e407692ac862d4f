// r.secrets, r.subdomains and r.domains end to end: the built package
// against the simulator (real per-project state, real key checks), every
// member and its error paths, the local checks that stop a call before the
// provider or the network is asked, and the same calls from scoped clients.
import { test, before } from "node:test";
import assert from "node:assert/strict";

import { sdk, simulator, sim, client, withProject, rejectsKind, memoryProvider, walletAuth, WALLET_KEY, ADMIN_KEY, recordingFetch } from "./helpers.mjs";

before(async () => { await simulator(); });

/** A fetch that goes to the simulator and records what it sent. */
/** A fetch that answers every request with `body` as JSON. */
const answering = (body) => async () => new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });

const uniq = () => Math.random().toString(36).slice(2, 10);
const deployment = async (projectId) => (await sim("deployments", { project_id: projectId })).deployment_id;
const providerCalls = (credentials, name) => credentials.calls.filter(([m]) => m === name);

// ── secrets ──

test("secrets: set, list (keys and times only), overwrite, delete", async () => {
  const rec = recordingFetch();
  const { r, id, credentials } = await withProject({ fetch: rec.fetch });
  const { service_key: serviceKey } = credentials.projects.get(id);
  assert.equal(await r.secrets.set(id, "OPENAI_API_KEY", "sk-very-secret"), undefined);
  await r.secrets.set(id, "EMPTY_OK", "");
  const set = rec.sent.at(-1);
  assert.deepEqual([set.method, new URL(set.url).pathname], ["POST", `/projects/v1/admin/${id}/secrets`]);
  assert.equal(set.headers.authorization, `Bearer ${serviceKey}`);
  assert.deepEqual(JSON.parse(set.body), { key: "EMPTY_OK", value: "" });

  const first = await r.secrets.list(id);
  assert.deepEqual(first.secrets.map((s) => s.key), ["EMPTY_OK", "OPENAI_API_KEY"]);
  for (const s of first.secrets) {
    assert.deepEqual(Object.keys(s).sort(), ["created_at", "key", "updated_at"]);
    assert.ok(Date.parse(s.created_at) > 0);
  }
  // The gateway itself never sends a value back.
  const raw = await (await fetch(`${await simulator()}/projects/v1/admin/${id}/secrets`, { headers: { authorization: `Bearer ${serviceKey}` } })).text();
  assert.ok(!raw.includes("sk-very-secret"), raw);

  await new Promise((done) => setTimeout(done, 5));
  await r.secrets.set(id, "OPENAI_API_KEY", "sk-rotated");
  const again = (await r.secrets.list(id)).secrets.find((s) => s.key === "OPENAI_API_KEY");
  const before = first.secrets.find((s) => s.key === "OPENAI_API_KEY");
  assert.equal(again.created_at, before.created_at, "an overwrite keeps created_at");
  assert.ok(Date.parse(again.updated_at) > Date.parse(before.updated_at), "and moves updated_at");

  assert.deepEqual(await r.secrets.delete(id, "OPENAI_API_KEY"), { status: "deleted", key: "OPENAI_API_KEY" });
  assert.deepEqual((await r.secrets.list(id)).secrets.map((s) => s.key), ["EMPTY_OK"]);
  const gone = await rejectsKind(r.secrets.delete(id, "OPENAI_API_KEY"), "api_error");
  assert.deepEqual([gone.status, gone.code], [404, "SECRET_NOT_FOUND"]);
  assert.match(gone.message, / while deleting secret \(HTTP 404\)$/);
});

test("secrets: each project sees only its own; another project's key or the anon key is refused", async () => {
  const { r, id, credentials } = await withProject();
  const other = await r.projects.provision({ tier: "prototype" });
  await r.secrets.set(id, "ONLY_MINE", "1");
  assert.deepEqual((await r.secrets.list(other.project_id)).secrets, []);
  // A provider that hands out the other project's keys for this one.
  const mixed = new sdk.Run402({ apiBase: await simulator(), credentials: { getAuth: () => null, getProject: () => ({ anon_key: other.anon_key, service_key: other.service_key }) } });
  const e = await rejectsKind(mixed.secrets.list(id), "unauthorized");
  assert.deepEqual([e.status, e.code], [403, "PROJECT_KEY_MISMATCH"]);
  const { anon_key: anon } = credentials.projects.get(id);
  const anonOnly = new sdk.Run402({ apiBase: await simulator(), credentials: { getAuth: () => null, getProject: () => ({ anon_key: anon, service_key: anon }) } });
  const a = await rejectsKind(anonOnly.secrets.set(id, "X", "y"), "unauthorized");
  assert.deepEqual([a.status, a.code], [403, "SERVICE_KEY_REQUIRED"]);
  await rejectsKind(r.secrets.list("prj_nope"), "project_not_found", (x) => assert.equal(x.projectId, "prj_nope"));
});

test("secrets.set checks the key pattern and the value's 4096 UTF-8 bytes before asking the provider", async () => {
  const rec = recordingFetch();
  const { r, credentials } = await client({ fetch: rec.fetch });
  const id = "prj_local";
  const bad = [
    ["lowercase", "x"], ["1STARTS_WITH_DIGIT", "x"], ["HAS-DASH", "x"], ["", "x"], ["K".repeat(129), "x"], [5, "x"],
    ["GOOD", "é".repeat(2049)], // 4098 bytes in UTF-8, 2049 characters
    ["GOOD", 42], ["GOOD", undefined], ["GOOD", null],
  ];
  for (const [key, value] of bad) {
    const e = await rejectsKind(r.secrets.set(id, key, value), "local_error");
    assert.equal(e.context, "setting secret");
    if (typeof value === "string") assert.ok(!e.message.includes(value), "the value is never quoted");
  }
  const tooBig = await rejectsKind(r.secrets.set(id, "GOOD", "é".repeat(2049)), "local_error");
  assert.match(tooBig.message, /`value` must be at most 4096 UTF-8 bytes/);
  assert.deepEqual(providerCalls(credentials, "getProject"), [], "no key lookup for bad input");
  assert.equal(rec.sent.length, 0);
  // Exactly at the limit passes the local check and reaches the key lookup.
  await rejectsKind(r.secrets.set(id, "K".repeat(128), "€".repeat(1365) + "x"), "project_not_found");
  assert.deepEqual(providerCalls(credentials, "getProject").map(([, p]) => p), [id]);
  // delete takes any non-empty key (it is encoded into the path).
  await rejectsKind(r.secrets.delete(id, ""), "local_error");
});

test("secrets: the gateway's own limits answer too (a raw request past the SDK)", async () => {
  const { id, credentials } = await withProject();
  const { service_key: serviceKey } = credentials.projects.get(id);
  const base = await simulator();
  const post = (body) => fetch(`${base}/projects/v1/admin/${id}/secrets`, {
    method: "POST", headers: { authorization: `Bearer ${serviceKey}`, "content-type": "application/json" }, body: JSON.stringify(body),
  });
  const tooBig = await (await post({ key: "BIG", value: "x".repeat(4097) })).json();
  assert.equal(tooBig.code, "SECRET_VALUE_TOO_LARGE");
  assert.equal((await post({ key: "lower", value: "x" })).status, 400);
  assert.equal((await post({ key: "OK", value: "x", extra: 1 })).status, 400);
});

test("secrets.list normalizes a bare array or {secrets}, dropping entries without a string key", async () => {
  const stub = (body) => new sdk.Run402({
    apiBase: "https://api.routing.test",
    credentials: { getAuth: () => null, getProject: () => ({ anon_key: "a", service_key: "s" }) },
    fetch: answering(body),
  });
  const entries = [
    { key: "A", created_at: "2024-01-01T00:00:00Z", updated_at: "2024-01-02T00:00:00Z", value: "leak?" },
    { key: 5 }, null, "B", ["C"], { name: "D" },
    { key: "E", created_at: 7 },
  ];
  const want = { secrets: [{ key: "A", created_at: "2024-01-01T00:00:00Z", updated_at: "2024-01-02T00:00:00Z" }, { key: "E" }] };
  assert.deepEqual(await stub(entries).secrets.list("prj_1"), want);
  assert.deepEqual(await stub({ secrets: entries, total: 2 }).secrets.list("prj_1"), want);
  assert.deepEqual(await stub({ items: entries }).secrets.list("prj_1"), { secrets: [] });
  assert.deepEqual(await stub("nope").secrets.list("prj_1"), { secrets: [] });
});

test("secrets on a scoped client", async () => {
  const { r, id } = await withProject();
  const p = await r.project(id);
  assert.equal(await p.secrets.set("SCOPED", "v"), undefined);
  assert.deepEqual((await p.secrets.list()).secrets.map((s) => s.key), ["SCOPED"]);
  assert.deepEqual(await p.secrets.delete("SCOPED"), { status: "deleted", key: "SCOPED" });
  await rejectsKind(p.secrets.set("bad key", "v"), "local_error");
});

// ── subdomains ──

test("subdomains: claim, re-point (idempotent upsert), list, public lookup, delete", async () => {
  const rec = recordingFetch();
  const { r, id, credentials } = await withProject({ fetch: rec.fetch });
  const [d1, d2] = [await deployment(id), await deployment(id)];
  const name = `app-${uniq()}`;
  const claimed = await r.subdomains.claim(name, d1, { projectId: id });
  assert.deepEqual(
    [claimed.name, claimed.deployment_id, claimed.url, claimed.deployment_url, claimed.project_id],
    [name, d1, `https://${name}.run402.com`, `https://${d1}.sites.run402.com`, id],
  );
  assert.equal(claimed.created_at, claimed.updated_at);
  const sent = rec.sent.at(-1);
  assert.deepEqual([sent.method, new URL(sent.url).pathname, JSON.parse(sent.body)], ["POST", "/subdomains/v1", { name, deployment_id: d1 }]);
  assert.equal(sent.headers.authorization, `Bearer ${credentials.projects.get(id).service_key}`);

  await new Promise((done) => setTimeout(done, 5));
  const moved = await r.subdomains.claim(name, d2, { projectId: id });
  assert.deepEqual([moved.deployment_id, moved.created_at], [d2, claimed.created_at]);
  assert.ok(Date.parse(moved.updated_at) > Date.parse(claimed.updated_at));

  const second = `app-${uniq()}`;
  await r.subdomains.claim(second, d1, { projectId: id });
  const list = await r.subdomains.list(id);
  assert.ok(Array.isArray(list));
  assert.deepEqual(list.map((s) => s.name).sort(), [name, second].sort());
  assert.deepEqual(list.find((s) => s.name === name), moved);
  const lookup = await (await fetch(`${await simulator()}/subdomains/v1/${name}`)).json();
  assert.equal(lookup.deployment_id, d2);

  const removed = await r.subdomains.delete(name, { projectId: id });
  assert.deepEqual([removed.name, removed.deployment_id, removed.project_id], [name, d2, id]);
  assert.ok(Date.parse(removed.deleted_at) > 0);
  assert.equal(new URL(rec.sent.at(-1).url).pathname, `/subdomains/v1/${name}`);
  assert.deepEqual((await r.subdomains.list(id)).map((s) => s.name), [second]);
  const again = await rejectsKind(r.subdomains.delete(name, { projectId: id }), "api_error");
  assert.deepEqual([again.status, again.code], [404, "SUBDOMAIN_NOT_FOUND"]);
});

test("subdomains: names are unique across projects; ownership is checked", async () => {
  const { r, id } = await withProject();
  const other = (await r.projects.provision({ tier: "prototype" })).project_id;
  const name = `shared-${uniq()}`;
  await r.subdomains.claim(name, await deployment(id), { projectId: id });
  const taken = await rejectsKind(r.subdomains.claim(name, await deployment(other), { projectId: other }), "api_error");
  assert.deepEqual([taken.status, taken.code], [409, "SUBDOMAIN_TAKEN"]);
  const notYours = await rejectsKind(r.subdomains.delete(name, { projectId: other }), "unauthorized");
  assert.deepEqual([notYours.status, notYours.code], [403, "SUBDOMAIN_PROJECT_MISMATCH"]);
  const foreign = await rejectsKind(r.subdomains.claim(`x-${uniq()}`, await deployment(other), { projectId: id }), "unauthorized");
  assert.equal(foreign.code, "DEPLOYMENT_PROJECT_MISMATCH");
  const missing = await rejectsKind(r.subdomains.claim(`x-${uniq()}`, "dpl_missing", { projectId: id }), "api_error");
  assert.deepEqual([missing.status, missing.code], [404, "DEPLOYMENT_NOT_FOUND"]);
  // A deleted project's claims are free again.
  await r.projects.delete(id);
  const freed = await r.subdomains.claim(name, await deployment(other), { projectId: other });
  assert.equal(freed.project_id, other);
});

test("subdomains: the gateway's name rules (3-63 chars, a-z 0-9 -, no '--', reserved names)", async () => {
  const { r, id } = await withProject();
  const dep = await deployment(id);
  for (const bad of ["ab", "-abc", "abc-", "a--b", "Upper", "under_score", "dot.ted", "a".repeat(64)]) {
    const e = await rejectsKind(r.subdomains.claim(bad, dep, { projectId: id }), "api_error");
    assert.deepEqual([e.status, e.code], [400, "INVALID_SUBDOMAIN"], bad);
  }
  for (const reserved of ["api", "www", "admin", "sites", "mail", "ftp", "cdn", "static"]) {
    const e = await rejectsKind(r.subdomains.claim(reserved, dep, { projectId: id }), "api_error");
    assert.deepEqual([e.status, e.code], [400, "SUBDOMAIN_RESERVED"], reserved);
  }
  const u = uniq();
  for (const good of [`q${u.slice(0, 2)}`, `${u}-a-b`, `${u}${"a".repeat(63 - u.length - 1)}9`, `9${u}`]) {
    assert.equal((await r.subdomains.claim(good, dep, { projectId: id })).name, good);
  }
});

test("subdomains.claim/delete use the active project without opts.projectId, and fail locally without either", async () => {
  const { r, id, credentials } = await withProject(); // provisioning made it active
  const name = `active-${uniq()}`;
  assert.equal((await r.subdomains.claim(name, await deployment(id))).project_id, id);
  assert.equal((await r.subdomains.delete(name, {})).name, name);

  const rec = recordingFetch();
  const keys = credentials.projects.get(id);
  // No getActiveProject at all.
  const bare = new sdk.Run402({ apiBase: await simulator(), fetch: rec.fetch, credentials: { getAuth: () => null, getProject: () => keys } });
  for (const call of [() => bare.subdomains.claim("abc", "dpl_1"), () => bare.subdomains.delete("abc", { projectId: "" })]) {
    const e = await rejectsKind(call(), "local_error");
    assert.match(e.message, /opts\.projectId.*active project/);
  }
  // One that has none active.
  const idle = memoryProvider();
  const r2 = new sdk.Run402({ apiBase: await simulator(), fetch: rec.fetch, credentials: idle });
  const e = await rejectsKind(r2.subdomains.claim("abc", "dpl_1", {}), "local_error");
  assert.equal(e.context, "claiming subdomain");
  assert.deepEqual(providerCalls(idle, "getProject"), []);
  // Unknown projects, bad arguments.
  await rejectsKind(r2.subdomains.claim("abc", "dpl_1", { projectId: "prj_unknown" }), "project_not_found");
  for (const args of [[""], [5, "dpl_1"], ["abc"], ["abc", ""], ["abc", "dpl_1", "prj_1"], ["abc", "dpl_1", { projectId: 5 }], ["abc", "dpl_1", { projectId: "../x" }]]) {
    await rejectsKind(r2.subdomains.claim(...args), "local_error");
  }
  await rejectsKind(r2.subdomains.delete("", { projectId: id }), "local_error");
  assert.deepEqual(providerCalls(idle, "getProject").map(([, p]) => p), ["prj_unknown"]);
  assert.equal(rec.sent.length, 0, "nothing reached the network");
});

test("subdomains on a scoped client: the scope's project, unless the caller names one", async () => {
  const { r, id, credentials } = await withProject();
  const other = (await r.projects.provision({ tier: "prototype" })).project_id; // now the active one
  assert.equal(credentials.active, other);
  const p = await r.project(id);
  const name = `scoped-${uniq()}`;
  assert.equal((await p.subdomains.claim(name, await deployment(id))).project_id, id);
  assert.deepEqual((await p.subdomains.list()).map((s) => s.name), [name]);
  const mine = `theirs-${uniq()}`;
  assert.equal((await p.subdomains.claim(mine, await deployment(other), { projectId: other })).project_id, other);
  assert.equal((await p.subdomains.delete(name)).project_id, id);
  assert.deepEqual(await p.subdomains.list(), []);
});

test("subdomains.list unwraps `subdomains`, [] when the field is missing", async () => {
  const stub = (body) => new sdk.Run402({
    apiBase: "https://api.routing.test",
    credentials: { getAuth: () => null, getProject: () => ({ anon_key: "a", service_key: "s" }) },
    fetch: answering(body),
  });
  assert.deepEqual(await stub({ subdomains: [{ name: "x" }] }).subdomains.list("prj_1"), [{ name: "x" }]);
  assert.deepEqual(await stub({}).subdomains.list("prj_1"), []);
});

// ── domains ──

/** A project with one claimed subdomain, on a client signed in as `auth`'s wallet. */
async function withSubdomain(opts = {}) {
  const ctx = await withProject(opts);
  const subdomain = `site-${uniq()}`;
  await ctx.r.subdomains.claim(subdomain, await deployment(ctx.id), { projectId: ctx.id });
  return { ...ctx, subdomain };
}

test("domains: add (DNS instructions), list, status through pending → active, remove", async () => {
  const rec = recordingFetch();
  const { r, id, subdomain, credentials } = await withSubdomain({ fetch: rec.fetch });
  const domain = `www.${uniq()}.example.com`;
  const added = await r.domains.add(id, domain, subdomain);
  assert.deepEqual(
    [added.domain, added.subdomain_name, added.url, added.subdomain_url, added.status, added.project_id],
    [domain, subdomain, `https://${domain}`, `https://${subdomain}.run402.com`, "pending", id],
  );
  assert.equal(added.dns_instructions.cname_target, "domains.run402.com");
  assert.equal(added.dns_instructions.txt_name, `_run402-challenge.${domain}`);
  assert.match(added.dns_instructions.txt_value, /^run402-verify=[0-9a-f]{32}$/);
  const sent = rec.sent.at(-1);
  assert.deepEqual(JSON.parse(sent.body), { domain, subdomain_name: subdomain });
  assert.equal(sent.headers.authorization, `Bearer ${credentials.projects.get(id).service_key}`);

  const list = await r.domains.list(id);
  assert.deepEqual(list.domains.map((d) => [d.domain, d.status]), [[domain, "pending"]]);
  const { project_id: _, ...statusView } = added;
  assert.deepEqual(await r.domains.status(id, domain), statusView);

  await sim(`domains/${domain}`, { status: "active" });
  const active = await r.domains.status(id, domain);
  assert.deepEqual([active.status, active.dns_instructions], ["active", null]);
  assert.equal((await r.domains.list(id)).domains[0].status, "active");

  assert.deepEqual(await r.domains.remove(domain, { projectId: id }), { status: "deleted", domain });
  const del = rec.sent.at(-1);
  assert.deepEqual([del.method, new URL(del.url).pathname], ["DELETE", `/domains/v1/${domain}`]);
  assert.equal(del.headers.authorization, `Bearer ${credentials.projects.get(id).service_key}`);
  const gone = await rejectsKind(r.domains.status(id, domain), "api_error");
  assert.deepEqual([gone.status, gone.code], [404, "DOMAIN_NOT_FOUND"]);
  assert.match(gone.message, / while checking domain status \(HTTP 404\)$/);
});

test("domains.add errors: unknown or foreign subdomain, bad or taken domain", async () => {
  const { r, id, subdomain } = await withSubdomain();
  const other = await withSubdomain();
  const domain = `${uniq()}.example.org`;
  const e404 = await rejectsKind(r.domains.add(id, domain, `nope-${uniq()}`), "api_error");
  assert.deepEqual([e404.status, e404.code], [404, "SUBDOMAIN_NOT_FOUND"]);
  const e403 = await rejectsKind(r.domains.add(id, domain, other.subdomain), "unauthorized");
  assert.equal(e403.code, "SUBDOMAIN_PROJECT_MISMATCH");
  for (const bad of ["localhost", "no spaces.com", "-bad.com", "x.123", `${uniq()}.run402.com`]) {
    const e = await rejectsKind(r.domains.add(id, bad, subdomain), "api_error");
    assert.deepEqual([e.status, e.code], [400, "INVALID_DOMAIN"], bad);
  }
  await r.domains.add(id, domain, subdomain);
  const dup = await rejectsKind(other.r.domains.add(other.id, domain.toUpperCase(), other.subdomain), "api_error");
  assert.deepEqual([dup.status, dup.code], [409, "DOMAIN_TAKEN"]);
  const foreignStatus = await rejectsKind(other.r.domains.status(other.id, domain), "unauthorized");
  assert.equal(foreignStatus.status, 403);
  // Releasing the subdomain takes its custom domains with it.
  await r.subdomains.delete(subdomain, { projectId: id });
  assert.deepEqual((await r.domains.list(id)).domains, []);
});

test("domains.remove without opts.projectId sends only the provider's headers (the owning wallet's sign-in)", async () => {
  const rec = recordingFetch();
  const { r, id, subdomain } = await withSubdomain({ fetch: rec.fetch, auth: walletAuth(WALLET_KEY) });
  const domain = `${uniq()}.example.net`;
  await r.domains.add(id, domain, subdomain);
  assert.deepEqual(await r.domains.remove(domain), { status: "deleted", domain });
  const del = rec.sent.at(-1);
  assert.equal(del.method, "DELETE");
  assert.equal(del.headers.authorization, undefined, "no service key");
  assert.equal(typeof del.headers["sign-in-with-x"], "string");

  await r.domains.add(id, domain, subdomain);
  const stranger = await client({ auth: walletAuth(ADMIN_KEY) });
  const e403 = await rejectsKind(stranger.r.domains.remove(domain), "unauthorized");
  assert.deepEqual([e403.status, e403.code], [403, "DOMAIN_OWNER_MISMATCH"]);
  const anonymous = await client();
  const e401 = await rejectsKind(anonymous.r.domains.remove(domain), "unauthorized");
  assert.deepEqual([e401.status, e401.code], [401, "SIWX_REQUIRED"]);
  const unknown = await rejectsKind(r.domains.remove(`${uniq()}.example.net`), "api_error");
  assert.equal(unknown.status, 404);
  // Local checks: nothing sent, no key lookup.
  const before = rec.sent.length;
  for (const args of [[""], [7], ["x.com", "prj_1"], ["x.com", { projectId: 3 }], ["x.com", { projectId: "a/b" }]]) {
    await rejectsKind(r.domains.remove(...args), "local_error");
  }
  await rejectsKind(r.domains.remove("x.com", { projectId: "prj_unknown" }), "project_not_found");
  assert.equal(rec.sent.length, before);
});

test("domains: local checks for add/list/status, and unknown projects", async () => {
  const rec = recordingFetch();
  const { r, credentials } = await client({ fetch: rec.fetch });
  for (const call of [() => r.domains.add("prj_1", "", "sub"), () => r.domains.add("prj_1", "x.com"), () => r.domains.status("prj_1", 5), () => r.domains.list("../admin")]) {
    await rejectsKind(call(), "local_error");
  }
  await rejectsKind(r.domains.list("prj_unknown"), "project_not_found");
  assert.deepEqual(providerCalls(credentials, "getProject").map(([, p]) => p), ["prj_unknown"]);
  assert.equal(rec.sent.length, 0);
});

test("domains on a scoped client: remove gets the scope's projectId (service key), unless the caller names one", async () => {
  const rec = recordingFetch();
  const { r, id, subdomain, credentials } = await withSubdomain({ fetch: rec.fetch });
  const p = await r.project(id);
  const domain = `${uniq()}.example.com`;
  assert.equal((await p.domains.add(domain, subdomain)).project_id, id);
  assert.deepEqual((await p.domains.list()).domains.map((d) => d.domain), [domain]);
  assert.equal((await p.domains.status(domain)).status, "pending");
  assert.deepEqual(await p.domains.remove(domain), { status: "deleted", domain });
  assert.equal(rec.sent.at(-1).headers.authorization, `Bearer ${credentials.projects.get(id).service_key}`);
  await p.domains.add(domain, subdomain);
  await rejectsKind(p.domains.remove(domain, { projectId: "prj_elsewhere" }), "project_not_found");
});
