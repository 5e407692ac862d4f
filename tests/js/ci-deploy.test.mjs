// An end-to-end CI deploy, as a GitHub Actions workflow runs one: the
// project owner links the repository with a signed delegation, the
// simulator plays the job (`/__sim/oidc/jobs` hands out the OIDC request
// URL and token), githubActionsCredentials trades the job's ID token for a
// CI session, and `r.deploy.apply({ project, site })` through that session
// puts the site live. Around it: a spec field a CI session may not ship is
// refused by the SDK's guard before any request, and a deploy to another
// project is refused by the gateway.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { sdk, simulator, sim, rejectsKind } from "./helpers.mjs";

const { Run402, allowanceCredentials, signCiDelegation, githubActionsCredentials } = sdk;

let base;
before(async () => {
  base = await simulator();
});

const REPO = { repository: "acme/site", repository_id: "424242" };

/** A wallet owning a fresh project, and its client. */
async function owner() {
  const privateKey = generatePrivateKey();
  const w = { address: privateKeyToAccount(privateKey).address, privateKey };
  const r = new Run402({ apiBase: base, credentials: allowanceCredentials({ allowance: w, projects: {} }) });
  const { project_id: projectId } = await r.projects.provision({ tier: "prototype" });
  return { w, r, projectId };
}

/** The owner links acme/site's main branch to the project. */
async function link(o) {
  const values = {
    project_id: o.projectId,
    subject_match: "repo:acme/site:ref:refs/heads/main",
    allowed_actions: sdk.V1_CI_ALLOWED_ACTIONS,
    allowed_events: sdk.V1_CI_ALLOWED_EVENTS_DEFAULT,
    github_repository_id: REPO.repository_id,
    expires_at: null,
    nonce: randomBytes(16).toString("hex"),
  };
  const signed_delegation = signCiDelegation(values, { allowance: o.w, apiBase: base });
  return o.r.ci.createBinding({ ...values, provider: sdk.CI_GITHUB_ACTIONS_PROVIDER, signed_delegation });
}

/** A CI client inside a job of acme/site on main, and the requests its client made. */
async function ciClient(projectId) {
  const { request_url, request_token } = await sim("oidc/jobs", { ...REPO, ref: "refs/heads/main", event_name: "push" });
  const env = { ACTIONS_ID_TOKEN_REQUEST_URL: request_url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: request_token };
  const credentials = githubActionsCredentials({ projectId, apiBase: base, env });
  const sent = [];
  const fetch = (url, init) => {
    sent.push(`${init?.method ?? "GET"} ${new URL(url).pathname}`);
    return globalThis.fetch(url, init);
  };
  return { r: new Run402({ apiBase: base, credentials, fetch }), credentials, sent };
}

const served = async (url) => {
  const res = await globalThis.fetch(url);
  assert.equal(res.status, 200, url);
  return new Uint8Array(await res.arrayBuffer());
};

test("a GitHub Actions job deploys a site through its CI session, and the site is served", async () => {
  const o = await owner();
  const binding = await link(o);
  const { r, sent } = await ciClient(o.projectId);
  const logo = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 254, 255]);
  const html = "<h1>deployed from CI</h1>";
  const events = [];
  const result = await r.deploy.apply(
    { project: o.projectId, base: { release: "current" }, site: { replace: sdk.files({ "index.html": html, "img/logo.png": logo }) } },
    { onEvent: (e) => events.push(e.type) },
  );
  assert.match(result.release_id, /\S/);
  assert.match(result.operation_id, /^op_/);
  assert.equal(events.at(-1), "ready");
  assert.deepEqual(await served(new URL("index.html", result.urls.project)), new TextEncoder().encode(html));
  assert.deepEqual(await served(new URL("img/logo.png", result.urls.project)), logo);

  // Everything went through the CI session: content plans and plan/commit,
  // no per-session complete (CI skips it), nothing from the owner's wallet.
  assert.ok(sent.includes("POST /deploy/v2/plans"), sent.join(", "));
  assert.ok(sent.some((s) => /^POST \/deploy\/v2\/plans\/[^/]+\/commit$/.test(s)), sent.join(", "));
  assert.ok(!sent.some((s) => s.includes("/storage/v1/uploads/")), "CI sessions skip the per-session complete");
  const active = await o.r.deploy.getActiveRelease({ project: o.projectId });
  assert.equal(active.release_id, result.release_id);
  assert.equal((await o.r.ci.getBinding(binding.id)).use_count, 1);

  // A patch on top, from a second job.
  const second = await ciClient(o.projectId);
  const patched = await second.r.deploy.apply({ project: o.projectId, site: { patch: { put: { "about.html": "<p>about</p>" } } } });
  assert.deepEqual(await served(new URL("about.html", patched.urls.project)), new TextEncoder().encode("<p>about</p>"));
  assert.deepEqual(await served(new URL("index.html", patched.urls.project)), new TextEncoder().encode(html));
});

test("a field a CI session may not ship is refused by the SDK's guard, before any request", async () => {
  const o = await owner();
  await link(o);
  const { r, sent } = await ciClient(o.projectId);
  const site = { replace: { "index.html": "x" } };
  const cases = [
    [{ project: o.projectId, site, secrets: { require: ["OPENAI_API_KEY"] } }, "secrets"],
    [{ project: o.projectId, site, subdomains: { set: ["acme"] } }, "subdomains"],
    [{ project: o.projectId, site, checks: [] }, "checks"],
    [{ project: o.projectId, site, base: { release: "empty" } }, "base"],
    [{ project: o.projectId, site, base: { release_id: "rel_1" } }, "base"],
  ];
  for (const [spec, resource] of cases) {
    await rejectsKind(r.deploy.apply(spec), "deploy_error", (e) => {
      assert.equal(e.code, "forbidden_spec_field");
      assert.equal(e.resource, resource);
      assert.equal(e.phase, "validate");
      assert.equal(e.retryable, false);
      assert.equal(e.context, "validating CI deploy spec");
      assert.equal(e.status, null);
    });
  }
  assert.deepEqual(sent, [], "no request left the client");
  // The same specs from the owner's wallet are not the guard's business.
  await rejectsKind(o.r.deploy.apply({ project: o.projectId, site, base: { release_id: "rel_nope" } }), "deploy_error", (e) => assert.notEqual(e.code, "forbidden_spec_field"));
});

test("a CI session deploying to another project is refused by the gateway", async () => {
  const o = await owner();
  await link(o);
  const other = await owner();
  const { r, sent } = await ciClient(o.projectId);
  await rejectsKind(r.deploy.apply({ project: other.projectId, site: { replace: { "index.html": "<h1>not yours</h1>" } } }), "unauthorized", (e) => {
    assert.equal(e.status, 403);
    assert.equal(e.body.code, "insufficient_scope");
  });
  assert.ok(sent.length > 0, "the refusal came from the gateway");
  assert.ok(!sent.some((s) => s.endsWith("/commit")), "nothing was committed");
  const active = await other.r.deploy.getActiveRelease({ project: other.projectId });
  assert.equal(active.release_id, null, "the other project has no release");
});
