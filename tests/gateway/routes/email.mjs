// email (wire contract §1.16): one mailbox per project at
// <slug>@mail.run402.com under /mailboxes/v1, service key only. Sends are
// rendered from the three templates (or taken raw), limited per UTC day and
// per lease by the project's tier, composed as real RFC 822 MIME
// (nodemailer's MailComposer) and kept in a per-mailbox message store.
// A send beyond the day's limit takes one email credit (email packs) from
// the billing account of the project's owner wallet, which may auto-recharge
// (billing-accounts.mjs); with no credit it is the daily limit's 429.
// Mail to Amazon SES's simulator addresses bounces or complains, as it
// would through SES. Inbound mail arrives through POST /__sim/email/inbound
// (raw MIME, or fields the simulator composes), is parsed with mailparser,
// threaded onto the message it answers by its In-Reply-To header, and shows
// up in GET …/messages/{id} as a reply; its bytes in …/raw.
//
// Webhooks are delivered by HTTP POST to their URL in the background, with
// retries and backoff, each attempt carrying the same Run402-Webhook-Id.
// The body is the envelope the current docs describe ({id, type,
// created_at, schema_version, idempotency_key, payload}). The production
// mailbox webhooks are unsigned; this simulator signs every delivery with
// a per-webhook secret (X-Run402-Signature: sha256=<hex HMAC-SHA256 of the
// body>) that a test reads from GET /__sim/email/webhooks/{id}, so a
// receiver can prove what it got came from the gateway unchanged.

import { createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { createRequire } from "node:module";

import { requireServiceKey } from "../auth.mjs";
import { spendEmailCredit, walletAccount } from "../billing-accounts.mjs";
import { expectNoBody, fail, json, jsonObjectBody } from "../http-util.mjs";
import { verifyKey } from "../keys.mjs";

const require = createRequire(import.meta.url);
const MailComposer = require("nodemailer/lib/mail-composer");
const { simpleParser } = require("mailparser");

export const MAIL_DOMAIN = "mail.run402.com";
const SLUG = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;
export const EVENTS = ["delivery", "bounced", "complained", "reply_received"];
/** Sends per UTC day and distinct recipients per lease, by tier (llms-cli.txt, email). */
export const LIMITS = { prototype: { daily: 10, recipients: 25 }, hobby: { daily: 50, recipients: 200 }, team: { daily: 500, recipients: 1000 } };
/** SES's mailbox simulator: mail to these bounces or draws a complaint. */
const BOUNCE = "bounce@simulator.amazonses.com";
const COMPLAINT = "complaint@simulator.amazonses.com";
const MAX_SUBJECT = 998;
const MAX_MESSAGE = 500;
/** Webhook attempts and the wait before each retry (short: tests wait for them). */
const RETRY_DELAYS_MS = [100, 300, 900];
const ATTEMPT_TIMEOUT_MS = 2000;

/** Each template: the variables it needs and how it renders them. */
const TEMPLATES = {
  project_invite: {
    variables: ["project_name", "invite_url"],
    urls: ["invite_url"],
    subject: (v) => `You're invited to ${v.project_name}`,
    text: (v) => `You have been invited to ${v.project_name}.\n\nAccept the invitation: ${v.invite_url}\n`,
    html: (v) => `<p>You have been invited to <strong>${esc(v.project_name)}</strong>.</p><p><a href="${esc(v.invite_url)}">Accept the invitation</a></p>`,
  },
  magic_link: {
    variables: ["project_name", "link_url", "expires_in"],
    urls: ["link_url"],
    subject: (v) => `Your sign-in link for ${v.project_name}`,
    text: (v) => `Sign in to ${v.project_name}: ${v.link_url}\n\nThe link expires in ${v.expires_in}.\n`,
    html: (v) => `<p><a href="${esc(v.link_url)}">Sign in to ${esc(v.project_name)}</a></p><p>The link expires in ${esc(v.expires_in)}.</p>`,
  },
  notification: {
    variables: ["project_name", "message"],
    urls: [],
    subject: (v) => `Notification from ${v.project_name}`,
    text: (v) => `${v.message}\n\n— ${v.project_name}\n`,
    html: (v) => `<p>${esc(v.message)}</p><p>— ${esc(v.project_name)}</p>`,
  },
};

function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** This simulator's mail state, kept beside its other state (one per start()). */
const stores = new WeakMap();
function mail(state) {
  let store = stores.get(state);
  if (!store) {
    store = { mailboxes: new Map(), deliveries: [], pending: new Set() };
    stores.set(state, store);
  }
  return store;
}

const newId = (prefix) => `${prefix}_${randomBytes(8).toString("hex")}`;
const utcDay = (ms = Date.now()) => new Date(ms).toISOString().slice(0, 10);

/** The project whose service key signs the request (the path names no project). */
function callerProject(ctx) {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(ctx.headers.authorization ?? "")?.[1];
  return requireServiceKey(ctx, verifyKey(token)?.project_id ?? "");
}

function record(mb) {
  rollDay(mb);
  return {
    mailbox_id: mb.id,
    address: mb.address,
    slug: mb.slug,
    project_id: mb.projectId,
    status: mb.status,
    sends_today: mb.sendsToday,
    unique_recipients: mb.recipients.size,
    created_at: mb.createdAt,
    updated_at: mb.updatedAt,
  };
}

/** A new UTC day starts the daily count again. */
function rollDay(mb) {
  const today = utcDay();
  if (mb.sendDay !== today) {
    mb.sendDay = today;
    mb.sendsToday = 0;
  }
}

/** The mailbox in the path, if it is the caller's: 404 when there is none, 403 when another project's. */
function ownMailbox(ctx) {
  const project = callerProject(ctx);
  const mb = mail(ctx.state).mailboxes.get(ctx.params.mailbox);
  if (!mb) fail(404, "mailbox_not_found", `No mailbox ${ctx.params.mailbox}.`, "MAILBOX_NOT_FOUND");
  if (mb.projectId !== project.id) fail(403, "forbidden", "This mailbox belongs to another project.", "MAILBOX_FORBIDDEN");
  return { project, mb };
}

function createMailbox(ctx) {
  const project = callerProject(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["slug", "project_id"] });
  if (body.project_id !== project.id) {
    fail(403, "forbidden", `The service key does not belong to project ${body.project_id}.`, "PROJECT_KEY_MISMATCH");
  }
  const { slug } = body;
  if (typeof slug !== "string" || slug.length < 3 || slug.length > 63 || !SLUG.test(slug) || slug.includes("--")) {
    fail(400, "invalid_slug", "Slug must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.", "INVALID_SLUG", { details: { field: "slug" } });
  }
  const store = mail(ctx.state);
  const mailboxes = [...store.mailboxes.values()];
  if (mailboxes.some((m) => m.projectId === project.id)) {
    fail(409, "mailbox_exists", `Project ${project.id} already has a mailbox.`, "MAILBOX_EXISTS");
  }
  if (mailboxes.some((m) => m.slug === slug)) fail(409, "slug_taken", `${slug}@${MAIL_DOMAIN} is taken.`, "SLUG_TAKEN");
  const now = new Date().toISOString();
  const mb = {
    id: newId("mbx"), projectId: project.id, slug, address: `${slug}@${MAIL_DOMAIN}`, status: "active",
    sendsToday: 0, sendDay: utcDay(), recipients: new Set(), createdAt: now, updatedAt: now,
    messages: new Map(), webhooks: new Map(), suppressed: new Set(), // addresses that bounced
  };
  store.mailboxes.set(mb.id, mb);
  return json(201, record(mb));
}

function listMailboxes(ctx) {
  const project = callerProject(ctx);
  const mine = [...mail(ctx.state).mailboxes.values()].filter((m) => m.projectId === project.id);
  return json(200, { mailboxes: mine.map(record) });
}

function deleteMailbox(ctx) {
  const { mb } = ownMailbox(ctx);
  expectNoBody(ctx);
  mail(ctx.state).mailboxes.delete(mb.id);
  return json(200, { mailbox_id: mb.id, address: mb.address });
}

function badField(field, message, code = "INVALID_FIELD") {
  fail(400, "invalid_field", message, code, { details: { field } });
}

