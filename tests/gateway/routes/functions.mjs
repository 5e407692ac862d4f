// Serverless functions (wire contract §1.3, seed 003 "Serverless Functions"):
// deploy, list, update, delete and logs with the service key, and invoke at
// /functions/v1/:name with a project API key. Functions really run
// (functions-runtime.mjs). The tier's limits hold: function count, timeout,
// memory, scheduled functions and their shortest interval. Schedules are
// recorded with their next run and run on demand through /__sim/.

import { requireApiKey, requireServiceKey } from "../auth.mjs";
import { CronError, minIntervalMinutes, nextRun, parseCron } from "../cron.mjs";
import { install, invoke, log, newRequestId, packageName, resolveDeps, uninstall } from "../functions-runtime.mjs";
import { expectNoBody, fail, json, jsonObjectBody, requireString } from "../http-util.mjs";
import { TIERS } from "../tiers.mjs";

const NAME = /^[a-z0-9][a-z0-9_-]{0,127}$/;
const REQUEST_ID = /^req_[A-Za-z0-9_-]{4,128}$/;
const REFUSED_DEPS = new Set(["@run402/functions", "run402-functions", "sharp", "canvas", "bcrypt"]);
const MAX_DEPS = 30;
const MAX_DEP_CHARS = 200;
const MAX_CODE_BYTES = 512 * 1024;
const DEFAULT_TIMEOUT = 10;
const DEFAULT_MEMORY = 128;
const RUNTIME = "node22";
const RUNTIME_VERSION = "sim-1";
const MAX_TAIL = 1000;
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host", "upgrade"]);

// Per simulator: project_id → Map(name → function record).
const stores = new WeakMap();

/** The project's functions (records of deleted projects are gone with them). */
export function functionsOf(state, projectId) {
  let all = stores.get(state);
  if (!all) stores.set(state, (all = new Map()));
  for (const id of all.keys()) {
    if (!state.projects.has(id)) {
      for (const fn of all.get(id).values()) uninstall(fn.file);
      all.delete(id);
    }
  }
  let fns = all.get(projectId);
  if (!fns) all.set(projectId, (fns = new Map()));
  return fns;
}

const functionUrl = (ctx, name) => `${ctx.baseUrl}/functions/v1/${name}`;

function scheduleMeta(fn) {
  if (fn.schedule === null) return null;
  const next = nextRun(fn.cron, Date.now());
  return {
    next_run_at: next === null ? undefined : new Date(next).toISOString(),
    last_run_at: fn.runs.lastAt ?? undefined,
    last_status: fn.runs.lastStatus ?? undefined,
    run_count: fn.runs.count,
    last_error: fn.runs.lastError ?? null,
  };
}

function summary(ctx, fn) {
  return {
    name: fn.name,
    url: functionUrl(ctx, fn.name),
    runtime: RUNTIME,
    timeout: fn.timeout,
    memory: fn.memory,
    schedule: fn.schedule,
    schedule_meta: scheduleMeta(fn),
    created_at: fn.createdAt,
    updated_at: fn.updatedAt,
    runtime_version: RUNTIME_VERSION,
    deps_resolved: fn.depsResolved,
  };
}

function invalid(message, code, details) {
  fail(400, "invalid_function", message, code, details ? { details } : {});
}

function positive(value, field) {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) invalid(`${field} must be a positive whole number.`, "INVALID_FUNCTION_CONFIG", { field });
}

function checkConfig(config) {
  if (config === undefined) return {};
  if (config === null || typeof config !== "object" || Array.isArray(config)) invalid("config must be an object.", "INVALID_FUNCTION_CONFIG", { field: "config" });
  const unknown = Object.keys(config).filter((k) => k !== "timeout" && k !== "memory");
  if (unknown.length) invalid(`Unknown config field: ${unknown.join(", ")}.`, "UNKNOWN_FIELD", { unknown_fields: unknown, allowed_fields: ["timeout", "memory"] });
  positive(config.timeout, "config.timeout");
  positive(config.memory, "config.memory");
  return config;
}

