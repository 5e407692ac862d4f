// Passkeys (WebAuthn) for a project's users, verified by
// @simplewebauthn/server: one-time challenges bound to the project, the
// user (for registration), the app's origin and its relying-party id (the
// origin's host); credential ids unique per project; signature counters
// checked and advanced on every login.

import { randomBytes } from "node:crypto";
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from "@simplewebauthn/server";

import { empty, fail, json, jsonObjectBody, requireString } from "./http-util.mjs";
import { authNow, authStore, emailField, issueSession } from "./users.mjs";

const CHALLENGE_TTL_MS = 5 * 60 * 1000;

/**
 * The app origin a ceremony runs on: https, or http on localhost/127.0.0.1
 * (browsers treat those as secure contexts). Its host is the RP id.
 */
function appOrigin(body) {
  const raw = requireString(body, "app_origin");
  const url = URL.canParse(raw) ? new URL(raw) : null;
  const local = url && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (!url || url.origin !== raw.replace(/\/$/, "") || !(url.protocol === "https:" || (url.protocol === "http:" && local))) {
    fail(400, "invalid_origin", 'Field "app_origin" must be an origin like "https://app.example.com" (http only on localhost).', "INVALID_ORIGIN", { details: { field: "app_origin" } });
  }
  return { origin: url.origin, rpID: url.hostname };
}

function newChallenge(ctx, ceremony) {
  const id = `pkc_${randomBytes(16).toString("hex")}`;
  authStore(ctx.state).challenges.set(id, { ...ceremony, expiresAt: authNow(ctx.state, ceremony.projectId) + CHALLENGE_TTL_MS });
  return id;
}

/** The ceremony `challenge_id` names, taken (challenges are one-time), or a 400. */
function takeChallenge(ctx, body, kind, projectId) {
  const id = requireString(body, "challenge_id");
  const challenges = authStore(ctx.state).challenges;
  const found = challenges.get(id);
  if (!found || found.kind !== kind || found.projectId !== projectId) fail(400, "invalid_challenge", "The passkey challenge is not valid.", "INVALID_CHALLENGE");
  challenges.delete(id);
  if (found.expiresAt < authNow(ctx.state, projectId)) fail(400, "challenge_expired", "The passkey challenge has expired.", "CHALLENGE_EXPIRED");
  return found;
}

function requireResponse(body) {
  const response = body.response;
  if (response === null || typeof response !== "object" || typeof response.id !== "string") {
    fail(400, "invalid_field", 'Field "response" must be the credential JSON (PublicKeyCredential.toJSON()).', "INVALID_FIELD", { details: { field: "response" } });
  }
  return response;
}

export function record(passkey) {
  return {
    id: passkey.id,
    rp_id: passkey.rp_id,
    created_origin: passkey.created_origin,
    last_used_origin: passkey.last_used_origin,
    transports: passkey.transports,
    label: passkey.label,
    credential_device_type: passkey.credential_device_type,
    credential_backed_up: passkey.credential_backed_up,
    created_at: passkey.created_at,
    last_used_at: passkey.last_used_at,
  };
}

function allPasskeys(project) {
  return [...project.users.values()].flatMap((user) => user.passkeys.map((passkey) => ({ user, passkey })));
}