/** {subject, text, html} from a template and its variables, or 400s naming what is wrong. */
function renderTemplate(name, variables) {
  const template = Object.hasOwn(TEMPLATES, name) ? TEMPLATES[name] : null;
  if (!template) badField("template", `Unknown template "${name}"; use one of ${Object.keys(TEMPLATES).join(", ")}.`, "INVALID_TEMPLATE");
  if (variables === null || typeof variables !== "object" || Array.isArray(variables)) {
    badField("variables", `Template ${name} needs a variables object with ${template.variables.join(", ")}.`, "MISSING_VARIABLES");
  }
  const missing = template.variables.filter((v) => typeof variables[v] !== "string" || variables[v] === "");
  if (missing.length > 0) {
    fail(400, "missing_variables", `Template ${name} needs ${missing.join(", ")}.`, "MISSING_VARIABLES", { details: { missing } });
  }
  const extra = Object.keys(variables).filter((v) => !template.variables.includes(v));
  if (extra.length > 0) badField("variables", `Template ${name} has no variable${extra.length > 1 ? "s" : ""} ${extra.join(", ")}.`, "UNKNOWN_VARIABLES");
  for (const url of template.urls) {
    if (!/^https?:\/\/[^\s]+$/.test(variables[url])) badField(url, `"${url}" must be an http(s) URL.`);
  }
  if (name === "notification" && variables.message.length > MAX_MESSAGE) badField("message", `A notification's message is at most ${MAX_MESSAGE} characters.`);
  return { subject: template.subject(variables), text: template.text(variables), html: template.html(variables) };
}

function textFromHtml(html) {
  return html.replace(/<(br|\/p|\/div|\/h\d)\s*\/?>/gi, "\n").replace(/<[^>]*>/g, "").replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&").trim();
}

/** RFC 822 bytes, composed by nodemailer. */
function compose(fields) {
  return new Promise((resolve, reject) => {
    new MailComposer(fields).compile().build((err, buf) => (err ? reject(err) : resolve(buf)));
  });
}

const messageIdHeader = (id) => `<${id}@${MAIL_DOMAIN}>`;

/** One email credit from the owner wallet's billing account, for a send past the daily limit. */
function spendOwnerCredit(state, project) {
  const account = project.ownerWallet ? walletAccount(state.billing, project.ownerWallet) : null;
  return account !== null && spendEmailCredit(state.billing, account);
}

