// x402 payments and wallet sign-in through the built package against the
// simulator, which verifies payments with viem and settles on its own USDC
// ledger. Payments are switched on per test and off again afterwards.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { sdk, simulator, sim, fault, paying, rejectsKind } from "./helpers.mjs";

const { Run402, allowanceCredentials } = sdk;

before(async () => { await simulator(); });

/** A fresh wallet with `usdc` dollars on Base Sepolia. */
async function wallet(usdc = 1) {
  const privateKey = generatePrivateKey();
  const address = privateKeyToAccount(privateKey).address;
  if (usdc > 0) await sim("fund", { address, amount: Math.round(usdc * 1e6) });
  return { address, privateKey };
}

const balance = async (address) => (await sim(`ledger?address=${address}`)).balances["eip155:84532"] ?? 0;

function client(allowance, opts = {}) {
  const projects = {};
  const credentials = allowanceCredentials({ allowance, projects });
  return { r: new Run402({ apiBase: opts.apiBase, credentials, payments: opts.payments, fetch: opts.fetch }), projects };
}

test("a paid provision end to end: signed in wasm, verified by viem, settled once", async () => {
  const w = await wallet(1);
  const { r, projects } = client(w, { apiBase: await simulator() });
  const project = await paying({}, () => r.projects.provision({ tier: "prototype" }));
  assert.ok(projects[project.project_id], "keys saved into the projects record");
  assert.equal(await balance(w.address), 900000, "charged exactly $0.10");
  assert.deepEqual(await r.payments.spent(), { total: "0.10", baseUnits: "100000", count: 1 });
  const [receipt] = await r.payments.receipts();
  assert.equal(receipt.settlement.success, true);
  assert.equal(receipt.settlement.payer, w.address);
  assert.match(receipt.settlement.transaction, /^0x[0-9a-f]{64}$/);
  assert.equal(receipt.path, "/projects/v1");
  const listed = await r.projects.list(w.address);
  assert.ok(listed.projects.some((p) => p.id === project.project_id), "the payer owns the project");
  await r.projects.sql(project.project_id, "SELECT 1");
});

test("wallet sign-in from allowanceCredentials is accepted by the gateway (viem-verified)", async () => {
  const w = await wallet(0);
  const { r } = client(w, { apiBase: await simulator() });
  const status = await r.tier.status();
  assert.equal(status.wallet.toLowerCase(), w.address.toLowerCase());
});

test("tier.set is paid and the totals add up", async () => {
  const w = await wallet(6);
  const { r } = client(w, { apiBase: await simulator() });
  await paying({}, async () => {
    const t = await r.tier.set("hobby");
    assert.equal(t.tier, "hobby");
    assert.equal(t.action, "subscribe");
  });
  assert.equal(await balance(w.address), 1000000);
  assert.equal((await r.tier.status()).tier, "hobby");
  assert.deepEqual(await r.payments.spent(), { total: "5.00", baseUnits: "5000000", count: 1 });
});

test("no allowance: PaymentRequired carries the server's requirements and the reason", async () => {
  const r = new Run402({ apiBase: await simulator(), credentials: { getAuth: () => null, getProject: () => null } });
  const e = await paying({}, () => rejectsKind(r.projects.provision(), "payment_required"));
  assert.equal(e.status, 402);
  assert.match(e.reason, /no allowance/);
  assert.equal(e.requirements[0].scheme, "exact");
  assert.equal(e.requirements[0].amount, "100000");
  assert.equal(e.body.x402Version, 1, "the v1 body is kept as body");
  assert.ok(sdk.isPaymentRequired(e));
});

test("the spend policy refuses over-cap and wrong-network offers before anything is signed", async () => {
  const w = await wallet(50);
  const sent = [];
  const recording = (url, init) => { sent.push(init.headers); return fetch(url, init); };
  const { r } = client(w, { apiBase: await simulator(), fetch: recording, payments: { maxPerRequest: "0.05" } });
  const e = await paying({}, () => rejectsKind(r.projects.provision(), "payment_required"));
  assert.match(e.message, /spend policy .*\$0\.10 is over the per-request cap of \$0\.05/);
  assert.equal(sent.length, 1, "no paid resend");
  assert.ok(!Object.keys(sent[0]).some((h) => /payment/i.test(h)), "nothing signed");
  const mainnetOnly = client(w, { apiBase: await simulator(), payments: { networks: ["eip155:8453"] } });
  const e2 = await paying({}, () => rejectsKind(mainnetOnly.r.projects.provision(), "payment_required"));
  assert.match(e2.reason, /network eip155:84532 is not allowed/);
  const capped = client(w, { apiBase: await simulator(), payments: { maxTotal: "0.15" } });
  await paying({}, async () => {
    await capped.r.projects.provision();
    const e3 = await rejectsKind(capped.r.projects.provision(), "payment_required");
    assert.match(e3.reason, /over the cap of \$0\.15/);
  });
  assert.equal(await balance(w.address), 50e6 - 100000, "only the one allowed payment was charged");
  assert.throws(() => new Run402({ apiBase: "http://x", credentials: allowanceCredentials({ allowance: w }), payments: { maxTotal: "lots" } }),
    (err) => err.kind === "local_error" && /maxTotal/.test(err.message));
});

