// admin (wire contract §1.18): messages to the developers, the signed-in
// wallet's agent contact and its assurance ladder, and the platform-admin
// finance read.
//
// The contact ladder: setting an email sends a reply challenge (pending);
// the operator's reply, which a test sends through POST /__sim/agent-contacts
// {wallet, action: "reply"}, verifies it; a verified email can be sent a
// passkey enrollment link, completed with action "bind_passkey". A challenge
// can be resent once a minute ("expire_challenge" ends the wait early).

import { randomBytes } from "node:crypto";

import { walletFromSiwx } from "../auth.mjs";
import { expectNoBody, fail, json, jsonObjectBody, requireString } from "../http-util.mjs";

const MAX_MESSAGE_LENGTH = 4000;
const MAX_NAME_LENGTH = 200;
const CHALLENGE_COOLDOWN_SECONDS = 60;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const FINANCE_WINDOWS = { "24h": 1, "7d": 7, "30d": 30, "90d": 90 }; // days
export const ADMIN_COOKIE = "run402_admin_session";

function activeTier(ctx, wallet) {
  const lease = ctx.state.walletTiers.get(wallet);
  return lease !== undefined && Date.parse(lease.leaseExpiresAt) > Date.now();
}

async function sendMessage(ctx) {
  const wallet = await walletFromSiwx(ctx, { required: true });
  const message = requireString(jsonObjectBody(ctx, { allowed: ["message"] }), "message");
  if (message.length > MAX_MESSAGE_LENGTH) {
    fail(400, "message_too_long", `Messages are limited to ${MAX_MESSAGE_LENGTH} characters.`, "MESSAGE_TOO_LONG");
  }
  if (!activeTier(ctx, wallet)) {
    fail(403, "tier_required", "Sending a message requires an active tier; subscribe with POST /tiers/v1/:tier.", "TIER_REQUIRED");
  }
  ctx.state.messages.push({ wallet, message, at: new Date().toISOString() });
  return json(200, { status: "sent" });
}

function assurance(c) {
  if (c.passkey_binding_status === "verified") return "operator_passkey";
  if (c.passkey_binding_status === "pending") return "passkey_pending";
  if (c.email_verification_status === "verified") return "email_verified";
  if (c.email_verification_status === "pending") return "email_pending";
  return "wallet_only";
}

/** The AgentContactResult for a stored contact, plus any per-answer fields. */
function contactReply(c, extra = {}) {
  return json(200, { ...c, assurance_level: assurance(c), ...extra });
}

function touch(c) {
  c.updated_at = new Date().toISOString();
}

function resetEmail(c, email) {
  const now = new Date().toISOString();
  Object.assign(c, {
    email,
    email_verification_status: email ? "pending" : "none",
    email_verified_at: null,
    email_verified_message_id: null,
    email_challenge_sent_at: email ? now : null,
  });
}

function optionalField(body, field, check, what) {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || !check(value)) fail(400, "invalid_field", `Field "${field}" must be ${what}.`, "INVALID_FIELD", { details: { field } });
  return value;
}

const isHttpUrl = (text) => URL.canParse(text) && ["http:", "https:"].includes(new URL(text).protocol);

async function setContact(ctx) {
  const wallet = await walletFromSiwx(ctx, { required: true });
  const body = jsonObjectBody(ctx, { allowed: ["name", "email", "webhook"] });
  const name = requireString(body, "name").trim();
  if (name === "" || name.length > MAX_NAME_LENGTH) {
    fail(400, "invalid_field", `Field "name" must be 1 to ${MAX_NAME_LENGTH} characters.`, "INVALID_FIELD", { details: { field: "name" } });
  }
  const email = optionalField(body, "email", (v) => EMAIL.test(v), "an email address")?.toLowerCase() ?? null;
  const webhook = optionalField(body, "webhook", isHttpUrl, "an http(s) URL");
  let contact = ctx.state.agentContacts.get(wallet);
  if (!contact) {
    contact = {
      wallet,
      name,
      webhook,
      passkey_binding_status: "none",
      passkey_bound_at: null,
      active_operator_passkey_id: null,
    };
    resetEmail(contact, email);
    ctx.state.agentContacts.set(wallet, contact);
  } else {
    Object.assign(contact, { name, webhook });
    // A new address has to prove itself again; the same one keeps its state.
    if (contact.email !== email) resetEmail(contact, email);
  }
  touch(contact);
  return contactReply(contact);
}

async function ownContact(ctx) {
  const wallet = await walletFromSiwx(ctx, { required: true });
  const contact = ctx.state.agentContacts.get(wallet);
  if (!contact) fail(404, "contact_not_found", "No agent contact is set for this wallet; POST /agent/v1/contact first.", "CONTACT_NOT_FOUND");
  return contact;
}

async function contactStatus(ctx) {
  return contactReply(await ownContact(ctx));
}

async function verifyEmail(ctx) {
  const contact = await ownContact(ctx);
  expectNoBody(ctx);
  if (!contact.email) fail(400, "email_required", "The agent contact has no email to verify.", "EMAIL_REQUIRED");
  if (contact.email_verification_status === "verified") return contactReply(contact);
  const waited = (Date.now() - Date.parse(contact.email_challenge_sent_at ?? 0)) / 1000;
  if (waited < CHALLENGE_COOLDOWN_SECONDS) {
    return contactReply(contact, { verification_retry_after_seconds: Math.ceil(CHALLENGE_COOLDOWN_SECONDS - waited) });
  }
  contact.email_verification_status = "pending";
  contact.email_challenge_sent_at = new Date().toISOString();
  touch(contact);
  return contactReply(contact);
}

