// The JS shapes of members that run as operations underneath (src/surface.rs
// `Run::Adapted`): each adapter takes the method's plain operation call
// (`(...args) => { events(), result() }`), the namespace object it sits on,
// the method's table entry and the scoped client's project (undefined on the
// root client), and returns the public function. They reshape only: what is
// sent, retried and emitted is decided in Rust.
import { LocalError, Run402DeployError, isRun402Error } from "./errors.js";
import { reshape, translate } from "./bundle-deploy.js";

// Where a byte reader from `deploy.plan` keeps its bytes, so `upload` hands
// them to Rust as they are instead of reading them through the function.
const SOURCE = Symbol("run402.deploySource");
const TERMINAL = new Set(["ready", "failed", "rolled_back", "needs_repair"]);

/** `opts.onEvent`, if it is a function (a throwing getter reads as none). */
function listener(opts) {
  try {
    const f = opts !== null && typeof opts === "object" ? opts.onEvent : undefined;
    return typeof f === "function" ? f : undefined;
  } catch {
    return undefined;
  }
}

function call(f, event) {
  try {
    f(event);
  } catch {
    // the caller's callback: its exceptions are swallowed (contract §3.9)
  }
}

/** The marker `start`'s task emits once the plan is made (never a DeployEvent). */
function isMarker(e) {
  return e !== null && typeof e === "object" && Object.prototype.hasOwnProperty.call(e, "__operation");
}

/**
 * Resolves to the operation's result after every event went to `onEvent`.
 */
async function delivered(op, onEvent) {
  const pump = (async () => {
    for await (const e of op.events()) if (onEvent !== undefined && !isMarker(e)) call(onEvent, e);
  })().catch(() => {});
  try {
    return await op.result();
  } finally {
    await pump;
  }
}

/** `apply`, `commit`, `resume`: a promise of the result; events to `opts.onEvent`. */
function onEvent(start, _ns, m) {
  return (...args) => delivered(start(...args), listener(args[m.options]));
}

/**
 * `start`: resolves, once the plan is made, to `{ id, events(), result(),
 * snapshot() }`; rejects with the error if the deploy fails before that.
 */
function staged(start, ns, m) {
  return (...args) => {
    const op = start(...args);
    const onEvent = listener(args[m.options]);
    const log = [];
    const wakers = new Set();
    let settled = false;
    const wake = () => {
      for (const w of wakers) w();
      wakers.clear();
    };
    const done = op.result();
    return new Promise((resolve, reject) => {
      let handed = false;
      const hand = (id, project) => {
        if (handed) return;
        handed = true;
        resolve(operationObject(id, project, done, log, wakers, () => settled, ns));
      };
      (async () => {
        for await (const e of op.events()) {
          if (isMarker(e)) {
            hand(e.__operation, e.project);
            continue;
          }
          log.push(e);
          wake();
          if (onEvent !== undefined) call(onEvent, e);
        }
      })().catch(() => {});
      done.then(
        () => hand(null, undefined),
        (err) => {
          if (!handed) {
            handed = true;
            reject(err);
          }
        },
      ).finally(() => {
        settled = true;
        wake();
      });
    });
  };
}

function operationObject(id, project, done, log, wakers, isSettled, ns) {
  let cached;
  return {
    id,
    /** Every event so far, then the live ones; ends after `ready` or when the deploy settles. */
    async *events() {
      for (let i = 0; ; ) {
        if (i < log.length) {
          const e = log[i++];
          yield e;
          if (e !== null && typeof e === "object" && e.type === "ready") return;
          continue;
        }
        if (isSettled()) return;
        await new Promise((r) => wakers.add(r));
      }
    },
    result: () => done,
    /** The operation now (cached once terminal). */
    async snapshot() {
      if (cached !== undefined) return cached;
      const s = await ns.status(id, project ? { project } : undefined);
      if (s !== null && typeof s === "object" && TERMINAL.has(s.status)) cached = s;
      return s;
    },
  };
}

