// The billing account as a payment rail and as the email meter, end to end
// against the simulator. A wallet whose prepaid balance covers a price pays
// its x402 payments from that allowance (seed: "Once funded, x402 payments
// settle from allowance automatically. No code changes."): the balance
// drops, its USDC on chain does not, the history has one allowance row, and
// the paid response says `X-Run402-Settlement-Rail: allowance` with
// `X-Run402-Allowance-Remaining`; a balance too small leaves the payment to
// the chain. Both our SDK and the reference @run402/sdk 3.3.3 (its own
// x402 stack, unchanged code) pay that way. Email sends beyond the tier's
// daily limit take email credits from the project owner's account, and
// auto-recharge buys a pack from the balance when they fall below its
// threshold.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { run402 } from "@run402/sdk/node";

import { record, walletAccount } from "../gateway/billing-accounts.mjs";
import { requirePayment, withPayment } from "../gateway/payments.mjs";
import { createState } from "../gateway/state.mjs";
import { decodeSettlement, offersFrom, signPayment } from "../gateway/test-payer.mjs";
import { sdk, simulator, sim, client, paying } from "./helpers.mjs";
import { routeChainToSimulator } from "./reference-chain.mjs";

const { Run402, allowanceCredentials } = sdk;

before(async () => { await simulator(); });

const complete = (topup_id) => sim("billing/checkouts", { topup_id });
const chainBalance = async (address) => (await sim(`ledger?address=${address}`)).balances["eip155:84532"] ?? 0;

/** A fresh wallet with `usdc` base units on Base Sepolia. */
async function wallet(usdc) {
  const privateKey = generatePrivateKey();
  const address = privateKeyToAccount(privateKey).address;
  if (usdc > 0) await sim("fund", { address, amount: usdc });
  return { address, privateKey };
}

/** Our SDK signed in and paying as `w`, recording the headers of every paid answer. */
async function payingClient(w) {
  const paidAnswers = [];
  const r = new Run402({
    apiBase: await simulator(),
    credentials: allowanceCredentials({ allowance: w, projects: {} }),
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if (res.headers.has("payment-response") || res.headers.has("x-payment-response")) paidAnswers.push(res.headers);
      return res;
    },
  });
  return { r, paidAnswers };
}

/** Credits `micros` to the wallet's billing account: a checkout, paid through /__sim/ (Stripe's part). */
async function topUp(r, address, micros) {
  const { topup_id } = await r.billing.createCheckout(address, micros);
  await complete(topup_id);
}

test("a funded account pays x402 from the allowance; one too small for the price leaves it to the chain", async () => {
  const w = await wallet(1_000_000);
  const { r, paidAnswers } = await payingClient(w);
  await topUp(r, w.address, 500_000);

  const project = await paying({}, () => r.projects.provision({ tier: "prototype" }));
  assert.match(project.project_id, /^prj_/);
  assert.equal((await r.billing.getAccount(w.address)).available_usd_micros, 400_000, "the price came out of the allowance");
  assert.equal(await chainBalance(w.address), 1_000_000, "and nothing moved on chain");
  assert.equal(paidAnswers[0].get("x-run402-settlement-rail"), "allowance");
  assert.equal(paidAnswers[0].get("x-run402-allowance-remaining"), "400000");
  const [receipt] = await r.payments.receipts();
  assert.deepEqual(receipt.settlement, { success: true, transaction: "", network: "eip155:84532", payer: w.address }, "settled, with no chain transaction");
  assert.equal(receipt.amount, "100000");
  assert.deepEqual(await r.payments.spent(), { total: "0.10", baseUnits: "100000", count: 1 }, "the SDK counts it as any payment");

  // $0.60 is more than the $0.40 left: the chain pays, the allowance stays.
  await paying({ priceOverride: 600_000 }, () => r.projects.provision({ tier: "prototype" }));
  assert.equal((await r.billing.getAccount(w.address)).available_usd_micros, 400_000);
  assert.equal(await chainBalance(w.address), 400_000);
  assert.equal(paidAnswers[1].get("x-run402-settlement-rail"), "x402");
  assert.equal(paidAnswers[1].get("x-run402-allowance-remaining"), null, "only an allowance payment reports the allowance");
  const onChain = (await r.payments.receipts())[1];
  assert.match(onChain.settlement.transaction, /^0x[0-9a-f]{64}$/);

  const { entries } = await r.billing.history(w.address);
  assert.deepEqual(entries.map((e) => [e.kind, e.metadata.rail ?? null, e.amount_usd_micros, e.balance_after_available, e.balance_after_held]), [
    ["x402_payment", "x402", 600_000, 400_000, 0],
    ["x402_payment", "allowance", 100_000, 400_000, 0],
    ["topup", null, 500_000, 500_000, 0],
  ]);
  const allowanceRow = entries[1];
  assert.equal(allowanceRow.direction, "debit");
  assert.equal(allowanceRow.metadata.payer, w.address.toLowerCase());
  assert.match(allowanceRow.reference_id, /^0x[0-9a-f]{64}$/, "the signed authorization's nonce");
  assert.equal(entries[0].reference_id, onChain.settlement.transaction);
  const { transactions } = await sim(`ledger?address=${w.address}`);
  assert.deepEqual(transactions.map((t) => [t.kind, t.value]), [["fund", 1_000_000], ["payment", 600_000]], "one transfer on chain: the second payment");
});

