// /auth/v1/*: a project's end users (contract §1.12, seed 003 "User Auth").
// The apikey header names the project (its anon or service key); user calls
// carry the user's access token as the bearer (or as the apikey, as seed 003
// allows). Magic links and invites go to an outbox that tests read through
// GET /__sim/auth/outbox; POST /__sim/auth/clock moves their expiry clock. The RLS templates of seed 003 are applied by
// POST /admin/v1/projects/:id/rls, as expose-manifest entries.

import { bearerToken, requireApiKey, requireServiceKey } from "../auth.mjs";
import { withSession } from "../db.mjs";
import { applyManifest } from "../expose-apply.mjs";
import { validateManifest } from "../expose-validate.mjs";
import { HttpError, empty, expectNoBody, fail, json, jsonObjectBody, requireString } from "../http-util.mjs";
import { schemaShape } from "../introspect.mjs";
import { verifyKey } from "../keys.mjs";
import * as passkeys from "../passkeys.mjs";
import {
  SIGNUP_POLICIES, SIGN_IN_METHODS, authNow, authStore, checkNewPassword, emailField, ensureUser, hashPassword, issueSession,
  newMagicLinkToken, passwordMatches, publicUser, refreshSession, revokeSession, settingsOf, verifyAccessToken,
} from "../users.mjs";

const MAGIC_LINK_TTL_MS = 15 * 60 * 1000;
const INTENTS = ["signin", "invite", "claim", "recovery"];
const MAX_CLIENT_STATE = 4096;

/** The project the apikey names, and whether the caller holds its service key. */
function keyCaller(ctx) {
  const { project, role } = requireApiKey(ctx);
  return { project, service: role === "service_role" };
}

function requireAdmin(ctx) {
  const caller = keyCaller(ctx);
  if (!caller.service) fail(403, "forbidden", "This endpoint requires the project's service_key as the bearer.", "SERVICE_KEY_REQUIRED");
  return caller.project;
}

/**
 * The signed-in user: an access token as the bearer (or as the apikey). An
 * apikey that is a project key must be that project's.
 */
export async function requireUser(ctx) {
  const apikey = ctx.headers.apikey;
  const token = bearerToken(ctx) ?? apikey;
  if (token === undefined || token === "") fail(401, "unauthorized", "Missing Authorization: Bearer <access_token>.", "MISSING_ACCESS_TOKEN");
  if (verifyKey(token)) fail(401, "unauthorized", "This endpoint needs a user's access token, not a project key.", "ACCESS_TOKEN_REQUIRED");
  const session = await verifyAccessToken(ctx.state, token);
  if (!session) fail(401, "unauthorized", "The access token is not valid (or has expired, or its session was signed out).", "INVALID_ACCESS_TOKEN");
  const key = apikey && apikey !== token ? verifyKey(apikey) : null;
  if (apikey && apikey !== token && (!key || key.project_id !== session.project.id)) {
    fail(401, "unauthorized", "The apikey does not belong to the access token's project.", "KEY_PROJECT_MISMATCH");
  }
  return session;
}

function optionalString(body, field, max = 2048) {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length > max) {
    fail(400, "invalid_field", `Field "${field}" must be a string of at most ${max} characters.`, "INVALID_FIELD", { details: { field } });
  }
  return value;
}

function httpUrl(body, field, { optional = false } = {}) {
  const value = body[field];
  if (value === undefined && optional) return null;
  if (typeof value !== "string" || !URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    fail(400, "invalid_field", `Field "${field}" must be an http(s) URL.`, "INVALID_FIELD", { details: { field } });
  }
  return value;
}

function optionalBoolean(body, field) {
  const value = body[field];
  if (value !== undefined && typeof value !== "boolean") {
    fail(400, "invalid_field", `Field "${field}" must be a boolean.`, "INVALID_FIELD", { details: { field } });
  }
  return value;
}

// ── signup, tokens, the current user ──

async function signup(ctx) {
  const { project } = keyCaller(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["email", "password"] });
  const email = emailField(body);
  checkNewPassword(body.password, "password");
  const policy = settingsOf(ctx.state, project).public_signup;
  const existing = project.users.get(email);
  if (policy === "invite_only") fail(403, "signup_disabled", "This project does not allow sign-up; users are invited.", "SIGNUP_DISABLED");
  if (policy === "known_email" && !existing) {
    fail(403, "signup_not_allowed", "This project only lets emails it already knows sign up.", "SIGNUP_NOT_ALLOWED");
  }
  if (existing?.passwordHash) fail(409, "user_exists", "A user with this email already exists.", "USER_EXISTS");
  const { user } = ensureUser(project, email);
  user.passwordHash = await hashPassword(body.password);
  return json(201, { id: user.id, email: user.email, created_at: user.created_at });
}

