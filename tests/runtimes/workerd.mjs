// workerd (the Cloudflare Workers runtime): bundle worker-entry.mjs with
// esbuild the way wrangler does — conditions workerd,worker,browser, so the
// package loads entry-workerd.js — while keeping the `.wasm` import external.
// The config then declares the .wasm as a `wasm` module, which workerd
// compiles at load; compiling wasm from bytes at run time is forbidden on
// Cloudflare, so this is the only loading path that proves deployability.
// One workerd process serves both phases: GET /smoke, then POST /paid while
// lib.mjs paidPhase has simulator payments switched on.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { bin, describeRun, kill, launch, paidPhase, workerdConfig, workerdPort } from "./lib.mjs";

const WASM = "run402_sdk_wasm_bg.wasm";

/** Bundles the worker; returns the package entries it kept code from. */
async function bundle(stage, outDir) {
  const result = await esbuild.build({
    entryPoints: [join(stage.dir, "worker-entry.mjs")],
    outfile: join(outDir, "worker.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    // Left as `import ... from "./run402_sdk_wasm_bg.wasm"`, which the config
    // resolves to the wasm module of the same name.
    external: [`./${WASM}`],
    metafile: true,
    logLevel: "silent",
  });
  copyFileSync(join(stage.pkgDir, WASM), join(outDir, WASM));
  const [output] = Object.values(result.metafile.outputs);
  return Object.entries(output.inputs)
    .filter(([file, info]) => file.includes("@run402/sdk-wasm/entry-") && info.bytesInOutput > 0)
    .map(([file]) => file);
}

export async function runWorkerd(stage, apiBase) {
  const outDir = join(stage.dir, "workerd");
  mkdirSync(outDir, { recursive: true });
  const entries = await bundle(stage, outDir);
  if (entries.length !== 1 || !entries[0].endsWith("entry-workerd.js")) {
    // An empty list means the entry's initSync call was tree-shaken away
    // (e.g. by "sideEffects": false): the wasm would never be instantiated.
    throw new Error(
      `the esbuild bundle kept code from ${JSON.stringify(entries)}, expected entry-workerd.js; ` +
        `if empty, the bundler dropped the entry's wasm init (check "sideEffects" in pkg/package.json)`,
    );
  }
  writeFileSync(join(outDir, "config.capnp"), workerdConfig(["worker.js", WASM]));

  const proc = launch(bin("workerd"), ["serve", "--control-fd=3", "config.capnp"], { cwd: outDir, extraFds: 1, timeoutMs: 25_000 });
  let body;
  let paid;
  let paidError;
  try {
    const port = await workerdPort(proc);
    const worker = `http://127.0.0.1:${port}`;
    body = await jsonOf(await fetch(`${worker}/smoke?api=${encodeURIComponent(apiBase)}`, { signal: AbortSignal.timeout(15_000) }));
    if (body.ok) {
      try {
        paid = await paidPhase(apiBase, "workerd", async (wallet) => {
          const res = await fetch(`${worker}/paid`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ api: apiBase, wallet }),
            signal: AbortSignal.timeout(15_000),
          });
          const out = await jsonOf(res);
          if (!out.ok) throw new Error(`worker paid smoke failed: ${out.error}`);
          return out.result;
        });
      } catch (err) {
        paidError = err;
      }
    }
  } finally {
    kill(proc.child);
  }
  const run = await proc.done; // all of workerd's output, now that it has exited
  if (!body.ok) throw new Error(`worker smoke failed: ${body.error}\n${describeRun("workerd", run)}`);
  if (paidError) throw new Error(`${paidError.message}\n${describeRun("workerd", run)}`, { cause: paidError });
  if (run.stderr.trim()) throw new Error(`the smoke passed but workerd wrote to stderr:\n${run.stderr.trim()}`);
  return { ...body.result, paid, entry: entries[0] };
}

async function jsonOf(res) {
  return res.json().catch(() => ({ ok: false, error: `HTTP ${res.status} with a non-JSON body` }));
}
