// /__sim/ control endpoints: test-only, outside the contract, no auth. They
// are neither logged nor subject to faults.

import { answerRpc } from "../chain-rpc.mjs";
import { fail, json, jsonObjectBody, jsonValueBody, requireString } from "../http-util.mjs";
import { parseFault } from "../faults.mjs";
import { balanceOf, mint } from "../ledger.mjs";
import { NETWORKS, toCaip2 } from "../networks.mjs";
import { PAYEE } from "../payments.mjs";
import { CONFIG_KEYS, applyConfig } from "../sim-config.mjs";
import { ensureUser } from "../users.mjs";

function addFault(ctx) {
  const fault = parseFault(jsonObjectBody(ctx, { allowed: ["match", "count", "status", "headers", "body", "delayMs", "reset", "truncate"] }));
  ctx.state.faults.push(fault);
  return json(201, { status: "queued", pending: ctx.state.faults.length });
}

/** Clears pending faults, the request log and the faucet's per-IP claims (so a test can start from a fresh limiter). */
function reset(ctx) {
  ctx.state.faults.length = 0;
  ctx.state.requestLog.length = 0;
  ctx.state.faucetClaims.clear();
  return json(200, { status: "reset" });
}

function requests(ctx) {
  return json(200, ctx.state.requestLog);
}

/** POST {payments?, x402Versions?, networks?, priceOverride?} → the whole config. An empty body reads it. */
function config(ctx) {
  applyConfig(ctx.state.config, jsonObjectBody(ctx, { allowed: CONFIG_KEYS, optional: true }));
  return json(200, { ...ctx.state.config, payee: PAYEE });
}

function summary(ctx) {
  const stats = ctx.state.paymentStats;
  return json(200, {
    projects: ctx.state.projects.size,
    payments: ctx.state.config.payments,
    payments_seen: stats.seen,
    payments_verified: stats.verified,
    payments_settled: stats.settled,
    payments_rejected: stats.rejected,
    faucet_claims: ctx.state.ledger.transactions.filter((t) => t.kind === "faucet").length,
    faults_pending: ctx.state.faults.length,
    requests_logged: ctx.state.requestLog.length,
  });
}

/** Seeds a project end-user (without a password) directly. */
function addUser(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["project_id", "email", "is_admin"] });
  const project = ctx.state.projects.get(requireString(body, "project_id"));
  if (!project) fail(404, "project_not_found", "No such project.", "PROJECT_NOT_FOUND");
  const { user } = ensureUser(project, requireString(body, "email").toLowerCase(), { isAdmin: body.is_admin === true });
  return json(201, { project_id: project.id, id: user.id, email: user.email, is_admin: user.is_admin });
}

function parseAddress(value, field) {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value)) {
    fail(400, "invalid_field", `"${field}" must be a 0x-prefixed 20-byte hex address.`, "INVALID_FIELD");
  }
  return value.toLowerCase();
}

function balances(ctx, address) {
  return Object.fromEntries(Object.keys(NETWORKS).map((n) => [n, Number(balanceOf(ctx.state.ledger, n, NETWORKS[n].usdc, address))]));
}

/** POST {address, amount (base units), network? (CAIP-2 or v1 name; default Base Sepolia)} credits USDC directly. */
function fund(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["address", "amount", "network"] });
  const address = parseAddress(body.address, "address");
  if (!Number.isSafeInteger(body.amount) || body.amount <= 0) fail(400, "invalid_field", '"amount" must be a positive integer of USDC base units.', "INVALID_FIELD");
  const network = toCaip2(body.network ?? "eip155:84532");
  if (!network) fail(400, "invalid_field", `"network" must be one of ${Object.keys(NETWORKS).join(", ")} (or base-sepolia / base).`, "INVALID_FIELD");
  const tx = mint(ctx.state.ledger, { network, asset: NETWORKS[network].usdc, address, amount: BigInt(body.amount), kind: "fund" });
  return json(200, { address, network, amount: body.amount, transaction: tx.hash, balance: balances(ctx, address)[network] });
}

/** GET ?address=0x… → that address's balances and transactions; without it, every account. */
function ledger(ctx) {
  const raw = ctx.url.searchParams.get("address");
  const { ledger } = ctx.state;
  if (raw !== null) {
    const address = parseAddress(raw, "address");
    const transactions = ledger.transactions.filter((t) => t.from === address || t.to === address);
    return json(200, { address, balances: balances(ctx, address), transactions });
  }
  const accounts = [...ledger.balances].map(([key, balance]) => {
    const [network, asset, address] = key.split("|");
    return { network, asset, address, balance: Number(balance) };
  });
  return json(200, { payee: PAYEE, accounts, transactions: ledger.transactions });
}

/** POST JSON-RPC → answers from the ledger as that network's node would (chain-rpc.mjs). */
function rpc(ctx) {
  const network = toCaip2(ctx.params.network);
  if (!network) fail(404, "unknown_network", `No network "${ctx.params.network}"; use one of ${Object.keys(NETWORKS).join(", ")}.`, "UNKNOWN_NETWORK");
  return json(200, answerRpc(ctx.state.ledger, network, jsonValueBody(ctx)));
}

export function register(router) {
  router.add("POST", "/__sim/faults", addFault);
  router.add("POST", "/__sim/reset", reset);
  router.add("GET", "/__sim/requests", requests);
  router.add("POST", "/__sim/config", config);
  router.add("GET", "/__sim/config", config);
  router.add("GET", "/__sim/state", summary);
  router.add("POST", "/__sim/users", addUser);
  router.add("POST", "/__sim/fund", fund);
  router.add("GET", "/__sim/ledger", ledger);
  router.add("POST", "/__sim/rpc/:network", rpc);
}
