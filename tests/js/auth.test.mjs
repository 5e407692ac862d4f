// r.auth end to end: the built package against the simulator's real users
// (bcrypt hashes, HS256 access tokens, one-time refresh tokens, magic links
// in an outbox read through /__sim/auth/outbox), every member and alias,
// the key and token each one sends (contract §1.12), the settings changing
// what the gateway allows, and the error paths. Passkey ceremonies run here
// with a software authenticator (soft-authenticator.mjs), and with Chromium's
// virtual one in auth-passkeys-browser.test.mjs.
import { test, before } from "node:test";
import assert from "node:assert/strict";

import { simulator, withProject, rejectsKind } from "./helpers.mjs";
import { SoftAuthenticator } from "./soft-authenticator.mjs";

let base;
before(async () => { base = await simulator(); });

/** A fetch that goes to the simulator and records what it sent. */
function recordingFetch() {
  const sent = [];
  const fetch = async (url, init = {}) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    sent.push({ method: init.method ?? "GET", url: String(url), headers, body: init.body ? JSON.parse(init.body) : null });
    return globalThis.fetch(url, init);
  };
  return { fetch, sent };
}

const uniq = () => Math.random().toString(36).slice(2, 10);
const email = (who = "user") => `${who}-${uniq()}@example.com`;
const APP = "https://app.example.com/welcome";

