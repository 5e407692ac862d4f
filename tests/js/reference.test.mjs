// The reference client as a second oracle for the simulator (DESIGN §5): the
// published @run402/sdk 3.3.3, through its own Node entry `run402()` from
// `@run402/sdk/node`, keeps its allowance and keystore in a temporary config
// directory, signs in (SIGN-IN-WITH-X) and pays (x402 via @x402/fetch + viem)
// with its own code against a simulator that charges. Every call both SDKs
// implement, over a wire unchanged since the seed era, must succeed. Where
// the simulator agreed only with our SDK, both could be wrong together.
//
// Left out, because 3.3.3 no longer speaks the seed-era wire for them
// (contract §6), or because there is no wire:
//   projects.list            3.3.3: GET /projects/v1 (org-scoped); seed era: GET /wallets/v1/{wallet}/projects
//   projects.pin             removed in 3.3.3 (admin.setLeasePerpetual, POST /orgs/v1/admin/{org}/lease-perpetual)
//   projects.rest / restResponse with keyType "service"
//                            3.3.3: /admin/v1/rest/{table}; seed era: /rest/v1/{table} (anon-key REST is covered)
//   projects.provision({orgId}) 3.3.3-only option (body org_id)
//   payments.*               our SDK's local totals and receipts: no HTTP
//   ci.setAssetKeyScopes     3.3.3-only (POST /ci/v1/bindings/{id}/asset-scopes)
//   assets.put / initUploadSession / getUploadSession / completeUploadSession
//                            3.3.3 uploads through the apply engine and throws LocalError for the sessions
//
// secrets, subdomains, domains, auth and apps are all here: their wire did not change by 3.3.3;
// so are blobs' ls, get, sign, rm, diagnoseUrl and waitFresh (3.3.3's `assets`);
// so are functions but deploy, which 3.3.3 sends through /apply/v1 (contract §6): the
// test deploys past the SDK, then drives invoke, logs, list, update and delete.
// deploy is here through 3.3.3's own apply engine (`p.apply`, `sites.deployDir`): it speaks
// /apply/v1 with a snake_case spec, which the simulator serves with its /deploy/v2 handlers.
// email is here for the calls whose wire 3.3.3 kept (one mailbox, plain ids):
// its 409 recovery and cached mailbox_id (both gone in 3.3.3) are not.

import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { createRequire } from "node:module";

import { Run402 as ReferenceRun402 } from "@run402/sdk";
import {
  isApiError, isLocalError, isNetworkError, isPaymentRequired, isProjectNotFound, isRetryableRun402Error, isUnauthorized, run402,
  githubActionsCredentials, signCiDelegation, CI_GITHUB_ACTIONS_PROVIDER, V1_CI_ALLOWED_ACTIONS, V1_CI_ALLOWED_EVENTS_DEFAULT,
} from "@run402/sdk/node";
import { start } from "../gateway/server.mjs";
import { routeChainToSimulator } from "./reference-chain.mjs";
import { SoftAuthenticator } from "./soft-authenticator.mjs";

const { PNG } = createRequire(import.meta.url)("pngjs");
const { simpleParser } = createRequire(import.meta.url)("mailparser");

let sim;
let dir;
let chain;
const ENV_KEYS = ["RUN402_API_BASE", "RUN402_CONFIG_DIR", "RUN402_ALLOWANCE_PATH", "RUN402_WALLET", "RUN402_PROFILE"];
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

before(async () => {
  // Our own simulator: the runner's does not charge, and the faucet's limit is per IP.
  sim = await start({ port: 0, payments: true });
  dir = mkdtempSync(join(tmpdir(), "run402-reference-"));
  // The Node entry reads these on every call; SIWX's domain and uri come from RUN402_API_BASE.
  process.env.RUN402_API_BASE = sim.url;
  process.env.RUN402_CONFIG_DIR = dir;
  process.env.RUN402_ALLOWANCE_PATH = join(dir, "allowance.json");
  delete process.env.RUN402_WALLET;
  delete process.env.RUN402_PROFILE;
  chain = routeChainToSimulator(sim.url, [sim.state.storage.s3Url, sim.state.storage.cdnUrl]);
});

