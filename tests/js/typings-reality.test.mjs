// Typings against reality: every value a simulator client's method resolved
// to during this run (recorded by helpers.mjs when RUN402_RECORD is set;
// tests/run.mjs sets it and runs this file after all the others) is written
// into a .ts file as `const rN = <value> satisfies <declared result type>;`
// and type-checked by the package's TypeScript with tests/types/tsconfig.json
// (strict) against pkg/index.d.ts. `satisfies` checks excess properties too,
// so a field the gateway sends that the type does not declare (and no index
// signature allows) fails, as does a declared field that is missing or of
// another type.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import ts from "typescript";

import { BYTES_MARK, FUNCTION_MARK, MAP_MARK, RESPONSE_MARK, UNDEFINED_MARK } from "./helpers.mjs";

const root = new URL("../../", import.meta.url).pathname;
const recordPath = process.env.RUN402_RECORD;

// Keeps the check fast: per method, one value of each distinct shape first,
// then other distinct values, this many in all.
const PER_METHOD = 40;
// Types a value cannot be checked against.
const UNCHECKABLE = new Set(["any", "unknown"]);

/** `ns.method` → declared result type, generics resolved to their defaults. */
function declaredResults() {
  const text = execFileSync("cargo", ["run", "--quiet", "--example", "surface_json"], { cwd: root, encoding: "utf8" });
  const out = new Map();
  for (const ns of JSON.parse(text).namespaces) {
    if (ns.internal) continue;
    for (const m of ns.methods) out.set(`${ns.name}.${m.name}`, withDefaults(m.returns, m.generics));
  }
  return out;
}

/** Replaces each type parameter in `returns` by its default (`<T = any>`: T → any). */
function withDefaults(returns, generics) {
  if (!generics) return returns;
  let out = returns;
  for (const param of topLevelParts(generics.replace(/^<|>$/g, ""))) {
    const [, name, fallback] = param.match(/^\s*(\w+)(?:\s+extends\s+[^=]+)?(?:\s*=\s*(.+?))?\s*$/) ?? [];
    if (name) out = out.replace(new RegExp(`\\b${name}\\b`, "g"), fallback ?? "unknown");
  }
  return out;
}

