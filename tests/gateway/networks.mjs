// The networks the simulator can charge on, with their USDC contract and the
// EIP-712 domain USDC uses for EIP-3009 (values as in coinbase/x402's default
// stablecoin table). v2 names networks by CAIP-2 id, v1 by a short name.

export const BASE_SEPOLIA = "eip155:84532";
export const BASE_MAINNET = "eip155:8453";

export const NETWORKS = Object.freeze({
  [BASE_SEPOLIA]: Object.freeze({
    v1Name: "base-sepolia",
    chainId: 84532,
    usdc: "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
    eip712: Object.freeze({ name: "USDC", version: "2" }),
  }),
  [BASE_MAINNET]: Object.freeze({
    v1Name: "base",
    chainId: 8453,
    usdc: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
    eip712: Object.freeze({ name: "USD Coin", version: "2" }),
  }),
});

/** CAIP-2 id for a v1 name or CAIP-2 id, or undefined when unknown. */
export function toCaip2(name) {
  if (Object.hasOwn(NETWORKS, name)) return name;
  return Object.keys(NETWORKS).find((id) => NETWORKS[id].v1Name === name);
}
