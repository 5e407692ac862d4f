// r.contracts end to end: the built package against the simulator, on the
// v1.69.7 wallets wire (3.3.3 renamed them signers, so the contract is the
// oracle). Wallets hold real secp256k1 keys; calls are encoded by viem in
// the simulator from the ABI we send, signed, and confirmed on the next
// status read against a simulated ERC-20 a test deploys through /__sim/.
// Fees come out of the project owner's prepaid billing balance.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { erc20Abi, isAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { sdk, simulator, sim, rejectsKind } from "./helpers.mjs";

const { Run402, allowanceCredentials } = sdk;
const CHAIN = "base-sepolia";
const ONE_ETH = "1000000000000000000";

before(async () => { await simulator(); });

const address = () => privateKeyToAccount(generatePrivateKey()).address;
const lastRequest = async (path) => (await sim("requests")).filter((x) => x.path.startsWith(path)).at(-1);
const transferAbi = erc20Abi.filter((f) => f.name === "transfer");

/** A project owned by a fresh wallet (signed in, so the simulator knows the owner), with `credit` USD micros prepaid. */
async function ownedProject(credit = 2_000_000) {
  const privateKey = generatePrivateKey();
  const owner = { privateKey, address: privateKeyToAccount(privateKey).address };
  const projects = {};
  const r = new Run402({ apiBase: await simulator(), credentials: allowanceCredentials({ allowance: owner, projects }) });
  const { project_id: id } = await r.projects.provision({ tier: "prototype" });
  if (credit > 0) {
    const { topup_id } = await r.billing.createCheckout(owner.address, credit);
    await sim("billing/checkouts", { topup_id });
  }
  return { r, id, owner, projects };
}

const deployToken = async (balances) => (await sim("contracts", { token: { chain: CHAIN, name: "Test USD", symbol: "TUSD", decimals: 6, balances } })).address;
const fundNative = (addr, wei) => sim("contracts", { native: { chain: CHAIN, address: addr, wei } });

test("provisioning needs $1.20 of prepaid credit, charges a day's rental, and answers a real address", async () => {
  const poor = await ownedProject(0);
  const e = await rejectsKind(poor.r.contracts.provisionWallet(poor.id, { chain: CHAIN }), "payment_required");
  assert.deepEqual([e.status, e.code], [402, "INSUFFICIENT_PREPAID_CREDIT"]);
  assert.match(e.message, / while provisioning KMS contract wallet$/);

  const { r, id, owner, projects } = await ownedProject();
  const recovery = address();
  const w = await r.contracts.provisionWallet(id, { chain: CHAIN, recoveryAddress: recovery });
  assert.match(w.wallet_id, /^cwlt_/);
  assert.ok(isAddress(w.address, { strict: true }), "a checksummed address of the wallet's own key");
  assert.deepEqual({ ...w, wallet_id: 0, address: 0, created_at: 0 }, {
    wallet_id: 0, address: 0, created_at: 0, chain: CHAIN, status: "active", balance_wei: "0", threshold_wei: null, recovery_address: recovery,
  });
  const seen = await lastRequest("/contracts/v1/wallets");
  assert.equal(seen.headers.authorization, `Bearer ${projects[id].service_key}`);
  assert.deepEqual(JSON.parse(seen.body), { chain: CHAIN, recovery_address: recovery });

  const account = await r.billing.getAccount(owner.address);
  assert.equal(account.available_usd_micros, 2_000_000 - 40_000);
  assert.deepEqual((await r.billing.history(owner.address, 1)).entries.map((x) => [x.kind, x.reference_id]), [["kms_rental", w.wallet_id]]);

  assert.deepEqual(await r.contracts.getWallet(id, w.wallet_id), w);
  assert.deepEqual((await r.contracts.listWallets(id)).wallets, [w]);
  // Another project cannot see it.
  const other = await ownedProject();
  const missing = await rejectsKind(other.r.contracts.getWallet(other.id, w.wallet_id), "api_error");
  assert.deepEqual([missing.status, missing.code], [404, "WALLET_NOT_FOUND"]);
});

