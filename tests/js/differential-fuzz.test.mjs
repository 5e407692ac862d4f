// Differential fuzz: the members differential.test.mjs compares, each with
// generated argument variants per parameter (edge strings in path segments,
// query values and bodies; edge numbers; every ISO date form Date.parse reads
// and some it refuses; options objects missing, null, wrong-typed or with
// unknown fields), run through both SDKs on the shared harness (recording
// fetch, one credentials provider). Plain enumerated lists: deterministic.
//
// Each variant's outcome pair is classified:
//   wire     both sent, and the requests (or the results) differ
//   stricter ours threw a LocalError before sending, the reference sent
//   looser   ours sent, the reference threw before sending
//   error    both threw, with a different error class or kind
// Every divergence fails its member's test unless a rule in EXPECTED (a
// named difference that is ours on purpose, with the reason) covers it; a
// rule nothing needs any more fails too, so the list stays true. A failure
// prints the member, the arguments and both sides' requests and outcomes.
//
// Run: node --test tests/js/differential-fuzz.test.mjs
//      FUZZ_SHOW=1 also prints every divergence, expected ones included.

import { test } from "node:test";
import assert from "node:assert/strict";

import { ours, ref, API, PID, run, PAID_PATHS, show } from "./differential-harness.mjs";

// ---- argument variants -----------------------------------------------------

/** Leaves the key out of its options object (or the argument off the call). */
const MISSING = Symbol("missing");

const LONG = "x".repeat(2000);
const STRINGS = [
  ["space", "a b"], ["slash", "a/b"], ["question", "a?b"], ["hash", "a#b"], ["percent", "a%b"], ["%2F", "a%2Fb"],
  ["plus", "a+b"], ["ampersand", "a&b"], ["equals", "a=b"], ["é", "é"], ["日本", "日本"], ["emoji", "a😀b"],
  ["lone surrogate", "a\uD800b"], ["..", ".."], [".", "."], ["empty", ""], ["2000 chars", LONG],
  ["padded", "  a b  "], ["__proto__", "__proto__"], ["constructor", "constructor"], ["NUL", "a\u0000b"],
  ["newline", "a\nb"], ["quote", "a\"b'c"], ["backslash", "a\\b"],
];
const NOT_STRINGS = [["number", 5], ["true", true], ["object", { a: 1 }], ["array", ["a"]]];
const NUMBERS = [
  ["0", 0], ["-1", -1], ["1.5", 1.5], ["2**53", 2 ** 53], ["NaN", NaN], ["Infinity", Infinity], ["-Infinity", -Infinity],
  ["-0", -0], ["'5'", "5"], ["'1e3'", "1e3"], ["' 5 '", " 5 "], ["''", ""], ["'abc'", "abc"], ["true", true], ["1e21", 1e21],
];
// Date.parse reads these (checked in the test below, so the list cannot drift).
const DATES_READ = [
  "2030-01-01", "2030-01", "2030", "2030-01-01T00:00", "2030-01-01T00:00:00", "2030-01-01T00:00:00.5", "2030-01-01T00:00:00.123Z",
  "2030-01-01T00:00:00.123456Z", "2030-01-01T00:00Z", "2030-01-01T00:00:00Z", "2030-01-01T02:00:00+02:00", "2030-01-01T00:00:00-05:30",
  "2030-01-01T02:00+02:00", "2030-01-01t00:00:00z", "2030-01-01T00:00:00z", "2030-01-01t00:00:00Z", "+002030-01-01T00:00:00Z",
  "2030-01-01T24:00:00Z", "2030-02-30T00:00:00Z", "2030-01-01T02:00:00+0200", "2030-01-01T02:00+0200", "2030-01-01T00:00:00.25-0130",
  "2030-01-01 00:00:00Z", "2030-01-01 02:00+02:00", "1970-01-01T00:00:00.000Z", "2030-04-31", "2030-01-01T00:00:00.123456789Z",
];
// ... and refuses these (NaN).
const DATES_REFUSED = ["2030-13-01T00:00:00Z", "2030-01-01T25:00:00Z", "2030-01-01T24:00:01Z", "2030-01-01T00:00:00+24:00", "2030-01-01T00:00:00+02",
  "not a date", "", "2030-01-01T00:00:00.Z", "2030-01-01T00:00:00,5Z", "20300101"];
