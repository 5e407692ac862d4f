// What a host + path hits under a release (contract §1.19 resolve): its
// routes first (exact beats prefix, longer prefix beats shorter), then the
// site's files (`/` and directories serve index.html). The released site is
// served over HTTP at /__sites/<name>/<path>, where <name> is the project id
// (its active release), a subdomain the deploy claimed (the release it
// points at) or a deployment id (that release): the exact bytes with their
// content type and ETag, function routes running the function.

import { run as runFunction, functionsOf } from "../routes/functions.mjs";
import { json } from "../http-util.mjs";
import { routesDigest, staticManifestDigest } from "./releases.mjs";
import { deployState, presentBytes } from "./store.mjs";

const SUBDOMAIN_ZONE = ".run402.com";
const SITES_ZONE = ".sites.run402.com";
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host", "upgrade"]);

function routeFor(routes, path) {
  let best = null;
  for (const r of routes) {
    const hit = r.kind === "exact" ? r.pattern === path : path.startsWith(r.prefix) || path === r.prefix.slice(0, -1);
    if (!hit) continue;
    const rank = r.kind === "exact" ? Infinity : r.prefix.length;
    if (!best || rank > best.rank) best = { route: r, rank };
  }
  return best?.route ?? null;
}

/** The site file a path names: exact, or its index.html. */
function fileFor(site, path) {
  const rel = decodeURIComponent(path).replace(/^\/+/, "");
  if (rel !== "" && site.has(rel)) return { file: rel, match: "static_exact" };
  const index = rel === "" || rel.endsWith("/") ? `${rel}index.html` : `${rel}/index.html`;
  if (site.has(index)) return { file: index, match: "static_index" };
  return null;
}

const cacheClass = (ref) => (ref.contentType.startsWith("text/html") ? "html" : "revalidating_asset");
const cachePolicy = (cls) => (cls === "html" ? "public, max-age=0, must-revalidate" : "public, max-age=300, must-revalidate");

/**
 * Resolves `method path` under `release` to the fields of a
 * DeployResolveResponse (without the host ones); `file` / `fn` say what
 * to serve.
 */
export function resolveIn(release, path, method) {
  const content = release.content;
  const base = {
    release_id: release.id,
    release_generation: release.generation,
    route_manifest_sha256: routesDigest(content.routes),
    static_manifest_sha256: staticManifestDigest(content),
    normalized_path: path,
  };
  const route = routeFor(content.routes, path);
  if (route) {
    const routeFields = { route: { pattern: route.pattern, methods: route.methods, target: route.target }, route_pattern: route.pattern, target_type: route.target.type, target_name: route.target.name ?? null, target_file: route.target.file ?? null };
    const allowed = route.methods ?? (route.target.type === "static" ? ["GET", "HEAD"] : null);
    const permits = allowed === null || allowed.includes(method) || (method === "HEAD" && allowed.includes("GET"));
    if (!permits) {
      return { ...base, ...routeFields, match: "route_method_miss", allow: allowed, authorized: false, authorization_result: "not_applicable", fallback_state: "not_used", result: 405 };
    }
    if (route.target.type === "function") {
      return { ...base, ...routeFields, match: "route_function", authorized: true, authorization_result: "not_applicable", fallback_state: "not_used", result: 200, fn: route.target.name };
    }
    const ref = content.site.get(route.target.file);
    if (!ref) return { ...base, ...routeFields, match: "route_static_alias", asset_path: route.target.file, authorized: false, authorization_result: "target_missing", fallback_state: "target_missing", result: 404 };
    return { ...base, ...routeFields, ...staticFields(ref, route.target.file, "route_static_alias"), match: "route_static_alias", file: route.target.file };
  }
  const found = fileFor(content.site, path);
  if (!found) return { ...base, match: "none", authorized: false, authorization_result: "target_missing", fallback_state: "not_configured", result: 404 };
  const ref = content.site.get(found.file);
  if (method !== "GET" && method !== "HEAD") {
    return { ...base, match: found.match, asset_path: found.file, allow: ["GET", "HEAD"], authorized: false, authorization_result: "not_applicable", fallback_state: "method_not_static", result: 405 };
  }
  return { ...base, ...staticFields(ref, found.file, "implicit_file_path"), match: found.match, file: found.file };
}

function staticFields(ref, file, authority) {
  const cls = cacheClass(ref);
  return {
    asset_path: file,
    reachability_authority: authority,
    direct: authority === "implicit_file_path",
    static_sha256: ref.sha256,
    content_type: ref.contentType,
    cache_class: cls,
    cache_policy: cachePolicy(cls),
    authorized: true,
    authorization_result: "authorized",
    cas_object: { sha256: ref.sha256, exists: true, expected_size: ref.size, actual_size: ref.size },
    fallback_state: "not_used",
    result: 200,
  };
}

/** The release behind a site name: a project id (active release), a deployment id, or a claimed subdomain. */
export function releaseForName(state, name) {
  const d = deployState(state);
  if (state.projects.has(name)) {
    const id = d.active.get(name);
    return id ? { release: d.releases.get(id), via: "project" } : null;
  }
  const deployment = state.deployments.get(name);
  if (deployment?.releaseId && state.projects.has(deployment.projectId)) return { release: d.releases.get(deployment.releaseId), via: "deployment" };
  const claim = state.subdomains.get(name);
  if (claim && state.projects.has(claim.projectId)) {
    const releaseId = state.deployments.get(claim.deploymentId)?.releaseId;
    return releaseId ? { release: d.releases.get(releaseId), via: "subdomain" } : null;
  }
  return null;
}

