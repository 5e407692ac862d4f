// Secrets, subdomains and custom domains (wire contract §1.4-§1.6, seed 003
// "Custom Subdomains" and "Secrets Management"). Everything is keyed by the
// project the service key belongs to; a record whose project was deleted
// counts as gone. Deployments come from deploy v2 releases (routes/deploy.mjs,
// which also claims the subdomains a spec names), or bare ones from
// /__sim/deployments (registerControl).

import { randomBytes } from "node:crypto";

import { requireServiceKey, walletFromSiwx } from "../auth.mjs";
import { expectNoBody, fail, json, jsonObjectBody, requireString } from "../http-util.mjs";
import { verifyKey } from "../keys.mjs";

// ── Rules from the gateway's documentation ──

const SECRET_KEY = /^[A-Z_][A-Z0-9_]{0,127}$/;
const MAX_SECRET_VALUE_BYTES = 4096;
// Seed 003: 3-63 characters, lower-case letters, digits and hyphens, starting
// and ending with a letter or digit, no "--"; these names are reserved.
const SUBDOMAIN_NAME = /^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/;
const RESERVED_SUBDOMAINS = new Set(["api", "www", "admin", "sites", "mail", "ftp", "cdn", "static"]);
const SUBDOMAIN_ZONE = "run402.com";
const CNAME_TARGET = "domains.run402.com";
const DOMAIN_STATUSES = ["pending", "active", "failed"];

const now = () => new Date().toISOString();
export const subdomainUrl = (name) => `https://${name}.${SUBDOMAIN_ZONE}`;
export const deploymentUrl = (id) => `https://${id}.sites.${SUBDOMAIN_ZONE}`;

/**
 * The project of the service key in Authorization, whichever it is. The key
 * names its project, and requireServiceKey then gives the exact 401/403 for
 * a missing, invalid, stale or anon key.
 */
function serviceKeyProject(ctx) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.headers.authorization ?? "");
  const claims = match ? verifyKey(match[1]) : null;
  return requireServiceKey(ctx, claims?.project_id ?? "");
}

/** The state's record if its project still exists. */
function live(ctx, record) {
  return record && ctx.state.projects.has(record.projectId) ? record : undefined;
}

// ── Secrets ──

function secretsOf(ctx, project) {
  let secrets = ctx.state.secrets.get(project.id);
  if (!secrets) ctx.state.secrets.set(project.id, (secrets = new Map()));
  return secrets;
}

function setSecret(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const body = jsonObjectBody(ctx, { allowed: ["key", "value"] });
  const key = requireString(body, "key");
  if (!SECRET_KEY.test(key)) {
    fail(400, "invalid_secret_key", `Secret keys must match ${SECRET_KEY.source}.`, "INVALID_SECRET_KEY", { details: { field: "key" } });
  }
  if (typeof body.value !== "string") {
    fail(400, "invalid_field", 'Field "value" must be a string.', "INVALID_FIELD", { details: { field: "value" } });
  }
  const bytes = Buffer.byteLength(body.value, "utf8");
  if (bytes > MAX_SECRET_VALUE_BYTES) {
    fail(413, "secret_too_large", `Secret values are limited to ${MAX_SECRET_VALUE_BYTES} UTF-8 bytes; this one is ${bytes}.`, "SECRET_VALUE_TOO_LARGE");
  }
  const secrets = secretsOf(ctx, project);
  const at = now();
  const existing = secrets.get(key);
  secrets.set(key, { value: body.value, createdAt: existing?.createdAt ?? at, updatedAt: at });
  return json(existing ? 200 : 201, { status: existing ? "updated" : "created", key });
}

function listSecrets(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const secrets = [...secretsOf(ctx, project)]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, s]) => ({ key, created_at: s.createdAt, updated_at: s.updatedAt }));
  return json(200, { secrets });
}

function deleteSecret(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  expectNoBody(ctx);
  const key = ctx.params.key;
  if (!secretsOf(ctx, project).delete(key)) {
    fail(404, "secret_not_found", `Project ${project.id} has no secret ${key}.`, "SECRET_NOT_FOUND");
  }
  return json(200, { status: "deleted", key });
}

// ── Subdomains ──

export function checkSubdomainName(name) {
  if (!SUBDOMAIN_NAME.test(name) || name.includes("--")) {
    fail(400, "invalid_subdomain", "Subdomain names are 3-63 characters of a-z, 0-9 and '-', start and end with a letter or digit, and contain no '--'.", "INVALID_SUBDOMAIN", {
      details: { name },
    });
  }
  if (RESERVED_SUBDOMAINS.has(name)) {
    fail(400, "reserved_subdomain", `"${name}" is reserved.`, "SUBDOMAIN_RESERVED", { details: { reserved: [...RESERVED_SUBDOMAINS] } });
  }
}