async function send(ctx) {
  const { project, mb } = ownMailbox(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["to", "template", "variables", "subject", "html", "text", "from_name", "in_reply_to"] });
  const { to } = body;
  if (typeof to !== "string" || !ADDRESS.test(to)) badField("to", '"to" must be one email address.', "INVALID_RECIPIENT");
  const raw = body.subject !== undefined || body.html !== undefined || body.text !== undefined;
  if (raw && body.template !== undefined) badField("template", "Send either a template or subject + html, not both.", "INVALID_MODE");
  let content;
  if (body.template !== undefined) {
    content = renderTemplate(body.template, body.variables);
  } else if (raw) {
    if (body.variables !== undefined) badField("variables", "variables go with a template.", "INVALID_MODE");
    for (const f of ["subject", "html"]) if (typeof body[f] !== "string" || body[f] === "") badField(f, `Raw mode needs "${f}".`);
    if (body.text !== undefined && typeof body.text !== "string") badField("text", '"text" must be a string.');
    if (body.subject.length > MAX_SUBJECT) badField("subject", `The subject is at most ${MAX_SUBJECT} characters.`);
    content = { subject: body.subject, html: body.html, text: body.text ?? textFromHtml(body.html) };
  } else {
    fail(400, "invalid_body", "Send a template with variables, or subject + html.", "INVALID_MODE");
  }
  if (body.from_name !== undefined && (typeof body.from_name !== "string" || /[\r\n"<>]/.test(body.from_name))) badField("from_name", '"from_name" must be a plain display name.');
  let answered = null;
  if (body.in_reply_to !== undefined) {
    answered = typeof body.in_reply_to === "string" ? mb.messages.get(body.in_reply_to) : undefined;
    if (!answered) badField("in_reply_to", `"in_reply_to" must be the id of a message in this mailbox.`, "INVALID_IN_REPLY_TO");
  }
  const recipient = to.toLowerCase();
  if (mb.suppressed.has(recipient)) {
    fail(422, "recipient_suppressed", `${to} bounced before and is suppressed.`, "RECIPIENT_SUPPRESSED");
  }
  rollDay(mb);
  const limits = LIMITS[project.tier] ?? LIMITS.prototype;
  if (!mb.recipients.has(recipient) && mb.recipients.size >= limits.recipients) {
    fail(429, "recipient_limit", `Unique recipient limit reached (${limits.recipients} per lease on the ${project.tier} tier).`, "EMAIL_RECIPIENT_LIMIT");
  }
  // Last of the checks, so a credit is only spent on a send that goes out.
  if (mb.sendsToday >= limits.daily && !spendOwnerCredit(ctx.state, project)) {
    fail(429, "rate_limited", `Daily send limit reached (${limits.daily} per day on the ${project.tier} tier).`, "EMAIL_DAILY_LIMIT", { retryable: true });
  }

  const id = newId("msg");
  const now = new Date();
  const from = body.from_name ? { name: body.from_name, address: mb.address } : mb.address;
  const bytes = await compose({
    from, to, subject: content.subject, text: content.text, html: content.html, date: now, messageId: messageIdHeader(id),
    ...(answered ? { inReplyTo: answered.messageIdHeader, references: [answered.messageIdHeader] } : {}),
  });
  mb.sendsToday += 1;
  mb.recipients.add(recipient);
  mb.updatedAt = now.toISOString();
  // What SES would report next, known at once for the simulator's fixed addresses.
  const status = recipient === BOUNCE ? "bounced" : recipient === COMPLAINT ? "complained" : "delivered";
  const message = {
    id, direction: "outbound", template: body.template ?? null, to, from: mb.address, fromName: body.from_name ?? null,
    subject: content.subject, text: content.text, html: content.html, variables: body.template ? { ...body.variables } : null,
    status, createdAt: now.toISOString(), messageIdHeader: messageIdHeader(id), inReplyTo: answered?.id ?? null, raw: bytes, replies: [],
  };
  mb.messages.set(id, message);
  const event = { message_id: id, mailbox_id: mb.id, to, subject: content.subject };
  if (status === "bounced") {
    mb.suppressed.add(recipient);
    emit(ctx.state, mb, "bounced", { ...event, bounce_type: "Permanent" });
  } else {
    emit(ctx.state, mb, "delivery", event);
    if (status === "complained") emit(ctx.state, mb, "complained", { ...event, complaint_type: "abuse" });
  }
  return json(201, { message_id: id, status: "sent", to, template: message.template, subject: content.subject, sent_at: message.createdAt });
}

function summary(m) {
  return { id: m.id, direction: m.direction, template: m.template, to: m.to, status: m.status, created_at: m.createdAt };
}

function listMessages(ctx) {
  const { mb } = ownMailbox(ctx);
  const q = ctx.url.searchParams;
  for (const key of q.keys()) if (!["limit", "after", "direction"].includes(key)) badField(key, `Unknown query parameter "${key}".`);
  const limitText = q.get("limit");
  const limit = limitText === null ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !/^\d+$/.test(limitText ?? "50")) badField("limit", '"limit" must be a whole number from 1 to 100.');
  const direction = q.get("direction");
  if (direction !== null && direction !== "inbound" && direction !== "outbound") badField("direction", '"direction" must be inbound or outbound.');
  let list = [...mb.messages.values()];
  const after = q.get("after");
  if (after !== null) {
    const i = list.findIndex((m) => m.id === after);
    if (i < 0) badField("after", `"after" must be a message id of this mailbox.`);
    list = list.slice(i + 1);
  }
  if (direction) list = list.filter((m) => m.direction === direction);
  return json(200, list.slice(0, limit).map(summary));
}

function message(ctx, mb) {
  const m = mb.messages.get(ctx.params.message);
  if (!m) fail(404, "message_not_found", `No message ${ctx.params.message} in this mailbox.`, "MESSAGE_NOT_FOUND");
  return m;
}

function getMessage(ctx) {
  const { mb } = ownMailbox(ctx);
  const m = message(ctx, mb);
  const detail = { ...summary(m), from: m.from, subject: m.subject, variables: m.variables };
  if (m.direction === "outbound") {
    detail.replies = m.replies.map((r) => ({ id: r.id, from: r.from, body: r.text, received_at: r.createdAt }));
  } else {
    detail.in_reply_to = m.inReplyTo;
  }
  return json(200, detail);
}

/** Raw bytes exist for received mail only; a sent message's id is a 404, as the CLI docs say. */
function getRaw(ctx) {
  const { mb } = ownMailbox(ctx);
  const m = message(ctx, mb);
  if (m.direction !== "inbound") fail(404, "raw_not_available", "Raw MIME is kept for received messages only.", "RAW_NOT_AVAILABLE");
  return { status: 200, headers: { "content-type": "message/rfc822" }, body: m.raw };
}

// ── webhooks ──

function webhookSummary(w) {
  return { webhook_id: w.id, url: w.url, events: [...w.events], created_at: w.createdAt };
}

function checkUrl(url) {
  let parsed = null;
  try {
    parsed = typeof url === "string" ? new URL(url) : null;
  } catch {}
  if (!parsed || !["http:", "https:"].includes(parsed.protocol)) badField("url", '"url" must be an http(s) URL.');
  return url;
}

function checkEvents(events) {
  if (!Array.isArray(events) || events.length === 0 || !events.every((e) => EVENTS.includes(e))) {
    badField("events", `"events" must be a non-empty array of ${EVENTS.join(", ")}.`, "INVALID_EVENTS");
  }
  return [...new Set(events)];
}

function registerWebhook(ctx) {
  const { mb } = ownMailbox(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["url", "events"] });
  const url = checkUrl(body.url);
  const events = checkEvents(body.events);
  const w = { id: newId("wh"), url, events, secret: `whsec_${randomBytes(24).toString("hex")}`, createdAt: new Date().toISOString() };
  mb.webhooks.set(w.id, w);
  return json(201, webhookSummary(w));
}

