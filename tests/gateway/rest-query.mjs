// PostgREST query syntax → parameterized SQL. Identifiers are checked against
// the relation's real columns and quoted; every value is a bind parameter.
// Rows come back as one JSON text built by Postgres (json_agg), the way
// PostgREST does, so types serialize as Postgres renders them.

import { quoteIdent as q } from "./db.mjs";
import { HttpError } from "./http-util.mjs";

const COMPARE = { eq: "=", neq: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" };
const IS_VALUES = { null: "NULL", true: "TRUE", false: "FALSE", unknown: "UNKNOWN" };
const RESERVED = new Set(["select", "order", "limit", "offset"]);
const UNSUPPORTED = new Set(["or", "and", "not", "on_conflict", "columns"]);

/** PostgREST-style error: `{code, message, details, hint}`. */
export function restError(status, code, message, hint = null) {
  return new HttpError(status, { code, message, details: null, hint });
}

function parseError(message) {
  return restError(400, "PGRST100", message);
}

/** Splits `(a,"b,c",d)` into values; double quotes protect commas, `\` escapes. */
function parseList(text) {
  if (!text.startsWith("(") || !text.endsWith(")")) throw parseError(`"in" needs a parenthesised list, got "${text}"`);
  const inner = text.slice(1, -1);
  if (inner.trim() === "") return [];
  const items = [];
  let current = "";
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quoted && c === "\\") current += inner[++i] ?? "";
    else if (c === '"') (quoted = !quoted), (wasQuoted = true);
    else if (c === "," && !quoted) (items.push(wasQuoted ? current : current.trim()), (current = ""), (wasQuoted = false));
    else current += c;
  }
  if (quoted) throw parseError(`unterminated quote in list "${text}"`);
  items.push(wasQuoted ? current : current.trim());
  return items;
}

