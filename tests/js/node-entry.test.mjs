// The Node/Bun/Deno subpath `@run402/sdk-wasm/node`: `run402()` with no
// options, over the run402 CLI's own files in a temporary RUN402_CONFIG_DIR.
// The oracle for the file formats is the reference, @run402/sdk 3.3.3's
// `@run402/sdk/node`, reading and writing the same directory: ours pays and
// provisions, the reference uses the project, and the other way round.
// Windows (file modes, rename over an open file) is out of scope.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { run402 as referenceRun402, NodeCredentialsProvider } from "@run402/sdk/node";
import { run402, fileCredentials, Run402, isLocalError, isRun402Error } from "../../pkg/node.js";
import * as mainEntry from "../../pkg/entry-node.js";
import * as nodeEntry from "../../pkg/node.js";
import { start } from "../gateway/server.mjs";
import { bin, stagePackage } from "../runtimes/lib.mjs";
import { routeChainToSimulator } from "./reference-chain.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;
const run = promisify(execFile);
const ENV_KEYS = ["RUN402_API_BASE", "RUN402_CONFIG_DIR", "RUN402_ALLOWANCE_PATH", "RUN402_WALLET", "RUN402_PROFILE"];
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
const TESTNET = { networks: ["eip155:84532"] };

let sim;
let root;
let chain;
let stage;

before(async () => {
  // Our own simulator: the runner's does not charge.
  sim = await start({ port: 0, payments: true });
  root = mkdtempSync(join(tmpdir(), "run402-node-entry-"));
  for (const k of ENV_KEYS) delete process.env[k];
  process.env.RUN402_API_BASE = sim.url;
  // The reference's paid fetch reads balances over public RPC first: keep it on the simulator.
  chain = routeChainToSimulator(sim.url);
});

after(async () => {
  chain?.restore();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await sim?.close();
  stage?.remove();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A fresh config directory, made the CLI's (RUN402_CONFIG_DIR) for what follows. */
function configDir(name) {
  const dir = join(root, name);
  mkdirSync(dir);
  process.env.RUN402_CONFIG_DIR = dir;
  return dir;
}

async function fund(address, usd) {
  const res = await fetch(`${sim.url}/__sim/fund`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ address, amount: Math.round(usd * 1e6) }),
  });
  assert.ok(res.ok, `fund: ${res.status}`);
}

const balance = async (address) => (await (await fetch(`${sim.url}/__sim/ledger?address=${address}`)).json()).balances["eip155:84532"] ?? 0;
const mode = (path) => statSync(path).mode & 0o777;
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));

async function rejects(promise, guard) {
  const err = await promise.then((v) => assert.fail(`expected a rejection, got ${JSON.stringify(v)}`), (e) => e);
  assert.ok(guard(err), `unexpected error: ${err?.name}: ${err?.message}`);
  return err;
}