test("call: encoded from our ABI, signed, idempotent on its key, confirmed on the next status read; read decodes the token", async () => {
  const { r, id, owner } = await ownedProject();
  const w = await r.contracts.provisionWallet(id, { chain: CHAIN });
  const token = await deployToken({ [w.address]: "1000" });
  await fundNative(w.address, ONE_ETH);
  const dest = address();

  const balanceOf = async (who) => (await r.contracts.read({ chain: CHAIN, to: token, abi: erc20Abi, fn: "balanceOf", args: [who] })).result;
  assert.equal(await balanceOf(w.address), "1000");
  const readSeen = await lastRequest("/contracts/v1/read");
  assert.equal(readSeen.headers.authorization, undefined, "read sends no credentials");
  assert.deepEqual(Object.keys(JSON.parse(readSeen.body)), ["chain", "contract_address", "abi_fragment", "function_name", "args"]);
  assert.deepEqual((await r.contracts.read({ chain: CHAIN, contractAddress: token, abiFragment: erc20Abi, functionName: "symbol", args: [] })).result, "TUSD");

  const opts = { walletId: w.wallet_id, chain: CHAIN, to: token, abi: transferAbi, fn: "transfer", args: [dest, "250"], idempotencyKey: `xfer-${w.wallet_id}` };
  const submitted = await r.contracts.call(id, opts);
  assert.deepEqual({ ...submitted, call_id: 0, tx_hash: 0 }, { call_id: 0, tx_hash: 0, status: "submitted", gas_used: null, gas_cost_usd_micros: null, receipt: null });
  assert.match(submitted.tx_hash, /^0x[0-9a-f]{64}$/);
  const callSeen = await lastRequest("/contracts/v1/call");
  assert.equal(callSeen.headers["idempotency-key"], opts.idempotencyKey);
  assert.deepEqual(JSON.parse(callSeen.body), {
    wallet_id: w.wallet_id, chain: CHAIN, contract_address: token, abi_fragment: transferAbi, function_name: "transfer", args: [dest, "250"],
  });
  // The same key again is the same call, not a second transfer.
  assert.deepEqual(await r.contracts.call(id, opts), submitted);
  assert.equal(await balanceOf(dest), "0", "nothing moves before confirmation");

  const confirmed = await r.contracts.callStatus(id, submitted.call_id);
  assert.equal(confirmed.status, "confirmed");
  assert.equal(confirmed.tx_hash, submitted.tx_hash);
  assert.match(confirmed.gas_used, /^\d+$/);
  assert.match(confirmed.gas_cost_usd_micros, /^\d+$/);
  assert.equal(confirmed.receipt.status, "success");
  assert.deepEqual(await r.contracts.status(id, submitted.call_id), confirmed, "the alias, and a confirmed call stays confirmed");
  assert.equal(await balanceOf(dest), "250");
  assert.equal(await balanceOf(w.address), "750");
  const gasWei = BigInt(confirmed.gas_used) * BigInt(confirmed.receipt.effective_gas_price);
  assert.equal((await r.contracts.getWallet(id, w.wallet_id)).balance_wei, String(BigInt(ONE_ETH) - gasWei), "gas left the wallet");

  // A transfer beyond the token balance is signed and sent, then reverts.
  const tooMuch = await r.contracts.call(id, { ...opts, args: [dest, "5000"], idempotencyKey: undefined });
  assert.equal(callSeenKey(await lastRequest("/contracts/v1/call")), undefined, "no key, no header");
  const failed = await r.contracts.callStatus(id, tooMuch.call_id);
  assert.deepEqual([failed.status, failed.receipt.status], ["failed", "reverted"]);
  assert.match(failed.receipt.revert_reason, /exceeds balance/);
  assert.equal(await balanceOf(dest), "250");

  // Each signature is billed: two calls (the replay was not signed again).
  const fees = (await r.billing.history(owner.address)).entries.filter((x) => x.kind === "kms_sign_fee");
  assert.deepEqual(fees.map((x) => x.amount_usd_micros), [5, 5]);
});

const callSeenKey = (seen) => seen.headers["idempotency-key"];

test("the simulator refuses what viem cannot encode, reads it cannot answer, and calls it cannot pay", async () => {
  const { r, id } = await ownedProject();
  const w = await r.contracts.provisionWallet(id, { chain: CHAIN });
  const token = await deployToken({});
  const base = { walletId: w.wallet_id, chain: CHAIN, to: token, abi: transferAbi, fn: "transfer" };
  const cases = [
    [r.contracts.call(id, { ...base, args: ["not-an-address", "1"] }), 400, "INVALID_CALL"],
    [r.contracts.call(id, { ...base, fn: "approve", args: [] }), 400, "INVALID_CALL"],
    [r.contracts.call(id, { ...base, args: [address(), "1"] }), 400, "INSUFFICIENT_FUNDS"],
    [r.contracts.call(id, { ...base, chain: "base-mainnet", args: [address(), "1"] }), 400, "CHAIN_MISMATCH"],
    [r.contracts.call(id, { ...base, walletId: "cwlt_missing", args: [] }), 404, "WALLET_NOT_FOUND"],
    [r.contracts.read({ chain: CHAIN, to: address(), abi: erc20Abi, fn: "totalSupply", args: [] }), 400, "EXECUTION_REVERTED"],
    [r.contracts.read({ chain: CHAIN, to: token, abi: [{ type: "function", name: "owner", inputs: [], outputs: [{ type: "address" }], stateMutability: "view" }], fn: "owner", args: [] }), 400, "EXECUTION_REVERTED"],
    [r.contracts.callStatus(id, "call_missing"), 404, "CALL_NOT_FOUND"],
  ];
  for (const [call, status, code] of cases) {
    const e = await rejectsKind(call, "api_error");
    assert.deepEqual([e.status, e.code], [status, code], e.message);
  }
});

