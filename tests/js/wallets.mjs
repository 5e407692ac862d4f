// Fixed test wallets. ADMIN is a platform admin on every simulator the tests
// start (the runner's and any a test file starts for itself).
import { privateKeyToAccount } from "viem/accounts";

export const ADMIN_KEY = `0x${"11".repeat(32)}`;
export const WALLET_KEY = `0x${"22".repeat(32)}`;
export const ADMIN_ADDRESS = privateKeyToAccount(ADMIN_KEY).address;
export const WALLET_ADDRESS = privateKeyToAccount(WALLET_KEY).address;
