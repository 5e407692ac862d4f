// Must compile under tsc --strict: typical use of the public surface.
import {
  Run402, run402, withRetry, isPaymentRequired, isRun402Error, isRetryableRun402Error, isProjectNotFound,
  LocalError, ApiError, type CredentialsProvider, type ProvisionResult, type ScopedRun402,
  type Run402ErrorKind, type ProjectRestResponse, type SchemaReport, type ExposeManifestValidationResult,
  type Ai, type ImageAspect, type GenerateImageResult,
  type AuthSettingsResult, type PasskeyRecord, type AuthUserAdminResult,
  type FunctionSummary, type FunctionLogEntry, type AppSummary, type ForkAppResult,
  type EmailWebhookEvent, type MailboxWebhookSummary,
  type SecretSummary, type SubdomainSummary, type DnsInstructions, type CustomDomainSummary, type TierName,
  signCiDelegation, buildCiDelegationStatement, buildCiDelegationResourceUri, githubActionsCredentials, createCiSessionCredentials,
  CI_GITHUB_ACTIONS_PROVIDER, V1_CI_ALLOWED_ACTIONS, V1_CI_ALLOWED_EVENTS_DEFAULT, type CiDelegationValues, type CiBindingRow,
  files, type SiteDeployResult,
  type DeployEvent, type DeployResult, type ReleaseSpec, type OperationSnapshot,
} from "@run402/sdk-wasm";
import { run402 as nodeRun402, fileSetFromDir, type FsFileSource, type NodeRun402 } from "@run402/sdk-wasm/node";

const keys = new Map<string, { anon_key: string; service_key: string }>();
const credentials: CredentialsProvider = {
  getAuth: () => null,
  getProject: async (id) => keys.get(id) ?? null,
  saveProject: (id, k) => { keys.set(id, k); },
  getActiveProject: () => "prj_1",
};