async function passwordGrant(ctx, project) {
  const body = jsonObjectBody(ctx, { allowed: ["email", "password"] });
  const email = emailField(body);
  const user = project.users.get(email);
  if (!user || !(await passwordMatches(user, body.password))) {
    fail(400, "invalid_grant", "Invalid login credentials.", "INVALID_CREDENTIALS");
  }
  return json(200, await issueSession(ctx.state, project, user, "password"));
}

async function magicLinkGrant(ctx, project) {
  const body = jsonObjectBody(ctx, { allowed: ["token"] });
  const token = requireString(body, "token");
  const links = authStore(ctx.state).magicLinks;
  const link = links.get(token);
  if (!link || link.projectId !== project.id) fail(401, "invalid_grant", "The magic link is not valid.", "INVALID_MAGIC_LINK");
  links.delete(token); // one-time, whatever happens next
  if (link.expiresAt < authNow(ctx.state, project.id)) fail(401, "invalid_grant", "The magic link has expired.", "MAGIC_LINK_EXPIRED");
  const { user } = ensureUser(project, link.email);
  user.email_verified_at ??= new Date().toISOString();
  const magic_link = {
    intent: link.intent,
    client_state: link.clientState,
    state_source: link.stateSource,
    state_trusted: link.stateSource === "service_key",
  };
  return json(200, await issueSession(ctx.state, project, user, "magic_link", { magic_link }));
}

async function token(ctx) {
  const { project } = keyCaller(ctx);
  const grant = ctx.url.searchParams.get("grant_type") ?? "password";
  if (grant === "password") return passwordGrant(ctx, project);
  if (grant === "magic_link") return magicLinkGrant(ctx, project);
  if (grant === "refresh_token") {
    const body = jsonObjectBody(ctx, { allowed: ["refresh_token"] });
    return json(200, await refreshSession(ctx.state, project, requireString(body, "refresh_token")));
  }
  fail(400, "unsupported_grant_type", `grant_type must be password, refresh_token or magic_link, not "${grant}".`, "UNSUPPORTED_GRANT_TYPE");
}

async function currentUser(ctx) {
  const { user } = await requireUser(ctx);
  return json(200, publicUser(user));
}

async function logout(ctx) {
  const { sid } = await requireUser(ctx);
  expectNoBody(ctx);
  revokeSession(ctx.state, sid);
  return empty(204);
}

async function setPassword(ctx) {
  const { project, user, method } = await requireUser(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["new_password", "current_password"] });
  if (!settingsOf(ctx.state, project).allow_password_set) {
    fail(403, "password_set_disabled", "This project does not let users set passwords.", "PASSWORD_SET_DISABLED");
  }
  checkNewPassword(body.new_password, "new_password");
  // A change needs the old password, except in a session a magic link opened (a reset).
  if (user.passwordHash !== null && method !== "magic_link") {
    if (body.current_password === undefined) {
      fail(400, "current_password_required", "Changing a password needs current_password.", "CURRENT_PASSWORD_REQUIRED");
    }
    if (!(await passwordMatches(user, body.current_password))) {
      fail(403, "invalid_current_password", "current_password is wrong.", "INVALID_CURRENT_PASSWORD");
    }
  }
  user.passwordHash = await hashPassword(body.new_password);
  return json(200, { status: "ok", user: { id: user.id, email: user.email } });
}

// ── magic links and invites ──

function sendLink(ctx, project, { email, redirectUrl, intent, clientState, stateSource }) {
  const store = authStore(ctx.state);
  const token = newMagicLinkToken();
  const expiresAt = authNow(ctx.state, project.id) + MAGIC_LINK_TTL_MS;
  store.magicLinks.set(token, { projectId: project.id, email, intent, clientState, stateSource, expiresAt });
  const url = new URL(redirectUrl);
  url.searchParams.set("token", token);
  store.outbox.push({
    project_id: project.id,
    to: email,
    intent,
    token,
    url: url.href,
    client_state: clientState,
    state_source: stateSource,
    sent_at: new Date().toISOString(),
    expires_at: new Date(expiresAt).toISOString(),
  });
}

/** Sign-in links go only to addresses the sign-up policy lets in; the answer is the same either way. */
function magicLink(ctx) {
  const { project, service } = keyCaller(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["email", "redirect_url", "intent", "client_state"] });
  const email = emailField(body);
  const redirectUrl = httpUrl(body, "redirect_url");
  const intent = body.intent ?? "signin";
  if (!INTENTS.includes(intent)) fail(400, "invalid_field", `Field "intent" must be one of ${INTENTS.join(", ")}.`, "INVALID_FIELD", { details: { field: "intent" } });
  const clientState = optionalString(body, "client_state", MAX_CLIENT_STATE);
  if (intent === "invite" && !service) {
    fail(403, "forbidden", "Invites need the project's service_key as the bearer.", "SERVICE_KEY_REQUIRED");
  }
  const known = project.users.has(email);
  const policy = settingsOf(ctx.state, project).public_signup;
  if (intent === "invite") ensureUser(project, email);
  if (intent === "invite" || known || policy === "open") {
    sendLink(ctx, project, { email, redirectUrl, intent, clientState, stateSource: service ? "service_key" : "anonymous" });
  }
  return json(200, { status: "ok", message: "If this address may sign in, a link is on its way." });
}

