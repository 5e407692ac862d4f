// ReleaseSpec checks on the gateway side (contract §3.2, §3.10): the
// normalized spec the SDK sends (ContentRefs, not bytes). A bad spec is a
// 400 INVALID_SPEC naming the resource and the field to fix. Also the
// translation of the published 3.3.3 client's snake_case spec (§6 "Deploy")
// into this one, so /apply/v1/* runs the same handlers.

import { checkSubdomainName } from "../routes/routing.mjs";
import { HttpError } from "../http-util.mjs";
import { deployFail } from "./store.mjs";

const TOP = ["project", "base", "database", "secrets", "functions", "site", "subdomains", "routes", "checks"];
const SECRET_KEY = /^[A-Z_][A-Z0-9_]{0,127}$/;
const FUNCTION_NAME = /^[a-z0-9][a-z0-9_-]{0,127}$/;
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const SHA256 = /^[0-9a-f]{64}$/;

function invalid(message, path, resource = path.split(".")[0]) {
  deployFail(400, "INVALID_SPEC", message, { phase: "plan", resource, fix: { action: "set_field", path } });
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function only(value, allowed, path) {
  if (!isObject(value)) invalid(`${path} must be an object.`, path);
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length) invalid(`Unknown field ${path}.${unknown[0]}; allowed: ${allowed.join(", ")}.`, `${path}.${unknown[0]}`);
}

/** A wire ContentRef `{sha256, size, contentType?, integrity?}`. */
export function checkRef(ref, path) {
  only(ref, ["sha256", "size", "contentType", "integrity"], path);
  if (typeof ref.sha256 !== "string" || !SHA256.test(ref.sha256)) invalid(`${path}.sha256 must be 64 lower-case hex digits.`, `${path}.sha256`);
  if (!Number.isSafeInteger(ref.size) || ref.size < 0) invalid(`${path}.size must be a non-negative integer.`, `${path}.size`);
  if (ref.contentType !== undefined && typeof ref.contentType !== "string") invalid(`${path}.contentType must be a string.`, `${path}.contentType`);
  return { sha256: ref.sha256, size: ref.size, contentType: ref.contentType ?? "application/octet-stream" };
}

/** A site or function file path: relative, no empty, "." or ".." segments, no "?", "#" or "\". */
function checkFilePath(p, path) {
  if (p === "" || p.startsWith("/") || p.endsWith("/") || /[?#\\]/.test(p) || p.split("/").some((s) => s === "" || s === "." || s === "..")) {
    invalid(`${path} "${p}" must be a relative file path.`, path);
  }
}

function fileMap(map, path) {
  if (!isObject(map)) invalid(`${path} must map file paths to content refs.`, path);
  const out = new Map();
  for (const [p, ref] of Object.entries(map)) {
    checkFilePath(p, `${path}`);
    out.set(p, checkRef(ref, `${path}.${p}`));
  }
  return out;
}

function stringList(value, path, pattern) {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || (pattern && !pattern.test(v)))) invalid(`${path} must be an array of names.`, path);
  if (new Set(value).size !== value.length) invalid(`${path} lists a name twice.`, path);
  return value;
}

function checkFunction(fn, path) {
  only(fn, ["runtime", "source", "files", "entrypoint", "config", "schedule"], path);
  if (fn.runtime !== undefined && fn.runtime !== "node22") invalid(`${path}.runtime must be "node22".`, `${path}.runtime`);
  const source = fn.source === undefined ? null : checkRef(fn.source, `${path}.source`);
  const files = fn.files === undefined ? null : fileMap(fn.files, `${path}.files`);
  if (!source && !files) invalid(`${path} needs source or files.`, `${path}.source`);
  if (fn.entrypoint !== undefined && (typeof fn.entrypoint !== "string" || !files?.has(fn.entrypoint))) invalid(`${path}.entrypoint must name one of its files.`, `${path}.entrypoint`);
  const config = fn.config ?? {};
  only(config, ["timeoutSeconds", "memoryMb"], `${path}.config`);
  for (const k of ["timeoutSeconds", "memoryMb"]) {
    if (config[k] !== undefined && !(Number.isSafeInteger(config[k]) && config[k] > 0)) invalid(`${path}.config.${k} must be a positive integer.`, `${path}.config.${k}`);
  }
  if (fn.schedule !== undefined && fn.schedule !== null && typeof fn.schedule !== "string") invalid(`${path}.schedule must be a cron string or null.`, `${path}.schedule`);
  return {
    runtime: "node22",
    source,
    files,
    entrypoint: fn.entrypoint ?? (files ? (files.has("index.mjs") ? "index.mjs" : files.has("index.js") ? "index.js" : [...files.keys()][0]) : null),
    timeoutSeconds: config.timeoutSeconds ?? 10,
    memoryMb: config.memoryMb ?? 128,
    schedule: fn.schedule ?? null,
  };
}

