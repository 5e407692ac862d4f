// GitHub Actions OIDC federation (wire contract §1.20): bindings a project's
// owner wallet signs, and the token exchange that turns a job's OIDC token
// into a CI session. /__sim/oidc/* plays GitHub: its JWKS, jobs whose
// request URL and token hand out ID tokens, and tokens minted directly.

import { randomBytes } from "node:crypto";
import { walletFromSiwx } from "../auth.mjs";
import { CI_AUDIENCE, CI_ISSUER, canonicalList, checkRouteScopes, delegationResourceUri, delegationStatement, subjectMatches } from "../ci-delegation.mjs";
import { CI_SESSION_PREFIX, CI_SESSION_SECONDS, bindingLive, ciState } from "../ci-sessions.mjs";
import { HttpError, expectNoBody, fail, json, jsonObjectBody, mediaType } from "../http-util.mjs";
import { SiwxError, verifySiwx } from "../siwx.mjs";

const PROVIDER = "github-actions";
const NONCE = /^[0-9a-f]{16,64}$/;
const MAX_DELEGATION_CHARS = 16 * 1024;
const BINDING_FIELDS = [
  "project_id", "provider", "subject_match", "allowed_actions", "allowed_events", "github_repository_id", "expires_at", "nonce",
  "signed_delegation", "route_scopes",
];
const GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";

/** The CI error envelope: the contract's code in both `error` and `code`. */
function refuse(status, code, message) {
  fail(status, code, message, code);
}

function stringOrNull(body, field) {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string" || v === "") refuse(400, "invalid_request", `${field} must be a non-empty string or null.`);
  return v;
}

/** The binding's canonical fields from a request body, or 400 invalid_request / invalid_route_scopes. */
function bindingFields(body) {
  if (body.provider !== PROVIDER) refuse(400, "invalid_request", `provider must be "${PROVIDER}".`);
  if (typeof body.project_id !== "string" || body.project_id === "") refuse(400, "invalid_request", "project_id is required.");
  const subject = body.subject_match;
  if (typeof subject !== "string" || subject === "" || subject.length > 256 || /[\x00-\x1f\x7f]/.test(subject)) {
    refuse(400, "invalid_request", "subject_match must be 1 to 256 printable characters.");
  }
  if (subject === "*" || (subject.includes("*") && subject.indexOf("*") !== subject.length - 1)) {
    refuse(400, "invalid_request", "subject_match may end with one * and contain no other.");
  }
  const actions = body.allowed_actions;
  if (!Array.isArray(actions) || actions.length !== 1 || actions[0] !== "deploy") refuse(400, "invalid_request", 'allowed_actions must be ["deploy"].');
  const events = body.allowed_events;
  if (!Array.isArray(events) || events.length === 0 || !events.every((e) => typeof e === "string" && e !== "")) {
    refuse(400, "invalid_request", "allowed_events must be a non-empty array of event names.");
  }
  if (typeof body.nonce !== "string" || !NONCE.test(body.nonce)) refuse(400, "invalid_request", "nonce must be 16 to 64 lower-case hex digits.");
  const expiresAt = stringOrNull(body, "expires_at");
  if (expiresAt !== null && !(Date.parse(expiresAt) > Date.now())) refuse(400, "invalid_request", "expires_at must be a future ISO-8601 time.");
  // Sent only when non-empty, so an empty list is a client that did not follow the contract.
  if (Array.isArray(body.route_scopes) && body.route_scopes.length === 0) {
    refuse(400, "invalid_route_scopes", "route_scopes, when sent, must not be empty.");
  }
  const scopes = checkRouteScopes(body.route_scopes);
  if (scopes.error) refuse(400, "invalid_route_scopes", scopes.error);
  return {
    project_id: body.project_id,
    subject_match: subject,
    allowed_actions: ["deploy"],
    allowed_events: canonicalList(events),
    route_scopes: scopes.scopes,
    github_repository_id: stringOrNull(body, "github_repository_id"),
    expires_at: expiresAt,
    nonce: body.nonce,
  };
}

