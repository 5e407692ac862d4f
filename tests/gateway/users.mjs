// A project's end users and their sessions: records in `project.users`
// (email → user, shared with the admin promote/demote routes), password
// hashes (bcryptjs), per-project auth settings, and real tokens: HS256
// access tokens (jose, 1 h, a secret per simulator) that name the user in
// `sub`, and opaque one-time refresh tokens (30 d). A session is revoked as
// a whole on logout, so its access tokens stop working at once too.

import { randomBytes, randomUUID } from "node:crypto";
import bcrypt from "bcryptjs";
import { SignJWT, decodeJwt, jwtVerify } from "jose";

import { fail } from "./http-util.mjs";

const ISSUER = "run402-sim-auth";
export const ACCESS_TTL_SECONDS = 3600;
const REFRESH_TTL_MS = 30 * 24 * 3600 * 1000;
// Low on purpose: the simulator hashes for real but should not spend the
// test machine's CPU on it.
const BCRYPT_COST = 8;

export const SIGN_IN_METHODS = ["password", "magic_link", "oauth_google", "passkey"];
export const SIGNUP_POLICIES = ["open", "known_email", "invite_only"];

const stores = new WeakMap();

/** What one simulator keeps for auth (created on first use, so state.mjs stays as it is). */
export function authStore(state) {
  let store = stores.get(state);
  if (!store) {
    store = {
      secret: randomBytes(32),
      settings: new Map(), // project_id → settings
      sessions: new Map(), // sid → {projectId, userId, method, revoked}
      refreshTokens: new Map(), // token → {sid, expiresAt, used}
      magicLinks: new Map(), // token → {projectId, email, intent, clientState, stateSource, expiresAt}
      challenges: new Map(), // challenge_id → WebAuthn ceremony (passkeys.mjs)
      outbox: [], // emails the gateway "sent": magic links and invites
      clockOffsets: new Map(), // project_id → ms moved forward by POST /__sim/auth/clock, so a test can outlive a token
    };
    stores.set(state, store);
  }
  return store;
}

/**
 * A project's auth clock (ms): real time plus what a test advanced it by.
 * Every expiry of its tokens, links and challenges reads it. Per project, so
 * one test's time travel cannot expire another's sessions.
 */
export function authNow(state, projectId) {
  return Date.now() + (authStore(state).clockOffsets.get(projectId) ?? 0);
}