function functionMap(map, path) {
  if (!isObject(map)) invalid(`${path} must map function names to functions.`, path);
  const out = new Map();
  for (const [name, fn] of Object.entries(map)) {
    if (!FUNCTION_NAME.test(name)) invalid(`Function name "${name}" must be 1-128 characters of a-z, 0-9, _ and -.`, `${path}.${name}`);
    out.set(name, checkFunction(fn, `${path}.${name}`));
  }
  return out;
}

function checkRoutes(routes) {
  if (routes === null) return [];
  only(routes, ["replace"], "routes");
  if (!Array.isArray(routes.replace)) invalid("routes.replace must be an array.", "routes.replace");
  return routes.replace.map((r, i) => {
    const path = `routes.replace[${i}]`;
    only(r, ["pattern", "methods", "target"], path);
    if (typeof r.pattern !== "string" || !r.pattern.startsWith("/") || (r.pattern.includes("*") && !r.pattern.endsWith("/*")) || r.pattern.indexOf("*") !== r.pattern.lastIndexOf("*")) {
      invalid(`${path}.pattern must be an exact path or end with "/*".`, `${path}.pattern`);
    }
    let methods = null;
    if (r.methods !== undefined) {
      if (!Array.isArray(r.methods) || r.methods.length === 0 || r.methods.some((m) => !METHODS.includes(m)) || new Set(r.methods).size !== r.methods.length) {
        invalid(`${path}.methods must be distinct methods from ${METHODS.join(" ")}.`, `${path}.methods`);
      }
      methods = [...r.methods];
    }
    const t = r.target;
    if (isObject(t) && t.type === "function") {
      only(t, ["type", "name"], `${path}.target`);
      if (typeof t.name !== "string" || !FUNCTION_NAME.test(t.name)) invalid(`${path}.target.name must be a function name.`, `${path}.target.name`);
    } else if (isObject(t) && t.type === "static") {
      only(t, ["type", "file"], `${path}.target`);
      if (typeof t.file !== "string") invalid(`${path}.target.file must be a file path.`, `${path}.target.file`);
      checkFilePath(t.file, `${path}.target.file`);
      if (r.pattern.includes("*")) invalid(`${path}: a static route needs an exact pattern.`, `${path}.pattern`);
      const m = methods ?? ["GET"];
      if (!(m.length === 1 && m[0] === "GET") && !(m.length === 2 && m.includes("GET") && m.includes("HEAD"))) invalid(`${path}: a static route serves GET (and HEAD) only.`, `${path}.methods`);
    } else {
      invalid(`${path}.target must be {type:"function", name} or {type:"static", file}.`, `${path}.target`);
    }
    const prefix = r.pattern.endsWith("/*") ? r.pattern.slice(0, -1) : null;
    return { pattern: r.pattern, kind: prefix === null ? "exact" : "prefix", prefix, methods, target: { ...t } };
  });
}

/**
 * Checks a wire spec and returns its normalized form: `{project, base, site,
 * functions, secrets, subdomains, routes, migrations, expose, checks}` with
 * Maps for file and function sets; each absent section is undefined.
 */