describe("run402() from @run402/sdk-wasm/node and @run402/sdk/node share the CLI's files", () => {
  it("ours makes the wallet and pays for a project; the reference runs SQL on it and signs in with that wallet", async () => {
    const dir = configDir("ours-first");
    const r = run402({ payments: TESTNET });
    const made = await r.allowance.create();
    assert.equal(made.path, join(dir, "allowance.json"));
    assert.equal(mode(made.path), 0o600);
    const wallet = readJson(made.path);
    assert.equal(wallet.address, made.address);
    assert.match(wallet.privateKey, /^0x[0-9a-f]{64}$/);
    assert.equal(wallet.funded, false);

    await fund(made.address, 1);
    const project = await r.projects.provision({ tier: "prototype" });
    assert.equal(await balance(made.address), 900_000, "paid $0.10 from allowance.json");
    const keystore = join(dir, "projects.json");
    assert.equal(mode(keystore), 0o600);
    assert.deepEqual(readJson(keystore).projects[project.project_id], { anon_key: project.anon_key, service_key: project.service_key });
    const used = await r.useProject(project.project_id);
    await used.projects.sql("CREATE TABLE notes (id serial PRIMARY KEY, body text)");
    await used.projects.sql("INSERT INTO notes (body) VALUES ($1)", ["from wasm"]);
    assert.equal(readJson(keystore).active_project_id, project.project_id);

    // The reference, zero-config too, finds the keys, the active project and the wallet.
    const ref = referenceRun402();
    const rows = await ref.projects.sql(project.project_id, "SELECT body FROM notes");
    assert.deepEqual(rows.rows, [{ body: "from wasm" }]);
    assert.equal((await ref.project()).projectId, project.project_id);
    assert.equal((await ref.allowance.status()).address, made.address);
    assert.equal((await ref.tier.status()).wallet.toLowerCase(), made.address.toLowerCase());
  });

  it("the reference makes the wallet and pays; ours runs SQL on its project, sees its active project, signs in", async () => {
    const dir = configDir("reference-first");
    const ref = referenceRun402();
    const made = await ref.allowance.create();
    await fund(made.address, 1);
    // A fresh client: the reference builds its paid fetch once, after funding.
    const project = await referenceRun402().projects.provision({ tier: "prototype" });
    await ref.projects.use(project.project_id);
    await ref.projects.sql(project.project_id, "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('from the reference')");

    const r = run402();
    assert.deepEqual((await r.projects.sql(project.project_id, "SELECT body FROM notes")).rows, [{ body: "from the reference" }]);
    const active = await r.project();
    assert.equal(active.projectId, project.project_id);
    assert.deepEqual((await active.projects.sql("SELECT count(*)::int AS n FROM notes")).rows, [{ n: 1 }]);
    assert.equal((await r.allowance.status()).address, made.address);
    assert.equal((await r.allowance.status()).path, join(dir, "allowance.json"));
    assert.equal((await r.tier.status()).wallet.toLowerCase(), made.address.toLowerCase());

    // Ours pays from the reference's wallet file too.
    const second = await run402({ payments: TESTNET }).projects.provision({ tier: "prototype" });
    assert.equal(await balance(made.address), 800_000);
    const keys = await new NodeCredentialsProvider().getProject(second.project_id);
    assert.equal(keys.service_key, second.service_key, "the reference reads what ours saved");
  });
});

