// The host services the wasm core calls: the error factory, and one HTTP
// exchange per request. Doing the exchange here costs one boundary crossing
// and one await per request instead of a dozen of each; the decisions
// (what to send, how to decode, which error) all stay in Rust.
export { makeError } from "./errors.js";
export { assetRef } from "./asset-ref.js";

/**
 * The limits (`{ timeoutMs, signal? }`) of the call wasm is running right
 * now. js/api.js sets it around each synchronous start/resume of a call
 * (restoring the outer one, so a provider that starts a call inside another
 * does not mix them up); `exchange` and `bounded` read it, since wasm calls
 * them synchronously inside that start/resume.
 */
export const running = { control: undefined };

// Outcome tags read by src/wasm/fetch.rs.
const RESPONSE = 0;
const FETCH_FAILED = 1;
const NOT_A_RESPONSE = 2;
const BODY_FAILED = 3;
const INTERRUPTED = 4;
// A response whose JSON body was parsed here (`body` is the parsed value).
const RESPONSE_JSON = 5;

/**
 * How an exchange ended, one shape for every outcome: wasm reads its
 * fields with typed getters (a number arrives as a number, no handle).
 */
class Outcome {
  constructor(tag, status, headers, body) {
    this.tag = tag;
    this.status = status;
    this.headers = headers;
    this.body = body; // a failure's detail (thrown value, description, marker)
  }
}

const failed = (tag, detail) => new Outcome(tag, 0, undefined, detail);

// What a timed-out or aborted wait settles with: Rust recognizes it
// (interruptionOf) and raises NetworkError with code TIMEOUT or ABORTED.
class Interrupted {
  constructor(ms, reason) {
    this.ms = ms; // -2 for an abort
    this.reason = reason;
  }
}

// Deadlines are checked by one shared ticker rather than a timer per wait:
// a setTimeout, its closures and an AbortController per exchange cost more
// than the rest of a stubbed call. Waits with the same timeoutMs expire in
// the order they started, so each group is a queue in insertion order:
// linked through the waits themselves, so joining and leaving it allocate
// nothing and hash nothing.
const TICK_MS = 25;
const waiting = new Map(); // timeoutMs -> Queue of Limits, oldest first
let waitingCount = 0;
let tickDue = 0; // when the armed tick should fire; 0 when none is armed

function armTicker(now) {
  // A runtime may drop a timer (a Worker request that ended): re-arm when
  // the tick is long overdue.
  if (tickDue !== 0 && now < tickDue + 1000) return;
  tickDue = now + TICK_MS;
  setTimeout(tick, TICK_MS);
}

function tick() {
  const now = Date.now();
  tickDue = 0;
  for (const group of waiting.values()) {
    // Expiring a wait takes it out of its queue.
    while (group.head !== null && group.head.deadline <= now) group.head.expire();
  }
  if (waitingCount > 0) armTicker(now);
}

// The group the last wait joined: nearly every wait has the client's
// timeoutMs, so this saves a Map lookup per wait.
let lastMs = 0;
let lastGroup;