const DATES = [...DATES_READ.map((d) => [d, d]), ...DATES_REFUSED.map((d) => [`refused ${show(d)}`, d]), ["epoch ms text", "1893456000000"]];
// `since` is typed `string` in 3.3.3 (it calls .trim()); ours also takes epoch ms as a number.
const NOT_DATES = [["epoch ms number", 1893456000000], ["Date object", new Date(Date.UTC(2030, 0, 1))]];
const PROTO_KEY = JSON.parse('{"__proto__": "own"}');
const OPTIONAL = [["missing", MISSING], ["undefined", undefined], ["null", null]];

const edge = (list) => list.map(([label, value]) => [label, value, "edge"]);
const wrong = (list) => list.map(([label, value]) => [label, value, "wrong"]);
const VARIANTS = {
  str: [...edge(STRINGS), ...wrong(NOT_STRINGS)],
  num: edge(NUMBERS),
  date: [...edge(DATES), ...wrong(NOT_DATES)],
  bool: [...edge([["false", false], ["true", true]]), ...wrong([["0", 0], ["'yes'", "yes"]])],
  list: [...edge([["[]", []], ["edge strings", STRINGS.map(([, s]) => s).filter((s) => s !== LONG && !s.includes("\uD800"))]]),
    ...wrong([["not an array", "a,b"], ["[null]", [null]]])],
  opts: [...edge([["{}", {}], ["unknown field", { zz_unknown: "z" }], ["own __proto__ key", PROTO_KEY]]), ...wrong([["string", "abc"], ["number", 5], ["array", []]])],
};

/**
 * [label, value, tag] variants for one slot of `kind`. Tags: "edge" (the
 * declared type, edge content), "wrong" (another type; undefined and null
 * where the slot is required), "absent" (missing, undefined or null where
 * the slot is optional: kinds ending in "?").
 */
function variants(kind) {
  const optional = kind.endsWith("?");
  const base = VARIANTS[optional ? kind.slice(0, -1) : kind];
  assert.ok(base, `no variants for kind ${kind}`);
  return optional ? [...OPTIONAL.map(([l, v]) => [l, v, "absent"]), ...base] : [...base, ["undefined", undefined, "wrong"], ["null", null, "wrong"]];
}

// ---- members -----------------------------------------------------------------
//
// [member, call(r, ...args), base arguments, slots]: a slot is an argument
// index ("0") or a field of an options argument ("2.since"), with the kind of
// value it takes. "opts" slots replace the whole options object; an options
// slot's fields keep the base call's other fields.

const blobs = (r) => r.blobs ?? r.assets;
const MANIFEST = { version: "1", tables: [{ name: "items", expose: true, policy: "public_read" }] };
const APP_URL = "https://app.example.com/in";
const TOKEN = "user_access_token_diff";

