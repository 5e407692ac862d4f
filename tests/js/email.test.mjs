// r.email and r.email.webhooks end to end: the built package against the
// simulator (one mailbox per project, templates rendered into real RFC 822
// MIME, daily send counters, inbound replies injected through /__sim/,
// webhooks POSTed to a receiver this file runs on 127.0.0.1, signed and
// retried), every member and its error paths, the provider's mailbox cache,
// scoped clients.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";

import { sdk, simulator, sim, client, withProject, rejectsKind } from "./helpers.mjs";

const { simpleParser } = createRequire(import.meta.url)("mailparser");

before(async () => { await simulator(); });

const requests = async () => sim("requests");
const logLength = async () => (await requests()).length;
const since = async (n) => (await requests()).slice(n).map((r) => `${r.method} ${r.path}`);

let slugCounter = 0;
const uniqueSlug = () => `box-${process.pid}-${++slugCounter}`;

/** A project with a mailbox, made through the SDK (so the provider caches it). */
async function withMailbox() {
  const made = await withProject();
  const mailbox = await made.r.email.createMailbox(made.id, uniqueSlug());
  return { ...made, mailbox };
}

/** A webhook receiver on 127.0.0.1: answers each request with the next planned status (then 200). */
let receiver;
before(async () => {
  const got = [];
  const waiters = [];
  const plan = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const status = plan.shift() ?? 200;
      got.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), status });
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "not now");
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver = {
    url: (path) => `http://127.0.0.1:${server.address().port}${path}`,
    got,
    plan,
    /** The requests to `path`, once there are at least `n` of them (5 s at most). */
    async waitFor(path, n) {
      const deadline = Date.now() + 5000;
      for (;;) {
        const matching = got.filter((g) => g.path === path);
        if (matching.length >= n) return matching;
        if (Date.now() > deadline) throw new Error(`only ${matching.length} of ${n} deliveries reached ${path}`);
        await new Promise((resolve) => { waiters.push(resolve); setTimeout(resolve, 100); });
      }
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
});
after(() => receiver?.close());

let hookCounter = 0;
const hookPath = () => `/hook-${++hookCounter}`;

/** `HMAC-SHA256(secret, body)` as the simulator signs deliveries. */
const sign = (secret, body) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

// ── mailboxes ──

test("createMailbox makes the mailbox and caches it; getMailbox and its aliases read it", async () => {
  const { r, credentials, id } = await withProject();
  const slug = uniqueSlug();
  const from = await logLength();
  const made = await r.email.createMailbox(id, slug);
  assert.equal(made.address, `${slug}@mail.run402.com`);
  assert.match(made.mailbox_id, /^mbx_/);
  assert.deepEqual([made.slug, made.project_id, made.status, made.sends_today, made.unique_recipients], [slug, id, "active", 0, 0]);
  const [sent] = (await requests()).slice(from);
  assert.deepEqual([sent.method, sent.path, JSON.parse(sent.body)], ["POST", "/mailboxes/v1", { slug, project_id: id }]);
  assert.equal(sent.headers.authorization, `Bearer ${credentials.projects.get(id).service_key}`);
  assert.deepEqual(credentials.calls.filter((c) => c[0] === "updateProject").map((c) => c.slice(1)), [[id, { mailbox_id: made.mailbox_id, mailbox_address: made.address }]]);
  assert.equal(credentials.projects.get(id).mailbox_id, made.mailbox_id, "the provider now holds the mailbox");

  assert.deepEqual(await r.email.getMailbox(id), made);
  for (const alias of ["status", "info"]) assert.equal(r.email[alias], r.email.getMailbox, `${alias} is getMailbox`);
  assert.equal(r.email.create, r.email.createMailbox);
  assert.equal(r.email.delete, r.email.deleteMailbox);
  assert.equal((await r.email.info(id)).mailbox_id, made.mailbox_id);

  // Idempotent: the gateway's 409 (one mailbox per project) answers the existing one.
  const again = await r.email.create(id, uniqueSlug());
  assert.equal(again.mailbox_id, made.mailbox_id);
  // A slug another project holds is a 409 this project cannot recover from.
  const other = await withProject();
  const taken = await rejectsKind(other.r.email.createMailbox(other.id, slug), "api_error");
  assert.deepEqual([taken.status, taken.code], [409, "SLUG_TAKEN"]);
});

