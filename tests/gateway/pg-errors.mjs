// Postgres errors → HTTP, following PostgREST's status table for the classes
// a client can cause. Anything without a SQLSTATE is a simulator bug and
// propagates as a 500.

const BY_CODE = {
  "42501": 403, // insufficient_privilege, incl. row-level security violations
  "42P01": 404, // undefined_table
  "42883": 404, // undefined_function
  "23505": 409, // unique_violation
  "23503": 409, // foreign_key_violation
  "25006": 405, // read_only_sql_transaction
  "53400": 500,
};

export function isPgError(err) {
  return typeof err?.code === "string" && /^[0-9A-Z]{5}$/.test(err.code) && typeof err.severity === "string";
}

export function pgErrorStatus(code) {
  if (BY_CODE[code]) return BY_CODE[code];
  if (code.startsWith("08") || code.startsWith("53") || code.startsWith("57") || code.startsWith("58")) return 503;
  if (code.startsWith("XX")) return 500;
  return 400;
}

/** PostgREST's error body: `{code, message, details, hint}`. */
export function pgErrorBody(err) {
  return { code: err.code, message: err.message, details: err.detail ?? null, hint: err.hint ?? null };
}
