// sites.deployDir of a generated 1,000-file, ~20 MB site, ours beside
// @run402/sdk's, against bench/stub-gateway.mjs (its own process, 20 ms per
// request, 8 MiB parts, every part's length and checksum verified, every
// content's SHA-256 checked before its session completes, and the deploy
// commit refused unless all the plan's content is in). Each deploy runs in a
// fresh child (bench/child-deploy.mjs) against an emptied CAS, alternating
// which SDK goes first.
//
// Usage: node bench/deploy-site.mjs [passes=3]
// As a module: deploySite({ passes }) → {ours: Run[], ref: Run[], site: {files, bytes}, stats}.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

import { startStub } from "./stub-process.mjs";

const run = promisify(execFile);
const CHILD = new URL("./child-deploy.mjs", import.meta.url).pathname;

/**
 * Writes a site of `files` files and about `total` bytes under `root`: a
 * deterministic mix of page, style, script and data files (a few KB each)
 * and images and fonts (tens to a few hundred KB), in nested
 * folders. Text files hold text, binary ones pseudo-random bytes.
 */
export function makeSite(root, { files = 1000, total = 20_000_000 } = {}) {
  let seed = 0x2545f491;
  const rand = () => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed / 2 ** 32;
  };
  const kinds = [
    // [extension, share of files, typical size, text?]
    ["html", 0.30, 6_000, true], ["css", 0.08, 12_000, true], ["js", 0.17, 25_000, true], ["json", 0.05, 3_000, true],
    ["svg", 0.10, 4_000, true], ["png", 0.12, 60_000, false], ["jpg", 0.13, 120_000, false], ["woff2", 0.05, 40_000, false],
  ];
  const plan = [];
  for (let i = 0; i < files; i++) {
    let u = rand();
    const kind = kinds.find(([, share]) => (u -= share) < 0) ?? kinds[0];
    // Log-normal-ish spread around the typical size: a few files come out large.
    const spread = Math.exp((rand() + rand() + rand() - 1.5) * 1.6);
    plan.push({ kind, size: Math.max(64, kind[2] * spread) });
  }
  const scale = total / plan.reduce((n, p) => n + p.size, 0);
  let written = 0;
  const words = "the quick brown fox jumps over a lazy dog run402 deploy site static asset content hash".split(" ");
  plan.forEach(({ kind: [ext, , , text], size }, i) => {
    const n = Math.max(32, Math.round(size * scale));
    const bytes = new Uint8Array(n);
    if (text) {
      let at = 0;
      while (at < n) {
        const w = words[(rand() * words.length) | 0];
        for (let j = 0; j < w.length && at < n; j++) bytes[at++] = w.charCodeAt(j);
        if (at < n) bytes[at++] = rand() < 0.1 ? 10 : 32;
      }
    } else {
      for (let j = 0; j < n; j += 4) {
        const v = (rand() * 2 ** 32) >>> 0;
        bytes[j] = v; bytes[j + 1] = v >>> 8; bytes[j + 2] = v >>> 16; bytes[j + 3] = v >>> 24;
      }
    }
    const path = i === 0 ? "index.html" : `${["pages", "assets", "static/img", "static/js", "docs/guide"][i % 5]}/${(i % 37).toString(36)}/f${i}.${ext}`;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), bytes.subarray(0, n));
    written += n;
  });
  return { files, bytes: written };
}

export async function deploySite({ passes = 3, latencyMs = 20, partMiB = 8 } = {}) {
  const root = mkdtempSync(join(tmpdir(), "run402-bench-site-"));
  const stub = await startStub({ latencyMs, partMiB });
  const out = { ours: [], ref: [], stats: {}, latencyMs, partMiB };
  try {
    out.site = makeSite(root);
    for (let pass = 0; pass < passes; pass++) {
      for (const who of pass % 2 ? ["ref", "ours"] : ["ours", "ref"]) {
        await stub.reset(); // an empty CAS: every file is uploaded
        const { stdout } = await run(process.execPath, ["--expose-gc", CHILD, who, stub.url, root], { timeout: 300_000, maxBuffer: 1 << 20 }).catch((err) => {
          // A build without the Node subpath's deployDir is reported, not guessed at.
          if (/sites\.deployDir is missing/.test(err.stderr ?? "")) return { stdout: JSON.stringify({ missing: true }) };
          throw err;
        });
        out.stats[who] = await stub.stats();
        const o = JSON.parse(stdout.trim());
        if (o.missing) {
          out.missing = who;
          return out;
        }
        if (o.result.bytes_total !== undefined && o.result.bytes_total !== out.site.bytes) throw new Error(`${who}: deployed ${o.result.bytes_total} bytes of ${out.site.bytes}`);
        out[who].push(o);
      }
    }
  } finally {
    await stub.close();
    rmSync(root, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [passes = 3] = process.argv.slice(2).map(Number);
  const r = await deploySite({ passes });
  if (r.missing) {
    console.log(`${r.missing}: sites.deployDir is missing from this build`);
    process.exit(1);
  }
  const m = (n) => (n / 1048576).toFixed(1);
  console.log(`site: ${r.site.files} files, ${r.site.bytes.toLocaleString("en-US")} bytes; ${r.latencyMs} ms per request; ${passes} passes`);
  for (const who of ["ours", "ref"]) {
    const runs = r[who];
    console.log(`${who.padEnd(4)} wall ${runs.map((x) => x.ms.toFixed(0)).join(", ")} ms; peak RSS ${runs.map((x) => m(x.peakRss)).join(", ")} MiB ` +
      `(growth ${runs.map((x) => m(x.rssGrowth)).join(", ")}; V8 new space then ${runs.map((x) => m(x.spacesAtPeak?.new_space ?? 0)).join(", ")}); requests ${JSON.stringify(r.stats[who])}`);
  }
}