/** The SIWX payload inside `signed_delegation`, or the contract's delegation_* refusal. */
function delegationPayload(signed) {
  if (typeof signed !== "string" || signed === "") refuse(400, "delegation_parse_failed", "signed_delegation is required.");
  if (signed.length > MAX_DELEGATION_CHARS) refuse(400, "delegation_oversized", `signed_delegation is over ${MAX_DELEGATION_CHARS} characters.`);
  let payload;
  try {
    payload = JSON.parse(Buffer.from(signed, "base64").toString("utf8"));
  } catch {
    refuse(400, "delegation_parse_failed", "signed_delegation is not base64 of a JSON SIWX payload.");
  }
  if (payload === null || typeof payload !== "object" || typeof payload.statement !== "string") {
    refuse(400, "delegation_parse_failed", "signed_delegation has no SIWX statement.");
  }
  if (typeof payload.nonce !== "string" || !/^[A-Za-z0-9]{8,}$/.test(payload.nonce)) {
    refuse(400, "delegation_nonce_invalid", "The delegation's SIWX nonce must be at least 8 letters or digits.");
  }
  return payload;
}

async function createBinding(ctx) {
  const wallet = await walletFromSiwx(ctx, { required: true });
  const body = jsonObjectBody(ctx, { allowed: BINDING_FIELDS });
  const fields = bindingFields(body);
  const project = ctx.state.projects.get(fields.project_id);
  if (!project) fail(404, "project_not_found", `No project ${fields.project_id}.`, "PROJECT_NOT_FOUND");
  if (project.ownerWallet !== wallet) fail(403, "forbidden", "Only the project's owner wallet can link CI to it.", "PROJECT_OWNER_MISMATCH");

  const payload = delegationPayload(body.signed_delegation);
  const bindingsUrl = new URL("/ci/v1/bindings", ctx.baseUrl);
  let signer;
  try {
    // The signature is checked by viem (siwx.mjs); a nonce map of its own,
    // since binding nonces, not sign-in nonces, are what may not repeat.
    ({ address: signer } = await verifySiwx(body.signed_delegation, { domain: bindingsUrl.hostname, uri: bindingsUrl.toString(), nonces: new Map() }));
  } catch (err) {
    if (!(err instanceof SiwxError)) throw err;
    refuse(400, err.code === "SIWX_MALFORMED" ? "delegation_parse_failed" : "delegation_signature_invalid", err.message);
  }
  if (signer.toLowerCase() !== wallet) refuse(403, "signer_mismatch", "The delegation was signed by another wallet than the one signing this request.");
  if (payload.statement !== delegationStatement(fields)) {
    refuse(400, "delegation_statement_mismatch", "The signed statement is not the canonical statement for these binding fields.");
  }
  if (!Array.isArray(payload.resources) || payload.resources.length !== 1 || payload.resources[0] !== delegationResourceUri(fields)) {
    refuse(400, "delegation_resource_uri_mismatch", "The signed Resource URI is not the canonical one for these binding fields.");
  }

  const ci = ciState(ctx.state);
  if (ci.nonces.has(fields.nonce)) refuse(409, "nonce_replay", "This binding nonce was used before; sign a new delegation with a fresh nonce.");
  const live = [...ci.bindings.values()].find((b) => b.project_id === fields.project_id && b.subject_match === fields.subject_match && bindingLive(b));
  if (live) refuse(409, "duplicate", `Binding ${live.id} already links ${fields.subject_match} to this project; revoke it first.`);

  const now = new Date().toISOString();
  const binding = {
    id: `cib_${randomBytes(12).toString("hex")}`,
    project_id: fields.project_id,
    issuer: CI_ISSUER,
    subject_match: fields.subject_match,
    allowed_actions: fields.allowed_actions,
    allowed_events: fields.allowed_events,
    route_scopes: fields.route_scopes,
    github_repository_id: fields.github_repository_id,
    created_by: wallet,
    nonce: fields.nonce,
    created_sig: { payload, raw: body.signed_delegation, signer: signer.toLowerCase(), verified_at: now },
    created_at: now,
    expires_at: fields.expires_at,
    revoked_at: null,
    last_used_at: null,
    use_count: 0,
  };
  ci.nonces.add(fields.nonce);
  ci.bindings.set(binding.id, binding);
  return json(201, binding);
}

