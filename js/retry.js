// withRetry: exponential backoff around any async call. Defaults and order
// of checks follow the seed: 3 attempts, 250 ms doubling, 5 s cap, no jitter.
import { isRetryableRun402Error } from "./errors.js";

// The attempt scope of the innermost withRetry whose fn() is starting.
// SDK calls started synchronously inside fn() take a key from it, so every
// attempt sends the same Idempotency-Key to paid endpoints and a retry
// after a lost answer can never pay twice.
let activeScope = null;

/** The next idempotency key of the current withRetry attempt, if any. */
export function retryScopeKey() {
  if (!activeScope) return undefined;
  activeScope.seq += 1;
  return `${activeScope.id}-${activeScope.seq}`;
}

function scopeId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return "r402-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function withRetry(fn, opts = {}) {
  const attempts = opts.attempts ?? 3;
  const base = opts.baseDelayMs ?? 250;
  const cap = opts.maxDelayMs ?? 5000;
  const retryIf = opts.retryIf ?? ((e) => isRetryableRun402Error(e));
  const scope = { id: scopeId(), seq: 0 };
  let last;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      scope.seq = 0;
      const outer = activeScope;
      activeScope = scope;
      let pending;
      try {
        pending = fn();
      } finally {
        activeScope = outer;
      }
      return await pending;
    } catch (e) {
      last = e;
      if (attempt === attempts || !retryIf(e, attempt)) break;
      const delay = Math.min(cap, base * 2 ** (attempt - 1));
      try {
        opts.onRetry?.(e, attempt, delay);
      } catch {
        // A failing onRetry hook must not end the retries.
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  throw last;
}