/** One wait under a call's limits; also the abort listener (handleEvent). */
class Limit {
  constructor(ms, outer, resolve, reject, interrupted) {
    this.ms = ms;
    this.outer = outer;
    this.resolve = resolve;
    this.reject = reject;
    this.interrupted = interrupted;
    this.controller = undefined;
    this.done = false;
    this.deadline = 0;
    this.group = undefined;
    this.prev = null; // neighbours in its group's queue
    this.next = null;
    if (ms > 0) {
      const now = Date.now();
      this.deadline = now + ms;
      if (ms !== lastMs) {
        lastGroup = waiting.get(ms);
        if (lastGroup === undefined) waiting.set(ms, (lastGroup = { head: null, tail: null }));
        lastMs = ms;
      }
      const group = (this.group = lastGroup);
      this.prev = group.tail;
      if (group.tail === null) group.head = this;
      else group.tail.next = this;
      group.tail = this;
      waitingCount++;
      armTicker(now);
    }
    if (outer !== undefined) outer.addEventListener("abort", this);
  }
  /** The signal handed to fetch, made on first read. */
  get signal() {
    return (this.controller ??= new AbortController()).signal;
  }
  finish() {
    this.done = true;
    const group = this.group;
    if (group !== undefined) {
      // In its queue since it was made (finish runs once).
      if (this.prev === null) group.head = this.next;
      else this.prev.next = this.next;
      if (this.next === null) group.tail = this.prev;
      else this.next.prev = this.prev;
      // A caller may keep `init` (and so this wait): it must not keep its neighbours.
      this.prev = this.next = null;
      waitingCount--;
    }
    if (this.outer !== undefined) this.outer.removeEventListener("abort", this);
  }
  settle(value) {
    if (this.done) return;
    this.finish();
    this.resolve(value);
  }
  fail(error) {
    if (this.done) return;
    this.finish();
    this.reject(error);
  }
  interrupt(marker, abortReason) {
    if (this.done) return;
    this.finish();
    this.resolve(this.interrupted(marker));
    this.controller?.abort(abortReason);
  }
  expire() {
    this.interrupt(new Interrupted(this.ms), new Error(`timed out after ${this.ms} ms`));
  }
  handleEvent() {
    this.interrupt(new Interrupted(-2, this.outer.reason), this.outer.reason);
  }
}

/**
 * Settles with `work(abortable)`'s outcome, or with `interrupted(marker)`
 * once the call's timeout passes or its signal fires (`control` is
 * `{ timeoutMs, signal? }`). Either way `abortable.signal`, if `work` read
 * it, is then aborted, so a fetch and its body stream stop. The
 * AbortController is made only when read: a fetch that ignores signals
 * never pays for one.
 */
function limited(control, work, interrupted, extraMs = 0) {
  let ms = control === undefined ? 0 : control.timeoutMs;
  // An upload's extra time (src/kernel/mod.rs upload_allowance_ms) only
  // stretches a limit; no limit stays none.
  if (ms > 0 && extraMs > 0) ms = Math.min(ms + extraMs, 2147483647);
  const outer = control === undefined ? undefined : control.signal;
  if (!(ms > 0) && outer === undefined) return work(undefined);
  if (outer !== undefined && outer.aborted) return Promise.resolve(interrupted(new Interrupted(-2, outer.reason)));
  return new Promise((resolve, reject) => {
    const limit = new Limit(ms, outer, resolve, reject, interrupted);
    let pending;
    try {
      pending = work(limit);
    } catch (e) {
      limit.fail(e);
      return;
    }
    // Not kept while it runs: its closure may hold an upload's bytes.
    work = undefined;
    pending.then((v) => limit.settle(v), (e) => limit.fail(e));
  });
}

const rejectWith = (marker) => Promise.reject(marker);

/**
 * A provider's promise bounded by the call's limits (see `limited`). The
 * provider cannot be cancelled, but the call stops waiting for it.
 */
export function bounded(promise) {
  try {
    return limited(running.control, () => Promise.resolve(promise), rejectWith);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Resolves after `ms` milliseconds; when the running call's signal fires
 * first, resolves early with the interruption marker (and the timer is
 * cleared). Not bounded by `timeoutMs`, which limits each exchange.
 */
export function sleep(ms) {
  try {
    const signal = running.control === undefined ? undefined : running.control.signal;
    const limits = signal === undefined ? undefined : { timeoutMs: 0, signal };
    return limited(limits, (abortable) => new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      abortable?.signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
    }), identity);
  } catch (e) {
    return Promise.reject(e);
  }
}

const identity = (marker) => marker;

/** -1: not an interruption; -2: aborted; otherwise the timeout in ms. */
export function interruptionOf(v) {
  try {
    return v instanceof Interrupted ? v.ms : -1;
  } catch {
    return -1; // `instanceof` reads the prototype: a revoked Proxy throws
  }
}