/** The owner wallet's own binding by id, or 404 / 403. */
async function ownedBinding(ctx) {
  const wallet = await walletFromSiwx(ctx, { required: true });
  const binding = ciState(ctx.state).bindings.get(ctx.params.id);
  if (!binding) fail(404, "binding_not_found", `No CI binding ${ctx.params.id}.`, "BINDING_NOT_FOUND");
  if (ctx.state.projects.get(binding.project_id)?.ownerWallet !== wallet) {
    fail(403, "forbidden", "This binding belongs to a project this wallet does not own.", "PROJECT_OWNER_MISMATCH");
  }
  return binding;
}

async function listBindings(ctx) {
  const wallet = await walletFromSiwx(ctx, { required: true });
  const params = [...ctx.url.searchParams.keys()];
  if (params.some((p) => p !== "project")) refuse(400, "invalid_request", "The only query parameter is project.");
  const projectId = ctx.url.searchParams.get("project");
  if (!projectId) refuse(400, "invalid_request", "The project query parameter is required.");
  const project = ctx.state.projects.get(projectId);
  if (!project) fail(404, "project_not_found", `No project ${projectId}.`, "PROJECT_NOT_FOUND");
  if (project.ownerWallet !== wallet) fail(403, "forbidden", "Only the project's owner wallet can list its CI bindings.", "PROJECT_OWNER_MISMATCH");
  const bindings = [...ciState(ctx.state).bindings.values()].filter((b) => b.project_id === projectId);
  return json(200, { bindings });
}

async function getBinding(ctx) {
  return json(200, await ownedBinding(ctx));
}

async function revokeBinding(ctx) {
  const binding = await ownedBinding(ctx);
  expectNoBody(ctx);
  binding.revoked_at ??= new Date().toISOString();
  return json(200, binding);
}

/** RFC 8693 token exchange: the job's OIDC token for a CI session of the one binding it matches. */
async function exchangeToken(ctx) {
  if (mediaType(ctx) !== "application/json") refuse(400, "invalid_request", "Send the exchange as a JSON body.");
  let body;
  try {
    body = jsonObjectBody(ctx, { allowed: ["grant_type", "subject_token", "subject_token_type", "project_id"] });
  } catch (err) {
    if (err instanceof HttpError) refuse(400, "invalid_request", err.message);
    throw err;
  }
  if (body.grant_type !== GRANT_TYPE) refuse(400, "invalid_request", `grant_type must be ${GRANT_TYPE}.`);
  if (body.subject_token_type !== JWT_TYPE) refuse(400, "invalid_request", `subject_token_type must be ${JWT_TYPE}.`);
  if (typeof body.subject_token !== "string" || body.subject_token === "") refuse(400, "invalid_request", "subject_token is required.");
  if (typeof body.project_id !== "string" || body.project_id === "") refuse(400, "invalid_request", "project_id is required.");

  const ci = ciState(ctx.state);
  let claims;
  try {
    claims = await ci.issuer.verify(body.subject_token, CI_AUDIENCE);
  } catch (err) {
    refuse(401, "invalid_token", `The subject token was refused: ${err.code ?? "invalid"} (${err.message}).`);
  }
  const denied = () => refuse(403, "access_denied", `No live CI binding of ${body.project_id} matches subject ${claims.sub}.`);
  if (!ctx.state.projects.has(body.project_id)) denied();
  const matching = [...ci.bindings.values()].filter(
    (b) => b.project_id === body.project_id && bindingLive(b) && typeof claims.sub === "string" && subjectMatches(b.subject_match, claims.sub),
  );
  if (matching.length === 0) denied();
  if (matching.length > 1) refuse(409, "ambiguous_binding", `${matching.length} bindings match subject ${claims.sub}: ${matching.map((b) => b.id).join(", ")}.`);
  const [binding] = matching;
  if (binding.github_repository_id !== null && String(claims.repository_id) !== binding.github_repository_id) {
    refuse(403, "repository_id_mismatch", `The token's repository_id ${claims.repository_id} is not the bound repository ${binding.github_repository_id}.`);
  }
  if (!binding.allowed_events.includes(claims.event_name)) {
    refuse(403, "event_not_allowed", `Event ${claims.event_name} is not allowed by binding ${binding.id} (${binding.allowed_events.join(", ")}).`);
  }

  const token = `${CI_SESSION_PREFIX}${randomBytes(24).toString("hex")}`;
  ci.sessions.set(token, { bindingId: binding.id, projectId: binding.project_id, subject: claims.sub, expiresAt: Date.now() + CI_SESSION_SECONDS * 1000 });
  binding.use_count += 1;
  binding.last_used_at = new Date().toISOString();
  return json(200, { access_token: token, token_type: "Bearer", expires_in: CI_SESSION_SECONDS, scope: "deploy" });
}

