// `apps.bundleDeploy`, the seed's legacy one-call deploy, as a reshaping of
// the caller's bundle into a ReleaseSpec (the reference's mapping, `apps.ts`
// before 1.67.1 removed it): migrations under an id derived from their SQL,
// `rls` as an expose manifest, functions and site files as `replace` maps,
// the subdomain as `subdomains.set`. Secret values never go into the spec:
// they are handed back to be written first, and the spec only requires their
// keys. Fields are read the way the wasm reads host values (js/host.js), so a
// bundle means what it meant when Rust read it.
import { describeThrown, fieldOf, itemOf, kindOf, lengthOf } from "./host.js";
import { LocalError, Run402DeployError } from "./errors.js";

const TRANSLATING = "translating bundle to release spec";
const CHECKING_SECRETS = "validating bundle deploy secrets";
/** The gateway's limit on a secret's value, in UTF-8 bytes. */
const MAX_SECRET_BYTES = 4096;
const UNRESTRICTED = "public_read_write_UNRESTRICTED";
const SECRET_KEY = /^[A-Z_][A-Z0-9_]{0,127}$/;
// Rust's `str::trim` set (Unicode White_Space): U+0085 is in it, U+FEFF is not.
const BLANK = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;
const OBJECT = 6;
const ARRAY = 5;
const STRING = 4;

const isNullish = (v) => v === undefined || v === null;
const str = (v) => (typeof v === "string" ? v : undefined);

/** Sets an own property, so a key like `__proto__` is a key, as in the JSON sent. */
function put(obj, key, value) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  return obj;
}

/** `INVALID_SPEC` for a bundle field, as the reference raises it. */
function invalid(context, resource, message) {
  return new Run402DeployError(message, {
    code: "INVALID_SPEC", phase: "validate", resource, retryable: false, context, fix: { action: "set_field", path: resource },
  });
}

/** A translator's refusals: `apps.bundleDeploy: …` LocalErrors in the method's context. */
function refuser(context) {
  return (message) => new LocalError(`apps.bundleDeploy: ${message}`, context);
}

/** An array's items as the wasm lists them; none for anything else. */
function itemsOf(v) {
  if (kindOf(v) !== ARRAY) return [];
  const out = [];
  for (let i = 0, n = lengthOf(v); i < n; i++) out.push(itemOf(v, i));
  return out;
}

/** An optional array field's items (absent, `undefined` or `null`: none). */
function items(error, opts, name) {
  const v = fieldOf(opts, name);
  if (isNullish(v)) return [];
  if (kindOf(v) === ARRAY) return itemsOf(v);
  throw error(`\`opts.${name}\` must be an array`);
}

/** A required string field of an entry of `list`. */
function text(error, entry, list, field) {
  const v = fieldOf(entry, field);
  if (typeof v === "string") return v;
  throw error(`each \`opts.${list}\` entry needs a string \`${field}\``);
}

/** The legacy secrets, all checked before any is written (a value is never quoted, not even its size). */
function secrets(error, opts) {
  const out = [];
  for (const entry of items(error, opts, "secrets")) {
    const key = str(fieldOf(entry, "key"));
    if (key === undefined || !SECRET_KEY.test(key)) {
      throw invalid(CHECKING_SECRETS, "secrets", "bundleDeploy: each secret needs a `key` matching ^[A-Z_][A-Z0-9_]{0,127}$");
    }
    if (out.some(([k]) => k === key)) throw invalid(CHECKING_SECRETS, "secrets", `bundleDeploy: secret ${key} is given twice`);
    const value = fieldOf(entry, "value");
    if (typeof value !== "string") throw invalid(CHECKING_SECRETS, `secrets.${key}`, `bundleDeploy: secret ${key} needs a string \`value\``);
    if (new TextEncoder().encode(value).length > MAX_SECRET_BYTES) {
      throw invalid(CHECKING_SECRETS, `secrets.${key}`, `bundleDeploy: secret ${key}'s value is over ${MAX_SECRET_BYTES} UTF-8 bytes`);
    }
    out.push([key, value]);
  }
  return out;
}

/**
 * `rls: { template, tables: [{ table, owner_column? }], i_understand_this_is_unrestricted? }`
 * as an expose manifest (version "1"): each table exposed under the template.
 */
function expose(error, rls) {
  const tables = kindOf(rls) === OBJECT ? fieldOf(rls, "tables") : undefined;
  if (kindOf(tables) !== ARRAY) throw invalid(TRANSLATING, "rls", "bundleDeploy: `opts.rls` must be { template, tables: [...] }");
  const template = str(fieldOf(rls, "template"));
  if (template === undefined) throw error("`opts.rls.template` must be a string");
  const unrestricted = template === UNRESTRICTED && fieldOf(rls, "i_understand_this_is_unrestricted") === true;
  const out = [];
  for (const t of itemsOf(tables)) {
    const entry = { name: text(error, t, "rls.tables", "table"), expose: true, policy: template };
    const owner = str(fieldOf(t, "owner_column"));
    if (owner) entry.owner_column = owner;
    if (unrestricted) entry.i_understand_this_is_unrestricted = true;
    out.push(entry);
  }
  return { version: "1", tables: out, views: [], rpcs: [] };
}

