// Tier catalogue: the single source for quotes (GET /tiers/v1), provisioning
// leases, usage limits and x402 prices. Prices are USD micros, which equal
// base units of 6-decimal USDC. The function limits (timeout, memory,
// scheduled functions and their shortest interval) are the platform's
// documented resource limits; the quote does not show them.

export const TIERS = Object.freeze({
  prototype: {
    price: "$0.10",
    price_usd_micros: 100_000,
    lease_days: 7,
    storage_mb: 250,
    api_calls: 500_000,
    max_functions: 5,
    function_timeout_seconds: 10,
    function_memory_mb: 128,
    scheduled_functions: 1,
    schedule_min_interval_minutes: 15,
    description: "Try an idea: Postgres, REST, auth and a site for a week.",
  },
  hobby: {
    price: "$5.00",
    price_usd_micros: 5_000_000,
    lease_days: 30,
    storage_mb: 1024,
    api_calls: 5_000_000,
    max_functions: 25,
    function_timeout_seconds: 30,
    function_memory_mb: 256,
    scheduled_functions: 3,
    schedule_min_interval_minutes: 5,
    description: "A small app that stays up for a month.",
  },
  team: {
    price: "$20.00",
    price_usd_micros: 20_000_000,
    lease_days: 30,
    storage_mb: 10240,
    api_calls: 50_000_000,
    max_functions: 100,
    function_timeout_seconds: 60,
    function_memory_mb: 512,
    scheduled_functions: 10,
    schedule_min_interval_minutes: 1,
    description: "Production workloads with room to grow.",
  },
});

export const DEFAULT_TIER = "prototype";

export function isTier(name) {
  return typeof name === "string" && Object.hasOwn(TIERS, name);
}

/** The public quote for one tier, as GET /tiers/v1 shows it. */
export function quote(name) {
  const { price, lease_days, storage_mb, api_calls, max_functions, description } = TIERS[name];
  return { price, lease_days, storage_mb, api_calls, max_functions, description };
}

export function storageLimitBytes(name) {
  return TIERS[name].storage_mb * 1024 * 1024;
}

export function leaseEnd(name, from = new Date()) {
  return new Date(from.getTime() + TIERS[name].lease_days * 86_400_000);
}