test("createMailbox and getMailbox: local slug checks, a missing mailbox, an unknown project", async () => {
  const { r, id } = await withProject();
  const from = await logLength();
  for (const bad of ["ab", "-abc", "abc-", "a--b", "Upper", "under_score", "x".repeat(64)]) {
    await rejectsKind(r.email.createMailbox(id, bad), "local_error");
  }
  await rejectsKind(r.email.createMailbox(id), "local_error");
  await rejectsKind(r.email.createMailbox("prj/../x", "abc"), "local_error");
  assert.equal(await logLength(), from, "nothing was sent");
  const none = await rejectsKind(r.email.getMailbox(id), "api_error");
  assert.deepEqual([none.status, none.body, none.context], [404, null, "getting mailbox"]);
  await rejectsKind(r.email.getMailbox("prj_missing"), "project_not_found", (e) => assert.equal(e.projectId, "prj_missing"));
});

// ── sending ──

test("send in template mode: the gateway renders the template into real MIME", async () => {
  const { r, id, mailbox } = await withMailbox();
  const from = await logLength();
  const sent = await r.email.send(id, {
    to: "alice@example.com", template: "project_invite", from_name: "Acme App",
    variables: { project_name: "Acme <Beta>", invite_url: "https://acme.example/invite?t=1" },
  });
  assert.match(sent.message_id, /^msg_/);
  assert.deepEqual([sent.status, sent.to, sent.template, sent.subject], ["sent", "alice@example.com", "project_invite", "You're invited to Acme <Beta>"]);
  assert.ok(!Number.isNaN(Date.parse(sent.sent_at)));
  // Cached mailbox: one request, no listing.
  const wire = (await requests()).slice(from);
  assert.deepEqual(wire.map((w) => `${w.method} ${w.path}`), [`POST /mailboxes/v1/${mailbox.mailbox_id}/messages`]);
  assert.deepEqual(JSON.parse(wire[0].body), {
    to: "alice@example.com", template: "project_invite",
    variables: { project_name: "Acme <Beta>", invite_url: "https://acme.example/invite?t=1" }, from_name: "Acme App",
  });

  const stored = await sim(`email/messages/${sent.message_id}`);
  const mime = await simpleParser(Buffer.from(stored.raw));
  assert.equal(mime.subject, "You're invited to Acme <Beta>");
  assert.deepEqual(mime.from.value, [{ address: mailbox.address, name: "Acme App" }]);
  assert.equal(mime.to.text, "alice@example.com");
  assert.equal(mime.messageId, `<${sent.message_id}@mail.run402.com>`);
  assert.match(mime.text, /invited to Acme <Beta>/);
  assert.match(mime.html, /Acme &lt;Beta&gt;/, "variables are escaped in the HTML part");
  assert.match(mime.html, /href="https:\/\/acme\.example\/invite\?t=1"/);

  const detail = await r.email.get(id, sent.message_id);
  assert.deepEqual([detail.id, detail.template, detail.to, detail.status], [sent.message_id, "project_invite", "alice@example.com", "delivered"]);
  assert.deepEqual(detail.variables, { project_name: "Acme <Beta>", invite_url: "https://acme.example/invite?t=1" });
  assert.deepEqual(detail.replies, []);

  for (const [template, variables, subject] of [
    ["magic_link", { project_name: "Acme", link_url: "https://acme.example/l", expires_in: "15 minutes" }, "Your sign-in link for Acme"],
    ["notification", { project_name: "Acme", message: "Deploy finished" }, "Notification from Acme"],
  ]) {
    const s = await r.email.send(id, { to: "bob@example.com", template, variables });
    assert.equal(s.subject, subject);
    assert.match((await simpleParser(Buffer.from((await sim(`email/messages/${s.message_id}`)).raw))).text, new RegExp(Object.values(variables).at(-1)));
  }
  // What the template needs is the gateway's rule.
  const missing = await rejectsKind(r.email.send(id, { to: "bob@example.com", template: "magic_link", variables: { project_name: "Acme" } }), "api_error");
  assert.deepEqual([missing.status, missing.code, missing.details], [400, "MISSING_VARIABLES", { missing: ["link_url", "expires_in"] }]);
  const long = await rejectsKind(r.email.send(id, { to: "b@example.com", template: "notification", variables: { project_name: "A", message: "x".repeat(501) } }), "api_error");
  assert.equal(long.status, 400);
});

