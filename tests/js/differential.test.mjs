// Differential test: the same calls through the reference `@run402/sdk` 3.3.3
// and through @run402/sdk-wasm (pkg/), each with a recording fetch and the
// same credentials provider. Every request must match exactly: method, full
// URL, every header (names compared lower-cased; a header only one side sends
// fails), and the body (JSON bodies parsed and compared deeply, text bodies
// byte-for-byte). Each call's test has three subtests: "requests" (the wire
// contract above), "credentials-provider calls" (the arguments getAuth,
// getProject, saveProject, setActiveProject and removeProject receive) and
// "result" (what the call resolves to, or the error it throws).
//
// Coverage: the calls whose wire form is the same at v1.69.7 and 3.3.3 (wire
// contract §1.1 projects, §1.2 blobs (3.3.3 calls them `assets`), §1.3
// functions, §1.8 service, §1.11 ai, §1.12 auth, §1.13 senderDomain, §1.15
// apps, §1.16 email where its changes do not apply (see there), §1.18 admin,
// §1.21 the root and scoped clients; each checked against §6). Left out on
// purpose:
//   * blobs.put and the upload-session members — §6: 3.3.3 uploads through
//     the apply engine and throws LocalError for the sessions.
//   * blobs.waitFresh — same requests, but its result carries elapsed
//     milliseconds (covered against the simulator in reference.test.mjs).
//   * projects.list — §6: `list(wallet)` became `list({org, limit, cursor,
//     all, token})` on GET /projects/v1 (or /agent/v1/operator/projects);
//     /wallets/v1/{w}/projects is no longer used.
//   * projects.pin — §6: removed in 3.3.3 (replaced by an org admin route).
//   * projects.rest / restResponse with keyType "service" — §6: 3.3.3 sends it
//     to /admin/v1/rest/{table} instead of /rest/v1/{table}.
//   * a rest query string that starts with "?" — §6: 3.3.3 strips it, v1.69.7
//     sent "??".
//   * projects.provision with orgId, projects.get, projects.rename and
//     everything org-related — new in 3.3.3, no v1.69.7 wire form to hold.
//   * projects.info/keys/use/active — local only, no request.
//
// Run: node --test tests/js/differential.test.mjs

import { test } from "node:test";

import { PID, same } from "./differential-harness.mjs";

const MANIFEST = {
  version: "1",
  tables: [{ name: "items", expose: true, policy: "public_read" }],
};

// ---- service (§1.8) --------------------------------------------------------

test("service.status", same((r) => r.service.status()));
test("service.health", same((r) => r.service.health()));

// ---- projects (§1.1) -------------------------------------------------------