const MEMBERS = [
  ["projects.provision", (r, ...a) => r.projects.provision(...a), [{ tier: "hobby", name: "diff" }], { 0: "opts?", "0.tier": "str?", "0.name": "str?" }],
  ["projects.delete", (r, ...a) => r.projects.delete(...a), [PID], { 0: "str" }],
  ["projects.getUsage", (r, ...a) => r.projects.getUsage(...a), [PID], { 0: "str" }],
  ["projects.getSchema", (r, ...a) => r.projects.getSchema(...a), [PID], { 0: "str" }],
  ["projects.sql", (r, ...a) => r.projects.sql(...a), [PID, "SELECT 1", [1]], { 0: "str", 1: "str", 2: "list?", "2.0": "num" }],
  ["projects.rest", (r, ...a) => r.projects.rest(...a), [PID, "items", "select=*"], { 0: "str", 1: "str", 2: "str?" }],
  ["projects.rest (options)", (r, ...a) => r.projects.rest(...a), [PID, "items", { method: "PATCH", query: { id: "eq.1" }, body: { done: true } }],
    { 2: "opts?", "2.method": "str?", "2.query.id": "str", "2.query": "str?", "2.body": "str?", "2.keyType": "str?" }],
  ["projects.restResponse", (r, ...a) => r.projects.restResponse(...a), [PID, "items", { query: { limit: "1" } }], { 1: "str", "2.query.limit": "str" }],
  ["projects.applyExpose", (r, ...a) => r.projects.applyExpose(...a), [PID, MANIFEST], { 0: "str", 1: "opts" }],
  ["projects.validateExpose", (r, ...a) => r.projects.validateExpose(...a), [MANIFEST, { project: PID, migrationSql: "SELECT 1;" }],
    { 1: "opts?", "1.project": "str?", "1.migrationSql": "str?" }],
  ["projects.getExpose", (r, ...a) => r.projects.getExpose(...a), [PID], { 0: "str" }],
  ["projects.promoteUser", (r, ...a) => r.projects.promoteUser(...a), [PID, "user@example.com"], { 1: "str" }],
  ["senderDomain.register", (r, ...a) => r.senderDomain.register(...a), [PID, "mail.example.com"], { 0: "str", 1: "str" }],
  ["senderDomain.status", (r, ...a) => r.senderDomain.status(...a), [PID], { 0: "str" }],
  ["senderDomain.enableInbound", (r, ...a) => r.senderDomain.enableInbound(...a), [PID, "mail.example.com"], { 1: "str" }],
  ["senderDomain.disableInbound", (r, ...a) => r.senderDomain.disableInbound(...a), [PID, "mail.example.com"], { 1: "str" }],
  ["admin.sendMessage", (r, ...a) => r.admin.sendMessage(...a), ["hello"], { 0: "str" }],
  ["admin.setAgentContact", (r, ...a) => r.admin.setAgentContact(...a), [{ name: "ops", email: "ops@example.com", webhook: "https://h.example/x" }],
    { 0: "opts", "0.name": "str", "0.email": "str?", "0.webhook": "str?" }],
  ["admin.getProjectFinance", (r, ...a) => r.admin.getProjectFinance(...a), [PID, { window: "90d", cookie: "session=abc" }],
    { 0: "str", 1: "opts?", "1.window": "str?", "1.cookie": "str?" }],
  ["ai.translate", (r, ...a) => r.ai.translate(...a), [PID, { text: "Hello", to: "es", from: "en", context: "c" }],
    { 0: "str", "1.text": "str", "1.to": "str", "1.from": "str?", "1.context": "str?" }],
  ["ai.moderate", (r, ...a) => r.ai.moderate(...a), [PID, "some text"], { 1: "str" }],
  ["ai.usage", (r, ...a) => r.ai.usage(...a), [PID], { 0: "str" }],
  ["ai.generateImage", (r, ...a) => r.ai.generateImage(...a), [{ prompt: "a lighthouse", aspect: "portrait" }], { "0.prompt": "str", "0.aspect": "str?" }],
  ["email.createMailbox", (r, ...a) => r.email.createMailbox(...a), [PID, "diff"], { 1: "str" }],
  ["email.send", (r, ...a) => r.email.send(...a), [PID, { to: "a@example.com", subject: "Hi", html: "<p>hi</p>", text: "hi", from_name: "A", in_reply_to: "msg_0" }],
    { "1.subject": "str", "1.html": "str", "1.text": "str?", "1.from_name": "str?", "1.in_reply_to": "str?" }],
  ["email.send (template)", (r, ...a) => r.email.send(...a), [PID, { to: "a@example.com", template: "notification", variables: { project_name: "A", message: "m" } }],
    { "1.template": "str", "1.variables.message": "str", "1.variables": "opts" }],
  ["email.list", (r, ...a) => r.email.list(...a), [PID, { limit: 5, after: "msg_0" }], { 1: "opts?", "1.limit": "num?", "1.after": "str?" }],
  ["email.get", (r, ...a) => r.email.get(...a), [PID, "msg_diff_1"], { 1: "str" }],
  ["email.getRaw", (r, ...a) => r.email.getRaw(...a), [PID, "msg_diff_1"], { 1: "str" }],
  ["email.deleteMailbox", (r, ...a) => r.email.deleteMailbox(...a), [PID, "mbx_diff_2"], { 1: "str?" }],
  ["email.webhooks.register", (r, ...a) => r.email.webhooks.register(...a), [PID, { url: "https://hooks.example.com/mail", events: ["delivery"] }],
    { "1.url": "str" }],
  ["email.webhooks.get", (r, ...a) => r.email.webhooks.get(...a), [PID, "wh_diff_1"], { 1: "str" }],
  ["email.webhooks.update", (r, ...a) => r.email.webhooks.update(...a), [PID, "wh_diff_1", { events: ["reply_received"] }], { 1: "str" }],
  ["email.webhooks.delete", (r, ...a) => r.email.webhooks.delete(...a), [PID, "wh_diff_1"], { 1: "str" }],
  ["auth.requestMagicLink", (r, ...a) => r.auth.requestMagicLink(...a), [PID, { email: "a@example.com", redirectUrl: APP_URL, intent: "invite", clientState: "s" }],
    { "1.email": "str", "1.redirectUrl": "str", "1.intent": "str?", "1.clientState": "str?" }],
  ["auth.verifyMagicLink", (r, ...a) => r.auth.verifyMagicLink(...a), [PID, "r402ml_token"], { 1: "str" }],
  ["auth.setUserPassword", (r, ...a) => r.auth.setUserPassword(...a), [PID, { accessToken: TOKEN, newPassword: "n3w-pass", currentPassword: "old" }],
    { "1.accessToken": "str", "1.newPassword": "str", "1.currentPassword": "str?" }],
  ["auth.settings", (r, ...a) => r.auth.settings(...a), [PID, { allow_password_set: false }], { 1: "opts", "1.allow_password_set": "bool?" }],
  ["auth.createUser", (r, ...a) => r.auth.createUser(...a), [PID, { email: "a@example.com", isAdmin: false, sendInvite: true, redirectUrl: APP_URL, clientState: "s" }],
    { "1.email": "str", "1.isAdmin": "bool?", "1.sendInvite": "bool?", "1.redirectUrl": "str?", "1.clientState": "str?" }],
  ["auth.verifyPasskeyRegistration", (r, ...a) => r.auth.verifyPasskeyRegistration(...a), [PID, { accessToken: TOKEN, challengeId: "pkc_1", response: { id: "cred" }, label: "L" }],
    { "1.challengeId": "str", "1.label": "str?" }],
  ["auth.createPasskeyLoginOptions", (r, ...a) => r.auth.createPasskeyLoginOptions(...a), [PID, { appOrigin: "https://app.example.com", email: "a@example.com" }],
    { "1.appOrigin": "str", "1.email": "str?" }],
  ["auth.listPasskeys", (r, ...a) => r.auth.listPasskeys(...a), [PID, { accessToken: TOKEN }], { "1.accessToken": "str" }],
  ["auth.deletePasskey", (r, ...a) => r.auth.deletePasskey(...a), [PID, { accessToken: TOKEN, passkeyId: "pk_1" }], { "1.passkeyId": "str" }],
  ["auth.providers", (r, ...a) => r.auth.providers(...a), [PID], { 0: "str" }],
  ["auth.promote", (r, ...a) => r.auth.promote(...a), [PID, "a@example.com"], { 1: "str" }],
  ["functions.invoke", (r, ...a) => r.functions.invoke(...a), [PID, "hello", { method: "PUT", body: "raw", headers: { "X-Trace": "t1" } }],
    { 1: "str", "2.method": "str?", "2.body": "str?", "2.headers.X-Trace": "str", "2.headers": "opts?" }],
  ["functions.invoke (GET)", (r, ...a) => r.functions.invoke(...a), [PID, "hello", { method: "GET" }], { "2.body": "str?" }],
  ["functions.logs", (r, ...a) => r.functions.logs(...a), [PID, "hello", { tail: 10, since: "2030-01-01T00:00:00.000Z", requestId: "req_abcd1234" }],
    { 1: "str", 2: "opts?", "2.tail": "num?", "2.since": "date?", "2.requestId": "str?" }],
  ["functions.list", (r, ...a) => r.functions.list(...a), [PID], { 0: "str" }],
  ["functions.update", (r, ...a) => r.functions.update(...a), [PID, "hello", { schedule: "*/15 * * * *", timeout: 5, memory: 128 }],
    { 1: "str", "2.schedule": "str?", "2.timeout": "num?", "2.memory": "num?" }],
  ["functions.delete", (r, ...a) => r.functions.delete(...a), [PID, "hello"], { 1: "str" }],
  ["apps.browse", (r, ...a) => r.apps.browse(...a), [["a b"]], { 0: "list?", "0.0": "str" }],
  ["apps.getApp", (r, ...a) => r.apps.getApp(...a), ["ver_diff_1"], { 0: "str" }],
  ["apps.fork", (r, ...a) => r.apps.fork(...a), [{ versionId: "ver_diff_1", name: "copy", subdomain: "my-copy" }],
    { "0.versionId": "str", "0.name": "str", "0.subdomain": "str?" }],
  ["apps.publish", (r, ...a) => r.apps.publish(...a), [PID, { description: "d", tags: ["t"], visibility: "unlisted", fork_allowed: false }],
    { 1: "opts?", "1.description": "str?", "1.tags": "list?", "1.visibility": "str?", "1.fork_allowed": "bool?" }],
  ["apps.listVersions", (r, ...a) => r.apps.listVersions(...a), [PID], { 0: "str" }],
  ["apps.updateVersion", (r, ...a) => r.apps.updateVersion(...a), [PID, "ver_diff_1", { description: "", tags: [], visibility: "public", fork_allowed: true }],
    { 1: "str", "2.description": "str?", "2.tags": "list?", "2.visibility": "str?", "2.fork_allowed": "bool?" }],
  ["apps.deleteVersion", (r, ...a) => r.apps.deleteVersion(...a), [PID, "ver_diff_1"], { 1: "str" }],
  ["blobs.ls", (r, ...a) => blobs(r).ls(...a), [PID, { prefix: "a/", limit: 25, cursor: "c" }],
    { 1: "opts?", "1.prefix": "str?", "1.limit": "num?", "1.cursor": "str?" }],
  ["blobs.get", (r, ...a) => blobs(r).get(...a), [PID, "a/1.txt"], { 1: "str" }],
  ["blobs.rm", (r, ...a) => blobs(r).rm(...a), [PID, "a/1.txt"], { 1: "str" }],
  ["blobs.sign", (r, ...a) => blobs(r).sign(...a), [PID, "a/1.txt", { ttl_seconds: 600 }], { 1: "str", 2: "opts?", "2.ttl_seconds": "num?" }],
  ["blobs.diagnoseUrl", (r, ...a) => blobs(r).diagnoseUrl(...a), [PID, "https://pr-abc.run402.com/_blob/a.txt"], { 1: "str" }],
];