test("alert, recovery, drain and delete: the confirmation headers are sent and required", async () => {
  const { r, id, projects } = await ownedProject();
  const w = await r.contracts.provisionWallet(id, { chain: CHAIN, recoveryAddress: address() });
  assert.equal(await r.contracts.setLowBalanceAlert(id, w.wallet_id, "5000"), undefined);
  assert.equal(await r.contracts.setAlert(id, w.wallet_id, "7000"), undefined);
  assert.equal(await r.contracts.setRecovery(id, w.wallet_id, null), undefined);
  assert.deepEqual(JSON.parse((await lastRequest(`/contracts/v1/wallets/${w.wallet_id}/recovery-address`)).body), { recovery_address: null });
  let now = await r.contracts.getWallet(id, w.wallet_id);
  assert.deepEqual([now.threshold_wei, now.recovery_address], ["7000", null]);

  await fundNative(w.address, ONE_ETH);
  const refused = await rejectsKind(r.contracts.deleteWallet(id, w.wallet_id), "api_error");
  assert.deepEqual([refused.status, refused.code], [409, "WALLET_HAS_BALANCE"]);

  // Straight to the gateway without the header, or with another wallet's id: refused.
  const url = `${await simulator()}/contracts/v1/wallets/${w.wallet_id}`;
  const headers = { authorization: `Bearer ${projects[id].service_key}`, "content-type": "application/json" };
  const body = JSON.stringify({ destination_address: address() });
  for (const [extra, code] of [[{}, "CONFIRMATION_REQUIRED"], [{ "x-confirm-drain": "cwlt_other" }, "CONFIRMATION_MISMATCH"]]) {
    const res = await fetch(`${url}/drain`, { method: "POST", headers: { ...headers, ...extra }, body });
    assert.deepEqual([res.status, (await res.json()).code], [400, code]);
  }
  const noDelete = await fetch(url, { method: "DELETE", headers: { authorization: headers.authorization } });
  assert.deepEqual([noDelete.status, (await noDelete.json()).code], [400, "CONFIRMATION_REQUIRED"]);

  // Drain works on a suspended wallet; a suspended wallet signs nothing else.
  await sim("contracts", { wallet: { wallet_id: w.wallet_id, status: "suspended" } });
  const suspended = await rejectsKind(r.contracts.call(id, { walletId: w.wallet_id, chain: CHAIN, to: address(), abi: transferAbi, fn: "transfer", args: [address(), "1"] }), "api_error");
  assert.deepEqual([suspended.status, suspended.code], [409, "WALLET_SUSPENDED"]);
  const dest = address();
  const drained = await r.contracts.drain(id, w.wallet_id, dest);
  assert.deepEqual(Object.keys(drained), ["call_id", "status", "tx_hash"]);
  assert.equal(drained.status, "submitted");
  const seen = await lastRequest(`/contracts/v1/wallets/${w.wallet_id}/drain`);
  assert.equal(seen.headers["x-confirm-drain"], w.wallet_id);
  assert.deepEqual(JSON.parse(seen.body), { destination_address: dest });
  assert.equal((await r.contracts.callStatus(id, drained.call_id)).status, "confirmed");
  now = await r.contracts.getWallet(id, w.wallet_id);
  assert.equal(now.balance_wei, "0", "everything but the transfer's gas went to the destination");

  const deleted = await r.contracts.delete(id, w.wallet_id);
  assert.equal(deleted.wallet_id, w.wallet_id);
  assert.ok(Date.parse(deleted.scheduled_deletion_at) > Date.now() + 6 * 86_400_000, "the 7-day KMS deletion window");
  assert.equal((await lastRequest(`/contracts/v1/wallets/${w.wallet_id}`)).headers["x-confirm-delete"], w.wallet_id);
  assert.equal((await r.contracts.listWallets(id)).wallets[0].status, "deleted", "deleted wallets stay listed");
  const again = await rejectsKind(r.contracts.deleteWallet(id, w.wallet_id), "api_error");
  assert.deepEqual([again.status, again.code], [409, "WALLET_DELETED"]);
});