export async function main(): Promise<void> {
  const r = new Run402({ apiBase: "https://api.run402.com", credentials });
  const r2: Run402 = run402({ apiBase: "https://x", credentials, fetch: (url, init) => fetch(url, init) });
  const health = await r.service.health();
  const v: string = health.status;
  const project: ProvisionResult = await r.projects.provision({ tier: "prototype", name: "demo" });
  const id: string = project.project_id;
  await r.projects.sql(id, "CREATE TABLE t (id int)");
  const rows = await r.projects.sql(id, "SELECT * FROM t WHERE id = $1", [1]);
  const count: number | undefined = rows.rowCount;
  const items = await r.projects.rest(id, "t", "select=*");
  const res: ProjectRestResponse = await r.projects.restResponse(id, "t", { method: "POST", body: { id: 1 }, keyType: "service", query: { select: "id" } });
  const status: number = res.status;
  const schema: SchemaReport = await r.projects.schema(id);
  const usage = await r.projects.usage(id);
  const calls: number = usage.api_calls;
  const check: ExposeManifestValidationResult = await r.projects.validateExpose("{}", { project: id });
  const quote = await r2.projects.quote();
  const price: string | undefined = quote.tiers["prototype"]?.price;
  const p: ScopedRun402 = await r.project(id);
  await p.projects.sql("SELECT 1");
  await p.projects.rest("t");
  const scopedUsage = await p.projects.getUsage();
  const active: string | null = await r.projects.active();
  const q = await r.useProject(id);
  const pid: string = q.projectId;
  try {
    await withRetry(() => r.projects.getUsage(id), { attempts: 5, onRetry: (_e, attempt, delay) => console.log(attempt, delay) });
  } catch (e) {
    if (isPaymentRequired(e)) {
      const body: unknown = e.body;
      const k: "payment_required" = e.kind;
    } else if (isProjectNotFound(e)) {
      const missing: string = e.projectId;
    } else if (isRun402Error(e)) {
      const kind: Run402ErrorKind = e.kind;
      const json = JSON.stringify(e.toJSON());
      const retry: boolean = isRetryableRun402Error(e);
      const s: number | null = e.status;
    }
  }
  // Generic like @run402/sdk's rest<T>/restResponse<T> (TS2558 before), and sql<Row>.
  interface Todo { id: number; task: string }
  const todos: Todo[] = await r.projects.rest<Todo[]>(id, "todos", "select=id,task");
  const todoRes: ProjectRestResponse<Todo[]> = await r.projects.restResponse<Todo[]>(id, "todos");
  const firstTask: string | undefined = todoRes.body[0]?.task;
  const typedRows = await r.projects.sql<Todo>(id, "SELECT id, task FROM todos");
  const firstId: number | undefined = typedRows.rows?.[0]?.id;
  const scopedTodos: Todo[] = await p.projects.rest<Todo[]>("todos");
  // Per-call limits on methods that take options.
  await r.projects.rest(id, "todos", { query: "select=*", signal: new AbortController().signal, timeoutMs: 5000 });
  new Run402({ apiBase: "https://x", credentials, timeoutMs: 0 });
  void [todos, firstTask, firstId, scopedTodos];
  // ai, also reachable as r.image; scoped clients drop the project id.
  const hola: string = (await r.ai.translate(id, { text: "Hello", to: "es", from: "en", context: "greeting" })).text;
  const flagged: boolean = (await r.ai.moderate(id, "text")).flagged;
  const score: number | undefined = (await p.ai.moderate("text")).category_scores["violence"];
  const left: number = (await p.ai.usage()).translation.remaining_words;
  const aspect: ImageAspect = "portrait";
  const img: GenerateImageResult = await r.image.generateImage({ prompt: "a fox", aspect, idempotencyKey: "k1", timeoutMs: 1000 });
  const sameAi: Ai = r.image;
  await p.ai.translate({ text: "Hi", to: "fr", signal: new AbortController().signal });
  await p.ai.generateImage({ prompt: "a fox" });
  void [hola, flagged, score, left, img.content_type, sameAi];
  // secrets, subdomains, domains (3.3.3's result types), root and scoped.
  const nothing: void = await r.secrets.set(id, "API_KEY", "v");
  const secretKeys: SecretSummary[] = (await r.secrets.list(id)).secrets;
  const deletedKey: string = (await p.secrets.delete("API_KEY")).key;
  const claim = await r.subdomains.claim("my-app", "dpl_1", { projectId: id, timeoutMs: 1000 });
  const owner: string | null = claim.project_id;
  const subs: SubdomainSummary[] = await p.subdomains.list();
  const deletedAt: string = (await p.subdomains.delete("my-app")).deleted_at;
  const added = await r.domains.add(id, "example.com", "my-app");
  const dns: DnsInstructions | null = added.dns_instructions;
  const cname: string | undefined = dns?.cname_target;
  const domains: CustomDomainSummary[] = (await p.domains.list()).domains;
  const domainStatus: string = (await p.domains.status("example.com")).status;
  const removed: string = (await r.domains.remove("example.com")).status;
  await p.domains.remove("example.com", { projectId: "prj_2" });
  void [nothing, secretKeys, deletedKey, owner, subs, deletedAt, cname, domains, domainStatus, removed];
  // senderDomain and admin.
  const reg = await r.senderDomain.register(id, "mail.example.com");
  const dkimName: string | undefined = reg.dns_records[0]?.name;
  const sender: string | null = (await p.senderDomain.status()).domain;
  const mx: string | undefined = (await r.senderDomain.inboundEnable(id, "mail.example.com")).mx_record;
  await p.senderDomain.disableInbound("mail.example.com");
  const senderRemoved: void = await r.senderDomain.remove(id);
  const contact = await r.admin.setAgentContact({ name: "ops", email: "ops@example.com" });
  const level: "wallet_only" | "email_pending" | "email_verified" | "passkey_pending" | "operator_passkey" = contact.assurance_level;
  const verifiedAt: string | null = (await r.admin.getAgentContactStatus()).email_verified_at;
  const retry: number | undefined = (await r.admin.verifyAgentContactEmail()).verification_retry_after_seconds;
  const sentTo: string | undefined = (await r.admin.startOperatorPasskeyEnrollment()).enrollment_sent_to;
  const sent: string = (await r.admin.sendMessage("hi")).status;
  const finance = await r.admin.getProjectFinance(id, { window: "7d", cookie: "s=1" });
  const margin: number = finance.direct_margin_usd_micros;
  void [dkimName, sender, mx, senderRemoved, level, verifiedAt, retry, sentTo, sent, margin];
  // auth: end-user flows with the anon key or the user's token, admin calls with the service key.
  await r.auth.requestMagicLink(id, { email: "a@example.com", redirectUrl: "https://app.example.com", intent: "invite", clientState: { cart: 3 } });
  const session = await r.auth.verify(id, "r402ml_token");
  const accessToken: string = session.access_token;
  const trusted: boolean | undefined = session.magic_link?.state_trusted;
  const linkState: string | null | undefined = session.magic_link?.client_state;
  const noResult: void = await p.auth.setUserPassword({ accessToken, newPassword: "n3w-pass", currentPassword: "old-pass" });
  const authSettings: AuthSettingsResult = await p.auth.settings({ public_signup: "invite_only", preferred_sign_in_method: null });
  const signup: "open" | "known_email" | "invite_only" = authSettings.public_signup;
  const made: AuthUserAdminResult = await r.auth.inviteUser(id, { email: "b@example.com", redirectUrl: "https://app.example.com" });
  const verifiedEmail: string | null = made.email_verified_at;
  const pkReg = await p.auth.createPasskeyRegistrationOptions({ accessToken, appOrigin: "https://app.example.com" });
  const key: PasskeyRecord = await p.auth.verifyPasskeyRegistration({ accessToken, challengeId: pkReg.challenge_id, response: {}, label: "Laptop" });
  const lastUsed: string | null = key.last_used_at;
  const login = await r.auth.verifyPasskeyLogin(id, { challengeId: (await r.auth.createPasskeyLoginOptions(id, { appOrigin: "https://app.example.com" })).challenge_id, response: {} });
  const elevation: boolean | undefined = login.elevation_required;
  const keys: PasskeyRecord[] = (await p.auth.listPasskeys({ accessToken, timeoutMs: 5000 })).passkeys;
  await p.auth.deletePasskey({ accessToken, passkeyId: key.id });
  const providers: unknown = await p.auth.providers();
  await r.auth.promoteUser(id, "a@example.com");
  await p.auth.demote("a@example.com");
  void [trusted, linkState, noResult, signup, verifiedEmail, lastUsed, elevation, keys, providers];
  // functions and apps, root and scoped.
  const fn = await r.functions.deploy(id, { name: "hello", code: "export default async () => new Response('hi')", config: { timeout: 5 }, deps: ["zod@^3"], schedule: null });
  const fnUrl: string = fn.url;
  const invoked = await p.functions.invoke("hello", { method: "PUT", body: { a: 1 }, headers: { "x-a": "b" }, timeoutMs: 5000 });
  const took: number = invoked.duration_ms;
  await r.functions.invoke(id, "hello", { body: "raw" });
  const lines: FunctionLogEntry[] = (await p.functions.logs("hello", { tail: 10, since: Date.now() - 60_000, requestId: "req_abcd" })).logs;
  const fns: FunctionSummary[] = (await r.functions.list(id)).functions;
  const schedule: string | null = (await p.functions.update("hello", { schedule: null, memory: 256 })).schedule;
  const deletedFn: string = (await r.functions.delete(id, "hello")).name;
  const apps: AppSummary[] = (await r.apps.browse(["blog"])).apps;
  const version = await p.apps.publish({ tags: ["blog"], visibility: "unlisted", fork_allowed: true });
  const forkable: boolean = (await p.apps.getApp(version.id)).fork_allowed;
  const forked: ForkAppResult = await p.apps.fork({ versionId: version.id, name: "copy", subdomain: "copy" });
  const versionIds: string[] = (await r.apps.listVersions(id)).versions.map((x) => x.id);
  const updatedVersion: void = await r.apps.updateVersion(id, version.id, { description: "v2" });
  await p.apps.deleteVersion(version.id);
  void [fnUrl, took, lines, fns, schedule, deletedFn, apps, forkable, forked.readiness, versionIds, updatedVersion];
  // email and email.webhooks.
  const mailbox = await r.email.create(id, "my-app");
  const mailboxId: string = mailbox.mailbox_id;
  const sendsToday: number = (await p.email.getMailbox()).sends_today;
  const mail = await r.email.send(id, { to: "a@example.com", template: "notification", variables: { project_name: "A", message: "hi" } });
  const mailTemplate: string | null = mail.template;
  await p.email.send({ to: "a@example.com", subject: "Hi", html: "<p>hi</p>", from_name: "A", timeoutMs: 5000 });
  const firstMailId: string | undefined = (await r.email.list(id, { limit: 10, after: "msg_1" }))[0]?.id;
  const replies: { id: string; from: string; body: string; received_at: string }[] | undefined = (await p.email.get("msg_1")).replies;
  const rawBytes: Uint8Array = (await r.email.getRaw(id, "msg_2")).bytes;
  const hook = await p.email.webhooks.register({ url: "https://hooks.example.com/mail", events: ["delivery", "reply_received"] });
  const hookEvents: EmailWebhookEvent[] = (await r.email.webhooks.update(id, hook.webhook_id, { events: ["bounced"] })).events;
  const hooks: MailboxWebhookSummary[] = (await r.email.webhooks.list(id)).webhooks;
  const hookGone: void = await p.email.webhooks.delete(hook.webhook_id);
  const deletedMailbox: string = (await r.email.delete(id, mailboxId)).address;
  void [sendsToday, mailTemplate, firstMailId, replies, rawBytes, hookEvents, hooks, hookGone, deletedMailbox];
  // billing and contracts.
  const available: number = (await r.billing.balance("0xabc")).available_usd_micros;
  const billingTier: TierName | null = (await r.billing.getAccount("ops@example.com")).tier;
  const entryKind: "credit" | "debit" | undefined = (await r.billing.history("0xabc", 10)).entries[0]?.direction;
  const topup: string = (await r.billing.createCheckout("0xabc", 5_000_000)).topup_id;
  const billingId: string = (await r.billing.createEmail("ops@example.com")).id;
  const linked: void = await r.billing.linkWallet(billingId, "0xabc");
  const tierUrl: string = (await r.billing.tierCheckout("hobby", { email: "ops@example.com" })).checkout_url;
  await r.billing.buyEmailPack({ wallet: "0xabc" });
  const recharge: void = await r.billing.autoRecharge({ billingAccountId: billingId, enabled: true, threshold: 0 });
  void [available, billingTier, entryKind, topup, linked, tierUrl, recharge];
  const cw = await p.contracts.provisionWallet({ chain: "base-sepolia", recoveryAddress: "0xabc" });
  const cwId: string = cw.wallet_id;
  const balanceWei: string = (await r.contracts.getWallet(id, cwId)).balance_wei;
  const recoveryNow: string | null = (await p.contracts.listWallets()).wallets[0]!.recovery_address;
  const cleared: void = await p.contracts.setRecovery(cwId, null);
  await r.contracts.setAlert(id, cwId, "1000");
  const submitted = await p.contracts.call({ walletId: cwId, chain: "base-mainnet", to: "0xabc", abi: [], fn: "transfer", args: [], idempotencyKey: "k", timeoutMs: 5000 });
  const callState: "submitted" | "confirmed" | "failed" = (await r.contracts.status(id, submitted.call_id)).status;
  const readResult: unknown = (await p.contracts.read({ chain: "base-sepolia", contractAddress: "0xabc", abiFragment: [], functionName: "name", args: [] })).result;
  const drainHash: string | null = (await p.contracts.drain(cwId, "0xabc")).tx_hash;
  const gone: string | undefined = (await r.contracts.delete(id, cwId)).scheduled_deletion_at;
  void [balanceWei, recoveryNow, cleared, callState, readResult, drainHash, gone];
  // blobs.
  const asset = await r.blobs.put(id, "logo.png", new Uint8Array(3), { contentType: "image/png", immutable: true });
  const cdnUrl: string | null = asset.cdnUrl;
  const sri: string | null = asset.sri;
  const cacheKind: "immutable" | "mutable" | "private" = asset.cacheKind;
  const tag: string = asset.scriptTag({ type: "module", async: true }) + asset.linkTag({ rel: "preload", as: "script" }) + asset.imgTag("logo");
  await p.blobs.put("s.bin", new ReadableStream<Uint8Array>(), { size: 10, signal: AbortSignal.timeout(1000) });
  await r.blobs.put(id, "b.txt", { content: "hi" });
  const uploadSession = await r.blobs.initUploadSession(id, { key: "k", size_bytes: 1 });
  const partUrl: string | undefined = uploadSession.parts[0]?.url;
  const sessionStatus: string = (await p.blobs.getUploadSession(uploadSession.upload_id)).status;
  const completed = await r.blobs.completeUploadSession(id, uploadSession.upload_id, { parts: [{ part_number: 1, etag: '"e"', sha256: "0".repeat(64) }] }, { contentType: "text/plain" });
  const download: Response = await r.blobs.get(id, "logo.png");
  const page = await p.blobs.ls({ prefix: "a/", limit: 10 });
  const nextCursor: string | null = page.next_cursor;
  const listedKey: string | undefined = page.blobs[0]?.key;
  const removedBlob: void = await r.blobs.rm(id, "logo.png");
  const signedUrl: string = (await r.blobs.sign(id, "logo.png", { ttl_seconds: 60 })).signed_url;
  const observed: string | null = (await p.blobs.diagnoseUrl("https://x")).observedSha256;
  const fresh: boolean = (await r.blobs.waitFresh(id, { url: "https://x", sha256: "ab", timeoutMs: 5000 })).fresh;
  void [cdnUrl, sri, cacheKind, tag, partUrl, sessionStatus, completed.etag, download, nextCursor, listedKey, removedBlob, signedUrl, observed, fresh];
  // ci and its root helpers.
  const ciValues = {
    project_id: id, subject_match: "repo:o/n:ref:refs/heads/main", allowed_actions: V1_CI_ALLOWED_ACTIONS,
    allowed_events: V1_CI_ALLOWED_EVENTS_DEFAULT, github_repository_id: "1", expires_at: null, nonce: "0123456789abcdef",
  };
  const statement: string = buildCiDelegationStatement(ciValues satisfies CiDelegationValues);
  const resource: string = buildCiDelegationResourceUri({ ...ciValues, route_scopes: ["/api/*"] });
  const signed_delegation: string = signCiDelegation(ciValues, { allowance: { privateKey: "0x" }, apiBase: "https://x", issuedAt: "2030-01-01T00:00:00.000Z" });
  const binding: CiBindingRow = await r.ci.createBinding({ ...ciValues, provider: CI_GITHUB_ACTIONS_PROVIDER, signed_delegation, timeoutMs: 5000 });
  const repoId: string | null = binding.github_repository_id;
  const revokedAt: string | null = (await r.ci.revokeBinding(binding.id)).revoked_at;
  const bindingIds: string[] = (await r.ci.listBindings({ project: id })).bindings.map((b) => b.id);
  const expiresIn: number = (await r.ci.exchangeToken({ project_id: id, subject_token: "jwt" })).expires_in;
  const ci = new Run402({ apiBase: "https://api.run402.com", credentials: githubActionsCredentials({ projectId: id, env: {}, refreshBeforeSeconds: 30 }) });
  const ciSession: CredentialsProvider = createCiSessionCredentials({ projectId: id, getAccessToken: async () => "t" });
  void [statement, resource, repoId, revokedAt, bindingIds, expiresIn, ci, ciSession, (await r.ci.getBinding("cib_1")).use_count];
  // deploy: apply with events, start's operation narrowed by event type, the low-level path, reads.
  const spec: ReleaseSpec = {
    project: id,
    site: { replace: { "index.html": "<h1>hi</h1>", "logo.png": new Uint8Array([1]), "a.txt": { data: "x", contentType: "text/plain" } } },
    database: { migrations: [{ id: "001", sql: "create table t (id int)" }] },
    routes: { replace: [{ pattern: "/api/*", target: { type: "function", name: "api" } }] },
  };
  const applied: DeployResult = await r.deploy.apply(spec, { allowWarnings: true, maxRetries: 1, onEvent: (e: DeployEvent) => void e.type });
  const op = await p.deploy.start(spec, { idempotencyKey: "k" });
  for await (const e of op.events()) {
    if (e.type === "content.upload.progress") void (e.done / e.total);
    if (e.type === "commit.phase") void (e.phase === "migrate" && e.status === "failed");
    if (e.type === "ready") void e.releaseId.toUpperCase();
  }
  const snap: OperationSnapshot = await op.snapshot();
  const opError: string | undefined = snap.error?.code;
  const { plan, byteReaders } = await r.deploy.plan(spec, { dryRun: false });
  const firstBytes: Uint8Array | undefined = await byteReaders.get("ab")?.();
  await r.deploy.upload(plan, { project: id, byteReaders });
  const committed: string = (await r.deploy.commit(plan.plan_id ?? "", { project: id })).release_id;
  const liveRelease: string | null = (await r.deploy.getActiveRelease({ project: id })).release_id;
  const scopedRelease = await p.deploy.getRelease("rel_1", { siteLimit: 5 });
  // A scoped client fills in the project.
  const scopedDeploy: DeployResult = await p.deploy.apply({ site: { patch: { put: { "b.html": "<b>b</b>" } } } });
  const scopedLive: string | null = (await p.deploy.getActiveRelease({})).release_id;
  const scopedResolve: boolean = (await p.deploy.resolve({ host: "x.run402.com", path: "/" })).authorized;
  void [scopedDeploy, scopedLive, scopedResolve];
  const resolvedMatch: string = (await r.deploy.resolve({ project: id, url: "https://x.run402.com/" })).match;
  void [applied.urls, opError, firstBytes, committed, liveRelease, scopedRelease.site.paths, resolvedMatch];
  const err = new LocalError("bad input", "testing");
  const api = new ApiError("boom", 500, null, "testing");
  void [v, count, items, status, schema, calls, check, price, scopedUsage, active, pid, err, api];
}

// The Node subpath: fileSetFromDir, sites.deployDir on run402()'s client, files().
export async function nodeSites(): Promise<void> {
  const r: NodeRun402 = nodeRun402({ configDir: "/tmp/run402" });
  const plain: Run402 = r;
  const set: Record<string, FsFileSource> = await fileSetFromDir("dist", { ignore: new Set(["drafts"]), includeSensitive: false });
  const result: SiteDeployResult = await r.sites.deployDir({ project: "prj_1", dir: "dist", onEvent: (e) => console.log(e.type), timeoutMs: 60_000 });
  const id: string = result.deployment_id;
  const uploaded: number | undefined = result.bytes_uploaded;
  const site = files({ "index.html": "<h1>hi</h1>", "logo.png": new Uint8Array([1]) });
  const html: string = site["index.html"];
  void [plain, set, id, uploaded, html];
}