test("an allowance payment needs no USDC on chain; the same signed payment is not taken twice (v1 and v2)", async () => {
  const w = await wallet(0);
  const { r, paidAnswers } = await payingClient(w);
  await topUp(r, w.address, 5_000_000);
  const set = await paying({}, () => r.tier.set("hobby"));
  assert.deepEqual([set.tier, set.allowance_remaining_usd_micros], ["hobby", 0], "tier.set reports what the allowance has left");
  assert.equal(paidAnswers[0].get("x-run402-allowance-remaining"), "0");
  assert.equal(await chainBalance(w.address), 0);
  assert.equal((await r.tier.status()).tier, "hobby");

  // Paid by hand (viem-signed, test-payer.mjs): a replay of a header the allowance settled is refused.
  await topUp(r, w.address, 1_000_000);
  const url = `${await simulator()}/projects/v1`;
  const post = (headers = {}) => fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });
  for (const version of [2, 1]) {
    await paying({ x402Versions: [version] }, async () => {
      const unpaid = await post();
      assert.equal(unpaid.status, 402);
      const [requirement] = offersFrom(unpaid.headers, await unpaid.json()).accepts;
      const { headers } = await signPayment(w.privateKey, requirement, { version });
      const paid = await post(headers);
      assert.equal(paid.status, 201, await paid.text());
      assert.equal(paid.headers.get("x-run402-settlement-rail"), "allowance");
      const settlement = decodeSettlement(paid.headers.get(version === 2 ? "payment-response" : "x-payment-response"));
      assert.deepEqual(settlement, { success: true, transaction: "", network: version === 2 ? "eip155:84532" : "base-sepolia", payer: w.address });
      const replay = await post(headers);
      assert.equal(replay.status, 402);
      const refused = await replay.json();
      assert.equal(version === 2 ? decodeSettlement(replay.headers.get("payment-required")).error : refused.error, "invalid_exact_evm_nonce_already_used");
    });
  }
  assert.equal((await r.billing.getAccount(w.address)).available_usd_micros, 800_000, "charged once per payment");
  assert.equal(await chainBalance(w.address), 0);
});

