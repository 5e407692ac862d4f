// Runs a Worker bundle (what `wrangler deploy --dry-run --outdir` wrote) in
// workerd: the .js files as ES modules, each .wasm as a wasm module, which is
// how Cloudflare loads an upload (wasm compiled at load, never from bytes at
// run time). GET /?api=<gateway> answers the check as JSON.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { bin, describeRun, kill, launch, workerdConfig, workerdPort } from "../runtimes/lib.mjs";

export async function runWorkerBundle({ workerd: dir, modules }, apiBase) {
  // workerd treats the first module as the main one.
  writeFileSync(join(dir, "fixture.capnp"), workerdConfig(modules));
  const proc = launch(bin("workerd"), ["serve", "--control-fd=3", "fixture.capnp"], { cwd: dir, extraFds: 1, timeoutMs: 30_000 });
  let body;
  try {
    const port = await workerdPort(proc);
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
