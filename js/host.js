// The host services the wasm core calls: the error factory, and one HTTP
// exchange per request. Doing the exchange here costs one boundary crossing
// and one await per request instead of a dozen of each; the decisions
// (what to send, how to decode, which error) all stay in Rust.
export { makeError } from "./errors.js";

// Outcome tags read by src/wasm/fetch.rs.
const RESPONSE = 0;
const FETCH_FAILED = 1;
const NOT_A_RESPONSE = 2;
const BODY_FAILED = 3;

/**
 * Sends one request with the caller's fetch and reads the whole body as
 * text. `headerLines` is "name:value" lines (Rust refuses CR/LF in headers).
 * Resolves to [RESPONSE, status, headers, text] or a tagged failure.
 */
export async function exchange(fetch, url, method, headerLines, body) {
  const headers = {};
  if (headerLines) {
    for (const line of headerLines.split("\n")) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon)] = line.slice(colon + 1);
    }
  }
  let res;
  try {
    res = await fetch(url, body === undefined ? { method, headers } : { method, headers, body });
  } catch (e) {
    return [FETCH_FAILED, e];
  }
  if (!isResponseLike(res)) return [NOT_A_RESPONSE, describe(res)];
  let text;
  try {
    text = await res.text();
  } catch (e) {
    return [BODY_FAILED, e];
  }
  if (typeof text !== "string") return [NOT_A_RESPONSE, "an object whose text() does not resolve to a string"];
  return [RESPONSE, res.status, res.headers, text];
}

// Value inspection for src/wasm/convert.rs, one call instead of several
// type probes. Codes: 0 undefined, 1 null, 2 boolean, 3 number, 4 string,
// 5 array, 6 plain data object, 7 anything else (function, symbol, bigint).
export function kindOf(v) {
  switch (typeof v) {
    case "undefined": return 0;
    case "boolean": return 2;
    case "number": return 3;
    case "string": return 4;
    case "object": return v === null ? 1 : Array.isArray(v) ? 5 : 6;
    default: return 7;
  }
}

/** Whether a provider's result must be awaited (a promise or any thenable). */
export function isThenable(v) {
  try {
    return v !== null && (typeof v === "object" || typeof v === "function") && typeof v.then === "function";
  } catch {
    return false; // a throwing `then` getter: treat the value as plain
  }
}

/** `obj[key]` for plain data objects; undefined otherwise or if a getter throws. */
export function fieldOf(obj, key) {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return undefined;
  try {
    return obj[key];
  } catch {
    return undefined;
  }
}

function isResponseLike(res) {
  try {
    return res !== null && typeof res === "object" && typeof res.status === "number" &&
      typeof res.headers?.get === "function" && typeof res.text === "function";
  } catch {
    return false; // a throwing getter or proxy
  }
}

function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a${/^[aeiou]/.test(typeof value) ? "n" : ""} ${typeof value}`;
}
