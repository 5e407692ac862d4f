// Checks on the packed tarball itself, and the size of what each entry makes
// an importer load.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { bin } from "../runtimes/lib.mjs";

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const WASM = "run402_sdk_wasm_bg.wasm";

/**
 * The published README stands alone: it exists, points nowhere else for
 * what it leaves out, and every relative link resolves inside the package.
 */
function checkReadme(pkgDir, problems) {
  const file = join(pkgDir, "README.md");
  if (!existsSync(file)) return problems.push("the package has no README.md");
  const text = readFileSync(file, "utf8");
  if (/see the repository README|<!--/i.test(text)) problems.push("the package README points to the repository README or keeps a marker comment");
  for (const [, target] of text.matchAll(/\]\((?![a-z]+:|#)([^)]+)\)/g)) {
    if (!existsSync(join(pkgDir, target))) problems.push(`the package README links to ${target}, which the package does not ship`);
  }
}

/** publint --strict (warnings count as errors), attw's ESM profile, the README; returns {lines, problems}. */
export async function checkPackage({ tarball, pkgDir }) {
  const problems = [];
  const lines = [];
  checkReadme(pkgDir, problems);
  const { publint } = await import("publint");
  const { formatMessage } = await import("publint/utils");
  const buf = readFileSync(tarball);
  const { messages, pkg } = await publint({ pack: { tarball: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) }, strict: true, level: "suggestion" });
  for (const m of messages) {
    const text = `publint ${m.type}: ${formatMessage(m, pkg) ?? m.code}`;
    if (m.type === "suggestion") lines.push(text);
    else problems.push(text);
  }
  lines.push(`publint --strict: ${messages.filter((m) => m.type !== "suggestion").length} errors or warnings, ${messages.filter((m) => m.type === "suggestion").length} suggestions`);

  let report;
  try {
    // llms-sdk.txt is a text asset (the agent reference), not a module: no types to resolve.
    const { stdout } = await promisify(execFile)(bin("attw"), [tarball, "--profile", "esm-only", "--format", "json", "--exclude-entrypoints", "./llms-sdk.txt"], { maxBuffer: 16 << 20 });
    report = JSON.parse(stdout);
  } catch (err) {
    // attw exits 1 when it finds problems; its JSON is still on stdout.
    try {
      report = JSON.parse(err.stdout);
    } catch {
      problems.push(`attw did not run: ${err.message}`);
    }
  }
  if (report) {
    const found = (report.analysis?.problems ?? []).filter((p) => !["node10", "node16-cjs"].includes(p.resolutionKind));
    for (const p of found) problems.push(`attw: ${p.kind} (${p.resolutionKind ?? ""} ${p.entrypoint ?? ""})`);
    lines.push(`attw --profile esm-only: ${found.length} problems`);
  }
  return { lines, problems };
}

/**
 * For each entry in the unpacked package: the files its static import graph
 * loads (from esbuild's metafile), each gzipped alone and summed, plus the
 * .wasm when the entry loads it as a separate file; and the same graph
 * bundled and minified, as a bundler would ship it.
 */
export function entrySizes(pkgDir) {
  const esbuild = require_esbuild();
  const wasmGz = gz(readFileSync(join(pkgDir, WASM)));
  const out = [
    "| entry | conditions | files loaded, gzip -9 each | bundled + minified, gzip -9 | wasm as |",
    "| --- | --- | --- | --- | --- |",
  ];
  const { exports } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const conditions = {};
  for (const [cond, file] of Object.entries(exports["."])) if (cond !== "types") (conditions[file.slice(2)] ??= []).push(cond);
  for (const entry of readdirSync(pkgDir).filter((f) => f.startsWith("entry-")).sort()) {
    const separate = readFileSync(join(pkgDir, entry), "utf8").includes(WASM);
    const build = (minify) =>
      esbuild.buildSync({
        entryPoints: [join(pkgDir, entry)],
        bundle: true,
        minify,
        write: false,
        format: "esm",
        platform: "neutral",
        external: ["node:*", `./${WASM}`, `./${WASM}?module`],
        metafile: true,
        logLevel: "silent",
      });
    const graph = Object.keys(build(false).metafile.inputs);
    const files = graph.reduce((sum, f) => sum + gz(readFileSync(f)), 0) + (separate ? wasmGz : 0);
    const min = gz(Buffer.from(build(true).outputFiles[0].contents)) + (separate ? wasmGz : 0);
    out.push(`| ${entry} | ${(conditions[entry] ?? ["(none)"]).join(", ")} | ${kb(files)} | ${kb(min)} | ${separate ? `separate file (${kb(wasmGz)})` : "inlined text"} |`);
  }
  return out;
}

import { createRequire } from "node:module";
const require_esbuild = () => createRequire(import.meta.url)("esbuild");
