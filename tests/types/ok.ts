// Must compile under tsc --strict: typical use of the public surface.
import {
  Run402, run402, withRetry, isPaymentRequired, isRun402Error, isRetryableRun402Error, isProjectNotFound,
  LocalError, ApiError, type CredentialsProvider, type ProvisionResult, type ScopedRun402,
  type Run402ErrorKind, type ProjectRestResponse, type SchemaReport, type ExposeManifestValidationResult,
  type Ai, type ImageAspect, type GenerateImageResult,
  type SecretSummary, type SubdomainSummary, type DnsInstructions, type CustomDomainSummary,
  signCiDelegation, buildCiDelegationStatement, buildCiDelegationResourceUri, githubActionsCredentials, createCiSessionCredentials,
  CI_GITHUB_ACTIONS_PROVIDER, V1_CI_ALLOWED_ACTIONS, V1_CI_ALLOWED_EVENTS_DEFAULT, type CiDelegationValues, type CiBindingRow,
} from "@run402/sdk-wasm";

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
  const session: CredentialsProvider = createCiSessionCredentials({ projectId: id, getAccessToken: async () => "t" });
  void [statement, resource, repoId, revokedAt, bindingIds, expiresIn, ci, session, (await r.ci.getBinding("cib_1")).use_count];
  const err = new LocalError("bad input", "testing");
  const api = new ApiError("boom", 500, null, "testing");
  void [v, count, items, status, schema, calls, check, price, scopedUsage, active, pid, err, api];
}