/** The abort reason an interruption carries (undefined for timeouts). */
export function interruptionCause(v) {
  try {
    return v instanceof Interrupted ? v.reason : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends one request with the caller's fetch and reads the body, within the
 * running call's limits (see `limited`) stretched by `extraMs` for a large
 * upload. `headerLines` is "name:value" lines (Rust refuses CR/LF in
 * headers). `flags`: the read mode (READ_MASK) and STREAM_BODY. Resolves to
 * an Outcome: RESPONSE with its status, headers, body and content type,
 * or a failure tag with its detail as `body`; the body is text
 * unless the answer is 2xx and the mode asks for bytes (a Uint8Array) or
 * the response itself (its body unread).
 */
export function exchange(fetch, url, method, headerLines, body, flags, extraMs) {
  try {
    return limited(running.control, (abortable) => send(fetch, url, method, headerLines, body, flags, abortable), toInterrupted, extraMs);
  } catch (e) {
    return Promise.resolve(failed(FETCH_FAILED, e));
  }
}

const toInterrupted = (marker) => failed(INTERRUPTED, marker);

// `flags` bits, as src/wasm/fetch.rs writes them.
const READ_MASK = 3;
const READ_BYTES = 2;
const READ_RESPONSE = 3;
const STREAM_BODY = 4;

const LIMIT = Symbol("run402.limit");
const LAZY_SIGNAL = { get() { return this[LIMIT].signal; }, enumerable: true, configurable: true };

// The last header lines parsed, and their object: consecutive calls of one
// kind (same project, same key) send the same lines, and copying the object
// costs a fraction of parsing them again.
let lastLines = "";
let lastHeaders = {};

/** `headerLines` as a fresh object (the caller's fetch may change it). */
function headersOf(headerLines) {
  if (headerLines !== lastLines) {
    const parsed = {};
    for (let at = 0; at < headerLines.length;) {
      const colon = headerLines.indexOf(":", at);
      let end = headerLines.indexOf("\n", colon);
      if (end < 0) end = headerLines.length;
      parsed[headerLines.slice(at, colon)] = headerLines.slice(colon + 1, end);
      at = end + 1;
    }
    lastLines = headerLines;
    lastHeaders = parsed;
  }
  return { ...lastHeaders };
}

/**
 * Hands the request to fetch, then reads the answer in `received`: apart,
 * so that nothing here (an upload part's bytes) is held while it is sent.
 */
function send(fetch, url, method, headerLines, body, flags, abortable) {
  const headers = headersOf(headerLines);
  if (fetch === nodeFetch && body instanceof Uint8Array && body.byteLength >= AS_STREAM_FROM) {
    body = oneChunkStream(body, headers);
    flags |= STREAM_BODY;
  }
  // One shape for every request (fetch reads `body: undefined` as none).
  const init = { method, headers, body };
  // Streaming a request body needs it said (Node's fetch refuses without).
  if (flags & STREAM_BODY) init.duplex = "half";
  if (abortable !== undefined) {
    // An own enumerable getter: the AbortController is made only if fetch
    // reads `signal`, and a wrapper that spreads `init` still copies it.
    init[LIMIT] = abortable;
    Object.defineProperty(init, "signal", LAZY_SIGNAL);
  }
  let sent;
  try {
    sent = fetch(url, init);
  } catch (e) {
    return Promise.resolve(failed(FETCH_FAILED, e));
  }
  return received(sent, flags);
}

// Node's own fetch copies a byte body at least twice while it sends it
// (into its own byte stream, whose tee clones it again): a large one goes as
// a plain stream of the same bytes instead, sent as they are, with the
// Content-Length fetch would have set. The wire is the same. A 307/308
// is not followed with it (Node 20's fetch fails one for a byte body too;
// undici 7's follows that): a presigned URL's signature covers its host.
// Only for the runtime's fetch (see `globalFetch`): a caller's fetch gets
// the bytes.
const AS_STREAM_FROM = 1 << 20;

function oneChunkStream(bytes, headers) {
  if (!Object.keys(headers).some((k) => k.toLowerCase() === "content-length")) headers["content-length"] = String(bytes.byteLength);
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

async function received(sent, flags) {
  let res;
  try {
    res = await sent;
  } catch (e) {
    return failed(FETCH_FAILED, e);
  }
  let status, resHeaders;
  try {
    if (res === null || typeof res !== "object") return failed(NOT_A_RESPONSE, describe(res));
    // Read once: a getter may answer differently (or throw) the second time.
    status = res.status;
    resHeaders = res.headers;
    if (typeof status !== "number" || typeof resHeaders?.get !== "function" || typeof res.text !== "function") {
      return failed(NOT_A_RESPONSE, describe(res));
    }
  } catch {
    return failed(NOT_A_RESPONSE, "an object whose fields cannot be read");
  }
  const read = flags & READ_MASK;
  if (read >= READ_BYTES && status >= 200 && status <= 299) {
    // The caller owns a raw response's body from here (and its cancelling).
    return read === READ_RESPONSE
      ? new Outcome(RESPONSE, status, resHeaders, res)
      : readBytes(res, status, resHeaders);
  }
  let text;
  try {
    text = await res.text();
  } catch (e) {
    return failed(BODY_FAILED, e);
  }
  if (typeof text !== "string") return failed(NOT_A_RESPONSE, "an object whose text() does not resolve to a string");
  // A body the kernel decodes by its content type (any answer in the decoded
  // mode, and every non-2xx) is parsed here when it is JSON: wasm then reads
  // neither the content type nor the text. This test admits only what the
  // kernel's `is_json_media_type` admits; anything else, and JSON that does
  // not parse, goes to the kernel as text, which decides as before.
  if (read === 0 || status < 200 || status > 299) {
    const type = headerOf(resHeaders, "content-type");
    if (type !== undefined && isJsonType(type)) {
      try {
        return new Outcome(RESPONSE_JSON, status, resHeaders, JSON.parse(text));
      } catch {
        // the kernel tells empty from broken, and 2xx from error answers
      }
    }
  }
  return new Outcome(RESPONSE, status, resHeaders, text);
}

function isJsonType(type) {
  if (type === "application/json" || type === "application/json; charset=utf-8") return true;
  const media = type.split(";")[0].trim().toLowerCase();
  return media === "application/json" || media.endsWith("+json");
}

/** A response header's value, or undefined (a throwing `get` included). */
export function headerOf(headers, name) {
  try {
    const v = headers.get(name);
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

let lastParseFailure = "";

/**
 * `JSON.parse(text)`, or undefined when it throws (JSON has no undefined),
 * the parser's message then kept for `parseFailure`.
 */
export function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    lastParseFailure = describeThrown(e);
    return undefined;
  }
}

/** Why the last `parseJson` failed. */
export function parseFailure() {
  return lastParseFailure;
}

async function readBytes(res, status, resHeaders) {
  let buf;
  try {
    if (typeof res.arrayBuffer !== "function") return failed(NOT_A_RESPONSE, "an object without arrayBuffer()");
    buf = await res.arrayBuffer();
  } catch (e) {
    return failed(BODY_FAILED, e);
  }
  try {
    if (toTag.call(buf) === "[object ArrayBuffer]") return new Outcome(RESPONSE, status, resHeaders, new Uint8Array(buf));
  } catch {
    // a revoked Proxy: not an ArrayBuffer
  }
  return failed(NOT_A_RESPONSE, "an object whose arrayBuffer() does not resolve to an ArrayBuffer");
}

// Body kinds for src/wasm/fetch.rs (BodyKind there).
const BODY_TEXT = 0;
const BODY_BYTES = 1;
const BODY_BLOB = 2;
const BODY_STREAM = 3;

/**
 * What `fetch` can send `v` as: `length * 4 + kind` (a stream's length is
 * unknown: 0), or -1 for anything else. Shared memory is refused (fetch
 * rejects it). Brand checks, not tags: a plain object claiming
 * `Symbol.toStringTag` "Blob" is not one.
 */
export function bodyKindOf(v) {
  try {
    if (typeof v === "string") return wellFormed(v) ? utf8Length(v) * 4 + BODY_TEXT : -1;
    if (v === null || typeof v !== "object") return -1;
    if (ArrayBuffer.isView(v)) return v.buffer instanceof ArrayBuffer ? v.byteLength * 4 + BODY_BYTES : -1;
    if (v instanceof ArrayBuffer) return v.byteLength * 4 + BODY_BYTES;
    if (typeof Blob === "function" && v instanceof Blob) return v.size * 4 + BODY_BLOB;
    if (typeof ReadableStream === "function" && v instanceof ReadableStream) return BODY_STREAM;
    return -1;
  } catch {
    return -1;
  }
}

/**
 * Bytes `start..end` of a body `bodyKindOf` accepted, other than a stream:
 * a view or a Blob slice over the same memory (a string is encoded first).
 * undefined if it cannot be cut.
 */
export function sliceOf(v, start, end) {
  try {
    if (typeof v === "string") return new TextEncoder().encode(v).subarray(start, end);
    if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset + start, end - start);
    if (v instanceof ArrayBuffer) return new Uint8Array(v, start, end - start);
    if (typeof Blob === "function" && v instanceof Blob) return v.slice(start, end);
  } catch {
    // a detached buffer, a range the host refuses: not cut
  }
  return undefined;
}

function utf8Length(s) {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 4 bytes for 2 code units
      i++;
    } else n += 2; // 3 bytes (a lone surrogate becomes U+FFFD, also 3)
  }
  return n;
}

