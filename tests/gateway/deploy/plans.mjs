// POST /deploy/v2/plans and POST /deploy/v2/plans/{id}/commit (contract
// §3.1 steps 4-9, §3.3, §3.5, §3.6): a plan checks the spec, resolves its
// base release, diffs the desired release against it, lists the content it
// references with `present` flags, and warns (MISSING_REQUIRED_SECRET when
// secrets.require names a secret the project lacks). A dry run answers the
// same without plan_id/operation_id and keeps nothing. The same
// idempotency key with the same spec answers the same plan, until that
// plan's operation failed (then it plans afresh). A commit refuses
// while content is missing, or (base absent or "current") when the active
// release moved since the plan: 409 BASE_RELEASE_CONFLICT, safe to retry.

import { createHash } from "node:crypto";
import { json, jsonObjectBody } from "../http-util.mjs";
import { projectById, requireProvider } from "./access.mjs";
import { PHASE_EVENTS, newOperation, start } from "./engine.mjs";
import { baseOf, desiredContent, diffContent, isNoop, presentIn, summarize } from "./releases.mjs";
import { checkRef, checkSpec } from "./spec.mjs";
import { SCHEMA_VERSION, deployError, deployFail, deployState, newId, presentBytes } from "./store.mjs";

const digestOf = (value) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

/** Every ContentRef the spec names, once per sha256. */
function refsOf(spec) {
  const refs = new Map();
  const add = (ref) => refs.has(ref.sha256) || refs.set(ref.sha256, ref);
  for (const ref of spec.site?.replace?.values() ?? []) add(ref);
  for (const ref of spec.site?.put?.values() ?? []) add(ref);
  for (const fn of [...(spec.functions?.replace?.values() ?? []), ...(spec.functions?.set?.values() ?? [])]) {
    if (fn.source) add(fn.source);
    for (const ref of fn.files?.values() ?? []) add(ref);
  }
  for (const m of spec.migrations ?? []) add(m.sqlRef);
  return [...refs.values()];
}

/** CI sessions may ship only project, database, functions, site, base {release:"current"}, and routes within the binding's scopes. */
function ciGuard(spec, raw, binding) {
  const forbidden = (field, message) => deployFail(403, "forbidden_spec_field", message, { phase: "plan", resource: field });
  for (const field of ["secrets", "subdomains", "checks"]) if (raw[field] !== undefined) forbidden(field, `A CI session cannot ship spec.${field}.`);
  if (raw.base !== undefined && raw.base.release !== "current") forbidden("base", 'A CI session can only deploy on base {release: "current"}.');
  if (spec.routes === undefined) return;
  const scopes = binding.route_scopes ?? [];
  if (scopes.length === 0) forbidden("routes", "This CI binding has no route scopes, so it cannot ship spec.routes.");
  const within = (pattern) => scopes.some((s) => (s.endsWith("/*") ? pattern.startsWith(s.slice(0, -1)) : pattern === s));
  const outside = spec.routes.filter((r) => !within(r.pattern));
  if (outside.length) deployFail(403, "CI_ROUTE_SCOPE_DENIED", `Route ${outside[0].pattern} is outside this binding's route scopes (${scopes.join(", ")}).`, { phase: "plan", resource: "routes" });
}

/** The spec of a plan body: inline, or read from the CAS through manifest_ref (then the inline spec is exactly {project}). */
function specOf(d, body, { translate, translateRef }) {
  if (body.manifest_ref === undefined) return { raw: translate(body.spec), digest: null };
  const stub = translate(body.spec);
  if (stub === null || typeof stub !== "object" || Object.keys(stub).length !== 1 || typeof stub.project !== "string") {
    deployFail(400, "INVALID_SPEC", "With manifest_ref, spec is only {project}.", { phase: "plan", resource: "spec", fix: { action: "set_field", path: "spec" } });
  }
  const ref = checkRef(translateRef(body.manifest_ref), "manifest_ref");
  const bytes = presentBytes(d, stub.project, ref.sha256);
  if (!bytes || bytes.length !== ref.size) {
    deployFail(409, "MANIFEST_NOT_FOUND", `The manifest ${ref.sha256} is not in the project's content store; upload it through /content/v1/plans first.`, { phase: "plan", resource: "manifest_ref" });
  }
  let raw;
  try {
    raw = JSON.parse(bytes.toString("utf8"));
  } catch {
    deployFail(400, "INVALID_SPEC", "The manifest is not JSON.", { phase: "plan", resource: "manifest_ref" });
  }
  raw = translate(raw);
  if (raw?.project !== stub.project) deployFail(400, "INVALID_SPEC", "The manifest names another project than spec.project.", { phase: "plan", resource: "manifest_ref" });
  return { raw, digest: ref.sha256 };
}

