// The app marketplace (wire contract §1.15, seed 003 "Publish & Fork").
// Publishing snapshots a project: its schema as DDL (no rows), its expose
// manifest, its functions, its site files and its secrets' names (never
// their values). Forking pays like provisioning the version's tier, then
// builds an independent project from the snapshot, and says how ready it
// is: "ready", "configuration_required" (secrets to set) or
// "manual_setup_required" (actions the publisher listed).
//
// Site files come from the project's latest deployment that has files: each
// release deploy v2 activates makes one (routes/deploy.mjs), and POST
// /__sim/apps/site puts some there without a deploy.

import { randomBytes } from "node:crypto";

import { requireServiceKey, walletFromSiwx } from "../auth.mjs";
import { versionsOf } from "../app-store.mjs";
import { withSession } from "../db.mjs";
import { applyManifest } from "../expose-apply.mjs";
import { expectNoBody, fail, json, jsonObjectBody, requireString } from "../http-util.mjs";
import { schemaShape } from "../introspect.mjs";
import { requirePayment } from "../payments.mjs";
import { createProject, deleteProject } from "../project-store.mjs";
import { replaySchema, snapshotSchema } from "../schema-snapshot.mjs";
import { TIERS } from "../tiers.mjs";
import { minIntervalMinutes } from "../cron.mjs";
import { functionsOf, installFunction } from "./functions.mjs";
import { checkSubdomainName, deploymentUrl, subdomainUrl } from "./routing.mjs";

const VISIBILITIES = ["public", "unlisted", "private"];
const EDITABLE = ["description", "tags", "visibility", "fork_allowed"];
const MAX_DESCRIPTION = 1000;
const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 50;
const MAX_NAME_LENGTH = 128;

const now = () => new Date().toISOString();

function invalid(field, message) {
  fail(400, "invalid_field", message, "INVALID_FIELD", { details: { field } });
}

/** Checks the editable fields that are present. */
function checkEditable(body) {
  if (body.description !== undefined && body.description !== null && (typeof body.description !== "string" || body.description.length > MAX_DESCRIPTION)) {
    invalid("description", `description must be a string of at most ${MAX_DESCRIPTION} characters, or null.`);
  }
  if (body.tags !== undefined) {
    const ok = Array.isArray(body.tags) && body.tags.length <= MAX_TAGS && body.tags.every((t) => typeof t === "string" && t.trim() !== "" && t.length <= MAX_TAG_LENGTH);
    if (!ok) invalid("tags", `tags must be at most ${MAX_TAGS} non-empty strings of at most ${MAX_TAG_LENGTH} characters.`);
  }
  if (body.visibility !== undefined && !VISIBILITIES.includes(body.visibility)) invalid("visibility", `visibility must be one of ${VISIBILITIES.join(", ")}.`);
  if (body.fork_allowed !== undefined && typeof body.fork_allowed !== "boolean") invalid("fork_allowed", "fork_allowed must be a boolean.");
}

/** `[{<keyField>, description?}]` from the body, or 400. */
function describedList(body, field, keyField) {
  const list = body[field] ?? [];
  const ok = Array.isArray(list) && list.every((x) => x && typeof x === "object" && typeof x[keyField] === "string" && x[keyField] !== "" &&
    (x.description === undefined || typeof x.description === "string") && Object.keys(x).every((k) => k === keyField || k === "description"));
  if (!ok) invalid(field, `${field} must be an array of {${keyField}, description?}.`);
  return list.map((x) => ({ [keyField]: x[keyField], ...(x.description === undefined ? {} : { description: x.description }) }));
}

/** The smallest tier whose function limits the snapshot fits. */
function derivedMinTier(functions) {
  const fits = (t) => {
    const tier = TIERS[t];
    const scheduled = functions.filter((f) => f.cron);
    return functions.length <= tier.max_functions &&
      functions.every((f) => f.timeout <= tier.function_timeout_seconds && f.memory <= tier.function_memory_mb) &&
      scheduled.length <= tier.scheduled_functions &&
      scheduled.every((f) => minIntervalMinutes(f.cron) >= tier.schedule_min_interval_minutes);
  };
  return Object.keys(TIERS).find(fits) ?? "team";
}

/** The project's latest deployment that has site files. */
function siteOf(state, projectId) {
  let latest = null;
  for (const d of state.deployments.values()) if (d.projectId === projectId && d.files && (!latest || d.createdAt >= latest.createdAt)) latest = d;
  return latest;
}

function liveUrl(state, projectId) {
  for (const [name, s] of state.subdomains) if (s.projectId === projectId) return subdomainUrl(name);
  return null;
}