export function checkSpec(spec) {
  if (!isObject(spec)) invalid("spec must be an object.", "spec", "spec");
  const unknown = Object.keys(spec).filter((k) => !TOP.includes(k));
  if (unknown.length) invalid(`Unknown spec field ${unknown[0]}; allowed: ${TOP.join(", ")}.`, unknown[0]);
  if (typeof spec.project !== "string" || spec.project === "") invalid("spec.project must be a project id.", "project");
  const out = { project: spec.project };

  if (spec.base !== undefined) {
    const b = spec.base;
    const ok = isObject(b) && ((Object.keys(b).length === 1 && (b.release === "current" || b.release === "empty")) || (Object.keys(b).length === 1 && typeof b.release_id === "string"));
    if (!ok) invalid('base must be {release: "current" | "empty"} or {release_id}.', "base");
    out.base = { ...b };
  }

  if (spec.database !== undefined) {
    only(spec.database, ["migrations", "expose", "zero_downtime"], "database");
    const m = spec.database.migrations ?? [];
    if (!Array.isArray(m)) invalid("database.migrations must be an array.", "database.migrations");
    const seen = new Set();
    out.migrations = m.map((mig, i) => {
      const path = `database.migrations[${i}]`;
      only(mig, ["id", "checksum", "sql_ref", "transaction"], path);
      if (typeof mig.id !== "string" || mig.id === "") invalid(`${path}.id must be a non-empty string.`, `${path}.id`);
      if (seen.has(mig.id)) invalid(`Migration ${mig.id} is listed twice.`, `${path}.id`);
      seen.add(mig.id);
      const sqlRef = checkRef(mig.sql_ref, `${path}.sql_ref`);
      if (mig.checksum !== undefined && typeof mig.checksum !== "string") invalid(`${path}.checksum must be a string.`, `${path}.checksum`);
      if (mig.transaction !== undefined && mig.transaction !== "required" && mig.transaction !== "none") invalid(`${path}.transaction must be "required" or "none".`, `${path}.transaction`);
      return { id: mig.id, checksum: mig.checksum ?? sqlRef.sha256, sqlRef, transaction: mig.transaction ?? "required" };
    });
    if (spec.database.expose !== undefined && !isObject(spec.database.expose)) invalid("database.expose must be an object.", "database.expose");
    out.expose = spec.database.expose;
  }

  if (spec.secrets !== undefined) {
    only(spec.secrets, ["require", "delete"], "secrets");
    const require = stringList(spec.secrets.require, "secrets.require", SECRET_KEY) ?? [];
    const del = stringList(spec.secrets.delete, "secrets.delete", SECRET_KEY) ?? [];
    if (require.some((k) => del.includes(k))) invalid("secrets.require and secrets.delete overlap.", "secrets.delete");
    out.secrets = { require, delete: del };
  }

  if (spec.functions !== undefined) {
    only(spec.functions, ["replace", "patch"], "functions");
    if (spec.functions.replace !== undefined && spec.functions.patch !== undefined) invalid("functions takes replace or patch, not both.", "functions.patch");
    if (spec.functions.replace !== undefined) out.functions = { replace: functionMap(spec.functions.replace, "functions.replace") };
    else if (spec.functions.patch !== undefined) {
      only(spec.functions.patch, ["set", "delete"], "functions.patch");
      out.functions = {
        set: spec.functions.patch.set === undefined ? new Map() : functionMap(spec.functions.patch.set, "functions.patch.set"),
        delete: stringList(spec.functions.patch.delete, "functions.patch.delete", FUNCTION_NAME) ?? [],
      };
    }
  }

  if (spec.site !== undefined) {
    only(spec.site, ["replace", "patch", "public_paths"], "site");
    if (spec.site.replace !== undefined && spec.site.patch !== undefined) invalid("site takes replace or patch, not both.", "site.patch");
    if (spec.site.replace !== undefined) out.site = { replace: fileMap(spec.site.replace, "site.replace") };
    else if (spec.site.patch !== undefined) {
      only(spec.site.patch, ["put", "delete"], "site.patch");
      const del = spec.site.patch.delete ?? [];
      if (!Array.isArray(del) || del.some((p) => typeof p !== "string")) invalid("site.patch.delete must be an array of paths.", "site.patch.delete");
      out.site = { put: spec.site.patch.put === undefined ? new Map() : fileMap(spec.site.patch.put, "site.patch.put"), delete: del };
    }
    if (spec.site.public_paths !== undefined && !isObject(spec.site.public_paths)) invalid("site.public_paths must be an object.", "site.public_paths");
  }

  if (spec.subdomains !== undefined) {
    only(spec.subdomains, ["set", "add", "remove"], "subdomains");
    const lists = {};
    for (const k of ["set", "add", "remove"]) {
      lists[k] = stringList(spec.subdomains[k], `subdomains.${k}`);
      for (const name of lists[k] ?? []) {
        try {
          checkSubdomainName(name);
        } catch (err) {
          if (err instanceof HttpError) invalid(`subdomains.${k}: ${err.body.message}`, `subdomains.${k}`);
          throw err;
        }
      }
    }
    if ((lists.set?.length ?? 0) > 1) deployFail(400, "SUBDOMAIN_MULTI_NOT_SUPPORTED", "subdomains.set takes at most one name.", { phase: "plan", resource: "subdomains", fix: { action: "set_field", path: "subdomains.set" } });
    out.subdomains = lists;
  }

  if ("routes" in spec) out.routes = checkRoutes(spec.routes);
  if (spec.checks !== undefined && !Array.isArray(spec.checks)) invalid("checks must be an array.", "checks");
  out.checks = spec.checks;
  return out;
}

