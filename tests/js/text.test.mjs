// Strings that are not well-formed Unicode (a lone UTF-16 surrogate), and
// objects whose keys cannot cross as text (a newline, which the key list's
// separator is, or a lone surrogate). As Rust
// text, or as fetch's UTF-8, such a string would silently become U+FFFD: the
// caller's data changed. The SDK refuses every one it would have to read as
// text (path segments, fields it builds a body from, text bodies, spec
// content) with a LocalError that names the problem, before any request.
// Values it passes through as JSON untouched (an options field sent as
// caller data) keep JSON.stringify's escape, as 3.3.3 sends them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

import { rejectsKind, withProject, recordingFetch } from "./helpers.mjs";

const LONE_HIGH = "a\uD800b";
const LONE_LOW = "\uDC00";

test("a lone surrogate is refused wherever the SDK reads a string as text, before any request", async () => {
  const rec = recordingFetch();
  const { r, id } = await withProject({ fetch: rec.fetch });
  const before = rec.sent.length;
  const cases = [
    ["a path segment", () => r.projects.rest(id, `todos${LONE_HIGH}`)],
    ["a declared route's body field", () => r.secrets.set(id, "API_KEY", LONE_LOW)],
    ["a text body", () => r.blobs.put(id, "notes.txt", LONE_HIGH)],
    ["a function's body", () => r.functions.invoke(id, "echo", { body: LONE_HIGH })],
    ["a function's header value", () => r.functions.invoke(id, "echo", { headers: { "x-note": LONE_LOW } })],
    ["a query given as text", () => r.projects.rest(id, "todos", `select=${LONE_LOW}`)],
  ];
  for (const [where, call] of cases) {
    const e = await rejectsKind(call(), "local_error");
    assert.match(e.message, /lone surrogate/, where);
  }
  // The spec reader says where, with the deploy error the reference throws for a bad spec.
  await assert.rejects(r.deploy.apply({ project: id, site: { replace: { "index.html": LONE_HIGH } } }), (e) => {
    assert.equal(e.code, "INVALID_SPEC");
    assert.match(e.message, /lone surrogate/);
    assert.match(e.message, /site\.replace\["index\.html"\]|site\.replace\.index\.html/);
    return true;
  });
  assert.equal(rec.sent.length, before, "nothing was sent");
});

test("an object with a key holding a newline or a lone surrogate is refused, not read with that key missing", async () => {
  const rec = recordingFetch();
  const { r, id } = await withProject({ fetch: rec.fetch });
  const before = rec.sent.length;
  for (const key of ["a\nb.html", `a${LONE_HIGH}.html`]) {
    await assert.rejects(r.deploy.apply({ project: id, site: { replace: { "index.html": "<p>hi</p>", [key]: "x" } } }), (e) => {
      assert.equal(e.code, "INVALID_SPEC", e.message);
      assert.match(e.message, /a key holding a newline or a lone surrogate/);
      return true;
    }, JSON.stringify(key));
    const e = await rejectsKind(r.projects.rest(id, "todos", { query: { select: "*", [key]: "1" } }), "local_error");
    assert.match(e.message, /a key holding a newline or a lone surrogate/);
    await rejectsKind(r.functions.invoke(id, "echo", { headers: { [key]: "v" } }), "local_error");
  }
  assert.equal(rec.sent.length, before, "nothing was sent");
});

test("well-formed strings pass: a real U+FFFD and surrogate pairs are data like any other", async () => {
  const rec = recordingFetch();
  const { r, id } = await withProject({ fetch: rec.fetch });
  await r.secrets.set(id, "API_KEY", "\uFFFD😀");
  const sent = rec.sent.at(-1);
  assert.match(sent.url, /\/secrets$/);
  assert.equal(JSON.parse(sent.body).value, "\uFFFD😀");
  const ref = await r.blobs.put(id, "ok.txt", "ok 😀");
  assert.equal(ref.size_bytes, 7);
});

test("a value passed through as caller JSON keeps its escape, as the reference sends it", async () => {
  const rec = recordingFetch();
  const { r, id } = await withProject({ fetch: rec.fetch });
  // apps.publish sends `description` as the caller's JSON (any value).
  await r.apps.publish(id, { description: LONE_HIGH }).catch(() => {});
  const body = rec.sent.at(-1).body;
  assert.match(rec.sent.at(-1).url, /\/publish$/);
  assert.equal(typeof body, "string");
  assert.ok(body.includes("a\\ud800b"), `escaped as JSON.stringify writes it: ${body}`);
});

test("without String.prototype.isWellFormed the fallback check refuses the same strings", () => {
  const script = `
    delete String.prototype.isWellFormed;
    const { Run402 } = await import(${JSON.stringify(new URL("../../pkg/entry-node.js", import.meta.url).href)});
    const r = new Run402({ apiBase: "https://api.run402.test", credentials: { getAuth: () => null, getProject: () => ({ anon_key: "a", service_key: "s" }) }, fetch: async () => Response.json([]) });
    const out = [];
    for (const table of ["a\\uD800b", "\\uDC00", "x\\uDBFF", "\\uDFFFx", "ok\\uD83D\\uDE00", "\\uFFFD"]) {
      out.push(await r.projects.rest("prj_x", table).then(() => "sent", (e) => /lone surrogate/.test(e.message) ? "refused" : e.message));
    }
    console.log(JSON.stringify({ has: typeof "".isWellFormed, out }));
  `;
  const text = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.deepEqual(JSON.parse(text), { has: "undefined", out: ["refused", "refused", "refused", "refused", "sent", "sent"] });
});
