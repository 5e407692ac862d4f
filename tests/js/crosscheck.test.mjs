// Our signing, checked against independent implementations with fixed
// inputs: viem (EIP-712 signTypedData), @x402/evm's exact-scheme client
// (the whole payment payload), siwe + viem (the sign-in message).
// Randomness and time are pinned in this process, so every library sees
// the same nonce and clock as the wasm core.
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { privateKeyToAccount } from "viem/accounts";
import { getAddress, verifyMessage, verifyTypedData } from "viem";
import { x402Client } from "@x402/core/client";
import { registerExactEvmScheme } from "@x402/evm/exact/client";
import { toClientEvmSigner } from "@x402/evm";
import { SiweMessage } from "siwe";

import { sdk } from "./helpers.mjs";

const KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const account = privateKeyToAccount(KEY);
const NOW = 1_763_732_603_123;
const TYPES = {
  TransferWithAuthorization: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "validAfter", type: "uint256" },
    { name: "validBefore", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
};

const realNow = Date.now;
const realRandom = crypto.getRandomValues;
/** Pins Date.now and crypto.getRandomValues (bytes 0x01, 0x02, ... per call). */
function pin() {
  Date.now = () => NOW;
  crypto.getRandomValues = (buf) => { for (let i = 0; i < buf.length; i++) buf[i] = (i + 1) & 0xff; return buf; };
}
afterEach(() => { Date.now = realNow; crypto.getRandomValues = realRandom; });

