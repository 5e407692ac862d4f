// withRetry: exponential backoff around any async call. Defaults and order
// of checks follow the seed: 3 attempts, 250 ms doubling, 5 s cap, no jitter.
import { isRetryableRun402Error } from "./errors.js";

export async function withRetry(fn, opts = {}) {
  const attempts = opts.attempts ?? 3;
  const base = opts.baseDelayMs ?? 250;
  const cap = opts.maxDelayMs ?? 5000;
  const retryIf = opts.retryIf ?? ((e) => isRetryableRun402Error(e));
  let last;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await fn();
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
