// `@run402/sdk-wasm/node` (Node, Bun, Deno): zero-config use from the run402
// CLI's own files. `run402()` takes its gateway from RUN402_API_BASE and its
// credentials from the CLI's keystore and allowance (cli-files.js); sign-in
// and payments are signed in wasm, as from every other entry. Its clients'
// `sites` also have `deployDir`, over `fileSetFromDir` (node-files.js).
// The package by its own name, not a file: Deno and Bun resolve the main
// entry to entry-web.js (one bundled file), and this must share its classes
// and its wasm instance with what the caller imported.
import { readFile } from "node:fs/promises";
import { Run402, allowanceCredentials, installFileReader, LocalError, signCiDelegation as signDelegation } from "@run402/sdk-wasm";
import { fileSetFromDir } from "./node-files.js";
import { env, locate, projectKeys, activeProjectId, saveProjectKeys, updateProjectKeys, removeProjectKeys, setActiveProjectId, readAllowanceFile, writeAllowanceFile } from "./cli-files.js";

export * from "@run402/sdk-wasm";
export { fileSetFromDir };

// fs-file deploy sources (fileSetFromDir's) are read from disk when the
// deploy hashes and uploads them, by any client of this package.
installFileReader(async (path) => {
  const bytes = await readFile(path);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
});

const DEFAULT_API_BASE = "https://api.run402.com";
const CONSTRUCTING = "constructing client";
const CREDENTIALS = "using the run402 config files";
const DEPLOYING_DIR = "deploying site directory";

/** Reads the named option fields once (a throwing getter becomes a LocalError). */
function fieldsOf(opts, names, what) {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== "object") throw new LocalError(`${what} options must be an object`, CONSTRUCTING);
  try {
    const out = {};
    for (const name of names) if (opts[name] !== undefined) out[name] = opts[name];
    return out;
  } catch (e) {
    throw new LocalError(`${what} could not read its options`, CONSTRUCTING, e);
  }
}

function pathOption(fields, name) {
  const v = fields[name];
  if (v !== undefined && (typeof v !== "string" || v === "")) {
    throw new LocalError(`fileCredentials: ${name} must be a non-empty string`, CONSTRUCTING);
  }
  return v;
}

function projectId(id) {
  if (typeof id !== "string" || id === "") throw new LocalError("A project id must be a non-empty string", CREDENTIALS);
  return id;
}

function record(v, what) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new LocalError(`${what} must be an object`, CREDENTIALS);
  return v;
}

/**
 * A credentials provider over the CLI's files: project keys and the active
 * project in projects.json, the wallet in allowance.json (sign-in and
 * payments from it, signed in wasm). Paths are resolved on every call, so
 * RUN402_CONFIG_DIR, RUN402_ALLOWANCE_PATH and RUN402_WALLET changes are
 * seen; `configDir`, `keystorePath` and `allowancePath` pin them.
 */
export function fileCredentials(opts) {
  const fields = fieldsOf(opts, ["configDir", "keystorePath", "allowancePath"], "fileCredentials");
  const files = locate({
    configDir: pathOption(fields, "configDir"),
    keystorePath: pathOption(fields, "keystorePath"),
    allowancePath: pathOption(fields, "allowancePath"),
  });
  // Sign-in and the wallet come from the existing allowance provider; a new
  // wallet is made in wasm (no createAllowance) and saved here.
  const provider = allowanceCredentials({
    readAllowance: () => readAllowanceFile(files.allowance()),
    saveAllowance: (data) => writeAllowanceFile(files.allowance(), data),
    getProject: (id) => projectKeys(files.keystore(), projectId(id)),
  });
  return Object.assign(provider, {
    saveProject: (id, keys) => saveProjectKeys(files.keystore(), projectId(id), record(keys, "The project's keys")),
    updateProject: (id, patch) => updateProjectKeys(files.keystore(), projectId(id), record(patch, "The project update")),
    removeProject: (id) => removeProjectKeys(files.keystore(), projectId(id)),
    setActiveProject: (id) => setActiveProjectId(files.keystore(), projectId(id)),
    getActiveProject: () => activeProjectId(files.keystore()),
    getAllowancePath: () => files.allowance(),
  });
}

/**
 * RUN402_API_BASE, else the public gateway. Like the CLI: an empty value is
 * a warning (usually a templating slip) and the default; anything but an
 * http(s) URL is an error that names the variable.
 */
function apiBaseFromEnv() {
  const raw = env("RUN402_API_BASE");
  if (raw === undefined) return DEFAULT_API_BASE;
  if (raw === "") {
    console.warn(`@run402/sdk-wasm: RUN402_API_BASE is set but empty; using ${DEFAULT_API_BASE}`);
    return DEFAULT_API_BASE;
  }
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new LocalError(`RUN402_API_BASE is not a URL: ${JSON.stringify(raw)} (expected e.g. ${DEFAULT_API_BASE})`, CONSTRUCTING);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new LocalError(`RUN402_API_BASE must be an http(s) URL, got ${JSON.stringify(raw)}`, CONSTRUCTING);
  }
  return raw;
}