// ---- expected differences ----------------------------------------------------
//
// Each rule names a difference that is ours on purpose: the classes it
// covers, which divergences (`d`: member, slot, label, tag, and both sides'
// outcomes) and why. A divergence no rule covers fails its member's test.

const oursThrew = (d, re) => d.ours.outcome.threw?.name === "LocalError" && re.test(d.ours.outcome.threw.message);
const refThrew = (d, re) => re.test(`${d.ref.outcome.threw?.name}: ${d.ref.outcome.threw?.message}`);
const sentBody = (o, field) => o.requests.at(-1)?.body?.value?.[field];
/** 3.3.3's last body has a field set to null that ours leaves out. */
const refSendsNull = (d) => {
  const [ob, rb] = [d.ours.requests.at(-1)?.body?.value ?? {}, d.ref.requests.at(-1)?.body?.value ?? {}];
  return Object.entries(rb).some(([k, v]) => v === null && !(k in ob));
};

const EXPECTED = [
  {
    name: "types are checked",
    why: "ours refuses a wrong-typed argument or field with a LocalError naming it; 3.3.3 String()s it into the request or fails inside (TypeError)",
    classes: ["stricter", "error"],
    when: (d) => d.tag === "wrong" && oursThrew(d, /must be (a|an|one of) |must be epoch ms|must map names to strings|is required|must be an object/),
  },
  {
    name: "null is absent",
    why: "ours reads null like undefined for an optional argument or field (routes.rs Kind, args.rs); 3.3.3 sends null, or reads a property of it",
    classes: ["wire", "looser"],
    when: (d) => d.label === "null" && (d.cls === "looser" ? d.tag === "absent" : refSendsNull(d)),
  },
  {
    name: "required fields are present",
    why: "an options object without a required field is refused locally; 3.3.3 sends the body without it",
    classes: ["stricter"],
    when: (d) => d.tag === "edge" && oursThrew(d, /must be a string, got undefined/),
  },
  {
    name: "lone surrogates",
    why: "a string with a lone UTF-16 surrogate would become U+FFFD as Rust text or in fetch's UTF-8 (the caller's data changed), so ours refuses it with a LocalError wherever it reads a string as text; 3.3.3 sends \\ud800 in JSON, and its encodeURIComponent throws URIError",
    classes: ["stricter", "error"],
    when: (d) => d.label === "lone surrogate" && oursThrew(d, /lone surrogate/),
  },
  {
    name: "raw path segments are guarded",
    why: "an id that goes into the path unencoded (contract §1: {id} raw) is refused when it could change the path; 3.3.3 sends the altered path (or, for ids §6 encodes, an id the gateway never mints)",
    classes: ["stricter"],
    when: (d) => d.tag === "edge" && oursThrew(d, /contains '.+'; expected letters|is a relative path segment|must be one path segment|is not a single path segment|lower-case function name/s),
  },
  {
    name: "required strings are not blank",
    why: "a required string that is empty is refused locally; the gateway refuses it too",
    classes: ["stricter"],
    when: (d) => d.label === "empty" && oursThrew(d, /must not be empty|is required/),
  },
  {
    name: "documented value sets",
    why: "a value outside its documented set (tier, template, REST method and keyType; invoke's HTTP verbs) is refused locally; 3.3.3 sends it",
    classes: ["stricter"],
    when: (d) => d.tag === "edge" && oursThrew(d, /must be one of|must be "anon" or "service"/),
  },
  {
    name: "header values without line breaks",
    why: "a header value with CR, LF or NUL is refused before fetch (fetch throws a TypeError on it; the recording fetch does not)",
    classes: ["stricter"],
    when: (d) => ["newline", "NUL"].includes(d.label) && oursThrew(d, /has a value containing a line break or NUL/),
  },
  {
    name: "no body on GET",
    why: "a GET or HEAD with a body is refused locally (fetch throws on it); 3.3.3's rest sends the body anyway and its invoke drops it",
    classes: ["stricter"],
    when: (d) => oursThrew(d, /a (GET|HEAD) request cannot carry a `body`/),
  },
  {
    name: "epoch ms as a number",
    why: "ours takes functions.logs' since as a number of epoch ms too (typed string | number); 3.3.3 calls .trim() on it",
    classes: ["looser"],
    when: (d) => d.slot === "2.since" && d.label === "epoch ms number" && refThrew(d, /^TypeError: since.trim/),
  },
  {
    name: "since without a zone",
    why: "Date.parse reads a date-time without Z or an offset in the machine's local zone; ours refuses it rather than depend on where it runs",
    classes: ["stricter"],
    when: (d) => d.slot === "2.since" && /T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(d.label) && oursThrew(d, /`since` must be/),
  },
  {
    name: "since on a day the month lacks",
    why: "V8's Date.parse rolls 02-30 or 04-31 over into the next month (the ECMAScript format calls it invalid); ours refuses it",
    classes: ["stricter"],
    when: (d) => d.slot === "2.since" && /^\d{4}-(02-3\d|0[469]-31|11-31)/.test(d.label) && oursThrew(d, /`since` must be/),
  },
  {
    name: "since with an expanded year",
    why: "ours reads four-digit years only; a log query never needs ECMAScript's ±YYYYYY form",
    classes: ["stricter"],
    when: (d) => d.slot === "2.since" && /^[+-]\d{6}-/.test(d.label) && oursThrew(d, /`since` must be/),
  },
  {
    name: "since null",
    why: "ours refuses a null since with its LocalError; 3.3.3 fails on null.trim() (TypeError): both refuse",
    classes: ["error"],
    when: (d) => d.slot === "2.since" && d.label === "null" && refThrew(d, /^TypeError/) && oursThrew(d, /`since` must be/),
  },
  {
    name: "3.3.3's own auth checks",
    why: "3.3.3 checks email and redirectUrl shapes and a blank currentPassword locally; v1.69.7 (contract §1.12) does not, and the gateway checks them",
    classes: ["looser"],
    when: (d) => d.member.startsWith("auth.") && refThrew(d, /^LocalError: (email must be a valid email address|redirectUrl must be an http\(s\) URL|currentPassword must be a non-empty string)/),
  },
  {
    name: "email.send's optional fields if truthy",
    why: "contract §1.16: v1.69.7 sends text, from_name and in_reply_to only if truthy; 3.3.3 sends any defined value",
    classes: ["wire"],
    when: (d) => d.member === "email.send" && d.label === "empty" && sentBody(d.ref, d.slot.split(".").at(-1)) === "",
  },
  {
    name: "deleteMailbox's selector",
    why: "§6: 3.3.3 resolves a selector without the mbx_ prefix as a slug (it lists the mailboxes first); v1.69.7 deletes the id given",
    classes: ["wire"],
    when: (d) => d.member === "email.deleteMailbox" && d.ref.requests[0]?.method === "GET" && d.ours.requests[0]?.method === "DELETE",
  },
  {
    name: "undefined query values",
    why: "ours leaves an undefined query value out, as JSON leaves out an undefined field; 3.3.3's URLSearchParams sends the text \"undefined\"",
    classes: ["wire"],
    when: (d) => d.label === "undefined" && d.slot.includes(".query.") && d.ref.requests[0]?.url.endsWith("=undefined"),
  },
];