// Outcome tags of `sha256`, read by src/wasm/digest.rs.
const DIGEST = 0;
const HASH_THESE = 1;
const DIGEST_FAILED = 2;

/**
 * SHA-256 of a string (UTF-8), bytes or a Blob: [DIGEST, 32 bytes] from
 * WebCrypto, or, where `crypto.subtle` is missing (insecure browser
 * origins) or `useSubtle` is false, [HASH_THESE, bytes] for Rust to hash;
 * [DIGEST_FAILED, error] if the bytes cannot be read.
 */
export function sha256(data, useSubtle) {
  return failingAs(DIGEST_FAILED, () => digestOf(data, useSubtle));
}

/** `work()`'s promise, with a throw or a rejection answered as [tag, error]: never rejects. */
function failingAs(tag, work) {
  try {
    return work().catch((e) => [tag, e]);
  } catch (e) {
    return Promise.resolve([tag, e]);
  }
}

async function digestOf(data, useSubtle) {
  let bytes;
  if (typeof data === "string") bytes = new TextEncoder().encode(data);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else if (typeof Blob === "function" && data instanceof Blob) bytes = new Uint8Array(await data.arrayBuffer());
  else return [DIGEST_FAILED, new TypeError("expected a string, bytes or a Blob")];
  const subtle = useSubtle ? globalThis.crypto?.subtle : undefined;
  if (typeof subtle?.digest !== "function") return [HASH_THESE, bytes];
  return [DIGEST, new Uint8Array(await subtle.digest("SHA-256", bytes))];
}

