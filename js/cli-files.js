// The run402 CLI's local state, read and written the way the CLI does so a
// script and a CLI (or @run402/sdk/node) can share one config directory:
// projects.json (the keystore) and allowance.json (the wallet), both 0600,
// both replaced by an atomic rename, keystore writers serialized by a
// `<keystore>.lock` directory. Node, Bun and Deno (node: modules) only.
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { randomBytes } from "node:crypto";
import { LocalError } from "./errors.js";

const READING = "reading the run402 config files";
const WRITING = "writing the run402 config files";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;
// The CLI's wallet (profile) names; anything else could walk out of profiles/.
const PROFILE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
// Fields older CLIs kept per project that the gateway now owns.
const DROPPED_PROJECT_FIELDS = ["tier", "lease_expires_at", "expires_at"];

// The CLI waits 200 × 20 ms for the lock. Its holders keep it for one small
// synchronous read and write (milliseconds), so a lock this old was left by a
// writer that died and is broken rather than waited on forever.
const LOCK_WAIT_MS = 4000;
const LOCK_RETRY_MS = 20;
const STALE_LOCK_MS = 2000;

/** An environment variable; Deno without --allow-env throws on the read. */
export function env(name) {
  try {
    return process.env[name];
  } catch (e) {
    throw new LocalError(`Cannot read the environment variable ${name} (Deno needs --allow-env)`, READING, e);
  }
}

/**
 * Where the files are, resolved on every use like the CLI (so a changed
 * environment is seen): explicit options first, then RUN402_CONFIG_DIR (with
 * the CLI's RUN402_WALLET / RUN402_PROFILE named wallet under profiles/),
 * then ~/.config/run402; RUN402_ALLOWANCE_PATH moves only the wallet.
 */
export function locate({ configDir, keystorePath, allowancePath } = {}) {
  const dir = () => configDir ?? defaultConfigDir();
  return {
    keystore: () => keystorePath ?? join(dir(), "projects.json"),
    allowance: () => {
      if (allowancePath !== undefined) return allowancePath;
      if (configDir === undefined) {
        const fromEnv = env("RUN402_ALLOWANCE_PATH");
        if (fromEnv) return fromEnv;
      }
      return adoptLegacyWallet(dir());
    },
  };
}

function defaultConfigDir() {
  const base = env("RUN402_CONFIG_DIR") || join(homedir(), ".config", "run402");
  const profile = (env("RUN402_WALLET") ?? env("RUN402_PROFILE") ?? "").trim();
  if (!profile || profile === "default") return base;
  if (!PROFILE.test(profile)) {
    throw new LocalError(`RUN402_WALLET / RUN402_PROFILE ${JSON.stringify(profile)} is not a wallet name (lowercase letters, digits, '_' and '-')`, READING);
  }
  return join(base, "profiles", profile);
}

/**
 * `<dir>/allowance.json`, after renaming a legacy `<dir>/wallet.json` to it.
 * A rename keeps the old file's mode, and old CLIs wrote it world-readable.
 */
function adoptLegacyWallet(dir) {
  const current = join(dir, "allowance.json");
  const legacy = join(dir, "wallet.json");
  try {
    if (!existsSync(current) && existsSync(legacy)) {
      renameSync(legacy, current);
      chmodSync(current, 0o600);
    }
  } catch (e) {
    throw new LocalError(`Cannot rename ${legacy} to ${current}`, WRITING, e);
  }
  return current;
}

/** The file's text, or null when it does not exist. */
function readText(path) {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if (e?.code === "ENOENT") return null;
    throw new LocalError(`Cannot read ${path}`, READING, e);
  }
}