test("projects.provision({})", same((r) => r.projects.provision({})));
test("projects.provision()", same((r) => r.projects.provision()));
test("projects.provision({tier, name})", same((r) => r.projects.provision({ tier: "hobby", name: "diff demo" })));
test("projects.delete", same((r) => r.projects.delete(PID)));
test("projects.getUsage", same((r) => r.projects.getUsage(PID)));
test("projects.usage (alias)", same((r) => r.projects.usage(PID)));
test("projects.getSchema", same((r) => r.projects.getSchema(PID)));
test("projects.schema (alias)", same((r) => r.projects.schema(PID)));
test("projects.sql (text)", same((r) => r.projects.sql(PID, "SELECT count(*) AS n FROM items")));
test("projects.sql (empty params → text)", same((r) => r.projects.sql(PID, "SELECT 1 AS n", [])));
test("projects.sql (params → JSON)", same((r) => r.projects.sql(PID, "SELECT * FROM items WHERE id = $1 AND name = $2", [1, "a b"])));
test("projects.rest GET (string query)", same((r) => r.projects.rest(PID, "items", "select=*&limit=10")));
test("projects.rest GET (no query)", same((r) => r.projects.rest(PID, "items")));
test("projects.rest GET (options, string query)", same((r) => r.projects.rest(PID, "items", { query: "id=eq.1" })));
test("projects.rest GET (record query)", same((r) => r.projects.rest(PID, "items", { query: { select: "id,name", name: "eq.a b&c", order: "id.asc", limit: "5" } })));
test("projects.rest GET (table name needing encoding)", same((r) => r.projects.rest(PID, "my table/ü", "select=*")));
test("projects.rest POST (anon)", same((r) => r.projects.rest(PID, "items", { method: "POST", body: [{ name: "created" }] })));
test("projects.rest POST (explicit keyType anon)", same((r) => r.projects.rest(PID, "items", { method: "POST", body: { name: "created" }, keyType: "anon" })));
test("projects.rest PATCH (anon)", same((r) => r.projects.rest(PID, "items", { method: "PATCH", query: "id=eq.1", body: { done: true } })));
test("projects.rest DELETE (anon)", same((r) => r.projects.rest(PID, "items", { method: "DELETE", query: { id: "eq.1" } })));
test("projects.restResponse GET", same((r) => r.projects.restResponse(PID, "items", "select=*&limit=10")));
test("projects.restResponse POST (anon)", same((r) => r.projects.restResponse(PID, "items", { method: "POST", body: { name: "created" } })));
test("projects.applyExpose", same((r) => r.projects.applyExpose(PID, MANIFEST)));
test("projects.validateExpose (no project)", same((r) => r.projects.validateExpose(MANIFEST)));
test("projects.validateExpose (no project, migrationSql)", same((r) => r.projects.validateExpose(MANIFEST, { migrationSql: "CREATE TABLE items (id int primary key);" })));
test("projects.validateExpose (project)", same((r) => r.projects.validateExpose(MANIFEST, { project: PID })));
test("projects.validateExpose (project_id, migrationSql)", same((r) => r.projects.validateExpose(MANIFEST, { project_id: PID, migrationSql: "SELECT 1;" })));
test("projects.validateExpose (JSON string manifest)", same((r) => r.projects.validateExpose(JSON.stringify(MANIFEST), { project: PID })));
{
  const invalid = (r) => r.projects.validateExpose("{not json");
  invalid.noRequest = true;
  test("projects.validateExpose (invalid JSON string: local result, no request)", same(invalid));
}
test("projects.getExpose", same((r) => r.projects.getExpose(PID)));
test("projects.promoteUser", same((r) => r.projects.promoteUser(PID, "user@example.com")));
test("projects.demoteUser", same((r) => r.projects.demoteUser(PID, "user@example.com")));
test("projects.getQuote", same((r) => r.projects.getQuote()));
test("projects.quote (alias)", same((r) => r.projects.quote()));

// senderDomain (§1.13) and admin (§1.18): §6 lists no change for either.
test("senderDomain.register", same((r) => r.senderDomain.register(PID, "mail.example.com")));
test("senderDomain.status", same((r) => r.senderDomain.status(PID)));
test("senderDomain.remove", same((r) => r.senderDomain.remove(PID)));
test("senderDomain.enableInbound", same((r) => r.senderDomain.enableInbound(PID, "mail.example.com")));
test("senderDomain.inboundEnable (alias)", same((r) => r.senderDomain.inboundEnable(PID, "mail.example.com")));
test("senderDomain.disableInbound (DELETE with a JSON body)", same((r) => r.senderDomain.disableInbound(PID, "mail.example.com")));
test("senderDomain.inboundDisable (alias)", same((r) => r.senderDomain.inboundDisable(PID, "mail.example.com")));
test("admin.sendMessage", same((r) => r.admin.sendMessage("hello")));
test("admin.setAgentContact (name only)", same((r) => r.admin.setAgentContact({ name: "ops" })));
test("admin.setAgentContact (empty optionals left out)", same((r) => r.admin.setAgentContact({ name: "ops", email: "", webhook: undefined })));
test("admin.setAgentContact (all fields)", same((r) => r.admin.setAgentContact({ name: "ops", email: "ops@example.com", webhook: "https://h.example/x" })));
test("admin.getAgentContactStatus", same((r) => r.admin.getAgentContactStatus()));
test("admin.verifyAgentContactEmail", same((r) => r.admin.verifyAgentContactEmail()));
test("admin.startOperatorPasskeyEnrollment", same((r) => r.admin.startOperatorPasskeyEnrollment()));
test("admin.getProjectFinance (default window)", same((r) => r.admin.getProjectFinance(PID)));
test("admin.getProjectFinance (window and cookie)", same((r) => r.admin.getProjectFinance(PID, { window: "90d", cookie: "session=abc" })));
test("admin.getProjectFinance (empty cookie left out)", same((r) => r.admin.getProjectFinance(PID, { window: "24h", cookie: "" })));
test("admin.getProjectFinance (id needing encoding)", same((r) => r.admin.getProjectFinance("prj a/b?c")));

