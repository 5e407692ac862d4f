// senderDomain (wire contract §1.13): a project's custom sending domain under
// /email/v1/domains, service key only. A registered domain starts "pending"
// with DKIM, SPF and DMARC records to publish; the DNS check itself is a
// test's move through POST /__sim/sender-domains (verified | failed |
// pending). Inbound mail can be enabled only on a verified domain.

import { randomBytes } from "node:crypto";

import { requireServiceKey } from "../auth.mjs";
import { expectNoBody, fail, json, jsonObjectBody, requireString } from "../http-util.mjs";
import { verifyKey } from "../keys.mjs";

export const DOMAIN_STATUSES = ["pending", "verified", "failed"];
const MX_RECORD = "10 inbound-smtp.us-east-1.amazonaws.com";
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The project whose service key signs the request (the path names no project). */
function callerProject(ctx) {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(ctx.headers.authorization ?? "")?.[1];
  // requireServiceKey answers every bad case (missing, foreign, anon) with the gateway's own errors.
  return requireServiceKey(ctx, verifyKey(token)?.project_id ?? "");
}

function domainField(ctx) {
  const domain = requireString(jsonObjectBody(ctx, { allowed: ["domain"] }), "domain").trim().toLowerCase();
  const labels = domain.split(".");
  if (domain.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !/^[a-z]{2,63}$/.test(labels.at(-1))) {
    fail(400, "invalid_domain", `"${domain}" is not a valid domain name.`, "INVALID_DOMAIN", { details: { field: "domain" } });
  }
  if (domain === "run402.com" || domain.endsWith(".run402.com")) {
    fail(400, "reserved_domain", "Run402's own domains cannot be registered as sender domains.", "RESERVED_DOMAIN");
  }
  return domain;
}

function dnsRecords(domain) {
  const dkim = [0, 1, 2].map(() => randomBytes(16).toString("hex"));
  return [
    ...dkim.map((token) => ({ type: "CNAME", name: `${token}._domainkey.${domain}`, value: `${token}.dkim.amazonses.com` })),
    { type: "TXT", name: domain, value: "v=spf1 include:amazonses.com ~all" },
    { type: "TXT", name: `_dmarc.${domain}`, value: "v=DMARC1; p=none;" },
  ];
}

function registration(record) {
  return {
    domain: record.domain,
    status: record.status,
    dns_records: record.dnsRecords,
    instructions: `Publish these DNS records for ${record.domain}; sending from it starts once GET /email/v1/domains reports "verified".`,
  };
}

function registerDomain(ctx) {
  const project = callerProject(ctx);
  const domain = domainField(ctx);
  const current = project.senderDomain;
  if (current?.domain === domain) return json(200, registration(current));
  if (current) {
    fail(409, "sender_domain_exists", `Project ${project.id} already sends from ${current.domain}; remove it first.`, "SENDER_DOMAIN_EXISTS");
  }
  const owner = [...ctx.state.projects.values()].find((p) => p.senderDomain?.domain === domain);
  if (owner) fail(409, "domain_taken", `${domain} is registered by another project.`, "DOMAIN_TAKEN");
  project.senderDomain = { domain, status: "pending", dnsRecords: dnsRecords(domain), verifiedAt: null, inbound: false, createdAt: new Date().toISOString() };
  return json(201, registration(project.senderDomain));
}

function status(ctx) {
  const record = callerProject(ctx).senderDomain;
  if (!record) return json(200, { domain: null });
  return json(200, { domain: record.domain, status: record.status, ...(record.verifiedAt ? { verified_at: record.verifiedAt } : {}) });
}

function remove(ctx) {
  const project = callerProject(ctx);
  expectNoBody(ctx);
  if (!project.senderDomain) fail(404, "sender_domain_not_found", `Project ${project.id} has no sender domain.`, "SENDER_DOMAIN_NOT_FOUND");
  const { domain } = project.senderDomain;
  project.senderDomain = undefined;
  return json(200, { status: "removed", domain });
}

/** The project's registration of the domain named in the body, or 404. */
function namedDomain(ctx) {
  const project = callerProject(ctx);
  const domain = domainField(ctx);
  const record = project.senderDomain;
  if (record?.domain !== domain) {
    fail(404, "sender_domain_not_found", `${domain} is not this project's sender domain.`, "SENDER_DOMAIN_NOT_FOUND");
  }
  return record;
}

function enableInbound(ctx) {
  const record = namedDomain(ctx);
  if (record.status !== "verified") {
    fail(409, "domain_not_verified", `${record.domain} is ${record.status}; inbound mail needs a verified domain.`, "DOMAIN_NOT_VERIFIED");
  }
  record.inbound = true;
  return json(200, { status: "enabled", mx_record: MX_RECORD });
}

function disableInbound(ctx) {
  namedDomain(ctx).inbound = false;
  return json(200, { status: "disabled" });
}

/** /__sim/: POST {domain, status} moves a registration through the DNS check; answers the whole record. */
function setStatus(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["domain", "status"] });
  const domain = requireString(body, "domain").toLowerCase();
  if (!DOMAIN_STATUSES.includes(body.status)) fail(400, "invalid_field", `"status" must be one of ${DOMAIN_STATUSES.join(", ")}.`, "INVALID_FIELD");
  const project = [...ctx.state.projects.values()].find((p) => p.senderDomain?.domain === domain);
  if (!project) fail(404, "sender_domain_not_found", `No project has registered ${domain}.`, "SENDER_DOMAIN_NOT_FOUND");
  const record = project.senderDomain;
  record.status = body.status;
  record.verifiedAt = body.status === "verified" ? (record.verifiedAt ?? new Date().toISOString()) : null;
  // A domain that fails its check cannot keep receiving.
  if (body.status !== "verified") record.inbound = false;
  return json(200, { project_id: project.id, domain, status: record.status, verified_at: record.verifiedAt, inbound: record.inbound });
}

export function register(router) {
  router.add("POST", "/email/v1/domains", registerDomain);
  router.add("GET", "/email/v1/domains", status);
  router.add("DELETE", "/email/v1/domains", remove);
  router.add("POST", "/email/v1/domains/inbound", enableInbound);
  router.add("DELETE", "/email/v1/domains/inbound", disableInbound);
}

export function registerControl(control) {
  control.add("POST", "/__sim/sender-domains", setStatus);
}
