// Replies, the gateway's error envelope, and strict request-body parsing.
// Handlers return a reply ({status, headers, body}) or throw HttpError; the
// dispatcher writes it, which lets fault injection and idempotency replay see
// the finished response.

export const JSON_TYPE = "application/json; charset=utf-8";
export const MAX_BODY_BYTES = 1024 * 1024;

export class HttpError extends Error {
  constructor(status, body, headers = {}) {
    super(typeof body?.message === "string" ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** `{error, message, code, ...extra}`: the envelope every gateway error uses. */
function envelope(error, message, code, extra = {}) {
  return { error, message, code, ...extra };
}

/** Throws the gateway's JSON error envelope with the given status. */
export function fail(status, error, message, code, extra = {}, headers = {}) {
  throw new HttpError(status, envelope(error, message, code, extra), headers);
}

export function json(status, body, headers = {}) {
  return { status, headers: { "content-type": JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

export function empty(status, headers = {}) {
  return { status, headers, body: null };
}

export function errorReply(err) {
  return json(err.status, err.body, err.headers);
}

/**
 * Reads the body, keeping at most `limit` bytes. An oversize body is still
 * drained (not kept) so the client receives the 413 instead of a reset.
 */
export async function readBody(req, limit = MAX_BODY_BYTES) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return { buffer: Buffer.concat(chunks), tooLarge: size > limit };
}

/** The media type of the request body without parameters, lower-cased. */
export function mediaType(ctx) {
  return (ctx.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
}

function parseJsonText(ctx) {
  if (mediaType(ctx) !== "application/json") {
    fail(415, "unsupported_media_type", "Request body must be sent as Content-Type: application/json.", "UNSUPPORTED_MEDIA_TYPE");
  }
  try {
    return JSON.parse(ctx.rawBody.toString("utf8"));
  } catch (err) {
    fail(400, "invalid_json", `Request body is not valid JSON: ${err.message}`, "INVALID_JSON");
  }
}

/**
 * Parses a JSON object body and rejects any key outside `allowed`.
 * With `optional`, an empty body counts as `{}`.
 */
export function jsonObjectBody(ctx, { allowed, optional = false }) {
  if (ctx.rawBody.length === 0) {
    if (optional) return {};
    fail(400, "missing_body", "This endpoint requires a JSON body.", "MISSING_BODY");
  }
  const body = parseJsonText(ctx);
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    fail(400, "invalid_body", "Request body must be a JSON object.", "INVALID_BODY");
  }
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    fail(400, "unknown_field", `Unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}.`, "UNKNOWN_FIELD", {
      details: { unknown_fields: unknown, allowed_fields: allowed },
    });
  }
  return body;
}

/** Any JSON value (object or array); used by REST inserts. */
export function jsonValueBody(ctx) {
  if (ctx.rawBody.length === 0) {
    fail(400, "missing_body", "This request requires a JSON body.", "MISSING_BODY");
  }
  return parseJsonText(ctx);
}

/** Endpoints that take no input accept an empty body or `{}`, nothing else. */
export function expectNoBody(ctx) {
  if (ctx.rawBody.length === 0) return;
  jsonObjectBody(ctx, { allowed: [] });
}

export function requireString(body, field, { optional = false } = {}) {
  const value = body[field];
  if (value === undefined && optional) return undefined;
  if (typeof value !== "string" || value.length === 0) {
    fail(400, "invalid_field", `Field "${field}" must be a non-empty string.`, "INVALID_FIELD", { details: { field } });
  }
  return value;
}