test("send in raw mode: subject + html, plain text made from the HTML, in_reply_to threads", async () => {
  const { r, id } = await withMailbox();
  const sent = await r.email.send(id, { to: "carol@example.com", subject: "Welcome", html: "<h1>Hi</h1><p>Good to see you &amp; yours</p>" });
  assert.deepEqual([sent.template, sent.subject], [null, "Welcome"]);
  const mime = await simpleParser(Buffer.from((await sim(`email/messages/${sent.message_id}`)).raw));
  assert.equal(mime.html, "<h1>Hi</h1><p>Good to see you &amp; yours</p>");
  assert.match(mime.text, /Good to see you & yours/);
  const detail = await r.email.get(id, sent.message_id);
  assert.deepEqual([detail.template, detail.variables], [null, null]);

  const withText = await r.email.send(id, { to: "carol@example.com", subject: "Again", html: "<p>x</p>", text: "plain words", in_reply_to: sent.message_id });
  const second = await simpleParser(Buffer.from((await sim(`email/messages/${withText.message_id}`)).raw));
  assert.equal(second.text.trim(), "plain words");
  assert.equal(second.inReplyTo, `<${sent.message_id}@mail.run402.com>`);
  const badReply = await rejectsKind(r.email.send(id, { to: "c@example.com", subject: "s", html: "h", in_reply_to: "msg_nope" }), "api_error");
  assert.deepEqual([badReply.status, badReply.code], [400, "INVALID_IN_REPLY_TO"]);
  const badTo = await rejectsKind(r.email.send(id, { to: "two@example.com, three@example.com", subject: "s", html: "h" }), "api_error");
  assert.deepEqual([badTo.status, badTo.code], [400, "INVALID_RECIPIENT"]);
});

test("send: exactly one mode, checked before any request", async () => {
  const { r, id } = await withMailbox();
  const from = await logLength();
  const cases = [
    [{ to: "a@example.com" }, /either `template`/],
    [{ to: "a@example.com", template: "notification", subject: "s", html: "h" }, /not both/],
    [{ to: "a@example.com", subject: "s" }, /missing `html`/],
    [{ to: "a@example.com", html: "<p>" }, /missing `subject`/],
    [{ to: "a@example.com", template: "welcome" }, /must be one of project_invite, magic_link, notification/],
    [{ template: "notification", variables: {} }, /`to`/],
    [{ to: "a@example.com", subject: "", html: "", template: "" }, /either/],
  ];
  for (const [opts, message] of cases) {
    await rejectsKind(r.email.send(id, opts), "local_error", (e) => assert.match(e.message, message));
  }
  await rejectsKind(r.email.send(id), "local_error");
  await rejectsKind(r.email.send(id, "to a@example.com"), "local_error");
  assert.equal(await logLength(), from, "nothing was sent");
});