function checkDeps(deps) {
  if (deps === undefined) return [];
  if (!Array.isArray(deps)) invalid("deps must be an array of npm package specs.", "INVALID_DEPS");
  if (deps.length > MAX_DEPS) invalid(`deps may list at most ${MAX_DEPS} packages.`, "INVALID_DEPS");
  for (const [i, dep] of deps.entries()) {
    if (typeof dep !== "string" || dep.trim() === "" || /\s/.test(dep) || dep.length > MAX_DEP_CHARS) {
      invalid(`deps[${i}] must be an npm spec of at most ${MAX_DEP_CHARS} characters without whitespace.`, "INVALID_DEPS", { index: i });
    }
    if (REFUSED_DEPS.has(packageName(dep))) {
      invalid(`deps[${i}]: ${packageName(dep)} cannot be a dependency (the platform bundles @run402/functions; native modules do not build).`, "UNSUPPORTED_DEPENDENCY", { index: i });
    }
  }
  return deps;
}

/** `null`, or a parsed cron expression; 400 for anything else. */
function checkSchedule(schedule) {
  if (schedule === null) return null;
  if (typeof schedule !== "string") invalid("schedule must be a 5-field cron string or null.", "INVALID_SCHEDULE");
  try {
    return parseCron(schedule);
  } catch (err) {
    if (err instanceof CronError) invalid(`Invalid schedule "${schedule}": ${err.message}.`, "INVALID_SCHEDULE");
    throw err;
  }
}

/** The tier's limits on one function's settings, and on the project's schedules. */
function enforceTier(project, fns, fn) {
  const tier = TIERS[project.tier];
  const over = (field, max, unit) =>
    fail(403, "tier_limit", `${field} ${fn[field]}${unit} is over the ${project.tier} tier's ${max}${unit}.`, "TIER_LIMIT_EXCEEDED", { details: { field, limit: max, tier: project.tier } });
  if (fn.timeout > tier.function_timeout_seconds) over("timeout", tier.function_timeout_seconds, " s");
  if (fn.memory > tier.function_memory_mb) over("memory", tier.function_memory_mb, " MB");
  if (fn.cron) {
    const gap = minIntervalMinutes(fn.cron);
    if (gap < tier.schedule_min_interval_minutes) {
      fail(403, "tier_limit", `Schedule "${fn.schedule}" runs every ${gap} min; the ${project.tier} tier allows every ${tier.schedule_min_interval_minutes} min at most.`, "SCHEDULE_TOO_FREQUENT", {
        details: { min_interval_minutes: tier.schedule_min_interval_minutes, tier: project.tier },
      });
    }
    const scheduled = [...fns.values()].filter((f) => f.schedule !== null && f.name !== fn.name).length;
    if (scheduled >= tier.scheduled_functions) {
      fail(403, "tier_limit", `The ${project.tier} tier allows ${tier.scheduled_functions} scheduled function(s).`, "SCHEDULE_LIMIT_REACHED", {
        details: { limit: tier.scheduled_functions, tier: project.tier },
      });
    }
  }
}

/**
 * Installs (or replaces) a function on a project: checks the spec, the
 * tier's limits and the deps, then writes the module. Shared with forks.
 * Returns the record.
 */
export function installFunction(state, project, { name, code, config = {}, deps = [], schedule = null }) {
  const fns = functionsOf(state, project.id);
  const previous = fns.get(name);
  const at = new Date().toISOString();
  const fn = {
    name,
    code,
    deps,
    timeout: config.timeout ?? DEFAULT_TIMEOUT,
    memory: config.memory ?? DEFAULT_MEMORY,
    schedule: schedule === null ? null : schedule.trim().split(/\s+/).join(" "),
    cron: checkSchedule(schedule),
    createdAt: previous?.createdAt ?? at,
    updatedAt: at,
    runs: { count: 0 },
    logs: previous?.logs ?? [],
    logSeq: previous?.logSeq ?? 0,
    instance: Math.random().toString(16).slice(2, 10),
  };
  const limit = TIERS[project.tier].max_functions;
  if (!previous && fns.size >= limit) {
    fail(403, "tier_limit", `The ${project.tier} tier allows ${limit} functions; delete one or upgrade.`, "FUNCTION_LIMIT_REACHED", { details: { limit, tier: project.tier } });
  }
  enforceTier(project, fns, fn);
  const { resolved, missing } = resolveDeps(deps);
  if (missing) {
    fail(400, "deps_install_failed", `Could not install ${missing}: the simulator is offline and has no copy of it.`, "DEPS_INSTALL_FAILED", { details: { spec: missing } });
  }
  fn.depsResolved = resolved;
  fn.file = install(project.id, name, code, resolved);
  if (previous) uninstall(previous.file);
  fns.set(name, fn);
  return fn;
}