function listWebhooks(ctx) {
  return json(200, { webhooks: [...ownMailbox(ctx).mb.webhooks.values()].map(webhookSummary) });
}

function webhook(ctx, mb) {
  const w = mb.webhooks.get(ctx.params.webhook);
  if (!w) fail(404, "webhook_not_found", `No webhook ${ctx.params.webhook} on this mailbox.`, "WEBHOOK_NOT_FOUND");
  return w;
}

function getWebhook(ctx) {
  const { mb } = ownMailbox(ctx);
  return json(200, webhookSummary(webhook(ctx, mb)));
}

function updateWebhook(ctx) {
  const { mb } = ownMailbox(ctx);
  const w = webhook(ctx, mb);
  const body = jsonObjectBody(ctx, { allowed: ["url", "events"] });
  if (body.url === undefined && body.events === undefined) fail(400, "invalid_body", "Send url and/or events.", "EMPTY_UPDATE");
  const url = body.url === undefined ? w.url : checkUrl(body.url);
  const events = body.events === undefined ? w.events : checkEvents(body.events);
  Object.assign(w, { url, events });
  return json(200, webhookSummary(w));
}

/** Idempotent, as the CLI docs say: deleting a webhook that is gone succeeds. */
function deleteWebhook(ctx) {
  const { mb } = ownMailbox(ctx);
  expectNoBody(ctx);
  mb.webhooks.delete(ctx.params.webhook);
  return json(200, { status: "deleted", webhook_id: ctx.params.webhook });
}

/** Queues one delivery of `type` to every webhook of the mailbox subscribed to it. */
function emit(state, mb, type, payload) {
  for (const w of mb.webhooks.values()) {
    if (!w.events.includes(type)) continue;
    const key = newId("evt");
    const envelope = { id: key, type, created_at: new Date().toISOString(), schema_version: 1, idempotency_key: key, payload };
    const delivery = {
      delivery_id: newId("dlv"), webhook_id: w.id, mailbox_id: mb.id, event_type: type, status: "pending", attempts: 0,
      last_status: null, last_error: null, next_attempt_at: new Date().toISOString(), delivered_at: null,
      created_at: envelope.created_at, url: w.url, secret: w.secret, body: JSON.stringify(envelope), key,
    };
    mail(state).deliveries.push(delivery);
    schedule(state, delivery, 0);
  }
}

