// Deploy v2 and the content service (contract §1.19, §3, §6 "Deploy").
//
// Wire summary (every route; errors are `{error, code, message, phase,
// resource, retryable, safe_to_retry, ...}`, codes upper case except CI's):
//
//   POST /content/v1/plans                 apikey(anon|service) + SIWX owner; or CI bearer + body project_id
//        {content:[{sha256, size, content_type}], project_id?}
//        → 201 {plan_id, expires_at, missing[]{sha256, mode single|multipart, parts[]{part_number, url,
//          byte_start, byte_end}, part_size_bytes, part_count, upload_id, staging_key, expires_at},
//          entries[]{sha256, missing}}          (part URLs: the S3 origin of storage.mjs)
//   POST /storage/v1/uploads/{upload_id}/complete   same auth; {} single, {parts:[{part_number, etag}]} multipart
//        → 200 {sha256, size, status:"staged"}; 400 SHA256_MISMATCH / INVALID_PARTS / PART_NOT_UPLOADED
//   POST /content/v1/plans/{plan_id}/commit {}      same auth → 200 {plan_id, status:"committed", committed}
//        (completes sessions whose parts are all PUT; 409 CONTENT_NOT_UPLOADED details.missing otherwise)
//   POST /deploy/v2/plans[?dry_run=true]    SIWX owner, or CI bearer (CI guard: forbidden_spec_field, CI_ROUTE_SCOPE_DENIED)
//        {spec, idempotency_key?} | {spec:{project}, manifest_ref:{sha256, size, contentType}, idempotency_key?}
//        → 201 (200 for an idempotent repeat or a dry run) PlanResponse, by default the flat form
//          {kind:"plan_response", schema_version, plan_id, operation_id, base_release_id, manifest_digest,
//           is_noop, summary, expected_events, missing_content[]{sha256, size, present}, warnings[],
//           payment_required:null, migrations{new, noop}, site, functions, secrets, subdomains, routes,
//           static_assets}; planShape "nested": {plan_id, …, diff:{…buckets}, warnings}. Dry run: plan_id and
//          operation_id null, nothing kept. 400 INVALID_SPEC {fix:{action:"set_field", path}},
//          400 SUBDOMAIN_MULTI_NOT_SUPPORTED, 404 PROJECT_NOT_FOUND / RELEASE_NOT_FOUND, 409 MANIFEST_NOT_FOUND,
//          409 SUBDOMAIN_TAKEN, 409 IDEMPOTENCY_KEY_REUSED. Warning MISSING_REQUIRED_SECRET (requires_confirmation).
//   POST /deploy/v2/plans/{plan_id}/commit {idempotency_key?}   SIWX owner or CI bearer
//        → 200 {operation_id, status running|ready|failed|activation_pending, release_id?, urls?, error?}
//          (stepMs 0: the final status at once); 409 CONTENT_MISSING details.missing;
//          409 BASE_RELEASE_CONFLICT retryable+safe_to_retry (base absent or {release:"current"} and the
//          active release moved); 404 PLAN_NOT_FOUND. A repeated commit answers the same operation.
//   GET  /deploy/v2/operations[?limit&cursor]    apikey + provider → {operations[OperationSnapshot], cursor|null}
//   GET  /deploy/v2/operations/{op}              apikey (optional: the op names its project) + provider → OperationSnapshot
//   GET  /deploy/v2/operations/{op}/events       same → {events[DeployEvent: commit.phase, ready]}
//   POST /deploy/v2/operations/{op}/resume       provider (apikey optional) → OperationSnapshot;
//        409 NOT_RESUMABLE unless activation_pending / needs_repair; 404 OPERATION_NOT_FOUND
//   GET  /deploy/v2/releases/active[?site_limit] apikey + provider → ReleaseInventory (release_id null when none)
//   GET  /deploy/v2/releases/diff?from=empty|active|rel&to=active|rel[&limit] → ReleaseToReleaseDiff
//   GET  /deploy/v2/releases/{release_id}[?site_limit] → ReleaseInventory; 404 RELEASE_NOT_FOUND
//   GET  /deploy/v2/resolve?host=&path=&method=  → DeployResolveResponse; hosts: <subdomain>.run402.com,
//        <deployment_id|project_id>.sites.run402.com, and the simulator's own host with a
//        /__sites/<name>/… path (so `urls` resolve as given); anything else match "host_missing"
//   /apply/v1/* (the 3.3.3 client): the same routes, the plan spec in snake_case (project_id,
//        content_type, timeout_seconds, memory_mb) translated first.
//   GET  /__sites/<project_id | subdomain | deployment_id>/<path>: the released site (bytes, content
//        type, ETag = "<sha256>", If-None-Match → 304; / → index.html; function routes run the function).
//        Also any path with `Host: <subdomain>.run402.com` or `<deployment_id|project_id>.sites.run402.com`.
//   Operation statuses: planning → staging → gating → migrating → schema_settling (applies database.expose)
//        → activating → ready,
//        or failed {error:{code, phase, resource, message, logs?}}: MIGRATION_FAILED,
//        MIGRATION_CHECKSUM_MISMATCH, MIGRATION_SQL_NOT_FOUND, EXPOSE_INVALID, BASE_RELEASE_CONFLICT,
//        FUNCTION_BUILD_FAILED, SUBDOMAIN_TAKEN.
//        Ready answers urls {project, release, site, deployment_id}.
//
// __sim controls:
//   POST /__sim/deploy/config {step_ms?, plan_shape? "flat"|"nested"} → the config (GET reads it);
//        step_ms 0 finishes an operation inside its commit (default 50).
//   POST /__sim/deploy/fail {project_id, phase stage|migrate-gate|migrate|schema-settle|activate, code?,
//        status? failed|needs_repair|activation_pending, message?}: the project's next commit fails there.
//   POST /__sim/deploy/advance {project_id}: activates a release with the active one's content (no
//        operation), so a plan made before it meets BASE_RELEASE_CONFLICT at commit.

