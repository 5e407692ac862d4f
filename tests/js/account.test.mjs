// r.senderDomain and r.admin end to end: the built package against the
// simulator (sender domains with DNS records and a verification status moved
// through /__sim/, a per-wallet agent contact ladder, admin-only finance from
// the x402 ledger), every member and its error paths.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { siwxHeaders } from "../gateway/test-signer.mjs";
import { sdk, simulator, sim, client, withProject, rejectsKind, walletAuth, ADMIN_KEY } from "./helpers.mjs";

before(async () => { await simulator(); });

/** The requests the gateway logged from `since` (an index into the log) on. */
async function requestsSince(since) {
  return (await sim("requests")).slice(since);
}
const logLength = async () => (await sim("requests")).length;

/** A client signed in as a fresh wallet (so its agent contact starts empty). */
async function freshWallet() {
  const key = generatePrivateKey();
  const { r, credentials } = await client({ auth: walletAuth(key) });
  return { r, credentials, address: privateKeyToAccount(key).address.toLowerCase() };
}

let domainCounter = 0;
const uniqueDomain = () => `mail-${process.pid}-${++domainCounter}.example.com`;

// ── senderDomain ──

test("senderDomain: register, DNS check through /__sim/, inbound on and off, remove", async () => {
  const { r, credentials, id } = await withProject();
  const domain = uniqueDomain();
  assert.deepEqual(await r.senderDomain.status(id), { domain: null });

  const from = await logLength();
  const reg = await r.senderDomain.register(id, domain);
  assert.equal(reg.domain, domain);
  assert.equal(reg.status, "pending");
  assert.equal(typeof reg.instructions, "string");
  assert.equal(reg.dns_records.filter((d) => d.type === "CNAME" && d.name.endsWith(`._domainkey.${domain}`)).length, 3, "three DKIM records");
  assert.ok(reg.dns_records.some((d) => d.type === "TXT" && d.value.startsWith("v=spf1")), "an SPF record");
  const [sent] = await requestsSince(from);
  assert.deepEqual([sent.method, sent.path, JSON.parse(sent.body)], ["POST", "/email/v1/domains", { domain }]);
  assert.equal(sent.headers.authorization, `Bearer ${credentials.projects.get(id).service_key}`);

  // Registering the same domain again answers the same records; inbound needs verification.
  assert.deepEqual((await r.senderDomain.register(id, domain)).dns_records, reg.dns_records);
  assert.deepEqual(await r.senderDomain.status(id), { domain, status: "pending" });
  const early = await rejectsKind(r.senderDomain.enableInbound(id, domain), "api_error");
  assert.deepEqual([early.status, early.code], [409, "DOMAIN_NOT_VERIFIED"]);

  await sim("sender-domains", { domain, status: "verified" });
  const verified = await r.senderDomain.status(id);
  assert.equal(verified.status, "verified");
  assert.ok(!Number.isNaN(Date.parse(verified.verified_at)));

  assert.equal(r.senderDomain.inboundEnable, r.senderDomain.enableInbound, "the CLI alias is the same function");
  assert.equal(r.senderDomain.inboundDisable, r.senderDomain.disableInbound);
  const on = await r.senderDomain.inboundEnable(id, domain);
  assert.equal(on.status, "enabled");
  assert.match(on.mx_record, /^10 \S+$/);
  assert.equal((await sim("sender-domains", { domain, status: "verified" })).inbound, true, "the gateway now routes inbound mail");

  const before = await logLength();
  assert.deepEqual(await r.senderDomain.disableInbound(id, domain), { status: "disabled" });
  const [del] = await requestsSince(before);
  assert.deepEqual([del.method, del.path, JSON.parse(del.body)], ["DELETE", "/email/v1/domains/inbound", { domain }], "a DELETE with a JSON body");
  assert.match(del.headers["content-type"], /^application\/json/);
  assert.equal((await sim("sender-domains", { domain, status: "verified" })).inbound, false);

  assert.equal(await r.senderDomain.remove(id), undefined);
  assert.deepEqual(await r.senderDomain.status(id), { domain: null });
  const again = await rejectsKind(r.senderDomain.remove(id), "api_error");
  assert.deepEqual([again.status, again.code], [404, "SENDER_DOMAIN_NOT_FOUND"]);
});

