// The deploy v2 state machine (contract §3.1 steps 8-10, §3.9): a committed
// plan's operation moves staging → gating → migrating → schema_settling →
// activating → ready, one phase per `stepMs` (all at once when it is 0).
// Migrations run for real in the project's Postgres schema and are
// recorded; activation makes the release live: its functions installed in
// the functions runtime, its site a deployment with files, its subdomains
// claimed, the previous release superseded. A failure stops the operation
// where it is (nothing activated); /__sim/deploy/fail injects one.

import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { quoteIdent, withSession } from "../db.mjs";
import { HttpError } from "../http-util.mjs";
import { ownerRole } from "../project-store.mjs";
import { functionsOf, installFunction } from "../routes/functions.mjs";
import { guardSql } from "../sql-guard.mjs";
import { applyManifest } from "../expose-apply.mjs";
import { validateManifest } from "../expose-validate.mjs";
import { schemaShape } from "../introspect.mjs";
import { uninstall } from "../functions-runtime.mjs";
import { TIERS } from "../tiers.mjs";
import { codeHash } from "./releases.mjs";
import { deployState, newId, presentBytes } from "./store.mjs";

/** Each running phase: its snapshot status, its DeployEvent phase name, its work. */
const PHASES = [
  { status: "staging", event: "stage", run: stage },
  { status: "gating", event: "migrate-gate", run: async () => {} },
  { status: "migrating", event: "migrate", run: migrate },
  { status: "schema_settling", event: "schema-settle", run: settleSchema },
  { status: "activating", event: "activate", run: activate },
];
export const PHASE_EVENTS = PHASES.map((p) => p.event);
const PAUSED = new Set(["activation_pending", "needs_repair"]);
export const TERMINAL = new Set(["ready", "failed", "rolled_back"]);

/** A failure of a phase's work: becomes the operation's `error` (GatewayDeployError). */
class PhaseFailure extends Error {
  constructor(code, message, { resource = null, retryable = false, safe_to_retry = retryable, status = "failed", ...extra } = {}) {
    super(message);
    this.code = code;
    this.resource = resource;
    this.retryable = retryable;
    this.safeToRetry = safe_to_retry;
    this.status = status;
    this.extra = extra;
  }
}

const now = () => new Date().toISOString();

function touch(op) {
  op.updatedAt = now();
}

function event(op, phase, status) {
  op.events.push({ type: "commit.phase", phase, status });
}

export function snapshot(op) {
  return {
    operation_id: op.id,
    project_id: op.projectId,
    plan_id: op.planId,
    status: op.status,
    base_release_id: op.baseReleaseId,
    target_release_id: op.targetReleaseId,
    release_id: op.releaseId,
    urls: op.urls,
    payment_required: null,
    error: op.error,
    activate_attempts: op.activateAttempts,
    last_activate_attempt_at: op.lastActivateAttemptAt,
    created_at: op.createdAt,
    updated_at: op.updatedAt,
  };
}

/** A fresh operation for a plan (status "planning" until its commit). */
export function newOperation(plan) {
  const at = now();
  return {
    id: newId("op"),
    projectId: plan.projectId,
    planId: plan.id,
    status: "planning",
    phase: 0,
    baseReleaseId: plan.baseReleaseId,
    targetReleaseId: null,
    releaseId: null,
    urls: null,
    error: null,
    activateAttempts: 0,
    lastActivateAttemptAt: null,
    createdAt: at,
    updatedAt: at,
    events: [],
    injected: null,
    timer: null,
  };
}

// ── Phase work ──

/** Every byte the release needs is in the CAS (the commit checked; a rm since would show here). */
async function stage(state, op, plan) {
  const d = deployState(state);
  for (const [path, ref] of plan.content.site) {
    if (!presentBytes(d, op.projectId, ref.sha256)) throw new PhaseFailure("SITE_STAGE_FAILED", `Site file ${path} (${ref.sha256}) is not in the content store.`, { resource: `site.${path}` });
  }
}

function migrationsOf(d, projectId) {
  let m = d.migrations.get(projectId);
  if (!m) d.migrations.set(projectId, (m = new Map()));
  return m;
}

export function appliedMigrations(d, projectId) {
  return [...migrationsOf(d, projectId)].map(([id, m]) => ({ migration_id: id, checksum_hex: m.checksum, applied_at: m.appliedAt }));
}

