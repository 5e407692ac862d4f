// SHA-256 throughput of the transport's two paths, through pkg-test/'s hooks
// (`./dev test-hooks` builds it): WebCrypto (the bytes stay in JS) and the
// Rust fallback (copied into wasm 64 KiB at a time), beside crypto.subtle
// called directly. Usage: node bench/sha256.mjs [MiB per input] [runs]
import { randomBytes } from "node:crypto";

import "../pkg-test/entry-node.js";
import * as core from "../pkg-test/run402_sdk_wasm.js";
import * as host from "../pkg-test/host.js";
import * as driver from "../pkg-test/driver.js";

const mib = Number(process.argv[2] ?? 64);
const runs = Number(process.argv[3] ?? 5);
const data = randomBytes(mib << 20);
const c = new core.Client({ apiBase: "https://api.test", credentials: { getAuth: () => null, getProject: () => null } }, host);

// Hooks are started like SDK methods (ids from HOOK_BASE in
// src/wasm/hooks.rs) and driven by the loop every call uses (js/driver.js).
const HOOK = 0xffff0000;
const HOOKS = { sha256: 101, sha256Rust: 102 };
const defaults = { timeoutMs: 0, signal: undefined };
const hook = (name, arg) => driver.run(c, HOOK + HOOKS[name], undefined, [arg], defaults);

async function rate(label, fn) {
  await fn(); // warm up
  // Per CPU second too (all threads: WebCrypto hashes off the main thread):
  // steadier than wall time on a loaded machine.
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    wall.push(mib / ((performance.now() - t0) / 1000));
    cpu.push(mib / ((c.user + c.system) / 1e6));
  }
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1].toFixed(0).padStart(6);
  console.log(`${label.padEnd(34)} ${median(wall)} MiB/s wall, ${median(cpu)} MiB per CPU-second (median of ${runs}, ${mib} MiB each)`);
}

await rate("crypto.subtle.digest directly", () => crypto.subtle.digest("SHA-256", data));
await rate("transport sha256 (WebCrypto)", () => hook("sha256", data));
await rate("transport sha256 (Rust fallback)", () => hook("sha256Rust", data));