function appSummary(ctx, v) {
  const tiers = Object.keys(TIERS);
  const pricing = Object.fromEntries(tiers.slice(tiers.indexOf(v.minTier)).map((t) => [t, TIERS[t].price]));
  return {
    id: v.id,
    project_id: v.projectId,
    version: v.version,
    name: v.name,
    description: v.description,
    visibility: v.visibility,
    fork_allowed: v.forkAllowed,
    fork_pricing: pricing,
    min_tier: v.minTier,
    derived_min_tier: v.minTier,
    status: ctx.state.projects.has(v.projectId) ? "published" : "archived",
    table_count: v.snapshot.schema.tables.length,
    function_count: v.snapshot.functions.length,
    site_file_count: v.snapshot.site.size,
    site_total_bytes: [...v.snapshot.site.values()].reduce((n, b) => n + b.length, 0),
    required_secrets: v.requiredSecrets,
    required_actions: v.requiredActions,
    tags: v.tags,
    live_url: liveUrl(ctx.state, v.projectId),
    bootstrap_variables: null,
    created_at: v.createdAt,
    compatibility_warnings: [],
  };
}

function versionSummary(v) {
  return { id: v.id, version: v.version, description: v.description, tags: v.tags, visibility: v.visibility, fork_allowed: v.forkAllowed, created_at: v.createdAt };
}

async function publish(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const body = jsonObjectBody(ctx, { allowed: [...EDITABLE, "required_secrets", "required_actions"], optional: true });
  checkEditable(body);
  const described = describedList(body, "required_secrets", "key");
  const requiredActions = describedList(body, "required_actions", "action");
  const schema = await snapshotSchema(project.schema);
  const functions = [...functionsOf(ctx.state, project.id).values()].map((f) => ({
    name: f.name, code: f.code, timeout: f.timeout, memory: f.memory, schedule: f.schedule, deps: [...f.deps], cron: f.cron,
  }));
  const site = new Map([...(siteOf(ctx.state, project.id)?.files ?? new Map())].map(([path, bytes]) => [path, Buffer.from(bytes)]));
  // Names only: a secret's value never leaves its project.
  const secretNames = [...(ctx.state.secrets.get(project.id)?.keys() ?? [])];
  const requiredSecrets = [...new Set([...secretNames, ...described.map((s) => s.key)])].sort().map((key) => ({ key, ...described.find((s) => s.key === key) }));
  const versions = versionsOf(ctx.state);
  const version = {
    id: `ver_${randomBytes(10).toString("hex")}`,
    projectId: project.id,
    ownerWallet: project.ownerWallet,
    version: [...versions.values()].filter((v) => v.projectId === project.id).reduce((n, v) => Math.max(n, v.version), 0) + 1,
    name: project.name,
    description: body.description ?? null,
    tags: body.tags ?? [],
    visibility: body.visibility ?? "public",
    forkAllowed: body.fork_allowed ?? true,
    minTier: derivedMinTier(functions),
    requiredSecrets,
    requiredActions,
    createdAt: now(),
    snapshot: { schema, expose: project.expose ? structuredClone(project.expose) : null, functions, site },
  };
  versions.set(version.id, version);
  return json(201, appSummary(ctx, version));
}

function projectVersion(ctx, project) {
  const v = versionsOf(ctx.state).get(ctx.params.versionId);
  if (!v || v.projectId !== project.id) fail(404, "version_not_found", `Project ${project.id} has no version ${ctx.params.versionId}.`, "VERSION_NOT_FOUND");
  return v;
}

function listVersions(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const mine = [...versionsOf(ctx.state).values()].filter((v) => v.projectId === project.id).sort((a, b) => a.version - b.version);
  return json(200, { versions: mine.map(versionSummary) });
}

function updateVersion(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const v = projectVersion(ctx, project);
  const body = jsonObjectBody(ctx, { allowed: EDITABLE });
  checkEditable(body);
  if (body.description !== undefined) v.description = body.description;
  if (body.tags !== undefined) v.tags = body.tags;
  if (body.visibility !== undefined) v.visibility = body.visibility;
  if (body.fork_allowed !== undefined) v.forkAllowed = body.fork_allowed;
  return json(200, { status: "updated", ...versionSummary(v) });
}

function deleteVersion(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  expectNoBody(ctx);
  const v = projectVersion(ctx, project);
  versionsOf(ctx.state).delete(v.id);
  return json(200, { status: "deleted", id: v.id });
}

/** Public marketplace: public, forkable versions, any of the `tag`s. */
function browse(ctx) {
  const tags = ctx.url.searchParams.getAll("tag");
  const apps = [...versionsOf(ctx.state).values()]
    .filter((v) => v.visibility === "public" && v.forkAllowed && ctx.state.projects.has(v.projectId))
    .filter((v) => tags.length === 0 || v.tags.some((t) => tags.includes(t)))
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
    .map((v) => appSummary(ctx, v));
  return json(200, { apps, total: apps.length });
}

/** A version anyone may see: public or unlisted; a private one only exists for its owner's wallet. */
function visibleVersion(ctx, id, wallet = null) {
  const v = versionsOf(ctx.state).get(id);
  const owner = wallet !== null && v?.ownerWallet === wallet;
  if (!v || (v.visibility === "private" && !owner)) fail(404, "app_not_found", `No published app version ${id}.`, "APP_NOT_FOUND");
  return v;
}

function getApp(ctx) {
  return json(200, appSummary(ctx, visibleVersion(ctx, ctx.params.versionId)));
}

