// The examples in examples/, as a user meets them: each copied into a fresh
// directory with the `npm pack` tarball of pkg/ installed in it (as the
// bundler suite does), started with its own runtime's command against a
// local gateway with x402 payments on, and driven through its own interface:
// HTTP for the servers, the invoke harness for the function, headless
// Chromium for the admin page (whose screenshot lands in .tmp/examples/).
//   node tests/examples/run.mjs [name filter]   (names are examples/ folders)
import { createServer } from "node:net";
import { cpSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fundTestWallet } from "../gateway/cli.mjs";
import { start } from "../gateway/server.mjs";
import { launchBrowser } from "../bundlers/browser.mjs";
import { stage } from "../bundlers/stage.mjs";
import { ROOT, bin, describeRun, kill, killAll, launch, simControl, waitForLine, withTimeout } from "../runtimes/lib.mjs";

const filter = process.argv[2];
const EXAMPLES = join(ROOT, "examples");
const SHOTS = join(ROOT, ".tmp", "examples");
const PRICE = 100_000; // a prototype project, in USDC base units

function check(ok, message) {
  if (!ok) throw new Error(message);
}

/** A free TCP port on 127.0.0.1, for tools that cannot be told to pick one. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** fetch with a deadline, answering { status, headers, body } (body parsed as JSON when it is JSON). */
async function http(url, init = {}) {
  const res = await fetch(url, { redirect: "manual", ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const isJson = (res.headers.get("content-type") ?? "").includes("json");
  return { status: res.status, headers: res.headers, body: isJson ? JSON.parse(text) : text };
}

const postJson = (url, body) => http(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** Retries GET `url` until the server answers at all (its first request may wait on a cold start). */
async function whenUp(url, proc, label, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(describeRun(label, await proc.done));
    try {
      return await http(url);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${label} did not answer ${url} within ${ms} ms (${err.message})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Stops a server we launched and returns its run; a server must log nothing on stderr. */
async function stop(proc, label, { quietStderr = true } = {}) {
  kill(proc.child);
  const run = await proc.done;
  if (quietStderr && run.stderr.trim()) throw new Error(`${label} wrote to stderr:\n${run.stderr.trim()}`);
  return run;
}

// ---- the cases ---------------------------------------------------------------------

const CASES = [
  {
    name: "function",
    how: "node invoke.mjs",
    async run({ install, env, admin, todoProject }) {
      const app = install("function");
      const invoke = async (...args) => {
        const done = await launch(process.execPath, ["invoke.mjs", "add-todo.js", ...args], { cwd: app, env, timeoutMs: 20_000 }).done;
        const [statusLine, ...rest] = done.stdout.trim().split("\n");
        if (done.code !== 0 || !/^HTTP \d+$/.test(statusLine) || done.stderr.trim()) throw new Error(describeRun("invoke.mjs", done));
        return { status: Number(statusLine.slice(5)), body: JSON.parse(rest.join("\n")) };
      };
      const before = await invoke("--method", "GET");
      check(before.status === 200 && Number.isInteger(before.body.open), `GET answered ${JSON.stringify(before)}`);
      const added = await invoke("--body", JSON.stringify({ task: "  from the function  " }));
      check(added.status === 201 && added.body.todo?.task === "from the function" && added.body.open === before.body.open + 1, `POST answered ${JSON.stringify(added)}`);
      const bad = await invoke("--body", "{}");
      check(bad.status === 400, `a POST without a task answered ${JSON.stringify(bad)}`);
      // The row is in the project's database, seen with the test's own client.
      const { rows } = await admin.projects.sql(todoProject, "SELECT task FROM todos WHERE id = $1", [added.body.todo.id]);
      check(rows[0]?.task === "from the function", `the database holds ${JSON.stringify(rows)}`);
    },
  },
  {
    name: "worker", how: "wrangler dev",
    async run({ install, env }) {
      const app = install("worker");
      // What a user puts in .dev.vars; the [vars] in wrangler.toml are overridden with --var.
      writeFileSync(join(app, ".dev.vars"), `RUN402_ANON_KEY=${env.RUN402_ANON_KEY}\nRUN402_SERVICE_KEY=${env.RUN402_SERVICE_KEY}\n`);
      const [port, inspector] = [await freePort(), await freePort()];
      const proc = launch(
        bin("wrangler"),
        ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--show-interactive-dev-session=false",
          "--var", `RUN402_API_BASE:${env.RUN402_API_BASE}`, "--var", `RUN402_PROJECT_ID:${env.RUN402_PROJECT_ID}`],
        // Its logs and dev registry stay in the app, not in ~/.config/.wrangler.
        { cwd: app, timeoutMs: 60_000, env: { WRANGLER_SEND_METRICS: "false", CI: "true", NO_UPDATE_NOTIFIER: "1", WRANGLER_LOG_PATH: join(app, ".wrangler", "logs"), WRANGLER_REGISTRY_PATH: join(app, ".wrangler", "registry") } },
      );
      try {
        const base = `http://127.0.0.1:${port}`;
        const first = await whenUp(`${base}/todos`, proc, "wrangler dev");
        check(first.status === 200 && Array.isArray(first.body), `GET /todos answered ${first.status} ${JSON.stringify(first.body)}`);
        const added = await postJson(`${base}/todos`, { task: "from the worker" });
        check(added.status === 201 && added.body.task === "from the worker" && added.body.done === false, `POST /todos answered ${added.status} ${JSON.stringify(added.body)}`);
        const list = await http(`${base}/todos`);
        check(list.body.some((t) => t.id === added.body.id), `GET /todos lacks the new todo: ${JSON.stringify(list.body)}`);
        check((await postJson(`${base}/todos`, { task: "" })).status === 400, "an empty task was not refused");
      } finally {
        // Wrangler's own stderr carries its offline warnings (it cannot fetch
        // Request.cf without the internet); the Worker's errors would show as 502s above.
        await stop(proc, "wrangler dev", { quietStderr: false });
      }
    },
  },
  {
    name: "deno-server", how: "deno check + deno run",
    async run({ install, env }) {
      const app = install("deno-server");
      // Type-checked against the package's index.d.ts, as `deno check` does for a user.
      const checked = await launch(bin("deno"), ["check", "main.ts"], { cwd: app, timeoutMs: 30_000, env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } }).done;
      check(checked.code === 0, describeRun("deno check main.ts", checked));
      // The gateway and the listening socket are both on 127.0.0.1 here.
      const allowEnv = "HOST,PORT,RUN402_API_BASE,RUN402_PROJECT_ID,RUN402_ANON_KEY,RUN402_SERVICE_KEY";
      const proc = launch(bin("deno"), ["run", "--no-prompt", "--allow-net=127.0.0.1", `--allow-env=${allowEnv}`, "main.ts"], {
        cwd: app,
        timeoutMs: 60_000,
        env: { ...env, HOST: "127.0.0.1", PORT: "0", DENO_NO_UPDATE_CHECK: "1" },
      });
      try {
        const url = (await waitForLine(proc, "listening on ", "the deno server")).slice("listening on ".length);
        const added = await postJson(url, { task: "from deno" });
        check(added.status === 201 && added.body.task === "from deno", `POST /todos answered ${added.status} ${JSON.stringify(added.body)}`);
        const done = await http(`${url}/${added.body.id}/done`, { method: "POST" });
        check(done.status === 200 && done.body.done === true, `POST /todos/:id/done answered ${done.status} ${JSON.stringify(done.body)}`);
        const list = await http(url);
        check(list.body.find((t) => t.id === added.body.id)?.done === true, `GET /todos does not show it done: ${JSON.stringify(list.body)}`);
        check((await http(`${url}/999999/done`, { method: "POST" })).status === 404, "marking a missing todo did not answer 404");
      } finally {
        await stop(proc, "the deno server");
      }
    },
  },
  {
    name: "bun-server", how: "bun, started twice",
    async run({ install, env, wallet, apiBase, keystore }) {
      const app = install("bun-server");
      const allowance = join(app, "allowance.json");
      writeFileSync(allowance, JSON.stringify(wallet), { mode: 0o600 });
      const bunEnv = { RUN402_API_BASE: env.RUN402_API_BASE, RUN402_ALLOWANCE_PATH: allowance, HOST: "127.0.0.1", PORT: "0" };
      const serve = async (expectLine) => {
        const proc = launch(bin("bun"), ["--no-install", "server.ts"], { cwd: app, env: bunEnv, timeoutMs: 60_000 });
        try {
          const url = (await waitForLine(proc, "guestbook on ", "the bun server")).slice("guestbook on ".length);
          check(expectLine.test(proc.out.stdout), `the bun server's log does not match ${expectLine}:\n${proc.out.stdout}`);
          return { proc, url };
        } catch (err) {
          kill(proc.child);
          throw new Error(`${err.message}\n${describeRun("the bun server", await proc.done)}`);
        }
      };
      let { proc, url } = await serve(/^provisioned prj_\S+ \(paid \$0\.10\)$/m);
      const keysFile = join(app, "guestbook-keys.json");
      const saved = JSON.parse(readFileSync(keysFile, "utf8"));
      check(saved.projects[saved.active_project_id]?.service_key, `the keystore lacks the project's keys: ${JSON.stringify(Object.keys(saved))}`);
      check((statSync(keysFile).mode & 0o777) === 0o600, "the keystore is not mode 0600");
      // The admin page's case shows this project's usage too.
      keystore.projects[saved.active_project_id] = saved.projects[saved.active_project_id];
      try {
        const form = new URLSearchParams({ name: "Ada", message: "<script>alert(1)</script> hi" });
        const signed = await http(url, { method: "POST", body: form });
        check(signed.status === 303 && new URL(signed.headers.get("location")).pathname === "/", `POST / answered ${signed.status} (location ${signed.headers.get("location")})`);
        const page = await http(url);
        check(page.body.includes("<b>Ada</b>: &lt;script&gt;alert(1)&lt;/script&gt; hi"), `GET / does not show the escaped entry:\n${page.body}`);
      } finally {
        await stop(proc, "the bun server");
      }
      // Restarted, it finds its keystore and pays nothing more.
      ({ proc, url } = await serve(/^using prj_\S+ from guestbook-keys\.json$/m));
      try {
        const page = await http(url);
        check(page.body.includes("&lt;script&gt;alert(1)"), "the entry is gone after a restart");
      } finally {
        await stop(proc, "the bun server");
      }
      const ledger = await simControl(apiBase, `ledger?address=${wallet.address}`);
      const payments = ledger.transactions.filter((t) => t.kind === "payment" && t.from === wallet.address.toLowerCase());
      // One for the todo project the harness bought, one for the guestbook.
      check(payments.length === 2 && payments.every((t) => t.value === PRICE), `the wallet's payments: ${JSON.stringify(payments)}`);
    },
  },
  {
    name: "admin-page", how: "vite 8 build + preview, Chromium",
    async run({ install, apiBase, wallet, keystore, admin, todoProject }) {
      const app = install("admin-page");
      const vite = await import("vite");
      await vite.build({ root: app, logLevel: "error" });
      const server = await vite.preview({ root: app, logLevel: "error", preview: { port: 0, host: "127.0.0.1", strictPort: false } });
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage({ locale: "en-US", viewport: { width: 1180, height: 560 } });
        const log = [];
        page.on("console", (m) => log.push(`[console.${m.type()}] ${m.text()} (${m.location().url})`));
        page.on("pageerror", (e) => log.push(`[pageerror] ${e.message}`));
        page.on("requestfailed", (r) => log.push(`[requestfailed] ${r.url()}: ${r.failure()?.errorText}`));
        page.setDefaultTimeout(20_000);
        await page.goto(`http://127.0.0.1:${server.httpServer.address().port}/`);
        await page.fill("input[name=apiBase]", apiBase);
        await page.fill("input[name=wallet]", wallet.address);
        await page.fill("textarea[name=keys]", JSON.stringify(keystore, null, 2));
        await page.click("button");
        await page.waitForFunction(() => /^\d+ projects?$|:/.test(document.querySelector("#status").textContent));
        const status = await page.textContent("#status");
        // The wallet's projects as the gateway lists them to the test's own client.
        const ids = (await admin.projects.list(wallet.address)).projects.map((p) => p.id);
        check(ids.length > 0 && ids.every((id) => keystore.projects[id]), `the wallet owns ${ids}, the keystore has ${Object.keys(keystore.projects)}`);
        check(status === `${ids.length} project${ids.length === 1 ? "" : "s"}`, `the page says "${status}"\n${log.join("\n")}`);
        await page.screenshot({ path: join(SHOTS, "admin-page.png"), fullPage: true });

        const nf = new Intl.NumberFormat("en-US");
        for (const id of ids) {
          const cells = await page.$$eval(`tr[data-project-id="${id}"] td`, (tds) => tds.map((td) => td.textContent));
          const usage = await admin.projects.getUsage(id); // after the page's read; reads are not counted as calls
          const want = [id, id === todoProject ? "todos" : "guestbook", "prototype", usage.status, `${nf.format(usage.api_calls)} / ${nf.format(usage.api_calls_limit)}`];
          check(JSON.stringify(cells.slice(0, 5)) === JSON.stringify(want), `row ${id}: ${JSON.stringify(cells)}, expected it to start ${JSON.stringify(want)}`);
          check(usage.api_calls > 0, `${id} shows no API calls: the examples ran nothing against it`);
          check(/ \/ 250 MB$/.test(cells[5]), `row ${id} storage: ${cells[5]}`);
        }
        const noisy = log.filter((l) => /^\[(console\.(error|warning)|pageerror|requestfailed)/.test(l) && !l.includes("/favicon.ico"));
        check(!noisy.length, `the page logged:\n${noisy.join("\n")}`);
        // The page's CSP is in force, so the page working shows that it admits
        // the SDK: an inline script (not allowed by script-src) is refused.
        const refused = await page.evaluate(() => new Promise((resolve) => {
          document.addEventListener("securitypolicyviolation", (e) => resolve(e.effectiveDirective), { once: true });
          const script = Object.assign(document.createElement("script"), { textContent: "window.inlineRan = true" });
          document.head.append(script);
          setTimeout(() => resolve(window.inlineRan ? "it ran" : "no violation reported"), 2_000);
        }));
        check(refused === "script-src-elem", `the page's Content-Security-Policy is not in force: an inline script gave ${refused}`);
      } finally {
        await browser.close().catch(() => {});
        await new Promise((resolve) => server.httpServer.close(resolve));
      }
    },
  },
];

// ---- the run ------------------------------------------------------------------------

const t0 = performance.now();
mkdirSync(SHOTS, { recursive: true });
const sim = await start({ port: 0, payments: true });
const staged = stage();
const rows = [];
let failed = 0;
try {
  // What a user has before trying the examples: a funded wallet and a
  // project with a `todos` table, bought through the tarball's Node entry.
  const { Run402, allowanceCredentials } = await import(join(staged.pkgDir, "entry-node.js"));
  const wallet = fundTestWallet(sim, 1);
  const keystore = { projects: {} };
  const admin = new Run402({ apiBase: sim.url, credentials: allowanceCredentials({ allowance: wallet, projects: keystore.projects }) });
  const { project_id: todoProject, anon_key, service_key } = await admin.projects.provision({ tier: "prototype", name: "todos" });
  await admin.projects.sql(todoProject, "CREATE TABLE todos (id serial PRIMARY KEY, task text NOT NULL, done boolean NOT NULL DEFAULT false)");
  const env = { RUN402_API_BASE: sim.url, RUN402_PROJECT_ID: todoProject, RUN402_ANON_KEY: anon_key, RUN402_SERVICE_KEY: service_key };
  const install = (name) => {
    const app = join(staged.dir, name);
    cpSync(join(EXAMPLES, name), app, { recursive: true, filter: (src) => !/[/\\](node_modules|dist|\.wrangler)$/.test(src) });
    cpSync(staged.pkgDir, join(app, "node_modules", "@run402", "sdk-wasm"), { recursive: true });
    return app;
  };
  const ctx = { install, env, wallet, keystore, admin, todoProject, apiBase: sim.url };
  console.log(`setup: gateway, tarball, a paid project (${Math.round(performance.now() - t0)} ms)`);

  for (const c of CASES.filter((c) => !filter || c.name.includes(filter))) {
    const started = performance.now();
    try {
      await withTimeout(c.run(ctx), 90_000, c.name);
      rows.push({ name: c.name, how: c.how, ok: true, ms: performance.now() - started });
      console.log(`✓ ${c.name} (${Math.round(performance.now() - started)} ms)`);
    } catch (err) {
      failed++;
      rows.push({ name: c.name, how: c.how, ok: false, ms: performance.now() - started });
      console.error(`\n✗ ${c.name}\n${err.stack ?? err}\n`);
    }
  }
} catch (err) {
  failed++;
  console.error(`the examples' setup failed:\n${err.stack ?? err}`);
} finally {
  killAll();
  await sim.close();
  if (!failed) staged.remove();
  else console.error(`fixtures kept in ${staged.dir}`);
}

console.log("\n| example | run with | result | time |\n| --- | --- | --- | --- |");
for (const r of rows) console.log(`| ${r.name} | ${r.how} | ${r.ok ? "ok" : "FAILED"} | ${(r.ms / 1000).toFixed(1)} s |`);
console.log(`\n${rows.filter((r) => r.ok).length}/${rows.length} examples passed in ${((performance.now() - t0) / 1000).toFixed(1)} s; screenshot: ${join(SHOTS, "admin-page.png")}`);
process.exit(failed ? 1 : 0);
