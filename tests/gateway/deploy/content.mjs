// The content service (contract §3.3, §3.4): content plans name the
// sha256/size of bytes a deploy will reference; each one the project's CAS
// lacks gets an upload session on the existing S3 origin (storage.mjs, which
// verifies part ranges and x-amz-checksum-sha256 and returns ETags).
// Completing a session (POST /storage/v1/uploads/{id}/complete, the blob
// route, which defers to the session's own `authorize` and `onComplete`)
// stages the verified bytes; the content plan's commit promotes them, and
// only then is a ref "present" to deploy plans. A 3.3.3 client never
// completes sessions: the commit completes the ones whose parts are all in.

import { json, jsonObjectBody } from "../http-util.mjs";
import { completeSession, createSession, sessionStart } from "../storage.mjs";
import { requireProjectAccess } from "./access.mjs";
import { casOf, deployFail, deployState, newId } from "./store.mjs";

const SHA256 = /^[0-9a-f]{64}$/;
const MAX_CONTENT_ITEMS = 10_000;
const PLAN_TTL_MS = 24 * 3600 * 1000;
const MAX_CONTENT_BYTES = 5 * 1024 * 1024 * 1024;

const contentFail = (status, code, message) => deployFail(status, code, message, { resource: "content" });

/** The project of a content call: the apikey's (with the provider check), or a CI session's, which must match `project_id` when sent. */
async function contentProject(ctx, projectId) {
  const { project, caller } = await requireProjectAccess(ctx);
  if (projectId !== undefined && projectId !== project.id) {
    if (caller.ci) deployFail(403, "insufficient_scope", `This CI session may deploy to ${project.id} only.`, { resource: "content" });
    contentFail(403, "PROJECT_KEY_MISMATCH", "project_id names another project than the apikey.");
  }
  return project;
}

function checkItems(content) {
  if (!Array.isArray(content) || content.length === 0 || content.length > MAX_CONTENT_ITEMS) {
    contentFail(400, "INVALID_CONTENT", `content must list 1 to ${MAX_CONTENT_ITEMS} items {sha256, size, content_type}.`);
  }
  const items = new Map();
  content.forEach((c, i) => {
    if (c === null || typeof c !== "object" || typeof c.sha256 !== "string" || !SHA256.test(c.sha256)) contentFail(400, "INVALID_CONTENT", `content[${i}].sha256 must be 64 lower-case hex digits.`);
    if (!Number.isSafeInteger(c.size) || c.size < 0 || c.size > MAX_CONTENT_BYTES) contentFail(400, "INVALID_CONTENT", `content[${i}].size must be an integer from 0 to ${MAX_CONTENT_BYTES}.`);
    if (c.content_type !== undefined && typeof c.content_type !== "string") contentFail(400, "INVALID_CONTENT", `content[${i}].content_type must be a string.`);
    const seen = items.get(c.sha256);
    if (seen && seen.size !== c.size) contentFail(400, "INVALID_CONTENT", `content lists ${c.sha256} with two sizes.`);
    if (!seen) items.set(c.sha256, { sha256: c.sha256, size: c.size, contentType: c.content_type ?? "application/octet-stream" });
  });
  return [...items.values()];
}

/** Stages a completed session's bytes (already checked against the declared sha256; the size is the session's). */
function stage(d, projectId, item) {
  return (bytes, actual) => {
    const cas = casOf(d, projectId);
    const entry = cas.get(actual);
    if (!entry) cas.set(actual, { bytes, contentType: item.contentType, present: false });
    return { sha256: actual, size: bytes.length, status: "staged" };
  };
}

/** A content session as §3.4 lists it; its part URLs come presigned from storage.mjs's session start. */
function sessionView(storage, session) {
  const started = sessionStart(storage, session);
  return {
    sha256: session.sha256,
    mode: started.mode,
    parts: started.parts,
    part_size_bytes: started.part_size_bytes,
    part_count: started.part_count,
    upload_id: session.id,
    staging_key: `staging/${session.id}`,
    expires_at: started.expires_at,
  };
}

/** POST /content/v1/plans */
async function createPlan(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["content", "project_id"] });
  if (body.project_id !== undefined && typeof body.project_id !== "string") contentFail(400, "INVALID_CONTENT", "project_id must be a string.");
  const project = await contentProject(ctx, body.project_id);
  const items = checkItems(body.content);
  const d = deployState(ctx.state);
  const storage = ctx.state.storage;
  const cas = casOf(d, project.id);
  const plan = { id: newId("cplan"), projectId: project.id, shas: items.map((i) => i.sha256), sessions: new Map(), expiresAt: Date.now() + PLAN_TTL_MS };
  const missing = [];
  const entries = [];
  for (const item of items) {
    const have = cas.get(item.sha256);
    if (have?.present) {
      entries.push({ sha256: item.sha256, missing: false });
      continue;
    }
    const failWith = (status, code, message) => contentFail(status, code, message);
    const session = createSession(storage, project.id, { key: `content/${item.sha256}`, size: item.size, contentType: item.contentType, visibility: "private", immutable: false, sha256: item.sha256 }, failWith);
    session.authorize = async (c) => contentProject(c, undefined);
    session.onComplete = stage(d, project.id, item);
    plan.sessions.set(item.sha256, session.id);
    missing.push(sessionView(storage, session));
    entries.push({ sha256: item.sha256, missing: true });
  }
  d.contentPlans.set(plan.id, plan);
  return json(201, { plan_id: plan.id, expires_at: new Date(plan.expiresAt).toISOString(), missing, entries });
}

/** POST /content/v1/plans/{id}/commit: promotes the plan's staged bytes; refuses while any is not uploaded. */
async function commitPlan(ctx) {
  jsonObjectBody(ctx, { allowed: [], optional: true });
  const d = deployState(ctx.state);
  const plan = d.contentPlans.get(ctx.params.id);
  const { project } = await requireProjectAccess(ctx, { fallbackId: plan?.projectId });
  if (!plan || plan.projectId !== project.id) contentFail(404, "PLAN_NOT_FOUND", `No content plan ${ctx.params.id} in this project.`);
  if (Date.now() > plan.expiresAt) contentFail(410, "PLAN_EXPIRED", `Content plan ${plan.id} has expired.`);
  const cas = casOf(d, project.id);
  const storage = ctx.state.storage;
  // Sessions a client PUT but never completed (3.3.3) complete here, checked the same way.
  for (const [sha, uploadId] of plan.sessions) {
    if (cas.has(sha)) continue;
    const session = storage.sessions.get(uploadId);
    if (!session || session.status !== "active" || session.uploaded.size !== session.ranges.length) continue;
    const parts = session.mode === "multipart" ? { parts: [...session.uploaded].sort(([a], [b]) => a - b).map(([n, p]) => ({ part_number: n, etag: p.etag })) } : {};
    completeSession(storage, session, parts, (status, code, message) => contentFail(status, code, message));
  }
  const notUploaded = plan.shas.filter((sha) => !cas.has(sha));
  if (notUploaded.length) {
    deployFail(409, "CONTENT_NOT_UPLOADED", `${notUploaded.length} content item(s) of plan ${plan.id} were not uploaded.`, { resource: "content", details: { missing: notUploaded } });
  }
  for (const sha of plan.shas) cas.get(sha).present = true;
  return json(200, { plan_id: plan.id, status: "committed", committed: plan.shas.length });
}

export function registerContent(router) {
  router.add("POST", "/content/v1/plans", createPlan);
  router.add("POST", "/content/v1/plans/:id/commit", commitPlan);
}