/**
 * A client with the CLI's defaults: `apiBase` from RUN402_API_BASE (else
 * https://api.run402.com), credentials from `fileCredentials({ configDir,
 * keystorePath, allowancePath })`. Any `Run402` option may be passed and wins.
 */
export function run402(opts) {
  const fields = fieldsOf(opts, ["apiBase", "credentials", "fetch", "payments", "timeoutMs", "configDir", "keystorePath", "allowancePath"], "run402");
  const { configDir, keystorePath, allowancePath, ...clientOptions } = fields;
  clientOptions.apiBase ??= apiBaseFromEnv();
  clientOptions.credentials ??= fileCredentials({ configDir, keystorePath, allowancePath });
  return withDeployDir(new Run402(clientOptions));
}

/** Gives a client's `sites` the Node-only `deployDir` (a method like the generated ones: own, not enumerable). */
function withDeployDir(r) {
  const deployDir = { deployDir: (opts) => deploySiteDir(r, opts) }.deployDir;
  Object.defineProperty(r.sites, "deployDir", { value: deployDir, writable: true, configurable: true });
  return r;
}

/** `sites.deployDir`'s options, read once. */
function deployDirOptions(opts) {
  if (opts === null || typeof opts !== "object") {
    throw new LocalError("sites.deployDir needs an options object: { project, dir, onEvent? }", DEPLOYING_DIR);
  }
  let fields;
  try {
    const { project, dir, target, onEvent, signal, timeoutMs } = opts;
    fields = { project, dir, target, onEvent, signal, timeoutMs };
  } catch (e) {
    throw new LocalError("sites.deployDir could not read its options", DEPLOYING_DIR, e);
  }
  if (fields.target !== undefined) {
    // Deploy v2 has no target labels: refused rather than silently ignored.
    throw new LocalError("sites.deployDir: `target` is not supported by deploy v2; leave it out (the release goes live on the project)", DEPLOYING_DIR);
  }
  if (typeof fields.project !== "string" || fields.project === "") {
    throw new LocalError("sites.deployDir: project must be a non-empty project id", DEPLOYING_DIR);
  }
  if (typeof fields.dir !== "string" || fields.dir === "") {
    throw new LocalError("sites.deployDir: dir must be a non-empty path", DEPLOYING_DIR);
  }
  if (fields.onEvent !== undefined && typeof fields.onEvent !== "function") {
    throw new LocalError("sites.deployDir: onEvent must be a function", DEPLOYING_DIR);
  }
  return fields;
}

const text = (v) => (typeof v === "string" ? v : undefined);

/**
 * Deploys every file under `dir` as the project's whole site: fileSetFromDir
 * (files are read while the deploy hashes and uploads them), then
 * deploy.apply({ project, site: { replace } }). Resolves to the reference's
 * SiteDeployResult: the deployment id, the live URL and, when the plan's
 * diff reports them, the bytes uploaded and in total.
 */
async function deploySiteDir(r, opts) {
  const { project, dir, onEvent, signal, timeoutMs } = deployDirOptions(opts);
  const replace = await fileSetFromDir(dir);
  const applyOptions = {};
  if (onEvent !== undefined) applyOptions.onEvent = onEvent;
  if (signal !== undefined) applyOptions.signal = signal;
  if (timeoutMs !== undefined) applyOptions.timeoutMs = timeoutMs;
  const result = await r.deploy.apply({ project, site: { replace } }, applyOptions);
  const urls = result.urls ?? {};
  const out = {
    deployment_id: text(urls.deployment_id) ?? result.release_id,
    url: text(urls.project) ?? text(urls.site) ?? "",
  };
  const assets = result.diff?.static_assets;
  if (typeof assets?.newly_uploaded_cas_bytes === "number" && typeof assets.reused_cas_bytes === "number") {
    out.bytes_uploaded = assets.newly_uploaded_cas_bytes;
    out.bytes_total = assets.newly_uploaded_cas_bytes + assets.reused_cas_bytes;
  }
  return out;
}

/**
 * signCiDelegation with the CLI's defaults, as the reference's Node entry
 * has it: the wallet in allowance.json (or `allowancePath`) unless
 * `allowance` is given, the gateway from RUN402_API_BASE unless `apiBase` is.
 */
export function signCiDelegation(values, opts) {
  const names = ["allowance", "allowancePath", "apiBase", "chainId", "issuedAt", "expirationTime", "nonce"];
  const { allowancePath, ...fields } = fieldsOf(opts, names, "signCiDelegation");
  if (fields.allowance === undefined) {
    const wallet = readAllowanceFile(pathOption({ allowancePath }, "allowancePath") ?? locate().allowance());
    if (wallet === null) {
      throw new LocalError("No allowance is configured: run `run402 allowance create` (or pass opts.allowance) before linking CI", "signing CI delegation");
    }
    fields.allowance = wallet;
  }
  fields.apiBase ??= apiBaseFromEnv();
  return signDelegation(values, fields);
}