// ---- running and classifying -----------------------------------------------

/** `base` with the slot at `path` set to `value` (MISSING deletes it). */
function withSlot(base, path, value) {
  const args = structuredClone(base);
  const keys = path.split(".");
  let at = args;
  for (const k of keys.slice(0, -1)) at = at[k];
  const last = keys.at(-1);
  if (value === MISSING) {
    if (Array.isArray(at) && at === args) at[last] = MISSING;
    else delete at[last];
  } else at[last] = structuredClone(value);
  while (args.length && args.at(-1) === MISSING) args.pop();
  return args.map((a) => (a === MISSING ? undefined : a));
}

/** What a run did: sent (requests, outcome) or threw before sending. */
const sent = (o) => o.requests.length > 0;

/** Ours's requests with the Idempotency-Key dropped from paid POSTs (an intended difference, checked in differential.test.mjs). */
function comparable(requests) {
  return requests.map((q) => {
    const paid = q.method === "POST" && PAID_PATHS.some((p) => q.url === API + p);
    if (!paid) return q;
    const { ["idempotency-key"]: _key, ...headers } = q.headers;
    return { ...q, headers };
  });
}

// functions.invoke's duration_ms is a timing; validateExpose's `fix` is our wording.
const normal = (o) => JSON.parse(JSON.stringify(o, (k, v) => (k === "fix" && typeof v === "string" ? "<fix>" : k === "duration_ms" && typeof v === "number" ? "<ms>" : v)) ?? "null");