export function settingsOf(state, project) {
  const all = authStore(state).settings;
  if (!all.has(project.id)) {
    all.set(project.id, {
      allow_password_set: true,
      preferred_sign_in_method: null,
      public_signup: "open",
      require_passkey_for_project_admin: false,
      allowed_email_domains: [],
    });
  }
  return all.get(project.id);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A lower-cased email from body[field], or a 400. */
export function emailField(body, field = "email") {
  const value = body[field];
  if (typeof value !== "string" || !EMAIL.test(value.trim())) {
    fail(400, "invalid_email", `Field "${field}" must be an email address.`, "INVALID_EMAIL", { details: { field } });
  }
  return value.trim().toLowerCase();
}

/** The user with this email, created (without a password) if there is none. */
export function ensureUser(project, email, { isAdmin } = {}) {
  let user = project.users.get(email);
  const created = !user;
  if (!user) {
    user = { id: randomUUID(), email, is_admin: false, passwordHash: null, email_verified_at: null, created_at: new Date().toISOString(), passkeys: [] };
    project.users.set(email, user);
  }
  if (typeof isAdmin === "boolean") user.is_admin = isAdmin;
  return { user, created };
}

export function userById(project, id) {
  for (const user of project.users.values()) if (user.id === id) return user;
  return null;
}

/** The user as `/auth/v1/user` and signup show it (never the hash). */
export function publicUser(user) {
  return {
    id: user.id,
    email: user.email,
    is_admin: user.is_admin,
    email_verified_at: user.email_verified_at,
    created_at: user.created_at,
    has_password: user.passwordHash !== null,
  };
}

export function hashPassword(password) {
  return bcrypt.hash(password, BCRYPT_COST);
}

export async function passwordMatches(user, password) {
  return user.passwordHash !== null && typeof password === "string" && bcrypt.compare(password, user.passwordHash);
}

export function checkNewPassword(password, field) {
  if (typeof password !== "string" || password.length < 8 || password.length > 72) {
    fail(400, "weak_password", `Field "${field}" must be a password of 8 to 72 characters.`, "WEAK_PASSWORD", { details: { field } });
  }
}

function opaque(prefix) {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

async function accessToken(state, store, project, user, sid, method, role) {
  const iat = Math.floor(authNow(state, project.id) / 1000);
  return new SignJWT({ role: "authenticated", email: user.email, project_id: project.id, sid, amr: method, app_role: role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(project.id)
    .setSubject(user.id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ACCESS_TTL_SECONDS)
    .sign(store.secret);
}

/**
 * A new session for `user`, signed in by `method`. An admin of a project
 * that requires a passkey for admins, signed in some other way, gets a plain
 * user's session and is told so (the elevation fields).
 */
export async function issueSession(state, project, user, method, extra = {}) {
  const store = authStore(state);
  const sid = randomUUID();
  const needsPasskey = user.is_admin && settingsOf(state, project).require_passkey_for_project_admin && method !== "passkey";
  const role = user.is_admin && !needsPasskey ? "project_admin" : "user";
  store.sessions.set(sid, { projectId: project.id, userId: user.id, method, role, revoked: false });
  return sessionBody(state, project, user, sid, method, role, { ...extra, ...(needsPasskey ? elevation() : {}) });
}

function elevation() {
  return { elevation_required: true, required_method: "passkey", effective_role: "authenticated", intended_role: "project_admin" };
}

async function sessionBody(state, project, user, sid, method, role, extra) {
  const store = authStore(state);
  const refresh = opaque("r402rt_");
  store.refreshTokens.set(refresh, { sid, expiresAt: authNow(state, project.id) + REFRESH_TTL_MS, used: false });
  return {
    access_token: await accessToken(state, store, project, user, sid, method, role),
    token_type: "bearer",
    expires_in: ACCESS_TTL_SECONDS,
    refresh_token: refresh,
    user: { id: user.id, email: user.email },
    ...extra,
  };
}

/** Trades a refresh token (once) for new tokens in the same session. */
export async function refreshSession(state, project, token) {
  const store = authStore(state);
  const entry = typeof token === "string" ? store.refreshTokens.get(token) : undefined;
  const session = entry && store.sessions.get(entry.sid);
  if (!entry || !session || session.projectId !== project.id) {
    fail(401, "invalid_grant", "The refresh token is not valid.", "INVALID_REFRESH_TOKEN");
  }
  if (entry.used) fail(401, "invalid_grant", "The refresh token was already used; refresh tokens are one-time.", "REFRESH_TOKEN_REUSED");
  if (session.revoked) fail(401, "invalid_grant", "The session was signed out.", "SESSION_REVOKED");
  if (entry.expiresAt < authNow(state, project.id)) fail(401, "invalid_grant", "The refresh token has expired.", "REFRESH_TOKEN_EXPIRED");
  entry.used = true;
  const user = userById(project, session.userId);
  if (!user) fail(401, "invalid_grant", "The user no longer exists.", "USER_NOT_FOUND");
  return sessionBody(state, project, user, entry.sid, session.method, session.role, {});
}

/** Ends a session: its refresh tokens and access tokens stop working. */
export function revokeSession(state, sid) {
  const store = authStore(state);
  const session = store.sessions.get(sid);
  if (session) session.revoked = true;
  for (const [token, entry] of store.refreshTokens) if (entry.sid === sid) store.refreshTokens.delete(token);
}

/**
 * The live project, user and session an access token names, or null when
 * the token is not one this simulator signed, has expired, or its session,
 * user or project is gone.
 */
export async function verifyAccessToken(state, token) {
  if (typeof token !== "string" || token === "") return null;
  const store = authStore(state);
  let claims;
  try {
    // The unverified project only picks whose clock judges expiry; the signature check follows.
    const clock = new Date(authNow(state, decodeJwt(token).project_id));
    ({ payload: claims } = await jwtVerify(token, store.secret, { issuer: ISSUER, algorithms: ["HS256"], currentDate: clock }));
  } catch {
    return null;
  }
  const project = state.projects.get(claims.project_id);
  const session = store.sessions.get(claims.sid);
  if (!project || claims.aud !== project.id || !session || session.revoked || session.userId !== claims.sub) return null;
  const user = userById(project, claims.sub);
  if (!user) return null;
  return { project, user, sid: claims.sid, method: session.method, claims };
}

export function newMagicLinkToken() {
  return opaque("r402ml_");
}
