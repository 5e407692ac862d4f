// One case per tool and target, each with the tool's default settings: the
// only options passed are where the app is, where the output goes, the
// target the user picks, and (for servers) a free port. `settings` names
// anything else a user has to add (the README says the same).
// A case's build(app, apiBase, browser) returns how to run what it built:
//   { page: url, close? }          a page for Chromium
//   { cli: [cmd, ...args], cwd }   a process that prints one RESULT line
//   { workerd: dir, modules }      a Worker bundle for workerd
//   { run }                        anything else: a function that returns the check
// plus `out` (the directory of emitted files, for the size column) and the
// tool's `warnings`. A `control` case checks its own outcome (a restriction
// the others rely on is in force, or a script's own output) and returns
// nothing for the harness to check.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { bin, describeRun, launch } from "../runtimes/lib.mjs";
import { pageFor, runPage, serveStatic, workerPage, workerPageScript } from "./browser.mjs";
import { NEXT_EDGE_CONDITIONS, bundleEdge, runEdge } from "./edge.mjs";
import { writeQuickStart } from "./readme.mjs";
import { start } from "../gateway/server.mjs";
import { write } from "./stage.mjs";

const run = promisify(execFile);

async function tool(cmd, args, cwd, env = {}) {
  try {
    return await run(cmd, args, { cwd, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 16 << 20 });
  } catch (err) {
    throw new Error(`${[cmd.split("/").pop(), ...args].join(" ")} failed: ${err.message}\n--- stdout ---\n${err.stdout}\n--- stderr ---\n${err.stderr}`);
  }
}

/** A static page around the emitted files in `out`. */
async function staticPage(out, apiBase) {
  const server = await serveStatic(out, apiBase);
  return { page: server.url, close: server.close };
}

// ---- Vite: build + preview, and the dev server ------------------------------

function viteCases(label, pkgName) {
  const load = () => import(pkgName);
  const quiet = { logLevel: "error", configFile: false };
  const address = (server) => `http://127.0.0.1:${server.address().port}/`;
  return [
    {
      name: `${label} build + preview`,
      app: label,
      async build(app, apiBase) {
        const vite = await load();
        await vite.build({ root: app, ...quiet });
        const server = await vite.preview({ root: app, ...quiet, preview: { port: 0, host: "127.0.0.1", strictPort: false } });
        return { page: address(server.httpServer), close: () => server.close(), out: join(app, "dist") };
      },
    },
    {
      name: `${label} dev server`,
      app: `${label}-dev`,
      async build(app) {
        const vite = await load();
        const server = await vite.createServer({ root: app, ...quiet, server: { port: 0, host: "127.0.0.1" } });
        await server.listen();
        return { page: address(server.httpServer), close: () => server.close() };
      },
    },
  ];
}

// ---- webpack -------------------------------------------------------------------

function webpackBuild(app, target, entry, outName) {
  return import("webpack").then(
    ({ default: webpack }) =>
      new Promise((resolve, reject) => {
        const out = join(app, outName);
        webpack({ mode: "production", context: app, target, entry, output: { path: out } }, (err, stats) => {
          if (err) return reject(err);
          const info = stats.toJson({ all: false, errors: true, warnings: true });
          if (stats.hasErrors()) return reject(new Error(info.errors.map((e) => e.message).join("\n")));
          // Headlines only ("asset size limit", ...): the details name hashed files.
          resolve({ out, warnings: info.warnings.map((w) => w.message.split(/[:\n]/)[0]) });
        });
      }),
  );
}

// ---- the list ---------------------------------------------------------------------