test("daily send counter: the tier's limit answers 429 until the UTC day turns; bounces suppress", async () => {
  const { r, id, mailbox } = await withMailbox(); // prototype: 10 per day
  for (let i = 0; i < 10; i++) await r.email.send(id, { to: `user${i}@example.com`, subject: `n${i}`, html: "<p>x</p>" });
  assert.equal((await r.email.getMailbox(id)).sends_today, 10);
  const limited = await rejectsKind(r.email.send(id, { to: "user0@example.com", subject: "one more", html: "<p>x</p>" }), "api_error");
  assert.deepEqual([limited.status, limited.code], [429, "EMAIL_DAILY_LIMIT"]);
  assert.equal(sdk.isRetryableRun402Error(limited), true, "a 429 is retryable");
  assert.equal((await r.email.getMailbox(id)).unique_recipients, 10);

  await sim("email/new-day", { mailbox_id: mailbox.mailbox_id });
  assert.equal((await r.email.getMailbox(id)).sends_today, 0);
  const bounced = await r.email.send(id, { to: "bounce@simulator.amazonses.com", subject: "s", html: "<p>x</p>" });
  assert.equal((await r.email.get(id, bounced.message_id)).status, "bounced");
  const suppressed = await rejectsKind(r.email.send(id, { to: "bounce@simulator.amazonses.com", subject: "s", html: "h" }), "api_error");
  assert.deepEqual([suppressed.status, suppressed.code], [422, "RECIPIENT_SUPPRESSED"]);
});

// ── reading ──

test("list pages with limit and after; get and list resolve and cache the mailbox when the provider has none", async () => {
  const { r, id, credentials, mailbox } = await withMailbox();
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await r.email.send(id, { to: "dan@example.com", subject: `s${i}`, html: "<p>x</p>" })).message_id);
  const all = await r.email.list(id);
  assert.deepEqual(all.map((m) => m.id), ids, "oldest first");
  assert.deepEqual(Object.keys(all[0]).sort(), ["created_at", "direction", "id", "status", "template", "to"]);
  assert.deepEqual((await r.email.list(id, { limit: 2 })).map((m) => m.id), ids.slice(0, 2));
  assert.deepEqual((await r.email.list(id, { after: ids[0], limit: 1 })).map((m) => m.id), [ids[1]]);
  await rejectsKind(r.email.list(id, { limit: 0 }), "local_error");
  await rejectsKind(r.email.list(id, { limit: 2.5 }), "local_error");
  const badCursor = await rejectsKind(r.email.list(id, { after: "msg_unknown" }), "api_error");
  assert.equal(badCursor.status, 400);

  // A provider that knows the keys but not the mailbox: the first listed one, cached with updateProject.
  const fresh = await client();
  fresh.credentials.projects.set(id, { anon_key: credentials.projects.get(id).anon_key, service_key: credentials.projects.get(id).service_key });
  const from = await logLength();
  assert.equal((await fresh.r.email.get(id, ids[2])).id, ids[2]);
  assert.deepEqual(await since(from), ["GET /mailboxes/v1", `GET /mailboxes/v1/${mailbox.mailbox_id}/messages/${ids[2]}`]);
  assert.equal(fresh.credentials.projects.get(id).mailbox_address, mailbox.address);
  const next = await logLength();
  await fresh.r.email.list(id, { limit: 1 });
  assert.deepEqual(await since(next), [`GET /mailboxes/v1/${mailbox.mailbox_id}/messages?limit=1`], "the second call uses the cache");

  const missing = await rejectsKind(r.email.get(id, "msg_0000"), "api_error");
  assert.deepEqual([missing.status, missing.code], [404, "MESSAGE_NOT_FOUND"]);
  await rejectsKind(r.email.get(id, "../../etc"), "local_error");
  await rejectsKind(r.email.get(id, ""), "local_error");
});

