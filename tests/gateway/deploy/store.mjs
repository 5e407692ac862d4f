// Deploy v2 state per simulator, kept beside the shared state object (as
// ci-sessions.mjs does) so state.mjs does not grow: the content-addressed
// store, content plans, deploy plans, operations, releases, applied
// migrations, and the test controls (step interval, injected failures).

import { randomBytes } from "node:crypto";
import { HttpError } from "../http-util.mjs";

export const SCHEMA_VERSION = "agent-deploy-observability.v1";

const perState = new WeakMap();

export function deployState(state) {
  let d = perState.get(state);
  if (!d) {
    d = {
      config: { stepMs: 50, planShape: "flat" },
      cas: new Map(), // project_id → Map(sha256 → {bytes, contentType, present})
      contentPlans: new Map(), // content plan id → {projectId, shas, sessions: Map(sha256 → upload id), expiresAt}
      plans: new Map(), // plan_id → plan (operations.mjs)
      planKeys: new Map(), // "project_id\nidempotency key" → plan_id
      operations: new Map(), // operation_id → operation, in creation order
      releases: new Map(), // release_id → release
      active: new Map(), // project_id → active release_id
      generations: new Map(), // project_id → last release generation
      migrations: new Map(), // project_id → Map(migration id → {checksum, appliedAt})
      failNext: new Map(), // project_id → {phase, code, status, message}
      stopped: false, // set when the simulator closes: no phase timer runs after it
    };
    perState.set(state, d);
  }
  return d;
}

export const newId = (prefix) => `${prefix}_${randomBytes(10).toString("hex")}`;

/** The deploy services' error: the §3.7 gateway shape, with the envelope's `error` too. */
export function deployError(status, code, message, { phase = null, resource = null, retryable = false, safe_to_retry = retryable, ...extra } = {}) {
  return new HttpError(status, { error: code.toLowerCase(), code, message, phase, resource, retryable, safe_to_retry, ...extra });
}

export function deployFail(status, code, message, extra) {
  throw deployError(status, code, message, extra);
}

/** A project's CAS: sha256 → {bytes, contentType, present}. An entry is `present` once a content plan commit promoted it. */
export function casOf(d, projectId) {
  let cas = d.cas.get(projectId);
  if (!cas) d.cas.set(projectId, (cas = new Map()));
  return cas;
}

export function presentBytes(d, projectId, sha256) {
  const entry = casOf(d, projectId).get(sha256);
  return entry?.present ? entry.bytes : null;
}
