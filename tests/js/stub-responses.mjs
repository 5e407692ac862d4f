// Canned gateway answers for tests that stub fetch: a JSON response, and a
// 402 with x402 v2 terms the SDK can pay (Base Sepolia USDC, $0.10).
export const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

export const b64 = (text) => Buffer.from(text).toString("base64");

export const OFFER = {
  x402Version: 2,
  accepts: [{ scheme: "exact", network: "eip155:84532", amount: "100000", asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
    payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", maxTimeoutSeconds: 300, extra: { name: "USDC", version: "2" } }],
};

/** A 402 carrying OFFER in the PAYMENT-REQUIRED header. */
export const ask402 = () => json(402, { message: "pay" }, { "payment-required": b64(JSON.stringify(OFFER)) });
