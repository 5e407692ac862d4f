// The gateway's side of a CI binding's delegation: the canonical statement
// and Resource URI it rebuilds from a binding request's fields and compares
// with what the wallet signed, and its rules for route scopes. Written from
// the contract (§1.20), independently of both SDKs.

export const CI_AUDIENCE = "https://api.run402.com";
export const CI_ISSUER = "https://token.actions.githubusercontent.com";

const ROUTE_SCOPE_MAX = 100;
const ROUTE_SCOPE_MAX_BYTES = 256;

/** RFC 3986 unreserved characters stay, everything else is %XX (UTF-8). */
function rfc3986(text) {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Strings ordered by UTF-16 code units, as the gateway sorts them. */
export function canonicalList(values) {
  return [...new Set(values)].sort((a, b) => (a === b ? 0 : a < b ? -1 : 1));
}

/**
 * Checks route scopes; returns them sorted, or a reason they are refused.
 * Exact scopes ("/admin") match one path, "/api/*" a prefix; "/admin" and
 * "/admin/" are the same scope.
 */
export function checkRouteScopes(scopes) {
  if (scopes === undefined) return { scopes: [] };
  if (!Array.isArray(scopes)) return { error: "route_scopes must be an array" };
  if (scopes.length > ROUTE_SCOPE_MAX) return { error: `at most ${ROUTE_SCOPE_MAX} route scopes` };
  const seen = new Set();
  for (const scope of scopes) {
    if (typeof scope !== "string" || !scope.startsWith("/")) return { error: "each route scope is a path starting with /" };
    if (new TextEncoder().encode(scope).length > ROUTE_SCOPE_MAX_BYTES) return { error: `route scopes are at most ${ROUTE_SCOPE_MAX_BYTES} bytes` };
    if (scope.includes("?")) return { error: "route scopes carry no query" };
    try {
      decodeURI(scope);
    } catch {
      return { error: `route scope ${scope} is not valid percent-encoding` };
    }
    const prefix = scope.endsWith("/*");
    if (scope.includes("*") && !prefix) return { error: "a route scope wildcard must be a final /*" };
    if (scope === "/*") return { error: "a prefix scope needs a segment before /*" };
    const key = prefix ? scope : `exact ${scope.length > 1 && scope.endsWith("/") ? scope.slice(0, -1) : scope}`;
    if (seen.has(key)) return { error: `route scope ${scope} is listed twice` };
    seen.add(key);
  }
  return { scopes: canonicalList(scopes) };
}

/** The canonical statement for a binding (`b`: its canonical fields). */
export function delegationStatement(b) {
  const scoped = b.route_scopes.length > 0;
  const scopes = b.route_scopes.join(",");
  const can = [
    "  - deploy function code that runs with this project's runtime authority, including the project's service-role key, the adminDb() bypass-RLS surface, and configured runtime secrets read via process.env;",
    "  - deploy database migrations, RLS/expose changes, and schema-altering SQL via spec.database.",
  ];
  if (scoped) can.push(`  - deploy route declarations only within these public path scopes: ${scopes}.`);
  const cannot =
    "The workflows cannot directly call secrets, domain, subdomain, lifecycle, billing, contracts, or faucet endpoints. " +
    (scoped
      ? "They cannot ship spec.secrets, spec.subdomains, spec.checks, non-current spec.base, or route changes outside the delegated route scopes."
      : "They cannot ship spec.secrets, spec.subdomains, spec.routes, spec.checks, or non-current spec.base.");
  const facts = [`Audience: ${CI_AUDIENCE}`, `Allowed events: ${b.allowed_events.join(",")}`];
  if (scoped) facts.push(`Route scopes: ${scopes}`);
  facts.push(`Repository ID: ${b.github_repository_id ?? "none-soft-bound"}`, `Expires: ${b.expires_at ?? "never"}`, `Nonce: ${b.nonce}`);
  const revoke =
    "Revoke at any time via the run402 CLI or POST /ci/v1/bindings/:id/revoke. Revocation stops future CI gateway requests but does not undo already-deployed code, stop in-flight deploy operations, rotate exfiltrated keys, or remove deployed functions. Recovery from a compromise: revoke the binding, then SIWE-deploy a known-good release that overwrites the malicious code, and rotate any service-role key the deployed code may have read.";
  return [
    `Authorize GitHub Actions workflows whose OIDC subject matches ${b.subject_match} to deploy to run402 project ${b.project_id}.`,
    "",
    "The workflows can:",
    ...can,
    "",
    cannot,
    "",
    ...facts,
    "",
    revoke,
  ].join("\n");
}

/** The canonical Resource URI for a binding. Route scopes keep `*` (plain encodeURIComponent). */
export function delegationResourceUri(b) {
  const query = [
    ["project_id", rfc3986(b.project_id)],
    ["issuer", rfc3986(CI_ISSUER)],
    ["audience", rfc3986(CI_AUDIENCE)],
    ["subject_match", rfc3986(b.subject_match)],
    ["allowed_actions", b.allowed_actions.map(rfc3986).join(",")],
    ["allowed_events", b.allowed_events.map(rfc3986).join(",")],
  ];
  if (b.route_scopes.length > 0) query.push(["route_scopes", b.route_scopes.map(encodeURIComponent).join(",")]);
  if (b.expires_at !== null) query.push(["expires_at", rfc3986(b.expires_at)]);
  if (b.github_repository_id !== null) query.push(["github_repository_id", rfc3986(b.github_repository_id)]);
  query.push(["nonce", rfc3986(b.nonce)]);
  return `run402-ci-delegation:v1?${query.map(([k, v]) => `${k}=${v}`).join("&")}`;
}

/**
 * Whether an OIDC subject matches a binding's pattern: equal, or, for a
 * pattern ending in `*`, starting with what precedes it.
 */
export function subjectMatches(pattern, subject) {
  return pattern.endsWith("*") ? subject.startsWith(pattern.slice(0, -1)) : subject === pattern;
}