async function enrollPasskey(ctx) {
  const contact = await ownContact(ctx);
  expectNoBody(ctx);
  if (contact.email_verification_status !== "verified") {
    fail(409, "email_not_verified", "Passkey enrollment needs a verified operator email first.", "EMAIL_NOT_VERIFIED");
  }
  if (contact.passkey_binding_status !== "verified") contact.passkey_binding_status = "pending";
  touch(contact);
  return contactReply(contact, { enrollment_sent_to: contact.email });
}

/** A platform admin: an admin wallet's sign-in or an admin session cookie, with X-Admin-Mode: 1. */
async function requireAdmin(ctx) {
  const wallet = await walletFromSiwx(ctx, { required: false });
  const session = (ctx.headers.cookie ?? "").split(";").map((c) => c.trim().split("=")).find(([k]) => k === ADMIN_COOKIE)?.[1];
  const admin = (wallet && ctx.state.adminWallets.has(wallet)) || (session !== undefined && ctx.state.adminSessions.has(session));
  if (!admin || ctx.headers["x-admin-mode"] !== "1") {
    fail(403, "admin_required", "This endpoint requires platform-admin auth (an admin wallet's SIGN-IN-WITH-X or admin session cookie) and X-Admin-Mode: 1.", "ADMIN_REQUIRED");
  }
}

/**
 * Revenue from the ledger: the project's provisioning payment when it settled
 * inside the window. The simulator has no infrastructure bills, so direct
 * costs are zero per category.
 */
async function projectFinance(ctx) {
  await requireAdmin(ctx);
  const window = ctx.url.searchParams.get("window") ?? "30d";
  if (!Object.hasOwn(FINANCE_WINDOWS, window)) {
    fail(400, "invalid_window", `window must be one of ${Object.keys(FINANCE_WINDOWS).join(", ")}.`, "INVALID_WINDOW");
  }
  const project = ctx.state.projects.get(ctx.params.id);
  if (!project) fail(404, "project_not_found", `Project ${ctx.params.id} does not exist.`, "PROJECT_NOT_FOUND");
  const since = Date.now() - FINANCE_WINDOWS[window] * 86_400_000;
  const paid = project.payment?.state === "settled" && Date.parse(project.createdAt) >= since ? Number(project.payment.value) : 0;
  const costs = ["compute", "database", "storage", "email"].map((category) => ({ category, cost_usd_micros: 0 }));
  const cost = costs.reduce((sum, c) => sum + c.cost_usd_micros, 0);
  return json(200, {
    project_id: project.id,
    project_name: project.name,
    window,
    revenue_usd_micros: paid,
    direct_cost_usd_micros: cost,
    direct_margin_usd_micros: paid - cost,
    revenue_breakdown: {
      tier_fees_usd_micros: paid,
      email_packs_usd_micros: 0,
      kms_rental_usd_micros: 0,
      kms_sign_fees_usd_micros: 0,
      per_call_sku_usd_micros: 0,
    },
    direct_cost_breakdown: costs,
    notes: "Simulator: revenue is the project's settled x402 provisioning payment in the window; direct costs are not simulated.",
  });
}

// ── /__sim/ ──

const CONTACT_ACTIONS = ["reply", "bind_passkey", "expire_challenge"];

/** POST {wallet, action}: what the operator does outside the API (reply to the challenge, finish enrollment). */
function contactAction(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["wallet", "action"] });
  const contact = ctx.state.agentContacts.get(requireString(body, "wallet").toLowerCase());
  if (!contact) fail(404, "contact_not_found", "No agent contact for that wallet.", "CONTACT_NOT_FOUND");
  if (!CONTACT_ACTIONS.includes(body.action)) fail(400, "invalid_field", `"action" must be one of ${CONTACT_ACTIONS.join(", ")}.`, "INVALID_FIELD");
  const now = new Date().toISOString();
  if (body.action === "reply") {
    if (contact.email_verification_status !== "pending") fail(409, "no_challenge", "No email challenge is pending.", "NO_CHALLENGE");
    Object.assign(contact, { email_verification_status: "verified", email_verified_at: now, email_verified_message_id: `<${randomBytes(8).toString("hex")}@sim.run402>` });
  } else if (body.action === "bind_passkey") {
    if (contact.passkey_binding_status !== "pending") fail(409, "no_enrollment", "No passkey enrollment is pending.", "NO_ENROLLMENT");
    Object.assign(contact, { passkey_binding_status: "verified", passkey_bound_at: now, active_operator_passkey_id: `pk_${randomBytes(8).toString("hex")}` });
  } else {
    contact.email_challenge_sent_at = new Date(Date.now() - CHALLENGE_COOLDOWN_SECONDS * 1000).toISOString();
  }
  touch(contact);
  return contactReply(contact);
}

/** GET: the messages sent to the developers, oldest first. */
function messages(ctx) {
  return json(200, ctx.state.messages);
}

/** POST: a fresh admin session; the answer's `cookie` is a `Cookie` header value. */
function adminSession(ctx) {
  expectNoBody(ctx);
  const token = randomBytes(16).toString("hex");
  ctx.state.adminSessions.add(token);
  return json(201, { cookie: `${ADMIN_COOKIE}=${token}` });
}

export function register(router) {
  router.add("POST", "/message/v1", sendMessage);
  router.add("POST", "/agent/v1/contact", setContact);
  router.add("GET", "/agent/v1/contact/status", contactStatus);
  router.add("POST", "/agent/v1/contact/verify-email", verifyEmail);
  router.add("POST", "/agent/v1/contact/passkey/enroll", enrollPasskey);
  router.add("GET", "/admin/api/finance/project/:id", projectFinance);
}

export function registerControl(control) {
  control.add("POST", "/__sim/agent-contacts", contactAction);
  control.add("GET", "/__sim/messages", messages);
  control.add("POST", "/__sim/admin-sessions", adminSession);
}
