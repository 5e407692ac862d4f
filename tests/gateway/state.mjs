// Per-simulator in-memory state. The database is shared per process; this
// object is what one start() owns.

import { createBilling } from "./billing-accounts.mjs";
import { createLedger } from "./ledger.mjs";
import { createContracts } from "./routes/contracts.mjs";
import { applyConfig, defaultConfig } from "./sim-config.mjs";
import { createStorage } from "./storage.mjs";

/** `options` holds the config keys of sim-config.mjs; throws on invalid values. */
export function createState({ adminWallets = [], ...options }) {
  const config = applyConfig(defaultConfig(), Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)));
  return {
    config,
    adminWallets: new Set(adminWallets.map((w) => w.toLowerCase())),
    startedAt: Date.now(),
    projects: new Map(), // project_id → project record (project-store.mjs)
    secrets: new Map(), // project_id → Map(key → {value, createdAt, updatedAt}) (routes/routing.mjs)
    deployments: new Map(), // deployment_id → {projectId, createdAt}
    subdomains: new Map(), // name → {projectId, deploymentId, createdAt, updatedAt}
    domains: new Map(), // lower-cased domain → {projectId, subdomainName, status, txtValue, createdAt}
    walletTiers: new Map(), // lower-cased wallet → {tier, leaseStartedAt, leaseExpiresAt}
    siwxNonces: new Map(), // nonce → expiry ms
    idempotency: new Map(), // "key method path" → {fingerprint, reply | pending}
    ledger: createLedger(), // testnet USDC (ledger.mjs)
    agentContacts: new Map(), // lower-cased wallet → agent contact (routes/agent.mjs)
    messages: [], // {wallet, message, at} sent to the developers
    adminSessions: new Set(), // admin session cookie tokens minted through /__sim/
    faucetClaims: new Map(), // client IP → ms of the last faucet drip to it
    billing: createBilling(), // billing accounts, entries and checkouts (billing-accounts.mjs, routes/billing.mjs)
    contracts: createContracts(), // contract wallets, calls and the simulated chain (routes/contracts.mjs)
    aiTranslation: new Map(), // project_id → {active, includedWords, usedWords, cycleStart ms} (routes/ai.mjs)
    paymentStats: { seen: 0, verified: 0, settled: 0, rejected: 0 },
    storage: createStorage(), // blobs, upload sessions, the S3 and CDN origins (storage.mjs)
    faults: [],
    requestLog: [],
  };
}
