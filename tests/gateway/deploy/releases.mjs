// What a release holds and how two of them compare: the site's paths, the
// functions, secret names, subdomains and routes (contract §1.19
// ReleaseInventory, §3.5 diff buckets, ReleaseToReleaseDiff). A plan's
// desired release is its base release with the spec's replace/patch applied.

import { createHash } from "node:crypto";
import { SCHEMA_VERSION, casOf, deployFail } from "./store.mjs";

export const EMPTY_CONTENT = Object.freeze({ site: new Map(), functions: new Map(), secrets: [], subdomains: [], routes: [] });

const sortedKeys = (map) => [...map.keys()].sort();
const digest = (value) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

/** A function's code hash: its source ref, or its files and entrypoint. */
export function codeHash(fn) {
  if (fn.source) return fn.source.sha256;
  return digest({ entrypoint: fn.entrypoint, files: [...fn.files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, r]) => [p, r.sha256]) });
}

export const routesDigest = (routes) => (routes.length === 0 ? null : digest(routes));

/** The release a plan builds on: `{release, content}`; release null for an empty base. */
export function baseOf(d, projectId, base) {
  if (base?.release === "empty") return { release: null, content: EMPTY_CONTENT };
  if (base?.release_id !== undefined) {
    const release = d.releases.get(base.release_id);
    if (!release || release.projectId !== projectId) deployFail(404, "RELEASE_NOT_FOUND", `No release ${base.release_id} in this project.`, { phase: "plan", resource: "base" });
    return { release, content: release.content };
  }
  const activeId = d.active.get(projectId);
  const release = activeId ? d.releases.get(activeId) : null;
  return { release, content: release?.content ?? EMPTY_CONTENT };
}

/** The desired content: the base with the spec's sections applied. `secretKeys` are the project's secrets now. */
export function desiredContent(base, spec, secretKeys) {
  let site = base.site;
  if (spec.site?.replace) site = new Map(spec.site.replace);
  else if (spec.site?.put) {
    site = new Map(base.site);
    for (const p of spec.site.delete) site.delete(p);
    for (const [p, ref] of spec.site.put) site.set(p, ref);
  }
  let functions = base.functions;
  if (spec.functions?.replace) functions = new Map(spec.functions.replace);
  else if (spec.functions?.set) {
    functions = new Map(base.functions);
    for (const name of spec.functions.delete) functions.delete(name);
    for (const [name, fn] of spec.functions.set) functions.set(name, fn);
  }
  const deleted = new Set(spec.secrets?.delete ?? []);
  const secrets = secretKeys.filter((k) => !deleted.has(k)).sort();
  let subdomains = base.subdomains;
  if (spec.subdomains) {
    const s = spec.subdomains;
    const next = new Set(s.set ?? base.subdomains);
    for (const n of s.add ?? []) next.add(n);
    for (const n of s.remove ?? []) next.delete(n);
    subdomains = [...next].sort();
  }
  const routes = spec.routes ?? base.routes;
  return { site, functions, secrets, subdomains, routes };
}

const addedRemoved = (from, to) => ({ added: to.filter((x) => !from.includes(x)), removed: from.filter((x) => !to.includes(x)) });

function siteDiff(from, to, limit) {
  const added = [];
  const changed = [];
  const removed = [];
  let unchanged = 0;
  for (const p of sortedKeys(to.site)) {
    const now = to.site.get(p);
    const was = from.site.get(p);
    if (!was) added.push({ path: p, sha256: now.sha256, content_type: now.contentType });
    else if (was.sha256 !== now.sha256 || was.contentType !== now.contentType) {
      changed.push({ path: p, sha256_old: was.sha256, sha256_new: now.sha256, content_type_old: was.contentType, content_type_new: now.contentType });
    } else unchanged++;
  }
  for (const p of sortedKeys(from.site)) if (!to.site.has(p)) removed.push(p);
  const cut = (list) => (limit === undefined ? list : list.slice(0, limit));
  return {
    diff: { added: cut(added), removed: cut(removed), changed: cut(changed), totals: { added: added.length, removed: removed.length, changed: changed.length } },
    counts: { unchanged, changed: changed.length, added: added.length, removed: removed.length },
  };
}

function functionsDiff(from, to) {
  const names = addedRemoved(sortedKeys(from.functions), sortedKeys(to.functions));
  const changed = [];
  for (const name of sortedKeys(to.functions)) {
    const was = from.functions.get(name);
    const now = to.functions.get(name);
    if (!was) continue;
    const fields = [];
    if (codeHash(was) !== codeHash(now)) fields.push("code_hash");
    if (was.runtime !== now.runtime) fields.push("runtime");
    if (was.timeoutSeconds !== now.timeoutSeconds) fields.push("timeout_seconds");
    if (was.memoryMb !== now.memoryMb) fields.push("memory_mb");
    if (was.schedule !== now.schedule) fields.push("schedule");
    if (fields.length) changed.push({ name, fields_changed: fields });
  }
  return { ...names, changed };
}

function routesDiff(from, to) {
  const byPattern = (routes) => new Map(routes.map((r) => [r.pattern, r]));
  const a = byPattern(from.routes);
  const b = byPattern(to.routes);
  const added = [...b.values()].filter((r) => !a.has(r.pattern));
  const removed = [...a.values()].filter((r) => !b.has(r.pattern));
  const changed = [];
  for (const [pattern, after] of b) {
    const before = a.get(pattern);
    if (!before) continue;
    const fields = ["methods", "target", "kind", "prefix"].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (fields.length) changed.push({ pattern, before, after, fields_changed: fields });
  }
  return {
    manifest_sha256_old: routesDigest(from.routes),
    manifest_sha256_new: routesDigest(to.routes),
    added,
    removed,
    changed,
    totals: { added: added.length, removed: removed.length, changed: changed.length },
  };
}