test("senderDomain: a failed DNS check, conflicts and wrong domains are the gateway's errors", async () => {
  const { r, id } = await withProject();
  const other = await r.projects.provision({ tier: "prototype" });
  const domain = uniqueDomain();
  await r.senderDomain.register(id, domain);

  const taken = await rejectsKind(r.senderDomain.register(other.project_id, domain), "api_error");
  assert.deepEqual([taken.status, taken.code], [409, "DOMAIN_TAKEN"]);
  const second = await rejectsKind(r.senderDomain.register(id, uniqueDomain()), "api_error");
  assert.deepEqual([second.status, second.code], [409, "SENDER_DOMAIN_EXISTS"]);
  const invalid = await rejectsKind(r.senderDomain.register(other.project_id, "not a domain"), "api_error");
  assert.deepEqual([invalid.status, invalid.code], [400, "INVALID_DOMAIN"]);
  const reserved = await rejectsKind(r.senderDomain.register(other.project_id, "x.run402.com"), "api_error");
  assert.equal(reserved.code, "RESERVED_DOMAIN");
  const foreign = await rejectsKind(r.senderDomain.disableInbound(id, "someone-else.example.com"), "api_error");
  assert.deepEqual([foreign.status, foreign.code], [404, "SENDER_DOMAIN_NOT_FOUND"]);

  await sim("sender-domains", { domain, status: "verified" });
  await r.senderDomain.enableInbound(id, domain);
  const failed = await sim("sender-domains", { domain, status: "failed" });
  assert.deepEqual([failed.status, failed.verified_at, failed.inbound], ["failed", null, false], "a failed check stops inbound");
  assert.deepEqual(await r.senderDomain.status(id), { domain, status: "failed" });
  await rejectsKind(r.senderDomain.enableInbound(id, domain), "api_error");
});

test("senderDomain: local checks come before any request; the keys are the service key's", async () => {
  const { r, credentials, id } = await withProject();
  const from = await logLength();
  await rejectsKind(r.senderDomain.register(id, ""), "local_error");
  await rejectsKind(r.senderDomain.register(id, "   "), "local_error");
  await rejectsKind(r.senderDomain.register(id, 42), "local_error");
  await rejectsKind(r.senderDomain.enableInbound(id), "local_error");
  await rejectsKind(r.senderDomain.disableInbound(id, null), "local_error");
  await rejectsKind(r.senderDomain.status("prj_missing"), "project_not_found", (e) => assert.equal(e.projectId, "prj_missing"));
  await rejectsKind(r.senderDomain.remove(""), "local_error");
  assert.equal(await logLength(), from, "nothing was sent");

  // The gateway itself refuses the anon key and a missing key (raw requests).
  const base = await simulator();
  const { anon_key: anon } = credentials.projects.get(id);
  const asAnon = await fetch(`${base}/email/v1/domains`, { headers: { authorization: `Bearer ${anon}` } });
  assert.equal(asAnon.status, 403);
  assert.equal((await asAnon.json()).code, "SERVICE_KEY_REQUIRED");
  assert.equal((await fetch(`${base}/email/v1/domains`)).status, 401);
});

test("senderDomain on a scoped client drops the project id and has no CLI aliases", async () => {
  const { r, id } = await withProject();
  const p = await r.project(id);
  const domain = uniqueDomain();
  assert.equal((await p.senderDomain.register(domain)).domain, domain);
  assert.equal((await p.senderDomain.status()).status, "pending");
  await sim("sender-domains", { domain, status: "verified" });
  assert.equal((await p.senderDomain.enableInbound(domain)).status, "enabled");
  assert.equal((await p.senderDomain.disableInbound(domain)).status, "disabled");
  assert.equal(await p.senderDomain.remove(), undefined);
  assert.equal(p.senderDomain.inboundEnable, undefined);
  assert.equal(p.senderDomain.inboundDisable, undefined);
  assert.equal(p.admin, undefined, "admin is root-only");
});

// ── admin: agent contact ──

