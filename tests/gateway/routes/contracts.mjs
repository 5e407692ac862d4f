// contracts (wire contract §1.17, the v1.69.7 wallets wire): KMS contract
// wallets per project, service key only except `read`. Each wallet holds a
// real secp256k1 key (viem generatePrivateKey), kept inside its viem account
// and never answered. A call is checked by encoding it with viem, signed as
// an EIP-1559 transaction (the hash is the keccak of the signed bytes), and
// answered "submitted"; the next status read confirms it against the
// simulated chain (evm-state.mjs): gas and value leave the wallet, token
// transfers apply, a revert marks it failed. Fees come out of the project
// owner's prepaid billing balance ($0.04 rental on provisioning, $0.000005
// per signature), and provisioning needs $1.20 of it.

import { randomBytes } from "node:crypto";
import { encodeFunctionData, keccak256 } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { projectFromServiceKey } from "../auth.mjs";
import { record, walletAccount } from "../billing-accounts.mjs";
import {
  CHAINS, GAS_PRICE_WEI, Revert, createEvm, deployToken, execute, gasFor, nativeBalance, nextBlock, setNative, usdMicros, view,
} from "../evm-state.mjs";
import { expectNoBody, fail, json, jsonObjectBody, requireString } from "../http-util.mjs";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const WEI = /^\d+$/;
const REQUIRED_CREDIT_USD_MICROS = 1_200_000;
const DAILY_RENTAL_USD_MICROS = 40_000;
const SIGN_FEE_USD_MICROS = 5;
/** Below this a wallet counts as empty and may be deleted. */
const DUST_WEI = 1_000_000_000_000n;
const DELETION_WINDOW_MS = 7 * 86_400_000;

export function createContracts() {
  return { wallets: new Map(), calls: new Map(), evm: createEvm() };
}

const contractsOf = (ctx) => ctx.state.contracts;

function addressField(value, field) {
  if (typeof value !== "string" || !ADDRESS.test(value)) {
    fail(400, "invalid_address", `${field} must be a 0x-prefixed 20-byte EVM address.`, "INVALID_ADDRESS", { details: { field } });
  }
  return value;
}

function chainField(value) {
  if (!Object.hasOwn(CHAINS, value ?? "")) {
    fail(400, "invalid_chain", `chain must be one of ${Object.keys(CHAINS).join(", ")}.`, "INVALID_CHAIN", { details: { field: "chain" } });
  }
  return value;
}

function weiField(value, field) {
  if (typeof value !== "string" || !WEI.test(value)) {
    fail(400, "invalid_wei", `${field} must be a decimal string of wei.`, "INVALID_WEI", { details: { field } });
  }
  return BigInt(value);
}

function summary(ctx, w) {
  return {
    wallet_id: w.id,
    address: w.account.address,
    chain: w.chain,
    status: w.status,
    balance_wei: String(nativeBalance(contractsOf(ctx).evm, w.chain, w.account.address)),
    threshold_wei: w.thresholdWei,
    recovery_address: w.recoveryAddress,
    created_at: w.createdAt,
  };
}

/** The caller's wallet `id`: 404 for another project's, as for a missing one. */
function ownWallet(ctx, project, id) {
  const w = contractsOf(ctx).wallets.get(id);
  if (!w || w.projectId !== project.id) fail(404, "wallet_not_found", `No contract wallet ${id} in this project.`, "WALLET_NOT_FOUND");
  return w;
}

/** The billing account that pays the project's KMS fees, or a 402. */
function payingAccount(ctx, project, needed) {
  const account = project.ownerWallet ? walletAccount(ctx.state.billing, project.ownerWallet) : null;
  if (!account || account.available < needed) {
    fail(402, "insufficient_prepaid_credit", `Contract wallets are paid from prepaid billing credit; ${needed} USD micros are needed (see billing.createCheckout).`, "INSUFFICIENT_PREPAID_CREDIT", {
      details: { required_usd_micros: needed, available_usd_micros: account?.available ?? 0 },
    });
  }
  return account;
}