describe("fileCredentials: the keystore", () => {
  it("saveProject, updateProject, setActiveProject and removeProject persist, with the CLI's fallback", async () => {
    const dir = configDir("keystore");
    const c = fileCredentials();
    const ref = new NodeCredentialsProvider();
    await c.saveProject("prj_a", { anon_key: "a1", service_key: "a2" });
    await c.saveProject("prj_b", { anon_key: "b1", service_key: "b2" });
    await c.updateProject("prj_a", { site_url: "https://a.run402.app" });
    await c.updateProject("prj_unknown", { site_url: "x" });
    assert.deepEqual(await ref.getProject("prj_a"), { anon_key: "a1", service_key: "a2", site_url: "https://a.run402.app" });
    assert.equal(await ref.getProject("prj_unknown"), null, "updateProject never creates a project");
    await c.setActiveProject("prj_a");
    await c.setActiveProject("prj_b");
    assert.equal(await ref.getActiveProject(), "prj_b");
    assert.equal(readJson(join(dir, "projects.json")).previous_active_project_id, "prj_a");
    await c.removeProject("prj_b");
    assert.equal(await c.getActiveProject(), "prj_a", "the previously active project takes over");
    assert.equal(await c.getProject("prj_b"), null);
    await c.removeProject("prj_a");
    assert.equal(await c.getActiveProject(), null);
    assert.deepEqual(readJson(join(dir, "projects.json")), { projects: {} });

    // And what the reference writes, ours reads.
    await ref.saveProject("prj_r", { anon_key: "r1", service_key: "r2" });
    await ref.setActiveProject("prj_r");
    assert.deepEqual(await c.getProject("prj_r"), { anon_key: "r1", service_key: "r2" });
    assert.equal(await c.getActiveProject(), "prj_r");
    assert.equal(mode(join(dir, "projects.json")), 0o600);
  });

  it("reads the legacy array form and old per-project fields, and writes the current form", async () => {
    const dir = configDir("legacy-keystore");
    const path = join(dir, "projects.json");
    writeFileSync(path, JSON.stringify([
      { project_id: "prj_old", anon_key: "o1", service_key: "o2", tier: "hobby", expires_at: "2020-01-01", site_url: "https://old.run402.app" },
      { anon_key: "no id: skipped", service_key: "x" },
    ]));
    const c = fileCredentials();
    assert.deepEqual(await c.getProject("prj_old"), { anon_key: "o1", service_key: "o2", site_url: "https://old.run402.app" });
    await c.saveProject("prj_new", { anon_key: "n1", service_key: "n2" });
    assert.deepEqual(readJson(path), {
      projects: {
        prj_old: { anon_key: "o1", service_key: "o2", site_url: "https://old.run402.app" },
        prj_new: { anon_key: "n1", service_key: "n2" },
      },
    });
    // The object form drops the fields the gateway now owns.
    writeFileSync(path, JSON.stringify({ active_project_id: "prj_x", projects: { prj_x: { anon_key: "x1", service_key: "x2", tier: "team", lease_expires_at: "2030-01-01" } } }));
    assert.deepEqual(await c.getProject("prj_x"), { anon_key: "x1", service_key: "x2" });
    // A keystore that is not JSON reads as empty, as for the CLI.
    writeFileSync(path, "{ not json");
    assert.equal(await c.getProject("prj_x"), null);
    assert.equal(await c.getActiveProject(), null);
  });

  it("concurrent writers (ours and the reference's, in four processes and in one) lose no project and never tear the file", async (t) => {
    const dir = configDir("concurrent");
    const path = join(dir, "projects.json");
    const PER_WRITER = 25;
    const ours = (tag) => `
      import { fileCredentials } from "./pkg/node.js";
      const c = fileCredentials();
      for (let i = 0; i < ${PER_WRITER}; i++) await c.saveProject("prj_${tag}_" + i, { anon_key: "a", service_key: "s" });`;
    const theirs = (tag) => `
      import { NodeCredentialsProvider } from "@run402/sdk/node";
      const c = new NodeCredentialsProvider();
      for (let i = 0; i < ${PER_WRITER}; i++) await c.saveProject("prj_${tag}_" + i, { anon_key: "a", service_key: "s" });`;
    const writers = { w1: ours("w1"), w2: ours("w2"), r1: theirs("r1"), r2: theirs("r2") };
    const inProcess = fileCredentials();
    const t0 = performance.now();
    await Promise.all([
      ...Object.values(writers).map((code) => run(process.execPath, ["--input-type=module", "-e", code], { cwd: ROOT, env: process.env, timeout: 60_000 })),
      ...Array.from({ length: PER_WRITER }, (_, i) => inProcess.saveProject(`prj_here_${i}`, { anon_key: "a", service_key: "s" })),
    ]);
    const ms = performance.now() - t0;
    const ids = Object.keys(readJson(path).projects).sort();
    const expected = ["w1", "w2", "r1", "r2", "here"].flatMap((tag) => Array.from({ length: PER_WRITER }, (_, i) => `prj_${tag}_${i}`)).sort();
    assert.deepEqual(ids, expected);
    assert.equal(existsSync(`${path}.lock`), false, "the lock is released");
    assert.equal(mode(path), 0o600);
    t.diagnostic(`${expected.length} saves from 5 writers in ${ms.toFixed(0)} ms`);
  });

  it("waits for a live lock and breaks one left by a writer that died", async () => {
    const dir = configDir("locks");
    const path = join(dir, "projects.json");
    const lock = `${path}.lock`;
    const c = fileCredentials();

    mkdirSync(lock);
    let saved = false;
    const saving = c.saveProject("prj_waited", { anon_key: "a", service_key: "s" }).then(() => { saved = true; });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(saved, false, "a held lock is waited on");
    assert.equal(existsSync(path), false);
    rmdirSync(lock);
    await saving;
    assert.ok(await c.getProject("prj_waited"));

    mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const t0 = performance.now();
    await c.saveProject("prj_after_crash", { anon_key: "a", service_key: "s" });
    assert.ok(performance.now() - t0 < 1000, "a stale lock is broken at once");
    assert.ok(await c.getProject("prj_after_crash"));
    assert.equal(existsSync(lock), false);
  });
});

