// Every line marked WRONG must be a compile error under tsc --strict; the
// test checks each one is reported, and nothing else is.
import { Run402, withRetry, allowanceCredentials, signCiDelegation, githubActionsCredentials, type CredentialsProvider } from "@run402/sdk-wasm";
import { run402 as nodeRun402, fileSetFromDir } from "@run402/sdk-wasm/node";

const credentials: CredentialsProvider = { getAuth: () => null, getProject: () => null };
const noProject: CredentialsProvider = { getAuth: () => null }; // WRONG: getProject is required
new Run402({ credentials }); // WRONG: apiBase is required
new Run402({ apiBase: 1, credentials }); // WRONG: apiBase must be a string
allowanceCredentials({ projects: {} }); // WRONG: needs allowance or readAllowance

export async function wrong(r: Run402): Promise<void> {
  await r.projects.provision({ tier: "gold" }); // WRONG: not a tier
  await r.projects.provision({ region: "eu" }); // WRONG: unknown option
  await r.projects.sql("prj_1"); // WRONG: sql text is required
  await r.projects.sql("prj_1", "SELECT 1", "not an array"); // WRONG: params must be an array
  await r.projects.rest("prj_1", "t", { method: "PUT" }); // WRONG: not a REST method
  await r.projects.rest("prj_1", "t", { keyType: "root" }); // WRONG: not a key type
  await r.projects.getUsage(); // WRONG: the root client needs a project id
  const usage = await r.projects.getUsage("prj_1");
  const n: string = usage.api_calls; // WRONG: api_calls is a number
  await r.projects.nope("prj_1"); // WRONG: no such method
  await r.blobz.put(); // WRONG: no such namespace
  const p = await r.project("prj_1");
  await p.projects.provision(); // WRONG: scoped clients cannot provision
  await p.projects.usage(); // WRONG: scoped clients have no CLI aliases
  await p.projects.sql("prj_1", "SELECT 1", "x"); // WRONG: scoped sql takes (sql, params)
  await withRetry(() => r.service.health(), { attempts: "3" }); // WRONG: attempts is a number
  await r.projects.rest("prj_1", "t", { timeoutMs: "soon" }); // WRONG: timeoutMs is a number
  await r.projects.rest("prj_1", "t", { signal: "stop" }); // WRONG: signal is an AbortSignal
  const wrongRows: { id: number }[] = await r.projects.rest<string[]>("prj_1", "t"); // WRONG: T is string[]
  await r.ai.translate("prj_1", { text: "hi" }); // WRONG: `to` is required
  await r.ai.translate({ text: "hi", to: "es" }); // WRONG: the root client needs a project id
  await r.ai.generateImage({ prompt: "a fox", aspect: "wide" }); // WRONG: not an aspect
  await r.ai.generateImage(); // WRONG: the options (with prompt) are required
  await p.ai.usage("prj_1"); // WRONG: scoped usage takes no project id
  await p.image.usage(); // WRONG: scoped clients have no image alias
  const used: string = (await r.ai.usage("prj_1")).translation.used_words; // WRONG: a number
  await p.secrets.set("prj_1", "KEY", "v"); // WRONG: scoped set takes (key, value)
  await r.subdomains.claim("my-app", "dpl_1", { projectId: 5 }); // WRONG: projectId is a string
  const dnsText: string = (await r.domains.status("prj_1", "example.com")).dns_instructions; // WRONG: it is an object or null
  await r.domains.remove("example.com", "prj_1"); // WRONG: the project goes in { projectId }
  await r.senderDomain.register("prj_1"); // WRONG: the domain is required
  await p.senderDomain.inboundEnable("mail.example.com"); // WRONG: scoped clients have no CLI aliases
  await r.admin.setAgentContact({ email: "ops@example.com" }); // WRONG: name is required
  await r.admin.getProjectFinance("prj_1", { window: "1y" }); // WRONG: not a finance window
  await p.admin.sendMessage("hi"); // WRONG: admin is not on scoped clients
  await r.auth.requestMagicLink("prj_1", { email: "a@example.com" }); // WRONG: redirectUrl is required
  await r.auth.requestMagicLink("prj_1", { email: "a@example.com", redirectUrl: "https://a.example", intent: "signup" }); // WRONG: not an intent
  await r.auth.settings("prj_1", { public_signup: false }); // WRONG: a policy name, not a boolean
  await r.auth.setUserPassword("prj_1", { newPassword: "n3w-pass" }); // WRONG: accessToken is required
  await r.auth.inviteUser("prj_1", { email: "a@example.com", sendInvite: false }); // WRONG: inviteUser always invites
  await p.auth.magicLink({ email: "a@example.com", redirectUrl: "https://a.example" }); // WRONG: scoped clients have no CLI aliases
  const expiry: string = (await r.auth.verifyMagicLink("prj_1", "t")).expires_in; // WRONG: a number
  await r.functions.deploy("prj_1", { name: "hello" }); // WRONG: code is required
  await r.functions.deploy("prj_1", { name: "hello", code: "x", schedule: 5 }); // WRONG: schedule is a string or null
  await p.functions.invoke("prj_1", "hello"); // WRONG: scoped invoke takes (name, opts)
  await r.functions.logs("prj_1", "hello", { tail: "10" }); // WRONG: tail is a number
  const fnTimeout: string = (await r.functions.list("prj_1")).functions[0].timeout; // WRONG: a number
  await r.apps.fork({ name: "copy" }); // WRONG: versionId is required
  await r.apps.publish("prj_1", { visibility: "everyone" }); // WRONG: not a visibility
  await r.apps.browse("blog"); // WRONG: tags are an array
  await r.email.send("prj_1", { to: "a@example.com", template: "welcome" }); // WRONG: not a template
  await p.email.create("my-app"); // WRONG: scoped clients have no CLI aliases
  await r.email.webhooks.register("prj_1", { url: "https://h.example.com" }); // WRONG: events are required
  await p.email.webhooks.update("wh_1", { events: ["opened"] }); // WRONG: not a mail event
  const rawText: string = (await r.email.getRaw("prj_1", "msg_1")).bytes; // WRONG: bytes is a Uint8Array
  await r.billing.getHistory("0xabc", "10"); // WRONG: limit is a number
  await r.billing.tierCheckout("gold", { wallet: "0xabc" }); // WRONG: not a tier
  const credits: string = (await r.billing.getAccount("0xabc")).email_credits_remaining; // WRONG: a number
  await p.billing.getAccount("0xabc"); // WRONG: billing is not on scoped clients
  await r.contracts.provisionWallet("prj_1", { chain: "ethereum" }); // WRONG: not a contract chain
  await p.contracts.getWallet("prj_1", "cwlt_1"); // WRONG: scoped getWallet takes only the wallet id
  await r.contracts.setLowBalanceAlert("prj_1", "cwlt_1", 1000); // WRONG: wei is a decimal string
  await p.contracts.setAlert("cwlt_1", "1"); // WRONG: scoped clients have no CLI aliases
  await r.blobs.put("prj_1", "k", 42); // WRONG: not a blob source
  await r.blobs.put("prj_1", "k", "x", { visibility: "hidden" }); // WRONG: public or private
  await p.blobs.put("prj_1", "k", "x"); // WRONG: scoped put takes (key, source, opts)
  const blobSri: string = (await r.blobs.put("prj_1", "k", "x")).sri; // WRONG: sri can be null
  (await r.blobs.put("prj_1", "k", "x")).scriptTag({ type: "classic" }); // WRONG: type is "module" or absent
  await r.blobs.waitFresh("prj_1", { url: "https://x" }); // WRONG: sha256 is required
  await r.blobs.sign("prj_1", "k", { ttl_seconds: "60" }); // WRONG: ttl_seconds is a number
  await r.ci.createBinding({ project_id: "p", provider: "gitlab", subject_match: "s", allowed_actions: ["deploy"], allowed_events: ["push"], nonce: "n", signed_delegation: "d" }); // WRONG: not a provider
  await r.ci.createBinding({ project_id: "p", provider: "github-actions", subject_match: "s", allowed_actions: ["admin"], allowed_events: ["push"], nonce: "n", signed_delegation: "d" }); // WRONG: deploy is the only action
  await r.ci.listBindings("prj_1"); // WRONG: takes { project }
  signCiDelegation({ project_id: "p" }); // WRONG: subject_match, nonce and the lists are required
  githubActionsCredentials({ apiBase: "https://x" }); // WRONG: projectId is required
  await p.ci.getBinding("cib_1"); // WRONG: ci is not on scoped clients
  await r.deploy.apply({ site: { replace: { "a.html": "x" } } }); // WRONG: project is required
  await r.deploy.apply({ project: "p", site: { replace: { "a.html": 42 } } }); // WRONG: not a content source
  await r.deploy.getRelease("rel_1"); // WRONG: root getRelease takes { project, releaseId }
  await r.deploy.resolve({ project: "p", url: "https://x", host: "x" }); // WRONG: url or host, not both
  const op = await r.deploy.start({ project: "p" });
  for await (const e of op.events()) if (e.type === "plan.started") void e.diff; // WRONG: plan.started has no diff
  const releaseId: string = (await r.deploy.getActiveRelease({ project: "p" })).release_id; // WRONG: null before the first release
  void [credentials, noProject, n, wrongRows, used, dnsText, expiry, fnTimeout, rawText, credits, blobSri];
}

export async function wrongNode(r: Run402): Promise<void> {
  await r.sites.deployDir({ project: "prj_1", dir: "dist" }); // WRONG: only run402() from the node entry has deployDir
  await nodeRun402().sites.deployDir({ dir: "dist" }); // WRONG: project is required
  await nodeRun402().sites.deployDir({ project: "prj_1", dir: "dist", onEvent: "log" }); // WRONG: onEvent is a function
  await fileSetFromDir("dist", { includeSensitive: "yes" }); // WRONG: includeSensitive is a boolean
}
