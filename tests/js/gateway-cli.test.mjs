// The README's local-gateway command, run as a developer would: it must say
// at once that it is starting, then print its URL and a funded test wallet
// that the SDK can pay with, and stop cleanly on Ctrl-C (SIGINT).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { Run402, allowanceCredentials } from "../../pkg/entry-node.js";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Resolves with everything written so far once `pattern` matches; rejects after `ms`. */
function waitFor(stream, pattern, ms, what) {
  let text = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} not seen within ${ms} ms; got: ${JSON.stringify(text)}`)), ms);
    stream.on("data", (d) => {
      text += d;
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}

test("node tests/gateway/server.mjs --payments: starting message, URL, funded wallet, clean stop", { timeout: 60_000 }, async () => {
  const started = Date.now();
  const child = spawn(process.execPath, ["tests/gateway/server.mjs", "--payments", "--port", "0", "--fund", "2"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    // "Within a second" on an idle machine; the bound is generous because a
    // loaded CI machine can take longer than that just to start node. The
    // message must come first, while Postgres boots (the banner follows).
    await waitFor(child.stderr, /starting/, 5_000, "the starting message");
    const out = await waitFor(child.stdout, /Ctrl-C stops/, 45_000, "the ready banner");
    const url = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
    const address = out.match(/address: +(0x[0-9a-fA-F]{40})/)?.[1];
    const privateKey = out.match(/private key: +(0x[0-9a-f]{64})/)?.[1];
    assert.ok(url && address && privateKey, `banner lacks the URL or the wallet:\n${out}`);
    assert.match(out, /x402 payments: on/);

    const ledger = await (await fetch(`${url}/__sim/ledger?address=${address}`)).json();
    assert.equal(ledger.balances["eip155:84532"], 2_000_000, "funded with 2 USDC in base units");

    // The banner's wallet pays for a provision through the SDK.
    const r = new Run402({ apiBase: url, credentials: allowanceCredentials({ allowance: { address, privateKey }, projects: {} }) });
    const project = await r.projects.provision({ tier: "prototype" });
    assert.match(project.project_id, /^prj_/);
    assert.equal((await r.payments.spent()).total, "0.10");

    child.kill("SIGINT");
    assert.deepEqual(await exited, { code: 0, signal: null });
    console.log(`ready after ${Date.now() - started} ms`);
  } finally {
    child.kill("SIGKILL");
  }
});