test("an inbound reply shows up in get; getRaw returns its RFC 822 bytes, which mailparser reads back", async () => {
  const { r, id, mailbox } = await withMailbox();
  const sent = await r.email.send(id, { to: "erin@example.com", template: "notification", variables: { project_name: "Acme", message: "Your report is ready" } });
  const injected = await sim("email/inbound", { to: mailbox.address, from: "Erin <erin@example.com>", in_reply_to: sent.message_id, text: "Thanks, got it!" });
  assert.equal(injected.in_reply_to, sent.message_id);

  const detail = await r.email.get(id, sent.message_id);
  assert.equal(detail.replies.length, 1);
  const [reply] = detail.replies;
  assert.deepEqual([reply.id, reply.from, reply.body], [injected.message_id, "erin@example.com", "Thanks, got it!"]);
  assert.ok(!Number.isNaN(Date.parse(reply.received_at)));

  const raw = await r.email.getRaw(id, reply.id);
  assert.equal(raw.content_type, "message/rfc822");
  assert.ok(raw.bytes instanceof Uint8Array, "bytes stay bytes");
  const mime = await simpleParser(Buffer.from(raw.bytes));
  assert.equal(mime.subject, "Re: Notification from Acme");
  assert.equal(mime.inReplyTo, `<${sent.message_id}@mail.run402.com>`);
  assert.deepEqual(mime.from.value, [{ address: "erin@example.com", name: "Erin" }]);
  assert.equal(mime.to.text, mailbox.address);
  assert.equal(mime.text.trim(), "Thanks, got it!");

  // Raw MIME straight from outside (a client that threads by References too).
  const own = await simpleParser(Buffer.from((await sim(`email/messages/${sent.message_id}`)).raw));
  const text = [
    "From: frank@example.com", `To: ${mailbox.address}`, "Subject: Re: hello", `In-Reply-To: ${own.messageId}`,
    "Message-ID: <raw-1@example.com>", "Content-Type: text/plain; charset=utf-8", "", "Second reply, written by hand.", "",
  ].join("\r\n");
  const second = await sim("email/inbound", { to: mailbox.mailbox_id, raw: text });
  assert.equal(second.in_reply_to, sent.message_id);
  const bytes = (await r.email.getRaw(id, second.message_id)).bytes;
  assert.equal(Buffer.from(bytes).toString("utf8"), text, "the bytes are the ones received, unchanged");
  assert.deepEqual((await r.email.get(id, sent.message_id)).replies.map((x) => x.from), ["erin@example.com", "frank@example.com"]);
  assert.deepEqual((await r.email.list(id)).map((m) => m.direction), ["outbound", "inbound", "inbound"]);

  // Raw MIME is kept for received mail only; the raw call carries the service key only.
  const from = await logLength();
  const outbound = await rejectsKind(r.email.getRaw(id, sent.message_id), "api_error");
  assert.deepEqual([outbound.status, outbound.context, outbound.body.code], [404, "fetching raw MIME", "RAW_NOT_AVAILABLE"]);
  const [rawReq] = (await requests()).slice(from);
  assert.equal(rawReq.path, `/mailboxes/v1/${mailbox.mailbox_id}/messages/${sent.message_id}/raw`);
  await rejectsKind(r.email.getRaw(id, "a/b"), "local_error");
});

// ── deleting, and mailboxes that are not yours ──

test("deleteMailbox deletes the cached mailbox and clears the cache; later calls find none", async () => {
  const { r, id, credentials, mailbox } = await withMailbox();
  const from = await logLength();
  assert.deepEqual(await r.email.deleteMailbox(id), { mailbox_id: mailbox.mailbox_id, address: mailbox.address });
  assert.deepEqual(await since(from), [`DELETE /mailboxes/v1/${mailbox.mailbox_id}`]);
  const last = credentials.calls.filter((c) => c[0] === "updateProject").at(-1);
  assert.deepEqual(Object.entries(last[2]), [["mailbox_id", undefined], ["mailbox_address", undefined]], "both fields cleared");
  assert.equal(credentials.projects.get(id).mailbox_id, undefined);

  const none = await rejectsKind(r.email.send(id, { to: "a@example.com", subject: "s", html: "h" }), "api_error");
  assert.deepEqual([none.status, none.body, none.context], [404, null, "resolving mailbox"]);
  const nothing = await rejectsKind(r.email.delete(id), "api_error");
  assert.deepEqual([nothing.status, nothing.context], [404, "deleting mailbox"]);
  assert.match(nothing.message, /nothing to delete/);

  // A mailbox id that is another project's: the gateway's 403.
  const other = await withMailbox();
  const foreign = await rejectsKind(r.email.deleteMailbox(id, other.mailbox.mailbox_id), "unauthorized");
  assert.equal(foreign.status, 403);
  credentials.projects.set(id, { ...credentials.projects.get(id), mailbox_id: other.mailbox.mailbox_id });
  await rejectsKind(r.email.list(id), "unauthorized", (e) => assert.equal(e.body.code, "MAILBOX_FORBIDDEN"));
  await rejectsKind(r.email.getRaw(id, "msg_1"), "api_error", (e) => assert.equal(e.status, 403));
  // A cached id that would change the path is refused locally.
  credentials.projects.set(id, { ...credentials.projects.get(id), mailbox_id: "../v1" });
  await rejectsKind(r.email.list(id), "local_error", (e) => assert.match(e.message, /not a single path segment/));
});

