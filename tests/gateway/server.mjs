// The Run402 gateway simulator: start({port, adminWallets, payments,
// x402Versions, networks, priceOverride, faucetWindowSeconds}) for tests, or
// `node tests/gateway/server.mjs [--port N] [--payments] [--fund USDC] ...`
// from the command line (options in cli.mjs, or --help). Binds 127.0.0.1 only.

import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { settleSignIn } from "./auth.mjs";
import { acquire, release } from "./db.mjs";
import { faultReply, takeFault } from "./faults.mjs";
import { HttpError, MAX_BODY_BYTES, errorReply, fail, json, readBody } from "./http-util.mjs";
import { withIdempotency } from "./idempotency.mjs";
import { withPayment } from "./payments.mjs";
import { isPgError, pgErrorStatus } from "./pg-errors.mjs";
import { createRouter } from "./router.mjs";
import * as adminRoutes from "./routes/admin.mjs";
import * as agentRoutes from "./routes/agent.mjs";
import * as blobRoutes from "./routes/blobs.mjs";
import * as aiRoutes from "./routes/ai.mjs";
import * as authRoutes from "./routes/auth.mjs";
import * as appRoutes from "./routes/apps.mjs";
import * as emailRoutes from "./routes/email.mjs";
import * as billingRoutes from "./routes/billing.mjs";
import * as contractRoutes from "./routes/contracts.mjs";
import * as deployRoutes from "./routes/deploy.mjs";
import * as ciRoutes from "./routes/ci.mjs";
import * as exposeRoutes from "./routes/expose.mjs";
import * as faucetRoutes from "./routes/faucet.mjs";
import * as functionRoutes from "./routes/functions.mjs";
import * as projectRoutes from "./routes/projects.mjs";
import * as restRoutes from "./routes/rest.mjs";
import * as routingRoutes from "./routes/routing.mjs";
import * as senderDomainRoutes from "./routes/sender-domains.mjs";
import * as serviceRoutes from "./routes/service.mjs";
import * as simRoutes from "./routes/sim.mjs";
import * as tierRoutes from "./routes/tiers.mjs";
import { createState } from "./state.mjs";
import { startStorage } from "./storage.mjs";

const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers":
    "payment-required, payment-response, x-payment-response, x-run402-settlement-rail, x-run402-allowance-remaining, retry-after, content-range, idempotent-replayed",
};
const PREFLIGHT_HEADERS = {
  "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
  "access-control-allow-headers":
    "authorization, apikey, content-type, prefer, sign-in-with-x, payment-signature, x-payment, idempotency-key, x-admin-mode, x-run402-write-auth, x-confirm-drain, x-confirm-delete",
  "access-control-max-age": "86400",
};

const gateway = createRouter();
for (const routes of [serviceRoutes, tierRoutes, faucetRoutes, aiRoutes, projectRoutes, adminRoutes, exposeRoutes, restRoutes, routingRoutes, senderDomainRoutes, agentRoutes, authRoutes, functionRoutes, appRoutes, emailRoutes, billingRoutes, contractRoutes, blobRoutes, ciRoutes, deployRoutes]) {
  routes.register(gateway);
}
const control = createRouter();
simRoutes.register(control);
aiRoutes.registerControl(control);
routingRoutes.registerControl(control);
for (const routes of [senderDomainRoutes, agentRoutes, authRoutes, functionRoutes, appRoutes, emailRoutes, billingRoutes, contractRoutes, blobRoutes, ciRoutes, deployRoutes]) routes.registerControl(control);

/** Dispatches, then spends or gives back the sign-in nonce by the answer's status. */
async function route(router, ctx) {
  const reply = await dispatch(router, ctx);
  settleSignIn(ctx, reply);
  return reply;
}

/**
 * Runs the matched handler; errors become envelopes, unknown routes 404.
 * Idempotency sits outside payment, so a replayed key never verifies or
 * charges a new payment; a payment the handler held is settled inside.
 */
async function dispatch(router, ctx) {
  try {
    const found = router.match(ctx.method, ctx.url.pathname);
    if (!found) fail(404, "not_found", `No route for ${ctx.method} ${ctx.url.pathname}.`, "NOT_FOUND");
    ctx.params = found.params;
    const run = () => withPayment(ctx, () => found.route.handler(ctx));
    return await (found.route.options.idempotent ? withIdempotency(ctx, run) : run());
  } catch (err) {
    if (err instanceof HttpError) return errorReply(err);
    if (isPgError(err)) return json(pgErrorStatus(err.code), { error: "database_error", message: err.message, code: "DATABASE_ERROR" });
    console.error("[run402-sim] unhandled error:", err);
    return json(500, { error: "internal_error", message: String(err?.message ?? err), code: "INTERNAL_ERROR" });
  }
}