function schedule(state, delivery, delayMs) {
  const store = mail(state);
  const timer = setTimeout(() => {
    store.pending.delete(timer);
    attempt(state, delivery);
  }, delayMs);
  timer.unref?.();
  store.pending.add(timer);
}

/**
 * One POST with node's own client (not globalThis.fetch, which a test may
 * have replaced), redirects not followed; resolves to the status.
 */
function post(url, body, headers) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === "https:" ? https : http;
    const req = client.request(target, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) }, timeout: ATTEMPT_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end(body);
  });
}

async function attempt(state, d) {
  if (!stores.has(state)) return;
  d.status = "in_flight";
  d.attempts += 1;
  const signature = createHmac("sha256", d.secret).update(d.body).digest("hex");
  try {
    const status = await post(d.url, d.body, {
      "content-type": "application/json",
      "run402-webhook-id": d.key,
      "x-run402-event": d.event_type,
      "x-run402-signature": `sha256=${signature}`,
      "user-agent": "run402-sim-webhooks/1",
    });
    d.last_status = status;
    const ok = status >= 200 && status < 300;
    d.last_error = ok ? null : `HTTP ${status}`;
    if (ok) {
      d.status = "delivered";
      d.delivered_at = new Date().toISOString();
      d.next_attempt_at = null;
      return;
    }
  } catch (err) {
    d.last_status = null;
    d.last_error = String(err?.code ?? err?.message ?? err);
  }
  const wait = RETRY_DELAYS_MS[d.attempts - 1];
  if (wait === undefined || !stores.has(state)) {
    d.status = "failed_permanent";
    d.next_attempt_at = null;
    return;
  }
  d.status = "pending";
  d.next_attempt_at = new Date(Date.now() + wait).toISOString();
  schedule(state, d, wait);
}

// ── /__sim/ ──

/**
 * POST {to (a mailbox address or id), raw} or {to, from, subject?, text?,
 * html?, in_reply_to? (an outbound message id)}: mail arriving from outside.
 * Threaded by its In-Reply-To header; answers the stored message's id.
 */
async function inbound(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["to", "raw", "from", "subject", "text", "html", "in_reply_to"] });
  const store = mail(ctx.state);
  const mb = [...store.mailboxes.values()].find((m) => m.id === body.to || m.address === String(body.to ?? "").toLowerCase());
  if (!mb) fail(404, "mailbox_not_found", `No mailbox ${body.to}.`, "MAILBOX_NOT_FOUND");
  let bytes;
  if (body.raw !== undefined) {
    if (typeof body.raw !== "string" || body.raw === "") badField("raw", '"raw" must be the RFC 822 text of the message.');
    bytes = Buffer.from(body.raw, "utf8");
  } else {
    if (typeof body.from !== "string" || !ADDRESS.test(body.from.replace(/^.*<|>$/g, ""))) badField("from", '"from" must be an email address.');
    const answered = body.in_reply_to === undefined ? null : mb.messages.get(body.in_reply_to);
    if (body.in_reply_to !== undefined && !answered) badField("in_reply_to", `No message ${body.in_reply_to} in this mailbox.`);
    bytes = await compose({
      from: body.from, to: mb.address, subject: body.subject ?? (answered ? `Re: ${answered.subject}` : "(no subject)"),
      text: body.text ?? "", ...(body.html ? { html: body.html } : {}), date: new Date(),
      messageId: `<${randomBytes(8).toString("hex")}@inbound.example>`,
      ...(answered ? { inReplyTo: answered.messageIdHeader, references: [answered.messageIdHeader] } : {}),
    });
  }
  const parsed = await simpleParser(bytes);
  const replyTo = parsed.inReplyTo ? [...mb.messages.values()].find((m) => m.messageIdHeader === parsed.inReplyTo.trim()) : null;
  const id = newId("msg");
  const received = {
    id, direction: "inbound", template: null, to: mb.address, from: parsed.from?.value?.[0]?.address ?? parsed.from?.text ?? "",
    subject: parsed.subject ?? "", text: (parsed.text ?? "").trim(), html: parsed.html || null, variables: null, status: "received",
    createdAt: new Date().toISOString(), messageIdHeader: parsed.messageId ?? null, inReplyTo: replyTo?.id ?? null, raw: bytes, replies: [],
  };
  mb.messages.set(id, received);
  if (replyTo) replyTo.replies.push(received);
  emit(ctx.state, mb, "reply_received", { message_id: replyTo?.id ?? null, reply_id: id, mailbox_id: mb.id, from: received.from, subject: received.subject });
  return json(201, { message_id: id, in_reply_to: received.inReplyTo, from: received.from, subject: received.subject });
}