import { fail, json, jsonObjectBody, requireString } from "../http-util.mjs";
import { requireProjectAccess } from "../deploy/access.mjs";
import { registerContent } from "../deploy/content.mjs";
import { PHASE_EVENTS, activateRelease, resume, snapshot, stopAll } from "../deploy/engine.mjs";
import { commitHandler, planHandler } from "../deploy/plans.mjs";
import { EMPTY_CONTENT, diffContent, inventory, isNoop, summarize } from "../deploy/releases.mjs";
import { resolveHost, serveSite, siteNameOfHost } from "../deploy/sites.mjs";
import { refFromApply, specFromApply } from "../deploy/spec.mjs";
import { SCHEMA_VERSION, deployFail, deployState, newId } from "../deploy/store.mjs";

export { serveSite, siteNameOfHost };

/** Called when the simulator closes: no operation advances after that. */
export function stopOperations(state) {
  stopAll(state);
}

function positiveInt(ctx, name, { max } = {}) {
  const text = ctx.url.searchParams.get(name);
  if (text === null || text === "") return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || (max !== undefined && n > max)) deployFail(400, "INVALID_QUERY", `${name} must be a whole number from 1${max ? ` to ${max}` : ""}.`, { resource: name });
  return n;
}

/** The operation in the path, checked against the caller (another project's is absent). */
async function operationOf(ctx) {
  const op = deployState(ctx.state).operations.get(ctx.params.op);
  if (!op || !ctx.state.projects.has(op.projectId)) deployFail(404, "OPERATION_NOT_FOUND", `No operation ${ctx.params.op}.`, { resource: "operation" });
  const { project } = await requireProjectAccess(ctx, { fallbackId: op.projectId });
  if (project.id !== op.projectId) deployFail(404, "OPERATION_NOT_FOUND", `No operation ${ctx.params.op}.`, { resource: "operation" });
  return op;
}