function parseOrNull(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const isRecord = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** Sets an own property, even for a key like "__proto__". */
function put(record, key, value) {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The keystore as `{ active_project_id?, previous_active_project_id?,
 * projects }`. A missing or unreadable file is empty, as for the CLI; the
 * legacy array form (`[{ project_id, anon_key, service_key, ... }]`) is
 * converted (and written back in the new form by the next change).
 */
function readKeystore(path) {
  const text = readText(path);
  const parsed = text === null ? null : parseOrNull(text);
  const store = { projects: {} };
  if (Array.isArray(parsed)) {
    for (const item of parsed) {
      if (!isRecord(item) || typeof item.project_id !== "string" || !item.project_id) continue;
      const keys = { anon_key: item.anon_key, service_key: item.service_key };
      if (item.site_url) keys.site_url = item.site_url;
      if (item.deployed_at) keys.deployed_at = item.deployed_at;
      put(store.projects, item.project_id, keys);
    }
    return store;
  }
  if (!isRecord(parsed) || !isRecord(parsed.projects)) return store;
  if (parsed.active_project_id) store.active_project_id = parsed.active_project_id;
  if (parsed.previous_active_project_id) store.previous_active_project_id = parsed.previous_active_project_id;
  for (const [id, keys] of Object.entries(parsed.projects)) {
    if (!isRecord(keys)) continue;
    for (const f of DROPPED_PROJECT_FIELDS) delete keys[f];
    put(store.projects, id, keys);
  }
  return store;
}

/** The project's keys in the keystore, or null. */
export function projectKeys(path, id) {
  const { projects } = readKeystore(path);
  return Object.hasOwn(projects, id) ? projects[id] : null;
}

/** The keystore's active project id, or null. */
export function activeProjectId(path) {
  return readKeystore(path).active_project_id ?? null;
}

/** Stores a project's keys (replacing any it had). */
export function saveProjectKeys(path, id, keys) {
  return updateKeystore(path, (store) => {
    put(store.projects, id, keys);
  });
}

/** Merges `patch` into a project the keystore has; an unknown id changes nothing. */
export function updateProjectKeys(path, id, patch) {
  return updateKeystore(path, (store) => {
    if (!Object.hasOwn(store.projects, id)) return false;
    put(store.projects, id, { ...store.projects[id], ...patch });
  });
}

/** Forgets a project; if it was active, the previously active one (if still known) takes over. */
export function removeProjectKeys(path, id) {
  return updateKeystore(path, (store) => {
    delete store.projects[id];
    if (store.active_project_id !== id) return;
    const previous = store.previous_active_project_id;
    if (previous && previous !== id && Object.hasOwn(store.projects, previous)) store.active_project_id = previous;
    else delete store.active_project_id;
    delete store.previous_active_project_id;
  });
}

/** Makes `id` active, remembering the one it replaces (removeProject falls back to it). */
export function setActiveProjectId(path, id) {
  return updateKeystore(path, (store) => {
    if (store.active_project_id && store.active_project_id !== id) store.previous_active_project_id = store.active_project_id;
    store.active_project_id = id;
  });
}

/**
 * Reads the keystore under its lock, lets `change` edit it, and writes it
 * back unless `change` returns false. Other processes (the CLI, another
 * script) take the same lock, so no writer's change is lost.
 */
async function updateKeystore(path, change) {
  await withLock(path, () => {
    const store = readKeystore(path);
    if (change(store) === false) return;
    writeJsonAtomic(path, store, ".projects");
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function withLock(path, fn) {
  const lock = `${path}.lock`;
  makeDir(dirname(path));
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    if (tryLock(lock)) break;
    if (Date.now() >= deadline) {
      throw new LocalError(`Cannot lock ${path}: ${lock} is held by another writer (remove it if no run402 process is running)`, WRITING);
    }
    await sleep(LOCK_RETRY_MS);
  }
  try {
    // Synchronous from here to the unlock: the lock is held for milliseconds.
    return fn();
  } finally {
    try {
      rmdirSync(lock);
    } catch {
      // Already gone (broken as stale by another writer): nothing to release.
    }
  }
}

/** True once this process holds the lock. Breaks a lock left by a dead writer. */
function tryLock(lock) {
  try {
    mkdirSync(lock, { mode: 0o700 });
    return true;
  } catch (e) {
    if (e?.code !== "EEXIST") throw new LocalError(`Cannot create the lock ${lock}`, WRITING, e);
  }
  let age;
  try {
    age = Date.now() - statSync(lock).mtimeMs;
  } catch {
    return false; // released meanwhile: the next try takes it
  }
  if (age > STALE_LOCK_MS) {
    // Two writers breaking the same stale lock can race here (one may remove
    // the other's new lock); the worst case is one lost update, never a torn
    // file, since every write is a rename.
    try {
      rmdirSync(lock);
    } catch {
      // Someone else broke it first.
    }
  }
  return false;
}

function makeDir(dir) {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new LocalError(`Cannot create the directory ${dir}`, WRITING, e);
  }
}

/**
 * Replaces `path` with `value` as JSON: written to a 0600 temporary file in
 * the same directory, flushed, then renamed over it, so a reader sees the old
 * file or the new one and never a part of either.
 */
function writeJsonAtomic(path, value, tempPrefix) {
  const dir = dirname(path);
  makeDir(dir);
  const temp = join(dir, `${tempPrefix}.${randomBytes(4).toString("hex")}.tmp`);
  let fd;
  try {
    fd = openSync(temp, "wx", 0o600);
    writeSync(fd, JSON.stringify(value, null, 2));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
    chmodSync(path, 0o600);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // The write already failed; that is the error to report.
      }
    }
    try {
      unlinkSync(temp);
    } catch {
      // Renamed already, or never created.
    }
    throw new LocalError(`Cannot write ${path}`, WRITING, e);
  }
}

/** What is wrong with an allowance's shape, or null; never quotes the key. */
function allowanceProblem(data) {
  if (!isRecord(data)) return "must hold a JSON object { address, privateKey }";
  if (typeof data.address !== "string" || !ADDRESS.test(data.address)) return 'has no valid "address" (0x and 40 hex digits)';
  if (typeof data.privateKey !== "string" || !PRIVATE_KEY.test(data.privateKey)) return 'has no valid "privateKey" (0x and 64 hex digits)';
  return null;
}

/**
 * The wallet in allowance.json, or null when there is none (no file, or text
 * that is not JSON, which the CLI also reads as "not set up"). A file others
 * can read is tightened to 0600 first, with a warning.
 */
export function readAllowanceFile(path) {
  tightenMode(path);
  const text = readText(path);
  if (text === null) return null;
  const parsed = parseOrNull(text);
  if (parsed === null) return null;
  const problem = allowanceProblem(parsed);
  if (problem) throw new LocalError(`${path} ${problem}; back it up and make a new allowance`, READING);
  return parsed;
}

/** Replaces allowance.json with `data`, checked first so a bad value never lands. */
export function writeAllowanceFile(path, data) {
  const problem = allowanceProblem(data);
  if (problem) throw new LocalError(`Refusing to write ${path}: the allowance ${problem}`, WRITING);
  writeJsonAtomic(path, data, ".allowance");
}

function tightenMode(path) {
  if (process.platform === "win32") return;
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) === 0) return;
    chmodSync(path, 0o600);
    console.warn(`@run402/sdk-wasm: ${path} was readable by other users (mode ${mode.toString(8)}); set it to 600`);
  } catch {
    // No file yet, or a filesystem without modes: the read decides.
  }
}