/** Runs one migration's SQL as the project's owner role in its schema; in a transaction unless `none`. */
async function runMigration(project, sql, transaction) {
  const setup = `SET LOCAL ROLE ${quoteIdent(ownerRole(project.schema))}; SET LOCAL search_path TO ${quoteIdent(project.schema)};`;
  return withSession(async (db) => {
    if (transaction === "none") {
      await db.exec(setup.replaceAll("LOCAL ", ""));
      try {
        await db.exec(sql);
      } finally {
        if (db.isInTransaction()) await db.exec("ROLLBACK");
        await db.exec("RESET ROLE; RESET search_path;");
      }
      return;
    }
    await db.transaction(async (tx) => {
      await tx.exec(setup);
      await tx.exec(sql);
    });
  });
}

async function migrate(state, op, plan) {
  const d = deployState(state);
  const project = state.projects.get(op.projectId);
  const applied = migrationsOf(d, op.projectId);
  for (const m of plan.migrations) {
    const resource = `database.migrations.${m.id}`;
    const done = applied.get(m.id);
    if (done && done.checksum === m.checksum) continue;
    if (done) {
      throw new PhaseFailure("MIGRATION_CHECKSUM_MISMATCH", `Migration ${m.id} was applied with checksum ${done.checksum}; this spec has ${m.checksum}.`, {
        resource,
        details: { migration_id: m.id, applied_checksum: done.checksum, spec_checksum: m.checksum },
      });
    }
    const bytes = presentBytes(d, op.projectId, m.sqlRef.sha256);
    if (!bytes) throw new PhaseFailure("MIGRATION_SQL_NOT_FOUND", `The SQL of migration ${m.id} (${m.sqlRef.sha256}) is not in the content store.`, { resource });
    const sql = bytes.toString("utf8");
    try {
      guardSql(sql, project.schema);
      await runMigration(project, sql, m.transaction);
    } catch (err) {
      const message = err instanceof HttpError ? err.body.message : String(err?.message ?? err);
      throw new PhaseFailure("MIGRATION_FAILED", `Migration ${m.id} failed: ${message}`, {
        resource,
        logs: [message],
        details: { migration_id: m.id, sqlstate: err?.code ?? null },
      });
    }
    applied.set(m.id, { checksum: m.checksum, appliedAt: now() });
  }
}

/** Applies the spec's database.expose manifest to the migrated schema, as applyExpose would. */
async function settleSchema(state, op, plan) {
  if (plan.expose === undefined) return;
  const project = state.projects.get(op.projectId);
  const problem = await withSession(async (db) => {
    const shape = await schemaShape(db, project.schema);
    const result = validateManifest(plan.expose, shape, project.schema);
    if (result.hasErrors) return result.errors;
    await applyManifest(db, project, plan.expose, shape);
    return null;
  });
  if (problem) {
    throw new PhaseFailure("EXPOSE_INVALID", `The expose manifest has ${problem.length} error(s): ${problem[0].detail}`, { resource: "database.expose", details: { errors: problem } });
  }
}

/** The bytes of a function's entry module, and its other files. */
function functionFiles(d, projectId, fn) {
  const read = (ref) => presentBytes(d, projectId, ref.sha256);
  if (fn.source) return { code: read(fn.source), others: [] };
  const others = [...fn.files].filter(([p]) => p !== fn.entrypoint).map(([p, ref]) => [p, read(ref)]);
  return { code: read(fn.files.get(fn.entrypoint)), others };
}

function sameFunction(a, b) {
  return a && codeHash(a) === codeHash(b) && a.timeoutSeconds === b.timeoutSeconds && a.memoryMb === b.memoryMb && a.schedule === b.schedule;
}

/** The tier's per-function limits, checked for every function before any is installed (so a refusal activates nothing). */
function checkTierLimits(project, installed, previous, next) {
  const tier = TIERS[project.tier];
  for (const [name, fn] of next.functions) {
    const over = (what, value, max) => {
      throw new PhaseFailure("FUNCTION_BUILD_FAILED", `Function ${name}: ${what} ${value} is over the ${project.tier} tier's ${max}.`, { resource: `functions.${name}`, details: { gateway_code: "TIER_LIMIT_EXCEEDED", tier: project.tier } });
    };
    if (fn.timeoutSeconds > tier.function_timeout_seconds) over("timeout", `${fn.timeoutSeconds} s`, `${tier.function_timeout_seconds} s`);
    if (fn.memoryMb > tier.function_memory_mb) over("memory", `${fn.memoryMb} MB`, `${tier.function_memory_mb} MB`);
  }
  const after = new Set([...installed.keys()].filter((n) => !previous.functions.has(n) || next.functions.has(n)));
  for (const name of next.functions.keys()) after.add(name);
  if (after.size > tier.max_functions) {
    throw new PhaseFailure("FUNCTION_BUILD_FAILED", `The release would leave ${after.size} functions; the ${project.tier} tier allows ${tier.max_functions}.`, { resource: "functions", details: { gateway_code: "FUNCTION_LIMIT_REACHED", tier: project.tier } });
  }
}