async function listOperations(ctx) {
  const { project } = await requireProjectAccess(ctx);
  const limit = positiveInt(ctx, "limit", { max: 100 }) ?? 20;
  const all = [...deployState(ctx.state).operations.values()].filter((op) => op.projectId === project.id).reverse();
  let from = 0;
  const cursor = ctx.url.searchParams.get("cursor");
  if (cursor) {
    const afterId = Buffer.from(cursor, "base64url").toString("utf8");
    from = all.findIndex((op) => op.id === afterId) + 1;
    if (from === 0) deployFail(400, "INVALID_CURSOR", "cursor is not one this endpoint returned.", { resource: "cursor" });
  }
  const page = all.slice(from, from + limit);
  const more = from + limit < all.length;
  return json(200, { operations: page.map(snapshot), cursor: more ? Buffer.from(page.at(-1).id).toString("base64url") : null });
}

async function getOperation(ctx) {
  return json(200, snapshot(await operationOf(ctx)));
}

async function operationEvents(ctx) {
  const op = await operationOf(ctx);
  return json(200, { events: op.events.map((e) => ({ ...e })) });
}

async function resumeOperation(ctx) {
  jsonObjectBody(ctx, { allowed: [], optional: true });
  const op = await operationOf(ctx);
  if (!(await resume(ctx.state, op))) {
    deployFail(409, "NOT_RESUMABLE", `Operation ${op.id} is ${op.status}; only activation_pending or needs_repair operations resume.`, { resource: "operation", operation_id: op.id });
  }
  return json(200, snapshot(op));
}

function releaseOf(ctx, project, id) {
  const d = deployState(ctx.state);
  if (id === "active") {
    const activeId = d.active.get(project.id);
    return activeId ? d.releases.get(activeId) : null;
  }
  const release = d.releases.get(id);
  if (!release || release.projectId !== project.id) deployFail(404, "RELEASE_NOT_FOUND", `No release ${id} in this project.`, { resource: "release" });
  return release;
}

async function getRelease(ctx) {
  const { project } = await requireProjectAccess(ctx);
  const siteLimit = positiveInt(ctx, "site_limit");
  const id = ctx.params.id ?? "active";
  const release = releaseOf(ctx, project, id);
  return json(200, inventory(project.id, release, { siteLimit, stateKind: id === "active" ? "current_live" : undefined }));
}

async function releaseDiff(ctx) {
  const { project } = await requireProjectAccess(ctx);
  const q = ctx.url.searchParams;
  const fromName = q.get("from");
  const toName = q.get("to");
  if (!fromName || !toName) deployFail(400, "INVALID_QUERY", "Pass from (empty, active or a release id) and to (active or a release id).", { resource: "from" });
  if (toName === "empty") deployFail(400, "INVALID_QUERY", 'to cannot be "empty".', { resource: "to" });
  const limit = positiveInt(ctx, "limit", { max: 10_000 });
  const from = fromName === "empty" ? null : releaseOf(ctx, project, fromName);
  const to = releaseOf(ctx, project, toName);
  const buckets = diffContent(from?.content ?? EMPTY_CONTENT, to?.content ?? EMPTY_CONTENT, { limit });
  const before = new Set((from?.migrationsApplied ?? []).map((m) => m.migration_id));
  const between = (to?.migrationsApplied ?? []).map((m) => m.migration_id).filter((id) => !before.has(id));
  return json(200, {
    kind: "release_diff",
    schema_version: SCHEMA_VERSION,
    from_release_id: from?.id ?? null,
    to_release_id: to?.id ?? null,
    is_noop: isNoop(buckets, between.length),
    summary: summarize(buckets, between.length),
    warnings: [],
    migrations: { applied_between_releases: between },
    ...buckets,
  });
}

async function resolve(ctx) {
  const { project } = await requireProjectAccess(ctx);
  const q = ctx.url.searchParams;
  const host = q.get("host");
  if (!host) deployFail(400, "INVALID_QUERY", "Pass host=<hostname>.", { resource: "host" });
  const path = q.get("path") ?? "/";
  if (!path.startsWith("/")) deployFail(400, "INVALID_QUERY", "path must start with /.", { resource: "path" });
  const method = (q.get("method") ?? "GET").toUpperCase();
  return json(200, resolveHost(ctx.state, project, { host, path, method, simHost: new URL(ctx.baseUrl).hostname }));
}