test("a paid request that fails gives the held allowance back, and its nonce", async () => {
  const state = createState({ payments: true });
  const key = generatePrivateKey();
  const payer = privateKeyToAccount(key);
  const account = walletAccount(state.billing, payer.address, { create: true });
  record(state.billing, account, { direction: "credit", kind: "topup", amount: 300_000 });
  const headersFor = (header) => ({ "payment-signature": header });
  const ctxOf = (headers) => ({ state, headers, baseUrl: "http://sim", url: new URL("http://sim/projects/v1"), params: {}, payment: null });
  const unpaid = await requirePayment(ctxOf({}), "POST /projects/v1", {}).then(() => null, (e) => e);
  const [requirement] = offersFrom(new Headers(unpaid.headers), unpaid.body).accepts;
  const { headers } = await signPayment(key, requirement);
  const attempt = (outcome) => {
    const ctx = ctxOf(headersFor(headers["PAYMENT-SIGNATURE"]));
    return withPayment(ctx, async () => {
      const paid = await requirePayment(ctx, "POST /projects/v1", {});
      assert.deepEqual([paid.rail, paid.remaining], ["allowance", 200_000]);
      assert.deepEqual([account.available, account.held], [200_000, 100_000], "held while the request runs");
      if (outcome === "throw") throw new Error("handler failed");
      return { status: outcome, headers: {}, body: "{}" };
    });
  };
  await assert.rejects(attempt("throw"), /handler failed/);
  const failed = await attempt(500);
  assert.equal(failed.headers["x-run402-settlement-rail"], undefined);
  assert.deepEqual([account.available, account.held, account.entries.length], [300_000, 0, 1], "nothing charged, nothing recorded");
  const ok = await attempt(201); // the nonce was freed each time
  assert.deepEqual([ok.headers["x-run402-settlement-rail"], ok.headers["x-run402-allowance-remaining"]], ["allowance", "200000"]);
  assert.deepEqual([account.available, account.held, account.entries.at(-1).kind], [200_000, 0, "x402_payment"]);
  await assert.rejects(attempt(201), (e) => e.status === 402, "then the nonce is spent");
  assert.deepEqual([state.paymentStats.settled, state.ledger.transactions.length], [1, 0], "one settlement, no chain transaction");
});