test("admin: the agent contact moves up the assurance ladder", async () => {
  const { r, address } = await freshWallet();
  const none = await rejectsKind(r.admin.getAgentContactStatus(), "api_error");
  assert.deepEqual([none.status, none.code], [404, "CONTACT_NOT_FOUND"]);

  const from = await logLength();
  const bare = await r.admin.setAgentContact({ name: "Ops bot", email: "", webhook: undefined });
  const [sent] = await requestsSince(from);
  assert.deepEqual(JSON.parse(sent.body), { name: "Ops bot" }, "empty optional fields are left out");
  assert.equal(bare.wallet, address);
  assert.deepEqual([bare.email, bare.webhook, bare.email_verification_status, bare.assurance_level], [null, null, "none", "wallet_only"]);

  const pending = await r.admin.setAgentContact({ name: "Ops bot", email: "Ops@Example.com", webhook: "https://hooks.example.com/run402" });
  assert.deepEqual([pending.email, pending.webhook], ["ops@example.com", "https://hooks.example.com/run402"]);
  assert.deepEqual([pending.email_verification_status, pending.assurance_level], ["pending", "email_pending"]);
  assert.ok(pending.email_challenge_sent_at);

  // A resend inside the cooldown is refused with the wait; after it, the challenge goes out again.
  const soon = await r.admin.verifyAgentContactEmail();
  assert.ok(soon.verification_retry_after_seconds > 0 && soon.verification_retry_after_seconds <= 60);
  assert.equal(soon.email_challenge_sent_at, pending.email_challenge_sent_at);
  const early = await rejectsKind(r.admin.startOperatorPasskeyEnrollment(), "api_error");
  assert.deepEqual([early.status, early.code], [409, "EMAIL_NOT_VERIFIED"]);
  await sim("agent-contacts", { wallet: address, action: "expire_challenge" });
  const resent = await r.admin.verifyAgentContactEmail();
  assert.equal(resent.verification_retry_after_seconds, undefined);
  assert.ok(Date.parse(resent.email_challenge_sent_at) > Date.parse(pending.email_challenge_sent_at) - 60_000);

  await sim("agent-contacts", { wallet: address, action: "reply" });
  const verified = await r.admin.getAgentContactStatus();
  assert.deepEqual([verified.email_verification_status, verified.assurance_level], ["verified", "email_verified"]);
  assert.ok(verified.email_verified_at && verified.email_verified_message_id);
  assert.equal((await r.admin.verifyAgentContactEmail()).email_verification_status, "verified", "nothing left to verify");

  const enrolling = await r.admin.startOperatorPasskeyEnrollment();
  assert.deepEqual([enrolling.passkey_binding_status, enrolling.assurance_level, enrolling.enrollment_sent_to], ["pending", "passkey_pending", "ops@example.com"]);
  await sim("agent-contacts", { wallet: address, action: "bind_passkey" });
  const bound = await r.admin.getAgentContactStatus();
  assert.deepEqual([bound.passkey_binding_status, bound.assurance_level], ["verified", "operator_passkey"]);
  assert.match(bound.active_operator_passkey_id, /^pk_/);

  // A new address has to be verified again.
  const changed = await r.admin.setAgentContact({ name: "Ops bot", email: "new@example.com" });
  assert.deepEqual([changed.email_verification_status, changed.email_verified_at, changed.webhook], ["pending", null, null]);
});

test("admin: contact input is checked locally; the gateway wants a signed-in wallet", async () => {
  const { r } = await freshWallet();
  const from = await logLength();
  await rejectsKind(r.admin.setAgentContact(), "local_error");
  await rejectsKind(r.admin.setAgentContact({}), "local_error");
  await rejectsKind(r.admin.setAgentContact({ name: "  " }), "local_error");
  await rejectsKind(r.admin.setAgentContact({ name: "x", email: 5 }), "local_error");
  await rejectsKind(r.admin.setAgentContact("Ops"), "local_error");
  await rejectsKind(r.admin.sendMessage(""), "local_error");
  await rejectsKind(r.admin.sendMessage({ message: "hi" }), "local_error");
  assert.equal(await logLength(), from, "nothing was sent");

  const bad = await rejectsKind(r.admin.setAgentContact({ name: "x", email: "not-an-email" }), "api_error");
  assert.deepEqual([bad.status, bad.code], [400, "INVALID_FIELD"]);
  const hook = await rejectsKind(r.admin.setAgentContact({ name: "x", webhook: "ftp://example.com" }), "api_error");
  assert.equal(hook.code, "INVALID_FIELD");

  const { r: anonymous } = await client();
  for (const call of [() => anonymous.admin.getAgentContactStatus(), () => anonymous.admin.setAgentContact({ name: "x" }), () => anonymous.admin.sendMessage("hi")]) {
    const e = await rejectsKind(call(), "unauthorized");
    assert.deepEqual([e.status, e.code], [401, "SIWX_REQUIRED"]);
  }
});

// ── admin: messages ──

test("admin.sendMessage needs an active tier and reaches the developers", async () => {
  const { r, address } = await freshWallet();
  const text = `hello from ${address}`;
  const e = await rejectsKind(r.admin.sendMessage(text), "unauthorized");
  assert.deepEqual([e.status, e.code], [403, "TIER_REQUIRED"]);
  assert.ok(!(await sim("messages")).some((m) => m.message === text), "a refused message is not delivered");

  await r.tier.set("prototype");
  const from = await logLength();
  assert.deepEqual(await r.admin.sendMessage(text), { status: "sent" });
  const [sent] = await requestsSince(from);
  assert.deepEqual([sent.method, sent.path, JSON.parse(sent.body)], ["POST", "/message/v1", { message: text }]);
  const delivered = (await sim("messages")).filter((m) => m.message === text);
  assert.deepEqual(delivered.map((m) => m.wallet), [address]);
});

// ── admin: finance ──

const adminClient = async () => new sdk.Run402({ apiBase: await simulator(), credentials: { getAuth: walletAuth(ADMIN_KEY), getProject: () => null } });