function deploy(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const body = jsonObjectBody(ctx, { allowed: ["name", "code", "config", "deps", "schedule"] });
  const name = requireString(body, "name");
  if (!NAME.test(name)) invalid("Function names are 1-128 characters of a-z, 0-9, _ and -, starting with a letter or digit.", "INVALID_FUNCTION_NAME");
  const code = body.code;
  if (typeof code !== "string" || code.trim() === "") invalid("code must be a non-empty source string.", "INVALID_FUNCTION_CODE");
  if (Buffer.byteLength(code) > MAX_CODE_BYTES) invalid(`code is limited to ${MAX_CODE_BYTES} bytes.`, "FUNCTION_CODE_TOO_LARGE");
  const config = checkConfig(body.config);
  const deps = checkDeps(body.deps);
  const schedule = body.schedule === undefined ? null : body.schedule;
  const fn = installFunction(ctx.state, project, { name, code, config, deps, schedule });
  const { schedule_meta, updated_at, ...rest } = summary(ctx, fn);
  return json(201, { ...rest, status: "deployed", warnings: [] });
}

function list(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const fns = [...functionsOf(ctx.state, project.id).values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  return json(200, { functions: fns.map((fn) => summary(ctx, fn)) });
}

function existing(ctx, project, name) {
  const fn = functionsOf(ctx.state, project.id).get(name);
  if (!fn) fail(404, "function_not_found", `Project ${project.id} has no function ${name}.`, "FUNCTION_NOT_FOUND");
  return fn;
}

function update(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const fn = existing(ctx, project, ctx.params.name);
  const body = jsonObjectBody(ctx, { allowed: ["schedule", "config"] });
  const config = checkConfig(body.config);
  if (body.schedule === undefined && config.timeout === undefined && config.memory === undefined) {
    invalid("Give at least one of schedule, config.timeout or config.memory.", "NOTHING_TO_UPDATE");
  }
  const next = { ...fn, timeout: config.timeout ?? fn.timeout, memory: config.memory ?? fn.memory };
  if (body.schedule !== undefined) {
    next.cron = checkSchedule(body.schedule);
    next.schedule = body.schedule === null ? null : body.schedule.trim().split(/\s+/).join(" ");
  }
  enforceTier(project, functionsOf(ctx.state, project.id), next);
  Object.assign(fn, next, { updatedAt: new Date().toISOString() });
  const { url, created_at, ...rest } = summary(ctx, fn);
  return json(200, rest);
}

function remove(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  expectNoBody(ctx);
  const fn = existing(ctx, project, ctx.params.name);
  functionsOf(ctx.state, project.id).delete(fn.name);
  uninstall(fn.file);
  return json(200, { status: "deleted", name: fn.name });
}

function logs(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const fn = existing(ctx, project, ctx.params.name);
  const q = ctx.url.searchParams;
  const whole = (key) => {
    const text = q.get(key);
    if (text === null) return undefined;
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) fail(400, "invalid_query", `${key} must be a whole number.`, "INVALID_QUERY", { details: { field: key } });
    return Number(text);
  };
  const tail = Math.min(whole("tail") ?? 50, MAX_TAIL);
  if (tail < 1) fail(400, "invalid_query", "tail must be at least 1.", "INVALID_QUERY", { details: { field: "tail" } });
  const since = whole("since");
  const requestId = q.get("request_id");
  if (requestId !== null && !REQUEST_ID.test(requestId)) fail(400, "invalid_query", "request_id must match req_<4-128 url-safe characters>.", "INVALID_QUERY", { details: { field: "request_id" } });
  const lines = fn.logs.filter((l) => (since === undefined || Date.parse(l.timestamp) >= since) && (requestId === null || l.request_id === requestId));
  return json(200, { logs: lines.slice(-tail) });
}

function secretsEnv(state, projectId) {
  return Object.fromEntries([...(state.secrets.get(projectId) ?? new Map())].map(([key, s]) => [key, s.value]));
}

