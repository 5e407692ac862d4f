// Passkeys with a real browser: headless Chromium with a virtual WebAuthn
// authenticator (DevTools protocol WebAuthn.enable/addVirtualAuthenticator
// through playwright-core's CDP session). The page runs the built package
// (pkg/entry-web.js via an import map) on http://localhost, a secure context
// whose host is the relying party; the browser's own
// navigator.credentials.create/get produce what the SDK sends, and the
// simulator verifies it with @simplewebauthn/server. Needs /usr/bin/chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

import { simulator, withProject } from "./helpers.mjs";

const CHROMIUM = "/usr/bin/chromium";
const PKG = new URL("../../pkg/", import.meta.url).pathname;
const MIME = { ".js": "text/javascript; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json" };

// The page's helpers run the ceremonies; each returns plain JSON to Node.
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>run402 passkeys</title>
<script type="importmap">{"imports": {"@run402/sdk-wasm": "/pkg/entry-web.js"}}</script>
<script type="module">
  window.ready = import("@run402/sdk-wasm").then(({ Run402 }) => {
    const client = (apiBase, keys) => new Run402({ apiBase, credentials: { getAuth: () => null, getProject: () => keys } });
    const failure = (e) => ({ error: { kind: e.kind ?? null, code: e.code ?? null, status: e.status ?? null, message: e.message } });
    return {
      async register({ apiBase, keys, projectId, accessToken, label }) {
        const r = client(apiBase, keys);
        const { challenge_id, options } = await r.auth.createPasskeyRegistrationOptions(projectId, { accessToken, appOrigin: location.origin });
        const credential = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
        const response = credential.toJSON();
        const record = await r.auth.verifyPasskeyRegistration(projectId, { accessToken, challengeId: challenge_id, response, label });
        // The same registration again: its challenge is spent.
        const replay = await r.auth.verifyPasskeyRegistration(projectId, { accessToken, challengeId: challenge_id, response }).then(() => null, failure);
        return { record, credentialId: credential.id, rpId: options.rp.id, replay };
      },
      async login({ apiBase, keys, projectId, email }) {
        const r = client(apiBase, keys);
        const { challenge_id, options } = await r.auth.createPasskeyLoginOptions(projectId, email ? { appOrigin: location.origin, email } : { appOrigin: location.origin });
        const assertion = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
        const response = assertion.toJSON();
        const session = await r.auth.verifyPasskeyLogin(projectId, { challengeId: challenge_id, response }).catch(failure);
        // The same assertion on a fresh challenge: the signature is over the old one.
        const fresh = await r.auth.createPasskeyLoginOptions(projectId, { appOrigin: location.origin });
        const replay = await r.auth.verifyPasskeyLogin(projectId, { challengeId: fresh.challenge_id, response }).then(() => null, failure);
        return { session, allowed: options.allowCredentials ?? [], credentialId: assertion.id, replay };
      },
      async list({ apiBase, keys, projectId, accessToken }) {
        return client(apiBase, keys).auth.listPasskeys(projectId, { accessToken });
      },
      async remove({ apiBase, keys, projectId, accessToken, passkeyId }) {
        return client(apiBase, keys).auth.deletePasskey(projectId, { accessToken, passkeyId }).then(() => "deleted", failure);
      },
    };
  });
</script>
`;

function staticServer() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path === "/") return res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
    if (!path.startsWith("/pkg/")) return res.writeHead(404).end();
    const file = join(PKG, normalize(path.slice(4)));
    try {
      res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" }).end(await readFile(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let browser;
let server;
let page;
let cdp;
let authenticatorId;
const log = [];

before(async () => {
  server = await staticServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    timeout: 60_000,
  });
  page = await browser.newPage();
  page.on("console", (m) => log.push(`[console.${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => log.push(`[pageerror] ${e.message}`));
  page.setDefaultTimeout(20_000);
  cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  ({ authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  }));
  // localhost, not 127.0.0.1: an IP address cannot be a WebAuthn relying party id.
  await page.goto(`http://localhost:${server.address().port}/`);
  await page.evaluate(() => window.ready.then(() => true));
}, { skip: !existsSync(CHROMIUM) && "no /usr/bin/chromium" });