async function paidProject() {
  const privateKey = generatePrivateKey();
  const address = privateKeyToAccount(privateKey).address;
  await sim("fund", { address, amount: 1_000_000 });
  const r = new sdk.Run402({ apiBase: await simulator(), credentials: sdk.allowanceCredentials({ allowance: { address, privateKey }, projects: {} }) });
  await sim("config", { payments: true });
  try {
    return await r.projects.provision({ tier: "prototype", name: "finance-probe" });
  } finally {
    await sim("config", { payments: false });
  }
}

test("admin.getProjectFinance: platform admins see the project's ledger revenue", async () => {
  const project = await paidProject();
  const admin = await adminClient();
  const from = await logLength();
  const finance = await admin.admin.getProjectFinance(project.project_id);
  const [sent] = await requestsSince(from);
  assert.equal(sent.path, `/admin/api/finance/project/${project.project_id}?window=30d`, "window defaults to 30d");
  assert.equal(sent.headers["x-admin-mode"], "1");
  assert.equal(sent.headers.cookie, undefined);
  assert.deepEqual([finance.project_id, finance.project_name, finance.window], [project.project_id, "finance-probe", "30d"]);
  assert.equal(finance.revenue_breakdown.tier_fees_usd_micros, 100_000, "the settled $0.10 provisioning payment");
  assert.equal(finance.revenue_usd_micros, 100_000);
  assert.equal(finance.direct_margin_usd_micros, finance.revenue_usd_micros - finance.direct_cost_usd_micros);
  assert.ok(finance.direct_cost_breakdown.every((c) => typeof c.category === "string" && c.cost_usd_micros === 0));

  for (const window of ["24h", "7d", "90d"]) {
    assert.equal((await admin.admin.getProjectFinance(project.project_id, { window })).window, window);
  }
  const { id: unpaid } = await withProject();
  assert.equal((await admin.admin.getProjectFinance(unpaid, { window: "7d" })).revenue_usd_micros, 0, "no payment, no revenue");
  const missing = await rejectsKind(admin.admin.getProjectFinance("prj_nope/../x"), "api_error");
  assert.deepEqual([missing.status, missing.code], [404, "PROJECT_NOT_FOUND"]);
  const [encoded] = (await requestsSince(from)).slice(-1);
  assert.equal(encoded.path, "/admin/api/finance/project/prj_nope%2F..%2Fx?window=30d", "the id is one encoded segment");
});

test("admin.getProjectFinance: non-admin wallets are refused; a session cookie works; bad windows stay local", async () => {
  const { r, id } = await withProject({ auth: walletAuth(generatePrivateKey()) });
  const refused = await rejectsKind(r.admin.getProjectFinance(id), "unauthorized");
  assert.deepEqual([refused.status, refused.code], [403, "ADMIN_REQUIRED"]);
  const { r: anonymous } = await client();
  await rejectsKind(anonymous.admin.getProjectFinance(id), "unauthorized");

  const { cookie } = await sim("admin-sessions", {});
  const from = await logLength();
  const finance = await anonymous.admin.getProjectFinance(id, { cookie, window: "24h" });
  assert.equal(finance.window, "24h");
  const [sent] = await requestsSince(from);
  assert.equal(sent.headers.cookie, cookie);
  const forged = await rejectsKind(anonymous.admin.getProjectFinance(id, { cookie: "run402_admin_session=forged" }), "unauthorized");
  assert.ok(!JSON.stringify(forged).includes("forged"), "the cookie stays out of the error");

  // The gateway wants X-Admin-Mode: 1 even from an admin wallet, and checks the window itself.
  const base = await simulator();
  const path = `/admin/api/finance/project/${id}`;
  const noMode = await fetch(base + path, { headers: await siwxHeaders(ADMIN_KEY, base, path) });
  assert.deepEqual([noMode.status, (await noMode.json()).code], [403, "ADMIN_REQUIRED"]);
  const query = `${path}?window=1y`;
  const badWindow = await fetch(base + query, { headers: { ...(await siwxHeaders(ADMIN_KEY, base, query)), "x-admin-mode": "1" } });
  assert.deepEqual([badWindow.status, (await badWindow.json()).code], [400, "INVALID_WINDOW"]);

  const before = await logLength();
  const bad = await rejectsKind(r.admin.getProjectFinance(id, { window: "1y" }), "local_error");
  assert.match(bad.message, /24h/);
  await rejectsKind(r.admin.getProjectFinance(id, { window: 30 }), "local_error");
  await rejectsKind(r.admin.getProjectFinance(id, { cookie: 7 }), "local_error");
  await rejectsKind(r.admin.getProjectFinance(id, "30d"), "local_error");
  await rejectsKind(r.admin.getProjectFinance(""), "local_error");
  assert.equal(await logLength(), before, "nothing was sent");
});