function subdomainView(name, s) {
  return {
    name,
    url: subdomainUrl(name),
    deployment_id: s.deploymentId,
    deployment_url: deploymentUrl(s.deploymentId),
    project_id: s.projectId,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

/** POST {name, deployment_id}: an idempotent upsert within one project; taken by another one is 409. */
function claimSubdomain(ctx) {
  const project = serviceKeyProject(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["name", "deployment_id"] });
  const name = requireString(body, "name");
  const deploymentId = requireString(body, "deployment_id");
  checkSubdomainName(name);
  const deployment = live(ctx, ctx.state.deployments.get(deploymentId));
  if (!deployment) fail(404, "deployment_not_found", `No deployment ${deploymentId}.`, "DEPLOYMENT_NOT_FOUND");
  if (deployment.projectId !== project.id) {
    fail(403, "forbidden", `Deployment ${deploymentId} belongs to another project.`, "DEPLOYMENT_PROJECT_MISMATCH");
  }
  const existing = live(ctx, ctx.state.subdomains.get(name));
  if (existing && existing.projectId !== project.id) {
    fail(409, "subdomain_taken", `${name}.${SUBDOMAIN_ZONE} is claimed by another project.`, "SUBDOMAIN_TAKEN");
  }
  const at = now();
  const record = { projectId: project.id, deploymentId, createdAt: existing?.createdAt ?? at, updatedAt: at };
  ctx.state.subdomains.set(name, record);
  return json(existing ? 200 : 201, subdomainView(name, record));
}

/** The project's own claim on `name`, or 404 / 403. */
function ownedSubdomain(ctx, project, name) {
  const record = live(ctx, ctx.state.subdomains.get(name));
  if (!record) fail(404, "subdomain_not_found", `${name}.${SUBDOMAIN_ZONE} is not claimed.`, "SUBDOMAIN_NOT_FOUND");
  if (record.projectId !== project.id) {
    fail(403, "forbidden", `${name}.${SUBDOMAIN_ZONE} belongs to another project.`, "SUBDOMAIN_PROJECT_MISMATCH");
  }
  return record;
}

function deleteSubdomain(ctx) {
  const project = serviceKeyProject(ctx);
  expectNoBody(ctx);
  const name = ctx.params.name;
  const record = ownedSubdomain(ctx, project, name);
  ctx.state.subdomains.delete(name);
  // Custom domains pointing at it go with it.
  for (const [domain, d] of ctx.state.domains) if (d.subdomainName === name) ctx.state.domains.delete(domain);
  return json(200, { name, deployment_id: record.deploymentId, project_id: project.id, deleted_at: now() });
}

function listSubdomains(ctx) {
  const project = serviceKeyProject(ctx);
  const subdomains = [...ctx.state.subdomains]
    .filter(([, s]) => s.projectId === project.id)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, s]) => subdomainView(name, s));
  return json(200, { subdomains });
}

/** Seed 003: "Lookup (free, no auth)". */
function lookupSubdomain(ctx) {
  const name = ctx.params.name;
  const record = live(ctx, ctx.state.subdomains.get(name));
  if (!record) fail(404, "subdomain_not_found", `${name}.${SUBDOMAIN_ZONE} is not claimed.`, "SUBDOMAIN_NOT_FOUND");
  return json(200, subdomainView(name, record));
}

// ── Custom domains ──

/** A lower-cased DNS name of two or more labels, outside the gateway's own zone. */
function checkDomain(raw) {
  const domain = raw.toLowerCase();
  const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
  const labels = domain.split(".");
  const valid = domain.length <= 253 && labels.length >= 2 && labels.every((l) => label.test(l)) && /[a-z]/.test(labels.at(-1));
  if (!valid) fail(400, "invalid_domain", `"${raw}" is not a domain name.`, "INVALID_DOMAIN");
  if (domain === SUBDOMAIN_ZONE || domain.endsWith(`.${SUBDOMAIN_ZONE}`)) {
    fail(400, "invalid_domain", `Domains under ${SUBDOMAIN_ZONE} are claimed as subdomains, not added as custom domains.`, "INVALID_DOMAIN");
  }
  return domain;
}

function dnsInstructions(domain, d) {
  if (d.status === "active") return null;
  return { cname_target: CNAME_TARGET, txt_name: `_run402-challenge.${domain}`, txt_value: d.txtValue };
}

function domainSummary(domain, d) {
  return { domain, subdomain_name: d.subdomainName, url: `https://${domain}`, subdomain_url: subdomainUrl(d.subdomainName), status: d.status, created_at: d.createdAt };
}

function domainStatusView(domain, d) {
  return { ...domainSummary(domain, d), dns_instructions: dnsInstructions(domain, d) };
}

