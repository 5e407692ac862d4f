// SHA-256 throughput of the SDK's content hashing paths, through pkg-test/'s
// hooks (`./dev test-hooks` builds it), beside the runtime's own:
//   * crypto.subtle.digest called directly, and node:crypto's createHash;
//   * the transport's one-shot digest (bytes and Blobs: WebCrypto, the bytes
//     staying in JS) and its Rust fallback (copied into wasm 64 KiB at a time);
//   * the incremental hasher of stream uploads (hook sha256Pieces), fed
//     64 KiB pieces (a stream's chunks) into two hashers at once, the
//     content's digest and its part's checksum, as blobs.put does: natively
//     through node:crypto where the runtime has it, else in Rust. Its MiB/s
//     are of content, each byte hashed twice.
// Usage: node bench/sha256.mjs [MiB per input=64] [runs=5] [--json]
import { createHash, randomBytes } from "node:crypto";

import "../pkg-test/entry-node.js";
import * as core from "../pkg-test/run402_sdk_wasm.js";
import * as host from "../pkg-test/host.js";
import * as driver from "../pkg-test/driver.js";

const args = process.argv.slice(2).filter((a) => a !== "--json");
const asJson = process.argv.includes("--json");
const mib = Number(args[0] ?? 64);
const runs = Number(args[1] ?? 5);
const data = randomBytes(mib << 20);
const c = new core.Client({ apiBase: "https://api.test", credentials: { getAuth: () => null, getProject: () => null } }, host);

// Hooks are started like SDK methods (ids from HOOK_BASE in
// src/wasm/hooks.rs) and driven by the loop every call uses (js/driver.js).
const HOOK = 0xffff0000;
const HOOKS = { sha256: 101, sha256Rust: 102, sha256Pieces: 103 };
const defaults = { timeoutMs: 0, signal: undefined };
const hook = (name, ...args) => driver.run(c, HOOK + HOOKS[name], undefined, args, defaults);
const PIECE = 64 * 1024;

const expected = createHash("sha256").update(data).digest("hex");
const check = (got, label) => {
  const hex = Array.isArray(got) ? got : [typeof got === "string" ? got : Buffer.from(got).toString("hex")];
  if (hex.slice(0, 2).some((h) => h !== expected)) {
    console.error(`${label}: wrong digest ${hex.join(", ")}`);
    process.exit(3);
  }
};

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const out = {};
async function rate(key, label, fn) {
  check(await fn(), label); // warm up, and the digest must be right
  // Per CPU second too (all threads: WebCrypto hashes off the main thread):
  // steadier than wall time on a loaded machine.
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(c0);
    wall.push(mib / ((performance.now() - t0) / 1000));
    cpu.push(mib / ((used.user + used.system) / 1e6));
  }
  out[key] = { label, wall, cpu };
  if (!asJson) console.log(`${label.padEnd(44)} ${median(wall).toFixed(0).padStart(6)} MiB/s wall, ${median(cpu).toFixed(0).padStart(6)} MiB per CPU-second (median of ${runs}, ${mib} MiB each)`);
}

await rate("webcrypto", "crypto.subtle.digest directly", () => crypto.subtle.digest("SHA-256", data));
await rate("nodeCrypto", "node:crypto createHash directly", () => createHash("sha256").update(data).digest());
await rate("transport", "transport sha256 (WebCrypto: bytes, Blobs)", () => hook("sha256", data));
await rate("transportRust", "transport sha256 (Rust fallback)", () => hook("sha256Rust", data));
const kind = (await hook("sha256Pieces", data.subarray(0, 1), PIECE, true))[2];
await rate("streamNative", `stream pieces, 2 digests (${kind})`, () => hook("sha256Pieces", data, PIECE, true));
await rate("streamRust", "stream pieces, 2 digests (Rust)", () => hook("sha256Pieces", data, PIECE, false));
out.streamNativeKind = kind;
if (asJson) console.log(JSON.stringify({ mib, runs, ...out }));