/** GET: a stored message as the simulator holds it (rendered parts, MIME as text). */
function inspectMessage(ctx) {
  for (const mb of mail(ctx.state).mailboxes.values()) {
    const m = mb.messages.get(ctx.params.message);
    if (m) {
      const { raw, messageIdHeader, fromName, replies, ...rest } = m;
      return json(200, { ...rest, mailbox_id: mb.id, message_id_header: messageIdHeader, from_name: fromName, replies: replies.map((r) => r.id), raw: raw.toString("utf8") });
    }
  }
  fail(404, "message_not_found", `No message ${ctx.params.message}.`, "MESSAGE_NOT_FOUND");
}

/** GET: a webhook's signing secret and its deliveries so far. */
function inspectWebhook(ctx) {
  const store = mail(ctx.state);
  for (const mb of store.mailboxes.values()) {
    const w = mb.webhooks.get(ctx.params.webhook);
    if (w) {
      const deliveries = store.deliveries.filter((d) => d.webhook_id === w.id).map(({ secret, body, key, ...d }) => ({ ...d, idempotency_key: key, body: JSON.parse(body) }));
      return json(200, { webhook_id: w.id, mailbox_id: mb.id, secret: w.secret, deliveries });
    }
  }
  fail(404, "webhook_not_found", `No webhook ${ctx.params.webhook}.`, "WEBHOOK_NOT_FOUND");
}

/** POST {mailbox_id}: midnight UTC for that mailbox, its daily count starts again. */
function newDay(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["mailbox_id"] });
  const mb = mail(ctx.state).mailboxes.get(body.mailbox_id);
  if (!mb) fail(404, "mailbox_not_found", `No mailbox ${body.mailbox_id}.`, "MAILBOX_NOT_FOUND");
  mb.sendDay = "";
  return json(200, record(mb));
}

export function register(router) {
  router.add("POST", "/mailboxes/v1", createMailbox);
  router.add("GET", "/mailboxes/v1", listMailboxes);
  router.add("DELETE", "/mailboxes/v1/:mailbox", deleteMailbox);
  router.add("POST", "/mailboxes/v1/:mailbox/messages", send);
  router.add("GET", "/mailboxes/v1/:mailbox/messages", listMessages);
  router.add("GET", "/mailboxes/v1/:mailbox/messages/:message", getMessage);
  router.add("GET", "/mailboxes/v1/:mailbox/messages/:message/raw", getRaw);
  router.add("POST", "/mailboxes/v1/:mailbox/webhooks", registerWebhook);
  router.add("GET", "/mailboxes/v1/:mailbox/webhooks", listWebhooks);
  router.add("GET", "/mailboxes/v1/:mailbox/webhooks/:webhook", getWebhook);
  router.add("PATCH", "/mailboxes/v1/:mailbox/webhooks/:webhook", updateWebhook);
  router.add("DELETE", "/mailboxes/v1/:mailbox/webhooks/:webhook", deleteWebhook);
}

export function registerControl(control) {
  control.add("POST", "/__sim/email/inbound", inbound);
  control.add("GET", "/__sim/email/messages/:message", inspectMessage);
  control.add("GET", "/__sim/email/webhooks/:webhook", inspectWebhook);
  control.add("POST", "/__sim/email/new-day", newDay);
}

/** Stops pending webhook retries (server close). */
export function stopDeliveries(state) {
  const store = stores.get(state);
  if (!store) return;
  for (const timer of store.pending) clearTimeout(timer);
  store.pending.clear();
  stores.delete(state);
}
