// Who is calling: project keys (service key on admin routes, apikey on REST)
// and wallets (SIGN-IN-WITH-X). Each helper throws the gateway's 401/403
// envelope instead of returning a partial identity.

import { fail } from "./http-util.mjs";
import { refuseCiSession } from "./ci-sessions.mjs";
import { verifyKey } from "./keys.mjs";
import { SiwxError, releaseNonce, verifySiwx } from "./siwx.mjs";
import { verifyAccessToken } from "./users.mjs";

export function bearerToken(ctx) {
  const header = ctx.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) fail(401, "unauthorized", "Authorization header must be 'Bearer <key>'.", "INVALID_AUTHORIZATION");
  return match[1];
}

/** Verifies a key and finds its live project, or throws 401. */
function projectForKey(ctx, token) {
  refuseCiSession(token);
  const claims = verifyKey(token);
  if (!claims) fail(401, "unauthorized", "The key is not valid.", "INVALID_KEY");
  const project = ctx.state.projects.get(claims.project_id);
  if (!project) fail(401, "unauthorized", "The key belongs to a project that no longer exists.", "INVALID_KEY");
  return { project, role: claims.role };
}

/** Admin routes: `Authorization: Bearer <service_key>` of exactly this project. */
export function requireServiceKey(ctx, projectId) {
  const token = bearerToken(ctx);
  if (token === undefined) {
    fail(401, "unauthorized", "Missing Authorization: Bearer <service_key>.", "MISSING_SERVICE_KEY");
  }
  const { project, role } = projectForKey(ctx, token);
  if (project.id !== projectId) {
    fail(403, "forbidden", `This key does not belong to project ${projectId}.`, "PROJECT_KEY_MISMATCH");
  }
  if (role !== "service_role") {
    fail(403, "forbidden", "This endpoint requires the project's service_key, not its anon_key.", "SERVICE_KEY_REQUIRED");
  }
  return project;
}

/**
 * Routes without a project in the path (`/ai/v1/*`): the service key names
 * the project, and an anon key is refused.
 */
export function projectFromServiceKey(ctx) {
  const token = bearerToken(ctx);
  if (token === undefined) {
    fail(401, "unauthorized", "Missing Authorization: Bearer <service_key>.", "MISSING_SERVICE_KEY");
  }
  const { project, role } = projectForKey(ctx, token);
  if (role !== "service_role") {
    fail(403, "forbidden", "This endpoint requires the project's service_key, not its anon_key.", "SERVICE_KEY_REQUIRED");
  }
  return project;
}

/**
 * REST: the `apikey` header picks the project; an Authorization bearer, when
 * sent, must be a key of the same project and sets the role.
 */
export function requireApiKey(ctx) {
  const apikey = ctx.headers.apikey;
  if (apikey === undefined || apikey === "") {
    fail(401, "unauthorized", "Missing apikey header.", "MISSING_API_KEY", { hint: "Send apikey: <anon_key or service_key>." });
  }
  const fromApikey = projectForKey(ctx, apikey);
  const token = bearerToken(ctx);
  if (token === undefined || token === apikey) return fromApikey;
  const fromBearer = projectForKey(ctx, token);
  if (fromBearer.project.id !== fromApikey.project.id) {
    fail(401, "unauthorized", "The apikey and Authorization bearer belong to different projects.", "KEY_PROJECT_MISMATCH");
  }
  return fromBearer;
}

/** A project key, or else a user's access token (which runs as `authenticated`). */
async function restCallerFor(ctx, token) {
  if (verifyKey(token)) return projectForKey(ctx, token);
  const session = await verifyAccessToken(ctx.state, token);
  if (!session) fail(401, "unauthorized", "The key or access token is not valid (or has expired).", "INVALID_KEY");
  return { project: session.project, role: "authenticated", user: session.user };
}

/**
 * REST as requireApiKey, except that either header may also carry a user's
 * access token (seed 003: "use access_token as apikey"): the caller is then
 * `authenticated`, and `user` is whose rows RLS lets it see.
 */
export async function requireRestCaller(ctx) {
  const apikey = ctx.headers.apikey;
  if (apikey === undefined || apikey === "") {
    fail(401, "unauthorized", "Missing apikey header.", "MISSING_API_KEY", { hint: "Send apikey: <anon_key, service_key or access_token>." });
  }
  const fromApikey = await restCallerFor(ctx, apikey);
  const token = bearerToken(ctx);
  if (token === undefined || token === apikey) return fromApikey;
  const fromBearer = await restCallerFor(ctx, token);
  if (fromBearer.project.id !== fromApikey.project.id) {
    fail(401, "unauthorized", "The apikey and Authorization bearer belong to different projects.", "KEY_PROJECT_MISMATCH");
  }
  return fromBearer;
}

/**
 * The wallet proven by SIGN-IN-WITH-X, lower-cased, or null when the header is
 * absent and not `required`. A header that is present but invalid is a 401.
 */
export async function walletFromSiwx(ctx, { required }) {
  const value = ctx.headers["sign-in-with-x"];
  if (value === undefined) {
    if (!required) return null;
    refuseCiSession(/^Bearer\s+(\S+)/i.exec(ctx.headers.authorization ?? "")?.[1]);
    fail(401, "unauthorized", "This endpoint requires a SIGN-IN-WITH-X header.", "SIWX_REQUIRED", {
      hint: "Sign an EIP-4361 message for this request URL with your wallet.",
    });
  }
  try {
    const { address, nonce } = await verifySiwx(value, {
      domain: new URL(ctx.baseUrl).hostname,
      uri: ctx.baseUrl + ctx.rawUrl,
      nonces: ctx.state.siwxNonces,
    });
    ctx.siwxNonce = nonce;
    return address.toLowerCase();
  } catch (err) {
    if (err instanceof SiwxError) fail(401, "invalid_siwx", err.message, err.code);
    throw err;
  }
}

/**
 * Called with every answer. An x402 client answers a 402 by resending the
 * same request, sign-in header included, with a payment; so a 402 gives the
 * request's sign-in nonce back, and any other answer spends it for good.
 */
export function settleSignIn(ctx, reply) {
  if (reply.status === 402 && ctx.siwxNonce !== undefined) releaseNonce(ctx.state.siwxNonces, ctx.siwxNonce);
}