after(async () => {
  await browser?.close().catch(() => {});
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const inPage = (name, arg) => page.evaluate(([n, a]) => window.ready.then((h) => h[n](a)), [name, arg]).catch((e) => {
  throw new Error(`${e.message}\n--- page console ---\n${log.join("\n") || "(empty)"}`);
});

async function signedInUser(keys) {
  const base = await simulator();
  const email = `passkey-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const post = (path, body) => fetch(base + path, { method: "POST", headers: { apikey: keys.anon_key, "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
  await post("/auth/v1/signup", { email, password: "passkey-pass-1" });
  const session = await post("/auth/v1/token", { email, password: "passkey-pass-1" });
  return { email, accessToken: session.access_token, userId: session.user.id };
}

test("a passkey registered in Chromium signs the user in; counters advance; replays and deleted keys are refused", { skip: !existsSync(CHROMIUM) && "no /usr/bin/chromium" }, async () => {
  const { id: projectId, credentials } = await withProject();
  const keys = credentials.projects.get(projectId);
  const apiBase = await simulator();
  const user = await signedInUser(keys);
  const common = { apiBase, keys, projectId };

  const reg = await inPage("register", { ...common, accessToken: user.accessToken, label: "Virtual key" });
  assert.equal(reg.rpId, "localhost");
  assert.match(reg.record.id, /^pk_/);
  assert.deepEqual(
    [reg.record.rp_id, reg.record.created_origin, reg.record.label, reg.record.last_used_at],
    ["localhost", new URL(page.url()).origin, "Virtual key", null],
  );
  assert.ok(reg.record.transports.includes("internal"), JSON.stringify(reg.record.transports));
  assert.deepEqual([reg.replay?.error.kind, reg.replay?.error.code], ["api_error", "INVALID_CHALLENGE"]);
  // The authenticator holds the credential the gateway stored.
  const held = (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
  assert.equal(held.length, 1);
  assert.equal(Buffer.from(held[0].credentialId, "base64").toString("base64url"), reg.credentialId);

  // Login limited to the user's passkeys (by email), then a discoverable one (no email).
  const first = await inPage("login", { ...common, email: user.email });
  assert.deepEqual(first.allowed.map((c) => c.id), [reg.credentialId]);
  assert.ok(first.session.access_token, JSON.stringify(first.session));
  assert.equal(first.session.user.id, user.userId);
  assert.equal(first.credentialId, reg.credentialId);
  assert.deepEqual([first.replay?.error.kind, first.replay?.error.code], ["unauthorized", "PASSKEY_VERIFICATION_FAILED"]);
  const second = await inPage("login", { ...common });
  assert.deepEqual(second.allowed, []);
  assert.equal(second.session.user.email, user.email);

  // The passkey session is a real one, and the record shows its use.
  const me = await fetch(`${apiBase}/auth/v1/user`, { headers: { authorization: `Bearer ${second.session.access_token}` } });
  assert.equal((await me.json()).email, user.email);
  const { passkeys } = await inPage("list", { ...common, accessToken: second.session.access_token });
  assert.equal(passkeys.length, 1);
  assert.ok(passkeys[0].last_used_at);
  assert.equal(passkeys[0].last_used_origin, new URL(page.url()).origin);
  const counter = (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials[0].signCount;
  assert.ok(counter >= 2, `the authenticator signed ${counter} times`);

  // Deleted: gone from the list, and its assertions no longer sign anyone in.
  assert.equal(await inPage("remove", { ...common, accessToken: user.accessToken, passkeyId: passkeys[0].id }), "deleted");
  assert.deepEqual((await inPage("list", { ...common, accessToken: user.accessToken })).passkeys, []);
  const after = await inPage("login", { ...common });
  assert.deepEqual([after.session.error?.kind, after.session.error?.code], ["unauthorized", "PASSKEY_NOT_FOUND"]);
  const noisy = log.filter((l) => /^\[(console\.error|pageerror)/.test(l) && !l.includes("Failed to load resource: the server responded with a status of"));
  assert.deepEqual(noisy, []);
});
