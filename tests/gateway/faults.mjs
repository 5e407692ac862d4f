// Fault injection queue for /__sim/faults: the next `count` requests whose
// method and path prefix match get a canned status, a delay, a connection
// reset, or a truncated body instead of (or before) normal handling.

import { fail } from "./http-util.mjs";

const KEYS = ["match", "count", "status", "headers", "body", "delayMs", "reset", "truncate"];

function invalid(message) {
  fail(400, "invalid_fault", message, "INVALID_FAULT");
}

/** Validates a POST /__sim/faults body into a queued fault. */
export function parseFault(input) {
  const unknown = Object.keys(input).filter((k) => !KEYS.includes(k));
  if (unknown.length) invalid(`Unknown fault field(s): ${unknown.join(", ")}.`);
  const match = input.match ?? {};
  if (typeof match !== "object" || Array.isArray(match) || Object.keys(match).some((k) => k !== "method" && k !== "path")) {
    invalid("match must be an object with optional method and path.");
  }
  for (const k of ["method", "path"]) if (match[k] !== undefined && typeof match[k] !== "string") invalid(`match.${k} must be a string.`);
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 1) invalid("count must be a positive integer.");
  if (input.status !== undefined && !(Number.isInteger(input.status) && input.status >= 100 && input.status <= 599)) {
    invalid("status must be an HTTP status code.");
  }
  if (input.headers !== undefined && (typeof input.headers !== "object" || Array.isArray(input.headers) || Object.values(input.headers).some((v) => typeof v !== "string"))) {
    invalid("headers must be an object of string values.");
  }
  if ((input.headers !== undefined || input.body !== undefined) && input.status === undefined) invalid("headers and body need a status.");
  if (input.delayMs !== undefined && !(typeof input.delayMs === "number" && input.delayMs >= 0)) invalid("delayMs must be a non-negative number.");
  for (const k of ["reset", "truncate"]) if (input[k] !== undefined && typeof input[k] !== "boolean") invalid(`${k} must be a boolean.`);
  if (input.reset && (input.status !== undefined || input.truncate)) invalid("reset cannot be combined with status or truncate.");
  if (input.status === undefined && !input.delayMs && !input.reset && !input.truncate) {
    invalid("A fault needs at least one of status, delayMs, reset or truncate.");
  }
  return {
    match: { method: match.method?.toUpperCase(), path: match.path },
    remaining: count,
    status: input.status,
    headers: Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    body: input.body,
    delayMs: input.delayMs ?? 0,
    reset: input.reset === true,
    truncate: input.truncate === true,
  };
}

/**
 * Takes one use of the first queued fault matching this request. A fault
 * without a method never matches CORS preflights, so browsers' OPTIONS
 * requests do not use it up.
 */
export function takeFault(state, method, pathname) {
  const index = state.faults.findIndex(({ match }) =>
    (match.method ? match.method === method : method !== "OPTIONS") && (match.path === undefined || pathname.startsWith(match.path)),
  );
  if (index === -1) return null;
  const fault = state.faults[index];
  if (--fault.remaining === 0) state.faults.splice(index, 1);
  return fault;
}

/** The canned reply of a status fault. */
export function faultReply(fault) {
  const body = fault.body ?? { error: "injected_fault", message: `Injected fault: HTTP ${fault.status}.`, code: "SIM_INJECTED_FAULT" };
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const type = typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8";
  return { status: fault.status, headers: { "content-type": type, ...fault.headers }, body: text };
}