function provision(ctx) {
  const project = projectFromServiceKey(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["chain", "recovery_address"] });
  const chain = chainField(body.chain);
  const recovery = body.recovery_address === undefined ? null : addressField(body.recovery_address, "recovery_address");
  const account = payingAccount(ctx, project, REQUIRED_CREDIT_USD_MICROS);
  const id = `cwlt_${randomBytes(12).toString("hex")}`;
  record(ctx.state.billing, account, { direction: "debit", kind: "kms_rental", amount: DAILY_RENTAL_USD_MICROS, referenceType: "contract_wallet", referenceId: id, metadata: { project_id: project.id, days: 1 } });
  const w = {
    id,
    projectId: project.id,
    chain,
    account: privateKeyToAccount(generatePrivateKey()),
    status: "active",
    thresholdWei: null,
    recoveryAddress: recovery,
    createdAt: new Date().toISOString(),
    nonce: 0,
    scheduledDeletionAt: null,
  };
  contractsOf(ctx).wallets.set(id, w);
  return json(201, summary(ctx, w));
}

function getWallet(ctx) {
  return json(200, summary(ctx, ownWallet(ctx, projectFromServiceKey(ctx), ctx.params.id)));
}

function listWallets(ctx) {
  const project = projectFromServiceKey(ctx);
  const wallets = [...contractsOf(ctx).wallets.values()].filter((w) => w.projectId === project.id);
  return json(200, { wallets: wallets.map((w) => summary(ctx, w)) });
}

function notDeleted(w) {
  if (w.status === "deleted") fail(409, "wallet_deleted", `Wallet ${w.id} is deleted.`, "WALLET_DELETED");
}

function setRecovery(ctx) {
  const w = ownWallet(ctx, projectFromServiceKey(ctx), ctx.params.id);
  const body = jsonObjectBody(ctx, { allowed: ["recovery_address"] });
  if (!Object.hasOwn(body, "recovery_address")) fail(400, "invalid_field", "recovery_address is required (null clears it).", "INVALID_FIELD");
  notDeleted(w);
  w.recoveryAddress = body.recovery_address === null ? null : addressField(body.recovery_address, "recovery_address");
  return json(200, summary(ctx, w));
}

function setAlert(ctx) {
  const w = ownWallet(ctx, projectFromServiceKey(ctx), ctx.params.id);
  const threshold = weiField(jsonObjectBody(ctx, { allowed: ["threshold_wei"] }).threshold_wei, "threshold_wei");
  notDeleted(w);
  w.thresholdWei = String(threshold);
  return json(200, summary(ctx, w));
}

/** Signs `{to, data, value}` from the wallet; the call record, "submitted". */
async function submit(ctx, project, w, { to, data, value, kind }) {
  const account = payingAccount(ctx, project, SIGN_FEE_USD_MICROS);
  const gas = gasFor(data);
  const { evm, calls } = contractsOf(ctx);
  if (nativeBalance(evm, w.chain, w.account.address) < value + gas * GAS_PRICE_WEI) {
    fail(400, "insufficient_funds", `Wallet ${w.id} cannot pay ${value} wei plus gas (${gas * GAS_PRICE_WEI} wei).`, "INSUFFICIENT_FUNDS", {
      details: { balance_wei: String(nativeBalance(evm, w.chain, w.account.address)), needed_wei: String(value + gas * GAS_PRICE_WEI) },
    });
  }
  const signed = await w.account.signTransaction({
    type: "eip1559",
    chainId: CHAINS[w.chain].chainId,
    nonce: w.nonce,
    to,
    data,
    value,
    gas,
    maxFeePerGas: GAS_PRICE_WEI,
    maxPriorityFeePerGas: GAS_PRICE_WEI,
  });
  w.nonce += 1;
  const id = `call_${randomBytes(12).toString("hex")}`;
  record(ctx.state.billing, account, { direction: "debit", kind: "kms_sign_fee", amount: SIGN_FEE_USD_MICROS, referenceType: "contract_call", referenceId: id, metadata: { wallet_id: w.id } });
  const call = { id, kind, projectId: project.id, walletId: w.id, chain: w.chain, from: w.account.address, to, data, value, gas, txHash: keccak256(signed), status: "submitted", receipt: null, submittedAt: new Date().toISOString() };
  calls.set(id, call);
  return call;
}

function callResult(call) {
  const confirmed = call.status !== "submitted";
  const cost = call.gas * GAS_PRICE_WEI;
  return {
    call_id: call.id,
    status: call.status,
    tx_hash: call.txHash,
    gas_used: confirmed ? String(call.gas) : null,
    gas_cost_usd_micros: confirmed ? String(usdMicros(cost)) : null,
    receipt: call.receipt,
  };
}

