// The public API over the wasm core. Namespace objects are generated from
// the method table the Rust side exports (src/surface.rs): each method
// forwards to `run`, which drives the Rust call, so this file holds no
// business logic and needs no change when a namespace is added.
import { Client, surface } from "./run402_sdk_wasm.js";
import * as host from "./host.js";
import { retryScopeKey } from "./retry.js";

export * from "./errors.js";
export { withRetry } from "./retry.js";
export { allowanceCredentials } from "./allowance.js";
export { signTransferAuthorization } from "./wallet.js";

const CLIENT = Symbol("run402.client");
const SCOPE = Symbol("run402.scope");

// Call states from Client.start/resume (src/wasm/mod.rs); 1 is "failed".
const OK = 0;
const WAITING = 2;

/**
 * Runs one SDK call. The Rust future runs synchronously until it needs a
 * promise settled (fetch, a body, an async provider method); it parks that
 * promise, this loop awaits it and resumes the future with the outcome.
 */
async function run(client, id, scope, args) {
  const started = client.start(id, scope, args, retryScopeKey());
  const handle = started >>> 2;
  let state = started & 3;
  while (state === WAITING) {
    let ok = true;
    let value;
    try {
      value = await client.parked(handle);
    } catch (e) {
      ok = false;
      value = e;
    }
    state = client.resume(handle, ok, value);
  }
  const out = client.take(handle);
  if (state === OK) return out;
  throw out;
}

let table;

// Built on first use, after the entry file has instantiated the wasm.
function methodTable() {
  if (table) return table;
  const { namespaces } = JSON.parse(surface());
  const root = [];
  const scoped = [];
  const internal = {};
  for (const ns of namespaces) {
    if (ns.internal) {
      for (const m of ns.methods) internal[m.name] = m.id;
      continue;
    }
    root.push([ns.name, namespaceClass(ns, false)]);
    if (ns.scoped) scoped.push([ns.name, namespaceClass(ns, true)]);
  }
  table = { root, scoped, internal };
  return table;
}

function namespaceClass(ns, isScoped) {
  const className = ns.name[0].toUpperCase() + ns.name.slice(1);
  const cls = {
    [className]: class {
      constructor(client, scope) {
        Object.defineProperty(this, CLIENT, { value: client });
        Object.defineProperty(this, SCOPE, { value: scope });
      }
    },
  }[className];
  for (const m of ns.methods) {
    if (isScoped && m.scope === "root") continue;
    const id = m.id;
    const fn = {
      [m.name](...args) {
        return run(this[CLIENT], id, this[SCOPE], args);
      },
    }[m.name];
    const names = isScoped ? [m.name] : [m.name, ...m.aliases];
    for (const name of names) {
      Object.defineProperty(cls.prototype, name, { value: fn, writable: true, configurable: true });
    }
  }
  return cls;
}

function attach(target, client, classes, scope) {
  for (const [name, Cls] of classes) {
    Object.defineProperty(target, name, { value: new Cls(client, scope), enumerable: true });
  }
}

/** The Run402 client. Construction is synchronous and validates its options. */
export class Run402 {
  #client;

  constructor(opts) {
    const t = methodTable();
    this.#client = new Client(opts, host);
    attach(this, this.#client, t.root, undefined);
  }

  /** A client bound to one project; without an id, the provider's active one. */
  async project(id) {
    const projectId = await run(this.#client, methodTable().internal.resolveProject, undefined, [id]);
    return new ScopedRun402(this.#client, projectId);
  }

  /** Makes the project active in the provider, then returns a client bound to it. */
  async useProject(id) {
    const projectId = await run(this.#client, methodTable().internal.useProject, undefined, [id]);
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
