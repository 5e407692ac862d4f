// r.allowance and r.tier against the simulator: keys made in wasm from the
// runtime's CSPRNG, the faucet, and the local-only methods' provider rules.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { privateKeyToAccount } from "viem/accounts";

import { sdk, simulator, sim, rejectsKind } from "./helpers.mjs";

before(async () => { await simulator(); });

/** A provider that stores one allowance, like a keystore would. */
function store(initial = null) {
  let saved = initial;
  const saves = [];
  return {
    saves,
    get saved() { return saved; },
    credentials: {
      getAuth: () => null,
      getProject: () => null,
      readAllowance: () => saved,
      saveAllowance: (data) => { saves.push(data); saved = data; },
      getAllowancePath: () => "/keystore/allowance.json",
    },
  };
}

test("create makes a key in wasm, saves it, and never returns it", async () => {
  const s = store();
  const r = new sdk.Run402({ apiBase: await simulator(), credentials: s.credentials });
  assert.deepEqual(await r.allowance.status(), { address: "", configured: false });
  const made = await r.allowance.create();
  assert.match(made.address, /^0x[0-9a-f]{40}$/);
  assert.equal(made.path, "/keystore/allowance.json");
  assert.ok(!JSON.stringify(made).includes(s.saved.privateKey.slice(2)), "the key is not in the result");
  assert.equal(privateKeyToAccount(s.saved.privateKey).address.toLowerCase(), made.address, "the saved key owns the address");
  assert.equal(s.saved.funded, false);
  const status = await r.allowance.status();
  assert.deepEqual([status.address, status.configured, status.faucet_used, status.path], [made.address, true, false, "/keystore/allowance.json"]);
  assert.equal(await r.allowance.export(), made.address);
  await rejectsKind(r.allowance.create(), "local_error", (e) => assert.match(e.message, /already exists/));
  // Keys differ every time (CSPRNG), and a provider's own createAllowance is preferred.
  const other = store();
  const again = await new sdk.Run402({ apiBase: await simulator(), credentials: other.credentials }).allowance.create();
  assert.notEqual(again.address, made.address);
  const custom = store();
  custom.credentials.createAllowance = () => ({ address: "0x1111111111111111111111111111111111111111", privateKey: `0x${"11".repeat(32)}` });
  const viaProvider = await new sdk.Run402({ apiBase: await simulator(), credentials: custom.credentials }).allowance.create();
  assert.equal(viaProvider.address, "0x1111111111111111111111111111111111111111");
});

test("create, export and faucet need the right provider methods", async () => {
  const bare = new sdk.Run402({ apiBase: await simulator(), credentials: { getAuth: () => null, getProject: () => null } });
  await rejectsKind(bare.allowance.create(), "local_error", (e) => assert.match(e.message, /saveAllowance/));
  await rejectsKind(bare.allowance.export(), "local_error", (e) => assert.match(e.message, /readAllowance/));
  await rejectsKind(bare.allowance.faucet(), "local_error", (e) => assert.match(e.message, /readAllowance/));
  await rejectsKind(bare.allowance.faucet("not-an-address"), "local_error");
  const empty = new sdk.Run402({ apiBase: await simulator(), credentials: store().credentials });
  await rejectsKind(empty.allowance.export(), "local_error", (e) => assert.match(e.message, /No allowance/));
});

test("faucet funds the allowance, records it, and its rate limit is an ApiError", async () => {
  const s = store();
  const r = new sdk.Run402({ apiBase: await simulator(), credentials: s.credentials });
  const { address } = await r.allowance.create();
  const funded = await r.allowance.faucet();
  assert.deepEqual([funded.amount, funded.amountUsdMicros, funded.token, funded.network], ["0.25", 250000, "USDC", "base-sepolia"]);
  assert.match(funded.transactionHash, /^0x[0-9a-f]{64}$/);
  const ledger = await sim(`ledger?address=${address}`);
  assert.equal(ledger.balances["eip155:84532"], 250000);
  assert.equal(s.saved.funded, true);
  assert.match(s.saved.lastFaucet, /^\d{4}-\d\d-\d\dT/);
  assert.equal((await r.allowance.status()).faucet_used, true);
  const e = await rejectsKind(r.allowance.faucet(), "api_error");
  assert.equal(e.status, 429);
  assert.ok(sdk.isRetryableRun402Error(e));
});

test("tier.set validates the tier before any request", async () => {
  const r = new sdk.Run402({ apiBase: await simulator(), credentials: store().credentials });
  await rejectsKind(r.tier.set("platinum"), "local_error");
  await rejectsKind(r.tier.set("hobby", { idempotencyKey: "" }), "local_error");
  const e = await rejectsKind(r.tier.status(), "unauthorized"); // status needs a wallet sign-in
  assert.equal(e.status, 401);
});

test("payments.policy reports the defaults and the caller's limits", async () => {
  const r = new sdk.Run402({ apiBase: await simulator(), credentials: store().credentials });
  assert.deepEqual(await r.payments.policy(), {
    maxPerRequest: "20.00", maxTotal: "50.00", networks: ["eip155:8453", "eip155:84532"],
    assets: ["0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "0x036CbD53842c5426634e7929541eC2318f3dCF7e"],
  });
  const strict = new sdk.Run402({ apiBase: "http://x", credentials: store().credentials, payments: { maxPerRequest: 0.5, maxTotal: "2", networks: ["base-sepolia"] } });
  const p = await strict.payments.policy();
  assert.deepEqual([p.maxPerRequest, p.maxTotal, p.networks], ["0.50", "2.00", ["eip155:84532"]]);
  assert.deepEqual(await strict.payments.spent(), { total: "0.00", baseUnits: "0", count: 0 });
  assert.deepEqual(await strict.payments.receipts(), []);
});