/** The divergence class of one outcome pair, or null when they agree. */
function classify(a, b) {
  if (sent(a) && sent(b)) {
    try {
      assert.deepStrictEqual(comparable(a.requests), b.requests);
    } catch {
      return "wire";
    }
    try {
      assert.deepStrictEqual(normal(a.outcome), normal(b.outcome));
    } catch {
      return "wire (result)";
    }
    return null;
  }
  if (!sent(a) && sent(b)) return a.outcome.threw ? (a.outcome.threw.kind === "local_error" ? "stricter" : "stricter (not LocalError)") : "ours sent nothing";
  if (sent(a) && !sent(b)) return b.outcome.threw ? "looser" : "reference sent nothing";
  const [ta, tb] = [a.outcome.threw, b.outcome.threw];
  if (!ta || !tb) return ta || tb ? "error" : null;
  return ta.name === tb.name && ta.kind === tb.kind ? null : "error";
}

const argText = (args) => args.map((a) => (a === undefined ? "undefined" : show(a)?.replace(/x{40,}/g, (m) => `x×${m.length}`))).join(", ");
const clip = (v) => show(v)?.replace(/x{40,}/g, (m) => `x×${m.length}`);

function report(member, slot, label, cls, args, a, b) {
  return `${member} | ${slot} | ${label}: ${cls}\n  args: (${argText(args)})\n` +
    `  --- ours\n  ${clip({ requests: a.requests, outcome: a.outcome })}\n  --- @run402/sdk 3.3.3\n  ${clip({ requests: b.requests, outcome: b.outcome })}`;
}