// ---- scoped client (§1.21): r.project(id) forwards to the same root calls ---

test("project(id).projects.delete", same(async (r) => (await r.project(PID)).projects.delete()));
test("project(id).projects.getUsage", same(async (r) => (await r.project(PID)).projects.getUsage()));
test("project(id).projects.getSchema", same(async (r) => (await r.project(PID)).projects.getSchema()));
test("project(id).projects.sql (params)", same(async (r) => (await r.project(PID)).projects.sql("SELECT $1::int AS n", [7])));
test("project(id).projects.rest GET", same(async (r) => (await r.project(PID)).projects.rest("items", "select=*&limit=10")));
test("project(id).projects.rest PATCH (anon)", same(async (r) => (await r.project(PID)).projects.rest("items", { method: "PATCH", query: "id=eq.2", body: { done: false } })));
test("project(id).projects.restResponse GET", same(async (r) => (await r.project(PID)).projects.restResponse("items", { query: { limit: "1" } })));
test("project(id).projects.applyExpose", same(async (r) => (await r.project(PID)).projects.applyExpose(MANIFEST)));
test("project(id).projects.validateExpose (scoped id injected)", same(async (r) => (await r.project(PID)).projects.validateExpose(MANIFEST)));
test("project(id).projects.validateExpose (caller project wins)", same(async (r) => (await r.project(PID)).projects.validateExpose(MANIFEST, { project: "prj_other_0003" })));
test("project(id).projects.getExpose", same(async (r) => (await r.project(PID)).projects.getExpose()));
test("project(id).projects.promoteUser", same(async (r) => (await r.project(PID)).projects.promoteUser("user@example.com")));
test("project(id).projects.demoteUser", same(async (r) => (await r.project(PID)).projects.demoteUser("user@example.com")));
test("project(id).projects.getQuote", same(async (r) => (await r.project(PID)).projects.getQuote()));

// ---- ai (§1.11; r.image is the same object) --------------------------------

test("ai.translate", same((r) => r.ai.translate(PID, { text: "Hello world", to: "es" })));
test("ai.translate (from and context)", same((r) => r.ai.translate(PID, { text: "Hello world", to: "es", from: "en", context: "a greeting" })));
test("ai.translate (falsy from and context are left out)", same((r) => r.ai.translate(PID, { text: "Hello world", to: "es", from: "", context: "" })));
test("ai.moderate", same((r) => r.ai.moderate(PID, "some text")));
test("ai.usage", same((r) => r.ai.usage(PID)));
test("ai.generateImage (default aspect)", same((r) => r.ai.generateImage({ prompt: "a lighthouse" })));
test("ai.generateImage (portrait)", same((r) => r.ai.generateImage({ prompt: "a lighthouse", aspect: "portrait" })));
test("image.generateImage (alias)", same((r) => r.image.generateImage({ prompt: "a lighthouse", aspect: "landscape" })));
test("project(id).ai.translate", same(async (r) => (await r.project(PID)).ai.translate({ text: "Hello world", to: "es" })));
test("project(id).ai.moderate", same(async (r) => (await r.project(PID)).ai.moderate("some text")));
test("project(id).ai.usage", same(async (r) => (await r.project(PID)).ai.usage()));
test("project(id).ai.generateImage", same(async (r) => (await r.project(PID)).ai.generateImage({ prompt: "a lighthouse" })));
// email (§1.16): §6 lists changes (ids encoded, no cached mailbox, 409 not
// recovered, local `to`/URL/event checks) that leave these calls alone: a
// provider without a cached mailbox_id or updateProject, one listed mailbox,
// plain ids, valid inputs. Both list the mailboxes, then make the call.
test("email.createMailbox", same((r) => r.email.createMailbox(PID, "diff")));
test("email.create (alias)", same((r) => r.email.create(PID, "diff")));
test("email.getMailbox", same((r) => r.email.getMailbox(PID)));
test("email.status (alias)", same((r) => r.email.status(PID)));
test("email.send (template)", same((r) => r.email.send(PID, { to: "a@example.com", template: "notification", variables: { project_name: "A", message: "m" } })));
test("email.send (raw, text, from_name, in_reply_to)", same((r) => r.email.send(PID, { to: "a@example.com", subject: "Hi", html: "<p>hi</p>", text: "hi", from_name: "A", in_reply_to: "msg_0" })));
test("email.list", same((r) => r.email.list(PID, { limit: 5, after: "msg_0" })));
test("email.get", same((r) => r.email.get(PID, "msg_diff_1")));
test("email.getRaw", same((r) => r.email.getRaw(PID, "msg_diff_1")));
test("email.deleteMailbox", same((r) => r.email.deleteMailbox(PID)));
test("email.deleteMailbox (mbx_ id)", same((r) => r.email.deleteMailbox(PID, "mbx_diff_2")));
test("email.webhooks.register", same((r) => r.email.webhooks.register(PID, { url: "https://hooks.example.com/mail", events: ["delivery", "bounced"] })));
test("email.webhooks.list", same((r) => r.email.webhooks.list(PID)));
test("email.webhooks.get", same((r) => r.email.webhooks.get(PID, "wh_diff_1")));
test("email.webhooks.update", same((r) => r.email.webhooks.update(PID, "wh_diff_1", { events: ["reply_received"] })));
test("email.webhooks.delete", same((r) => r.email.webhooks.delete(PID, "wh_diff_1")));
test("project(id).email.send", same(async (r) => (await r.project(PID)).email.send({ to: "a@example.com", template: "notification", variables: { project_name: "A", message: "m" } })));
test("project(id).email.webhooks.list", same(async (r) => (await r.project(PID)).email.webhooks.list()));
test("project(id).senderDomain.register", same(async (r) => (await r.project(PID)).senderDomain.register("mail.example.com")));
test("project(id).senderDomain.status", same(async (r) => (await r.project(PID)).senderDomain.status()));
test("project(id).senderDomain.remove", same(async (r) => (await r.project(PID)).senderDomain.remove()));
test("project(id).senderDomain.enableInbound", same(async (r) => (await r.project(PID)).senderDomain.enableInbound("mail.example.com")));
test("project(id).senderDomain.disableInbound", same(async (r) => (await r.project(PID)).senderDomain.disableInbound("mail.example.com")));

