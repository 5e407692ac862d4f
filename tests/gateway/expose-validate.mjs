// Expose-manifest validation: manifest shape, then references checked
// against a schema shape (live tables from introspect.schemaShape, plus the
// objects a migration's DDL would add; the migration itself is never run).
// Issue types are the SDK's ExposeManifestValidationIssueType values.

import { HttpError } from "./http-util.mjs";
import { guardSql, maskSql } from "./sql-guard.mjs";

const POLICIES = ["user_owns_rows", "public_read_authenticated_write", "public_read_write_UNRESTRICTED", "custom"];
const GRANTABLE_ROLES = ["anon", "authenticated"];
const TOP_KEYS = ["$schema", "version", "tables", "views", "rpcs"];
const TABLE_KEYS = ["name", "expose", "policy", "owner_column", "force_owner_on_insert", "i_understand_this_is_unrestricted", "custom_sql"];
const VIEW_KEYS = ["name", "base", "select", "expose"];
const RPC_KEYS = ["name", "signature", "grant_to"];
const SENSITIVE_COLUMN = /pass(word)?|secret|token|api_?key|is_admin|^role$/i;
const SIGNATURE = /^\([\w\s,[\]."]*\)$/;

function issue(type, detail, fix, severity = "error") {
  return fix === undefined ? { type, severity, detail } : { type, severity, detail, fix };
}

function isPlainObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Checks an entry's keys and name; returns false when the entry is unusable. */
function checkEntry(entry, where, keys, push) {
  if (!isPlainObject(entry)) {
    push(issue("schema-shape", `${where} must be an object.`));
    return false;
  }
  for (const key of Object.keys(entry)) {
    if (!keys.includes(key)) push(issue("schema-shape", `${where}: unknown field "${key}".`, `Allowed fields: ${keys.join(", ")}.`));
  }
  if (typeof entry.name !== "string" || entry.name === "") {
    push(issue("schema-shape", `${where}.name must be a non-empty string.`));
    return false;
  }
  return true;
}

function sectionArray(manifest, key, push) {
  const value = manifest[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    push(issue("schema-shape", `manifest.${key} must be an array.`));
    return [];
  }
  return value;
}

function validateTable(entry, where, shape, schema, push, references) {
  const table = shape.tables.get(entry.name);
  if (!table && references) {
    push(issue("missing-table", `${where}: table "${entry.name}" does not exist in schema ${schema}.`, "Create the table in a migration first, or remove it from the manifest."));
  }
  if (entry.expose !== undefined && typeof entry.expose !== "boolean") push(issue("schema-shape", `${where}.expose must be a boolean.`));
  const { policy } = entry;
  if (policy !== undefined && !POLICIES.includes(policy)) {
    push(issue("schema-shape", `${where}.policy "${policy}" is not a known policy.`, `Use one of: ${POLICIES.join(", ")}.`));
    return;
  }
  if (entry.expose === true && policy === undefined) {
    push(issue("schema-shape", `${where}: an exposed table needs a policy.`, `Set policy to one of: ${POLICIES.join(", ")}.`));
  }
  if (entry.force_owner_on_insert === true && (policy !== "user_owns_rows" || typeof entry.owner_column !== "string")) {
    push(issue("force-owner-without-owner-column", `${where}: force_owner_on_insert needs policy user_owns_rows with an owner_column.`, "Add owner_column or drop force_owner_on_insert."));
  }
  if (policy === "user_owns_rows") {
    if (typeof entry.owner_column !== "string" || entry.owner_column === "") {
      push(issue("schema-shape", `${where}: policy user_owns_rows requires owner_column.`, "Name the column that holds the owning user's id."));
    } else if (table && !table.columns.has(entry.owner_column)) {
      push(issue("missing-column", `${where}: owner_column "${entry.owner_column}" does not exist on table "${entry.name}".`, "Add the column in a migration or fix the name."));
    } else if (table && table.columns.get(entry.owner_column) !== "uuid") {
      push(issue("schema-shape", `${where}: owner_column "${entry.owner_column}" is ${table.columns.get(entry.owner_column)}, not uuid; the policy compares it as text.`, "Use a uuid owner column for index-friendly policies.", "warning"));
    }
  }
  if (policy === "public_read_write_UNRESTRICTED") {
    if (entry.i_understand_this_is_unrestricted !== true) {
      push(issue("unrestricted-ack-required", `${where}: public_read_write_UNRESTRICTED lets anyone with the anon key write any row.`, 'Add "i_understand_this_is_unrestricted": true if that is intended.'));
    }
    for (const column of table?.columns.keys() ?? []) {
      if (SENSITIVE_COLUMN.test(column)) {
        push(issue("sensitive-column-public-write", `${where}: column "${column}" looks sensitive and is publicly writable.`, "Use user_owns_rows or a custom policy for this table.", "warning"));
      }
    }
  }
  if (policy === "custom") {
    if (typeof entry.custom_sql !== "string" || entry.custom_sql.trim() === "") {
      push(issue("schema-shape", `${where}: policy custom requires custom_sql with CREATE POLICY statements.`));
    } else {
      try {
        guardSql(entry.custom_sql, schema);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        push(issue("schema-shape", `${where}.custom_sql: ${err.body.message}`, err.body.hint));
      }
    }
  } else if (entry.custom_sql !== undefined) {
    push(issue("schema-shape", `${where}: custom_sql is only allowed with policy custom.`));
  }
}

function validateView(entry, where, shape, push, references) {
  if (shape.tables.has(entry.name)) push(issue("schema-shape", `${where}: view name "${entry.name}" collides with a table.`));
  if (entry.expose !== undefined && typeof entry.expose !== "boolean") push(issue("schema-shape", `${where}.expose must be a boolean.`));
  if (typeof entry.base !== "string" || entry.base === "") {
    push(issue("schema-shape", `${where}.base must name a table.`));
    return;
  }
  if (!shape.tables.has(entry.base)) {
    if (references) push(issue("missing-view-base", `${where}: base table "${entry.base}" does not exist.`, "Point base at an existing table."));
    return;
  }
  if (entry.select === undefined) return;
  if (!Array.isArray(entry.select) || entry.select.length === 0 || !entry.select.every((c) => typeof c === "string")) {
    push(issue("schema-shape", `${where}.select must be a non-empty array of column names.`));
    return;
  }
  for (const column of entry.select) {
    if (!shape.tables.get(entry.base).columns.has(column)) {
      push(issue("missing-column", `${where}: column "${column}" does not exist on "${entry.base}".`));
    }
  }
}

function validateRpc(entry, where, shape, push, references) {
  const overloads = shape.functions.get(entry.name) ?? 0;
  if (overloads === 0 && references) push(issue("missing-rpc", `${where}: function "${entry.name}" does not exist.`, "Create it with CREATE FUNCTION in a migration."));
  if (entry.signature !== undefined && (typeof entry.signature !== "string" || !SIGNATURE.test(entry.signature))) {
    push(issue("schema-shape", `${where}.signature must look like "(arg type, ...)".`));
  } else if (overloads > 1 && entry.signature === undefined) {
    push(issue("ambiguous-rpc", `${where}: "${entry.name}" has ${overloads} overloads.`, "Add a signature to pick one."));
  }
  if (entry.grant_to !== undefined) {
    if (!Array.isArray(entry.grant_to)) {
      push(issue("schema-shape", `${where}.grant_to must be an array of role names.`));
      return;
    }
    for (const role of entry.grant_to) {
      if (!GRANTABLE_ROLES.includes(role)) {
        push(issue("grant-to-role-unknown", `${where}: role "${role}" cannot be granted.`, `Use ${GRANTABLE_ROLES.join(" or ")}.`));
      }
    }
  }
}

/**
 * `{hasErrors, errors, warnings}` for a manifest against a schema shape. With
 * `references: false` (nothing known about the schema) names are not checked
 * for existence.
 */
export function validateManifest(manifest, shape, schema, { references = true } = {}) {
  const errors = [];
  const warnings = [];
  const push = (i) => (i.severity === "error" ? errors : warnings).push(i);
  if (!isPlainObject(manifest)) {
    push(issue("schema-shape", "The manifest must be a JSON object."));
    return { hasErrors: true, errors, warnings };
  }
  for (const key of Object.keys(manifest)) {
    if (!TOP_KEYS.includes(key)) push(issue("schema-shape", `manifest: unknown field "${key}".`, `Allowed fields: ${TOP_KEYS.join(", ")}.`));
  }
  if (manifest.version !== undefined && manifest.version !== "1") push(issue("schema-shape", 'manifest.version: expected "1".'));
  const sections = [
    ["tables", TABLE_KEYS, (e, w) => validateTable(e, w, shape, schema, push, references)],
    ["views", VIEW_KEYS, (e, w) => validateView(e, w, shape, push, references)],
    ["rpcs", RPC_KEYS, (e, w) => validateRpc(e, w, shape, push, references)],
  ];
  for (const [key, keys, check] of sections) {
    const seen = new Set();
    sectionArray(manifest, key, push).forEach((entry, i) => {
      const where = `${key}[${i}]`;
      if (!checkEntry(entry, where, keys, push)) return;
      if (seen.has(entry.name)) push(issue("schema-shape", `${where}: "${entry.name}" is listed twice.`));
      seen.add(entry.name);
      check(entry, where);
    });
  }
  return { hasErrors: errors.length > 0, errors, warnings };
}

const NAME = String.raw`((?:"[^"]+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][\w$]*))?)`;
const NON_COLUMN = /^(CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN|EXCLUDE|LIKE)\b/i;

/** Unqualified object name as Postgres stores it (quoted kept, bare folded). */
function objectName(text) {
  const last = text.split(/\s*\.\s*/).at(-1);
  return last.startsWith('"') ? last.slice(1, -1) : last.toLowerCase();
}

/** Top-level comma-separated items of a parenthesised list starting at `open`. */
function parenItems(sql, open) {
  const items = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < sql.length; i++) {
    if (sql[i] === "(") depth++;
    else if (sql[i] === ")" && --depth === 0) return [...items, sql.slice(start, i)];
    else if (sql[i] === "," && depth === 1) (items.push(sql.slice(start, i)), (start = i + 1));
  }
  return items;
}

/**
 * Adds the tables, columns, views and functions a migration's DDL declares to
 * `shape` (mutated). Returns warnings for what a reference scan cannot see.
 */
export function addMigrationObjects(shape, sql) {
  const text = maskSql(sql, { keepIdentifiers: true });
  const tables = new RegExp(String.raw`\bCREATE\s+(?:(?:UNLOGGED|TEMP|TEMPORARY)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}\s*\(`, "gi");
  for (const m of text.matchAll(tables)) {
    const columns = shape.tables.get(objectName(m[1]))?.columns ?? new Map();
    for (const item of parenItems(text, m.index + m[0].length - 1)) {
      const def = item.trim();
      if (def === "" || NON_COLUMN.test(def)) continue;
      const [, name, type = ""] = /^("[^"]+"|[A-Za-z_][\w$]*)\s*(.*)$/s.exec(def) ?? [];
      if (name) columns.set(objectName(name), type.split(/\s+(?:NOT|NULL|DEFAULT|PRIMARY|REFERENCES|UNIQUE|CHECK|GENERATED|CONSTRAINT|COLLATE)\b/i)[0].trim().toLowerCase());
    }
    shape.tables.set(objectName(m[1]), { columns });
  }
  const addColumn = new RegExp(String.raw`\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?${NAME}\s+ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?("[^"]+"|[A-Za-z_][\w$]*)\s+([\w\s[\]()]+?)(?=[,;]|\s+(?:NOT|NULL|DEFAULT|REFERENCES)\b|$)`, "gi");
  for (const m of text.matchAll(addColumn)) {
    shape.tables.get(objectName(m[1]))?.columns.set(objectName(m[2]), m[3].trim().toLowerCase());
  }
  for (const m of text.matchAll(new RegExp(String.raw`\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:MATERIALIZED\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}`, "gi"))) {
    shape.views.add(objectName(m[1]));
  }
  for (const m of text.matchAll(new RegExp(String.raw`\bCREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+${NAME}\s*\(`, "gi"))) {
    const name = objectName(m[1]);
    shape.functions.set(name, (shape.functions.get(name) ?? 0) + 1);
  }
  const warnings = [];
  if (/(?:^|;)\s*DO\b|\bEXECUTE\s+(?!FUNCTION|PROCEDURE)/i.test(text)) {
    warnings.push(issue("validation-inconclusive", "migration_sql contains DO blocks or dynamic SQL; objects they create were not considered.", undefined, "warning"));
  }
  return warnings;
}