// ── The 3.3.3 client's snake_case spec (/apply/v1) ──

export function refFromApply(ref) {
  if (!isObject(ref)) return ref;
  const { content_type, ...rest } = ref;
  return content_type === undefined ? rest : { ...rest, contentType: content_type };
}

const filesFromApply = (map) => (isObject(map) ? Object.fromEntries(Object.entries(map).map(([p, r]) => [p, refFromApply(r)])) : map);

function functionFromApply(fn) {
  if (!isObject(fn)) return fn;
  const out = { ...fn };
  if (fn.source !== undefined) out.source = refFromApply(fn.source);
  if (fn.files !== undefined) out.files = filesFromApply(fn.files);
  if (isObject(fn.config)) {
    const { timeout_seconds, memory_mb, ...rest } = fn.config;
    out.config = { ...rest, ...(timeout_seconds !== undefined ? { timeoutSeconds: timeout_seconds } : {}), ...(memory_mb !== undefined ? { memoryMb: memory_mb } : {}) };
  }
  return out;
}

const functionsFromApply = (map) => (isObject(map) ? Object.fromEntries(Object.entries(map).map(([n, f]) => [n, functionFromApply(f)])) : map);

/** The 3.3.3 wire spec (project_id, content_type, timeout_seconds, memory_mb) in this version's names. */
export function specFromApply(spec) {
  if (!isObject(spec)) return spec;
  const { project_id, ...rest } = spec;
  const out = { ...rest };
  if (project_id !== undefined) out.project = project_id;
  if (isObject(spec.site)) {
    out.site = { ...spec.site };
    if (spec.site.replace !== undefined) out.site.replace = filesFromApply(spec.site.replace);
    if (isObject(spec.site.patch)) out.site.patch = { ...spec.site.patch, ...(spec.site.patch.put !== undefined ? { put: filesFromApply(spec.site.patch.put) } : {}) };
  }
  if (isObject(spec.functions)) {
    out.functions = { ...spec.functions };
    if (spec.functions.replace !== undefined) out.functions.replace = functionsFromApply(spec.functions.replace);
    if (isObject(spec.functions.patch)) out.functions.patch = { ...spec.functions.patch, ...(spec.functions.patch.set !== undefined ? { set: functionsFromApply(spec.functions.patch.set) } : {}) };
  }
  if (isObject(spec.database) && Array.isArray(spec.database.migrations)) {
    out.database = { ...spec.database, migrations: spec.database.migrations.map((m) => (isObject(m) && m.sql_ref !== undefined ? { ...m, sql_ref: refFromApply(m.sql_ref) } : m)) };
  }
  return out;
}