// ---- auth (§1.12; wire unchanged by 3.3.3) ---------------------------------

const APP_URL = "https://app.example.com/in";
const TOKEN = "user_access_token_diff";
test("auth.requestMagicLink (signin)", same((r) => r.auth.requestMagicLink(PID, { email: "a@example.com", redirectUrl: APP_URL })));
test("auth.requestMagicLink (invite: service key bearer, client state)", same((r) => r.auth.requestMagicLink(PID, { email: "a@example.com", redirectUrl: APP_URL, intent: "invite", clientState: { team: 7 } })));
test("auth.magicLink (alias, recovery)", same((r) => r.auth.magicLink(PID, { email: "a@example.com", redirectUrl: APP_URL, intent: "recovery", clientState: "s" })));
test("auth.verifyMagicLink", same((r) => r.auth.verifyMagicLink(PID, "r402ml_token")));
test("auth.verify (alias)", same((r) => r.auth.verify(PID, "r402ml_token")));
test("auth.setUserPassword (initial)", same((r) => r.auth.setUserPassword(PID, { accessToken: TOKEN, newPassword: "n3w-pass" })));
test("auth.setPassword (alias, change)", same((r) => r.auth.setPassword(PID, { accessToken: TOKEN, newPassword: "n3w-pass", currentPassword: "old-pass" })));
test("auth.settings", same((r) => r.auth.settings(PID, { public_signup: "invite_only", preferred_sign_in_method: null, allowed_email_domains: [] })));
test("auth.createUser (email only)", same((r) => r.auth.createUser(PID, { email: "a@example.com" })));
test("auth.createUser (all options)", same((r) => r.auth.createUser(PID, { email: "a@example.com", isAdmin: false, sendInvite: true, redirectUrl: APP_URL, clientState: "s" })));
test("auth.inviteUser", same((r) => r.auth.inviteUser(PID, { email: "a@example.com", isAdmin: true, redirectUrl: APP_URL })));
test("auth.createPasskeyRegistrationOptions", same((r) => r.auth.createPasskeyRegistrationOptions(PID, { accessToken: TOKEN, appOrigin: "https://app.example.com" })));
test("auth.verifyPasskeyRegistration (label)", same((r) => r.auth.verifyPasskeyRegistration(PID, { accessToken: TOKEN, challengeId: "pkc_1", response: { id: "cred", type: "public-key" }, label: "Laptop" })));
test("auth.verifyPasskeyRegistration (empty label left out)", same((r) => r.auth.verifyPasskeyRegistration(PID, { accessToken: TOKEN, challengeId: "pkc_1", response: { id: "cred" }, label: "" })));
test("auth.createPasskeyLoginOptions", same((r) => r.auth.createPasskeyLoginOptions(PID, { appOrigin: "https://app.example.com" })));
test("auth.createPasskeyLoginOptions (email)", same((r) => r.auth.createPasskeyLoginOptions(PID, { appOrigin: "https://app.example.com", email: "a@example.com" })));
test("auth.verifyPasskeyLogin", same((r) => r.auth.verifyPasskeyLogin(PID, { challengeId: "pkc_2", response: { id: "cred", type: "public-key" } })));
test("auth.listPasskeys (no provider headers)", same((r) => r.auth.listPasskeys(PID, { accessToken: TOKEN })));
test("auth.deletePasskey (id needing encoding)", same((r) => r.auth.deletePasskey(PID, { accessToken: TOKEN, passkeyId: "pk 1/2?x" })));
test("auth.providers (no provider headers)", same((r) => r.auth.providers(PID)));
test("auth.promote", same((r) => r.auth.promote(PID, "a@example.com")));
test("auth.promoteUser (alias)", same((r) => r.auth.promoteUser(PID, "a@example.com")));
test("auth.demote", same((r) => r.auth.demote(PID, "a@example.com")));
test("auth.demoteUser (alias)", same((r) => r.auth.demoteUser(PID, "a@example.com")));
test("project(id).auth.requestMagicLink", same(async (r) => (await r.project(PID)).auth.requestMagicLink({ email: "a@example.com", redirectUrl: APP_URL, intent: "invite" })));
test("project(id).auth.verifyMagicLink", same(async (r) => (await r.project(PID)).auth.verifyMagicLink("r402ml_token")));
test("project(id).auth.setUserPassword", same(async (r) => (await r.project(PID)).auth.setUserPassword({ accessToken: TOKEN, newPassword: "n3w-pass" })));
test("project(id).auth.settings", same(async (r) => (await r.project(PID)).auth.settings({ allow_password_set: false })));
test("project(id).auth.inviteUser", same(async (r) => (await r.project(PID)).auth.inviteUser({ email: "a@example.com", redirectUrl: APP_URL })));
test("project(id).auth.listPasskeys", same(async (r) => (await r.project(PID)).auth.listPasskeys({ accessToken: TOKEN })));
test("project(id).auth.deletePasskey", same(async (r) => (await r.project(PID)).auth.deletePasskey({ accessToken: TOKEN, passkeyId: "pk_1" })));
test("project(id).auth.providers", same(async (r) => (await r.project(PID)).auth.providers()));
test("project(id).auth.promote", same(async (r) => (await r.project(PID)).auth.promote("a@example.com")));
// ---- functions (§1.3; deploy left out: 3.3.3 sends it through /apply/v1) ----

