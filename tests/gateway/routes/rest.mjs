// PostgREST-style /rest/v1/:table. The key decides the project and the role:
// the anon key runs as the `anon` role inside a transaction, so RLS policies
// apply; a user's access token runs as `authenticated` with the user's id as
// the `sub` claim auth.uid() reads; the service key runs as the project's
// owner role (BYPASSRLS).
// Tables the role holds no privilege on (not exposed) look nonexistent.

import { requireRestCaller } from "../auth.mjs";
import { quoteIdent, withSession } from "../db.mjs";
import { HttpError, JSON_TYPE, empty, jsonValueBody } from "../http-util.mjs";
import { relationInfo } from "../introspect.mjs";
import { isPgError, pgErrorBody, pgErrorStatus } from "../pg-errors.mjs";
import { ownerRole } from "../project-store.mjs";
import {
  aggregateReturning,
  createBuilder,
  deleteStatement,
  insertStatement,
  restError,
  selectStatement,
  updateStatement,
} from "../rest-query.mjs";

/** `Prefer: return=representation` → true; minimal / absent → false. */
function wantsRepresentation(ctx) {
  const prefs = (ctx.headers.prefer ?? "").split(",").map((p) => p.trim().toLowerCase());
  return prefs.includes("return=representation");
}

function rejectPaging(search, method) {
  for (const key of ["order", "limit", "offset"]) {
    if (search.has(key)) throw restError(400, "PGRST100", `"${key}" is not supported on ${method} by the simulator`);
  }
}

function statementFor(ctx, builder, search, body) {
  const returning = wantsRepresentation(ctx) ? ` RETURNING ${builder.selectList(search.get("select") ?? undefined)}` : null;
  const wrap = (statement) => (returning ? aggregateReturning(statement + returning) : statement);
  switch (ctx.method) {
    case "GET":
      return selectStatement(builder, search);
    case "POST":
      if (search.has("select") && !returning) throw restError(400, "PGRST100", "select on POST needs Prefer: return=representation");
      return wrap(insertStatement(builder, body));
    case "PATCH":
      rejectPaging(search, "PATCH");
      return wrap(updateStatement(builder, body, search));
    default:
      rejectPaging(search, "DELETE");
      return wrap(deleteStatement(builder, search));
  }
}

function successReply(ctx, result, offset) {
  const created = ctx.method === "POST";
  if (ctx.method !== "GET" && !wantsRepresentation(ctx)) return empty(created ? 201 : 204);
  const { body, n } = result.rows[0];
  const first = Number(offset ?? 0);
  const range = n === 0 ? "*/*" : `${first}-${first + n - 1}/*`;
  return { status: created ? 201 : 200, headers: { "content-type": JSON_TYPE, "content-range": range }, body };
}

async function handle(ctx) {
  const { project, role, user } = await requireRestCaller(ctx);
  project.apiCalls += 1;
  const search = ctx.url.searchParams;
  const body = ctx.method === "POST" || ctx.method === "PATCH" ? jsonValueBody(ctx) : undefined;
  if (body === undefined && ctx.rawBody.length > 0) throw restError(400, "PGRST102", `${ctx.method} takes no request body`);
  const dbRole = role === "service_role" ? ownerRole(project.schema) : role;
  const table = ctx.params.table;

  return withSession(async (db) => {
    const relation = await relationInfo(db, project.schema, table, dbRole);
    if (!relation || !relation.visible) throw restError(404, "42P01", `relation "${table}" does not exist`);
    const builder = createBuilder({ schema: project.schema, table, columns: relation.columns });
    const statement = statementFor(ctx, builder, search, body);
    try {
      const result = await db.transaction(async (tx) => {
        await tx.exec(`SET LOCAL ROLE ${quoteIdent(dbRole)}; SET LOCAL search_path TO ${quoteIdent(project.schema)};`);
        await tx.query("SELECT set_config('request.jwt.claim.role', $1, true), set_config('request.jwt.claim.sub', $2, true)", [role, user?.id ?? ""]);
        return tx.query(statement, builder.params);
      });
      return successReply(ctx, result, search.get("offset"));
    } catch (err) {
      if (!isPgError(err)) throw err;
      throw new HttpError(pgErrorStatus(err.code), pgErrorBody(err));
    }
  });
}

export function register(router) {
  for (const method of ["GET", "POST", "PATCH", "DELETE"]) router.add(method, "/rest/v1/:table", handle);
}