/** The site name a public hostname stands for: `<subdomain>.run402.com` or `<deployment or project>.sites.run402.com`. */
function nameForHost(host) {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (h.endsWith(SITES_ZONE)) return h.slice(0, -SITES_ZONE.length);
  if (h.endsWith(SUBDOMAIN_ZONE) && !h.slice(0, -SUBDOMAIN_ZONE.length).includes(".")) return h.slice(0, -SUBDOMAIN_ZONE.length);
  return null;
}

/**
 * GET /deploy/v2/resolve?host=&path=&method= for `project` (the apikey's).
 * The simulator's own host (`simHost`) resolves its /__sites/<name>/ URLs,
 * so a deploy's `urls` can be resolved as they are.
 */
export function resolveHost(state, project, { host, path, method, simHost }) {
  let name = nameForHost(host);
  const local = host.toLowerCase() === simHost ? /^\/__sites\/([^/]+)(\/.*)?$/.exec(path) : null;
  if (local) {
    name = decodeURIComponent(local[1]);
    path = local[2] ?? "/";
  }
  const found = name === null ? null : releaseForName(state, name);
  const hostname = host.toLowerCase();
  if (!found || found.release.projectId !== project.id) {
    return { hostname, project_id: null, release_id: null, match: "host_missing", authorized: false, fallback_state: "unavailable", result: 404, error_code: "HOST_NOT_BOUND" };
  }
  const { file, fn, ...fields } = resolveIn(found.release, path, method);
  return { hostname, host_binding_id: name, binding_status: "active", project_id: project.id, channel: found.via === "deployment" ? "deployment" : "production", ...fields };
}

/**
 * The released site a request's Host header names (`<subdomain>.run402.com`,
 * `<id>.sites.run402.com`), or null: any other host, or a name with no
 * release, stays the gateway's.
 */
export function siteNameOfHost(state, hostHeader) {
  const name = typeof hostHeader === "string" ? nameForHost(hostHeader.replace(/:\d+$/, "")) : null;
  return name !== null && releaseForName(state, name) ? name : null;
}

/**
 * GET|HEAD|… /__sites/<name>/<path>, or any path with a Host header that
 * names a site (for clients that can set Host; fetch cannot): the released site.
 */
export async function serveSite(ctx) {
  const notFound = (message) => json(404, { error: "not_found", message, code: "NOT_FOUND" });
  const byHost = siteNameOfHost(ctx.state, ctx.headers.host);
  const m = byHost !== null ? [null, encodeURIComponent(byHost), ctx.url.pathname] : /^\/__sites\/([^/]+)(\/.*)?$/.exec(ctx.url.pathname);
  if (!m) return notFound("No site here.");
  const name = decodeURIComponent(m[1]);
  if (m[2] === undefined) return { status: 308, headers: { location: `/__sites/${m[1]}/${ctx.url.search}` }, body: null };
  const found = releaseForName(ctx.state, name);
  if (!found) return notFound(`No released site ${name}.`);
  const release = found.release;
  let hit;
  try {
    hit = resolveIn(release, m[2], ctx.method);
  } catch {
    return json(400, { error: "invalid_path", message: "The path is not valid percent-encoding.", code: "INVALID_PATH" });
  }
  if (hit.result === 405) return json(405, { error: "method_not_allowed", message: `${ctx.method} is not allowed here.`, code: "METHOD_NOT_ALLOWED" }, { allow: (hit.allow ?? []).join(", ") });
  if (hit.fn) {
    const project = ctx.state.projects.get(release.projectId);
    const fn = functionsOf(ctx.state, project.id).get(hit.fn);
    if (!fn) return json(502, { error: "function_missing", message: `Function ${hit.fn} is not deployed.`, code: "FUNCTION_NOT_FOUND" });
    const headers = Object.entries(ctx.headers).filter(([k]) => !HOP_BY_HOP.has(k)).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]);
    const hasBody = !["GET", "HEAD"].includes(ctx.method) && ctx.rawBody.length > 0;
    const request = { method: ctx.method, url: `${ctx.baseUrl}${ctx.rawUrl}`, headers, body: hasBody ? ctx.rawBody : null };
    return (await runFunction(ctx, project, fn, request)).reply;
  }
  if (!hit.file) return notFound(`Nothing at ${m[2]}.`);
  const bytes = presentBytes(deployState(ctx.state), release.projectId, hit.static_sha256);
  if (!bytes) return notFound(`The bytes of ${hit.file} are gone.`);
  const etag = `"${hit.static_sha256}"`;
  // Browsers on another origin (the runtime matrix's Chromium) may read the ETag too.
  const headers = { "content-type": hit.content_type, etag, "cache-control": hit.cache_policy, "x-run402-release-id": release.id, "access-control-expose-headers": "etag, x-run402-release-id" };
  if ((ctx.headers["if-none-match"] ?? "").split(/\s*,\s*/).includes(etag)) return { status: 304, headers, body: null };
  return { status: 200, headers, body: ctx.method === "HEAD" ? null : bytes };
}
