// The public API over the wasm core. Namespace objects are generated from
// the method table the Rust side exports (src/surface.rs): each method
// forwards to `run` (js/driver.js), which drives the Rust call, to
// `operation` for one that streams events, or to `runSync` for one that
// never waits, so this file holds no business logic and needs no change when a
// namespace is added (nested ones and hidden aliases included).
import { Client, surface } from "./run402_sdk_wasm.js";
import * as host from "./host.js";
import { operation, run, runSync } from "./driver.js";
import { LocalError } from "./errors.js";
import { adapters } from "./adapters.js";

// The public error surface (not ERROR_CLASSES or makeError: the factory's
// table is the SDK's own, and a caller who could reassign it would break
// every guard).
export {
  Run402Error, PaymentRequired, ProjectNotFound, Unauthorized, ApiError, NetworkError, LocalError, Run402DeployError,
  isRun402Error, isPaymentRequired, isProjectNotFound, isUnauthorized, isApiError, isNetworkError, isLocalError,
  isDeployError, isRetryableRun402Error,
} from "./errors.js";
export { withRetry } from "./retry.js";
export { allowanceCredentials } from "./allowance.js";
export { signTransferAuthorization } from "./wallet.js";
// Public so that the Node entry, which imports this package by name (in Deno
// and Bun a bundled copy of this file), installs its reader where the wasm
// reads fs-file sources.
export function installFileReader(read) {
  if (read !== undefined && typeof read !== "function") {
    throw new LocalError("installFileReader takes a function (path) => Promise<Uint8Array>, or undefined to remove it", "installing a file reader");
  }
  host.installFileReader(read);
}
export {
  CI_GITHUB_ACTIONS_PROVIDER, V1_CI_ALLOWED_ACTIONS, V1_CI_ALLOWED_EVENTS_DEFAULT,
  buildCiDelegationStatement, buildCiDelegationResourceUri, signCiDelegation, createCiSessionCredentials,
} from "./ci.js";
import { githubActionsCredentialsWith } from "./ci.js";


/**
 * The call's limits: the client's, unless the method's options object sets
 * `signal` or `timeoutMs`. Returns a LocalError for a malformed one.
 */
function callControl(defaults, options, context) {
  if (options === null || typeof options !== "object") return defaults;
  let signal, timeoutMs;
  try {
    ({ signal, timeoutMs } = options);
  } catch {
    return defaults; // an unreadable options object is reported by the method itself
  }
  if (signal === undefined && timeoutMs === undefined) return defaults;
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs >= 0 && timeoutMs <= 2147483647)) {
    return new LocalError("`timeoutMs` must be a whole number of milliseconds from 0 (no limit) to 2147483647", context);
  }
  if (signal !== undefined && !isAbortSignal(signal)) {
    return new LocalError("`signal` must be an AbortSignal", context);
  }
  return { timeoutMs: timeoutMs ?? defaults.timeoutMs, signal };
}

function isAbortSignal(s) {
  try {
    return s !== null && typeof s === "object" && typeof s.aborted === "boolean" &&
      typeof s.addEventListener === "function" && typeof s.removeEventListener === "function";
  } catch {
    return false;
  }
}

let table;

// Built on first use, after the entry file has instantiated the wasm. Each
// entry is { property, hidden, Cls, children }: a nested namespace
// (`email.webhooks`) is a child of its parent's entry.
function methodTable() {
  if (table) return table;
  const { namespaces } = JSON.parse(surface());
  const root = [];
  const scoped = [];
  const internal = {};
  const byPath = new Map();
  for (const ns of namespaces) {
    if (ns.internal) {
      for (const m of ns.methods) internal[m.name] = m.id;
      continue;
    }
    const dot = ns.name.lastIndexOf(".");
    const property = ns.name.slice(dot + 1);
    const rootEntry = { property, hidden: ns.hidden, Cls: namespaceClass(ns, false), children: [] };
    // Hidden aliases are the root client's, like method aliases.
    const scopedEntry = ns.scoped ? { property, hidden: [], Cls: namespaceClass(ns, true), children: [] } : null;
    const parent = dot < 0 ? { root: { children: root }, scoped: { children: scoped } } : byPath.get(ns.name.slice(0, dot));
    parent.root.children.push(rootEntry);
    if (scopedEntry !== null && parent.scoped !== null) parent.scoped.children.push(scopedEntry);
    byPath.set(ns.name, { root: rootEntry, scoped: scopedEntry });
  }
  table = { root, scoped, internal };
  return table;
}