// ── webhooks ──

test("webhooks: register, list, get, update, delete on the project's mailbox", async () => {
  const { r, id, mailbox } = await withMailbox();
  const url = receiver.url(hookPath());
  const from = await logLength();
  const hook = await r.email.webhooks.register(id, { url, events: ["delivery", "reply_received"] });
  assert.match(hook.webhook_id, /^wh_/);
  assert.deepEqual([hook.url, hook.events], [url, ["delivery", "reply_received"]]);
  const [sent] = (await requests()).slice(from);
  assert.deepEqual([sent.method, sent.path, JSON.parse(sent.body)], ["POST", `/mailboxes/v1/${mailbox.mailbox_id}/webhooks`, { url, events: ["delivery", "reply_received"] }]);

  assert.deepEqual(await r.email.webhooks.list(id), { webhooks: [hook] });
  assert.deepEqual(await r.email.webhooks.get(id, hook.webhook_id), hook);
  const moved = await r.email.webhooks.update(id, hook.webhook_id, { url: `${url}-v2` });
  assert.deepEqual([moved.url, moved.events], [`${url}-v2`, ["delivery", "reply_received"]]);
  const narrowed = await r.email.webhooks.update(id, hook.webhook_id, { events: ["bounced"] });
  assert.deepEqual([narrowed.url, narrowed.events], [`${url}-v2`, ["bounced"]]);
  const before = await logLength();
  assert.equal(await r.email.webhooks.delete(id, hook.webhook_id), undefined);
  assert.deepEqual(await since(before), [`DELETE /mailboxes/v1/${mailbox.mailbox_id}/webhooks/${hook.webhook_id}`]);
  assert.deepEqual(await r.email.webhooks.list(id), { webhooks: [] });
  const gone = await rejectsKind(r.email.webhooks.get(id, hook.webhook_id), "api_error");
  assert.deepEqual([gone.status, gone.code], [404, "WEBHOOK_NOT_FOUND"]);
  assert.equal(await r.email.webhooks.delete(id, hook.webhook_id), undefined, "deleting is idempotent");
});

test("webhooks: local checks come before the mailbox is looked up", async () => {
  const { r, id } = await withMailbox();
  const fresh = await client();
  const from = await logLength();
  const url = receiver.url("/never");
  for (const opts of [undefined, {}, { url }, { events: ["delivery"] }, { url: "ftp://x.example", events: ["delivery"] }, { url, events: [] }, { url, events: ["opened"] }, { url, events: "delivery" }]) {
    await rejectsKind(r.email.webhooks.register(id, opts), "local_error");
  }
  await rejectsKind(r.email.webhooks.update(id, "wh_1", {}), "local_error", (e) => assert.match(e.message, /at least one to update/));
  await rejectsKind(r.email.webhooks.update(id, "wh_1", { url: "not a url" }), "local_error");
  await rejectsKind(r.email.webhooks.update(id, "", { url }), "local_error");
  await rejectsKind(r.email.webhooks.get(id, "wh/1"), "local_error");
  await rejectsKind(r.email.webhooks.delete(id), "local_error");
  await rejectsKind(fresh.r.email.webhooks.update("prj_unknown", "wh_1", {}), "local_error", undefined);
  assert.equal(await logLength(), from, "nothing was sent");
  await rejectsKind(fresh.r.email.webhooks.list("prj_unknown"), "project_not_found");
});

