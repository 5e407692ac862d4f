// The package as a user installs it: `npm pack` of pkg/, unpacked into each
// fixture app's node_modules (what `npm install <tarball>` puts there; the
// package has no dependencies). Each app is its own project directory under
// .tmp/, so tools resolve the package through its `exports` map with their
// own conditions, while the tools themselves (vite, webpack, ...) come from
// the dev workspace's node_modules, installed once.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PKG, ROOT } from "../runtimes/lib.mjs";

const APP = fileURLToPath(new URL("./app/", import.meta.url));
export const TARBALL = "run402-sdk-wasm.tgz";

/** Packs pkg/ into a fresh stage dir; returns {dir, tarball, unpacked, app(name), remove}. */
export function stage() {
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, ".tmp", "bundlers-"));
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: PKG, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
  const tarball = join(dir, TARBALL);
  cpSync(join(dir, filename), tarball);
  const unpacked = join(dir, "unpacked");
  mkdirSync(unpacked);
  execFileSync("tar", ["-xzf", tarball, "-C", unpacked]); // -> unpacked/package/
  return {
    dir,
    tarball,
    pkgDir: join(unpacked, "package"),
    /** A fresh copy of the fixture app with the package installed in it. */
    app(name) {
      const appDir = join(dir, name);
      cpSync(APP, appDir, { recursive: true });
      cpSync(join(unpacked, "package"), join(appDir, "node_modules", "@run402", "sdk-wasm"), { recursive: true });
      return appDir;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Writes `name` into dir (for the pages the harness adds around a bundle). */
export function write(dir, name, text) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), text);
}

export const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