describe("fileCredentials: the allowance", () => {
  it("renames a legacy wallet.json to allowance.json and tightens its mode; the reference reads it", async () => {
    const dir = configDir("legacy-wallet");
    const privateKey = generatePrivateKey();
    const address = privateKeyToAccount(privateKey).address;
    writeFileSync(join(dir, "wallet.json"), JSON.stringify({ address, privateKey, created: "2025-01-01T00:00:00.000Z", funded: true }), { mode: 0o644 });
    chmodSync(join(dir, "wallet.json"), 0o644);
    const r = run402();
    assert.equal(await r.allowance.export(), address);
    assert.equal(existsSync(join(dir, "wallet.json")), false);
    assert.equal(mode(join(dir, "allowance.json")), 0o600);
    assert.equal((await referenceRun402().allowance.status()).address, address);
    assert.equal((await r.tier.status()).wallet.toLowerCase(), address.toLowerCase(), "signed in with the renamed wallet");
  });

  it("RUN402_ALLOWANCE_PATH moves only the wallet; RUN402_WALLET picks a named wallet's directory", async () => {
    const dir = configDir("env-paths");
    const elsewhere = join(root, "elsewhere", "wallet-file.json");
    process.env.RUN402_ALLOWANCE_PATH = elsewhere;
    try {
      const r = run402();
      const made = await r.allowance.create();
      assert.equal(made.path, elsewhere);
      assert.equal(mode(elsewhere), 0o600);
      assert.equal(existsSync(join(dir, "allowance.json")), false);
      assert.equal((await referenceRun402().allowance.status()).address, made.address);
    } finally {
      delete process.env.RUN402_ALLOWANCE_PATH;
    }
    process.env.RUN402_WALLET = "agent-2";
    try {
      const c = fileCredentials();
      await c.saveProject("prj_named", { anon_key: "a", service_key: "s" });
      assert.ok(existsSync(join(dir, "profiles", "agent-2", "projects.json")));
      assert.equal(c.getAllowancePath(), join(dir, "profiles", "agent-2", "allowance.json"));
      assert.deepEqual(await new NodeCredentialsProvider().getProject("prj_named"), { anon_key: "a", service_key: "s" });
      process.env.RUN402_WALLET = "../escape";
      assert.throws(() => c.getAllowancePath(), isLocalError);
    } finally {
      delete process.env.RUN402_WALLET;
    }
  });

  it("a file that is not JSON is no wallet; a wrong shape is a LocalError that never quotes the key", async () => {
    const dir = configDir("bad-wallet");
    const path = join(dir, "allowance.json");
    writeFileSync(path, "not json", { mode: 0o600 });
    const r = run402();
    assert.deepEqual(await r.allowance.status(), { address: "", configured: false });
    const secret = `0x${"ab".repeat(31)}`; // one byte short
    writeFileSync(path, JSON.stringify({ address: `0x${"11".repeat(20)}`, privateKey: secret }));
    const err = await rejects(r.allowance.status(), isLocalError);
    assert.match(err.message, /privateKey/);
    assert.ok(!JSON.stringify(err).includes(secret.slice(2, 20)) && !err.message.includes(secret.slice(2, 20)));
    await rejects(Promise.resolve().then(() => fileCredentials().saveAllowance({ address: "0x1", privateKey: secret })), isLocalError);
    assert.ok(readFileSync(path, "utf8").includes(secret), "a refused write leaves the file as it was");
  });
});