/** Installs the release's new and changed functions and removes those the previous release had and this one drops. */
function installFunctions(state, project, previous, next) {
  const d = deployState(state);
  const installed = functionsOf(state, project.id);
  checkTierLimits(project, installed, previous, next);
  for (const [name, fn] of next.functions) {
    if (sameFunction(previous.functions.get(name), fn) && installed.has(name)) continue;
    const { code, others } = functionFiles(d, project.id, fn);
    if (!code) throw new PhaseFailure("FUNCTION_BUILD_FAILED", `The code of function ${name} is not in the content store.`, { resource: `functions.${name}` });
    try {
      const record = installFunction(state, project, { name, code: code.toString("utf8"), config: { timeout: fn.timeoutSeconds, memory: fn.memoryMb }, schedule: fn.schedule });
      for (const [p, bytes] of others) writeFileSync(join(dirname(record.file), p.replaceAll("/", "_")), bytes ?? "");
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      throw new PhaseFailure("FUNCTION_BUILD_FAILED", `Function ${name}: ${err.body.message}`, { resource: `functions.${name}`, details: { gateway_code: err.body.code } });
    }
  }
  for (const name of previous.functions.keys()) {
    if (next.functions.has(name)) continue;
    const record = installed.get(name);
    if (record) {
      installed.delete(name);
      uninstall(record.file);
    }
  }
}

/** Where a release's site is served: `/__sites/<name>/` on the simulator itself (sites.mjs). */
export const siteUrl = (baseUrl, name) => `${baseUrl}/__sites/${encodeURIComponent(name)}/`;

async function activate(state, op, plan) {
  const d = deployState(state);
  op.activateAttempts += 1;
  op.lastActivateAttemptAt = now();
  const project = state.projects.get(op.projectId);
  const activeId = d.active.get(op.projectId) ?? null;
  if (plan.baseMode === "current" && activeId !== op.baseReleaseId) {
    throw new PhaseFailure("BASE_RELEASE_CONFLICT", `The active release moved from ${op.baseReleaseId ?? "none"} to ${activeId} since this plan; plan again.`, {
      resource: "base",
      retryable: true,
      safe_to_retry: true,
    });
  }
  for (const name of plan.content.subdomains) {
    const claim = state.subdomains.get(name);
    if (claim && claim.projectId !== op.projectId && state.projects.has(claim.projectId)) {
      throw new PhaseFailure("SUBDOMAIN_TAKEN", `${name} is claimed by another project.`, { resource: `subdomains.${name}` });
    }
  }
  const previous = activeId ? d.releases.get(activeId) : null;
  installFunctions(state, project, previous?.content ?? plan.baseContent, plan.content);
  const secrets = state.secrets.get(op.projectId);
  for (const key of plan.secretsDelete) secrets?.delete(key);
  activateRelease(state, project, {
    id: op.targetReleaseId,
    content: plan.content,
    manifestDigest: plan.manifestDigest,
    operationId: op.id,
    planId: plan.id,
    createdBy: plan.createdBy,
    baseUrl: op.baseUrl,
  }, op);
}

/**
 * Makes a release the project's active one: supersedes the previous, makes
 * a deployment of its site files, points its subdomains at it (and frees
 * those the previous release had and it drops). Sets `op.urls`.
 */
export function activateRelease(state, project, { id, content, manifestDigest, operationId, planId, createdBy, baseUrl }, op) {
  const d = deployState(state);
  const at = now();
  const previous = d.releases.get(d.active.get(project.id));
  if (previous) {
    previous.status = "superseded";
    previous.supersededAt = at;
  }
  const generation = (d.generations.get(project.id) ?? 0) + 1;
  d.generations.set(project.id, generation);
  const deploymentId = newId("dpl");
  const files = new Map([...content.site].map(([p, ref]) => [p, presentBytes(d, project.id, ref.sha256)]));
  state.deployments.set(deploymentId, { projectId: project.id, createdAt: at, files, releaseId: id });
  for (const name of previous?.content.subdomains ?? []) {
    if (!content.subdomains.includes(name) && state.subdomains.get(name)?.projectId === project.id) state.subdomains.delete(name);
  }
  for (const name of content.subdomains) {
    const claim = state.subdomains.get(name);
    state.subdomains.set(name, { projectId: project.id, deploymentId, createdAt: claim?.projectId === project.id ? claim.createdAt : at, updatedAt: at });
  }
  const release = {
    id,
    projectId: project.id,
    parentId: previous?.id ?? null,
    status: "active",
    manifestDigest,
    createdAt: op?.createdAt ?? at,
    createdBy,
    activatedAt: at,
    supersededAt: null,
    operationId,
    planId,
    generation,
    deploymentId,
    content,
    migrationsApplied: appliedMigrations(d, project.id),
  };
  d.releases.set(id, release);
  d.active.set(project.id, id);
  const urls = { project: siteUrl(baseUrl, project.id), release: siteUrl(baseUrl, deploymentId), site: siteUrl(baseUrl, content.subdomains[0] ?? project.id), deployment_id: deploymentId };
  if (op) {
    op.releaseId = id;
    op.urls = urls;
  }
  return release;
}