export async function registrationOptions(ctx, { project, user }) {
  const { origin, rpID } = appOrigin(jsonObjectBody(ctx, { allowed: ["app_origin"] }));
  const options = await generateRegistrationOptions({
    rpName: project.name,
    rpID,
    userName: user.email,
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    excludeCredentials: user.passkeys.filter((p) => p.rp_id === rpID).map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
  const challenge_id = newChallenge(ctx, { kind: "registration", projectId: project.id, userId: user.id, challenge: options.challenge, origin, rpID });
  return json(200, { challenge_id, options });
}

export async function verifyRegistration(ctx, { project, user }) {
  const body = jsonObjectBody(ctx, { allowed: ["challenge_id", "response", "label"] });
  const response = requireResponse(body);
  if (body.label !== undefined && (typeof body.label !== "string" || body.label.length > 100)) {
    fail(400, "invalid_field", 'Field "label" must be a string of at most 100 characters.', "INVALID_FIELD", { details: { field: "label" } });
  }
  const ceremony = takeChallenge(ctx, body, "registration", project.id);
  if (ceremony.userId !== user.id) fail(400, "invalid_challenge", "The passkey challenge belongs to another user.", "INVALID_CHALLENGE");
  let result;
  try {
    result = await verifyRegistrationResponse({
      response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: ceremony.origin,
      expectedRPID: ceremony.rpID,
      requireUserVerification: false,
    });
  } catch (err) {
    fail(400, "passkey_verification_failed", `Passkey registration failed: ${err.message}`, "PASSKEY_VERIFICATION_FAILED");
  }
  if (!result.verified) fail(400, "passkey_verification_failed", "Passkey registration was not verified.", "PASSKEY_VERIFICATION_FAILED");
  const info = result.registrationInfo;
  if (allPasskeys(project).some(({ passkey }) => passkey.credentialId === info.credential.id)) {
    fail(409, "passkey_exists", "This credential is already registered.", "PASSKEY_EXISTS");
  }
  const passkey = {
    id: `pk_${randomBytes(12).toString("hex")}`,
    credentialId: info.credential.id,
    publicKey: info.credential.publicKey,
    counter: info.credential.counter,
    transports: info.credential.transports ?? response.response?.transports ?? [],
    rp_id: ceremony.rpID,
    created_origin: ceremony.origin,
    last_used_origin: null,
    label: body.label ?? null,
    credential_device_type: info.credentialDeviceType ?? null,
    credential_backed_up: info.credentialBackedUp ?? null,
    created_at: new Date().toISOString(),
    last_used_at: null,
  };
  user.passkeys.push(passkey);
  return json(201, record(passkey));
}

export async function loginOptions(ctx, project) {
  const body = jsonObjectBody(ctx, { allowed: ["app_origin", "email"] });
  const { origin, rpID } = appOrigin(body);
  const email = body.email === undefined ? null : emailField(body);
  // An unknown email gets an empty allow-list rather than an error, so the
  // answer does not tell which addresses have users.
  const user = email ? project.users.get(email) : null;
  const allowCredentials = email ? (user?.passkeys ?? []).filter((p) => p.rp_id === rpID).map((p) => ({ id: p.credentialId, transports: p.transports })) : undefined;
  const options = await generateAuthenticationOptions({ rpID, allowCredentials, userVerification: "preferred" });
  const challenge_id = newChallenge(ctx, { kind: "login", projectId: project.id, challenge: options.challenge, origin, rpID, email });
  return json(200, { challenge_id, options });
}

export async function verifyLogin(ctx, project) {
  const body = jsonObjectBody(ctx, { allowed: ["challenge_id", "response"] });
  const response = requireResponse(body);
  const ceremony = takeChallenge(ctx, body, "login", project.id);
  const found = allPasskeys(project).find(({ passkey }) => passkey.credentialId === response.id && passkey.rp_id === ceremony.rpID);
  if (!found || (ceremony.email && found.user.email !== ceremony.email)) fail(401, "unauthorized", "No passkey with this credential id signs in to this project.", "PASSKEY_NOT_FOUND");
  const { user, passkey } = found;
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: ceremony.origin,
      expectedRPID: ceremony.rpID,
      credential: { id: passkey.credentialId, publicKey: passkey.publicKey, counter: passkey.counter, transports: passkey.transports },
      requireUserVerification: false,
    });
  } catch (err) {
    fail(401, "passkey_verification_failed", `Passkey login failed: ${err.message}`, "PASSKEY_VERIFICATION_FAILED");
  }
  if (!result.verified) fail(401, "passkey_verification_failed", "Passkey login was not verified.", "PASSKEY_VERIFICATION_FAILED");
  passkey.counter = result.authenticationInfo.newCounter;
  passkey.last_used_at = new Date().toISOString();
  passkey.last_used_origin = ceremony.origin;
  return json(200, await issueSession(ctx.state, project, user, "passkey"));
}

export function list(ctx, { user }) {
  return json(200, { passkeys: user.passkeys.map(record) });
}

export function remove(ctx, { user }) {
  const index = user.passkeys.findIndex((p) => p.id === ctx.params.passkeyId);
  if (index < 0) fail(404, "passkey_not_found", `No passkey ${ctx.params.passkeyId} for this user.`, "PASSKEY_NOT_FOUND");
  user.passkeys.splice(index, 1);
  return empty(204);
}