// ── project admin ──

function normalizeDomains(value) {
  if (!Array.isArray(value) || !value.every((d) => typeof d === "string")) {
    fail(400, "invalid_field", 'Field "allowed_email_domains" must be an array of strings.', "INVALID_FIELD", { details: { field: "allowed_email_domains" } });
  }
  const out = [];
  for (const raw of value) {
    const domain = raw.trim().toLowerCase().replace(/^@/, "");
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain)) {
      fail(400, "invalid_field", `"${raw}" is not an email domain.`, "INVALID_FIELD", { details: { field: "allowed_email_domains" } });
    }
    if (!out.includes(domain)) out.push(domain);
  }
  return out;
}

function settings(ctx) {
  const project = requireAdmin(ctx);
  const body = jsonObjectBody(ctx, {
    allowed: ["allow_password_set", "preferred_sign_in_method", "public_signup", "require_passkey_for_project_admin", "allowed_email_domains"],
  });
  const next = { ...settingsOf(ctx.state, project) };
  for (const field of ["allow_password_set", "require_passkey_for_project_admin"]) {
    if (optionalBoolean(body, field) !== undefined) next[field] = body[field];
  }
  if (body.preferred_sign_in_method !== undefined) {
    if (body.preferred_sign_in_method !== null && !SIGN_IN_METHODS.includes(body.preferred_sign_in_method)) {
      fail(400, "invalid_field", `Field "preferred_sign_in_method" must be one of ${SIGN_IN_METHODS.join(", ")} or null.`, "INVALID_FIELD", { details: { field: "preferred_sign_in_method" } });
    }
    next.preferred_sign_in_method = body.preferred_sign_in_method;
  }
  if (body.public_signup !== undefined) {
    if (!SIGNUP_POLICIES.includes(body.public_signup)) {
      fail(400, "invalid_field", `Field "public_signup" must be one of ${SIGNUP_POLICIES.join(", ")}.`, "INVALID_FIELD", { details: { field: "public_signup" } });
    }
    next.public_signup = body.public_signup;
  }
  if (body.allowed_email_domains !== undefined) next.allowed_email_domains = normalizeDomains(body.allowed_email_domains);
  Object.assign(settingsOf(ctx.state, project), next);
  return json(200, next);
}

function createUser(ctx) {
  const project = requireAdmin(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["email", "is_admin", "send_invite", "redirect_url", "client_state"] });
  const email = emailField(body);
  const isAdmin = optionalBoolean(body, "is_admin");
  const invite = optionalBoolean(body, "send_invite") === true;
  const redirectUrl = httpUrl(body, "redirect_url", { optional: true });
  const clientState = optionalString(body, "client_state", MAX_CLIENT_STATE);
  if (invite && redirectUrl === null) fail(400, "missing_field", "send_invite needs redirect_url (where the invite link points).", "MISSING_FIELD", { details: { field: "redirect_url" } });
  const { user, created } = ensureUser(project, email, { isAdmin });
  if (invite) sendLink(ctx, project, { email, redirectUrl, intent: "invite", clientState, stateSource: "service_key" });
  return json(created ? 201 : 200, {
    id: user.id,
    email: user.email,
    is_admin: user.is_admin,
    email_verified_at: user.email_verified_at,
    created,
    invite_sent: invite,
  });
}

function providers(ctx) {
  const { project } = keyCaller(ctx);
  const s = settingsOf(ctx.state, project);
  return json(200, {
    providers: [
      { id: "password", enabled: true, can_set_password: s.allow_password_set },
      { id: "magic_link", enabled: true },
      { id: "passkey", enabled: true },
      { id: "oauth_google", enabled: false },
    ],
    preferred_sign_in_method: s.preferred_sign_in_method,
    public_signup: s.public_signup,
  });
}

// ── seed 003's RLS templates ──

const RLS_TEMPLATES = {
  user_owns_rows: "user_owns_rows",
  public_read: "public_read_authenticated_write",
  public_read_write: "public_read_write_UNRESTRICTED",
};

/**
 * `{template, tables: [{table, owner_column?}]}` becomes the same tables'
 * entries in the project's expose manifest (other tables keep theirs), so
 * there is one mechanism for policies, and the manifest shows them.
 */