/** Builds the fork's content from the snapshot; returns what the answer adds. */
async function buildFork(ctx, v, project, subdomain) {
  const { snapshot } = v;
  await replaySchema(project.schema, snapshot.schema.statements);
  if (snapshot.expose) await withSession(async (db) => applyManifest(db, project, snapshot.expose, await schemaShape(db, project.schema)));
  const functions = snapshot.functions.map((f) => {
    installFunction(ctx.state, project, { name: f.name, code: f.code, config: { timeout: f.timeout, memory: f.memory }, deps: f.deps, schedule: f.schedule });
    return { name: f.name, url: `${ctx.baseUrl}/functions/v1/${f.name}` };
  });
  const out = { functions };
  if (snapshot.site.size > 0 || subdomain !== undefined) {
    const deploymentId = `dpl_${randomBytes(8).toString("hex")}`;
    ctx.state.deployments.set(deploymentId, { projectId: project.id, createdAt: now(), files: new Map([...snapshot.site].map(([p, b]) => [p, Buffer.from(b)])) });
    out.site_url = deploymentUrl(deploymentId);
    if (subdomain !== undefined) {
      ctx.state.subdomains.set(subdomain, { projectId: project.id, deploymentId, createdAt: now(), updatedAt: now() });
      out.subdomain_url = subdomainUrl(subdomain);
    }
  }
  return out;
}

async function fork(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["version_id", "name", "subdomain"] });
  const versionId = requireString(body, "version_id");
  const name = requireString(body, "name");
  if (name.trim() === "" || name.length > MAX_NAME_LENGTH) invalid("name", `name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters.`);
  const subdomain = requireString(body, "subdomain", { optional: true });
  const wallet = await walletFromSiwx(ctx, { required: false });
  const v = visibleVersion(ctx, versionId, wallet);
  if (!v.forkAllowed) fail(403, "fork_not_allowed", `Version ${versionId} does not allow forks.`, "FORK_NOT_ALLOWED");
  if (subdomain !== undefined) {
    checkSubdomainName(subdomain);
    const taken = ctx.state.subdomains.get(subdomain);
    if (taken && ctx.state.projects.has(taken.projectId)) fail(409, "subdomain_taken", `${subdomainUrl(subdomain)} is claimed by another project.`, "SUBDOMAIN_TAKEN");
  }
  // Checked before the price is asked, so a fork that cannot happen costs nothing.
  const { payer } = await requirePayment(ctx, "POST /fork/v1", body);
  const project = await createProject(ctx.state, { tier: v.minTier, name, ownerWallet: payer ?? wallet });
  project.payment = ctx.payment?.hold ?? null;
  let built;
  try {
    built = await buildFork(ctx, v, project, subdomain);
  } catch (err) {
    // No half-built forks: the project goes, and the held payment is released.
    await deleteProject(ctx.state, project);
    throw err;
  }
  const readiness = v.requiredActions.length > 0 ? "manual_setup_required" : v.requiredSecrets.length > 0 ? "configuration_required" : "ready";
  return json(201, {
    project_id: project.id,
    anon_key: project.anonKey,
    service_key: project.serviceKey,
    schema_slot: project.schema,
    name: project.name,
    tier: project.tier,
    lease_expires_at: project.leaseExpiresAt,
    ...built,
    readiness,
    required_secrets: v.requiredSecrets,
    required_actions: v.requiredActions,
    source_version_id: v.id,
  });
}

export function register(router) {
  router.add("POST", "/projects/v1/admin/:id/publish", publish);
  router.add("GET", "/projects/v1/admin/:id/versions", listVersions);
  router.add("PATCH", "/projects/v1/admin/:id/versions/:versionId", updateVersion);
  router.add("DELETE", "/projects/v1/admin/:id/versions/:versionId", deleteVersion);
  router.add("GET", "/apps/v1", browse);
  router.add("GET", "/apps/v1/:versionId", getApp);
  router.add("POST", "/fork/v1", fork, { idempotent: true });
}

// ── /__sim/ controls ──

/** POST {project_id, files: {path: text}}: a deployment with site files, as the deploy engine will make. */
function putSite(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["project_id", "files"] });
  const projectId = requireString(body, "project_id");
  if (!ctx.state.projects.has(projectId)) fail(404, "project_not_found", "No such project.", "PROJECT_NOT_FOUND");
  const files = body.files;
  if (!files || typeof files !== "object" || Array.isArray(files) || !Object.values(files).every((t) => typeof t === "string")) {
    invalid("files", "files must map paths to text.");
  }
  const id = `dpl_${randomBytes(8).toString("hex")}`;
  ctx.state.deployments.set(id, { projectId, createdAt: now(), files: new Map(Object.entries(files).map(([p, t]) => [p, Buffer.from(t)])) });
  return json(201, { deployment_id: id, project_id: projectId, url: deploymentUrl(id), files: Object.keys(files).length });
}

export function registerControl(router) {
  router.add("POST", "/__sim/apps/site", putSite);
}