/** `plan`: `byteReaders` as a `Map` of sha256 to `() => Promise<Uint8Array>`. */
function plan(start) {
  return (...args) =>
    start(...args)
      .result()
      .then((out) => ({ plan: out.plan, byteReaders: readerMap(out.byteReaders) }));
}

function readerMap(list) {
  const map = new Map();
  for (const [sha256, body, label, contentType] of list) {
    const reader = body === undefined
      ? async () => {
        throw new Run402DeployError(`ContentRef ${sha256.slice(0, 12)}… was passed pre-resolved: its bytes are not here`, {
          code: "CONTENT_UPLOAD_FAILED",
          resource: label,
          context: "uploading deploy bytes",
        });
      }
      : async () => bytesOf(body);
    reader.label = label;
    if (contentType) reader.contentType = contentType;
    if (body !== undefined) reader[SOURCE] = body;
    map.set(sha256, reader);
  }
  return map;
}

async function bytesOf(body) {
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return new Uint8Array(await body.arrayBuffer());
}

/**
 * `upload(plan, { project, byteReaders })`: the readers become
 * `[sha256, bytes, label, contentType]` entries for Rust; readers that are
 * not the plan's own are called (for the missing content only).
 */
function upload(start, _ns, m) {
  const context = "uploading deploy bytes";
  return async (...args) => {
    const opts = args[m.options];
    let entries;
    let next;
    try {
      entries = await readerEntries(args[0], opts === null || typeof opts !== "object" ? undefined : opts.byteReaders);
      next = args.slice();
      // A string spreads into one key per character (a 10 MiB one hangs the
      // thread); nothing reads those keys, so it spreads as nothing.
      next[m.options] = { ...(typeof opts === "string" ? undefined : opts), byteReaders: entries };
    } catch (e) {
      if (isRun402Error(e)) throw e;
      throw new LocalError(`deploy.upload: cannot read \`byteReaders\`: ${e instanceof Error ? e.message : String(e)}`, context, e);
    }
    return delivered(start(...next), listener(opts));
  };
}

async function readerEntries(plan, readers) {
  if (readers === undefined || readers === null) return [];
  if (!(readers instanceof Map)) throw new TypeError("`byteReaders` must be a Map of sha256 to reader (deploy.plan's)");
  const missing = new Set();
  const list = plan !== null && typeof plan === "object" && Array.isArray(plan.missing_content) ? plan.missing_content : [];
  for (const item of list) if (item && item.present !== true && typeof item.sha256 === "string") missing.add(item.sha256);
  const out = [];
  for (const [sha256, reader] of readers) {
    if (typeof sha256 !== "string" || typeof reader !== "function") continue;
    const own = reader[SOURCE];
    if (own !== undefined) out.push([sha256, own, reader.label, reader.contentType]);
    else if (missing.has(sha256)) out.push([sha256, await reader(), reader.label, reader.contentType]);
  }
  return out;
}

/**
 * `apps.bundleDeploy(projectId, opts)`: the bundle translated here
 * (js/bundle-deploy.js), then the member's own Rust in steps, each a call
 * with the caller's options and the step's name after them: `check` (the
 * project id, the options and the project's keys, then the whole spec, and
 * the CI guard for a CI session: nothing is sent), one `secret` per secret
 * (secrets.set), then `apply` (deploy.apply). A refused translation is
 * thrown after `check` has judged the project, as one Rust pass did.
 */
function bundle(start, _ns, m, scope) {
  return async (...args) => {
    const head = [];
    for (let i = 0; i <= m.options; i++) head.push(args[i]);
    const step = (...rest) => start(...head, ...rest).result();
    const project = scope ?? args[0];
    let translated;
    let refused;
    try {
      translated = await translate(project, args[m.options], m.context, (sql) => step("hash", sql));
    } catch (e) {
      refused = e;
    }
    await step("check", translated?.spec);
    if (refused !== undefined) throw refused;
    for (const [key, value] of translated.secrets) await step("secret", key, value);
    return reshape(project, await step("apply", translated.spec));
  };
}

export const adapters = { onEvent, staged, plan, upload, bundle };