/** Builds SQL pieces against one relation; `params` collects bind values. */
export function createBuilder({ schema, table, columns }) {
  const params = [];
  const target = `${q(schema)}.${q(table)}`;

  function column(name) {
    if (!columns.has(name)) throw restError(400, "42703", `column ${table}.${name} does not exist`);
    return q(name);
  }

  function bind(value) {
    params.push(value);
    return `$${params.length}`;
  }

  function selectList(text) {
    if (text === undefined || text.trim() === "*") return "*";
    return text.split(",").map((raw) => {
      const item = raw.trim();
      if (item === "*") return "*";
      if (/[()]/.test(item)) throw parseError(`resource embedding is not supported by the simulator ("${item}")`);
      const [alias, name] = item.includes(":") ? item.split(":", 2) : [null, item];
      if (name.includes("::")) throw parseError(`casts in select are not supported by the simulator ("${item}")`);
      return alias ? `${column(name)} AS ${q(alias)}` : column(name);
    }).join(", ");
  }

  function condition(name, raw) {
    const match = /^(not\.)?([a-z]+)\.(.*)$/s.exec(raw);
    if (!match) throw parseError(`failed to parse filter (${raw})`);
    const [, negate, op, value] = match;
    const col = column(name);
    let sql;
    if (COMPARE[op]) sql = `${col} ${COMPARE[op]} ${bind(value)}`;
    else if (op === "like" || op === "ilike") sql = `${col}::text ${op.toUpperCase()} ${bind(value.replaceAll("*", "%"))}`;
    else if (op === "is") {
      const keyword = IS_VALUES[value.toLowerCase()];
      if (!keyword) throw parseError(`"is" accepts null, true, false or unknown, got "${value}"`);
      sql = `${col} IS ${keyword}`;
    } else if (op === "in") {
      const values = parseList(value);
      sql = values.length === 0 ? "FALSE" : `${col} IN (${values.map(bind).join(", ")})`;
    } else throw parseError(`unknown operator "${op}" in filter (${raw})`);
    return negate ? `NOT (${sql})` : sql;
  }

  /** WHERE clause from every non-reserved query parameter. */
  function where(search) {
    const parts = [];
    for (const [key, value] of search) {
      if (RESERVED.has(key)) continue;
      if (UNSUPPORTED.has(key)) throw parseError(`"${key}" is not supported by the simulator`);
      parts.push(condition(key, value));
    }
    return parts.length ? ` WHERE ${parts.join(" AND ")}` : "";
  }

  function orderBy(text) {
    if (text === undefined) return "";
    const terms = text.split(",").map((term) => {
      const [name, ...mods] = term.trim().split(".");
      let sql = column(name);
      for (const mod of mods) {
        if (mod === "asc" || mod === "desc") sql += ` ${mod.toUpperCase()}`;
        else if (mod === "nullsfirst") sql += " NULLS FIRST";
        else if (mod === "nullslast") sql += " NULLS LAST";
        else throw parseError(`failed to parse order (${term})`);
      }
      return sql;
    });
    return ` ORDER BY ${terms.join(", ")}`;
  }

  function count(name, text) {
    if (text === undefined) return "";
    if (!/^\d+$/.test(text)) throw parseError(`${name} must be a non-negative integer, got "${text}"`);
    return ` ${name.toUpperCase()} ${bind(text)}`;
  }

  /** A JSON value as the text Postgres should parse for this column. */
  function value(name, v) {
    if (v === null) return null;
    const info = columns.get(name);
    if (info.isJson) return JSON.stringify(v);
    if (Array.isArray(v) && info.isArray) return arrayLiteral(v);
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  return { target, params, bind, column, selectList, where, orderBy, count, value };
}

function arrayLiteral(values) {
  const items = values.map((v) => {
    if (v === null) return "NULL";
    if (Array.isArray(v)) return arrayLiteral(v);
    const text = typeof v === "object" ? JSON.stringify(v) : String(v);
    return `"${text.replace(/["\\]/g, "\\$&")}"`;
  });
  return `{${items.join(",")}}`;
}

/** Wraps a row source so the statement yields `{body: json text, n: row count}`. */
function aggregate(source) {
  return `SELECT coalesce(json_agg(_r), '[]')::text AS body, count(*)::int AS n FROM (${source}) _r`;
}

export function aggregateReturning(statement) {
  return `WITH _r AS (${statement}) SELECT coalesce(json_agg(_r), '[]')::text AS body, count(*)::int AS n FROM _r`;
}

export function selectStatement(b, search) {
  return aggregate(
    `SELECT ${b.selectList(search.get("select") ?? undefined)} FROM ${b.target}${b.where(search)}${b.orderBy(search.get("order") ?? undefined)}` +
      `${b.count("limit", search.get("limit") ?? undefined)}${b.count("offset", search.get("offset") ?? undefined)}`,
  );
}

/** INSERT for one object or an array of objects with identical keys. */
export function insertStatement(b, body) {
  const rows = Array.isArray(body) ? body : [body];
  if (rows.some((r) => r === null || typeof r !== "object" || Array.isArray(r))) {
    throw restError(400, "PGRST102", "Insert body must be a JSON object or an array of objects");
  }
  const keys = Object.keys(rows[0] ?? {});
  const sameKeys = (r) => Object.keys(r).length === keys.length && keys.every((k) => Object.hasOwn(r, k));
  if (!rows.every(sameKeys)) throw restError(400, "PGRST102", "All object keys must match");
  if (keys.length === 0) {
    if (rows.length !== 1) throw restError(400, "PGRST102", "Empty objects can only be inserted one at a time");
    return `INSERT INTO ${b.target} DEFAULT VALUES`;
  }
  const cols = keys.map(b.column).join(", ");
  const values = rows.map((r) => `(${keys.map((k) => b.bind(b.value(k, r[k]))).join(", ")})`).join(", ");
  return `INSERT INTO ${b.target} (${cols}) VALUES ${values}`;
}

export function updateStatement(b, body, search) {
  if (body === null || typeof body !== "object" || Array.isArray(body) || Object.keys(body).length === 0) {
    throw restError(400, "PGRST102", "PATCH body must be a JSON object with at least one column");
  }
  const sets = Object.entries(body).map(([k, v]) => `${b.column(k)} = ${b.bind(b.value(k, v))}`).join(", ");
  const where = b.where(search);
  if (!where) throw restError(400, "21000", "UPDATE requires a WHERE clause", "Add a filter such as ?id=eq.1");
  return `UPDATE ${b.target} SET ${sets}${where}`;
}

export function deleteStatement(b, search) {
  const where = b.where(search);
  if (!where) throw restError(400, "21000", "DELETE requires a WHERE clause", "Add a filter such as ?id=eq.1");
  return `DELETE FROM ${b.target}${where}`;
}