test("a v1-only server is paid with X-PAYMENT", async () => {
  const w = await wallet(1);
  const seen = [];
  const recording = (url, init) => { seen.push(init.headers); return fetch(url, init); };
  const { r } = client(w, { apiBase: await simulator(), fetch: recording });
  await paying({ x402Versions: [1] }, () => r.projects.provision());
  assert.ok(seen[1]["X-PAYMENT"], "v1 header");
  assert.equal(seen[1]["PAYMENT-SIGNATURE"], undefined);
  assert.equal(await balance(w.address), 900000);
  assert.equal((await r.payments.receipts())[0].settlement.success, true, "X-PAYMENT-RESPONSE read");
});

test("a replayed payment is refused with the server's reason, and nothing is paid twice", async () => {
  const w = await wallet(1);
  let captured = null;
  let replays = 0;
  // A hostile middlebox: records the first payment and replays it later.
  const replaying = (url, init) => {
    const h = init.headers["PAYMENT-SIGNATURE"];
    if (h && !captured) captured = h;
    else if (h && captured) { replays++; init = { ...init, headers: { ...init.headers, "PAYMENT-SIGNATURE": captured } }; }
    return fetch(url, init);
  };
  const { r } = client(w, { apiBase: await simulator(), fetch: replaying });
  await paying({}, async () => {
    await r.projects.provision();
    const e = await rejectsKind(r.projects.provision(), "payment_required");
    assert.match(e.reason, /refused the payment \(invalid_exact_evm_nonce_already_used\)/);
  });
  assert.equal(replays, 1);
  assert.equal(await balance(w.address), 900000);
  assert.deepEqual(await r.payments.spent(), { total: "0.10", baseUnits: "100000", count: 1 }, "the refused payment is not counted");
});

test("an insufficient balance is refused with the server's reason, nothing charged", async () => {
  const poor = await wallet(0.05);
  const { r } = client(poor, { apiBase: await simulator() });
  const e = await paying({}, () => rejectsKind(r.projects.provision(), "payment_required"));
  assert.match(e.reason, /insufficient_funds/);
  assert.equal(await balance(poor.address), 50000);
});

test("withRetry reuses the paid call's Idempotency-Key: a retry after a lost answer never pays twice", async () => {
  const w = await wallet(1);
  const keys = [];
  let lose = true;
  // The paid resend reaches the gateway, which charges and creates the
  // project, but the answer is lost on the way back.
  const lossy = async (url, init) => {
    if (init.headers["Idempotency-Key"]) keys.push(init.headers["Idempotency-Key"]);
    const res = await fetch(url, init);
    if (lose && init.headers["PAYMENT-SIGNATURE"]) { lose = false; throw new TypeError("connection reset"); }
    return res;
  };
  const { r } = client(w, { apiBase: await simulator(), fetch: lossy });
  const project = await paying({}, () => sdk.withRetry(() => r.projects.provision(), { baseDelayMs: 1 }));
  assert.ok(project.project_id);
  assert.ok(keys.length >= 3 && keys.every((k) => k === keys[0]), `one key across attempts: ${keys}`);
  assert.equal(await balance(w.address), 900000, "charged once");
  const mine = await paying({}, () => r.projects.provision({ idempotencyKey: "caller-key-1" }));
  assert.ok(mine.project_id);
});

test("hostile PAYMENT-REQUIRED headers give typed errors, never a crash", async () => {
  const w = await wallet(1);
  const { r } = client(w, { apiBase: await simulator() });
  const b64 = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64");
  const cases = [
    "!!!not-base64!!!",
    b64("not json"),
    b64({ x402Version: 2 }),
    b64({ x402Version: 2, accepts: [{ scheme: "upto", network: "eip155:84532" }] }),
    b64({ x402Version: 2, accepts: [{ scheme: "exact", network: "eip155:84532", amount: "9".repeat(80), asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e", payTo: w.address, maxTimeoutSeconds: 60, extra: { name: "USDC", version: "2" } }] }),
    b64({ x402Version: 2, accepts: [{ scheme: "exact", network: "eip155:84532", amount: "100", asset: "0xnope", payTo: w.address, maxTimeoutSeconds: 60, extra: { name: "USDC", version: "2" } }] }),
  ];
  for (const header of cases) {
    await fault({ match: { path: "/projects/v1", method: "POST" }, status: 402, headers: { "payment-required": header }, body: { error: "pay" } });
    const e = await rejectsKind(r.projects.provision(), "payment_required");
    assert.equal(typeof e.reason, "string", header);
  }
  assert.equal(await balance(w.address), 1e6, "nothing was paid");
  assert.equal((await r.service.health()).status, "ok", "the instance still works");
});

test("a second 402 after paying is final: exactly one payment attempt", async () => {
  const w = await wallet(1);
  let posts = 0;
  const counting = (url, init) => { if (init.method === "POST") posts++; return fetch(url, init); };
  const { r } = client(w, { apiBase: await simulator(), fetch: counting });
  await paying({}, async () => {
    // The paid resend gets a 402 from the fault queue (the first request is real).
    let first = true;
    const r2 = new Run402({ apiBase: await simulator(), credentials: allowanceCredentials({ allowance: w, projects: {} }), fetch: async (url, init) => {
      posts++;
      if (init.headers["PAYMENT-SIGNATURE"] && first) {
        first = false;
        await fault({ match: { path: "/projects/v1", method: "POST" }, status: 402, body: { error: "still unpaid" } });
      }
      return fetch(url, init);
    } });
    const e = await rejectsKind(r2.projects.provision(), "payment_required");
    assert.match(e.reason, /refused the payment/);
  });
  assert.equal(posts, 2);
  assert.equal(await balance(w.address), 1e6);
  void r;
});