test("a webhook delivery is POSTed to the receiver, signed, and retried with the same id after a failure", async () => {
  const { r, id, mailbox } = await withMailbox();
  const path = hookPath();
  const hook = await r.email.webhooks.register(id, { url: receiver.url(path), events: ["delivery", "bounced", "reply_received"] });
  const { secret } = await sim(`email/webhooks/${hook.webhook_id}`);
  assert.match(secret, /^whsec_/);

  receiver.plan.push(500); // the receiver is down for the first attempt
  const sent = await r.email.send(id, { to: "gina@example.com", subject: "Hello", html: "<p>hi</p>" });
  const attempts = await receiver.waitFor(path, 2);
  assert.deepEqual(attempts.map((a) => a.status), [500, 200]);
  const [first, second] = attempts;
  assert.equal(first.body, second.body, "a retry resends the same body");
  assert.equal(first.headers["run402-webhook-id"], second.headers["run402-webhook-id"]);
  for (const a of attempts) {
    assert.equal(a.headers["content-type"], "application/json");
    assert.equal(a.headers["x-run402-signature"], sign(secret, a.body), "the signature verifies with the webhook's secret");
    assert.notEqual(a.headers["x-run402-signature"], sign("whsec_wrong", a.body));
  }
  const envelope = JSON.parse(second.body);
  assert.deepEqual([envelope.type, envelope.idempotency_key, envelope.schema_version], ["delivery", second.headers["run402-webhook-id"], 1]);
  assert.deepEqual(envelope.payload, { message_id: sent.message_id, mailbox_id: mailbox.mailbox_id, to: "gina@example.com", subject: "Hello" });
  const record = (await sim(`email/webhooks/${hook.webhook_id}`)).deliveries[0];
  assert.deepEqual([record.status, record.attempts, record.last_status], ["delivered", 2, 200]);

  // A reply and a bounce each arrive as their own event; events not subscribed to do not.
  await sim("email/inbound", { to: mailbox.address, from: "gina@example.com", in_reply_to: sent.message_id, text: "Got it" });
  await r.email.send(id, { to: "bounce@simulator.amazonses.com", subject: "x", html: "<p>x</p>" });
  await r.email.webhooks.update(id, hook.webhook_id, { events: ["complained"] });
  await r.email.send(id, { to: "hank@example.com", subject: "x", html: "<p>x</p>" });
  const all = await receiver.waitFor(path, 4);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const types = receiver.got.filter((g) => g.path === path && g.status === 200).map((g) => JSON.parse(g.body).type);
  assert.deepEqual(types.sort(), ["bounced", "delivery", "reply_received"]);
  const reply = JSON.parse(all.find((g) => JSON.parse(g.body).type === "reply_received").body);
  assert.equal(reply.payload.message_id, sent.message_id);
  for (const g of all) assert.equal(g.headers["x-run402-signature"], sign(secret, g.body));
});