async function rls(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const body = jsonObjectBody(ctx, { allowed: ["template", "tables"] });
  const policy = RLS_TEMPLATES[body.template];
  if (!policy) fail(400, "invalid_field", `Field "template" must be one of ${Object.keys(RLS_TEMPLATES).join(", ")}.`, "INVALID_FIELD", { details: { field: "template" } });
  if (!Array.isArray(body.tables) || body.tables.length === 0) fail(400, "invalid_field", 'Field "tables" must be a non-empty array.', "INVALID_FIELD", { details: { field: "tables" } });
  const entries = body.tables.map((t) => {
    if (t === null || typeof t !== "object" || typeof t.table !== "string") fail(400, "invalid_field", 'Each entry of "tables" needs "table".', "INVALID_FIELD", { details: { field: "tables" } });
    const entry = { name: t.table, expose: true, policy };
    if (t.owner_column !== undefined) entry.owner_column = t.owner_column;
    if (policy === "public_read_write_UNRESTRICTED") entry.i_understand_this_is_unrestricted = true;
    return entry;
  });
  const names = new Set(entries.map((e) => e.name));
  const previous = project.expose ?? { version: "1", tables: [], views: [], rpcs: [] };
  const manifest = { ...previous, tables: [...(previous.tables ?? []).filter((t) => !names.has(t.name)), ...entries] };
  await withSession(async (db) => {
    const shape = await schemaShape(db, project.schema);
    const result = validateManifest(manifest, shape, project.schema);
    if (result.hasErrors) {
      throw new HttpError(400, { error: "invalid_rls", message: result.errors[0].detail, code: "INVALID_RLS", errors: result.errors });
    }
    await applyManifest(db, project, manifest, shape);
  });
  return json(200, { status: "ok", template: body.template, tables: [...names] });
}

// ── the test's view: the outbox, and the auth clock ──

/** POST {project_id, advance_seconds} moves a project's auth clock forward: its tokens, links and challenges expire by it. */
function clock(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["project_id", "advance_seconds"] });
  const projectId = requireString(body, "project_id");
  if (!ctx.state.projects.has(projectId)) fail(404, "project_not_found", "No such project.", "PROJECT_NOT_FOUND");
  const step = body.advance_seconds;
  if (!Number.isFinite(step) || step < 0) fail(400, "invalid_field", '"advance_seconds" must be a number of seconds, 0 or more.', "INVALID_FIELD");
  const offsets = authStore(ctx.state).clockOffsets;
  offsets.set(projectId, (offsets.get(projectId) ?? 0) + step * 1000);
  return json(200, { project_id: projectId, offset_seconds: offsets.get(projectId) / 1000, now: new Date(authNow(ctx.state, projectId)).toISOString() });
}

function outbox(ctx) {
  const projectId = ctx.url.searchParams.get("project_id");
  const to = ctx.url.searchParams.get("to")?.toLowerCase();
  const messages = authStore(ctx.state).outbox.filter((m) => (!projectId || m.project_id === projectId) && (!to || m.to === to));
  return json(200, { messages });
}

export function register(router) {
  router.add("POST", "/auth/v1/signup", signup);
  router.add("POST", "/auth/v1/token", token);
  router.add("GET", "/auth/v1/user", currentUser);
  router.add("POST", "/auth/v1/logout", logout);
  router.add("PUT", "/auth/v1/user/password", setPassword);
  router.add("POST", "/auth/v1/magic-link", magicLink);
  router.add("PATCH", "/auth/v1/settings", settings);
  router.add("POST", "/auth/v1/admin/users", createUser);
  router.add("GET", "/auth/v1/providers", providers);
  router.add("POST", "/auth/v1/passkeys/register/options", async (ctx) => passkeys.registrationOptions(ctx, await requireUser(ctx)));
  router.add("POST", "/auth/v1/passkeys/register/verify", async (ctx) => passkeys.verifyRegistration(ctx, await requireUser(ctx)));
  router.add("POST", "/auth/v1/passkeys/login/options", (ctx) => passkeys.loginOptions(ctx, keyCaller(ctx).project));
  router.add("POST", "/auth/v1/passkeys/login/verify", (ctx) => passkeys.verifyLogin(ctx, keyCaller(ctx).project));
  router.add("GET", "/auth/v1/passkeys", async (ctx) => passkeys.list(ctx, await requireUser(ctx)));
  router.add("DELETE", "/auth/v1/passkeys/:passkeyId", async (ctx) => passkeys.remove(ctx, await requireUser(ctx)));
  router.add("POST", "/admin/v1/projects/:id/rls", rls);
}

export function registerControl(router) {
  router.add("GET", "/__sim/auth/outbox", outbox);
  router.add("POST", "/__sim/auth/clock", clock);
}