/** Serves a released site, errors as for the gateway. */
async function dispatchSite(ctx) {
  try {
    return await deployRoutes.serveSite(ctx);
  } catch (err) {
    if (err instanceof HttpError) return errorReply(err);
    console.error("[run402-sim] site request failed:", err);
    return json(500, { error: "internal_error", message: String(err?.message ?? err), code: "INTERNAL_ERROR" });
  }
}

/**
 * Writes a reply. With `truncate`, the headers promise the whole body but only
 * half of it is sent before the socket is destroyed.
 */
function send(res, reply, { truncate = false } = {}) {
  const headers = { ...CORS_HEADERS, ...reply.headers };
  let body = reply.body === null ? null : Buffer.from(reply.body);
  if (truncate) {
    body ??= Buffer.from(JSON.stringify({ error: "truncated", message: "This body was cut off.", code: "SIM_TRUNCATED" }));
    res.writeHead(reply.status, { ...headers, "content-length": body.length, connection: "close" });
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
    return;
  }
  if (body !== null) headers["content-length"] = body.length;
  res.writeHead(reply.status, headers);
  res.end(body ?? undefined);
}

async function handleRequest(state, baseUrl, req, res) {
  const { buffer, tooLarge } = await readBody(req);
  // Joined rather than resolved, so a path like "//x" stays a path.
  const url = URL.canParse(baseUrl + req.url) ? new URL(baseUrl + req.url) : null;
  if (!url) return send(res, json(400, { error: "invalid_path", message: "The request target is not a valid path.", code: "INVALID_PATH" }));
  const ctx = {
    state,
    baseUrl,
    method: req.method,
    rawUrl: req.url,
    url,
    // The socket's peer, never X-Forwarded-For: the simulator has no proxy in front of it to trust.
    clientIp: req.socket.remoteAddress,
    headers: req.headers,
    rawBody: buffer,
    params: {},
    payment: null, // set by requirePayment(), settled by withPayment()
    siwxNonce: undefined, // reserved by walletFromSiwx(), settled by settleSignIn()
  };
  if (ctx.url.pathname.startsWith("/__sim/")) return send(res, await route(control, ctx));
  // Released sites (routes/deploy.mjs) are the public web, not the gateway API.
  if (ctx.url.pathname.startsWith("/__sites/") || deployRoutes.siteNameOfHost(state, req.headers.host) !== null) return send(res, await dispatchSite(ctx));

  state.requestLog.push({ method: ctx.method, path: ctx.rawUrl, headers: { ...req.headers }, body: buffer.toString("utf8") });
  if (tooLarge) {
    const reply = json(413, { error: "payload_too_large", message: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`, code: "PAYLOAD_TOO_LARGE" });
    return send(res, { ...reply, headers: { ...reply.headers, connection: "close" } });
  }

  const fault = takeFault(state, ctx.method, ctx.url.pathname);
  if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  if (fault?.reset) return req.socket.resetAndDestroy();
  let reply;
  if (fault?.status !== undefined) reply = faultReply(fault);
  else if (ctx.method === "OPTIONS") reply = { status: 204, headers: PREFLIGHT_HEADERS, body: null };
  else reply = await route(gateway, ctx);
  send(res, reply, { truncate: fault?.truncate });
}

/**
 * Starts a simulator on 127.0.0.1. The embedded Postgres is shared by the
 * simulators open in this process: the first start() boots it, and it shuts
 * down shortly after the last close().
 * Returns `{url, close, state}`.
 */
export async function start({ port = 0, adminWallets = [], payments, x402Versions, networks, priceOverride, faucetWindowSeconds } = {}) {
  const state = createState({ adminWallets, payments, x402Versions, networks, priceOverride, faucetWindowSeconds });
  await acquire();
  let baseUrl;
  const server = createServer((req, res) => {
    handleRequest(state, baseUrl, req, res).catch((err) => {
      console.error("[run402-sim] request failed:", err);
      res.destroy();
    });
  });
  try {
    await new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
  } catch (err) {
    release();
    throw err;
  }
  baseUrl = `http://127.0.0.1:${server.address().port}`;
  const closeStorage = await startStorage(state);
  const close = async () => {
    emailRoutes.stopDeliveries(state);
    deployRoutes.stopOperations(state);
    await new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await closeStorage();
    release();
  };
  return { url: baseUrl, close, state };
}

// From the command line: the local gateway for developers (cli.mjs prints
// progress, the URL and a funded test wallet).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { main } = await import("./cli.mjs");
  await main(process.argv.slice(2), start);
}
