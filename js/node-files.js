// `fileSetFromDir` for the Node/Bun/Deno subpath: a directory as a deploy
// file set. Each file becomes an fs-file marker, `{ __source: "fs-file",
// path }`, so a build output of any size is not read here: the deploy reads
// each file when it hashes and uploads it. Imported by node.js only; the
// isomorphic entries never load `node:` modules.
import { lstat, readdir } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { LocalError } from "@run402/sdk-wasm";

const CONTEXT = "collecting files for deploy";

// Skipped at every depth, always (exact names).
const ALWAYS_SKIPPED = [".git", "node_modules", ".DS_Store"];
// Skipped at every depth unless `includeSensitive` (compared lower-cased):
// files that usually hold credentials, not site content.
const SENSITIVE_NAMES = new Set([".env", ".envrc", ".npmrc", ".pnpmrc", ".yarnrc", ".netrc", ".pypirc", "id_dsa", "id_ecdsa", "id_ed25519", "id_rsa"]);
const SENSITIVE_SUFFIXES = [".key", ".pem", ".p12", ".pfx"];

function isSensitive(name) {
  const lower = name.toLowerCase();
  return lower.startsWith(".env.") || SENSITIVE_NAMES.has(lower) || SENSITIVE_SUFFIXES.some((s) => lower.endsWith(s));
}

/** The options, read once; a bad one is a LocalError before the disk is touched. */
function readOptions(opts) {
  if (opts === undefined || opts === null) return { skipped: new Set(ALWAYS_SKIPPED), includeSensitive: false };
  if (typeof opts !== "object") throw new LocalError("fileSetFromDir: options must be an object", CONTEXT);
  let ignore, includeSensitive;
  try {
    ({ ignore, includeSensitive } = opts);
  } catch (e) {
    throw new LocalError("fileSetFromDir could not read its options", CONTEXT, e);
  }
  if (includeSensitive !== undefined && typeof includeSensitive !== "boolean") {
    throw new LocalError("fileSetFromDir: includeSensitive must be a boolean", CONTEXT);
  }
  const skipped = new Set(ALWAYS_SKIPPED);
  if (ignore !== undefined) {
    if (typeof ignore === "string" || ignore === null || typeof ignore[Symbol.iterator] !== "function") {
      throw new LocalError("fileSetFromDir: ignore must be an array (or another iterable) of file or directory names", CONTEXT);
    }
    for (const name of ignore) {
      if (typeof name !== "string" || name === "") throw new LocalError("fileSetFromDir: each ignore entry must be a non-empty name", CONTEXT);
      skipped.add(name);
    }
  }
  return { skipped, includeSensitive: includeSensitive === true };
}

const symlinkRefused = (path) => new LocalError(`${path} is a symlink; fileSetFromDir does not follow symlinks (copy the target into the directory instead)`, CONTEXT);

/**
 * Every file under `dir` as `{ "<posix relative path>": { __source: "fs-file",
 * path: "<absolute path>" } }`, keys sorted. Skips `.git`, `node_modules`,
 * `.DS_Store`, the names in `ignore`, and (unless `includeSensitive`) dotenv
 * files, package-manager and netrc credentials and private keys. A symlink
 * anywhere, a path that is not a directory, or nothing left to deploy is a
 * LocalError.
 */
export async function fileSetFromDir(dir, opts) {
  if (typeof dir !== "string" || dir === "") throw new LocalError("fileSetFromDir: dir must be a non-empty path", CONTEXT);
  const { skipped, includeSensitive } = readOptions(opts);
  const root = resolve(dir);
  let stat;
  try {
    stat = await lstat(root);
  } catch (e) {
    throw new LocalError(`cannot read directory ${root}: ${e?.code ?? e?.message}`, CONTEXT, e);
  }
  if (stat.isSymbolicLink()) throw symlinkRefused(root);
  if (!stat.isDirectory()) throw new LocalError(`${root} is not a directory`, CONTEXT);

  const paths = [];
  const walk = async (current) => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (e) {
      throw new LocalError(`cannot read directory ${current}: ${e?.code ?? e?.message}`, CONTEXT, e);
    }
    for (const entry of entries) {
      if (skipped.has(entry.name) || (!includeSensitive && isSensitive(entry.name))) continue;
      const path = join(current, entry.name);
      if (entry.isSymbolicLink()) throw symlinkRefused(path);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) paths.push(path);
      // Sockets, FIFOs and devices are not site content: left out.
    }
  };
  await walk(root);
  if (paths.length === 0) throw new LocalError(`${root} has no files to deploy (after skipping ${[...skipped].join(", ")}${includeSensitive ? "" : " and credential files"})`, CONTEXT);

  const set = {};
  const keyed = paths.map((path) => [relative(root, path).split(sep).join("/"), path]);
  keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Defined, not assigned: a file named `__proto__` is a key like any other.
  for (const [key, path] of keyed) {
    Object.defineProperty(set, key, { value: { __source: "fs-file", path }, enumerable: true, writable: true, configurable: true });
  }
  return set;
}
