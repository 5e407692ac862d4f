// Project admin routes under /projects/v1/admin/:id (wire contract §1.1):
// usage, schema, SQL, user roles, and the platform-admin pin.

import { requireServiceKey, walletFromSiwx } from "../auth.mjs";
import { quoteIdent, withSession } from "../db.mjs";
import { HttpError, expectNoBody, fail, json, jsonObjectBody, mediaType, requireString } from "../http-util.mjs";
import { schemaReport, storageBytes } from "../introspect.mjs";
import { isPgError } from "../pg-errors.mjs";
import { ownerRole } from "../project-store.mjs";
import { guardSql } from "../sql-guard.mjs";
import { TIERS, storageLimitBytes } from "../tiers.mjs";

async function usage(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const bytes = await withSession((db) => storageBytes(db, project.schema));
  return json(200, {
    project_id: project.id,
    tier: project.tier,
    api_calls: project.apiCalls,
    api_calls_limit: TIERS[project.tier].api_calls,
    storage_bytes: bytes,
    storage_limit_bytes: storageLimitBytes(project.tier),
    lease_expires_at: project.leaseExpiresAt,
    status: project.status,
  });
}

async function schema(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  return json(200, await withSession((db) => schemaReport(db, project.schema)));
}

/** `text/plain` → raw SQL; `application/json` → `{sql, params}`; else 415. */
function sqlInput(ctx) {
  const type = mediaType(ctx);
  if (type === "text/plain") return { sql: ctx.rawBody.toString("utf8"), params: undefined };
  if (type === "application/json") {
    const body = jsonObjectBody(ctx, { allowed: ["sql", "params"] });
    const sql = requireString(body, "sql");
    if (body.params !== undefined && !Array.isArray(body.params)) {
      fail(400, "invalid_field", 'Field "params" must be an array.', "INVALID_FIELD", { details: { field: "params" } });
    }
    return { sql, params: body.params };
  }
  fail(415, "unsupported_media_type", "Send SQL as text/plain, or {sql, params} as application/json.", "UNSUPPORTED_MEDIA_TYPE");
}

/**
 * Runs SQL as the project's owner role with search_path on its schema. Role
 * and path are set for the session, not a transaction, so a COMMIT inside the
 * SQL cannot drop them; they are reset (and any open transaction rolled back)
 * before the session is released.
 */
async function runAsProject(project, sql, params) {
  return withSession(async (db) => {
    await db.exec(`SET search_path TO ${quoteIdent(project.schema)}; SET ROLE ${quoteIdent(ownerRole(project.schema))};`);
    try {
      return params === undefined ? (await db.exec(sql)).at(-1) : await db.query(sql, params);
    } finally {
      if (db.isInTransaction()) await db.exec("ROLLBACK");
      await db.exec("RESET ROLE; RESET search_path;");
    }
  });
}

async function sql(ctx) {
  const project = requireServiceKey(ctx, ctx.params.id);
  const input = sqlInput(ctx);
  if (input.sql.trim() === "") fail(400, "empty_sql", "The SQL body is empty.", "EMPTY_SQL");
  guardSql(input.sql, project.schema);
  project.apiCalls += 1;
  let result;
  try {
    result = await runAsProject(project, input.sql, input.params);
  } catch (err) {
    if (!isPgError(err)) throw err;
    throw new HttpError(400, {
      error: "sql_error",
      message: err.message,
      code: "SQL_ERROR",
      ...(err.hint ? { hint: err.hint } : {}),
      details: { sqlstate: err.code, detail: err.detail ?? null, position: err.position ?? null },
    });
  }
  return json(200, {
    status: "ok",
    schema: project.schema,
    rows: result?.rows ?? [],
    rowCount: result?.rowCount ?? result?.rows?.length ?? 0,
    fields: (result?.fields ?? []).map(({ name, dataTypeID }) => ({ name, dataTypeID })),
  });
}

function setAdmin(isAdmin) {
  return (ctx) => {
    const project = requireServiceKey(ctx, ctx.params.id);
    const email = requireString(jsonObjectBody(ctx, { allowed: ["email"] }), "email").toLowerCase();
    const user = project.users.get(email);
    if (!user) fail(404, "User not found", `No user with email ${email} in project ${project.id}.`, "USER_NOT_FOUND");
    user.is_admin = isAdmin;
    return json(200, { status: "ok", email, is_admin: isAdmin });
  };
}

async function pin(ctx) {
  const wallet = await walletFromSiwx(ctx, { required: false });
  if (!wallet || !ctx.state.adminWallets.has(wallet) || ctx.headers["x-admin-mode"] !== "1") {
    fail(403, "admin_required", "Pinning a project requires a platform-admin wallet (SIGN-IN-WITH-X) and X-Admin-Mode: 1.", "ADMIN_REQUIRED");
  }
  expectNoBody(ctx);
  const project = ctx.state.projects.get(ctx.params.id);
  if (!project) fail(404, "project_not_found", `Project ${ctx.params.id} does not exist.`, "PROJECT_NOT_FOUND");
  project.pinned = true;
  return json(200, { status: "pinned", project_id: project.id });
}

export function register(router) {
  router.add("GET", "/projects/v1/admin/:id/usage", usage);
  router.add("GET", "/projects/v1/admin/:id/schema", schema);
  router.add("POST", "/projects/v1/admin/:id/sql", sql);
  router.add("POST", "/projects/v1/admin/:id/promote-user", setAdmin(true));
  router.add("POST", "/projects/v1/admin/:id/demote-user", setAdmin(false));
  router.add("POST", "/projects/v1/admin/:id/pin", pin);
}