/** One line: what each side sent (method, URL, body) or threw. */
const one = (o) => (sent(o) ? o.requests.map((q) => `${q.method} ${q.url.slice(API.length)} ${JSON.stringify(q.body.value ?? "")}`).join(" ; ") : `threw ${o.outcome.threw?.name}: ${o.outcome.threw?.message}`).replace(/x{40,}/g, (m) => `x×${m.length}`).slice(0, 300);
function brief(a, b) {
  return `\n    ours: ${one(a)}\n    3.3.3: ${one(b)}`;
}

test("the date lists say what Date.parse does", () => {
  for (const d of DATES_READ) assert.ok(!Number.isNaN(Date.parse(d)), `Date.parse reads ${d}`);
  for (const d of DATES_REFUSED) assert.ok(Number.isNaN(Date.parse(d)), `Date.parse refuses ${d}`);
});

const used = new Set();
let membersRun = 0;
for (const [member, call, base, slots] of MEMBERS) {
  test(member, async () => {
    membersRun++;
    // The base call itself must agree, or every variant's verdict is noise.
    const a0 = await run(ours, (r) => call(r, ...structuredClone(base)));
    const b0 = await run(ref, (r) => call(r, ...structuredClone(base)));
    assert.ok(sent(b0), `${member}: the reference sent nothing for the base call ${show(b0.outcome)}`);
    assert.equal(classify(a0, b0), null, report(member, "base", "base", classify(a0, b0), base, a0, b0));
    const failures = [];
    for (const [slot, kind] of Object.entries(slots)) {
      for (const [label, value, tag] of variants(kind)) {
        // Fresh arguments for each side: a client that changed them must not steer the other.
        const args = withSlot(base, slot, value);
        const a = await run(ours, (r) => call(r, ...withSlot(base, slot, value)));
        const b = await run(ref, (r) => call(r, ...withSlot(base, slot, value)));
        const cls = classify(a, b);
        if (!cls) continue;
        const key = `${member} | ${slot} | ${label}`;
        const rule = EXPECTED.find((e) => e.classes.includes(cls) && e.when({ member, slot, label, tag, cls, ours: a, ref: b }));
        if (rule) used.add(rule.name);
        if (process.env.FUZZ_SHOW) console.log(process.env.FUZZ_SHOW === "2" ? report(member, slot, label, cls, args, a, b) : `${key}: ${cls} [${rule?.name ?? "UNEXPECTED"}]${brief(a, b)}`);
        if (!rule) failures.push(report(member, slot, label, cls, args, a, b));
      }
    }
    assert.deepEqual(failures, [], `${failures.length} unexpected divergence(s):\n${failures.join("\n")}`);
  });
}

test("every expected difference still occurs", (t) => {
  if (membersRun < MEMBERS.length) return t.skip("only some members ran (a name filter): the rules cannot be judged");
  const stale = EXPECTED.map((e) => e.name).filter((n) => !used.has(n));
  assert.deepEqual(stale, [], "EXPECTED has rules no divergence needs any more: remove them");
});