test("functions.invoke (default POST, object body)", same((r) => r.functions.invoke(PID, "hello", { body: { a: 1 } })));
test("functions.invoke (no options)", same((r) => r.functions.invoke(PID, "hello")));
test("functions.invoke (string body, headers, lower-case method)", same((r) => r.functions.invoke(PID, "hello", { method: "put", body: "raw text", headers: { "X-Trace": "t1" } })));
test("functions.invoke (a null body is sent as JSON null)", same((r) => r.functions.invoke(PID, "hello", { body: null })));
test("functions.invoke (GET drops a null body)", same((r) => r.functions.invoke(PID, "hello", { method: "GET", body: null })));
test("functions.invoke (GET, no body)", same((r) => r.functions.invoke(PID, "hello", { method: "GET" })));
test("functions.invoke (the caller's apikey wins)", same((r) => r.functions.invoke(PID, "hello", { headers: { apikey: "caller-key" } })));
test("functions.logs (defaults)", same((r) => r.functions.logs(PID, "hello")));
test("functions.logs (tail, since ISO, requestId)", same((r) => r.functions.logs(PID, "hello", { tail: 1000, since: "2030-01-01T00:00:00.000Z", requestId: "req_abcd1234" })));
test("functions.logs (since ISO with an offset)", same((r) => r.functions.logs(PID, "hello", { since: "2030-01-01T02:00:00.5+02:00" })));
test("functions.logs (since with a ±HHMM offset)", same((r) => r.functions.logs(PID, "hello", { since: "2030-01-01T02:00:00.25+0200" })));
test("functions.logs (since with a space, 24:00 and a ±HH:MM offset)", same((r) => r.functions.logs(PID, "hello", { since: "2030-01-01 24:00-05:00" })));
test("functions.logs (since YYYY-MM)", same((r) => r.functions.logs(PID, "hello", { since: "2030-02" })));
test("functions.logs (since epoch ms text)", same((r) => r.functions.logs(PID, "my fn", { since: "1893456000000" })));
test("functions.list", same((r) => r.functions.list(PID)));
test("functions.update (schedule and config)", same((r) => r.functions.update(PID, "hello", { schedule: "*/15 * * * *", timeout: 5, memory: 128 })));
test("functions.update (schedule: null)", same((r) => r.functions.update(PID, "hello", { schedule: null })));
test("functions.delete", same((r) => r.functions.delete(PID, "hello")));

