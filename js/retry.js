// withRetry: exponential backoff around any async call. Defaults and order
// of checks follow the seed: 3 attempts, 250 ms doubling, 5 s cap, no jitter.
import { isRetryableRun402Error, LocalError } from "./errors.js";

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

const RETRYING = "retrying";
const MAX_TIMER_MS = 2 ** 31 - 1;

// Reads and checks the options up front, so a bad option is a LocalError
// before the first attempt rather than an attempt that never runs (with
// `attempts: 0` or NaN the loop would not start and `undefined` would be
// thrown). null means "the defaults", like undefined.
function retryOptions(opts) {
  if (opts === undefined || opts === null) opts = {};
  if (typeof opts !== "object") throw new LocalError("withRetry options must be an object", RETRYING);
  let raw;
  try {
    const { attempts, baseDelayMs, maxDelayMs, retryIf, onRetry } = opts;
    raw = { attempts, baseDelayMs, maxDelayMs, retryIf, onRetry };
  } catch (e) {
    throw new LocalError("withRetry could not read its options", RETRYING, e);
  }
  const attempts = raw.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new LocalError("withRetry attempts must be a positive integer", RETRYING);
  }
  const delay = (value, fallback, name) => {
    const ms = value ?? fallback;
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
      throw new LocalError(`withRetry ${name} must be a finite number of milliseconds, 0 or more`, RETRYING);
    }
    return ms;
  };
  const hook = (value, name) => {
    if (value !== undefined && value !== null && typeof value !== "function") {
      throw new LocalError(`withRetry ${name} must be a function`, RETRYING);
    }
    return value ?? undefined;
  };
  return {
    attempts,
    base: delay(raw.baseDelayMs, 250, "baseDelayMs"),
    cap: delay(raw.maxDelayMs, 5000, "maxDelayMs"),
    retryIf: hook(raw.retryIf, "retryIf") ?? ((e) => isRetryableRun402Error(e)),
    onRetry: hook(raw.onRetry, "onRetry"),
  };
}

export async function withRetry(fn, opts) {
  if (typeof fn !== "function") throw new LocalError("withRetry needs a function to call", RETRYING);
  const { attempts, base, cap, retryIf, onRetry } = retryOptions(opts);
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
      // Timers take at most 2^31 - 1 ms; a longer one would fire at once.
      const delay = Math.min(cap, base * 2 ** (attempt - 1), MAX_TIMER_MS);
      try {
        onRetry?.(e, attempt, delay);
      } catch {
        // A failing onRetry hook must not end the retries.
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  throw last;
}
