// The SQL endpoint's blocked-statement list (seed 003 / SKILL.md "SQL
// guardrails") plus cross-schema references. Patterns run on the SQL with
// comments and string literals removed, so text inside them never trips a rule.

import { fail } from "./http-util.mjs";

// Where a statement can begin: start of input, after `;`, or after a
// PL/pgSQL keyword that opens a block (so DO bodies are covered too).
const STMT = String.raw`(?:^|;|\bBEGIN\b|\bTHEN\b|\bELSE\b|\bLOOP\b)\s*`;

const RULES = [
  {
    re: /\bCREATE\s+EXTENSION\b/i,
    what: "CREATE EXTENSION",
    hint: "Extensions are managed by the platform and cannot be installed from the SQL endpoint.",
  },
  {
    re: /\bCOPY\b[^;]*\bPROGRAM\b/i,
    what: "COPY ... PROGRAM",
    hint: "Shell commands are not available; load data with INSERT or the REST API.",
  },
  { re: /\bALTER\s+SYSTEM\b/i, what: "ALTER SYSTEM", hint: "Server configuration is managed by the platform." },
  {
    re: new RegExp(`${STMT}SET\\s+(?:SESSION\\s+|LOCAL\\s+)?search_path\\b`, "i"),
    what: "SET search_path",
    hint: "Each project runs in its own schema and unqualified names already resolve to it.",
  },
  {
    re: /\b(?:CREATE|DROP|ALTER)\s+SCHEMA\b/i,
    what: "CREATE/DROP SCHEMA",
    hint: "Each project has exactly one schema, created with the project; create tables in it directly.",
  },
  {
    re: /\b(?:GRANT|REVOKE)\b/i,
    what: "GRANT/REVOKE",
    hint: "Table and sequence permissions are granted automatically; use the expose manifest (POST /projects/v1/admin/:id/expose) for access control.",
  },
  {
    re: /\b(?:CREATE|DROP|ALTER)\s+(?:ROLE|USER|GROUP)\b/i,
    what: "CREATE/DROP ROLE",
    hint: "Roles are managed by the platform; use the expose manifest for access control.",
  },
  {
    // Switching role would escape the project's owner role.
    re: new RegExp(`${STMT}(?:SET\\s+(?:SESSION\\s+|LOCAL\\s+)?ROLE\\b|RESET\\s+(?:ROLE|ALL)\\b|SET\\s+SESSION\\s+AUTHORIZATION\\b|DISCARD\\b)`, "i"),
    what: "SET ROLE",
    hint: "SQL runs as the project's owner role and cannot switch roles.",
  },
];

/**
 * Returns SQL with comments and string literals blanked and dollar-quote
 * delimiters removed (their bodies stay, as they are code in DO blocks and
 * functions). Quoted identifiers become `_q_`, except project-schema names,
 * which stay visible for the cross-schema check; with `keepIdentifiers` they
 * stay as written.
 */
export function maskSql(sql, { keepIdentifiers = false } = {}) {
  let out = "";
  let i = 0;
  const openTags = [];
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end;
      out += " ";
    } else if (c === "/" && next === "*") {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql[i] === "/" && sql[i + 1] === "*") (depth++, (i += 2));
        else if (sql[i] === "*" && sql[i + 1] === "/") (depth--, (i += 2));
        else i++;
      }
      out += " ";
    } else if (c === "'") {
      const escapes = /[eE]/.test(sql[i - 1] ?? "") && !/\w/.test(sql[i - 2] ?? "");
      i++;
      while (i < sql.length) {
        if (escapes && sql[i] === "\\") i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i++;
      out += "''";
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      const ident = sql.slice(i + 1, end === -1 ? sql.length : end);
      if (keepIdentifiers) out += `"${ident}"`;
      else out += /^p\d{4,}$/.test(ident) ? ident : "_q_";
      i = end === -1 ? sql.length : end + 1;
    } else if (c === "$") {
      // `$tag$` opens a dollar quote after a non-word char and closes the
      // innermost open one anywhere (its body may end in a word char).
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
      if (tag && tag === openTags.at(-1)) openTags.pop();
      else if (tag && !/\w/.test(sql[i - 1] ?? "")) openTags.push(tag);
      out += tag ? " " : c;
      i += tag ? tag.length : 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Throws 403 when `sql` uses a blocked statement or names another project's schema. */
export function guardSql(sql, ownSchema) {
  const masked = maskSql(sql);
  for (const rule of RULES) {
    if (rule.re.test(masked)) {
      fail(403, `Blocked SQL pattern: ${rule.what}`, `${rule.what} is not allowed on the SQL endpoint.`, "SQL_BLOCKED", {
        hint: rule.hint,
      });
    }
  }
  for (const match of masked.matchAll(/\b(p\d{4,}|sim_internal)\s*\./gi)) {
    if (match[1].toLowerCase() !== ownSchema) {
      fail(403, "cross_schema_access", `SQL may not reference schema "${match[1]}"; a project can only use its own schema (${ownSchema}).`, "CROSS_SCHEMA_ACCESS", {
        hint: "Leave table names unqualified; they resolve to the project's schema.",
      });
    }
  }
}