function migrationDiff(d, projectId, migrations) {
  const applied = d.migrations.get(projectId) ?? new Map();
  const out = { new: [], noop: [] };
  const warnings = [];
  for (const m of migrations) {
    const done = applied.get(m.id);
    if (done && done.checksum === m.checksum) out.noop.push({ id: m.id, checksum_hex: m.checksum });
    else {
      out.new.push({ id: m.id, checksum_hex: m.checksum, transaction: m.transaction === "none" ? "none" : "default" });
      if (done) {
        warnings.push({ code: "MIGRATION_CHECKSUM_MISMATCH", severity: "high", requires_confirmation: false, message: `Migration ${m.id} was applied with another checksum; the deploy will fail at migrate.`, affected: [m.id] });
      }
    }
  }
  return { diff: out, warnings };
}

/** The plan's answer: the flat `kind: "plan_response"` form, or the buckets nested under `diff` (config planShape). */
function planAnswer(d, fields, buckets, warnings) {
  const common = { plan_id: fields.planId, operation_id: fields.operationId, base_release_id: fields.baseReleaseId, manifest_digest: fields.manifestDigest, missing_content: fields.missingContent };
  const diff = { is_noop: fields.isNoop, summary: fields.summary, warnings, ...buckets };
  if (d.config.planShape === "nested") return { ...common, diff, warnings, payment_required: null };
  return { kind: "plan_response", schema_version: SCHEMA_VERSION, ...common, expected_events: ["plan.created", ...PHASE_EVENTS.map((e) => `commit.${e}`), "ready"], payment_required: null, ...diff };
}

/**
 * POST /deploy/v2/plans (and /apply/v1/plans, whose spec and ContentRef
 * names `wire` translates). Body `{spec, manifest_ref?, idempotency_key?}`.
 */
export function planHandler(wire) {
  const { translate } = wire;
  return async (ctx) => {
    const body = jsonObjectBody(ctx, { allowed: ["spec", "manifest_ref", "idempotency_key"] });
    const dryRun = ctx.url.searchParams.get("dry_run") === "true";
    const d = deployState(ctx.state);
    const specProject = translate(body.spec)?.project;
    const project = projectById(ctx, specProject, "project");
    const caller = await requireProvider(ctx, project);
    const { raw, digest } = specOf(d, body, wire);
    const spec = checkSpec(raw);
    if (caller.ci) ciGuard(spec, raw, caller.ci);
    if (body.idempotency_key !== undefined && (typeof body.idempotency_key !== "string" || body.idempotency_key === "")) {
      deployFail(400, "INVALID_SPEC", "idempotency_key must be a non-empty string.", { phase: "plan", resource: "idempotency_key" });
    }
    const manifestDigest = digest ?? digestOf(raw);
    const key = body.idempotency_key === undefined || dryRun ? null : `${project.id}\n${body.idempotency_key}`;
    // A plan whose operation failed is not replayed: the SDK retries a BASE_RELEASE_CONFLICT with the same key.
    const earlier = key ? d.plans.get(d.planKeys.get(key)) : undefined;
    if (earlier && !earlier.failed) {
      if (earlier.manifestDigest !== manifestDigest) deployFail(409, "IDEMPOTENCY_KEY_REUSED", "This idempotency_key was used for another spec.", { phase: "plan", resource: "idempotency_key" });
      return json(200, earlier.answer);
    }

    const base = baseOf(d, project.id, spec.base);
    const secretKeys = [...(ctx.state.secrets.get(project.id)?.keys() ?? [])];
    const content = desiredContent(base.content, spec, secretKeys);
    for (const name of content.subdomains) {
      const claim = ctx.state.subdomains.get(name);
      if (claim && claim.projectId !== project.id && ctx.state.projects.has(claim.projectId)) {
        deployFail(409, "SUBDOMAIN_TAKEN", `${name} is claimed by another project.`, { phase: "plan", resource: `subdomains.${name}` });
      }
    }
    for (const route of content.routes) {
      if (route.target.type === "function" && !content.functions.has(route.target.name)) {
        deployFail(400, "INVALID_SPEC", `Route ${route.pattern} targets function ${route.target.name}, which the release does not have.`, { phase: "plan", resource: "routes", fix: { action: "set_field", path: "routes" } });
      }
    }
    const present = presentIn(d, project.id);
    const buckets = diffContent(base.content, content, { presentBefore: present });
    const migrations = migrationDiff(d, project.id, spec.migrations ?? []);
    const warnings = [...migrations.warnings];
    const missingSecrets = (spec.secrets?.require ?? []).filter((k) => !secretKeys.includes(k));
    if (missingSecrets.length) {
      warnings.push({
        code: "MISSING_REQUIRED_SECRET",
        severity: "high",
        requires_confirmation: true,
        message: `The spec requires secret(s) the project does not have: ${missingSecrets.join(", ")}.`,
        affected: missingSecrets,
      });
    }
    const fields = {
      planId: dryRun ? null : newId("plan"),
      baseReleaseId: base.release?.id ?? null,
      manifestDigest,
      missingContent: refsOf(spec).map((r) => ({ sha256: r.sha256, size: r.size, present: present(r.sha256) })),
      isNoop: isNoop(buckets, migrations.diff.new.length),
      summary: summarize(buckets, migrations.diff.new.length),
    };
    if (dryRun) return json(200, planAnswer(d, { ...fields, operationId: null }, { migrations: migrations.diff, ...buckets }, warnings));

    const plan = {
      id: fields.planId,
      projectId: project.id,
      manifestDigest,
      baseMode: spec.base?.release_id !== undefined ? "release_id" : spec.base?.release === "empty" ? "empty" : "current",
      baseReleaseId: fields.baseReleaseId,
      baseContent: base.content,
      content,
      refs: refsOf(spec),
      migrations: spec.migrations ?? [],
      expose: spec.expose,
      secretsDelete: spec.secrets?.delete ?? [],
      createdBy: caller.wallet ?? `ci:${caller.ci.id}`,
      committed: false,
      failed: false,
    };
    const op = newOperation(plan);
    plan.operationId = op.id;
    plan.answer = planAnswer(d, { ...fields, operationId: op.id }, { migrations: migrations.diff, ...buckets }, warnings);
    d.plans.set(plan.id, plan);
    d.operations.set(op.id, op);
    if (key) d.planKeys.set(key, plan.id);
    return json(201, plan.answer);
  };
}

