// GitHub Actions OIDC at the package root (contract §1.20, §5): the
// delegation helpers, whose checks, canonical text and signature live in
// wasm (src/namespaces/ci/delegation.rs), and the CI credential providers,
// which are plain provider objects over this SDK's own ci.exchangeToken.
import { ciDelegation } from "./run402_sdk_wasm.js";
import { privateKeyOf } from "./allowance.js";
import { LocalError, NetworkError, makeError } from "./errors.js";

export const CI_GITHUB_ACTIONS_PROVIDER = "github-actions";
export const V1_CI_ALLOWED_ACTIONS = Object.freeze(["deploy"]);
export const V1_CI_ALLOWED_EVENTS_DEFAULT = Object.freeze(["push", "workflow_dispatch"]);

// The reference's marker, so code that checks for CI credentials (its deploy
// guard, and ours when deploy lands) recognizes providers from either SDK.
const CI_SESSION_CREDENTIALS = Symbol.for("@run402/sdk/ci-session-credentials");
const PUBLIC_API = "https://api.run402.com";
const SIGNING = "signing CI delegation";
const SESSION = "creating CI session credentials";
const GITHUB = "creating GitHub Actions CI credentials";
const OIDC = "requesting GitHub Actions OIDC token";
const SIGN_IN_LIFETIME_MS = 5 * 60 * 1000;

export function buildCiDelegationStatement(values) {
  return ciDelegation(0, values, undefined, makeError);
}

export function buildCiDelegationResourceUri(values) {
  return ciDelegation(1, values, undefined, makeError);
}

/**
 * The option fields named, read once inside a try (a throwing getter or a
 * revoked Proxy becomes a LocalError), each checked with `check`.
 */
function readOptions(opts, names, what, context) {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== "object") throw new LocalError(`${what} options must be an object`, context);
  const out = {};
  try {
    for (const name of names) if (opts[name] !== undefined) out[name] = opts[name];
  } catch (e) {
    throw new LocalError(`${what} could not read its options`, context, e);
  }
  return out;
}

function optionalString(fields, name, what, context) {
  const v = fields[name];
  if (v !== undefined && (typeof v !== "string" || v === "")) throw new LocalError(`${what}: ${name} must be a non-empty string`, context);
  return v;
}

export function signCiDelegation(values, opts) {
  const o = readOptions(opts, ["allowance", "apiBase", "chainId", "issuedAt", "expirationTime", "nonce"], "signCiDelegation", SIGNING);
  const allowance = o.allowance;
  if (allowance === null || typeof allowance !== "object") {
    throw new LocalError("signCiDelegation needs opts.allowance: the project owner's wallet { address, privateKey }", SIGNING);
  }
  const privateKey = privateKeyOf(allowance, SIGNING);
  const apiBase = optionalString(o, "apiBase", "signCiDelegation", SIGNING) ?? PUBLIC_API;
  // The WHATWG URL parser, as the gateway resolves it: an absolute path
  // replaces any path of apiBase, and the host comes out normalized.
  let bindings;
  try {
    bindings = new URL("/ci/v1/bindings", apiBase);
  } catch {
    throw new LocalError(`signCiDelegation: apiBase is not a URL: ${JSON.stringify(apiBase)}`, SIGNING);
  }
  if (bindings.protocol !== "https:" && bindings.protocol !== "http:") {
    throw new LocalError(`signCiDelegation: apiBase must be an http(s) URL, got ${JSON.stringify(apiBase)}`, SIGNING);
  }
  const now = Date.now();
  const signing = {
    privateKey,
    domain: bindings.hostname,
    uri: bindings.toString(),
    chainId: optionalString(o, "chainId", "signCiDelegation", SIGNING) ?? "eip155:84532",
    nonce: optionalString(o, "nonce", "signCiDelegation", SIGNING),
    issuedAt: optionalString(o, "issuedAt", "signCiDelegation", SIGNING) ?? new Date(now).toISOString(),
    expirationTime: optionalString(o, "expirationTime", "signCiDelegation", SIGNING) ?? new Date(now + SIGN_IN_LIFETIME_MS).toISOString(),
  };
  return ciDelegation(2, values, signing, makeError);
}

export function createCiSessionCredentials(opts) {
  const o = readOptions(opts, ["projectId", "accessToken", "getAccessToken"], "createCiSessionCredentials", SESSION);
  const projectId = o.projectId;
  if (typeof projectId !== "string" || projectId === "") throw new LocalError("createCiSessionCredentials needs projectId", SESSION);
  const { accessToken, getAccessToken } = o;
  if (getAccessToken !== undefined && typeof getAccessToken !== "function") {
    throw new LocalError("createCiSessionCredentials: getAccessToken must be a function", SESSION);
  }
  if (getAccessToken === undefined && (typeof accessToken !== "string" || accessToken === "")) {
    throw new LocalError("createCiSessionCredentials needs accessToken (a string) or getAccessToken()", SESSION);
  }
  const provider = {
    async getAuth() {
      const token = getAccessToken ? await getAccessToken() : accessToken;
      if (typeof token !== "string" || token === "") {
        throw new LocalError("The CI session credentials have no access token", "authenticating with CI session");
      }
      return { Authorization: `Bearer ${token}` };
    },
    // A CI session holds no project keys: the one project it may touch has
    // empty ones, so the SDK knows it and sends only the session bearer.
    async getProject(id) {
      return id === projectId ? { anon_key: "", service_key: "" } : null;
    },
    async getActiveProject() {
      return projectId;
    },
  };
  Object.defineProperty(provider, CI_SESSION_CREDENTIALS, { value: true, enumerable: false });
  return provider;
}