export const CASES = [
  ...viteCases("vite 5", "vite5"),
  ...viteCases("vite 6", "vite6"),
  ...viteCases("vite 8", "vite"),
  {
    name: "webpack 5 target web",
    app: "webpack-web",
    async build(app, apiBase) {
      const { out, warnings } = await webpackBuild(app, "web", "./src/browser.js", "dist");
      write(out, "index.html", pageFor("main.js", { module: false }));
      return { ...(await staticPage(out, apiBase)), out, warnings };
    },
  },
  {
    name: "webpack 5 target webworker",
    app: "webpack-webworker",
    async build(app, apiBase) {
      const { out, warnings } = await webpackBuild(app, "webworker", "./src/worker.js", "dist");
      write(out, "index.html", workerPage);
      write(out, "page.js", workerPageScript("main.js"));
      return { ...(await staticPage(out, apiBase)), out, warnings };
    },
  },
  {
    name: "esbuild browser (default iife)",
    app: "esbuild-iife",
    async build(app, apiBase) {
      const out = join(app, "dist");
      await tool(bin("esbuild"), ["src/browser.js", "--bundle", `--outfile=${join(out, "main.js")}`, "--log-level=warning"], app);
      write(out, "index.html", pageFor("main.js", { module: false }));
      return { ...(await staticPage(out, apiBase)), out };
    },
  },
  {
    name: "esbuild browser --format=esm",
    app: "esbuild-esm",
    async build(app, apiBase) {
      const out = join(app, "dist");
      await tool(bin("esbuild"), ["src/browser.js", "--bundle", "--format=esm", "--minify", `--outfile=${join(out, "main.js")}`, "--log-level=warning"], app);
      write(out, "index.html", pageFor("main.js", { module: true }));
      return { ...(await staticPage(out, apiBase)), out };
    },
  },
  {
    // The control for the CSP the static pages are served with: without
    // 'wasm-unsafe-eval' the same bundle must be refused, or the header is
    // not in force and the other pages prove nothing about it.
    name: "CSP without 'wasm-unsafe-eval' is refused",
    app: "csp-control",
    control: true,
    async build(app, apiBase, browser) {
      const out = join(app, "dist");
      await tool(bin("esbuild"), ["src/browser.js", "--bundle", "--format=esm", `--outfile=${join(out, "main.js")}`, "--log-level=warning"], app);
      write(out, "index.html", pageFor("main.js", { module: true }));
      const server = await serveStatic(out, apiBase, { wasm: false });
      return {
        close: server.close,
        run: async () => {
          const refused = await runPage(await browser(), server.url, apiBase).then(() => null, (err) => err);
          // Chromium: "WebAssembly.Module(): Compiling or instantiating WebAssembly module violates the following Content Security policy directive ..."
          const refusal = /WebAssembly[^\n]*Content Security/i;
          if (!refusal.test(String(refused?.message))) throw new Error(`the page was not refused for its CSP (${refused?.message ?? "it ran"})`);
          console.log(`  refused as expected: ${refused.message.match(refusal)[0]}`);
        },
      };
    },
  },
  {
    name: "esbuild --platform=node",
    app: "esbuild-node",
    async build(app) {
      const out = join(app, "dist");
      // The default format for node is CommonJS; .cjs because the app is "type": "module".
      await tool(bin("esbuild"), ["src/server.js", "--bundle", "--platform=node", `--outfile=${join(out, "server.cjs")}`, "--log-level=warning"], app);
      return { cli: [process.execPath, join(out, "server.cjs")], cwd: out, out };
    },
  },
  {
    name: "rollup + node-resolve",
    app: "rollup",
    async build(app, apiBase) {
      const { rollup } = await import("rollup");
      const { nodeResolve } = await import("@rollup/plugin-node-resolve");
      const warnings = [];
      const bundle = await rollup({ input: join(app, "src/browser.js"), plugins: [nodeResolve()], onwarn: (w) => warnings.push(w.message) });
      const out = join(app, "dist");
      await bundle.write({ dir: out, format: "es" });
      await bundle.close();
      write(out, "index.html", pageFor("browser.js", { module: true }));
      return { ...(await staticPage(out, apiBase)), out, warnings };
    },
  },
  {
    name: "bun build (browser)",
    app: "bun-browser",
    async build(app, apiBase) {
      const out = join(app, "dist");
      await tool(bin("bun"), ["build", "./src/browser.js", "--outdir", out], app);
      write(out, "index.html", pageFor("browser.js", { module: true }));
      return { ...(await staticPage(out, apiBase)), out };
    },
  },
  {
    name: "bun build --target=bun",
    app: "bun-bun",
    async build(app) {
      const out = join(app, "dist");
      await tool(bin("bun"), ["build", "./src/server.js", "--target=bun", "--outdir", out], app);
      return { cli: [bin("bun"), join(out, "server.js")], cwd: out, out };
    },
  },
  {
    name: "bun build --target=node",
    app: "bun-node",
    // Bun's bundler sets no condition that tells a bundle from Node itself.
    settings: "--conditions=module",
    async build(app) {
      const out = join(app, "dist");
      await tool(bin("bun"), ["build", "./src/server.js", "--target=node", "--conditions=module", "--outdir", out], app);
      return { cli: [process.execPath, join(out, "server.js")], cwd: out, out };
    },
  },
  {
    name: "wrangler deploy --dry-run → workerd",
    app: "wrangler",
    async build(app) {
      const out = join(app, "dist");
      await tool(bin("wrangler"), ["deploy", "--dry-run", "--outdir", out], app, { WRANGLER_SEND_METRICS: "false", CI: "true", NO_UPDATE_NOTIFIER: "1" });
      // The entry (named after wrangler.toml's main) first: workerd's main module.
      const modules = readdirSync(out).filter((f) => f.endsWith(".js")).concat(readdirSync(out).filter((f) => f.endsWith(".wasm")));
      return { workerd: out, modules, out };
    },
  },
  {
    name: "Vercel Edge (edge-light) in edge-runtime",
    app: "edge",
    async build(app, apiBase) {
      // The control first: the wasm-inlined entry must be refused there, or
      // the emulation proves nothing about the edge-light entry.
      const control = await bundleEdge(app, "src/edge.js", NEXT_EDGE_CONDITIONS.filter((c) => c !== "edge-light"));
      const refused = await runEdge(control, apiBase).then(() => null, (err) => err);
      if (!/Dynamic WASM code generation/.test(String(refused?.message))) {
        throw new Error(`the edge emulation did not refuse compiling wasm from bytes (${refused ?? "it ran"}): it cannot test the edge-light entry`);
      }
      const bundle = await bundleEdge(app, "src/edge.js", NEXT_EDGE_CONDITIONS);
      if (bundle.wasmFiles.length !== 1) throw new Error(`expected one .wasm?module import from entry-edge-light.js, got ${bundle.wasmFiles.length}`);
      return { run: () => runEdge(bundle, apiBase) };
    },
  },
  {
    // Its own simulator with payments on: the shared one runs with them off.
    name: "README quick start, pasted (Node, paying gateway)",
    app: "readme",
    control: true,
    async build(app) {
      const sim = await start({ port: 0, payments: true });
      const file = writeQuickStart(app, sim.url);
      return {
        close: sim.close,
        run: async () => {
          const done = await launch(process.execPath, [file], { cwd: app, timeoutMs: 30_000 }).done;
          if (done.code !== 0 || done.stderr.trim() || !/total: '0\.10'/.test(done.stdout)) throw new Error(describeRun("the quick start", done));
        },
      };
    },
  },
  {
    name: "Node 20 ESM (no bundler)",
    app: "node",
    build: async (app) => ({ cli: [process.execPath, "src/server.js"], cwd: app }),
  },
  {
    name: "Node require() (no bundler)",
    app: "node-require",
    build: async (app) => ({ cli: [process.execPath, "src/server.cjs"], cwd: app }),
  },
  {
    name: "Deno, --allow-net only",
    app: "deno",
    build: async (app, apiBase) => ({
      cli: [bin("deno"), "run", "--no-prompt", "--node-modules-dir=manual", `--allow-net=${new URL(apiBase).host}`, "src/server.js"],
      cwd: app,
      env: { DENO_NO_UPDATE_CHECK: "1" },
    }),
  },
  {
    name: "Bun (no bundler)",
    app: "bun",
    build: async (app) => ({ cli: [bin("bun"), "--no-install", "src/server.js"], cwd: app }),
  },
];