describe("run402() options and environment", () => {
  /** The URL of the first request a client makes, through a fetch that answers 200. */
  async function firstUrl(opts) {
    let url;
    const fetch = async (input) => {
      url = String(input instanceof Request ? input.url : input);
      return new Response(JSON.stringify({ status: "ok" }), { headers: { "content-type": "application/json" } });
    };
    await run402({ ...opts, fetch }).service.health();
    return url;
  }

  it("apiBase: RUN402_API_BASE, else https://api.run402.com; empty warns; a bad value names the variable", async () => {
    configDir("api-base");
    assert.equal(await firstUrl({}), `${sim.url}/health`);
    assert.equal(await firstUrl({ apiBase: "http://127.0.0.1:9" }), "http://127.0.0.1:9/health", "an explicit apiBase wins");
    try {
      delete process.env.RUN402_API_BASE;
      assert.equal(await firstUrl({}), "https://api.run402.com/health");
      process.env.RUN402_API_BASE = "";
      const warned = [];
      const warn = console.warn;
      console.warn = (...a) => warned.push(a.join(" "));
      try {
        assert.equal(await firstUrl({}), "https://api.run402.com/health");
      } finally {
        console.warn = warn;
      }
      assert.match(warned.join("\n"), /RUN402_API_BASE is set but empty/);
      for (const bad of ["not a url", "ftp://api.run402.com"]) {
        process.env.RUN402_API_BASE = bad;
        assert.throws(() => run402(), (e) => isLocalError(e) && /RUN402_API_BASE/.test(e.message));
      }
    } finally {
      process.env.RUN402_API_BASE = sim.url;
    }
  });

  it("exports the main entry too, with explicit paths and bad options handled", async () => {
    const dir = configDir("options");
    for (const [name, value] of Object.entries(mainEntry)) {
      if (name !== "run402" && name !== "signCiDelegation") assert.equal(nodeEntry[name], value, `${name} is re-exported`);
    }
    assert.notEqual(nodeEntry.run402, mainEntry.run402, "run402 is the zero-config one");
    assert.notEqual(nodeEntry.signCiDelegation, mainEntry.signCiDelegation, "signCiDelegation reads the CLI's allowance");
    assert.ok(run402() instanceof Run402);
    const keystorePath = join(dir, "custom", "keys.json");
    const c = fileCredentials({ keystorePath, allowancePath: join(dir, "custom", "w.json") });
    await c.saveProject("prj_c", { anon_key: "a", service_key: "s" });
    assert.deepEqual(readJson(keystorePath).projects.prj_c, { anon_key: "a", service_key: "s" });
    assert.equal(c.getAllowancePath(), join(dir, "custom", "w.json"));
    assert.equal(fileCredentials({ configDir: join(dir, "pinned") }).getAllowancePath(), join(dir, "pinned", "allowance.json"));
    assert.throws(() => fileCredentials({ configDir: 5 }), isLocalError);
    assert.throws(() => run402("nope"), isLocalError);
    assert.throws(() => run402({ get apiBase() { throw new Error("boom"); } }), isLocalError);
    await rejects(Promise.resolve().then(() => c.saveProject("", { anon_key: "a", service_key: "s" })), isLocalError);
    // __proto__ is stored as a plain key, not a prototype.
    await c.saveProject("__proto__", { anon_key: "p", service_key: "q" });
    assert.deepEqual(await c.getProject("__proto__"), { anon_key: "p", service_key: "q" });
    assert.equal(await c.getProject("constructor"), null);
    // A provider failure inside an SDK call is a typed error, not a crash.
    const locked = run402({ keystorePath: join(dir, "not-a-dir.json", "keys.json") });
    writeFileSync(join(dir, "not-a-dir.json"), "");
    const err = await rejects(locked.projects.sql("prj_c", "SELECT 1"), isRun402Error);
    assert.ok(err.kind === "local_error" || err.kind === "project_not_found", err.kind);
  });
});