/** The commit's answer: its status in CommitStatus terms (running | schema_settling | activation_pending | ready | failed; needs_repair counts as failed). */
function commitAnswer(op) {
  const direct = ["ready", "failed", "activation_pending", "schema_settling"];
  const out = { operation_id: op.id, status: direct.includes(op.status) ? op.status : op.status === "needs_repair" ? "failed" : "running" };
  if (op.releaseId) out.release_id = op.releaseId;
  if (op.urls) out.urls = op.urls;
  if (op.error) out.error = op.error;
  return out;
}

/** POST /deploy/v2/plans/{id}/commit, body `{idempotency_key?}`. */
export async function commitHandler(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["idempotency_key"], optional: true });
  const d = deployState(ctx.state);
  const plan = d.plans.get(ctx.params.id);
  if (!plan) deployFail(404, "PLAN_NOT_FOUND", `No plan ${ctx.params.id}.`, { phase: "commit", resource: "plan" });
  const project = projectById(ctx, plan.projectId);
  await requireProvider(ctx, project);
  const op = d.operations.get(plan.operationId);
  // A second commit of the same plan (a retried request) sees the same operation.
  if (plan.committed) return json(200, commitAnswer(op));
  if (body.idempotency_key !== undefined && typeof body.idempotency_key !== "string") deployFail(400, "INVALID_SPEC", "idempotency_key must be a string.", { phase: "commit" });
  const missing = plan.refs.filter((r) => !presentBytes(d, project.id, r.sha256));
  if (missing.length) {
    deployFail(409, "CONTENT_MISSING", `${missing.length} content ref(s) of this plan are not uploaded; upload them through /content/v1/plans and commit that plan first.`, {
      phase: "commit",
      resource: "content",
      retryable: true,
      safe_to_retry: true,
      details: { missing: missing.map((r) => ({ sha256: r.sha256, size: r.size })) },
    });
  }
  const activeId = d.active.get(project.id) ?? null;
  if (plan.baseMode === "current" && activeId !== plan.baseReleaseId) {
    const err = deployError(409, "BASE_RELEASE_CONFLICT", `The active release moved from ${plan.baseReleaseId ?? "none"} to ${activeId} since this plan; plan again.`, {
      phase: "commit",
      resource: "base",
      retryable: true,
      safe_to_retry: true,
      operation_id: op.id,
      plan_id: plan.id,
    });
    op.status = "failed";
    op.error = { ...err.body };
    delete op.error.error;
    plan.failed = true;
    throw err;
  }
  plan.committed = true;
  const injected = d.failNext.get(project.id);
  d.failNext.delete(project.id);
  await start(ctx.state, op, { baseUrl: ctx.baseUrl, injected });
  return json(200, commitAnswer(op));
}