// ── Running ──

function failOp(state, op, phase, err) {
  const status = err.status === "needs_repair" || err.status === "activation_pending" ? err.status : "failed";
  op.status = status;
  op.error = {
    code: err.code,
    phase: phase.event,
    resource: err.resource,
    message: err.message,
    retryable: err.retryable,
    safe_to_retry: err.safeToRetry,
    rolled_back: false,
    operation_id: op.id,
    plan_id: op.planId,
    ...err.extra,
  };
  event(op, phase.event, "failed");
  if (status === "failed") {
    const d = deployState(state);
    const plan = d.plans.get(op.planId);
    if (plan) plan.failed = true;
  }
}

/** Runs the current phase's work and moves on; returns once the operation is terminal or paused, or after one phase. */
async function step(state, op) {
  const d = deployState(state);
  const plan = d.plans.get(op.planId);
  const phase = PHASES[op.phase];
  if (!state.projects.has(op.projectId)) {
    failOp(state, op, phase, new PhaseFailure("PROJECT_NOT_FOUND", `Project ${op.projectId} was deleted during the deploy.`, { resource: "project" }));
    touch(op);
    return;
  }
  try {
    const injected = op.injected;
    if (injected && injected.phase === phase.event) {
      op.injected = null;
      throw new PhaseFailure(injected.code, injected.message ?? `Injected failure in ${phase.event}.`, { resource: injected.resource ?? null, status: injected.status, retryable: injected.status !== "failed" });
    }
    await phase.run(state, op, plan);
  } catch (err) {
    if (!(err instanceof PhaseFailure)) {
      console.error("[run402-sim] deploy phase crashed:", err);
      err = new PhaseFailure("INTERNAL_ERROR", String(err?.message ?? err));
    }
    failOp(state, op, phase, err);
    touch(op);
    return;
  }
  event(op, phase.event, "done");
  op.phase += 1;
  if (op.phase === PHASES.length) {
    op.status = "ready";
    event(op, "ready", "done");
    op.events.push({ type: "ready", releaseId: op.releaseId, urls: op.urls });
  } else {
    op.status = PHASES[op.phase].status;
    event(op, PHASES[op.phase].event, "started");
  }
  touch(op);
}

const isRunning = (op) => !TERMINAL.has(op.status) && !PAUSED.has(op.status);

/** Drives the operation: all phases now when stepMs is 0, else one per timer tick (unref'd, so a test process can exit). */
export async function drive(state, op) {
  const stepMs = deployState(state).config.stepMs;
  if (stepMs === 0) {
    while (isRunning(op)) await step(state, op);
    return;
  }
  const tick = () => {
    op.timer = null;
    step(state, op)
      .catch((err) => console.error("[run402-sim] deploy step failed:", err))
      .finally(() => {
        if (isRunning(op) && state.projects.has(op.projectId) && !deployState(state).stopped) {
          op.timer = setTimeout(tick, deployState(state).config.stepMs);
          op.timer.unref?.();
        }
      });
  };
  op.timer = setTimeout(tick, stepMs);
  op.timer.unref?.();
}

/** Commits: the operation starts staging (the caller checked content and base). */
export async function start(state, op, { baseUrl, injected }) {
  op.baseUrl = baseUrl;
  op.injected = injected ?? null;
  op.targetReleaseId = newId("rel");
  op.status = PHASES[0].status;
  op.phase = 0;
  event(op, PHASES[0].event, "started");
  touch(op);
  await drive(state, op);
}

/** Resumes a paused operation from the phase it stopped in; false when it is not paused. */
export async function resume(state, op) {
  if (!PAUSED.has(op.status)) return false;
  op.error = null;
  op.status = PHASES[op.phase].status;
  event(op, PHASES[op.phase].event, "started");
  touch(op);
  await drive(state, op);
  return true;
}

/** Stops every pending phase timer (the simulator is closing). */
export function stopAll(state) {
  deployState(state).stopped = true;
  for (const op of deployState(state).operations.values()) {
    if (op.timer) clearTimeout(op.timer);
    op.timer = null;
  }
}