// ---- apps (§1.15; bundleDeploy not built: it needs deploy.apply) ----------

test("apps.browse (no tags)", same((r) => r.apps.browse()));
test("apps.browse (tags, encoded)", same((r) => r.apps.browse(["a b", "c&d", "e!~"])));
test("apps.browse ([])", same((r) => r.apps.browse([])));
test("apps.getApp", same((r) => r.apps.getApp("ver_diff_1")));
test("apps.fork (saves and activates the project)", same((r) => r.apps.fork({ versionId: "ver_diff_1", name: "copy" })));
test("apps.fork (subdomain)", same((r) => r.apps.fork({ versionId: "ver_diff_1", name: "copy", subdomain: "my-copy" })));
test("apps.fork (an empty subdomain is sent as given)", same((r) => r.apps.fork({ versionId: "ver_diff_1", name: "copy", subdomain: "" })));
test("apps.publish (no options)", same((r) => r.apps.publish(PID)));
test("apps.publish (every field)", same((r) => r.apps.publish(PID, { description: "d", tags: ["t"], visibility: "unlisted", fork_allowed: false })));
test("apps.publish (an empty visibility is sent as given)", same((r) => r.apps.publish(PID, { visibility: "" })));
test("apps.updateVersion (an empty visibility is sent as given)", same((r) => r.apps.updateVersion(PID, "ver_diff_1", { visibility: "" })));
test("apps.listVersions", same((r) => r.apps.listVersions(PID)));
test("apps.updateVersion", same((r) => r.apps.updateVersion(PID, "ver_diff_1", { description: "", tags: [] })));
test("apps.deleteVersion", same((r) => r.apps.deleteVersion(PID, "ver_diff_1")));
// ---- blobs (§1.2; 3.3.3's `assets`) ------------------------------------------

const blobs = (r) => r.blobs ?? r.assets;
test("blobs.ls", same((r) => blobs(r).ls(PID)));
test("blobs.ls (prefix, limit, cursor)", same((r) => blobs(r).ls(PID, { prefix: "a dir/", limit: 25, cursor: "c+/=" })));
test("blobs.ls (falsy prefix and cursor are left out)", same((r) => blobs(r).ls(PID, { prefix: "", cursor: "" })));
test("blobs.get (a key with slashes, spaces and reserved characters)", same((r) => blobs(r).get(PID, "a dir/b?c#d/é.txt")));
test("blobs.rm", same((r) => blobs(r).rm(PID, "a/1.txt")));
test("blobs.sign", same((r) => blobs(r).sign(PID, "a/1.txt")));
test("blobs.sign (ttl_seconds)", same((r) => blobs(r).sign(PID, "a/1.txt", { ttl_seconds: 600 })));
test("blobs.diagnoseUrl", same((r) => blobs(r).diagnoseUrl(PID, "https://pr-abc.run402.com/_blob/a 1.txt?v=1&x=(y)")));
test("project(id).blobs.ls", same(async (r) => blobs(await r.project(PID)).ls({ limit: 5 })));
