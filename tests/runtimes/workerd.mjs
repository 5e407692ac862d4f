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
import { bin, describeRun, kill, launch, paidPhase } from "./lib.mjs";

const WASM = "run402_sdk_wasm_bg.wasm";

function capnpConfig() {
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .smokeWorker),
    # The default outbound only reaches public addresses; the simulator is on loopback.
    (name = "loopback", network = (allow = ["local"])),
  ],
  # Port 0: the real port comes back on the control fd.
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);

const smokeWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "${WASM}", wasm = embed "${WASM}"),
  ],
  compatibilityDate = "2025-06-01",
  globalOutbound = "loopback",
);
`;
}

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

/** Resolves with the listening port from workerd's control messages. */
function listenPort(proc) {
  return new Promise((resolve, reject) => {
    let buf = "";
    proc.child.stdio[3].on("data", (d) => {
      buf += d;
      for (const line of buf.split("\n").slice(0, -1)) {
        let msg;
        try {
          msg = JSON.parse(line);
        } catch {
          continue; // not a control message we know
        }
        if (msg.event === "listen" && msg.socket === "http") resolve(msg.port);
      }
      buf = buf.slice(buf.lastIndexOf("\n") + 1);
    });
    proc.done.then((run) => reject(new Error(describeRun("workerd", run))));
  });
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
  writeFileSync(join(outDir, "config.capnp"), capnpConfig());

  const proc = launch(bin("workerd"), ["serve", "--control-fd=3", "config.capnp"], { cwd: outDir, extraFds: 1, timeoutMs: 25_000 });
  let body;
  let paid;
  let paidError;
  try {
    const port = await listenPort(proc);
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