describe("signCiDelegation from the subpath", () => {
  it("signs with the wallet in allowance.json for RUN402_API_BASE, like the reference's Node entry", async () => {
    const dir = configDir("ci");
    const privateKey = generatePrivateKey();
    const address = privateKeyToAccount(privateKey).address;
    writeFileSync(join(dir, "allowance.json"), JSON.stringify({ address, privateKey }), { mode: 0o600 });
    const values = {
      project_id: "prj_1", subject_match: "repo:o/n:ref:refs/heads/main", allowed_actions: ["deploy"], allowed_events: ["push"],
      github_repository_id: null, expires_at: null, nonce: "0123456789abcdef",
    };
    const times = { issuedAt: "2030-01-01T00:00:00.000Z", expirationTime: "2030-01-01T00:05:00.000Z" };
    const fromFile = nodeEntry.signCiDelegation(values, times);
    assert.equal(fromFile, mainEntry.signCiDelegation(values, { ...times, allowance: { address, privateKey }, apiBase: sim.url }));
    const { signCiDelegation: referenceSign } = await import("@run402/sdk/node");
    assert.equal(fromFile, referenceSign(values, times), "the reference reads the same file and base");
    const other = join(dir, "other.json");
    const otherKey = generatePrivateKey();
    writeFileSync(other, JSON.stringify({ address: privateKeyToAccount(otherKey).address, privateKey: otherKey }), { mode: 0o600 });
    assert.equal(JSON.parse(Buffer.from(nodeEntry.signCiDelegation(values, { allowancePath: other }), "base64")).address, privateKeyToAccount(otherKey).address);
    rmSync(join(dir, "allowance.json"));
    assert.throws(() => nodeEntry.signCiDelegation(values), (e) => isLocalError(e) && /allowance/.test(e.message));
  });
});

