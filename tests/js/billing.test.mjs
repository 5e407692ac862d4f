// r.billing end to end: the built package against the simulator, on the
// v1.69.7 `/billing/v1` wire (3.3.3 moved billing to `/orgs/v1`, so the
// contract, not the reference package, is the oracle here). Checkouts are
// completed through /__sim/billing/checkouts, Stripe's part; a wallet's
// history is one ledger with the x402 payments it made on the simulator.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { sdk, simulator, sim, client, rejectsKind } from "./helpers.mjs";

const { Run402, allowanceCredentials } = sdk;

before(async () => { await simulator(); });

/** A fresh wallet; its address in mixed case, as users paste them. */
function freshWallet() {
  const privateKey = generatePrivateKey();
  return { privateKey, address: privateKeyToAccount(privateKey).address };
}

const complete = (topup_id, outcome) => sim("billing/checkouts", outcome ? { topup_id, outcome } : { topup_id });
const lastRequest = async (path) => (await sim("requests")).filter((x) => x.path.startsWith(path)).at(-1);
const uniqueEmail = () => `Ops+${Math.random().toString(36).slice(2, 10)}@Example.com`;

test("a wallet's account: zero until a Stripe top-up is paid; the identifier is sent lower-cased with no credentials", async () => {
  const { r, credentials } = await client({ auth: { Authorization: "Bearer should-not-be-sent" } });
  const { address } = freshWallet();
  assert.match(address, /[A-F]/, "the checksummed address has capitals");
  const empty = await r.billing.getAccount(address);
  assert.deepEqual(empty, {
    identifier_type: "wallet", available_usd_micros: 0, email_credits_remaining: 0, tier: null, lease_expires_at: null,
    auto_recharge_enabled: false, auto_recharge_threshold: 0,
  });
  const seen = await lastRequest("/billing/v1/accounts/");
  assert.equal(seen.path, `/billing/v1/accounts/${address.toLowerCase()}`);
  assert.equal(seen.headers.authorization, undefined, "billing sends no credentials");
  assert.ok(!credentials.calls.some(([m]) => m === "getAuth"), "and never asks the provider");

  const checkout = await r.billing.createCheckout(address, 2_500_000);
  assert.match(checkout.checkout_url, /^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
  assert.match(checkout.topup_id, /^topup_/);
  assert.deepEqual(JSON.parse((await lastRequest("/billing/v1/checkouts")).body), { wallet: address.toLowerCase(), amount_usd_micros: 2_500_000 });
  assert.equal((await r.billing.checkBalance(address)).available_usd_micros, 0, "nothing until the checkout is paid");

  await complete(checkout.topup_id);
  for (const read of [r.billing.getAccount, r.billing.checkBalance, r.billing.balance]) {
    assert.equal((await read(address)).available_usd_micros, 2_500_000);
  }
  assert.equal(r.billing.balance, r.billing.checkBalance, "the alias is the same function");
  // Stripe does not pay twice.
  await assert.rejects(complete(checkout.topup_id), /409/);

  const expired = await r.billing.createCheckout(address, 1_000_000);
  await complete(expired.topup_id, "expired");
  const { entries, identifier, identifier_type } = await r.billing.history(address);
  assert.deepEqual([identifier, identifier_type], [address.toLowerCase(), "wallet"]);
  assert.equal(entries.length, 1, "an expired checkout credits nothing");
  assert.deepEqual(
    { ...entries[0], id: undefined, created_at: undefined },
    {
      id: undefined, created_at: undefined, direction: "credit", kind: "topup", amount_usd_micros: 2_500_000, balance_after_available: 2_500_000,
      balance_after_held: 0, reference_type: "stripe_checkout", reference_id: checkout.topup_id, metadata: {},
    },
  );
});

test("history is one ledger with the wallet's x402 payments, newest first, limited by `limit`", async () => {
  const w = freshWallet();
  await sim("fund", { address: w.address, amount: 1_000_000 });
  const r = new Run402({ apiBase: await simulator(), credentials: allowanceCredentials({ allowance: w, projects: {} }) });
  const topup = await r.billing.createCheckout(w.address, 500_000);
  await complete(topup.topup_id);
  // Priced above the $0.50 prepaid, so it settles on chain (a covered price would come out of
  // the allowance: billing-rails.test.mjs).
  await sim("config", { payments: true, x402Versions: [1, 2], networks: ["eip155:84532"], priceOverride: 600_000 });
  try {
    await r.projects.provision({ tier: "prototype" });
  } finally {
    await sim("config", { payments: false, x402Versions: [1, 2], networks: ["eip155:84532"], priceOverride: null });
  }
  const [receipt] = await r.payments.receipts();
  const { entries } = await r.billing.getHistory(w.address);
  assert.deepEqual(entries.map((e) => [e.direction, e.kind, e.amount_usd_micros, e.balance_after_available]), [
    ["debit", "x402_payment", 600_000, 500_000], // paid on chain: the prepaid balance stays
    ["credit", "topup", 500_000, 500_000],
  ]);
  assert.equal(entries[0].reference_id, receipt.settlement.transaction, "the payment's own transaction hash");
  assert.deepEqual(entries[0].metadata.rail, "x402");
  const limited = await r.billing.getHistory(w.address.toUpperCase().replace("0X", "0x"), 1);
  assert.deepEqual(limited.entries.map((e) => e.kind), ["x402_payment"]);
  assert.equal((await lastRequest("/billing/v1/accounts/")).path, `/billing/v1/accounts/${w.address.toLowerCase()}/history?limit=1`);
});

test("email accounts: create (409 on a second), link a wallet, tier checkout and email packs change getAccount", async () => {
  const { r } = await client();
  const email = uniqueEmail();
  const account = await r.billing.createEmailAccount(email);
  assert.deepEqual({ ...account, id: undefined }, { id: undefined, email: email.toLowerCase(), email_credits_remaining: 0, verification_sent: true });
  assert.equal(r.billing.createEmail, r.billing.createEmailAccount);
  const dup = await rejectsKind(r.billing.createEmail(email), "api_error");
  assert.deepEqual([dup.status, dup.code], [409, "ACCOUNT_EXISTS"]);
  assert.match(dup.message, / while creating email billing account \(HTTP 409\)$/);

  // The email goes into the path encoded, case kept.
  const before = await r.billing.getAccount(email);
  assert.equal(before.identifier_type, "email");
  assert.equal((await lastRequest("/billing/v1/accounts/")).path, `/billing/v1/accounts/${encodeURIComponent(email)}`);

  const pack = await r.billing.buyEmailPack({ email });
  assert.deepEqual(JSON.parse((await lastRequest("/billing/v1/email-packs/checkout")).body), { email });
  await complete(pack.topup_id);
  assert.equal((await r.billing.getAccount(email)).email_credits_remaining, 10_000);

  const tier = await r.billing.tierCheckout("hobby", { email, wallet: "" });
  assert.deepEqual(JSON.parse((await lastRequest("/billing/v1/tiers/")).body), { email });
  await complete(tier.topup_id);
  const after = await r.billing.getAccount(email);
  assert.equal(after.tier, "hobby");
  assert.ok(Date.parse(after.lease_expires_at) > Date.now() + 29 * 86_400_000);
  const kinds = (await r.billing.history(email)).entries.map((e) => `${e.direction}:${e.kind}`);
  assert.deepEqual(kinds, ["debit:tier_purchase", "credit:stripe_payment", "debit:email_pack", "credit:stripe_payment"]);

  assert.equal(await r.billing.setAutoRecharge({ billingAccountId: account.id, enabled: true, threshold: 500 }), undefined);
  let now = await r.billing.getAccount(email);
  assert.deepEqual([now.auto_recharge_enabled, now.auto_recharge_threshold], [true, 500]);
  await r.billing.autoRecharge({ billingAccountId: account.id, enabled: false });
  now = await r.billing.getAccount(email);
  assert.deepEqual([now.auto_recharge_enabled, now.auto_recharge_threshold], [false, 500], "threshold kept when not sent");

  const { address } = freshWallet();
  assert.equal(await r.billing.linkWallet(account.id, address), undefined);
  assert.deepEqual(JSON.parse((await lastRequest("/billing/v1/accounts/")).body), { wallet: address }, "linkWallet sends the wallet as given");
  const viaWallet = await r.billing.getAccount(address);
  assert.deepEqual([viaWallet.identifier_type, viaWallet.email_credits_remaining], ["wallet", 10_000]);
  assert.equal(viaWallet.tier, "hobby", "the email account's tier, through its linked wallet");
});

test("a wallet's tier checkout gives the wallet the tier that tier.status reads; its email pack, the credits", async () => {
  const w = freshWallet();
  const { r } = await client();
  const checkout = await r.billing.tierCheckout("team", { wallet: w.address });
  assert.deepEqual(JSON.parse((await lastRequest("/billing/v1/tiers/team/checkout")).body), { wallet: w.address });
  await complete(checkout.topup_id);
  assert.equal((await r.billing.getAccount(w.address)).tier, "team");
  const pack = await r.billing.buyEmailPack({ wallet: w.address, email: "" });
  assert.deepEqual(JSON.parse((await lastRequest("/billing/v1/email-packs/checkout")).body), { wallet: w.address });
  await complete(pack.topup_id);
  assert.equal((await r.billing.balance(w.address)).email_credits_remaining, 10_000);
  const signedIn = new Run402({ apiBase: await simulator(), credentials: allowanceCredentials({ allowance: w, projects: {} }) });
  assert.equal((await signedIn.tier.status()).tier, "team");
});

test("the gateway's refusals arrive as ApiErrors with its codes", async () => {
  const { r } = await client();
  const cases = [
    [r.billing.getAccount("nobody@example.com"), 404, "ACCOUNT_NOT_FOUND", "checking balance"],
    [r.billing.getAccount("not-a-wallet"), 400, "INVALID_IDENTIFIER", "checking balance"],
    [r.billing.createCheckout(freshWallet().address, 499_999), 400, "INVALID_AMOUNT", "creating checkout"],
    [r.billing.createCheckout("0x1234", 1_000_000), 400, "INVALID_WALLET", "creating checkout"],
    [r.billing.tierCheckout("platinum", { wallet: freshWallet().address }), 400, "INVALID_TIER", "creating tier checkout"],
    [r.billing.buyEmailPack({ email: "nobody@example.com" }), 404, "ACCOUNT_NOT_FOUND", "creating email pack checkout"],
    [r.billing.linkWallet("00000000-0000-4000-8000-000000000000", freshWallet().address), 404, "ACCOUNT_NOT_FOUND", "linking wallet"],
    [r.billing.setAutoRecharge({ billingAccountId: "missing", enabled: true }), 404, "ACCOUNT_NOT_FOUND", "setting auto-recharge"],
    [r.billing.getHistory(freshWallet().address, 1000), 400, "INVALID_LIMIT", "fetching billing history"],
  ];
  for (const [call, status, code, context] of cases) {
    const e = await rejectsKind(call, "api_error");
    assert.deepEqual([e.status, e.code, e.context], [status, code, context], e.message);
  }
  // A wallet with history stays its own account.
  const email = uniqueEmail();
  const { id } = await r.billing.createEmailAccount(email);
  const busy = freshWallet().address;
  await complete((await r.billing.createCheckout(busy, 500_000)).topup_id);
  const e = await rejectsKind(r.billing.linkWallet(id, busy), "api_error");
  assert.deepEqual([e.status, e.code], [409, "WALLET_HAS_ACCOUNT"]);
});

test("bad input is refused locally: LocalError, no request", async () => {
  let sent = 0;
  const r = new Run402({
    apiBase: await simulator(),
    credentials: { getAuth: async () => null, getProject: async () => null },
    fetch: (...args) => { sent += 1; return fetch(...args); },
  });
  const cases = [
    [() => r.billing.getAccount(""), /`identifier` must not be empty/],
    [() => r.billing.getAccount(42), /`identifier` must be a string, got a number/],
    [() => r.billing.history("0xab", 0), /`limit` must be a positive whole number/],
    [() => r.billing.getHistory("0xab", 2.5), /`limit` must be a positive whole number/],
    [() => r.billing.createCheckout(undefined, 1_000_000), /`wallet` must be a wallet address/],
    [() => r.billing.createCheckout("0xab", "1000000"), /`amountUsdMicros` must be a positive whole number, got a string/],
    [() => r.billing.createEmailAccount(""), /`email` must not be empty/],
    [() => r.billing.linkWallet("a/b", "0xab"), /`billingAccountId` contains '\/'/],
    [() => r.billing.tierCheckout("hobby", { wallet: "0xab", email: "a@b.co" }), /give `wallet` or `email` in `identifier`, not both/],
    [() => r.billing.tierCheckout("hobby", {}), /`identifier` needs a `wallet` or an `email` string/],
    [() => r.billing.tierCheckout("hobby", { wallet: "", email: "" }), /`identifier` needs a `wallet` or an `email` string/],
    [() => r.billing.tierCheckout("../x", { wallet: "0xab" }), /`tier`/],
    [() => r.billing.buyEmailPack("a@b.co"), /`identifier` needs a `wallet` or an `email` string/],
    [() => r.billing.buyEmailPack({ wallet: "0xa", email: "a@b.co" }), /not both/],
    [() => r.billing.setAutoRecharge({ billingAccountId: "x", enabled: 1 }), /`enabled` must be a boolean, got a number/],
    [() => r.billing.setAutoRecharge({ billingAccountId: "x", enabled: true, threshold: -5 }), /`threshold` must be a non-negative whole number/],
    [() => r.billing.setAutoRecharge({ billingAccountId: "x", enabled: true, threshold: 1.5 }), /`threshold` must be a non-negative whole number/],
    [() => r.billing.autoRecharge(), /`billingAccountId` must be a string, got undefined/],
  ];
  for (const [call, message] of cases) {
    const e = await rejectsKind(call(), "local_error");
    assert.match(e.message, message);
    assert.equal(e.status, null);
  }
  assert.equal(sent, 0, "no request left the client");
});

test("billing is a root namespace: scoped clients have none", async () => {
  const { r } = await client();
  const p = await r.project("prj_x");
  assert.equal(p.billing, undefined);
  assert.deepEqual(
    Object.getOwnPropertyNames(r.billing).sort(),
    ["autoRecharge", "balance", "buyEmailPack", "checkBalance", "createCheckout", "createEmail", "createEmailAccount", "getAccount", "getHistory", "history", "linkWallet", "setAutoRecharge", "tierCheckout"],
  );
});