/** The routes under one prefix; `wire` translates that version's spec and ContentRef names. */
function registerUnder(router, prefix, wire) {
  router.add("POST", `${prefix}/plans`, planHandler(wire));
  router.add("POST", `${prefix}/plans/:id/commit`, commitHandler);
  router.add("GET", `${prefix}/operations`, listOperations);
  router.add("GET", `${prefix}/operations/:op`, getOperation);
  router.add("GET", `${prefix}/operations/:op/events`, operationEvents);
  router.add("POST", `${prefix}/operations/:op/resume`, resumeOperation);
  router.add("GET", `${prefix}/releases/active`, getRelease);
  router.add("GET", `${prefix}/releases/diff`, releaseDiff);
  router.add("GET", `${prefix}/releases/:id`, getRelease);
  router.add("GET", `${prefix}/resolve`, resolve);
}

export function register(router) {
  registerContent(router);
  registerUnder(router, "/deploy/v2", { translate: (spec) => spec, translateRef: (ref) => ref });
  registerUnder(router, "/apply/v1", { translate: specFromApply, translateRef: refFromApply });
}

// ── /__sim/ controls ──

function config(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["step_ms", "plan_shape"], optional: true });
  const c = deployState(ctx.state).config;
  if (body.step_ms !== undefined) {
    if (!Number.isSafeInteger(body.step_ms) || body.step_ms < 0) fail(400, "invalid_field", '"step_ms" must be a non-negative integer.', "INVALID_FIELD");
    c.stepMs = body.step_ms;
  }
  if (body.plan_shape !== undefined) {
    if (body.plan_shape !== "flat" && body.plan_shape !== "nested") fail(400, "invalid_field", '"plan_shape" must be "flat" or "nested".', "INVALID_FIELD");
    c.planShape = body.plan_shape;
  }
  return json(200, { step_ms: c.stepMs, plan_shape: c.planShape });
}

function projectOf(ctx, body) {
  const project = ctx.state.projects.get(requireString(body, "project_id"));
  if (!project) fail(404, "project_not_found", "No such project.", "PROJECT_NOT_FOUND");
  return project;
}

function failNext(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["project_id", "phase", "code", "status", "message", "resource"] });
  const project = projectOf(ctx, body);
  if (!PHASE_EVENTS.includes(body.phase)) fail(400, "invalid_field", `"phase" must be one of ${PHASE_EVENTS.join(", ")}.`, "INVALID_FIELD");
  const status = body.status ?? "failed";
  if (!["failed", "needs_repair", "activation_pending"].includes(status)) fail(400, "invalid_field", '"status" must be failed, needs_repair or activation_pending.', "INVALID_FIELD");
  const defaults = { stage: "SITE_STAGE_FAILED", "migrate-gate": "MIGRATE_GATE_ACTIVE", migrate: "MIGRATION_FAILED", "schema-settle": "SCHEMA_SETTLE_TIMEOUT", activate: "ACTIVATION_FAILED" };
  const entry = { phase: body.phase, code: body.code ?? defaults[body.phase], status, message: body.message, resource: body.resource };
  deployState(ctx.state).failNext.set(project.id, entry);
  return json(201, { project_id: project.id, ...entry });
}

function advance(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["project_id"] });
  const project = projectOf(ctx, body);
  const d = deployState(ctx.state);
  const current = d.releases.get(d.active.get(project.id));
  const release = activateRelease(ctx.state, project, {
    id: newId("rel"),
    content: current?.content ?? EMPTY_CONTENT,
    manifestDigest: current?.manifestDigest ?? null,
    operationId: null,
    planId: null,
    createdBy: "sim",
    baseUrl: ctx.baseUrl,
  });
  return json(201, { release_id: release.id, parent_id: release.parentId });
}

export function registerControl(router) {
  router.add("POST", "/__sim/deploy/config", config);
  router.add("GET", "/__sim/deploy/config", config);
  router.add("POST", "/__sim/deploy/fail", failNext);
  router.add("POST", "/__sim/deploy/advance", advance);
}