test("scoped clients drop the project id, pass read through, and offer no CLI aliases", async () => {
  const { r, id } = await ownedProject();
  const p = await r.project(id);
  const w = await p.contracts.provisionWallet({ chain: CHAIN });
  assert.deepEqual((await p.contracts.listWallets()).wallets.map((x) => x.wallet_id), [w.wallet_id]);
  assert.equal((await p.contracts.getWallet(w.wallet_id)).address, w.address);
  assert.equal(await p.contracts.setLowBalanceAlert(w.wallet_id, "1"), undefined);
  assert.equal(await p.contracts.setRecovery(w.wallet_id, address()), undefined);
  const token = await deployToken({ [w.address]: "9" });
  assert.equal((await p.contracts.read({ chain: CHAIN, to: token, abi: erc20Abi, fn: "balanceOf", args: [w.address] })).result, "9");
  await fundNative(w.address, ONE_ETH);
  const c = await p.contracts.call({ walletId: w.wallet_id, chain: CHAIN, to: token, abi: transferAbi, fn: "transfer", args: [address(), "9"] });
  assert.equal((await p.contracts.callStatus(c.call_id)).status, "confirmed");
  const d = await p.contracts.drain(w.wallet_id, address());
  await p.contracts.callStatus(d.call_id);
  assert.equal((await p.contracts.deleteWallet(w.wallet_id)).wallet_id, w.wallet_id);
  for (const alias of ["setAlert", "status", "delete"]) assert.equal(p.contracts[alias], undefined, alias);
});

test("addresses, wei amounts and the call's names are checked locally: LocalError, no request", async () => {
  let sent = 0;
  const r = new Run402({
    apiBase: await simulator(),
    credentials: { getAuth: async () => null, getProject: async () => ({ anon_key: "a", service_key: "s" }) },
    fetch: (...args) => { sent += 1; return fetch(...args); },
  });
  const a = address();
  const good = { walletId: "cwlt_1", chain: CHAIN, to: a, abi: transferAbi, fn: "transfer", args: [] };
  const cases = [
    [() => r.contracts.provisionWallet("prj_1", { chain: "ethereum" }), /`chain` must be one of base-mainnet, base-sepolia/],
    [() => r.contracts.provisionWallet("prj_1", { chain: CHAIN, recoveryAddress: "0x1234" }), /`recoveryAddress` must be a 0x-prefixed 20-byte EVM address/],
    [() => r.contracts.provisionWallet("prj_1"), /`chain` must be a string, got undefined/],
    [() => r.contracts.getWallet("prj_1", ""), /`walletId` must not be empty/],
    [() => r.contracts.setRecovery("prj_1", "w", undefined), /`recoveryAddress` must be a 0x-prefixed 20-byte EVM address/],
    [() => r.contracts.setRecovery("prj_1", "w", a.slice(0, 41)), /`recoveryAddress` must be/],
    [() => r.contracts.setLowBalanceAlert("prj_1", "w", "1.5"), /`thresholdWei` must be a decimal string of wei/],
    [() => r.contracts.setAlert("prj_1", "w", 10), /`thresholdWei` must be a decimal string of wei/],
    [() => r.contracts.call("prj_1", { ...good, to: undefined }), /`contractAddress` \(or `to`\) is required/],
    [() => r.contracts.call("prj_1", { ...good, to: "0xnope" }), /`to` must be a 0x-prefixed 20-byte EVM address/],
    [() => r.contracts.call("prj_1", { ...good, abi: undefined }), /`abiFragment` \(or `abi`\) is required/],
    [() => r.contracts.call("prj_1", { ...good, abi: "transfer(address,uint256)" }), /`abi` must be an array/],
    [() => r.contracts.call("prj_1", { ...good, fn: undefined }), /`functionName` \(or `fn`\) is required/],
    [() => r.contracts.call("prj_1", { ...good, value: "1e18" }), /`value` must be a decimal string of wei/],
    [() => r.contracts.call("prj_1", { ...good, chain: "base" }), /`chain` must be one of/],
    [() => r.contracts.call("prj_1", { ...good, walletId: undefined }), /`walletId` must be a string, got undefined/],
    [() => r.contracts.read({ ...good, to: "0x" + "g".repeat(40) }), /`to` must be a 0x-prefixed/],
    [() => r.contracts.callStatus("prj_1"), /`callId` must be a string, got undefined/],
    [() => r.contracts.drain("prj_1", "w", "vitalik.eth"), /`destinationAddress` must be a 0x-prefixed 20-byte EVM address/],
    [() => r.contracts.deleteWallet("../prj", "w"), /`projectId`/],
  ];
  for (const [call, message] of cases) {
    const e = await rejectsKind(call(), "local_error");
    assert.match(e.message, message);
  }
  assert.equal(sent, 0, "no request left the client");
  // And a project the provider does not know is ProjectNotFound, before any request too.
  const unknown = new Run402({ apiBase: await simulator(), credentials: { getAuth: async () => null, getProject: async () => null }, fetch: (...args) => { sent += 1; return fetch(...args); } });
  await rejectsKind(unknown.contracts.listWallets("prj_nope"), "project_not_found");
  assert.equal(sent, 0);
});