test("EIP-3009 signatures are byte-identical to viem's signTypedData", async () => {
  const cases = [
    [{ name: "USDC", version: "2", chainId: 84532, verifyingContract: "0x036CbD53842c5426634e7929541eC2318f3dCF7e" },
      { to: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", value: "100000", validAfter: "0", validBefore: "1763732903", nonce: `0x${"ab".repeat(32)}` }],
    [{ name: "USD Coin", version: "2", chainId: 8453, verifyingContract: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913" },
      { to: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", value: "115792089237316195423570985008687907853269984665640564039457584007913129639935", validAfter: "1", validBefore: "18446744073709551615", nonce: `0x${"00".repeat(32)}` }],
  ];
  for (const [domain, partial] of cases) {
    const message = { from: account.address, ...partial };
    const ours = sdk.signTransferAuthorization(KEY, domain, message);
    const theirs = await account.signTypedData({
      domain, types: TYPES, primaryType: "TransferWithAuthorization",
      message: { ...message, value: BigInt(message.value), validAfter: BigInt(message.validAfter), validBefore: BigInt(message.validBefore) },
    });
    assert.equal(ours, theirs);
    assert.ok(await verifyTypedData({ address: account.address, domain, types: TYPES, primaryType: "TransferWithAuthorization",
      message: { ...message, value: BigInt(message.value), validAfter: BigInt(message.validAfter), validBefore: BigInt(message.validBefore) }, signature: ours }));
  }
  assert.throws(() => sdk.signTransferAuthorization("0x1234", cases[0][0], { from: account.address, ...cases[0][1] }),
    (e) => e.kind === "local_error" && !e.message.includes("0x1234"));
  assert.throws(() => sdk.signTransferAuthorization(KEY, cases[0][0], { ...cases[0][1], from: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" }),
    (e) => e.kind === "local_error", "the key must be `from`");
});

/** Our payment header for a 402 offering `paymentRequired`, captured from the wire. */
async function ourPayment(paymentRequired, { v1Body } = {}) {
  let paid;
  const fetch = async (url, init) => {
    const header = init.headers["PAYMENT-SIGNATURE"] ?? init.headers["X-PAYMENT"];
    if (header) {
      paid = JSON.parse(Buffer.from(header, "base64").toString());
      return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
    }
    return v1Body
      ? new Response(JSON.stringify(paymentRequired), { status: 402, headers: { "content-type": "application/json" } })
      : new Response("{}", { status: 402, headers: { "content-type": "application/json", "payment-required": Buffer.from(JSON.stringify(paymentRequired)).toString("base64") } });
  };
  const r = new sdk.Run402({ apiBase: "https://api.test", fetch,
    credentials: sdk.allowanceCredentials({ allowance: { address: account.address, privateKey: KEY }, projects: {} }) });
  pin();
  await r.service.health();
  return paid;
}

function referenceClient() {
  const client = new x402Client();
  registerExactEvmScheme(client, { signer: toClientEvmSigner(account) });
  return client;
}

test("our v2 PAYMENT-SIGNATURE decodes to the payload @x402/evm's exact client produces", async () => {
  const paymentRequired = {
    x402Version: 2,
    error: "payment required",
    resource: { url: "https://api.test/health", description: "health", mimeType: "application/json" },
    accepts: [{ scheme: "exact", network: "eip155:84532", amount: "100000", asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
      payTo: "0x209693bc6afc0c5328ba36faf03c514ef312287c", maxTimeoutSeconds: 300, extra: { name: "USDC", version: "2" } }],
  };
  const ours = await ourPayment(paymentRequired);
  pin();
  const theirs = await referenceClient().createPaymentPayload(paymentRequired);
  assert.deepEqual(JSON.parse(JSON.stringify(ours)), JSON.parse(JSON.stringify(theirs)));
  assert.equal(ours.payload.authorization.to, getAddress(paymentRequired.accepts[0].payTo), "EIP-55 like viem's getAddress");
  assert.equal(ours.payload.authorization.validBefore, String(Math.floor(NOW / 1000) + 300));
});

test("our v1 X-PAYMENT decodes to the payload @x402/evm's v1 client produces", async () => {
  const body = {
    x402Version: 1,
    error: "X-PAYMENT header is required",
    accepts: [{ scheme: "exact", network: "base-sepolia", maxAmountRequired: "30000", resource: "https://api.test/health",
      description: "image", mimeType: "application/json", payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", maxTimeoutSeconds: 60,
      asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e", extra: { name: "USDC", version: "2" } }],
  };
  const ours = await ourPayment(body, { v1Body: true });
  pin();
  const theirs = await referenceClient().createPaymentPayload(body);
  assert.deepEqual(JSON.parse(JSON.stringify(ours)), JSON.parse(JSON.stringify(theirs)));
});

test("our SIGN-IN-WITH-X message is the one siwe formats, and the signature verifies", async () => {
  const provider = sdk.allowanceCredentials({ allowance: { address: account.address, privateKey: KEY } });
  pin();
  const url = "http://127.0.0.1:8787/tiers/v1/status?x=1";
  const { "SIGN-IN-WITH-X": header } = await provider.getAuth("/tiers/v1/status?x=1", { url });
  const payload = JSON.parse(Buffer.from(header, "base64").toString());
  assert.deepEqual(Object.keys(payload), ["domain", "address", "statement", "uri", "version", "chainId", "type", "nonce", "issuedAt", "expirationTime", "signature"]);
  assert.equal(payload.domain, "127.0.0.1");
  assert.equal(payload.uri, url);
  assert.equal(payload.nonce, "0102030405060708090a0b0c0d0e0f10");
  assert.equal(payload.issuedAt, new Date(NOW).toISOString());
  assert.equal(payload.expirationTime, new Date(NOW + 300_000).toISOString());
  Date.now = realNow; // siwe checks expiry against the real clock
  const siwe = new SiweMessage({
    domain: payload.domain, address: payload.address, statement: payload.statement, uri: payload.uri, version: payload.version,
    chainId: 84532, nonce: payload.nonce, issuedAt: payload.issuedAt, expirationTime: payload.expirationTime,
  });
  const message = siwe.prepareMessage();
  assert.ok(await verifyMessage({ address: account.address, message, signature: payload.signature }), "signed exactly siwe's text");
  const verified = await siwe.verify({ signature: payload.signature, time: new Date(NOW + 1000).toISOString() }, { suppressExceptions: true });
  assert.equal(verified.success, true, JSON.stringify(verified.error));
});