/** A raw gateway call, as an app's frontend makes it (no SDK member signs up or logs in). */
async function raw(method, path, { apikey, bearer, body } = {}) {
  const headers = {};
  if (apikey) headers.apikey = apikey;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const signup = (anon, address, password) => raw("POST", "/auth/v1/signup", { apikey: anon, body: { email: address, password } });
const login = (anon, address, password) => raw("POST", "/auth/v1/token", { apikey: anon, body: { email: address, password } });
const me = (token) => raw("GET", "/auth/v1/user", { bearer: token });

async function outbox(projectId, to) {
  const res = await fetch(`${base}/__sim/auth/outbox?project_id=${projectId}&to=${encodeURIComponent(to)}`);
  return (await res.json()).messages;
}

async function project(opts) {
  const ctx = await withProject(opts);
  return { ...ctx, keys: ctx.credentials.projects.get(ctx.id) };
}

test("magic link: requestMagicLink mails a one-time link; verifyMagicLink trades it for a session", async () => {
  const rec = recordingFetch();
  const { r, id, keys } = await project({ fetch: rec.fetch });
  const who = email("ml");
  assert.equal(await r.auth.requestMagicLink(id, { email: who, redirectUrl: APP, clientState: "cart=3" }), undefined);
  const sent = rec.sent.at(-1);
  assert.deepEqual([sent.method, new URL(sent.url).pathname], ["POST", "/auth/v1/magic-link"]);
  assert.equal(sent.headers.apikey, keys.anon_key);
  assert.equal(sent.headers.authorization, `Bearer ${keys.anon_key}`);
  assert.deepEqual(sent.body, { email: who, redirect_url: APP, client_state: "cart=3" });

  const [mail] = await outbox(id, who);
  assert.equal(mail.intent, "signin");
  assert.equal(new URL(mail.url).searchParams.get("token"), mail.token);
  assert.ok(mail.url.startsWith(APP));

  const session = await r.auth.verifyMagicLink(id, mail.token);
  const verify = rec.sent.at(-1);
  assert.equal(new URL(verify.url).pathname + new URL(verify.url).search, "/auth/v1/token?grant_type=magic_link");
  assert.deepEqual([verify.headers.apikey, verify.headers.authorization], [keys.anon_key, `Bearer ${keys.anon_key}`]);
  assert.deepEqual(verify.body, { token: mail.token });
  assert.equal(session.token_type, "bearer");
  assert.equal(session.expires_in, 3600);
  assert.equal(session.user.email, who);
  assert.deepEqual(session.magic_link, { intent: "signin", client_state: "cart=3", state_source: "anonymous", state_trusted: false });
  // A real JWT: three parts, HS256, the user's id in sub, an hour to live.
  const [header, payload] = session.access_token.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url")));
  assert.equal(header.alg, "HS256");
  assert.equal(payload.sub, session.user.id);
  assert.equal(payload.exp - payload.iat, 3600);
  const current = await me(session.access_token);
  assert.equal(current.status, 200);
  assert.equal(current.body.email, who);
  assert.ok(current.body.email_verified_at, "a used magic link verifies the address");

  const again = await rejectsKind(r.auth.verify(id, mail.token), "unauthorized");
  assert.deepEqual([again.status, again.code], [401, "INVALID_MAGIC_LINK"]);
  assert.match(again.message, / while verifying magic link \(HTTP 401\)$/);
  assert.equal(r.auth.verify, r.auth.verifyMagicLink, "aliases are the same method");
  assert.equal(r.auth.magicLink, r.auth.requestMagicLink);
});

test("magic link: an invite goes with the service key and its client_state is trusted; anon cannot invite", async () => {
  const rec = recordingFetch();
  const { r, id, keys } = await project({ fetch: rec.fetch });
  const who = email("inv");
  await r.auth.magicLink(id, { email: who, redirectUrl: APP, intent: "invite", clientState: "team=7" });
  const sent = rec.sent.at(-1);
  assert.equal(sent.headers.apikey, keys.anon_key);
  assert.equal(sent.headers.authorization, `Bearer ${keys.service_key}`);
  assert.deepEqual(sent.body, { email: who, redirect_url: APP, intent: "invite", client_state: "team=7" });
  const [mail] = await outbox(id, who);
  const session = await r.auth.verifyMagicLink(id, mail.token);
  assert.deepEqual(session.magic_link, { intent: "invite", client_state: "team=7", state_source: "service_key", state_trusted: true });

  const anon = await raw("POST", "/auth/v1/magic-link", { apikey: keys.anon_key, bearer: keys.anon_key, body: { email: who, redirect_url: APP, intent: "invite" } });
  assert.deepEqual([anon.status, anon.body.code], [403, "SERVICE_KEY_REQUIRED"]);

  for (const intent of ["claim", "recovery"]) {
    await r.auth.requestMagicLink(id, { email: who, redirectUrl: APP, intent });
    assert.equal(rec.sent.at(-1).headers.authorization, `Bearer ${keys.anon_key}`, intent);
    assert.equal((await outbox(id, who)).at(-1).intent, intent);
  }
});

test("magic link: local checks come before any request", async () => {
  const rec = recordingFetch();
  const { r, id } = await project({ fetch: rec.fetch });
  const before = rec.sent.length;
  await rejectsKind(r.auth.requestMagicLink(id), "local_error");
  await rejectsKind(r.auth.requestMagicLink(id, "a@b.co"), "local_error");
  await rejectsKind(r.auth.requestMagicLink(id, { email: "a@b.co", redirectUrl: APP, intent: "signup" }), "local_error", (e) => assert.match(e.message, /intent.*signin, invite, claim, recovery/));
  await rejectsKind(r.auth.requestMagicLink(id, { redirectUrl: APP }), "local_error", (e) => assert.match(e.message, /email/));
  await rejectsKind(r.auth.requestMagicLink(id, { email: "a@b.co" }), "local_error", (e) => assert.match(e.message, /redirectUrl/));
  await rejectsKind(r.auth.verifyMagicLink(id, ""), "local_error");
  await rejectsKind(r.auth.verifyMagicLink(id), "local_error");
  await rejectsKind(r.auth.requestMagicLink("prj_unknown", { email: "a@b.co", redirectUrl: APP }), "project_not_found");
  assert.equal(rec.sent.length, before, "nothing was sent");
  // The gateway's own checks: a redirect that is not http(s).
  const e = await rejectsKind(r.auth.requestMagicLink(id, { email: "a@b.co", redirectUrl: "javascript:alert(1)" }), "api_error");
  assert.deepEqual([e.status, e.code], [400, "INVALID_FIELD"]);
});

test("passwords: signup, login, setUserPassword (initial, change with the current one, reset after a magic link)", async () => {
  const rec = recordingFetch();
  const { r, id, keys } = await project({ fetch: rec.fetch });
  const who = email("pw");
  const created = await signup(keys.anon_key, who, "first-pass-1");
  assert.equal(created.status, 201);
  assert.deepEqual(Object.keys(created.body).sort(), ["created_at", "email", "id"]);
  assert.equal((await signup(keys.anon_key, who, "another-pass")).body.code, "USER_EXISTS");
  assert.equal((await login(keys.anon_key, who, "wrong-pass-1")).body.code, "INVALID_CREDENTIALS");
  const session = (await login(keys.anon_key, who, "first-pass-1")).body;
  assert.ok(session.access_token && session.refresh_token);

  // A change needs the current password.
  const missing = await rejectsKind(r.auth.setUserPassword(id, { accessToken: session.access_token, newPassword: "second-pass-2" }), "api_error");
  assert.equal(missing.code, "CURRENT_PASSWORD_REQUIRED");
  const wrong = await rejectsKind(r.auth.setPassword(id, { accessToken: session.access_token, newPassword: "second-pass-2", currentPassword: "nope-nope-1" }), "unauthorized");
  assert.equal(wrong.code, "INVALID_CURRENT_PASSWORD");
  assert.equal(await r.auth.setUserPassword(id, { accessToken: session.access_token, newPassword: "second-pass-2", currentPassword: "first-pass-1" }), undefined);
  const sent = rec.sent.at(-1);
  assert.deepEqual([sent.method, new URL(sent.url).pathname], ["PUT", "/auth/v1/user/password"]);
  assert.equal(sent.headers.apikey, keys.anon_key);
  assert.equal(sent.headers.authorization, `Bearer ${session.access_token}`);
  assert.deepEqual(sent.body, { new_password: "second-pass-2", current_password: "first-pass-1" });
  assert.equal((await login(keys.anon_key, who, "first-pass-1")).status, 400);
  assert.equal((await login(keys.anon_key, who, "second-pass-2")).status, 200);

  // A reset: a magic-link session sets a new one without the old.
  await r.auth.requestMagicLink(id, { email: who, redirectUrl: APP, intent: "recovery" });
  const link = (await outbox(id, who)).at(-1);
  const recovered = await r.auth.verifyMagicLink(id, link.token);
  await r.auth.setUserPassword(id, { accessToken: recovered.access_token, newPassword: "third-pass-3" });
  assert.equal((await login(keys.anon_key, who, "third-pass-3")).status, 200);

  // An initial set, for a user who came in by magic link.
  const newcomer = email("ml-first");
  await r.auth.requestMagicLink(id, { email: newcomer, redirectUrl: APP });
  const first = await r.auth.verifyMagicLink(id, (await outbox(id, newcomer))[0].token);
  await r.auth.setUserPassword(id, { accessToken: first.access_token, newPassword: "initial-pass" });
  assert.equal((await login(keys.anon_key, newcomer, "initial-pass")).status, 200);

  const weak = await rejectsKind(r.auth.setUserPassword(id, { accessToken: first.access_token, newPassword: "short" }), "api_error");
  assert.equal(weak.code, "WEAK_PASSWORD");
  const bad = await rejectsKind(r.auth.setUserPassword(id, { accessToken: "not-a-token", newPassword: "long-enough-1" }), "unauthorized");
  assert.deepEqual([bad.status, bad.code], [401, "INVALID_ACCESS_TOKEN"]);
  const key = await rejectsKind(r.auth.setUserPassword(id, { accessToken: keys.anon_key, newPassword: "long-enough-1" }), "unauthorized");
  assert.equal(key.code, "ACCESS_TOKEN_REQUIRED");
  const before = rec.sent.length;
  await rejectsKind(r.auth.setUserPassword(id, { newPassword: "long-enough-1" }), "local_error", (e) => assert.match(e.message, /accessToken/));
  await rejectsKind(r.auth.setUserPassword(id, { accessToken: first.access_token }), "local_error", (e) => assert.match(e.message, /newPassword/));
  await rejectsKind(r.auth.setUserPassword(id, { accessToken: first.access_token, newPassword: 12345678 }), "local_error");
  assert.equal(rec.sent.length, before);
});

test("tokens: refresh tokens are one-time, logout ends the session, a token of one project is refused by another", async () => {
  const { r, id, keys } = await project();
  const who = email("tok");
  await signup(keys.anon_key, who, "refresh-pass");
  const first = (await login(keys.anon_key, who, "refresh-pass")).body;
  const refreshed = await raw("POST", "/auth/v1/token?grant_type=refresh_token", { apikey: keys.anon_key, body: { refresh_token: first.refresh_token } });
  assert.equal(refreshed.status, 200);
  assert.notEqual(refreshed.body.refresh_token, first.refresh_token);
  const reused = await raw("POST", "/auth/v1/token?grant_type=refresh_token", { apikey: keys.anon_key, body: { refresh_token: first.refresh_token } });
  assert.deepEqual([reused.status, reused.body.code], [401, "REFRESH_TOKEN_REUSED"]);
  assert.equal((await me(refreshed.body.access_token)).status, 200);

  assert.equal((await raw("POST", "/auth/v1/logout", { bearer: refreshed.body.access_token })).status, 204);
  assert.equal((await me(refreshed.body.access_token)).status, 401, "the access token dies with its session");
  assert.equal((await me(first.access_token)).status, 401);
  const afterLogout = await raw("POST", "/auth/v1/token?grant_type=refresh_token", { apikey: keys.anon_key, body: { refresh_token: refreshed.body.refresh_token } });
  assert.equal(afterLogout.status, 401);

  // A forged token (right shape, wrong key) and a token used with another project's apikey.
  const session = (await login(keys.anon_key, who, "refresh-pass")).body;
  const [h, p] = session.access_token.split(".");
  assert.equal((await me(`${h}.${p}.${Buffer.from("x".repeat(32)).toString("base64url")}`)).status, 401);
  const other = await r.projects.provision({ tier: "prototype" });
  const mismatch = await raw("GET", "/auth/v1/user", { apikey: other.anon_key, bearer: session.access_token });
  assert.deepEqual([mismatch.status, mismatch.body.code], [401, "KEY_PROJECT_MISMATCH"]);
  assert.equal((await login(other.anon_key, who, "refresh-pass")).status, 400, "users belong to one project");
  const grant = await raw("POST", "/auth/v1/token?grant_type=implicit", { apikey: keys.anon_key, body: {} });
  assert.equal(grant.body.code, "UNSUPPORTED_GRANT_TYPE");
});

test("settings: the service key updates them, and they change what the gateway allows", async () => {
  const rec = recordingFetch();
  const { r, id, keys } = await project({ fetch: rec.fetch });
  const all = await r.auth.settings(id, { public_signup: "invite_only", allowed_email_domains: ["@Example.COM", "example.com", " corp.example "] });
  const sent = rec.sent.at(-1);
  assert.deepEqual([sent.method, new URL(sent.url).pathname], ["PATCH", "/auth/v1/settings"]);
  assert.deepEqual([sent.headers.apikey, sent.headers.authorization], [keys.anon_key, `Bearer ${keys.service_key}`]);
  assert.deepEqual(sent.body, { public_signup: "invite_only", allowed_email_domains: ["@Example.COM", "example.com", " corp.example "] });
  assert.deepEqual(all, {
    allow_password_set: true,
    preferred_sign_in_method: null,
    public_signup: "invite_only",
    require_passkey_for_project_admin: false,
    allowed_email_domains: ["example.com", "corp.example"],
  });

  // invite_only: no sign-up, and sign-in links only reach users who exist.
  const stranger = email("stranger");
  assert.deepEqual([(await signup(keys.anon_key, stranger, "stranger-pass")).status, (await signup(keys.anon_key, stranger, "stranger-pass")).body.code], [403, "SIGNUP_DISABLED"]);
  await r.auth.requestMagicLink(id, { email: stranger, redirectUrl: APP });
  assert.deepEqual(await outbox(id, stranger), [], "no link for an unknown address");

  // known_email: only addresses the project created may sign up.
  await r.auth.settings(id, { public_signup: "known_email" });
  assert.equal((await signup(keys.anon_key, stranger, "stranger-pass")).body.code, "SIGNUP_NOT_ALLOWED");
  const known = email("known");
  await r.auth.createUser(id, { email: known });
  assert.equal((await signup(keys.anon_key, known, "known-pass-1")).status, 201);

  // allow_password_set: false refuses password changes.
  const session = (await login(keys.anon_key, known, "known-pass-1")).body;
  const off = await r.auth.settings(id, { allow_password_set: false, preferred_sign_in_method: "passkey" });
  assert.deepEqual([off.allow_password_set, off.preferred_sign_in_method, off.public_signup], [false, "passkey", "known_email"]);
  const refused = await rejectsKind(r.auth.setUserPassword(id, { accessToken: session.access_token, newPassword: "known-pass-2", currentPassword: "known-pass-1" }), "unauthorized");
  assert.equal(refused.code, "PASSWORD_SET_DISABLED");
  assert.equal((await r.auth.settings(id, { preferred_sign_in_method: null, public_signup: "open" })).preferred_sign_in_method, null);
  assert.equal((await signup(keys.anon_key, stranger, "stranger-pass")).status, 201);

  // Refused before any request, as 3.3.3 refuses them (LocalError): unknown fields and mistyped values.
  const before = rec.sent.length;
  for (const [bad, says] of [
    [{ public_signup: false }, /`public_signup` must be a string, got a boolean/],
    [{ public_signup: "everyone" }, /`public_signup` must be one of open, known_email, invite_only, got "everyone"/],
    [{ preferred_sign_in_method: "sms" }, /`preferred_sign_in_method` must be one of password, magic_link, oauth_google, passkey/],
    [{ allow_password_set: "yes" }, /`allow_password_set` must be a boolean, got a string/],
    [{ require_passkey_for_project_admin: 1 }, /`require_passkey_for_project_admin` must be a boolean, got a number/],
    [{ allowed_email_domains: "example.com" }, /`allowed_email_domains` must be an array of strings, got a string/],
    [{ allowed_email_domains: ["example.com", 7] }, /`allowed_email_domains` must be an array of strings, got an array/],
    [{ public_signup: "open", unknown_setting: 1 }, /^auth\.settings: `settings` has no field `unknown_setting`$/],
  ]) {
    const e = await rejectsKind(r.auth.settings(id, bad), "local_error");
    assert.match(e.message, says, JSON.stringify(bad));
    assert.equal(e.context, "updating auth settings");
  }
  assert.equal(rec.sent.length, before, "a refused settings object sends nothing");
  // The gateway checks what only it can (a domain's form), and refuses unknown fields itself too.
  assert.equal((await rejectsKind(r.auth.settings(id, { allowed_email_domains: ["not a domain"] }), "api_error")).status, 400);
  const unknown = await raw("PATCH", "/auth/v1/settings", { apikey: keys.anon_key, bearer: keys.service_key, body: { unknown_setting: 1 } });
  assert.equal(unknown.status, 400);
  const anon = await raw("PATCH", "/auth/v1/settings", { apikey: keys.anon_key, bearer: keys.anon_key, body: { public_signup: "open" } });
  assert.deepEqual([anon.status, anon.body.code], [403, "SERVICE_KEY_REQUIRED"]);
  await rejectsKind(r.auth.settings(id), "local_error");
  await rejectsKind(r.auth.settings(id, "open"), "local_error");
});

test("createUser and inviteUser: create or update by email, invites mailed with the service key's trust", async () => {
  const rec = recordingFetch();
  const { r, id, keys } = await project({ fetch: rec.fetch });
  const who = email("admin-made");
  const made = await r.auth.createUser(id, { email: who, isAdmin: true });
  const sent = rec.sent.at(-1);
  assert.deepEqual([sent.method, new URL(sent.url).pathname], ["POST", "/auth/v1/admin/users"]);
  assert.deepEqual([sent.headers.apikey, sent.headers.authorization], [keys.anon_key, `Bearer ${keys.service_key}`]);
  assert.deepEqual(sent.body, { email: who, is_admin: true });
  assert.deepEqual({ ...made, id: typeof made.id }, { id: "string", email: who, is_admin: true, email_verified_at: null, created: true, invite_sent: false });
  assert.deepEqual(await outbox(id, who), []);

  const again = await r.auth.createUser(id, { email: who, isAdmin: false, sendInvite: true, redirectUrl: APP, clientState: "s1" });
  assert.deepEqual(rec.sent.at(-1).body, { email: who, is_admin: false, send_invite: true, redirect_url: APP, client_state: "s1" });
  assert.deepEqual([again.id, again.created, again.is_admin, again.invite_sent], [made.id, false, false, true]);
  const [mail] = await outbox(id, who);
  assert.deepEqual([mail.intent, mail.client_state, mail.state_source], ["invite", "s1", "service_key"]);

  const invitee = email("invitee");
  // inviteUser always sends the invite, whatever the options say.
  const invited = await r.auth.inviteUser(id, { email: invitee, redirectUrl: APP, sendInvite: false });
  assert.deepEqual(rec.sent.at(-1).body, { email: invitee, send_invite: true, redirect_url: APP });
  assert.deepEqual([invited.created, invited.invite_sent], [true, true]);
  const session = await r.auth.verifyMagicLink(id, (await outbox(id, invitee))[0].token);
  assert.equal(session.user.id, invited.id);
  assert.equal(session.magic_link.state_trusted, true);

  const noRedirect = await rejectsKind(r.auth.inviteUser(id, { email: email("x") }), "api_error");
  assert.deepEqual([noRedirect.status, noRedirect.code], [400, "MISSING_FIELD"]);
  assert.equal((await rejectsKind(r.auth.createUser(id, { email: "not-an-email" }), "api_error")).code, "INVALID_EMAIL");
  const before = rec.sent.length;
  await rejectsKind(r.auth.createUser(id, { email: who, isAdmin: "yes" }), "local_error", (e) => assert.match(e.message, /isAdmin/));
  await rejectsKind(r.auth.createUser(id, { email: who, sendInvite: 1 }), "local_error");
  await rejectsKind(r.auth.createUser(id, {}), "local_error");
  await rejectsKind(r.auth.inviteUser(id), "local_error");
  assert.equal(rec.sent.length, before);
  const anon = await raw("POST", "/auth/v1/admin/users", { apikey: keys.anon_key, bearer: keys.anon_key, body: { email: who } });
  assert.equal(anon.body.code, "SERVICE_KEY_REQUIRED");
});

test("promote and demote (and their aliases) change the role a user's next session has", async () => {
  const rec = recordingFetch();
  const { r, id, keys } = await project({ fetch: rec.fetch });
  const who = email("role");
  await signup(keys.anon_key, who, "role-pass-1");
  assert.equal(await r.auth.promote(id, who), undefined);
  const sent = rec.sent.at(-1);
  assert.deepEqual([sent.method, new URL(sent.url).pathname], ["POST", `/projects/v1/admin/${id}/promote-user`]);
  assert.equal(sent.headers.authorization, `Bearer ${keys.service_key}`);
  assert.equal(sent.headers.apikey, undefined);
  assert.deepEqual(sent.body, { email: who });
  let session = (await login(keys.anon_key, who, "role-pass-1")).body;
  assert.equal((await me(session.access_token)).body.is_admin, true);
  assert.equal(JSON.parse(Buffer.from(session.access_token.split(".")[1], "base64url")).app_role, "project_admin");

  // An admin who must use a passkey gets a plain session from a password, and is told why.
  await r.auth.settings(id, { require_passkey_for_project_admin: true });
  session = (await login(keys.anon_key, who, "role-pass-1")).body;
  assert.deepEqual([session.elevation_required, session.required_method, session.effective_role, session.intended_role], [true, "passkey", "authenticated", "project_admin"]);
  assert.equal(JSON.parse(Buffer.from(session.access_token.split(".")[1], "base64url")).app_role, "user");

  await r.auth.demoteUser(id, who);
  assert.equal(new URL(rec.sent.at(-1).url).pathname, `/projects/v1/admin/${id}/demote-user`);
  session = (await login(keys.anon_key, who, "role-pass-1")).body;
  assert.equal(session.elevation_required, undefined);
  assert.equal((await me(session.access_token)).body.is_admin, false);
  await r.auth.promoteUser(id, who);
  await r.auth.demote(id, who);
  assert.equal(r.auth.promoteUser, r.auth.promote);
  assert.equal(r.auth.demoteUser, r.auth.demote);

  const e = await rejectsKind(r.auth.promote(id, "nobody@example.com"), "api_error");
  assert.deepEqual([e.status, e.code], [404, "USER_NOT_FOUND"]);
  assert.match(e.message, / while promoting user \(HTTP 404\)$/);
  await rejectsKind(r.auth.demote(id, ""), "local_error");
  await rejectsKind(r.auth.promote(id), "local_error");
});

test("providers: anon key only, no provider headers", async () => {
  const rec = recordingFetch();
  const { r, id, keys, credentials } = await project({ fetch: rec.fetch, auth: () => ({ "X-Wallet-Proof": "proof" }) });
  const calls = credentials.calls.filter(([m]) => m === "getAuth").length;
  const list = await r.auth.providers(id);
  const sent = rec.sent.at(-1);
  assert.deepEqual([sent.method, new URL(sent.url).pathname], ["GET", "/auth/v1/providers"]);
  assert.deepEqual([sent.headers.apikey, sent.headers.authorization, sent.headers["x-wallet-proof"]], [keys.anon_key, `Bearer ${keys.anon_key}`, undefined]);
  assert.equal(credentials.calls.filter(([m]) => m === "getAuth").length, calls, "the provider is not asked");
  assert.deepEqual(list.providers.map((p) => p.id), ["password", "magic_link", "passkey", "oauth_google"]);
  await rejectsKind(r.auth.providers("prj_nope"), "project_not_found");
});

test("passkeys: the wire of every member, and the gateway's refusals without an authenticator", async () => {
  const rec = recordingFetch();
  const { r, id, keys } = await project({ fetch: rec.fetch });
  const who = email("pk");
  await signup(keys.anon_key, who, "passkey-pass");
  const { access_token: token } = (await login(keys.anon_key, who, "passkey-pass")).body;

  const reg = await r.auth.createPasskeyRegistrationOptions(id, { accessToken: token, appOrigin: "https://app.example.com" });
  let sent = rec.sent.at(-1);
  assert.deepEqual([sent.method, new URL(sent.url).pathname], ["POST", "/auth/v1/passkeys/register/options"]);
  assert.deepEqual([sent.headers.apikey, sent.headers.authorization], [keys.anon_key, `Bearer ${token}`]);
  assert.deepEqual(sent.body, { app_origin: "https://app.example.com" });
  assert.match(reg.challenge_id, /^pkc_/);
  assert.equal(reg.options.rp.id, "app.example.com");
  assert.equal(reg.options.user.name, who);
  assert.equal(typeof reg.options.challenge, "string");

  // A response that is not a credential, and one for a challenge already spent.
  const junk = await rejectsKind(r.auth.verifyPasskeyRegistration(id, { accessToken: token, challengeId: reg.challenge_id, response: { id: "AAAA", type: "public-key", response: {} }, label: "Laptop" }), "api_error");
  sent = rec.sent.at(-1);
  assert.deepEqual([new URL(sent.url).pathname, sent.headers.authorization], ["/auth/v1/passkeys/register/verify", `Bearer ${token}`]);
  assert.deepEqual(sent.body, { challenge_id: reg.challenge_id, response: { id: "AAAA", type: "public-key", response: {} }, label: "Laptop" });
  assert.equal(junk.code, "PASSKEY_VERIFICATION_FAILED");
  const spent = await rejectsKind(r.auth.verifyPasskeyRegistration(id, { accessToken: token, challengeId: reg.challenge_id, response: { id: "AAAA" } }), "api_error");
  assert.equal(spent.code, "INVALID_CHALLENGE");

  const login1 = await r.auth.createPasskeyLoginOptions(id, { appOrigin: "https://app.example.com", email: who });
  sent = rec.sent.at(-1);
  assert.deepEqual([new URL(sent.url).pathname, sent.headers.apikey, sent.headers.authorization], ["/auth/v1/passkeys/login/options", keys.anon_key, `Bearer ${keys.anon_key}`]);
  assert.deepEqual(sent.body, { app_origin: "https://app.example.com", email: who });
  assert.deepEqual(login1.options.allowCredentials, [], "no passkeys yet");
  assert.equal(login1.options.rpId, "app.example.com");
  const unknown = await rejectsKind(r.auth.verifyPasskeyLogin(id, { challengeId: login1.challenge_id, response: { id: "bm90LWEta2V5", type: "public-key", response: {} } }), "unauthorized");
  sent = rec.sent.at(-1);
  assert.deepEqual([new URL(sent.url).pathname, sent.headers.authorization], ["/auth/v1/passkeys/login/verify", `Bearer ${keys.anon_key}`]);
  assert.deepEqual(sent.body, { challenge_id: login1.challenge_id, response: { id: "bm90LWEta2V5", type: "public-key", response: {} } });
  assert.equal(unknown.code, "PASSKEY_NOT_FOUND");

  assert.deepEqual(await r.auth.listPasskeys(id, { accessToken: token }), { passkeys: [] });
  sent = rec.sent.at(-1);
  assert.deepEqual([sent.method, new URL(sent.url).pathname, sent.headers.apikey, sent.headers.authorization], ["GET", "/auth/v1/passkeys", keys.anon_key, `Bearer ${token}`]);
  const gone = await rejectsKind(r.auth.deletePasskey(id, { accessToken: token, passkeyId: "pk/../x y" }), "api_error");
  sent = rec.sent.at(-1);
  assert.deepEqual([sent.method, new URL(sent.url).pathname], ["DELETE", "/auth/v1/passkeys/pk%2F..%2Fx%20y"], "the id is one encoded segment");
  assert.equal(gone.status, 404);

  // Origins: https, or http on localhost only.
  for (const appOrigin of ["http://app.example.com", "https://app.example.com/path", "not a url"]) {
    const e = await rejectsKind(r.auth.createPasskeyLoginOptions(id, { appOrigin }), "api_error");
    assert.equal(e.code, "INVALID_ORIGIN", appOrigin);
  }
  assert.equal((await r.auth.createPasskeyLoginOptions(id, { appOrigin: "http://localhost:5173" })).options.rpId, "localhost");

  const before = rec.sent.length;
  await rejectsKind(r.auth.createPasskeyRegistrationOptions(id, { appOrigin: "https://a.example" }), "local_error", (e) => assert.match(e.message, /accessToken/));
  await rejectsKind(r.auth.createPasskeyRegistrationOptions(id, { accessToken: token }), "local_error", (e) => assert.match(e.message, /appOrigin/));
  await rejectsKind(r.auth.verifyPasskeyRegistration(id, { accessToken: token, response: {} }), "local_error", (e) => assert.match(e.message, /challengeId/));
  await rejectsKind(r.auth.createPasskeyLoginOptions(id), "local_error");
  await rejectsKind(r.auth.verifyPasskeyLogin(id, { response: {} }), "local_error");
  await rejectsKind(r.auth.listPasskeys(id, {}), "local_error");
  await rejectsKind(r.auth.listPasskeys(id), "local_error");
  await rejectsKind(r.auth.deletePasskey(id, { accessToken: token }), "local_error", (e) => assert.match(e.message, /passkeyId/));
  assert.equal(rec.sent.length, before);
  const anonList = await rejectsKind(r.auth.listPasskeys(id, { accessToken: keys.anon_key }), "unauthorized");
  assert.equal(anonList.code, "ACCESS_TOKEN_REQUIRED");
});

test("listPasskeys sends no provider headers; the other user-token calls merge them", async () => {
  const rec = recordingFetch();
  const { r, id, keys } = await project({ fetch: rec.fetch, auth: () => ({ "X-Wallet-Proof": "proof" }) });
  const who = email("hdr");
  await signup(keys.anon_key, who, "header-pass");
  const { access_token: token } = (await login(keys.anon_key, who, "header-pass")).body;
  await r.auth.listPasskeys(id, { accessToken: token });
  assert.equal(rec.sent.at(-1).headers["x-wallet-proof"], undefined);
  await r.auth.createPasskeyRegistrationOptions(id, { accessToken: token, appOrigin: "https://app.example.com" });
  assert.equal(rec.sent.at(-1).headers["x-wallet-proof"], "proof");
  assert.equal(rec.sent.at(-1).headers.authorization, `Bearer ${token}`, "the request's own bearer wins");
});

test("auth on a scoped client: the scope's project, no CLI aliases", async () => {
  const { r, id, keys } = await project();
  const p = await r.project(id);
  const who = email("scoped");
  await p.auth.requestMagicLink({ email: who, redirectUrl: APP });
  const session = await p.auth.verifyMagicLink((await outbox(id, who))[0].token);
  await p.auth.setUserPassword({ accessToken: session.access_token, newPassword: "scoped-pass" });
  assert.equal((await login(keys.anon_key, who, "scoped-pass")).status, 200);
  assert.equal((await p.auth.settings({ public_signup: "open" })).public_signup, "open");
  assert.equal((await p.auth.createUser({ email: who })).created, false);
  assert.equal((await p.auth.inviteUser({ email: email("scoped-inv"), redirectUrl: APP })).invite_sent, true);
  await p.auth.promote(who);
  await p.auth.demote(who);
  assert.deepEqual((await p.auth.listPasskeys({ accessToken: session.access_token })).passkeys, []);
  assert.ok((await p.auth.createPasskeyRegistrationOptions({ accessToken: session.access_token, appOrigin: "https://app.example.com" })).challenge_id);
  assert.ok((await p.auth.createPasskeyLoginOptions({ appOrigin: "https://app.example.com" })).challenge_id);
  assert.ok(Array.isArray((await p.auth.providers()).providers));
  for (const alias of ["magicLink", "verify", "setPassword", "promoteUser", "demoteUser"]) assert.equal(p.auth[alias], undefined, alias);
});

test("passkeys with a software authenticator: register, sign in, and what the gateway refuses", async () => {
  const { r, id, keys } = await project();
  const origin = "https://app.example.com";
  const who = email("soft");
  await signup(keys.anon_key, who, "soft-pass-12");
  await r.auth.promote(id, who);
  await r.auth.settings(id, { require_passkey_for_project_admin: true });
  const { access_token: token } = (await login(keys.anon_key, who, "soft-pass-12")).body;
  const device = new SoftAuthenticator();

  const reg = await r.auth.createPasskeyRegistrationOptions(id, { accessToken: token, appOrigin: origin });
  const created = device.create(reg.options, origin);
  const record = await r.auth.verifyPasskeyRegistration(id, { accessToken: token, challengeId: reg.challenge_id, response: created, label: "Soft key" });
  assert.deepEqual([record.rp_id, record.created_origin, record.label, record.transports, record.last_used_at], ["app.example.com", origin, "Soft key", ["internal"], null]);
  // Registering for another origin than the challenge's fails.
  const reg2 = await r.auth.createPasskeyRegistrationOptions(id, { accessToken: token, appOrigin: origin });
  assert.deepEqual(reg2.options.excludeCredentials.map((c) => c.id), [created.id], "a known credential is excluded");
  const elsewhere = await rejectsKind(r.auth.verifyPasskeyRegistration(id, { accessToken: token, challengeId: reg2.challenge_id, response: device.create(reg2.options, "https://evil.example") }), "api_error");
  assert.equal(elsewhere.code, "PASSKEY_VERIFICATION_FAILED");

  // Sign in: an admin who must use a passkey gets the admin role from one.
  const opts = await r.auth.createPasskeyLoginOptions(id, { appOrigin: origin, email: who });
  assert.deepEqual(opts.options.allowCredentials.map((c) => c.id), [created.id]);
  const session = await r.auth.verifyPasskeyLogin(id, { challengeId: opts.challenge_id, response: device.get(opts.options, origin) });
  assert.equal(session.user.email, who);
  assert.equal(session.elevation_required, undefined);
  assert.equal(JSON.parse(Buffer.from(session.access_token.split(".")[1], "base64url")).app_role, "project_admin");
  const used = (await r.auth.listPasskeys(id, { accessToken: session.access_token })).passkeys[0];
  assert.deepEqual([used.last_used_origin, typeof used.last_used_at], [origin, "string"]);

  const refusal = async (change, kind = "unauthorized") => {
    const o = await r.auth.createPasskeyLoginOptions(id, { appOrigin: origin });
    return (await rejectsKind(r.auth.verifyPasskeyLogin(id, { challengeId: o.challenge_id, response: change(o.options) }), kind)).code;
  };
  // A counter that goes back is a cloned key; a signature for another RP or origin is not this site's.
  assert.equal(await refusal((o) => device.get(o, origin, { counter: 1 })), "PASSKEY_VERIFICATION_FAILED");
  assert.equal(await refusal((o) => device.get(o, "https://evil.example")), "PASSKEY_VERIFICATION_FAILED");
  assert.equal(await refusal((o) => device.get(o, origin, { rpId: "evil.example" })), "PASSKEY_VERIFICATION_FAILED");
  assert.equal(await refusal((o) => { const a = device.get(o, origin); a.response.signature = a.response.signature.slice(0, -4) + "AAAA"; return a; }), "PASSKEY_VERIFICATION_FAILED");
  // Still fine afterwards with the right counter; a challenge is good once.
  const again = await r.auth.createPasskeyLoginOptions(id, { appOrigin: origin });
  const assertion = device.get(again.options, origin, { counter: 50 });
  assert.ok((await r.auth.verifyPasskeyLogin(id, { challengeId: again.challenge_id, response: assertion })).access_token);
  const spent = await rejectsKind(r.auth.verifyPasskeyLogin(id, { challengeId: again.challenge_id, response: assertion }), "api_error");
  assert.equal(spent.code, "INVALID_CHALLENGE");
  // Challenges belong to their project: another project's key cannot use this one's.
  const other = await project();
  const foreign = await r.auth.createPasskeyLoginOptions(id, { appOrigin: origin });
  const cross = await rejectsKind(other.r.auth.verifyPasskeyLogin(other.id, { challengeId: foreign.challenge_id, response: device.get(foreign.options, origin) }), "api_error");
  assert.equal(cross.code, "INVALID_CHALLENGE");
  const otherOpts = await other.r.auth.createPasskeyLoginOptions(other.id, { appOrigin: origin });
  assert.equal((await rejectsKind(other.r.auth.verifyPasskeyLogin(other.id, { challengeId: otherOpts.challenge_id, response: device.get(otherOpts.options, origin, { id: created.id }) }), "unauthorized")).code, "PASSKEY_NOT_FOUND");

  await r.auth.deletePasskey(id, { accessToken: token, passkeyId: record.id });
  assert.equal(await refusal((o) => device.get(o, origin, { id: created.id })), "PASSKEY_NOT_FOUND");
});

test("expiry on the project's auth clock: access tokens after 1 h, magic links after 15 min, refresh tokens after 30 days", async () => {
  const { r, id, keys } = await project();
  const advance = (seconds) => fetch(`${base}/__sim/auth/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ project_id: id, advance_seconds: seconds }) });
  const who = email("clock");
  await signup(keys.anon_key, who, "clock-pass-1");
  const session = (await login(keys.anon_key, who, "clock-pass-1")).body;
  await r.auth.requestMagicLink(id, { email: who, redirectUrl: APP });
  const [link] = await outbox(id, who);
  await r.auth.requestMagicLink(id, { email: who, redirectUrl: APP });
  const late = (await outbox(id, who))[1];

  await advance(14 * 60);
  assert.equal((await r.auth.verifyMagicLink(id, link.token)).user.email, who, "good for 15 minutes");
  assert.equal((await me(session.access_token)).status, 200);
  await advance(2 * 60);
  const expired = await rejectsKind(r.auth.verifyMagicLink(id, late.token), "unauthorized");
  assert.equal(expired.code, "MAGIC_LINK_EXPIRED");
  await advance(45 * 60);
  assert.equal((await me(session.access_token)).status, 401, "an hour has passed");
  const denied = await rejectsKind(r.auth.listPasskeys(id, { accessToken: session.access_token }), "unauthorized");
  assert.equal(denied.code, "INVALID_ACCESS_TOKEN");
  const renewed = await raw("POST", "/auth/v1/token?grant_type=refresh_token", { apikey: keys.anon_key, body: { refresh_token: session.refresh_token } });
  assert.equal(renewed.status, 200);
  assert.equal((await me(renewed.body.access_token)).status, 200, "a refreshed token is good on the same clock");
  await advance(31 * 24 * 3600);
  const stale = await raw("POST", "/auth/v1/token?grant_type=refresh_token", { apikey: keys.anon_key, body: { refresh_token: renewed.body.refresh_token } });
  assert.deepEqual([stale.status, stale.body.code], [401, "REFRESH_TOKEN_EXPIRED"]);
});

test("the gateway's refusals on sign-up and login: no apikey, bad input, unknown fields", async () => {
  const { keys } = await project();
  const noKey = await raw("POST", "/auth/v1/signup", { body: { email: email(), password: "long-enough-1" } });
  assert.deepEqual([noKey.status, noKey.body.code], [401, "MISSING_API_KEY"]);
  assert.equal((await signup(keys.anon_key, "not-an-email", "long-enough-1")).body.code, "INVALID_EMAIL");
  assert.equal((await signup(keys.anon_key, email(), "short")).body.code, "WEAK_PASSWORD");
  const extra = await raw("POST", "/auth/v1/signup", { apikey: keys.anon_key, body: { email: email(), password: "long-enough-1", role: "admin" } });
  assert.deepEqual([extra.status, extra.body.code], [400, "UNKNOWN_FIELD"]);
  const who = email("case");
  await signup(keys.anon_key, who.toUpperCase(), "long-enough-1");
  assert.equal((await login(keys.anon_key, who, "long-enough-1")).status, 200, "emails compare case-insensitively");
  assert.equal((await login(keys.anon_key, email("nobody"), "long-enough-1")).body.code, "INVALID_CREDENTIALS", "an unknown user looks like a wrong password");
  const noRefresh = await raw("POST", "/auth/v1/token?grant_type=refresh_token", { apikey: keys.anon_key, body: { refresh_token: "r402rt_forged" } });
  assert.deepEqual([noRefresh.status, noRefresh.body.code], [401, "INVALID_REFRESH_TOKEN"]);
  const clock = await fetch(`${base}/__sim/auth/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ project_id: "prj_nope", advance_seconds: 1 }) });
  assert.equal(clock.status, 404);
});
