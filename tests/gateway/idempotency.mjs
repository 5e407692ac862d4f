// Idempotency-Key support: the same key + method + path within 24 h gets the
// stored response instead of a second execution. Only 2xx responses are kept,
// so a request that failed (e.g. 402 before payment) can be retried with the
// same key. A concurrent duplicate waits for the first one to finish.

import { createHash } from "node:crypto";
import { fail } from "./http-util.mjs";

const TTL_MS = 24 * 60 * 60 * 1000;

export async function withIdempotency(ctx, run) {
  const key = ctx.headers["idempotency-key"];
  if (key === undefined) return run();
  if (key.length === 0 || key.length > 255) {
    fail(400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters.", "INVALID_IDEMPOTENCY_KEY");
  }
  const store = ctx.state.idempotency;
  const now = Date.now();
  for (const [slot, entry] of store) if (entry.expiresAt < now) store.delete(slot);

  const slot = `${ctx.method} ${ctx.url.pathname} ${key}`;
  const fingerprint = createHash("sha256").update(ctx.rawBody).digest("hex");
  const existing = store.get(slot);
  if (existing) {
    if (existing.fingerprint !== fingerprint) {
      fail(422, "idempotency_key_reused", "This Idempotency-Key was already used with a different request body.", "IDEMPOTENCY_KEY_REUSED");
    }
    await existing.done;
    if (!existing.reply) return withIdempotency(ctx, run);
    return { ...existing.reply, headers: { ...existing.reply.headers, "idempotent-replayed": "true" } };
  }

  let finish;
  const entry = { fingerprint, expiresAt: now + TTL_MS, reply: null, done: new Promise((resolve) => (finish = resolve)) };
  store.set(slot, entry);
  try {
    const reply = await run();
    if (reply.status >= 200 && reply.status < 300) entry.reply = reply;
    else store.delete(slot);
    return reply;
  } catch (err) {
    store.delete(slot);
    throw err;
  } finally {
    finish();
  }
}