test("a receiver that keeps failing: bounded retries, then failed_permanent", async () => {
  const { r, id } = await withMailbox();
  const path = hookPath();
  const hook = await r.email.webhooks.register(id, { url: receiver.url(path), events: ["delivery"] });
  receiver.plan.push(503, 503, 503, 503);
  await r.email.send(id, { to: "ivy@example.com", subject: "x", html: "<p>x</p>" });
  const tries = await receiver.waitFor(path, 4);
  assert.deepEqual(tries.map((t) => t.status), [503, 503, 503, 503]);
  let record;
  for (let i = 0; i < 20; i++) {
    record = (await sim(`email/webhooks/${hook.webhook_id}`)).deliveries[0];
    if (record.status === "failed_permanent") break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.deepEqual([record.status, record.attempts, record.last_status, record.last_error], ["failed_permanent", 4, 503, "HTTP 503"]);
});

// ── scoped clients ──

test("r.project(id).email and .email.webhooks drop the project id and have no CLI aliases", async () => {
  const { r, id } = await withProject();
  const p = await r.project(id);
  const made = await p.email.createMailbox(uniqueSlug());
  assert.equal((await p.email.getMailbox()).mailbox_id, made.mailbox_id);
  const sent = await p.email.send({ to: "jo@example.com", template: "notification", variables: { project_name: "P", message: "m" } });
  assert.deepEqual((await p.email.list({ limit: 5 })).map((m) => m.id), [sent.message_id]);
  assert.equal((await p.email.get(sent.message_id)).id, sent.message_id);
  const reply = await sim("email/inbound", { to: made.address, from: "jo@example.com", in_reply_to: sent.message_id, text: "ok" });
  assert.ok((await p.email.getRaw(reply.message_id)).bytes.length > 0);
  const hook = await p.email.webhooks.register({ url: receiver.url(hookPath()), events: ["bounced"] });
  assert.deepEqual((await p.email.webhooks.list()).webhooks.map((w) => w.webhook_id), [hook.webhook_id]);
  assert.equal((await p.email.webhooks.get(hook.webhook_id)).url, hook.url);
  assert.deepEqual((await p.email.webhooks.update(hook.webhook_id, { events: ["delivery"] })).events, ["delivery"]);
  assert.equal(await p.email.webhooks.delete(hook.webhook_id), undefined);
  for (const alias of ["create", "status", "info", "delete"]) assert.equal(p.email[alias], undefined, `no ${alias} on a scoped client`);
  assert.deepEqual(Object.keys(p.email), ["webhooks"]);
  assert.equal((await p.email.deleteMailbox()).mailbox_id, made.mailbox_id);
});

// ── the simulator's own rules, over plain HTTP ──

test("the gateway: service key only, strict bodies, its own checks behind the SDK's", async () => {
  const { id, credentials, mailbox } = await withMailbox();
  const base = await simulator();
  const { anon_key: anon, service_key: service } = credentials.projects.get(id);
  const call = (method, path, { key = service, body } = {}) => fetch(`${base}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, body: await res.json().catch(() => null) }));

  assert.equal((await call("GET", "/mailboxes/v1", { key: null })).status, 401);
  assert.deepEqual((await call("GET", "/mailboxes/v1", { key: anon })).body.code, "SERVICE_KEY_REQUIRED");
  const other = await withProject();
  assert.deepEqual((await call("POST", "/mailboxes/v1", { body: { slug: uniqueSlug(), project_id: other.id } })).status, 403);
  assert.deepEqual((await call("POST", "/mailboxes/v1", { key: other.credentials.projects.get(other.id).service_key, body: { slug: "a--b", project_id: other.id } })).body.code, "INVALID_SLUG");
  const unknown = await call("POST", `/mailboxes/v1/${mailbox.mailbox_id}/messages`, { body: { to: "a@example.com", subject: "s", html: "h", cc: "b@example.com" } });
  assert.deepEqual([unknown.status, unknown.body.code], [400, "UNKNOWN_FIELD"]);
  const both = await call("POST", `/mailboxes/v1/${mailbox.mailbox_id}/messages`, { body: { to: "a@example.com", template: "notification", subject: "s", html: "h" } });
  assert.deepEqual([both.status, both.body.code], [400, "INVALID_MODE"]);
  const events = await call("POST", `/mailboxes/v1/${mailbox.mailbox_id}/webhooks`, { body: { url: "https://h.example.com", events: ["opened"] } });
  assert.deepEqual([events.status, events.body.code], [400, "INVALID_EVENTS"]);
  const url = await call("POST", `/mailboxes/v1/${mailbox.mailbox_id}/webhooks`, { body: { url: "javascript:alert(1)", events: ["delivery"] } });
  assert.deepEqual([url.status, url.body.details.field], [400, "url"]);
  assert.equal((await call("PUT", `/mailboxes/v1/${mailbox.mailbox_id}/messages`)).status, 405);
  assert.equal((await call("GET", "/mailboxes/v1/mbx_nope/messages")).status, 404);
  const foreign = await call("GET", `/mailboxes/v1/${mailbox.mailbox_id}/webhooks`, { key: other.credentials.projects.get(other.id).service_key });
  assert.deepEqual([foreign.status, foreign.body.code], [403, "MAILBOX_FORBIDDEN"]);
  const raw = await fetch(`${base}/mailboxes/v1/${mailbox.mailbox_id}/messages/msg_x/raw`);
  assert.equal(raw.status, 401, "raw MIME needs the key too");
});