/** `functions: [{ name, code, config?: { timeout?, memory? }, schedule? }]` as `functions.replace` (runtime node22). */
function functions(error, opts) {
  const list = items(error, opts, "functions");
  if (list.length === 0) return undefined;
  const replace = {};
  for (const f of list) {
    const name = text(error, f, "functions", "name");
    const spec = { runtime: "node22", source: text(error, f, "functions", "code") };
    const config = fieldOf(f, "config");
    if (kindOf(config) === OBJECT) {
      spec.config = {};
      for (const [from, to] of [["timeout", "timeoutSeconds"], ["memory", "memoryMb"]]) {
        const n = fieldOf(config, from);
        if (typeof n === "number") spec.config[to] = n;
      }
    }
    const schedule = fieldOf(f, "schedule");
    if (schedule === null) spec.schedule = null;
    else if (schedule !== undefined) spec.schedule = schedule;
    put(replace, name, spec);
  }
  return { replace };
}

/**
 * `files: [{ file, data, encoding? }]` as `site.replace`. Base64 data that is
 * UTF-8 text goes as text; other bytes as a Uint8Array, a byte source like
 * any other to the deploy engine.
 */
function site(error, opts) {
  const list = items(error, opts, "files");
  if (list.length === 0) return undefined;
  const replace = {};
  for (const f of list) {
    const path = text(error, f, "files", "file");
    const data = text(error, f, "files", "data");
    const encoding = str(fieldOf(f, "encoding"));
    let content = data;
    if (encoding === "base64") {
      const bytes = unbase64(data);
      if (typeof bytes === "string") throw error(`file ${path}: base64 data: ${bytes}`);
      content = utf8(bytes) ?? bytes;
    } else if (encoding !== undefined && encoding !== "utf-8") {
      throw error(`file ${path}: \`encoding\` must be "utf-8" or "base64"`);
    }
    put(replace, path, content);
  }
  return { replace };
}

/** The bytes as text if they are UTF-8 (a BOM kept as U+FEFF), else undefined. */
function utf8(bytes) {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Standard or URL-safe base64, padded or not, no whitespace: the bytes, or why not (a string). */
function unbase64(s) {
  const body = s.replace(/=+$/, "");
  if (/[^A-Za-z0-9+/_-]/.test(body)) return "not base64";
  // Six bits left over cannot be a byte; atob refuses them too, without saying so.
  if (body.length % 4 === 1) return "truncated base64";
  return Uint8Array.from(atob(body.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
}

/**
 * The bundle's options as `{ spec, secrets }` for `project`, `secrets` as
 * `[key, value]` pairs. Rejects with a LocalError for a malformed option and
 * a Run402DeployError `INVALID_SPEC` for a malformed `rls` or secret, as the
 * reference raises them. `inherit` is ignored, as the reference ignores it:
 * a site patch is how a deploy keeps earlier files now. `sha256Hex(text)`
 * resolves to a migration's checksum (the member's Rust `hash` step).
 */
export async function translate(project, opts, context, sha256Hex) {
  const spec = { project };
  if (isNullish(opts)) return { spec, secrets: [] };
  const error = refuser(context);
  const m = fieldOf(opts, "migrations");
  const sql = isNullish(m) ? undefined : str(m);
  if (!isNullish(m) && sql === undefined) throw error("`opts.migrations` must be a string of SQL");
  const rls = fieldOf(opts, "rls");
  if (sql !== undefined || !isNullish(rls)) {
    const database = {};
    if (sql !== undefined && !BLANK.test(sql)) {
      // Re-shipping the same SQL is then a no-op for the migration registry.
      const sum = await sha256Hex(sql);
      database.migrations = [{ id: `bundle_legacy_${sum.slice(0, 16)}`, checksum: sum, sql }];
    }
    if (!isNullish(rls)) database.expose = expose(error, rls);
    spec.database = database;
  }
  const pairs = secrets(error, opts);
  if (pairs.length > 0) spec.secrets = { require: pairs.map(([k]) => k) };
  const fns = functions(error, opts);
  if (fns !== undefined) spec.functions = fns;
  const files = site(error, opts);
  if (files !== undefined) spec.site = files;
  const sub = fieldOf(opts, "subdomain");
  if (!isNullish(sub)) {
    if (typeof sub !== "string") throw error("`opts.subdomain` must be a string");
    if (sub !== "") spec.subdomains = { set: [sub] };
  }
  // The functions' config and schedule are the caller's values: sent as
  // their JSON (NaN as null, a function dropped), and validated as such.
  if (fns !== undefined) {
    try {
      spec.functions = JSON.parse(JSON.stringify(fns));
    } catch (e) {
      throw new LocalError(describeThrown(e), TRANSLATING);
    }
  }
  return { spec, secrets: pairs };
}

/** The deploy's result in the legacy shape: `project_id`, and `site_url`, `deployment_id`, `subdomain_url`, `functions`, `warnings` when present. */
export function reshape(project, result) {
  const out = { project_id: project };
  const urls = fieldOf(result, "urls");
  if (kindOf(urls) === OBJECT) {
    for (const [from, to] of [["site", "site_url"], ["deployment_id", "deployment_id"], ["subdomain", "subdomain_url"]]) {
      const v = fieldOf(urls, from);
      if (typeof v === "string" && v !== "") out[to] = v;
    }
    // A structured list arrives as the JSON text of an array.
    const fns = fieldOf(urls, "functions");
    if (fns !== undefined) {
      try {
        const list = JSON.parse(fns);
        if (Array.isArray(list)) out.functions = list;
      } catch {
        // not a list: left out
      }
    }
  }
  const warnings = fieldOf(result, "warnings");
  if (Array.isArray(warnings) && warnings.length > 0) out.warnings = warnings;
  return out;
}
