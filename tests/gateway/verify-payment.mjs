// Payment verification for PAYMENT-SIGNATURE (x402 v2) and X-PAYMENT (v1).
//
// TODO(payments milestone): decode the base64 payload, check the EIP-3009
// TransferWithAuthorization signature with viem against the accepted
// requirement (scheme, network, asset, payTo, amount), the validAfter /
// validBefore window and nonce replay, debit the testnet USDC ledger the
// faucet funds, and return the payer so the route can answer PAYMENT-RESPONSE.

/**
 * @param {{header: string, version: 1 | 2, requirement: object}} _input
 * @returns {Promise<{ok: true, payer: string} | {ok: false, reason: string, message: string}>}
 */
export async function verifyPayment(_input) {
  return {
    ok: false,
    reason: "payment_verification_unavailable",
    message: "The simulator does not verify payments yet; the payments milestone adds it.",
  };
}