export function register(router) {
  router.add("POST", "/ci/v1/bindings", createBinding);
  router.add("GET", "/ci/v1/bindings", listBindings);
  router.add("GET", "/ci/v1/bindings/:id", getBinding);
  router.add("POST", "/ci/v1/bindings/:id/revoke", revokeBinding);
  router.add("POST", "/ci/v1/token-exchange", exchangeToken);
}

// ── /__sim/oidc: the local GitHub Actions OIDC issuer ──

const JOB_FIELDS = ["repository", "repository_id", "repository_owner_id", "ref", "event_name", "environment", "sub", "sha", "workflow", "run_id", "actor"];

function jobFrom(body) {
  const job = Object.fromEntries(Object.entries(body).filter(([k]) => JOB_FIELDS.includes(k)));
  if (typeof job.repository !== "string" || !/^[^/\s]+\/[^/\s]+$/.test(job.repository)) {
    fail(400, "invalid_field", 'repository must be "owner/name".', "INVALID_FIELD");
  }
  return job;
}

async function jwks(ctx) {
  return json(200, await ciState(ctx.state).issuer.jwks());
}

/**
 * POST {repository, repository_id?, ref?, event_name?, environment?, sub?}:
 * a job's OIDC environment, `{ request_url, request_token }`, to put in
 * ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN.
 */
function startJob(ctx) {
  const job = jobFrom(jsonObjectBody(ctx, { allowed: JOB_FIELDS }));
  const requestToken = ciState(ctx.state).issuer.startJob(job);
  return json(201, { request_url: `${ctx.baseUrl}/__sim/oidc/token-request?api-version=2.0`, request_token: requestToken });
}

/** What the runner's token URL answers: `{ count, value }` for the job whose request token is the bearer. */
async function tokenRequest(ctx) {
  const match = /^Bearer\s+(\S+)$/i.exec(ctx.headers.authorization ?? "");
  const issuer = ciState(ctx.state).issuer;
  const job = match ? issuer.jobFor(match[1]) : undefined;
  if (!job) return json(401, { message: "Bad credentials" });
  // GitHub's default audience is the repository owner's URL.
  const audience = ctx.url.searchParams.get("audience") || `https://github.com/${job.repository.split("/")[0]}`;
  const value = await issuer.mint(job, audience);
  return json(200, { count: value.length, value });
}

/**
 * POST {...job, audience?, claims?, forged?}: an ID token minted directly,
 * e.g. with an expired `exp` in `claims`, or signed by another key (`forged`).
 */
async function mintToken(ctx) {
  const body = jsonObjectBody(ctx, { allowed: [...JOB_FIELDS, "audience", "claims", "forged"] });
  const job = jobFrom(body);
  const { issuer } = ciState(ctx.state);
  let signWith;
  if (body.forged === true) {
    const { generateKeyPair } = await import("jose");
    ({ privateKey: signWith } = await generateKeyPair("RS256"));
  }
  const value = await issuer.mint(job, body.audience ?? CI_AUDIENCE, { overrides: body.claims ?? {}, signWith });
  return json(201, { value });
}

export function registerControl(control) {
  control.add("GET", "/__sim/oidc/jwks", jwks);
  control.add("POST", "/__sim/oidc/jobs", startJob);
  control.add("GET", "/__sim/oidc/token-request", tokenRequest);
  control.add("POST", "/__sim/oidc/tokens", mintToken);
}