// Node, Bun and Deno hash incrementally in native code through node:crypto,
// reached at run time (a static `node:` import would break the isomorphic
// entries); browsers and workerd without nodejs_compat have none, and Rust
// hashes there (src/wasm/digest.rs).
let nodeCrypto;
function nativeCrypto() {
  if (nodeCrypto === undefined) {
    try {
      nodeCrypto = globalThis.process?.getBuiltinModule?.("node:crypto") ?? null;
    } catch {
      nodeCrypto = null;
    }
  }
  return nodeCrypto;
}

/** A native incremental SHA-256 hasher, or undefined where there is none. Never throws. */
export function hasherStart() {
  try {
    return nativeCrypto()?.createHash("sha256") ?? undefined;
  } catch {
    return undefined;
  }
}

/** Feeds bytes to a hasher from `hasherStart`: false if it refused them. Never throws. */
export function hasherUpdate(hasher, bytes) {
  try {
    hasher.update(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The hasher's 32-byte digest (it cannot be fed after), or undefined. Never throws. */
export function hasherFinish(hasher) {
  try {
    return new Uint8Array(hasher.digest());
  } catch {
    return undefined;
  }
}

// Outcome tags of `readStream`, read by src/wasm/fetch.rs.
const READ_CHUNK = 0;
const READ_DONE = 1;
const READ_FAILED = 2;

// The reader of each stream the SDK reads, and the bytes of its last chunk
// that did not fit the last read.
const streamReads = new WeakMap();

/**
 * The next `max` bytes of a ReadableStream in one Uint8Array (fewer only at
 * its end): [READ_CHUNK, bytes], [READ_DONE] once it has ended, or
 * [READ_FAILED, error]. Never rejects. One array per call, so an upload
 * holds a part's bytes, not the whole stream.
 */
export function readStream(stream, max) {
  return failingAs(READ_FAILED, () => readUpTo(stream, max));
}

async function readUpTo(stream, max) {
  let state = streamReads.get(stream);
  if (state === undefined) {
    state = { reader: stream.getReader(), rest: undefined };
    streamReads.set(stream, state);
  }
  const out = new Uint8Array(max);
  let filled = 0;
  while (filled < max) {
    let chunk = state.rest;
    state.rest = undefined;
    if (chunk === undefined) {
      const { done, value } = await state.reader.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new TypeError("the stream must yield Uint8Array chunks");
      chunk = value;
    }
    const n = Math.min(chunk.byteLength, max - filled);
    out.set(n === chunk.byteLength ? chunk : chunk.subarray(0, n), filled);
    filled += n;
    if (n < chunk.byteLength) state.rest = chunk.subarray(n);
  }
  if (filled === 0 && max > 0) {
    streamReads.delete(stream);
    return [READ_DONE];
  }
  return [READ_CHUNK, filled === max ? out : out.subarray(0, filled)];
}

// The file reader the Node entry installs (js/node.js), for deploy
// content given as `{ __source: "fs-file", path }`; none in other runtimes,
// so this file imports nothing from `node:`.
let fileReader;

/**
 * Installs `read(path) => Promise<Uint8Array>`, the reader of fs-file
 * deploy sources (`fileSetFromDir`). The Node entry calls it; tests may too.
 */
export function installFileReader(read) {
  if (read !== undefined && typeof read !== "function") throw new TypeError("installFileReader takes a function");
  fileReader = read;
}

/**
 * Deploy content read whole: a ReadableStream's bytes, or, for a path
 * string, the installed reader's: [READ_CHUNK, bytes], [READ_DONE] when no
 * reader is installed, [READ_FAILED, error]. Never rejects.
 */
export function readAll(source) {
  return failingAs(READ_FAILED, async () => {
    if (typeof source === "string") {
      if (fileReader === undefined) return [READ_DONE];
      const bytes = await fileReader(source);
      if (!(bytes instanceof Uint8Array)) throw new TypeError("the file reader must resolve to a Uint8Array");
      return [READ_CHUNK, bytes];
    }
    return [READ_CHUNK, new Uint8Array(await new Response(source).arrayBuffer())];
  });
}

/** Stops reading a stream: its source is cancelled. Never throws. */
export function cancelStream(stream) {
  try {
    const state = streamReads.get(stream);
    streamReads.delete(stream);
    state?.reader.cancel(new Error("the upload failed")).catch(() => {});
  } catch {
    // a reader that cannot be cancelled: nothing more to do
  }
}

// Value inspection for src/wasm/convert.rs. The rule for every function
// that wasm imports from this file: it catches everything itself and never
// throws. A JS exception that unwinds through wasm frames skips the Rust
// epilogues that restore the shadow-stack pointer, so each one leaks stack
// until the instance traps for good. Hostile values (revoked Proxies,
// throwing getters and `ownKeys` traps) therefore read as "other" or absent.

const toTag = Object.prototype.toString;

/**
 * Whether a string is well-formed UTF-16. One with a lone surrogate would
 * become U+FFFD on its way into Rust (or into fetch's UTF-8), silently
 * changing the caller's data, so the SDK refuses it instead. The fallback
 * (no lookbehind: older Safari cannot even parse one) is for runtimes
 * without `isWellFormed`.
 */
const wellFormed = typeof "".isWellFormed === "function"
  ? (s) => s.isWellFormed()
  : (s) => !/(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(s);

/** `v` when it is a well-formed string (see `wellFormed`), else undefined. */
export function textOf(v) {
  return typeof v === "string" && wellFormed(v) ? v : undefined;
}

/** Whether `keysOf` can list key `k` (it joins keys with newlines). */
const joinable = (k) => !k.includes("\n");

/** Whether every enumerable key of `v` can be listed by `keysOf` and read back. */
function keysCross(v) {
  for (const k in v) if (!joinable(k) || !wellFormed(k)) return false;
  return true;
}

// Codes: 0 undefined, 1 null, 2 boolean, 3 number, 4 string, 5 array (its
// length readable), 6 plain data object, 7 anything else: functions, symbols,
// bigints, built-ins such as Date, Map, Uint8Array or Promise, and values
// that throw when inspected; 8 a string that is not well-formed, 9 a plain
// object with a key that cannot cross (see `keysCross`).
export function kindOf(v) {
  switch (typeof v) {
    case "undefined": return 0;
    case "boolean": return 2;
    case "number": return 3;
    case "string": return wellFormed(v) ? 4 : 8;
    case "object":
      if (v === null) return 1;
      try {
        if (Array.isArray(v)) return typeof v.length === "number" ? 5 : 7;
        // Class instances count as data (their getters are read like fields);
        // built-ins carry their own tag ("[object Date]", "[object Map]").
        // An object with a key that cannot cross as text is refused as a
        // whole: keysOf could not list that key, and a map of files or
        // query fields would lose it silently. One whose keys cannot be
        // listed at all (a Proxy's throwing ownKeys) lands in the catch.
        return toTag.call(v) === "[object Object]" ? (keysCross(v) ? 6 : 9) : 7;
      } catch {
        return 7;
      }
    default: return 7;
  }
}

/** An array's length (0 if it cannot be read). */
export function lengthOf(v) {
  try {
    const n = v.length;
    return typeof n === "number" && n >= 0 && n <= 0xffffffff ? n : 0;
  } catch {
    return 0;
  }
}

/** `arr[i]`; undefined if the getter throws. */
export function itemOf(arr, i) {
  try {
    return arr[i];
  } catch {
    return undefined;
  }
}

// Outcomes of `callProvider`, read by src/wasm/bridge.rs.
const PROVIDED = 0;
const PROVIDED_LATER = 1;
const PROVIDER_THREW = 2;
const NOT_PROVIDED = 3;

let provided;

/**
 * Calls the provider's method `name` with `argc` of the arguments: returns
 * an outcome code and keeps the value (a thrown one, or a promise already
 * bounded by the call's limits) for `takeProvided`, which wasm calls next.
 * One crossing and no array, where looking the method up, calling it and
 * testing its result from wasm took six.
 */
export function callProvider(provider, name, argc, a, b) {
  provided = undefined;
  let f;
  try {
    f = provider[name];
  } catch {
    return NOT_PROVIDED; // a throwing getter: treated as no such method
  }
  if (typeof f !== "function") return NOT_PROVIDED;
  let v;
  try {
    v = argc === 0 ? f.call(provider) : argc === 1 ? f.call(provider, a) : f.call(provider, a, b);
  } catch (e) {
    provided = e;
    return PROVIDER_THREW;
  }
  // The provider may have started calls of its own: `provided` is set last.
  if (isThenable(v)) {
    provided = bounded(v);
    return PROVIDED_LATER;
  }
  provided = v;
  return PROVIDED;
}

/** The value `callProvider` kept. */
export function takeProvided() {
  const v = provided;
  provided = undefined;
  return v;
}

/** Whether the provider has a method `name` (false if reading it throws). */
const CI_SESSION = Symbol.for("@run402/sdk/ci-session-credentials");

/** Whether a provider is a CI session's (js/ci.js marks them). Never throws. */
export function providerIsCi(provider) {
  try {
    return provider !== null && typeof provider === "object" && provider[CI_SESSION] === true;
  } catch {
    return false;
  }
}

export function providerHas(provider, name) {
  try {
    return typeof provider[name] === "function";
  } catch {
    return false;
  }
}

/** Whether a provider's result must be awaited (a promise or any thenable). */
function isThenable(v) {
  try {
    return v !== null && (typeof v === "object" || typeof v === "function") && typeof v.then === "function";
  } catch {
    return false; // a throwing `then` getter: treat the value as plain
  }
}

/**
 * The runtime's `fetch`, bound to `globalThis` (a browser's must be called
 * on its window); undefined where there is none or reading it throws.
 */
export function globalFetch() {
  try {
    const f = globalThis.fetch;
    if (typeof f !== "function") return undefined;
    if (f !== undiciFetch) return f.bind(globalThis);
    return (nodeFetch ??= f.bind(globalThis));
  } catch {
    return undefined;
  }
}

// Node's fetch (undici) as Node had it when this module loaded (not a
// stand-in set later, nor Deno's or Bun's), and the one `globalFetch`
// binds for it (see `oneChunkStream`).
const undiciFetch = (() => {
  try {
    const node = typeof Deno === "undefined" && typeof Bun === "undefined" && typeof globalThis.process?.versions?.undici === "string";
    return node ? globalThis.fetch : undefined;
  } catch {
    return undefined;
  }
})();
let nodeFetch;

/** `obj[key]` for data objects; undefined for arrays, non-objects, or if a getter throws. */
export function fieldOf(obj, key) {
  if (obj === null || typeof obj !== "object") return undefined;
  try {
    return Array.isArray(obj) ? undefined : obj[key];
  } catch {
    return undefined;
  }
}

/** Whether a data object has its own property `key` (false if that throws). */
export function hasOwnField(obj, key) {
  try {
    return obj !== null && typeof obj === "object" && !Array.isArray(obj) && Object.hasOwn(obj, key);
  } catch {
    return false;
  }
}

/** A data object's own enumerable string keys, newline-joined ("" if they cannot be listed). */
export function keysOf(obj) {
  try {
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return "";
    const keys = Object.keys(obj);
    // Keys containing a newline cannot be joined unambiguously: they are
    // skipped here, and a plain object holding one is refused by its shape
    // first (kindOf's 9), so no caller's map loses a key unseen.
    return keys.every(joinable) ? keys.join("\n") : keys.filter(joinable).join("\n");
  } catch {
    return "";
  }
}

/** `String(n)` of a number, as JS writes it. */
export function numberText(n) {
  return typeof n === "number" ? String(n) : "";
}

/**
 * A thrown or rejected value as text for an error message: an Error's (or
 * any object's) string `message`, a string as is, otherwise `String(v)`.
 * Never JSON: a rejected `{ url, init }` would put request headers, and so
 * keys, into the message. The value itself is kept as the error's `cause`.
 */
export function describeThrown(v) {
  try {
    if (typeof v === "string") return v;
    if (v === undefined) return "undefined was thrown";
    if (v === null) return "null was thrown";
    if (typeof v === "object" || typeof v === "function") {
      const m = v.message;
      if (typeof m === "string") return m;
      return typeof v === "function" ? "a function was thrown" : "a non-Error object was thrown";
    }
    return String(v);
  } catch {
    return "a value that cannot be described was thrown";
  }
}

function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a${/^[aeiou]/.test(typeof value) ? "n" : ""} ${typeof value}`;
}