describe("the subpath as installed: exports map, types, Deno and Bun", () => {
  before(async () => {
    stage = await stagePackage();
  });

  it("node.d.ts compiles under tsc --strict (node16 and nodenext), and a wrong option does not", async () => {
    const good = `import { run402, fileCredentials, Run402, isRun402Error, type FileCredentialsOptions } from "@run402/sdk-wasm/node";
const opts: FileCredentialsOptions = { configDir: "/tmp/x" };
const r: Run402 = run402();
const r2 = run402({ allowancePath: "/tmp/w.json", payments: { maxTotal: "1" }, timeoutMs: 1000 });
const c = fileCredentials(opts);
const path: string = c.getAllowancePath();
export async function main(): Promise<void> {
  await c.saveProject("prj", { anon_key: "a", service_key: "s" });
  const active: string | null = await c.getActiveProject();
  try { await r.projects.sql("prj", "SELECT 1"); } catch (e) { if (isRun402Error(e)) console.log(e.kind, active, path, r2); }
}
`;
    const bad = `import { run402 } from "@run402/sdk-wasm/node";
run402({ configDir: 5 });
`;
    writeFileSync(join(stage.dir, "good.ts"), good);
    writeFileSync(join(stage.dir, "bad.ts"), bad);
    // Both files in one run (tsc with the DOM lib takes seconds): every error must be bad.ts's.
    for (const module of ["node16", "nodenext"]) {
      const config = join(stage.dir, `tsconfig.${module}.json`);
      writeFileSync(config, JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module, moduleResolution: module, target: "ES2022", lib: ["ES2022", "DOM"], types: [], skipLibCheck: false },
        files: ["good.ts", "bad.ts"],
      }));
      const out = await run(bin("tsc"), ["-p", config], { cwd: stage.dir }).then(() => "", (e) => e.stdout + e.stderr);
      const errors = out.split("\n").filter((l) => /error TS/.test(l));
      assert.equal(errors.length, 1, `${module}:\n${out}`);
      assert.match(errors[0], /^bad\.ts\(2,\d+\): error TS2322/, module);
    }
  });

  // Also deploys a directory: the subpath's file reader must reach the wasm
  // instance the main entry loaded (in Deno and Bun, the bundled entry-web.js).
  const script = (siteDir) => `import { run402 } from "@run402/sdk-wasm/node";
const r = run402();
const p = await r.project();
const { rows } = await p.projects.sql("SELECT body FROM notes");
const site = await r.sites.deployDir({ project: p.projectId, dir: ${JSON.stringify(siteDir)} });
const served = await (await fetch(new URL("index.html", site.url))).text();
console.log("RESULT " + JSON.stringify({ id: p.projectId, rows, wallet: (await r.tier.status()).wallet, served }));
`;

  /** A directory with a paid project (active) holding one note, made by ours under Node. */
  async function projectDir(name) {
    const dir = configDir(name);
    const r = run402({ payments: TESTNET });
    const { address } = await r.allowance.create();
    await fund(address, 1);
    const project = await r.projects.provision({ tier: "prototype" });
    const p = await r.useProject(project.project_id);
    await p.projects.sql(`CREATE TABLE notes (body text); INSERT INTO notes VALUES ('${name}')`);
    return { dir, id: project.project_id, address };
  }

  for (const [runtime, args] of [
    ["deno", (dir) => ["run", "--no-prompt", "--node-modules-dir=manual", "--allow-net=127.0.0.1", `--allow-read=${stage.dir},${dir}`, `--allow-write=${dir}`, "--allow-env", "run.mjs"]],
    ["bun", () => ["--no-install", "run.mjs"]],
  ]) {
    it(`${runtime} resolves the subpath and runs on the same files`, async () => {
      const made = await projectDir(`in-${runtime}`);
      const siteDir = join(made.dir, "site");
      mkdirSync(join(siteDir, "nested"), { recursive: true });
      writeFileSync(join(siteDir, "index.html"), `<h1>deployed from ${runtime}</h1>`);
      writeFileSync(join(siteDir, "nested", "a.txt"), "a");
      writeFileSync(join(stage.dir, "run.mjs"), script(siteDir));
      const env = { ...process.env, NO_COLOR: "1", DENO_DIR: join(stage.dir, ".deno"), DENO_NO_UPDATE_CHECK: "1", BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" };
      const { stdout } = await run(bin(runtime), args(made.dir), { cwd: stage.dir, env, timeout: 60_000 });
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      assert.ok(line, stdout);
      const result = JSON.parse(line.slice("RESULT ".length));
      assert.deepEqual(result, { id: made.id, rows: [{ body: `in-${runtime}` }], wallet: made.address, served: `<h1>deployed from ${runtime}</h1>` });
    });
  }

  it("the README's script runs as pasted, on a config dir with a funded wallet", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Scripts: zero-config from the CLI's files"));
    const code = section.match(/```js\n([\s\S]*?)```/)?.[1];
    assert.ok(code?.includes('from "@run402/sdk-wasm/node"'), "the section has its js block");
    const dir = configDir("readme");
    const { address } = await run402().allowance.create();
    await fund(address, 1);
    writeFileSync(join(stage.dir, "readme.mjs"), code);
    const { stdout } = await run(process.execPath, ["readme.mjs"], { cwd: stage.dir, env: process.env, timeout: 60_000 });
    assert.match(stdout, /\[ \{ ok: 1 \} \]/);
    assert.equal(await balance(address), 900_000);
    const keystore = readJson(join(dir, "projects.json"));
    assert.ok(keystore.projects[keystore.active_project_id], "the paid project is saved and active");
  });
});