/** `a, B = Record<string, unknown>` → its comma-separated parts outside any `<…>`. */
function topLevelParts(text) {
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "<") depth++;
    else if (text[i] === ">") depth--;
    else if (text[i] === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** The recorded lines, grouped by method. */
function recordings() {
  const byMethod = new Map();
  for (const line of readFileSync(recordPath, "utf8").split("\n")) {
    if (!line) continue;
    const entry = JSON.parse(line);
    if (!byMethod.has(entry.method)) byMethod.set(entry.method, []);
    byMethod.get(entry.method).push(entry);
  }
  return byMethod;
}

/** A value's structure without its data: keys and value types, arrays as their element shapes. */
function shapeOf(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return `[${[...new Set(v.map(shapeOf))].sort().join("|")}]`;
  if (typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${k}:${shapeOf(v[k])}`).join(",")}}`;
  if (v === FUNCTION_MARK) return "function";
  if (v === RESPONSE_MARK) return "Response";
  return v === UNDEFINED_MARK ? "undefined" : typeof v;
}

/** Which recordings to compile (a sample of each shape first, then other distinct values), and how many shapes there were. */
function choose(entries) {
  const distinct = [...new Map(entries.map((e) => [JSON.stringify(e.value), e])).values()];
  const shapes = new Set();
  const first = [];
  const rest = [];
  for (const e of distinct) {
    const shape = shapeOf(e.value);
    (shapes.has(shape) ? rest : first).push(e);
    shapes.add(shape);
  }
  return { chosen: [...first, ...rest].slice(0, PER_METHOD), shapes: shapes.size };
}

/** A recorded value as a TypeScript expression (JSON, with `undefined`, byte arrays, functions and Responses restored). */
function literal(value) {
  // A recorded function is checked for being there, not for its signature.
  return JSON.stringify(value)
    .replaceAll(JSON.stringify(UNDEFINED_MARK), "undefined")
    .replaceAll(JSON.stringify(BYTES_MARK), "new Uint8Array()")
    .replaceAll(JSON.stringify(FUNCTION_MARK), "((..._: any[]): any => undefined)")
    .replaceAll(JSON.stringify(RESPONSE_MARK), "(undefined as unknown as Response)")
    .replaceAll(JSON.stringify(MAP_MARK), "(new Map() as Map<any, any>)");
}

/** The package's exported type names: the identifiers an import can name. */
function exportedTypes() {
  const dts = readFileSync(join(root, "pkg/index.d.ts"), "utf8");
  return new Set([...dts.matchAll(/^export (?:declare )?(?:abstract )?(?:interface|type|class) (\w+)/gm)].map((m) => m[1]));
}

// Values with known faults, so a run that reports nothing proves the check
// looked: each must be reported on its own line, as said.
const CANARIES = [
  { code: '{ project_id: 1, anon_key: "a", service_key: "s", schema_slot: "p0001" } satisfies ProvisionResult', error: /not assignable to type 'string'/ },
  { code: '{ total: "0.00", baseUnits: "0", count: 0, undeclared: true } satisfies PaymentTotals', error: /may only specify known properties/ },
  { code: '{ total: "0.00", count: 0 } satisfies PaymentTotals', error: /'baseUnits' is missing/ },
  { code: '{ project_id: "p", anon_key: "a", service_key: "s", schema_slot: "p0001", extra: 1 } satisfies ProvisionResult', absorbed: ["extra"] },
];

/**
 * Type-checks `lines` as tsc -p would, with tests/types/tsconfig.json's
 * options (strict) and "@run402/sdk-wasm" resolved to pkg/index.d.ts.
 * Returns the errors by line number, and per line the fields of the value
 * that its type does not name but an index signature lets through.
 */
function compile(lines) {
  const dir = mkdtempSync(join(tmpdir(), "run402-reality-"));
  try {
    const file = join(dir, "recorded.ts");
    writeFileSync(file, lines.join("\n"));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
      extends: join(root, "tests/types/tsconfig.json"),
      compilerOptions: { paths: { "@run402/sdk-wasm": [join(root, "pkg/index.d.ts")] } },
      files: [file],
    }));
    const config = ts.getParsedCommandLineOfConfigFile(join(dir, "tsconfig.json"), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n")); },
    });
    assert.equal(config.options.strict, true, "checked under --strict");
    const program = ts.createProgram(config.fileNames, config.options);
    const source = program.getSourceFile(file);
    const errors = new Map();
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const line = d.file === source ? source.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      // The flagged token (usually the field's name) says where in a long literal.
      const at = d.file === source ? ` (at ${source.text.slice(d.start, d.start + Math.min(d.length, 60))})` : "";
      errors.set(line, `${errors.get(line) ?? ""}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}${at}\n`);
    }
    return { errors, absorbed: absorbedFields(program.getTypeChecker(), source) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Line → paths of fields in `value satisfies Type` that Type only admits through an index signature. */
function absorbedFields(checker, source) {
  const out = new Map();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const init = statement.declarationList.declarations[0]?.initializer;
    if (!init || !ts.isSatisfiesExpression(init)) continue;
    const found = [];
    walk(checker, init.expression, checker.getTypeFromTypeNode(init.type), "", found);
    if (found.length) out.set(source.getLineAndCharacterOfPosition(statement.getStart()).line + 1, found);
  }
  return out;
}

function walk(checker, node, declared, path, found) {
  const type = checker.getNonNullableType(declared);
  if (type.isUnion()) return; // which member a value meant is not ours to guess
  if (ts.isArrayLiteralExpression(node)) {
    const item = checker.getIndexTypeOfType(type, ts.IndexKind.Number);
    if (item) for (const e of node.elements) walk(checker, e, item, `${path}[]`, found);
    return;
  }
  if (!ts.isObjectLiteralExpression(node)) return;
  const index = checker.getIndexTypeOfType(type, ts.IndexKind.String);
  // A pure record (`Record<string, TierQuote>`): its keys are data, not fields.
  const record = index && checker.getPropertiesOfType(type).length === 0;
  const field = (name) => (path ? `${path}.${name}` : name);
  for (const prop of node.properties) {
    if (!ts.isPropertyAssignment(prop)) continue;
    const name = prop.name.text;
    const member = checker.getPropertyOfType(type, name);
    if (member) walk(checker, prop.initializer, checker.getTypeOfSymbol(member), field(name), found);
    else if (record) walk(checker, prop.initializer, index, field("*"), found);
    else if (index) found.push(field(name));
  }
}