async function contractCall(ctx) {
  const project = projectFromServiceKey(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["wallet_id", "chain", "contract_address", "abi_fragment", "function_name", "args", "value"] });
  const w = ownWallet(ctx, project, requireString(body, "wallet_id"));
  const chain = chainField(body.chain);
  if (chain !== w.chain) fail(400, "chain_mismatch", `Wallet ${w.id} is on ${w.chain}, not ${chain}.`, "CHAIN_MISMATCH");
  if (w.status !== "active") fail(409, `wallet_${w.status}`, `Wallet ${w.id} is ${w.status}; only drain works on it.`, `WALLET_${w.status.toUpperCase()}`);
  const to = addressField(body.contract_address, "contract_address");
  const value = body.value === undefined ? 0n : weiField(body.value, "value");
  const data = encodeCall(body);
  const call = await submit(ctx, project, w, { to, data, value, kind: "call" });
  return json(200, callResult(call));
}

/** The calldata viem makes of the call, or the 400 saying why it cannot be encoded. */
function encodeCall(body) {
  if (!Array.isArray(body.abi_fragment)) fail(400, "invalid_abi", "abi_fragment must be an array of ABI fragments.", "INVALID_ABI");
  const functionName = requireString(body, "function_name");
  const args = body.args ?? [];
  if (!Array.isArray(args)) fail(400, "invalid_args", "args must be an array.", "INVALID_ARGS");
  try {
    return encodeFunctionData({ abi: body.abi_fragment, functionName, args });
  } catch (err) {
    fail(400, "invalid_call", `The call cannot be encoded: ${err.shortMessage ?? err.message}`, "INVALID_CALL");
  }
}

function read(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["chain", "contract_address", "abi_fragment", "function_name", "args"] });
  const chain = chainField(body.chain);
  const to = addressField(body.contract_address, "contract_address");
  const data = encodeCall(body);
  try {
    return json(200, { result: jsonSafe(view(contractsOf(ctx).evm, chain, to, data, body.abi_fragment)) });
  } catch (err) {
    if (err instanceof Revert) fail(400, "execution_reverted", `eth_call reverted: ${err.message}.`, "EXECUTION_REVERTED");
    fail(400, "invalid_call", `The result cannot be decoded with this ABI: ${err.shortMessage ?? err.message}`, "INVALID_CALL");
  }
}

