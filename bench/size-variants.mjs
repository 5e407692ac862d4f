// What the package's pieces cost: the wasm built again with cargo features
// that add 32 synthetic declared methods (`size-probe`) or leave one
// namespace out of the method table (`omit-<name>`), each through the same
// wasm-bindgen + wasm-opt steps as `./dev build`, gzip -9 compared with the
// plain build; and with all of them left out (the spine). Builds go to
// target/size-variants so pkg/ and the normal target are untouched. About
// 30 s per variant once dependencies are built.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";

const run = promisify(execFile);
const WASM_OPT_FLAGS = [
  "-Oz", "--converge", "--low-memory-unused", "--skip-pass=memory-packing", "--strip-debug", "--strip-producers", "--strip-target-features", "--enable-bulk-memory", "--enable-nontrapping-float-to-int",
  "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
];
// The namespaces that can be left out (src/surface.rs, Cargo.toml features).
// `email` leaves out `email.webhooks` too; `ci` leaves out the namespace, not the root CI helpers.
export const OMITTABLE = ["projects", "blobs", "functions", "service", "tier", "allowance", "payments", "ai", "auth", "billing", "apps", "email", "contracts", "ci", "deploy"];
export const PROBE_METHODS = 32;

async function build(root, features) {
  const targetDir = join(root, "target/size-variants");
  // The shipped build's own command (toolchain and flags live in ./dev only).
  const args = ["wasm-cargo", "--target-dir", targetDir];
  if (features) args.push("--features", features);
  await run(join(root, "dev"), args, { cwd: root, maxBuffer: 1 << 26 });
  const out = mkdtempSync(join(tmpdir(), "r402-size-"));
  try {
    await run("wasm-bindgen", ["--target", "web", "--no-typescript", "--out-dir", out, "--out-name", "v",
      join(targetDir, "wasm32-unknown-unknown/release/run402_sdk_wasm.wasm")], { cwd: root });
    await run(join(root, "node_modules/.bin/wasm-opt"), [...WASM_OPT_FLAGS, join(out, "v_bg.wasm"), "-o", join(out, "o.wasm")], { cwd: root });
    await run("node", [join(root, "tools/short-imports.mjs"), join(out, "o.wasm"), join(out, "v.js")], { cwd: root });
    const buf = readFileSync(join(out, "o.wasm"));
    return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The table as the native build sees it (names, whether each method is a declared route). */
async function table(root) {
  const { stdout } = await run("cargo", ["run", "--quiet", "--example", "surface_json"], { cwd: root, maxBuffer: 1 << 26 });
  return JSON.parse(stdout).namespaces;
}

export async function variantSizes(root, log = () => {}) {
  const namespaces = await table(root);
  log("size variants: plain build");
  const base = await build(root, "");
  log("size variants: +32 declared methods");
  const probe = await build(root, "size-probe");
  const perNamespace = [];
  for (const name of OMITTABLE) {
    log(`size variants: without ${name}`);
    const v = await build(root, `omit-${name}`);
    const ns = namespaces.find((n) => n.name === name);
    const methods = ns?.methods ?? [];
    perNamespace.push({
      name,
      methods: methods.length,
      declared: methods.filter((m) => m.declared).length,
      gzip: base.gzip - v.gzip,
      raw: base.raw - v.raw,
    });
  }
  // What no member's code is in: the kernel, payments, sign-in, the bridge,
  // the table's interpreter and the namespaces that cannot be left out.
  log("size variants: every omittable namespace left out");
  const spine = await build(root, OMITTABLE.map((n) => `omit-${n}`).join(","));
  const publicMethods = namespaces.filter((n) => !n.internal).flatMap((n) => n.methods);
  return {
    base,
    spine,
    perDeclared: { gzip: (probe.gzip - base.gzip) / PROBE_METHODS, raw: (probe.raw - base.raw) / PROBE_METHODS },
    perNamespace,
    methods: publicMethods.length,
    declared: publicMethods.filter((m) => m.declared).length,
  };
}