/** Runs a function and turns the outcome into the gateway's answer. */
export async function run(ctx, project, fn, request) {
  const requestId = newRequestId();
  const result = await invoke(fn, request, secretsEnv(ctx.state, project.id), requestId);
  const idHeader = { "x-run402-request-id": requestId };
  if (result.outcome === "ok") {
    const headers = Object.fromEntries(result.headers.filter(([k]) => !HOP_BY_HOP.has(k)));
    return { reply: { status: result.status, headers: { ...headers, ...idHeader }, body: result.body }, requestId, result };
  }
  const [status, code, message] = {
    timeout: [504, "FUNCTION_TIMEOUT", `Function ${fn.name} timed out after ${fn.timeout} s.`],
    out_of_memory: [502, "FUNCTION_OUT_OF_MEMORY", `Function ${fn.name} ran out of memory (${fn.memory} MB).`],
    error: [502, "FUNCTION_ERROR", `Function ${fn.name} failed: ${String(result.error).split("\n")[0]}`],
  }[result.outcome];
  const reply = json(status, { error: "function_error", message, code, request_id: requestId }, idHeader);
  return { reply, requestId, result };
}

/** Any method at /functions/v1/:name; the apikey header names the project. */
async function invokeRoute(ctx) {
  const { project } = requireApiKey(ctx);
  const fn = existing(ctx, project, ctx.params.name);
  const headers = Object.entries(ctx.headers).filter(([k]) => !HOP_BY_HOP.has(k)).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]);
  const hasBody = !["GET", "HEAD"].includes(ctx.method) && ctx.rawBody.length > 0;
  const request = { method: ctx.method, url: functionUrl(ctx, fn.name) + ctx.url.search, headers, body: hasBody ? ctx.rawBody : null };
  return (await run(ctx, project, fn, request)).reply;
}

export function register(router) {
  router.add("POST", "/projects/v1/admin/:id/functions", deploy);
  router.add("GET", "/projects/v1/admin/:id/functions", list);
  router.add("PATCH", "/projects/v1/admin/:id/functions/:name", update);
  router.add("DELETE", "/projects/v1/admin/:id/functions/:name", remove);
  router.add("GET", "/projects/v1/admin/:id/functions/:name/logs", logs);
  for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]) router.add(method, "/functions/v1/:name", invokeRoute);
}

// ── /__sim/ controls ──

/** Runs one scheduled invocation now, as the scheduler would, and records it. */
async function runScheduled(ctx, project, fn, at) {
  const body = Buffer.from(JSON.stringify({ type: "schedule", schedule: fn.schedule, scheduled_at: at }));
  const request = {
    method: "POST",
    url: functionUrl(ctx, fn.name),
    headers: [["content-type", "application/json"], ["x-run402-trigger", "schedule"]],
    body,
  };
  log(fn, undefined, `Scheduled run (${fn.schedule})`);
  const { reply, requestId, result } = await run(ctx, project, fn, request);
  fn.runs = {
    count: fn.runs.count + 1,
    lastAt: at,
    lastStatus: reply.status,
    lastError: result.outcome === "ok" ? null : String(result.error).split("\n")[0],
  };
  return { name: fn.name, status: reply.status, request_id: requestId, schedule_meta: scheduleMeta(fn) };
}

/** POST {project_id, name}: runs a scheduled function now. */
async function runNow(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["project_id", "name"] });
  const project = ctx.state.projects.get(requireString(body, "project_id"));
  if (!project) fail(404, "project_not_found", "No such project.", "PROJECT_NOT_FOUND");
  const fn = existing(ctx, project, requireString(body, "name"));
  if (fn.schedule === null) fail(409, "not_scheduled", `Function ${fn.name} has no schedule.`, "NOT_SCHEDULED");
  return json(200, await runScheduled(ctx, project, fn, new Date().toISOString()));
}

/** POST {at?}: runs every schedule due by `at` (ISO, default now), once each. */
async function tick(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["at"], optional: true });
  const at = body.at === undefined ? Date.now() : Date.parse(body.at);
  if (!Number.isFinite(at)) fail(400, "invalid_field", '"at" must be an ISO 8601 time.', "INVALID_FIELD");
  const ran = [];
  for (const project of ctx.state.projects.values()) {
    for (const fn of functionsOf(ctx.state, project.id).values()) {
      if (fn.schedule === null) continue;
      const due = nextRun(fn.cron, Date.parse(fn.runs.lastAt ?? fn.updatedAt) - 1);
      if (due !== null && due <= at) ran.push({ project_id: project.id, ...(await runScheduled(ctx, project, fn, new Date(due).toISOString())) });
    }
  }
  return json(200, { ran });
}

export function registerControl(router) {
  router.add("POST", "/__sim/functions/run", runNow);
  router.add("POST", "/__sim/functions/tick", tick);
}
