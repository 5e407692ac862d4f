// Per-simulator in-memory state. The database is shared per process; this
// object is what one start() owns.

export function createState({ payments, adminWallets }) {
  return {
    config: { payments: Boolean(payments) },
    adminWallets: new Set(adminWallets.map((w) => w.toLowerCase())),
    startedAt: Date.now(),
    projects: new Map(), // project_id → project record (project-store.mjs)
    walletTiers: new Map(), // lower-cased wallet → {tier, leaseStartedAt, leaseExpiresAt}
    siwxNonces: new Map(), // nonce → expiry ms
    idempotency: new Map(), // "key method path" → {fingerprint, reply | pending}
    faults: [],
    requestLog: [],
    paymentsSeen: 0,
  };
}