// The token exchange is sent without credentials; this provider is never asked.
const NO_CREDENTIALS = Object.freeze({ getAuth: () => null, getProject: () => null });

/**
 * githubActionsCredentials over a client class (api.js passes `Run402`, so
 * this module does not import api.js, which imports it).
 */
export function githubActionsCredentialsWith(Run402, opts) {
  const names = ["projectId", "apiBase", "audience", "refreshBeforeSeconds", "fetch", "env"];
  const o = readOptions(opts, names, "githubActionsCredentials", GITHUB);
  if (typeof o.projectId !== "string" || o.projectId === "") throw new LocalError("githubActionsCredentials needs projectId", GITHUB);
  const projectId = o.projectId;
  const audience = optionalString(o, "audience", "githubActionsCredentials", GITHUB) ?? PUBLIC_API;
  const refreshBefore = o.refreshBeforeSeconds ?? 60;
  if (typeof refreshBefore !== "number" || !Number.isFinite(refreshBefore)) {
    throw new LocalError("githubActionsCredentials: refreshBeforeSeconds must be a number of seconds", GITHUB);
  }
  const refreshBeforeMs = Math.max(0, refreshBefore) * 1000;
  if (o.fetch !== undefined && typeof o.fetch !== "function") throw new LocalError("githubActionsCredentials: fetch must be a function", GITHUB);
  if (o.env !== undefined && (o.env === null || typeof o.env !== "object")) {
    throw new LocalError("githubActionsCredentials: env must be an object of variables", GITHUB);
  }
  // Built now, so a bad apiBase fails here rather than inside the first call.
  const exchanger = new Run402({
    apiBase: optionalString(o, "apiBase", "githubActionsCredentials", GITHUB) ?? PUBLIC_API,
    credentials: NO_CREDENTIALS,
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  const fetchOidc = o.fetch ?? ((...args) => globalThis.fetch(...args));
  let cached = null;
  let pending = null;

  async function renew() {
    const startedAt = Date.now();
    const subjectToken = await requestOidcToken(fetchOidc, audience, o.env);
    const session = await exchanger.ci.exchangeToken({ project_id: projectId, subject_token: subjectToken });
    const token = session?.access_token;
    const expiresIn = session?.expires_in;
    if (typeof token !== "string" || token === "" || typeof expiresIn !== "number" || !Number.isFinite(expiresIn)) {
      throw new LocalError("The CI token exchange answered without access_token and expires_in", "exchanging CI OIDC token");
    }
    cached = { token, refreshAt: startedAt + Math.max(0, expiresIn * 1000 - refreshBeforeMs) };
    return token;
  }

  return createCiSessionCredentials({
    projectId,
    // Calls made while a renewal is in flight share it: one OIDC request
    // and one exchange however many requests start at once.
    getAccessToken() {
      if (cached && Date.now() < cached.refreshAt) return cached.token;
      pending ??= renew().finally(() => {
        pending = null;
      });
      return pending;
    },
  });
}

/** The variables GitHub sets for a job with `permissions: id-token: write`. */
function oidcVariables(env) {
  try {
    const vars = env ?? globalThis.process?.env ?? {};
    return { url: vars.ACTIONS_ID_TOKEN_REQUEST_URL, token: vars.ACTIONS_ID_TOKEN_REQUEST_TOKEN };
  } catch (e) {
    throw new LocalError("Cannot read the GitHub Actions OIDC variables (Deno needs --allow-env)", OIDC, e);
  }
}

async function requestOidcToken(fetchImpl, audience, env) {
  const { url, token } = oidcVariables(env);
  if (typeof url !== "string" || url === "" || typeof token !== "string" || token === "") {
    throw new LocalError(
      "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set: run inside GitHub Actions with `permissions: id-token: write`",
      OIDC,
    );
  }
  let target;
  try {
    target = new URL(url);
  } catch {
    throw new LocalError("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL", OIDC);
  }
  target.searchParams.set("audience", audience);
  let status = null;
  let value;
  try {
    const res = await fetchImpl(target.toString(), { headers: { Authorization: `Bearer ${token}` } });
    status = res.status;
    const body = res.ok ? await res.json().catch(() => null) : null;
    value = body?.value;
  } catch (e) {
    // The request token is in a header, never in the message.
    let why = "fetch failed";
    try {
      if (typeof e?.message === "string") why = e.message;
    } catch {
      // a hostile thrown value: keep the generic reason
    }
    throw new NetworkError(`Network error while ${OIDC}: ${why}`, e, OIDC);
  }
  if (typeof value !== "string" || value === "") {
    throw new LocalError(`GitHub Actions OIDC token request failed (HTTP ${status})`, OIDC);
  }
  return value;
}
