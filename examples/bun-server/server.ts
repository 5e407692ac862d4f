// A guestbook in Bun that buys its own database. On first start it pays for
// a Run402 prototype project from your wallet ($0.10 in USDC, x402), creates
// its table and keeps the project's keys in a file; later starts reuse them.
//
//   GET  /   the latest entries and a form
//   POST /   adds an entry (form fields `name`, `message`), then back to /
//
// The wallet is the one the run402 CLI keeps (~/.config/run402/allowance.json,
// made by `run402 allowance create`), or the file RUN402_ALLOWANCE_PATH names.
import { writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { Run402, allowanceCredentials, isRun402Error } from "@run402/sdk-wasm";

const ALLOWANCE_PATH = process.env.RUN402_ALLOWANCE_PATH ?? `${homedir()}/.config/run402/allowance.json`;
// The CLI's keystore format ({ active_project_id, projects: { id: keys } }), so
// the file also works with other tools, such as the admin page example.
const KEYSTORE_PATH = process.env.GUESTBOOK_KEYSTORE ?? "guestbook-keys.json";

type Keystore = { active_project_id?: string; projects: Record<string, { anon_key: string; service_key: string }> };
type Entry = { id: number; name: string; message: string; created_at: string };

const keystoreFile = Bun.file(KEYSTORE_PATH);
const keystore: Keystore = (await keystoreFile.exists()) ? await keystoreFile.json() : { projects: {} };

const r = new Run402({
  apiBase: process.env.RUN402_API_BASE ?? "https://api.run402.com",
  credentials: allowanceCredentials({
    allowance: await Bun.file(ALLOWANCE_PATH).json(), // { address, privateKey }
    projects: keystore.projects, // provision() adds the new project's keys here
  }),
  // All this server ever buys is one prototype project: cap it there. With a
  // faucet (testnet-only) wallet, add networks: ["eip155:84532"].
  payments: { maxPerRequest: "0.10", maxTotal: "0.10" },
});

if (!keystore.active_project_id) {
  const { project_id } = await r.projects.provision({ tier: "prototype", name: "guestbook" }); // 402 → pay → 201
  keystore.active_project_id = project_id;
  // Saved before anything else can fail: the project is paid for. 0600: it holds the service key.
  await writeFile(KEYSTORE_PATH, JSON.stringify(keystore, null, 2), { mode: 0o600 });
  console.log(`provisioned ${project_id} (paid $${(await r.payments.spent()).total})`);
} else {
  console.log(`using ${keystore.active_project_id} from ${KEYSTORE_PATH}`);
}
const p = await r.project(keystore.active_project_id);
await p.projects.sql(
  "CREATE TABLE IF NOT EXISTS entries (id serial PRIMARY KEY, name text NOT NULL, message text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
);

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

async function page(): Promise<Response> {
  const entries = await p.projects.rest<Entry[]>("entries", { query: "select=*&order=id.desc&limit=50", keyType: "service" });
  const items = entries.map((e) => `<li><b>${escape(e.name)}</b>: ${escape(e.message)}</li>`).join("\n");
  return new Response(
    `<!doctype html>
<meta charset="utf-8">
<title>Guestbook</title>
<h1>Guestbook</h1>
<form method="post"><input name="name" placeholder="name" required> <input name="message" placeholder="message" required> <button>Sign</button></form>
<ul>
${items}
</ul>
`,
    { headers: { "content-type": "text/html; charset=utf-8" } },
  );
}

async function sign(req: Request): Promise<Response> {
  const form = await req.formData();
  const name = String(form.get("name") ?? "").trim().slice(0, 80);
  const message = String(form.get("message") ?? "").trim().slice(0, 500);
  if (!name || !message) return new Response("name and message are required", { status: 400 });
  await p.projects.sql("INSERT INTO entries (name, message) VALUES ($1, $2)", [name, message]);
  return Response.redirect(new URL("/", req.url), 303);
}

const server = Bun.serve({
  hostname: process.env.HOST ?? "0.0.0.0",
  port: Number(process.env.PORT ?? 3000),
  async fetch(req) {
    const { pathname } = new URL(req.url);
    if (pathname !== "/") return new Response("not found", { status: 404 });
    return req.method === "POST" ? sign(req) : page();
  },
  error(e) {
    // The SDK's messages never contain keys, so they are safe to log.
    console.error(isRun402Error(e) ? `run402 ${e.kind}: ${e.message}` : e);
    return new Response("something went wrong, try again", { status: isRun402Error(e) ? 502 : 500 });
  },
});
console.log(`guestbook on ${server.url}`);