test("the reference @run402/sdk 3.3.3 pays through the allowance too, with its own x402 stack", async () => {
  const base = await simulator();
  const dir = mkdtempSync(join(tmpdir(), "run402-rails-reference-"));
  const keys = ["RUN402_API_BASE", "RUN402_CONFIG_DIR", "RUN402_ALLOWANCE_PATH", "RUN402_WALLET", "RUN402_PROFILE"];
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  Object.assign(process.env, { RUN402_API_BASE: base, RUN402_CONFIG_DIR: dir, RUN402_ALLOWANCE_PATH: join(dir, "allowance.json") });
  delete process.env.RUN402_WALLET;
  delete process.env.RUN402_PROFILE;
  const chain = routeChainToSimulator(base);
  try {
    const { address } = await run402().allowance.create();
    await sim("fund", { address, amount: 1_000_000 });
    const { r } = await client(); // ours, for the checkout and the account: 3.3.3's billing speaks /orgs/v1
    await topUp(r, address, 500_000);

    const ref = run402();
    const project = await paying({}, () => ref.projects.provision({ tier: "prototype", name: "rails" }));
    assert.match(project.project_id, /^prj_/);
    assert.equal((await r.billing.getAccount(address)).available_usd_micros, 400_000);
    assert.equal(await chainBalance(address), 1_000_000, "its payment did not touch the chain");
    const { entries } = await r.billing.history(address, 1);
    assert.deepEqual([entries[0].kind, entries[0].metadata.rail, entries[0].amount_usd_micros], ["x402_payment", "allowance", 100_000]);
    assert.ok(chain.rpcCalls.includes("eip155:84532"), "it read the chain balance before paying, as it does");

    // Past what the allowance holds, its payment settles on chain.
    await paying({ priceOverride: 600_000 }, () => ref.projects.provision({ tier: "prototype", name: "rails-chain" }));
    assert.equal(await chainBalance(address), 400_000);
    assert.equal((await r.billing.getAccount(address)).available_usd_micros, 400_000);
    assert.deepEqual(chain.blocked, []);
  } finally {
    chain.restore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

// ── email credits and auto-recharge ──

/**
 * A prototype project (10 sends a day) whose owner wallet is linked to an
 * email billing account, which answers getAccount and takes setAutoRecharge
 * by its id (a wallet account's id is not on the wire); `micros` prepaid.
 */
async function mailingOwner(micros) {
  const w = await wallet(0);
  const { r } = await payingClient(w);
  const email = `owner+${Math.random().toString(36).slice(2, 10)}@example.com`;
  const account = await r.billing.createEmailAccount(email);
  await r.billing.linkWallet(account.id, w.address);
  if (micros > 0) await topUp(r, w.address, micros);
  const { project_id: id } = await r.projects.provision({ tier: "prototype" }); // signed in: the wallet owns it
  await r.email.createMailbox(id, `rails-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  let n = 0;
  const send = () => r.email.send(id, { to: `reader${n++ % 5}@example.com`, subject: "hello", html: "<p>hi</p>" });
  return { r, w, email, account, id, send };
}

const credits = async (r, email) => {
  const a = await r.billing.getAccount(email);
  return [a.email_credits_remaining, a.available_usd_micros];
};

test("sends past the daily limit spend the owner's email credits; auto-recharge buys a pack below the threshold", async () => {
  const { r, email, account, send } = await mailingOwner(6_000_000);
  await complete((await r.billing.buyEmailPack({ email })).topup_id);
  assert.deepEqual(await credits(r, email), [10_000, 6_000_000]);
  await r.billing.setAutoRecharge({ billingAccountId: account.id, enabled: true, threshold: 10_000 });

  for (let i = 0; i < 10; i++) await send();
  assert.deepEqual(await credits(r, email), [10_000, 6_000_000], "the tier's 10 a day cost no credit");

  // The 11th takes a credit: 9,999 is below the threshold, so a $5 pack is bought from the balance.
  await send();
  assert.deepEqual(await credits(r, email), [19_999, 1_000_000]);
  const [latest] = (await r.billing.history(email, 1)).entries;
  assert.deepEqual(
    [latest.direction, latest.kind, latest.amount_usd_micros, latest.balance_after_available, latest.reference_type, latest.metadata],
    ["debit", "email_pack", 5_000_000, 1_000_000, "auto_recharge", { emails: 10_000, auto_recharge: true, threshold: 10_000 }],
  );
  await send();
  assert.deepEqual(await credits(r, email), [19_998, 1_000_000], "above the threshold again: no second pack");

  // Below a higher threshold with $1 left: no pack (the balance does not cover $5), and the send still goes out.
  await r.billing.setAutoRecharge({ billingAccountId: account.id, enabled: true, threshold: 50_000 });
  const sent = await send();
  assert.equal(sent.status, "sent");
  assert.deepEqual(await credits(r, email), [19_997, 1_000_000]);
  assert.equal((await r.billing.history(email)).entries.filter((e) => e.kind === "email_pack").length, 2, "the Stripe pack and the one recharge");
});

test("with no credit a send past the limit is the daily 429, unless auto-recharge can buy the first pack", async () => {
  const { r, email, account, send } = await mailingOwner(5_000_000);
  for (let i = 0; i < 10; i++) await send();
  // Auto-recharge off: the balance is not touched and the tier's limit stands.
  const limited = await send().then(() => null, (e) => e);
  assert.deepEqual([limited?.status, limited?.code], [429, "EMAIL_DAILY_LIMIT"]);
  assert.deepEqual(await credits(r, email), [0, 5_000_000]);

  await r.billing.setAutoRecharge({ billingAccountId: account.id, enabled: true, threshold: 1 });
  const sent = await send();
  assert.equal(sent.status, "sent");
  assert.deepEqual(await credits(r, email), [9_999, 0], "a pack bought for this send, one credit spent");

  // Nothing left to buy with: once the credits are gone, the limit is back.
  const poor = await mailingOwner(4_990_000);
  await r.billing.setAutoRecharge({ billingAccountId: poor.account.id, enabled: true, threshold: 1 });
  for (let i = 0; i < 10; i++) await poor.send();
  const refused = await poor.send().then(() => null, (e) => e);
  assert.deepEqual([refused?.status, refused?.code], [429, "EMAIL_DAILY_LIMIT"]);
  assert.deepEqual(await credits(r, poor.email), [0, 4_990_000]);
  assert.deepEqual((await r.billing.history(poor.email)).entries.map((e) => e.kind), ["topup"], "no pack, no entry");
});