after(async () => {
  chain?.restore();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function control(path, body) {
  const res = await fetch(`${sim.url}/__sim/${path}`, body === undefined ? {} : {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.ok(res.ok, `${path}: ${res.status}`);
  return res.json();
}

const balance = async (address) => (await control(`ledger?address=${address}`)).balances["eip155:84532"];

async function rejectsWith(promise, guard, check = () => {}) {
  const err = await promise.then(
    (value) => assert.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (e) => e,
  );
  assert.ok(guard(err), `unexpected error: ${err?.name}: ${err?.message}`);
  check(err);
  return err;
}

describe("@run402/sdk 3.3.3 (Node entry) against the simulator", () => {
  let address;
  let r; // the client that pays: made after funding, so its paid fetch sees the balance
  let id;
  let slot;

  it("service.status and service.health", async () => {
    const r0 = run402();
    const status = await r0.service.status();
    assert.equal(status.status, "ok");
    assert.equal(typeof status.uptime_seconds, "number");
    assert.equal(typeof status.deployment.version, "string");
    assert.ok(Array.isArray(status.capabilities));
    assert.equal(typeof status.operator.name, "string");
    const health = await r0.service.health();
    assert.deepEqual([health.status, health.checks.database], ["ok", "ok"]);
  });

  it("allowance: status, create, export, faucet (limited per IP)", async () => {
    const r1 = run402();
    assert.deepEqual(await r1.allowance.status(), { address: "", configured: false });
    const made = await r1.allowance.create();
    address = made.address;
    assert.match(address, /^0x[0-9a-f]{40}$/);
    assert.equal(made.path, process.env.RUN402_ALLOWANCE_PATH);
    assert.equal(statSync(made.path).mode & 0o777, 0o600);
    await rejectsWith(r1.allowance.create(), isLocalError);
    assert.equal(await r1.allowance.export(), address);
    const before = await r1.allowance.status();
    assert.deepEqual([before.address, before.configured, before.faucet_used], [address, true, false]);

    const funded = await r1.allowance.faucet();
    assert.deepEqual([funded.amount, funded.amountUsdMicros, funded.token, funded.network], ["0.25", 250_000, "USDC", "base-sepolia"]);
    assert.match(funded.transactionHash, /^0x[0-9a-f]{64}$/);
    assert.equal(await balance(address), 250_000);
    const afterFaucet = await r1.allowance.status();
    assert.equal(afterFaucet.faucet_used, true);
    assert.match(afterFaucet.lastFaucet, /^\d{4}-\d\d-\d\dT/);
    assert.equal(JSON.parse(readFileSync(made.path, "utf8")).funded, true);

    // Once per IP per 24 h: neither this wallet nor another one gets a second drip.
    for (const again of [undefined, "0x000000000000000000000000000000000000dEaD"]) {
      await rejectsWith(r1.allowance.faucet(again), isApiError, (e) => {
        assert.equal(e.status, 429);
        assert.equal(e.body.code, "FAUCET_RATE_LIMITED");
        assert.ok(isRetryableRun402Error(e));
      });
    }
  });

  it("projects.provision pays with x402, resending its sign-in header with the payment", async () => {
    r = run402();
    await control("reset", {});
    const project = await r.projects.provision({ tier: "prototype", name: "reference" });
    id = project.project_id;
    slot = project.schema_slot;
    assert.match(id, /^prj_/);
    for (const k of ["anon_key", "service_key", "schema_slot"]) assert.equal(typeof project[k], "string", k);
    assert.equal(await balance(address), 150_000);

    // The wire: one unpaid attempt (402) and one paid, both signed in with the same header.
    const log = (await control("requests")).filter((x) => x.method === "POST" && x.path === "/projects/v1");
    assert.equal(log.length, 2);
    assert.equal(log[0].headers["payment-signature"], undefined);
    assert.equal(typeof log[1].headers["payment-signature"], "string");
    assert.equal(typeof log[0].headers["sign-in-with-x"], "string");
    assert.equal(log[1].headers["sign-in-with-x"], log[0].headers["sign-in-with-x"]);
    assert.deepEqual(JSON.parse(log[1].body), { tier: "prototype", name: "reference" });

    // Its own code decided to pay after reading the balance from the (simulated) chain.
    assert.ok(chain.rpcCalls.includes("eip155:84532"));
    // The paying wallet owns the project.
    const owned = await (await fetch(`${sim.url}/wallets/v1/${address}/projects`)).json();
    assert.deepEqual(owned.projects.map((p) => p.id), [id]);

    // saveProject and setActiveProject went to the keystore file.
    const keystore = JSON.parse(readFileSync(join(dir, "projects.json"), "utf8"));
    assert.equal(keystore.active_project_id, id);
    assert.deepEqual(keystore.projects[id], { anon_key: project.anon_key, service_key: project.service_key });
  });

  it("tier.status reads the lease with a wallet sign-in; tier.set pays to renew it", async () => {
    // The paid provision gave the wallet a prototype lease.
    const first = await r.tier.status();
    assert.deepEqual([first.wallet, first.tier, first.active], [address, "prototype", true]);
    const set = await r.tier.set("prototype");
    assert.deepEqual([set.wallet, set.tier, set.action, set.previous_tier], [address, "prototype", "renew", "prototype"]);
    assert.ok(Date.parse(set.lease_expires_at) > Date.parse(first.lease_expires_at), "renewing extends the lease");
    assert.equal(set.allowance_remaining_usd_micros, 50_000);
    assert.equal(await balance(address), 50_000);
    const status = await r.tier.status();
    assert.deepEqual([status.wallet, status.tier, status.active, status.lease_expires_at], [address, "prototype", true, set.lease_expires_at]);
    assert.equal(status.pool_usage.projects, 1);
  });

  it("projects: local members (info, keys, use, active) and the tier table (getQuote, quote)", async () => {
    const keys = await r.projects.keys(id);
    assert.equal(typeof keys.service_key, "string");
    assert.deepEqual(await r.projects.info(id), { project_id: id, ...keys });
    assert.equal(await r.projects.active(), id);
    await r.projects.use(id);
    assert.equal(await r.projects.active(), id);
    await rejectsWith(r.projects.keys("prj_unknown"), isProjectNotFound);
    const quote = await r.projects.getQuote();
    assert.deepEqual(Object.keys(quote.tiers), ["prototype", "hobby", "team"]);
    assert.deepEqual([quote.tiers.prototype.price, quote.tiers.prototype.lease_days], ["$0.10", 7]);
    assert.deepEqual(await r.projects.quote(), quote);
  });

  it("projects.sql (text and parameterized), rest with the anon key, restResponse", async () => {
    const created = await r.projects.sql(id, "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL, done boolean DEFAULT false)");
    assert.equal(created.status, "ok");
    const inserted = await r.projects.sql(id, "INSERT INTO notes (body) VALUES ($1), ($2) RETURNING id, body", ["first", "second"]);
    assert.deepEqual(inserted.rows, [{ id: 1, body: "first" }, { id: 2, body: "second" }]);
    assert.equal(inserted.rowCount, 2);

    // Anon REST reaches only what the expose manifest declares.
    await rejectsWith(r.projects.rest(id, "notes"), isApiError, (e) => assert.equal(e.status, 404));
    const manifest = { version: "1", tables: [{ name: "notes", expose: true, policy: "public_read_write_UNRESTRICTED", i_understand_this_is_unrestricted: true }] };
    await r.projects.applyExpose(id, manifest);

    assert.deepEqual(await r.projects.rest(id, "notes", "select=id,body&order=id.asc"), [{ id: 1, body: "first" }, { id: 2, body: "second" }]);
    assert.deepEqual(await r.projects.rest(id, "notes", { query: { select: "body", id: "eq.2" } }), [{ body: "second" }]);
    const added = await r.projects.rest(id, "notes", { method: "POST", body: { body: "third" } });
    assert.deepEqual(added.map((x) => [x.body, x.done]), [["third", false]]);
    const patched = await r.projects.rest(id, "notes", { method: "PATCH", query: "id=eq.1", body: { done: true } });
    assert.deepEqual(patched.map((x) => [x.id, x.done]), [[1, true]]);
    const removed = await r.projects.rest(id, "notes", { method: "DELETE", query: "id=eq.2" });
    assert.deepEqual(removed.map((x) => x.id), [2]);
    const response = await r.projects.restResponse(id, "notes", "select=body,done&order=id.asc");
    assert.deepEqual(response, { status: 200, body: [{ body: "first", done: true }, { body: "third", done: false }] });
    const select = await r.projects.sql(id, "SELECT count(*)::int AS n FROM notes");
    assert.deepEqual(select.rows, [{ n: 2 }]);
  });

  it("projects: getExpose returns the applied manifest; validateExpose with and without a project", async () => {
    const manifest = { version: "1", tables: [{ name: "notes", expose: true, policy: "public_read_write_UNRESTRICTED", i_understand_this_is_unrestricted: true }] };
    assert.deepEqual(await r.projects.getExpose(id), manifest);
    const ok = await r.projects.validateExpose(manifest, { project: id });
    assert.deepEqual([ok.hasErrors, ok.errors], [false, []]);
    const missing = await r.projects.validateExpose({ version: "1", tables: [{ name: "ghosts", expose: true, policy: "public_read_authenticated_write" }] }, { project_id: id });
    assert.equal(missing.hasErrors, true);
    assert.equal(missing.errors[0].type, "missing-table");
    // Projectless: signed in with the wallet, checked against the migration SQL only.
    const projectless = await r.projects.validateExpose({ version: "1", tables: [{ name: "todo", expose: true, policy: "public_read_authenticated_write" }] }, {
      migrationSql: "CREATE TABLE todo (id serial PRIMARY KEY, task text)",
    });
    assert.deepEqual([projectless.hasErrors, projectless.errors], [false, []]);
    const local = await r.projects.validateExpose("{not json");
    assert.deepEqual([local.hasErrors, local.errors[0].type], [true, "schema-shape"]);
  });

  it("projects: getUsage / usage and getSchema / schema", async () => {
    const usage = await r.projects.getUsage(id);
    assert.deepEqual([usage.project_id, usage.tier, usage.status, usage.api_calls_limit], [id, "prototype", "active", 500_000]);
    await r.projects.sql(id, "SELECT 1");
    const again = await r.projects.usage(id);
    assert.ok(again.api_calls > usage.api_calls, "the usage counter is real");
    assert.ok(again.storage_bytes > 0);
    const schema = await r.projects.getSchema(id);
    assert.equal(schema.schema, slot);
    const notes = schema.tables.find((t) => t.name === "notes");
    assert.deepEqual(notes.columns.map((c) => c.name), ["id", "body", "done"]);
    assert.equal(notes.rls_enabled, true);
    assert.ok(notes.constraints.some((c) => /PRIMARY KEY \(id\)/.test(c.definition)), JSON.stringify(notes.constraints));
    assert.deepEqual(await r.projects.schema(id), schema);
  });

  it("projects.promoteUser and demoteUser act on a real user", async () => {
    await control("users", { project_id: id, email: "ada@example.com" });
    assert.equal(await r.projects.promoteUser(id, "ada@example.com"), undefined);
    assert.equal(await r.projects.demoteUser(id, "ada@example.com"), undefined);
    await rejectsWith(r.projects.promoteUser(id, "nobody@example.com"), isApiError, (e) => assert.equal(e.status, 404));
  });

  it("secrets: set, list (keys only), delete; the key pattern is checked locally", async () => {
    assert.equal(await r.secrets.set(id, "API_TOKEN", "tok-123"), undefined);
    const listed = await r.secrets.list(id);
    assert.deepEqual(listed.secrets.map((s) => s.key), ["API_TOKEN"]);
    assert.equal(typeof listed.secrets[0].created_at, "string");
    assert.ok(!JSON.stringify(listed).includes("tok-123"));
    assert.deepEqual(await r.secrets.delete(id, "API_TOKEN"), { status: "deleted", key: "API_TOKEN" });
    assert.deepEqual(await r.secrets.list(id), { secrets: [] });
    await rejectsWith(r.secrets.delete(id, "API_TOKEN"), isApiError, (e) => assert.equal(e.status, 404));
    await rejectsWith(r.secrets.set(id, "lower", "x"), isLocalError);
  });

  it("subdomains: claim (active project and opts.projectId), list, delete; custom domains on top", async () => {
    const { deployment_id: dep } = await control("deployments", { project_id: id });
    const claimed = await r.subdomains.claim("reference-app", dep); // the keystore's active project
    assert.deepEqual([claimed.name, claimed.project_id, claimed.url], ["reference-app", id, "https://reference-app.run402.com"]);
    assert.equal((await r.subdomains.claim("reference-app", dep, { projectId: id })).created_at, claimed.created_at);
    assert.deepEqual((await r.subdomains.list(id)).map((s) => s.name), ["reference-app"]);
    await rejectsWith(r.subdomains.claim("www", dep), isApiError, (e) => assert.equal(e.status, 400));

    const added = await r.domains.add(id, "app.reference.example", "reference-app");
    assert.deepEqual([added.status, added.project_id, added.dns_instructions.cname_target], ["pending", id, "domains.run402.com"]);
    assert.deepEqual((await r.domains.list(id)).domains.map((d) => d.domain), ["app.reference.example"]);
    await control("domains/app.reference.example", { status: "active" });
    const status = await r.domains.status(id, "app.reference.example");
    assert.deepEqual([status.status, status.dns_instructions], ["active", null]);
    // Without a projectId, remove sends only the provider's sign-in: the owning wallet's.
    assert.deepEqual(await r.domains.remove("app.reference.example"), { status: "deleted", domain: "app.reference.example" });
    await r.domains.add(id, "app.reference.example", "reference-app");
    assert.deepEqual(await r.domains.remove("app.reference.example", { projectId: id }), { status: "deleted", domain: "app.reference.example" });

    const p = await r.project(id);
    assert.equal((await p.subdomains.claim("reference-two", dep)).project_id, id);
    assert.equal((await p.domains.add("two.reference.example", "reference-two")).project_id, id);
    assert.deepEqual(await p.domains.remove("two.reference.example"), { status: "deleted", domain: "two.reference.example" });
    assert.equal(await p.secrets.set("SCOPED", "1"), undefined);
    assert.deepEqual((await p.secrets.list()).secrets.map((s) => s.key), ["SCOPED"]);
    assert.equal((await p.subdomains.delete("reference-two")).name, "reference-two");
    const removed = await r.subdomains.delete("reference-app", { projectId: id });
    assert.deepEqual([removed.name, removed.deployment_id, removed.project_id], ["reference-app", dep, id]);
    assert.deepEqual(await r.subdomains.list(id), []);
  });

  it("scoped clients: r.project(id) and r.useProject(id) make the same calls", async () => {
    const p = await r.project(id);
    assert.deepEqual((await p.projects.sql("SELECT body FROM notes ORDER BY id")).rows, [{ body: "first" }, { body: "third" }]);
    assert.deepEqual(await p.projects.rest("notes", "select=id&order=id.asc"), [{ id: 1 }, { id: 3 }]);
    const active = await r.project();
    assert.equal((await active.projects.getUsage()).project_id, id);
    const used = await r.useProject(id);
    assert.deepEqual(await used.projects.getExpose(), await r.projects.getExpose(id));
  });

  it("ai: translate within the add-on's words, moderate, usage; scoped; r.image is r.ai", async () => {
    await control("ai/translation", { project_id: id, included_words: 3 });
    assert.deepEqual(await r.ai.translate(id, { text: "Hello world", to: "es" }), { text: "Hola mundo", from: "en", to: "es" });
    assert.deepEqual(await r.ai.translate(id, { text: "Merci", to: "en", from: "fr", context: "a note" }), { text: "Thanks", from: "fr", to: "en" });
    const usage = await r.ai.usage(id);
    assert.deepEqual(
      [usage.translation.active, usage.translation.used_words, usage.translation.included_words, usage.translation.remaining_words],
      [true, 3, 3, 0],
    );
    const rough = await r.ai.moderate(id, "I will kill you");
    assert.deepEqual([rough.flagged, rough.categories.violence], [true, true]);
    assert.equal((await r.ai.moderate(id, "Hello friend")).flagged, false);
    assert.equal(r.image, r.ai);
    assert.ok(!Object.keys(r).includes("image"));
    const p = await r.project(id);
    assert.deepEqual(await p.ai.usage(), usage);
    assert.equal((await p.ai.moderate("gore")).categories["violence/graphic"], true);
  });

  it("ai.translate past the words: a 402 without x402 terms (PaymentRequired in the isomorphic client)", async () => {
    // The Node entry's fetch is wrapped by @x402/fetch, which cannot read a
    // 402 that carries no payment terms and throws instead of handing it back.
    await rejectsWith(r.ai.translate(id, { text: "good morning", to: "de" }), isNetworkError, (e) => {
      assert.match(e.message, /payment requirements/);
    });
    // The isomorphic client with a plain fetch sees the gateway's answer.
    const keys = await r.projects.keys(id);
    const plain = new ReferenceRun402({ apiBase: sim.url, credentials: { getAuth: async () => null, getProject: async () => keys } });
    await rejectsWith(plain.ai.translate(id, { text: "good morning", to: "de" }), isPaymentRequired, (e) => {
      assert.deepEqual([e.status, e.body.code, e.body.details.remaining_words], [402, "TRANSLATION_QUOTA_EXCEEDED", 0]);
    });
    await control("ai/translation", { project_id: id, active: false });
    await rejectsWith(plain.ai.translate(id, { text: "hello", to: "es" }), isPaymentRequired, (e) => {
      assert.equal(e.body.code, "TRANSLATION_ADDON_REQUIRED");
    });
    assert.equal((await plain.ai.usage(id)).translation.active, false);
  });

  it("ai.generateImage pays $0.03 with x402 and returns a PNG that pngjs decodes, sized by aspect", async () => {
    await rejectsWith(r.ai.generateImage({ prompt: "a cat", aspect: "wide" }), isLocalError);
    const before = await balance(address);
    const image = await r.image.generateImage({ prompt: "a lighthouse at dusk", aspect: "landscape" });
    assert.deepEqual([image.content_type, image.aspect], ["image/png", "landscape"]);
    const png = PNG.sync.read(Buffer.from(image.image, "base64"));
    assert.deepEqual([png.width, png.height], [32, 18]);
    assert.equal(await balance(address), before - 30_000);
  });

  it("senderDomain: register, status, inbound on and off (and the CLI aliases), remove", async () => {
    const domain = "reference-mail.example.com";
    assert.deepEqual(await r.senderDomain.status(id), { domain: null });
    const reg = await r.senderDomain.register(id, domain);
    assert.deepEqual([reg.domain, reg.status, reg.dns_records.length], [domain, "pending", 5]);
    await rejectsWith(r.senderDomain.enableInbound(id, domain), isApiError, (e) => assert.equal(e.status, 409));
    await control("sender-domains", { domain, status: "verified" });
    assert.equal((await r.senderDomain.status(id)).status, "verified");
    assert.equal((await r.senderDomain.enableInbound(id, domain)).status, "enabled");
    assert.deepEqual(await r.senderDomain.disableInbound(id, domain), { status: "disabled" });
    assert.equal((await r.senderDomain.inboundEnable(id, domain)).status, "enabled");
    assert.deepEqual(await r.senderDomain.inboundDisable(id, domain), { status: "disabled" });
    const del = (await control("requests")).filter((x) => x.method === "DELETE" && x.path === "/email/v1/domains/inbound").at(-1);
    assert.deepEqual(JSON.parse(del.body), { domain }, "its DELETE carries the JSON body too");
    assert.equal(await r.senderDomain.remove(id), undefined);
    assert.deepEqual(await r.senderDomain.status(id), { domain: null });
  });

  it("admin: sendMessage, the agent contact ladder, getProjectFinance (cookie, and refused for a non-admin wallet)", async () => {
    // The paid provision gave the wallet a tier, which sendMessage needs.
    assert.deepEqual(await r.admin.sendMessage("hello from 3.3.3"), { status: "sent" });
    assert.ok((await control("messages")).some((m) => m.wallet === address && m.message === "hello from 3.3.3"));

    const set = await r.admin.setAgentContact({ name: "Reference", email: "ref@example.com" });
    assert.deepEqual([set.wallet, set.assurance_level], [address, "email_pending"]);
    assert.ok((await r.admin.verifyAgentContactEmail()).verification_retry_after_seconds > 0);
    await control("agent-contacts", { wallet: address, action: "reply" });
    assert.equal((await r.admin.getAgentContactStatus()).assurance_level, "email_verified");
    const enrolling = await r.admin.startOperatorPasskeyEnrollment();
    assert.deepEqual([enrolling.assurance_level, enrolling.enrollment_sent_to], ["passkey_pending", "ref@example.com"]);

    await rejectsWith(r.admin.getProjectFinance(id), isUnauthorized, (e) => assert.equal(e.status, 403));
    const { cookie } = await control("admin-sessions", {});
    const finance = await r.admin.getProjectFinance(id, { window: "7d", cookie });
    assert.deepEqual([finance.project_id, finance.window, finance.revenue_breakdown.tier_fees_usd_micros], [id, "7d", 100_000]);
    await rejectsWith(r.admin.getProjectFinance(id, { window: "1y" }), isLocalError);
  });

  it("auth: magic links (both intents), passwords, settings, users, roles, providers, passkey options; scoped", async () => {
    const APP = "https://app.reference.example/in";
    const outbox = async (to) => (await control(`auth/outbox?project_id=${id}&to=${encodeURIComponent(to)}`)).messages;
    assert.equal(await r.auth.requestMagicLink(id, { email: "lin@example.com", redirectUrl: APP, clientState: "s=1" }), undefined);
    const session = await r.auth.verifyMagicLink(id, (await outbox("lin@example.com"))[0].token);
    assert.deepEqual([session.user.email, session.token_type, session.expires_in], ["lin@example.com", "bearer", 3600]);
    assert.deepEqual(session.magic_link, { intent: "signin", client_state: "s=1", state_source: "anonymous", state_trusted: false });
    await r.auth.magicLink(id, { email: "max@example.com", redirectUrl: APP, intent: "invite", clientState: "t=2" });
    const invited = await r.auth.verify(id, (await outbox("max@example.com"))[0].token);
    assert.equal(invited.magic_link.state_trusted, true);
    await rejectsWith(r.auth.verify(id, "r402ml_nope"), isUnauthorized);

    assert.equal(await r.auth.setUserPassword(id, { accessToken: session.access_token, newPassword: "lin-pass-1" }), undefined);
    assert.equal(await r.auth.setPassword(id, { accessToken: session.access_token, newPassword: "lin-pass-2", currentPassword: "lin-pass-1" }), undefined);
    const login = await fetch(`${sim.url}/auth/v1/token`, {
      method: "POST",
      headers: { apikey: JSON.parse(readFileSync(join(dir, "projects.json"), "utf8")).projects[id].anon_key, "content-type": "application/json" },
      body: JSON.stringify({ email: "lin@example.com", password: "lin-pass-2" }),
    });
    assert.equal(login.status, 200);

    const settings = await r.auth.settings(id, { public_signup: "known_email", allowed_email_domains: ["Example.com"] });
    assert.deepEqual([settings.public_signup, settings.allowed_email_domains, settings.allow_password_set], ["known_email", ["example.com"], true]);
    await rejectsWith(r.auth.settings(id, { public_signup: "everyone" }), isLocalError);
    const made = await r.auth.createUser(id, { email: "noa@example.com", isAdmin: true });
    assert.deepEqual([made.created, made.is_admin, made.invite_sent], [true, true, false]);
    const inv = await r.auth.inviteUser(id, { email: "noa@example.com", redirectUrl: APP });
    assert.deepEqual([inv.id, inv.created, inv.invite_sent], [made.id, false, true]);
    assert.equal((await outbox("noa@example.com"))[0].intent, "invite");
    assert.equal(await r.auth.promote(id, "lin@example.com"), undefined);
    assert.equal(await r.auth.demote(id, "lin@example.com"), undefined);
    assert.equal(await r.auth.promoteUser(id, "lin@example.com"), undefined);
    assert.equal(await r.auth.demoteUser(id, "lin@example.com"), undefined);
    assert.deepEqual((await r.auth.providers(id)).providers.map((p) => p.id), ["password", "magic_link", "passkey", "oauth_google"]);

    const reg = await r.auth.createPasskeyRegistrationOptions(id, { accessToken: session.access_token, appOrigin: "https://app.reference.example" });
    assert.equal(reg.options.rp.id, "app.reference.example");
    await rejectsWith(r.auth.verifyPasskeyRegistration(id, { accessToken: session.access_token, challengeId: reg.challenge_id, response: { id: "AAAA" } }), isApiError, (e) => assert.equal(e.status, 400));
    const opts = await r.auth.createPasskeyLoginOptions(id, { appOrigin: "https://app.reference.example", email: "lin@example.com" });
    assert.deepEqual(opts.options.allowCredentials, []);
    await rejectsWith(r.auth.verifyPasskeyLogin(id, { challengeId: opts.challenge_id, response: { id: "AAAA" } }), isUnauthorized);
    assert.deepEqual(await r.auth.listPasskeys(id, { accessToken: session.access_token }), { passkeys: [] });
    await rejectsWith(r.auth.deletePasskey(id, { accessToken: session.access_token, passkeyId: "pk_none" }), isApiError, (e) => assert.equal(e.status, 404));
    // With a software authenticator, the whole ceremony through the reference client.
    const device = new SoftAuthenticator();
    const origin = "https://app.reference.example";
    const reg2 = await r.auth.createPasskeyRegistrationOptions(id, { accessToken: session.access_token, appOrigin: origin });
    const key = await r.auth.verifyPasskeyRegistration(id, { accessToken: session.access_token, challengeId: reg2.challenge_id, response: device.create(reg2.options, origin), label: "ref" });
    assert.deepEqual([key.rp_id, key.label], ["app.reference.example", "ref"]);
    const opts2 = await r.auth.createPasskeyLoginOptions(id, { appOrigin: origin, email: "lin@example.com" });
    const viaKey = await r.auth.verifyPasskeyLogin(id, { challengeId: opts2.challenge_id, response: device.get(opts2.options, origin) });
    assert.equal(viaKey.user.email, "lin@example.com");
    assert.equal((await r.auth.listPasskeys(id, { accessToken: viaKey.access_token })).passkeys[0].id, key.id);
    assert.equal(await r.auth.deletePasskey(id, { accessToken: viaKey.access_token, passkeyId: key.id }), undefined);

    const p = await r.project(id);
    assert.equal((await p.auth.settings({ public_signup: "open" })).public_signup, "open");
    await p.auth.requestMagicLink({ email: "ola@example.com", redirectUrl: APP });
    assert.equal((await p.auth.verifyMagicLink((await outbox("ola@example.com"))[0].token)).user.email, "ola@example.com");
  });

  it("functions: invoke, logs, list, update, delete (deployed past the SDK: 3.3.3 deploys through /apply/v1)", async () => {
    const { service_key: serviceKey } = await r.projects.keys(id);
    await r.secrets.set(id, "WHO", "reference");
    const res = await fetch(`${sim.url}/projects/v1/admin/${id}/functions`, {
      method: "POST",
      headers: { authorization: `Bearer ${serviceKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "greet", code: "export default async (req) => { const text = req.method === 'GET' ? '' : await req.text(); console.log('greet', req.method, text); return Response.json({ who: process.env.WHO, method: req.method, text }); }" }),
    });
    assert.equal(res.status, 201);
    const posted = await r.functions.invoke(id, "greet", { body: { hi: 1 } });
    assert.deepEqual([posted.status, posted.body], [200, { who: "reference", method: "POST", text: '{"hi":1}' }]);
    assert.deepEqual((await r.functions.invoke(id, "greet", { method: "GET", body: "dropped" })).body, { who: "reference", method: "GET", text: "" });
    assert.equal((await r.functions.invoke(id, "greet", { method: "PUT", body: "raw text" })).body.text, "raw text");
    const logs = await r.functions.logs(id, "greet", { tail: 100 });
    assert.ok(logs.logs.some((l) => l.message === 'greet POST {"hi":1}'), JSON.stringify(logs.logs));
    const requestId = logs.logs.find((l) => l.message === "greet GET ").request_id;
    const one = await r.functions.logs(id, "greet", { requestId, since: new Date(Date.now() - 60_000).toISOString() });
    assert.ok(one.logs.length > 0 && one.logs.every((l) => l.request_id === requestId));
    const [listed] = (await r.functions.list(id)).functions;
    assert.deepEqual([listed.name, listed.runtime, listed.timeout, listed.schedule], ["greet", "node22", 10, null]);
    const updated = await r.functions.update(id, "greet", { schedule: "0 */2 * * *", timeout: 5 });
    assert.deepEqual([updated.schedule, updated.timeout, updated.schedule_meta.run_count], ["0 */2 * * *", 5, 0]);
    assert.equal((await r.functions.update(id, "greet", { schedule: null })).schedule, null);
    await rejectsWith(r.functions.update(id, "greet", { timeout: 11 }), isUnauthorized, (e) => assert.equal(e.status, 403));
    await rejectsWith(r.functions.invoke(id, "missing"), isApiError, (e) => assert.equal(e.status, 404));
    const p = await r.project(id);
    assert.equal((await p.functions.invoke("greet")).body.who, "reference");
    assert.deepEqual(await r.functions.delete(id, "greet"), { status: "deleted", name: "greet" });
    assert.deepEqual(await r.functions.list(id), { functions: [] });
  });

  it("apps: publish, listVersions, updateVersion, getApp, browse, fork (paid with x402), deleteVersion", async () => {
    await r.projects.sql(id, "CREATE TABLE app_rows (id serial PRIMARY KEY, label text)");
    const published = await r.apps.publish(id, { description: "from 3.3.3", tags: ["reference"], visibility: "public", fork_allowed: true });
    assert.deepEqual([published.project_id, published.version, published.status, published.min_tier], [id, 1, "published", "prototype"]);
    assert.ok(published.table_count >= 2);
    assert.deepEqual((await r.apps.listVersions(id)).versions.map((v) => v.id), [published.id]);
    assert.equal(await r.apps.updateVersion(id, published.id, { tags: ["reference", "demo app"] }), undefined);
    assert.deepEqual((await r.apps.getApp(published.id)).tags, ["reference", "demo app"]);
    const browsed = await r.apps.browse(["demo app"]);
    assert.deepEqual([browsed.total, browsed.apps[0].id], [1, published.id]);
    assert.deepEqual((await r.apps.browse(["nothing-here"])).apps, []);

    await control("fund", { address, amount: 200_000 });
    const before = await balance(address);
    const fork = await r.apps.fork({ versionId: published.id, name: "reference-fork" });
    assert.equal(await balance(address), before - 100_000);
    assert.equal(fork.readiness, "configuration_required", "the project has secrets (names only are published)");
    const keystore = JSON.parse(readFileSync(join(dir, "projects.json"), "utf8"));
    assert.equal(keystore.active_project_id, fork.project_id);
    assert.deepEqual(keystore.projects[fork.project_id], { anon_key: fork.anon_key, service_key: fork.service_key });
    assert.deepEqual((await r.projects.sql(fork.project_id, "SELECT count(*)::int AS n FROM app_rows")).rows, [{ n: 0 }]);
    await r.projects.use(id);

    assert.equal(await r.apps.deleteVersion(id, published.id), undefined);
    await rejectsWith(r.apps.getApp(published.id), isApiError, (e) => assert.equal(e.status, 404));
  });

  it("email: mailbox, send (template and raw), list, get with a reply, getRaw, webhooks (a signed delivery), delete", async () => {
    // The calls whose wire 3.3.3 kept (contract §6: one mailbox, plain ids, valid input).
    const slug = `reference-${process.pid}`;
    const made = await r.email.createMailbox(id, slug);
    assert.deepEqual([made.address, made.project_id, made.status], [`${slug}@mail.run402.com`, id, "active"]);
    assert.equal((await r.email.getMailbox(id)).mailbox_id, made.mailbox_id);
    assert.equal((await r.email.info(id)).mailbox_id, made.mailbox_id);

    const received = [];
    const hooks = createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c)).on("end", () => { received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() }); res.end("ok"); });
    });
    await new Promise((resolve) => hooks.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${hooks.address().port}/mail`;
      const hook = await r.email.webhooks.register(id, { url, events: ["delivery", "reply_received"] });
      assert.deepEqual([hook.url, hook.events], [url, ["delivery", "reply_received"]]);
      assert.deepEqual((await r.email.webhooks.list(id)).webhooks.map((w) => w.webhook_id), [hook.webhook_id]);
      assert.equal((await r.email.webhooks.get(id, hook.webhook_id)).url, url);

      const sent = await r.email.send(id, { to: "ref@example.com", template: "notification", variables: { project_name: "Ref", message: "hello" } });
      assert.deepEqual([sent.status, sent.template, sent.subject], ["sent", "notification", "Notification from Ref"]);
      const raw = await r.email.send(id, { to: "ref@example.com", subject: "Raw", html: "<p>raw</p>" });
      assert.equal(raw.template, null);
      assert.deepEqual((await r.email.list(id, { limit: 5 })).map((m) => m.id), [sent.message_id, raw.message_id]);

      const reply = await control("email/inbound", { to: made.address, from: "ref@example.com", in_reply_to: sent.message_id, text: "thanks" });
      const detail = await r.email.get(id, sent.message_id);
      assert.deepEqual(detail.replies.map((x) => [x.id, x.body]), [[reply.message_id, "thanks"]]);
      const bytes = await r.email.getRaw(id, reply.message_id);
      assert.equal(bytes.content_type, "message/rfc822");
      const mime = await simpleParser(Buffer.from(bytes.bytes));
      assert.equal(mime.inReplyTo, `<${sent.message_id}@mail.run402.com>`);

      const { secret } = await control(`email/webhooks/${hook.webhook_id}`);
      for (let i = 0; i < 50 && received.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(received.map((d) => JSON.parse(d.body).type).sort(), ["delivery", "delivery", "reply_received"]);
      for (const d of received) assert.equal(d.headers["x-run402-signature"], `sha256=${createHmac("sha256", secret).update(d.body).digest("hex")}`);

      assert.deepEqual((await r.email.webhooks.update(id, hook.webhook_id, { events: ["bounced"] })).events, ["bounced"]);
      assert.equal(await r.email.webhooks.delete(id, hook.webhook_id), undefined);
    } finally {
      await new Promise((resolve) => { hooks.closeAllConnections(); hooks.close(resolve); });
    }
    assert.deepEqual(await r.email.deleteMailbox(id), { mailbox_id: made.mailbox_id, address: made.address });
    await rejectsWith(r.email.getMailbox(id), isApiError, (e) => assert.equal(e.status, 404));
  });

  it("assets (our blobs): ls, get, sign, rm, diagnoseUrl and waitFresh keep the seed-era /storage/v1 wire", async () => {
    // 3.3.3 uploads through the apply engine (contract §6), so the blobs are
    // put here over the seed-era session wire, as our blobs.put sends it.
    const { service_key: key } = await r.projects.keys(id);
    const headers = { apikey: key, authorization: `Bearer ${key}`, "content-type": "application/json" };
    const upload = async (name, text, extra = {}) => {
      const post = (path, body) => fetch(`${sim.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) }).then((res) => res.json());
      const session = await post("/storage/v1/uploads", { key: name, size_bytes: Buffer.byteLength(text), content_type: "text/plain", ...extra });
      const put = await fetch(session.parts[0].url, { method: "PUT", body: text });
      assert.equal(put.status, 200);
      return post(`/storage/v1/uploads/${session.upload_id}/complete`, {});
    };
    await upload("ref/a.txt", "alpha");
    await upload("ref/b.txt", "beta");
    const v1 = await upload("ref/live.txt", "v1");

    const listed = await r.assets.ls(id, { prefix: "ref/", limit: 2 });
    assert.deepEqual(listed.blobs.map((b) => b.key), ["ref/a.txt", "ref/b.txt"]);
    assert.equal(typeof listed.next_cursor, "string");
    const rest = await r.assets.ls(id, { prefix: "ref/", cursor: listed.next_cursor });
    assert.deepEqual(rest.blobs.map((b) => b.key), ["ref/live.txt"]);
    const res = await r.assets.get(id, "ref/a.txt");
    assert.equal(await res.text(), "alpha");
    const signed = await r.assets.sign(id, "ref/b.txt", { ttl_seconds: 300 });
    assert.equal(signed.expires_in, 300);
    assert.equal(await (await fetch(signed.signed_url)).text(), "beta");
    assert.equal(await r.assets.rm(id, "ref/b.txt"), undefined);
    await rejectsWith(r.assets.get(id, "ref/b.txt"), isApiError, (e) => assert.equal(e.status, 404));

    await fetch(v1.cdn_url); // the edge caches v1
    const v2 = await upload("ref/live.txt", "v2", { immutable: true, sha256: createHash("sha256").update("v2").digest("hex") });
    const diag = await r.assets.diagnoseUrl(id, v1.cdn_url);
    assert.deepEqual([diag.projectId, diag.key, diag.expectedSha256, diag.pathKind], [id, "ref/live.txt", v2.sha256, "blob-mutable"]);
    assert.equal(diag.observedSha256, createHash("sha256").update("v1").digest("hex"));
    const fresh = await r.assets.waitFresh(id, { url: v1.cdn_url, sha256: v2.sha256, timeoutMs: 5000 });
    assert.deepEqual([fresh.fresh, fresh.observedSha256, fresh.vantage], [true, v2.sha256, "gateway-us-east-1"]);
    assert.ok(fresh.attempts >= 2);
  });

  it("deploy through 3.3.3's apply engine (/apply/v1, snake_case spec, content plans without per-session complete): p.apply, sites.deployDir, the served bytes", async () => {
    const p = await r.project(id); // async in 3.3.3
    const html = "<!doctype html><p>reference apply</p>";
    const events = [];
    const logStart = (await control("requests")).length;
    const result = await p.apply({ site: { replace: { "index.html": html, "style.css": "p{margin:0}" } } }, { onEvent: (e) => events.push(e.type) });
    assert.match(result.release_id, /^rel_/);
    assert.match(result.operation_id, /^op_/);
    assert.deepEqual(result.diff.site.added.map((a) => a.path), ["index.html", "style.css"]);
    assert.ok(events.includes("content.upload.progress") && events.includes("ready"), events.join(","));
    // Its wire: /apply/v1 with the snake_case spec, CAS content plans, and no per-session complete.
    const log = (await control("requests")).slice(logStart);
    const planned = log.find((x) => x.method === "POST" && x.path === "/apply/v1/plans");
    assert.equal(JSON.parse(planned.body).spec.project_id, id);
    assert.equal(JSON.parse(planned.body).spec.site.replace["index.html"].content_type, "text/html; charset=utf-8");
    assert.ok(log.some((x) => x.method === "POST" && /^\/content\/v1\/plans\/[^/]+\/commit$/.test(x.path)));
    assert.ok(!log.some((x) => /^\/storage\/v1\/uploads\/[^/]+\/complete$/.test(x.path) || x.path.startsWith("/deploy/v2/")));
    const page = await fetch(result.urls.project + "index.html");
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await page.text(), html);

    const inventory = await p.apply.getActiveRelease();
    assert.deepEqual([inventory.release_id, inventory.site.paths.map((x) => x.path)], [result.release_id, ["index.html", "style.css"]]);
    const snapshot = await p.apply.status(result.operation_id);
    assert.equal(snapshot.status, "ready");
    const listed = await p.apply.list();
    assert.ok(listed.operations.some((o) => o.operation_id === result.operation_id));

    // sites.deployDir from @run402/sdk/node: the directory's bytes, already-present ones reused.
    const site = mkdtempSync(join(tmpdir(), "run402-reference-site-"));
    try {
      writeFileSync(join(site, "index.html"), html);
      mkdirSync(join(site, "docs"));
      writeFileSync(join(site, "docs", "index.html"), "<p>docs</p>");
      const deployed = await r.sites.deployDir({ project: id, dir: site });
      assert.match(deployed.deployment_id, /^dpl_/);
      assert.equal(deployed.bytes_total, Buffer.byteLength(html) + "<p>docs</p>".length);
      assert.equal(deployed.bytes_uploaded, "<p>docs</p>".length);
      assert.equal(await (await fetch(deployed.url + "docs/")).text(), "<p>docs</p>");
      assert.equal((await fetch(deployed.url + "style.css")).status, 404);
    } finally {
      rmSync(site, { recursive: true, force: true });
    }
  });

  it("ci: createBinding with its own signCiDelegation, list, get, exchangeToken, githubActionsCredentials, revoke", async () => {
    const values = {
      project_id: id,
      subject_match: "repo:acme/site:ref:refs/heads/main",
      allowed_actions: V1_CI_ALLOWED_ACTIONS,
      allowed_events: V1_CI_ALLOWED_EVENTS_DEFAULT,
      route_scopes: ["/api/*"],
      github_repository_id: "4242",
      expires_at: null,
      nonce: "0123456789abcdef0123456789abcdef",
    };
    // Signed from allowance.json for the simulator's /ci/v1/bindings.
    const signed_delegation = signCiDelegation(values, { apiBase: sim.url });
    const row = await r.ci.createBinding({ ...values, provider: CI_GITHUB_ACTIONS_PROVIDER, signed_delegation });
    assert.deepEqual([row.project_id, row.created_by, row.route_scopes, row.use_count], [id, address, ["/api/*"], 0]);
    assert.deepEqual((await r.ci.listBindings({ project: id })).bindings.map((b) => b.id), [row.id]);
    assert.equal((await r.ci.getBinding(row.id)).id, row.id);

    const job = await control("oidc/jobs", { repository: "acme/site", repository_id: "4242" });
    const token = await (await fetch(`${job.request_url}&audience=https%3A%2F%2Fapi.run402.com`, { headers: { authorization: `Bearer ${job.request_token}` } })).json();
    const session = await r.ci.exchangeToken({ project_id: id, subject_token: token.value });
    assert.deepEqual([session.token_type, session.scope], ["Bearer", "deploy"]);

    // githubActionsCredentials reads process.env only (our SDK also takes an `env` option).
    const saved = [process.env.ACTIONS_ID_TOKEN_REQUEST_URL, process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN];
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = job.request_url;
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = job.request_token;
    try {
      const credentials = githubActionsCredentials({ projectId: id, apiBase: sim.url });
      const auth = await credentials.getAuth("/");
      assert.match(auth.Authorization, /^Bearer r402ci_/);
      assert.deepEqual(await credentials.getAuth("/"), auth, "cached");
    } finally {
      for (const [k, v] of [["ACTIONS_ID_TOKEN_REQUEST_URL", saved[0]], ["ACTIONS_ID_TOKEN_REQUEST_TOKEN", saved[1]]]) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    assert.equal((await r.ci.getBinding(row.id)).use_count, 2);
    const revoked = await r.ci.revokeBinding(row.id);
    assert.ok(Date.parse(revoked.revoked_at) > 0);
    await rejectsWith(r.ci.exchangeToken({ project_id: id, subject_token: token.value }), isUnauthorized, (e) => assert.equal(e.body.code, "access_denied"));
  });

  it("projects.delete removes the project on the gateway and in the keystore", async () => {
    const { service_key: serviceKey } = await r.projects.keys(id);
    assert.equal(await r.projects.delete(id), undefined);
    await rejectsWith(r.projects.keys(id), isProjectNotFound);
    const res = await fetch(`${sim.url}/projects/v1/admin/${id}/usage`, { headers: { authorization: `Bearer ${serviceKey}` } });
    assert.equal(res.status, 401);
    // With keys but no project, the gateway's 401 reaches the caller as Unauthorized.
    const stale = run402({ credentials: { getAuth: async () => null, getProject: async () => ({ anon_key: "", service_key: serviceKey }) } });
    await rejectsWith(stale.projects.getUsage(id), isUnauthorized);
  });

  it("never left 127.0.0.1", () => {
    assert.deepEqual(chain.blocked, []);
  });
});
