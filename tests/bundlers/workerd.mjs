// Runs a Worker bundle (what `wrangler deploy --dry-run --outdir` wrote) in
// workerd: the .js files as ES modules, each .wasm as a wasm module, which is
// how Cloudflare loads an upload (wasm compiled at load, never from bytes at
// run time). GET /?api=<gateway> answers the check as JSON.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { bin, describeRun, kill, launch } from "../runtimes/lib.mjs";

function config(modules) {
  const list = modules
    .map((m) => (m.endsWith(".wasm") ? `(name = "${m}", wasm = embed "${m}")` : `(name = "${m}", esModule = embed "${m}")`))
    .join(",\n    ");
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .fixture),
    # The default outbound reaches public addresses only; the gateway is on loopback.
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const fixture :Workerd.Worker = (
  modules = [
    ${list}
  ],
  compatibilityDate = "2025-06-01",
  globalOutbound = "loopback",
);
`;
}

/** The listening port, from workerd's control messages on fd 3. */
function listenPort(proc) {
  return new Promise((resolve, reject) => {
    let buf = "";
    proc.child.stdio[3].on("data", (d) => {
      buf += d;
      for (const line of buf.split("\n").slice(0, -1)) {
        try {
          const msg = JSON.parse(line);
          if (msg.event === "listen" && msg.socket === "http") resolve(msg.port);
        } catch {
          // not a control message
        }
      }
      buf = buf.slice(buf.lastIndexOf("\n") + 1);
    });
    proc.done.then((run) => reject(new Error(describeRun("workerd", run))));
  });
}

export async function runWorkerBundle({ workerd: dir, modules }, apiBase) {
  // workerd treats the first module as the main one.
  writeFileSync(join(dir, "fixture.capnp"), config(modules));
  const proc = launch(bin("workerd"), ["serve", "--control-fd=3", "fixture.capnp"], { cwd: dir, extraFds: 1, timeoutMs: 30_000 });
  let body;
  try {
    const port = await listenPort(proc);
    const res = await fetch(`http://127.0.0.1:${port}/?api=${encodeURIComponent(apiBase)}`, { signal: AbortSignal.timeout(15_000) });
    body = await res.json().catch(() => ({ ok: false, error: `HTTP ${res.status} with a non-JSON body` }));
  } finally {
    kill(proc.child);
  }
  const run = await proc.done;
  if (!body.ok) throw new Error(`the Worker's check failed: ${body.error}\n${describeRun("workerd", run)}`);
  if (run.stderr.trim()) throw new Error(`the check passed but workerd wrote to stderr:\n${run.stderr.trim()}`);
  return body.result;
}