// The operation of a call whose options were refused before it started.
function failedOperation(error) {
  const done = Promise.reject(error);
  done.catch(() => {}); // the caller sees it through result()
  return { events: async function* () {}, result: () => done };
}

// A namespace object's methods are closures over its client, so they work
// detached (`const { sql } = r.projects`) and aliases are the same function
// object (`r.projects.usage === r.projects.getUsage`).
function namespaceClass(ns, isScoped) {
  const className = ns.name.split(".").map((part) => part[0].toUpperCase() + part.slice(1)).join("");
  const methods = [];
  for (const m of ns.methods) {
    // A scoped client may call a declaration of its own (a per-scope signature).
    const d = isScoped && m.variant !== undefined ? m.variant : m;
    if (isScoped && d.scope === "root") continue;
    // Scoped clients drop a leading project id, which moves the options.
    const options = d.options >= 0 && isScoped && d.scope === "project" ? d.options - 1 : d.options;
    methods.push({ id: m.id, name: m.name, names: isScoped ? [m.name] : [m.name, ...m.aliases], options, context: m.context, kind: d.kind });
  }
  return {
    [className]: class {
      constructor(client, scope) {
        const [core, defaults] = client;
        for (const m of methods) {
          let fn;
          if (m.kind === "sync") {
            // Returns its value or throws its typed error, never a promise.
            fn = { [m.name](...args) { return runSync(core, m.id, scope, args); } }[m.name];
          } else if (m.kind === "operation" || Object.hasOwn(adapters, m.kind)) {
            const start = (...args) => {
              const control = m.options >= 0 ? callControl(defaults, args[m.options], m.context) : defaults;
              if (control instanceof LocalError) return failedOperation(control);
              return operation(core, m.id, scope, args, control);
            };
            // An adapted operation's public shape is its adapter's (js/adapters.js).
            const call = m.kind === "operation" ? start : adapters[m.kind](start, this, m);
            fn = { [m.name](...args) { return call(...args); } }[m.name];
          } else {
            fn = {
              [m.name](...args) {
                let control = defaults;
                if (m.options >= 0) {
                  control = callControl(defaults, args[m.options], m.context);
                  if (control instanceof LocalError) return Promise.reject(control);
                }
                return run(core, m.id, scope, args, control);
              },
            }[m.name];
          }
          for (const name of m.names) {
            Object.defineProperty(this, name, { value: fn, writable: true, configurable: true });
          }
        }
      }
    },
  }[className];
}

function attach(target, client, entries, scope) {
  for (const { property, hidden, Cls, children } of entries) {
    const ns = new Cls(client, scope);
    attach(ns, client, children, scope);
    Object.defineProperty(target, property, { value: ns, enumerable: true });
    for (const alias of hidden) Object.defineProperty(target, alias, { value: ns, enumerable: false });
  }
}

/** The Run402 client. Construction is synchronous and validates its options. */
export class Run402 {
  #client;

  constructor(opts) {
    const t = methodTable();
    const core = new Client(opts, host);
    // Shared by every call of this client that sets no limits of its own.
    this.#client = [core, Object.freeze({ timeoutMs: core.timeoutMs, signal: undefined })];
    attach(this, this.#client, t.root, undefined);
  }

  /** A client bound to one project; without an id, the provider's active one. */
  async project(id) {
    const [core, defaults] = this.#client;
    const projectId = await run(core, methodTable().internal.resolveProject, undefined, [id], defaults);
    return new ScopedRun402(this.#client, projectId);
  }

  /** Makes the project active in the provider, then returns a client bound to it. */
  async useProject(id) {
    const [core, defaults] = this.#client;
    const projectId = await run(core, methodTable().internal.useProject, undefined, [id], defaults);
    return new ScopedRun402(this.#client, projectId);
  }
}

class ScopedRun402 {
  constructor(client, projectId) {
    Object.defineProperty(this, "projectId", { value: projectId, enumerable: true });
    attach(this, client, methodTable().scoped, projectId);
  }
}

/** Same as `new Run402(opts)`. */
export function run402(opts) {
  return new Run402(opts);
}

/** Returns `record` unchanged: the typed way to write a deploy file set (path → content). */
export function files(record) {
  return record;
}

/** CI credentials inside GitHub Actions; the session is exchanged through a client of this SDK. */
export function githubActionsCredentials(opts) {
  return githubActionsCredentialsWith(Run402, opts);
}