/**
 * The diff buckets from one content to another. `presentBefore(sha)` says
 * which site bytes the CAS already had (reused rather than newly uploaded).
 */
export function diffContent(from, to, { presentBefore = () => true, limit } = {}) {
  const site = siteDiff(from, to, limit);
  let uploaded = 0;
  let reused = 0;
  const counted = new Set();
  for (const ref of to.site.values()) {
    if (counted.has(ref.sha256)) continue;
    counted.add(ref.sha256);
    if (presentBefore(ref.sha256)) reused += ref.size;
    else uploaded += ref.size;
  }
  const buckets = {
    site: site.diff,
    functions: functionsDiff(from, to),
    secrets: addedRemoved(from.secrets, to.secrets),
    subdomains: addedRemoved(from.subdomains, to.subdomains),
    routes: routesDiff(from, to),
    static_assets: {
      ...site.counts,
      newly_uploaded_cas_bytes: uploaded,
      reused_cas_bytes: reused,
      deployment_copy_bytes_eliminated: reused,
      legacy_immutable_warnings: [],
      previous_immutable_failures: [],
      cas_authorization_failures: [],
    },
  };
  return buckets;
}

/** One line for a diff: "2 site paths added, 1 function changed" or "no changes". */
export function summarize(buckets, migrationsNew = 0) {
  const parts = [];
  const n = (count, what) => count > 0 && parts.push(`${count} ${what}`);
  n(buckets.site.totals.added, "site path(s) added");
  n(buckets.site.totals.changed, "site path(s) changed");
  n(buckets.site.totals.removed, "site path(s) removed");
  n(buckets.functions.added.length + buckets.functions.changed.length + buckets.functions.removed.length, "function(s) changed");
  n(buckets.routes.totals.added + buckets.routes.totals.changed + buckets.routes.totals.removed, "route(s) changed");
  n(buckets.secrets.added.length + buckets.secrets.removed.length, "secret(s) changed");
  n(buckets.subdomains.added.length + buckets.subdomains.removed.length, "subdomain(s) changed");
  n(migrationsNew, "migration(s) to apply");
  return parts.length ? parts.join(", ") : "no changes";
}

export function isNoop(buckets, migrationsNew = 0) {
  return summarize(buckets, migrationsNew) === "no changes";
}

function staticMetadata(content) {
  const files = [...content.site.values()];
  const classes = {};
  for (const f of files) {
    const cls = f.contentType.startsWith("text/html") ? "html" : "revalidating_asset";
    classes[cls] = (classes[cls] ?? 0) + 1;
  }
  return {
    file_count: files.length,
    total_bytes: files.reduce((n, f) => n + f.size, 0),
    cache_classes: classes,
    cache_class_sources: files.length ? { inferred: files.length } : {},
    spa_fallback: null,
  };
}

export const staticManifestDigest = (content) => (content.site.size === 0 ? null : digest([...content.site].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, r]) => [p, r.sha256, r.contentType])));

/** GET /deploy/v2/releases/{id|active}: the ReleaseInventory of §1.19 (release null: the project has none). */
export function inventory(projectId, release, { siteLimit, stateKind } = {}) {
  const content = release?.content ?? EMPTY_CONTENT;
  const paths = sortedKeys(content.site).map((p) => ({ path: p, content_sha256: content.site.get(p).sha256, content_type: content.site.get(p).contentType }));
  return {
    kind: "release_inventory",
    schema_version: SCHEMA_VERSION,
    release_id: release?.id ?? null,
    project_id: projectId,
    parent_id: release?.parentId ?? null,
    status: release?.status ?? null,
    manifest_digest: release?.manifestDigest ?? null,
    created_at: release?.createdAt ?? null,
    created_by: release?.createdBy ?? null,
    activated_at: release?.activatedAt ?? null,
    superseded_at: release?.supersededAt ?? null,
    operation_id: release?.operationId ?? null,
    plan_id: release?.planId ?? null,
    events_url: release?.operationId ? `/deploy/v2/operations/${release.operationId}/events` : null,
    effective: release?.status === "active",
    state_kind: stateKind ?? (release?.status === "active" ? "current_live" : "effective"),
    release_generation: release?.generation ?? null,
    static_manifest_sha256: staticManifestDigest(content),
    static_manifest_metadata: release ? staticMetadata(content) : null,
    site: { paths: siteLimit === undefined ? paths : paths.slice(0, siteLimit), totals: { paths: paths.length } },
    functions: sortedKeys(content.functions).map((name) => {
      const fn = content.functions.get(name);
      return { name, code_hash: codeHash(fn), runtime: fn.runtime, timeout_seconds: fn.timeoutSeconds, memory_mb: fn.memoryMb, schedule: fn.schedule };
    }),
    secrets: { keys: [...content.secrets] },
    subdomains: { names: [...content.subdomains] },
    routes: { manifest_sha256: routesDigest(content.routes), entries: content.routes.map((r) => ({ ...r })) },
    migrations_applied: (release?.migrationsApplied ?? []).map((m) => ({ ...m })),
    warnings: [],
  };
}

/** Whether the site bytes of `sha` were in the project's CAS (present) before now. */
export function presentIn(d, projectId) {
  const cas = casOf(d, projectId);
  return (sha) => cas.get(sha)?.present === true;
}