/** Integers as decimal strings, as JSON cannot carry a bigint. */
function jsonSafe(value) {
  if (typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

/** Mines a submitted call: gas and value move, its effect applies or it reverts. */
function confirm(ctx, call) {
  const { evm } = contractsOf(ctx);
  const cost = call.gas * GAS_PRICE_WEI;
  const before = nativeBalance(evm, call.chain, call.from);
  let status = "success";
  let reason = null;
  if (before < cost + call.value) {
    status = "reverted";
    reason = "insufficient funds for gas * price + value";
  } else {
    try {
      if (call.kind === "call" && call.data !== "0x") execute(evm, call.chain, call.from, call.to, call.data);
    } catch (err) {
      if (!(err instanceof Revert)) throw err;
      status = "reverted";
      reason = err.message;
    }
  }
  // A reverted transaction still pays its gas, but not its value.
  const spent = status === "success" ? cost + call.value : cost > before ? before : cost;
  setNative(evm, call.chain, call.from, before - spent);
  if (status === "success" && call.value > 0n) setNative(evm, call.chain, call.to, nativeBalance(evm, call.chain, call.to) + call.value);
  call.status = status === "success" ? "confirmed" : "failed";
  call.receipt = {
    block_number: nextBlock(evm, call.chain),
    status,
    gas_used: String(call.gas),
    effective_gas_price: String(GAS_PRICE_WEI),
    from: call.from,
    to: call.to,
    ...(reason ? { revert_reason: reason } : {}),
  };
}

function callStatus(ctx) {
  const project = projectFromServiceKey(ctx);
  const call = contractsOf(ctx).calls.get(ctx.params.id);
  if (!call || call.projectId !== project.id) fail(404, "call_not_found", `No contract call ${ctx.params.id} in this project.`, "CALL_NOT_FOUND");
  if (call.status === "submitted") confirm(ctx, call);
  return json(200, callResult(call));
}

/** The confirmation header a destructive request must carry: the wallet's own id. */
function confirmation(ctx, header, w) {
  const value = ctx.headers[header];
  if (value === undefined) fail(400, "confirmation_required", `Send ${header}: ${w.id} to confirm.`, "CONFIRMATION_REQUIRED");
  if (value !== w.id) fail(400, "confirmation_mismatch", `${header} must be the wallet id ${w.id}.`, "CONFIRMATION_MISMATCH");
}

async function drain(ctx) {
  const project = projectFromServiceKey(ctx);
  const w = ownWallet(ctx, project, ctx.params.id);
  confirmation(ctx, "x-confirm-drain", w);
  const to = addressField(jsonObjectBody(ctx, { allowed: ["destination_address"] }).destination_address, "destination_address");
  notDeleted(w);
  const fee = gasFor("0x") * GAS_PRICE_WEI;
  const balance = nativeBalance(contractsOf(ctx).evm, w.chain, w.account.address);
  if (balance <= fee) fail(409, "nothing_to_drain", `Wallet ${w.id} holds ${balance} wei, not more than the ${fee} wei the transfer costs.`, "NOTHING_TO_DRAIN");
  const call = await submit(ctx, project, w, { to, data: "0x", value: balance - fee, kind: "drain" });
  const { call_id, status, tx_hash } = callResult(call);
  return json(200, { call_id, status, tx_hash });
}

function deleteWallet(ctx) {
  const w = ownWallet(ctx, projectFromServiceKey(ctx), ctx.params.id);
  confirmation(ctx, "x-confirm-delete", w);
  expectNoBody(ctx);
  notDeleted(w);
  const balance = nativeBalance(contractsOf(ctx).evm, w.chain, w.account.address);
  if (balance >= DUST_WEI) fail(409, "wallet_has_balance", `Wallet ${w.id} holds ${balance} wei; drain it first.`, "WALLET_HAS_BALANCE");
  w.status = "deleted";
  w.scheduledDeletionAt = new Date(Date.now() + DELETION_WINDOW_MS).toISOString();
  return json(200, { wallet_id: w.id, scheduled_deletion_at: w.scheduledDeletionAt });
}

/**
 * /__sim/contracts: POST {native: {chain, address, wei}} sets a native
 * balance; {token: {chain, name, symbol, decimals, balances}} deploys an
 * ERC-20 and answers its address; {wallet: {wallet_id, status}} suspends or
 * reactivates a wallet.
 */
function control(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["native", "token", "wallet"] });
  const { evm, wallets } = contractsOf(ctx);
  if (body.native) {
    const { chain, address, wei } = body.native;
    setNative(evm, chainField(chain), addressField(address, "address"), weiField(wei, "wei"));
    return json(200, { chain, address, balance_wei: wei });
  }
  if (body.token) {
    const { chain, name = "Sim Token", symbol = "SIM", decimals = 6, balances = {} } = body.token;
    return json(201, { chain, address: deployToken(evm, chainField(chain), { name, symbol, decimals, balances }) });
  }
  if (body.wallet) {
    const w = wallets.get(body.wallet.wallet_id);
    if (!w) fail(404, "wallet_not_found", "No such wallet.", "WALLET_NOT_FOUND");
    if (!["active", "suspended"].includes(body.wallet.status)) fail(400, "invalid_field", 'status must be "active" or "suspended".', "INVALID_FIELD");
    w.status = body.wallet.status;
    return json(200, { wallet_id: w.id, status: w.status, address: w.account.address });
  }
  fail(400, "invalid_body", "Send one of native, token or wallet.", "INVALID_BODY");
}

export function register(router) {
  router.add("POST", "/contracts/v1/wallets", provision);
  router.add("GET", "/contracts/v1/wallets", listWallets);
  router.add("GET", "/contracts/v1/wallets/:id", getWallet);
  router.add("DELETE", "/contracts/v1/wallets/:id", deleteWallet);
  router.add("POST", "/contracts/v1/wallets/:id/recovery-address", setRecovery);
  router.add("POST", "/contracts/v1/wallets/:id/alert", setAlert);
  router.add("POST", "/contracts/v1/wallets/:id/drain", drain);
  router.add("POST", "/contracts/v1/call", contractCall, { idempotent: true });
  router.add("POST", "/contracts/v1/read", read);
  router.add("GET", "/contracts/v1/calls/:id", callStatus);
}

export function registerControl(controlRouter) {
  controlRouter.add("POST", "/__sim/contracts", control);
}