function addDomain(ctx) {
  const project = serviceKeyProject(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["domain", "subdomain_name"] });
  const domain = checkDomain(requireString(body, "domain"));
  const subdomainName = requireString(body, "subdomain_name");
  ownedSubdomain(ctx, project, subdomainName);
  const existing = live(ctx, ctx.state.domains.get(domain));
  if (existing) {
    const whose = existing.projectId === project.id ? "this project" : "another project";
    fail(409, "domain_taken", `${domain} is already registered by ${whose}.`, "DOMAIN_TAKEN");
  }
  const record = { projectId: project.id, subdomainName, status: "pending", txtValue: `run402-verify=${randomBytes(16).toString("hex")}`, createdAt: now() };
  ctx.state.domains.set(domain, record);
  return json(201, { ...domainStatusView(domain, record), project_id: project.id });
}

function listDomains(ctx) {
  const project = serviceKeyProject(ctx);
  const domains = [...ctx.state.domains]
    .filter(([, d]) => d.projectId === project.id)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([domain, d]) => domainSummary(domain, d));
  return json(200, { domains });
}

function ownedDomain(ctx, project, raw) {
  const domain = raw.toLowerCase();
  const record = live(ctx, ctx.state.domains.get(domain));
  if (!record) fail(404, "domain_not_found", `${domain} is not registered.`, "DOMAIN_NOT_FOUND");
  if (record.projectId !== project.id) fail(403, "forbidden", `${domain} belongs to another project.`, "DOMAIN_PROJECT_MISMATCH");
  return [domain, record];
}

function domainStatus(ctx) {
  const [domain, record] = ownedDomain(ctx, serviceKeyProject(ctx), ctx.params.domain);
  return json(200, domainStatusView(domain, record));
}

/**
 * With a service key, the domain must be that project's; without one, the
 * caller must be signed in (SIGN-IN-WITH-X) as the wallet that owns the
 * domain's project.
 */
async function removeDomain(ctx) {
  let domain;
  if (ctx.headers.authorization !== undefined) {
    [domain] = ownedDomain(ctx, serviceKeyProject(ctx), ctx.params.domain);
  } else {
    const wallet = await walletFromSiwx(ctx, { required: true });
    domain = ctx.params.domain.toLowerCase();
    const record = live(ctx, ctx.state.domains.get(domain));
    if (!record) fail(404, "domain_not_found", `${domain} is not registered.`, "DOMAIN_NOT_FOUND");
    if (ctx.state.projects.get(record.projectId).ownerWallet !== wallet) {
      fail(403, "forbidden", `${domain} belongs to a project this wallet does not own.`, "DOMAIN_OWNER_MISMATCH");
    }
  }
  expectNoBody(ctx);
  ctx.state.domains.delete(domain);
  return json(200, { status: "deleted", domain });
}

export function register(router) {
  router.add("POST", "/projects/v1/admin/:id/secrets", setSecret);
  router.add("GET", "/projects/v1/admin/:id/secrets", listSecrets);
  router.add("DELETE", "/projects/v1/admin/:id/secrets/:key", deleteSecret);
  router.add("POST", "/subdomains/v1", claimSubdomain);
  router.add("GET", "/subdomains/v1", listSubdomains);
  router.add("GET", "/subdomains/v1/:name", lookupSubdomain);
  router.add("DELETE", "/subdomains/v1/:name", deleteSubdomain);
  router.add("POST", "/domains/v1", addDomain);
  router.add("GET", "/domains/v1", listDomains);
  router.add("GET", "/domains/v1/:domain", domainStatus);
  router.add("DELETE", "/domains/v1/:domain", removeDomain);
}

// ── /__sim/ controls ──

/** POST {project_id} → a deployment of that project a subdomain can point at. */
function addDeployment(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["project_id"] });
  const projectId = requireString(body, "project_id");
  if (!ctx.state.projects.has(projectId)) fail(404, "project_not_found", "No such project.", "PROJECT_NOT_FOUND");
  const id = `dpl_${randomBytes(8).toString("hex")}`;
  ctx.state.deployments.set(id, { projectId, createdAt: now() });
  return json(201, { deployment_id: id, project_id: projectId, url: deploymentUrl(id) });
}

/** POST {status} moves a custom domain's verification along (pending → active, or failed). */
function setDomainStatus(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["status"] });
  if (!DOMAIN_STATUSES.includes(body.status)) {
    fail(400, "invalid_field", `"status" must be one of ${DOMAIN_STATUSES.join(", ")}.`, "INVALID_FIELD");
  }
  const domain = ctx.params.domain.toLowerCase();
  const record = live(ctx, ctx.state.domains.get(domain));
  if (!record) fail(404, "domain_not_found", `${domain} is not registered.`, "DOMAIN_NOT_FOUND");
  record.status = body.status;
  return json(200, domainStatusView(domain, record));
}

export function registerControl(router) {
  router.add("POST", "/__sim/deployments", addDeployment);
  router.add("POST", "/__sim/domains/:domain", setDomainStatus);
}
