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