test("every recorded result satisfies its method's declared type (TypeScript, strict)", {
  skip: !recordPath && "nothing recorded: run through tests/run.mjs, which records every file's results first",
}, (t) => {
  const declared = declaredResults();
  const recorded = recordings();
  const exported = exportedTypes();
  const names = new Set(["ProvisionResult", "PaymentTotals"]);
  const lines = [];
  const origin = new Map(); // line number → what it checks
  const report = [];
  const problems = [];
  for (const [method, entries] of [...recorded].sort()) {
    const type = declared.get(method);
    if (type === undefined) {
      problems.push(`${method}: recorded, but not a public method of the table`);
      continue;
    }
    const broken = entries.filter((e) => "unserializable" in e);
    for (const e of broken) problems.push(`${method}: resolved to a value JSON cannot hold (${e.unserializable})`);
    const ok = entries.filter((e) => !("unserializable" in e));
    if (UNCHECKABLE.has(type)) {
      report.push(`${method} → ${type}: ${entries.length} recorded, not checkable`);
      continue;
    }
    for (const name of type.match(/\b[A-Z]\w*/g) ?? []) if (exported.has(name)) names.add(name);
    const { chosen, shapes } = choose(ok);
    for (const [i, e] of chosen.entries()) {
      lines.push(`const r${lines.length} = ${literal(e.value)} satisfies ${type};`);
      origin.set(lines.length + 1, { method, i, scoped: e.scoped, value: e.value });
    }
    const unchecked = shapes > chosen.length ? ` (${shapes - chosen.length} of ${shapes} shapes over the cap)` : "";
    report.push(`${method} → ${type}: ${entries.length} recorded, ${chosen.length} checked${unchecked}`);
  }
  const canaryLines = CANARIES.map((c) => {
    lines.push(`const c${lines.length} = ${c.code};`);
    return lines.length + 1;
  });
  const header = `import type { ${[...names].sort().join(", ")} } from "@run402/sdk-wasm";`;
  const { errors, absorbed } = compile([header, ...lines, "export {};"]);

  const never = [...declared.keys()].filter((m) => !recorded.has(m));
  for (const line of report) t.diagnostic(line);
  t.diagnostic(`never recorded (no integration test calls them through a recorded client): ${never.join(", ") || "none"}`);
  // Allowed by design (bodies keep every field the gateway sends), but each
  // is a field the declarations do not name: listed for review.
  const unnamed = new Map();
  for (const [line, paths] of absorbed) {
    if (canaryLines.includes(line)) continue;
    const { method } = origin.get(line) ?? { method: `line ${line}` };
    unnamed.set(method, new Set([...(unnamed.get(method) ?? []), ...paths]));
  }
  for (const [method, paths] of [...unnamed].sort()) t.diagnostic(`${method}: sent but not declared (an index signature admits them): ${[...paths].join(", ")}`);

  CANARIES.forEach((c, i) => {
    const line = canaryLines[i];
    if (c.error) assert.match(errors.get(line) ?? "(no error)", c.error, `canary ${c.code}`);
    else assert.deepEqual([errors.get(line), absorbed.get(line)], [undefined, c.absorbed], `canary ${c.code}`);
  });
  for (const [line, text] of errors) {
    if (canaryLines.includes(line)) continue;
    const o = origin.get(line);
    problems.push(o
      ? `${o.method}${o.scoped ? " (scoped)" : ""} sample ${o.i}: ${text.trim()}\n    value: ${literal(o.value).slice(0, 600)}`
      : `line ${line}: ${text.trim()}`);
  }
  assert.ok(origin.size > 0, "some result was checked");
  assert.equal(problems.length, 0, `recorded results that do not match their declared types:\n${problems.join("\n")}`);
});
