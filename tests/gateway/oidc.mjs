// A local stand-in for GitHub Actions' OIDC issuer: an RS256 key pair, its
// JWKS, ID tokens with the claims a GitHub Actions job gets, and "jobs" that
// hand those tokens out the way the runner's ACTIONS_ID_TOKEN_REQUEST_URL
// does (GET with the job's request token as Bearer, `audience` in the query,
// `{ count, value }` back). Tokens are signed and verified with `jose`, so
// the gateway's check is a maintained JWT library's, not ours.

import { randomBytes } from "node:crypto";
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from "jose";

/** The issuer a binding names; the local issuer signs as it. */
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
const TOKEN_LIFETIME_SECONDS = 5 * 60;

/**
 * The claims GitHub puts in a job's token, from the job's description:
 * `{ repository: "owner/name", repository_id, ref?, event_name?, environment?,
 * sub?, ... }`. The subject follows GitHub's default template: the
 * environment when there is one, `pull_request` for those events, else the ref.
 */
export function jobClaims(job) {
  const repository = job.repository;
  if (typeof repository !== "string" || !/^[^/\s]+\/[^/\s]+$/.test(repository)) {
    throw new TypeError('repository must be "owner/name"');
  }
  const ref = job.ref ?? "refs/heads/main";
  const event = job.event_name ?? "push";
  const sub =
    job.sub ??
    (job.environment
      ? `repo:${repository}:environment:${job.environment}`
      : event === "pull_request"
        ? `repo:${repository}:pull_request`
        : `repo:${repository}:ref:${ref}`);
  return {
    sub,
    repository,
    repository_id: String(job.repository_id ?? "1"),
    repository_owner: repository.split("/")[0],
    repository_owner_id: String(job.repository_owner_id ?? "1"),
    ref,
    ref_type: ref.startsWith("refs/tags/") ? "tag" : "branch",
    sha: job.sha ?? "0".repeat(40),
    event_name: event,
    workflow: job.workflow ?? "deploy",
    job_workflow_ref: `${repository}/.github/workflows/deploy.yml@${ref}`,
    run_id: String(job.run_id ?? "1"),
    run_attempt: "1",
    actor: job.actor ?? repository.split("/")[0],
    runner_environment: "github-hosted",
    ...(job.environment ? { environment: job.environment } : {}),
  };
}

/** One issuer per simulator: its key is made on first use. */
export function createIssuer() {
  let keys;
  const jobs = new Map(); // request token → job description

  async function key() {
    keys ??= (async () => {
      const { publicKey, privateKey } = await generateKeyPair("RS256");
      const kid = randomBytes(8).toString("hex");
      const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
      return { privateKey, kid, jwks: { keys: [jwk] } };
    })();
    return keys;
  }

  return {
    /** The JWKS document, as served. */
    async jwks() {
      return (await key()).jwks;
    },

    /**
     * A signed ID token for `job` with audience `aud`. `overrides` sets or
     * replaces claims (iss, exp, ...) for tests of refused tokens; `signWith`
     * signs with another key (a forged token).
     */
    async mint(job, aud, { overrides = {}, signWith } = {}) {
      const { privateKey, kid } = await key();
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        ...jobClaims(job),
        iss: GITHUB_ISSUER,
        aud,
        jti: randomBytes(16).toString("hex"),
        iat: now,
        nbf: now - 5,
        exp: now + TOKEN_LIFETIME_SECONDS,
        ...overrides,
      };
      const signer = signWith ?? privateKey;
      return new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", kid }).sign(signer);
    },

    /** The claims of a token this issuer signed for `audience`; throws jose's errors otherwise. */
    async verify(token, audience) {
      const { payload } = await jwtVerify(token, createLocalJWKSet((await key()).jwks), {
        issuer: GITHUB_ISSUER,
        audience,
        algorithms: ["RS256"],
        clockTolerance: 5,
      });
      return payload;
    },

    /** Registers a job; its request token is what ACTIONS_ID_TOKEN_REQUEST_TOKEN holds. */
    startJob(job) {
      jobClaims(job); // refuse a malformed job now, not at its first token
      const requestToken = `ghs_${randomBytes(24).toString("hex")}`;
      jobs.set(requestToken, job);
      return requestToken;
    },

    jobFor(requestToken) {
      return jobs.get(requestToken);
    },
  };
}
