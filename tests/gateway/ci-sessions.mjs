// CI state per simulator, kept here rather than in state.mjs: bindings (by
// id), binding nonces ever used, the CI sessions token exchange handed out,
// and the local OIDC issuer. A CI session is a bearer token that stands for
// one binding of one project; `ciSession()` is how a route that CI may use
// accepts it.

import { createIssuer } from "./oidc.mjs";
import { fail } from "./http-util.mjs";

export const CI_SESSION_PREFIX = "r402ci_";
export const CI_SESSION_SECONDS = 15 * 60;

const perState = new WeakMap();

export function ciState(state) {
  let ci = perState.get(state);
  if (!ci) {
    ci = { bindings: new Map(), nonces: new Set(), sessions: new Map(), issuer: createIssuer() };
    perState.set(state, ci);
  }
  return ci;
}

/** Whether a binding can be used now: not revoked, not past its expiry. */
export function bindingLive(binding, now = Date.now()) {
  return binding.revoked_at === null && (binding.expires_at === null || Date.parse(binding.expires_at) > now);
}

/** Whether `token` looks like a CI session (so key checks can say so instead of "invalid key"). */
export function isCiSessionToken(token) {
  return typeof token === "string" && token.startsWith(CI_SESSION_PREFIX);
}

/**
 * The CI session in `Authorization: Bearer`, for project `projectId`:
 * `{ session, binding }`, or the gateway's 401/403. A session dies with its
 * binding (revoked or expired) and after CI_SESSION_SECONDS.
 */
export function ciSession(ctx, projectId) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.headers.authorization ?? "");
  const token = match?.[1];
  if (!isCiSessionToken(token)) fail(401, "invalid_token", "This route needs a CI session: Authorization: Bearer <access_token from /ci/v1/token-exchange>.", "invalid_token");
  const ci = ciState(ctx.state);
  const session = ci.sessions.get(token);
  if (!session || session.expiresAt <= Date.now()) fail(401, "invalid_token", "The CI session is unknown or has expired.", "invalid_token");
  const binding = ci.bindings.get(session.bindingId);
  if (!binding || !bindingLive(binding)) fail(403, "access_denied", "The CI binding behind this session was revoked or has expired.", "access_denied");
  if (binding.project_id !== projectId) {
    fail(403, "insufficient_scope", `This CI session may deploy to ${binding.project_id} only.`, "insufficient_scope");
  }
  return { session, binding };
}

/**
 * For routes a CI session may not use: a CI bearer gets the gateway's
 * `insufficient_scope` rather than a confusing "not a valid key".
 */
export function refuseCiSession(token) {
  if (isCiSessionToken(token)) {
    fail(403, "insufficient_scope", "CI sessions may only deploy; this route needs the project's keys or the owner's wallet.", "insufficient_scope");
  }
}
