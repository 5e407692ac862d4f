// The signing inputs every fixture uses; the harness signs the same with viem.
// A well-known test key (never funded anywhere).
export const TEST_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
export const DOMAIN = { name: "USDC", version: "2", chainId: 84532, verifyingContract: "0x036CbD53842c5426634e7929541eC2318f3dCF7e" };
export const MESSAGE = {
  from: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
  to: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
  value: "100000",
  validAfter: "0",
  validBefore: "1763732903",
  nonce: `0x${"ab".repeat(32)}`,
};
