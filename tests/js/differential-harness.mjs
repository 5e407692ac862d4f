// The differential harness: both SDKs (ours from pkg/, the reference
// `@run402/sdk` 3.3.3), a recording fetch that answers a plausible gateway
// body per route, the one credentials provider both clients get, and `same`,
// which requires identical requests, provider calls and results.
// differential.test.mjs holds the hand-picked calls; differential-fuzz.test.mjs
// the generated argument variants.

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";

const OURS_ENTRY = new URL("../../pkg/entry-node.js", import.meta.url).href;

// pkg/ may be rebuilt under us (about 20 s): retry the import once.
async function importWithRetry(spec) {
  try {
    return await import(spec);
  } catch (err) {
    await sleep(25_000);
    return import(`${spec}?retry=1`).catch(() => {
      throw err;
    });
  }
}

const ours = await importWithRetry(OURS_ENTRY);
const ref = await import("@run402/sdk");

const API = "https://api.run402.test";
const PID = "prj_diff_0001";
const KEYS = { anon_key: "anon_key_diff_0001", service_key: "service_key_diff_0001" };
const AUTH = { "SIGN-IN-WITH-X": "test-siwx" };

// ---- plausible gateway answers, by method + path --------------------------

const ROW = (i) => ({ id: i, name: `item ${i}`, done: i % 2 === 0 });
const APP = {
  id: "ver_diff_1", project_id: PID, version: 1, name: "diff app", description: null, visibility: "public", fork_allowed: true,
  min_tier: "prototype", derived_min_tier: "prototype", status: "published", table_count: 1, function_count: 0, site_file_count: 0,
  site_total_bytes: 0, required_secrets: [], required_actions: [], tags: ["a b"], live_url: null, bootstrap_variables: null,
  created_at: "2030-01-01T00:00:00.000Z", compatibility_warnings: [],
};

function answer(method, url) {
  const u = new URL(url);
  const p = u.pathname;
  if (p === "/health") return { status: "ok", checks: { database: "ok" }, version: "3.3.3-diff" };
  if (p === "/status") {
    return {
      status: "ok",
      uptime_seconds: 42,
      deployment: { version: "3.3.3-diff" },
      capabilities: ["projects", "rest", "sql"],
      operator: { name: "diff", contact: "https://run402.com" },
    };
  }
  if (p === "/tiers/v1") {
    return {
      tiers: {
        prototype: { price: "$0.10", lease_days: 7, storage_mb: 250, api_calls: 500000, max_functions: 5, description: "Try it" },
        hobby: { price: "$5.00", lease_days: 30, storage_mb: 1024, api_calls: 5000000, max_functions: 25, description: "Side projects" },
      },
    };
  }
  if (method === "POST" && p === "/projects/v1") {
    return { project_id: "prj_new_0002", anon_key: "anon_new", service_key: "service_new", schema_slot: "p0002" };
  }
  if (method === "DELETE" && /^\/projects\/v1\/[^/]+$/.test(p)) return { status: "deleted", project_id: p.split("/")[3] };
  const admin = p.match(/^\/projects\/v1\/admin\/([^/]+)\/(.+)$/);
  if (admin) {
    const [, id, rest] = admin;
    if (rest === "usage") {
      return {
        project_id: id, tier: "prototype", api_calls: 12, api_calls_limit: 500000,
        storage_bytes: 8192, storage_limit_bytes: 262144000, lease_expires_at: "2030-01-01T00:00:00.000Z", status: "active",
      };
    }
    if (rest === "schema") {
      return {
        schema: "p0001",
        tables: [{
          name: "items",
          columns: [{ name: "id", type: "integer", nullable: false, default_value: null }],
          constraints: [{ name: "items_pkey", type: "PRIMARY KEY", definition: "PRIMARY KEY (id)" }],
          rls_enabled: false,
          policies: [],
        }],
      };
    }
    // The gateway's SQL answer as the seed documents it (`rowCount`): both SDKs
    // hand it through unchanged. (3.3.3 would rename a `row_count` field; we
    // keep the gateway's fields as sent, so that rename is not mirrored.)
    if (rest === "sql") return { status: "ok", schema: "p0001", rows: [{ n: 1 }], rowCount: 1 };
    if (rest === "expose" && method === "GET") return { version: "1", tables: [{ name: "items", expose: true }] };
    if (rest === "expose") return { status: "applied", project_id: id };
    if (rest === "expose/validate") return { hasErrors: false, errors: [], warnings: [] };
    if (rest === "promote-user" || rest === "demote-user") return { status: "ok" };
    const fn = rest.match(/^functions(?:\/([^/]+))?(\/logs)?$/);
    if (fn && fn[2]) return { logs: [{ timestamp: "2030-01-01T00:00:00.000Z", message: "hi", request_id: "req_abcd1234" }] };
    if (fn && method === "DELETE") return { status: "deleted", name: decodeURIComponent(fn[1]) };
    if (fn && method === "PATCH") return { name: decodeURIComponent(fn[1]), runtime: "node22", timeout: 5, memory: 128, schedule: null, schedule_meta: null, updated_at: "2030-01-01T00:00:00.000Z" };
    if (fn) return { functions: [{ name: "hello", url: `${API}/functions/v1/hello`, runtime: "node22", timeout: 10, memory: 128, schedule: null, created_at: "2030-01-01T00:00:00.000Z", updated_at: "2030-01-01T00:00:00.000Z" }] };
    if (rest === "publish") return APP;
    if (rest === "versions") return { versions: [{ id: APP.id, description: null, tags: [], visibility: "public", fork_allowed: true, created_at: "2030-01-01T00:00:00.000Z" }] };
    if (rest.startsWith("versions/")) return { status: method === "DELETE" ? "deleted" : "updated" };
  }
  if (p === "/email/v1/domains") {
    if (method === "POST") return { domain: "mail.example.com", status: "pending", dns_records: [{ type: "CNAME", name: "a._domainkey.mail.example.com", value: "a.dkim.example" }], instructions: "publish" };
    if (method === "GET") return { domain: "mail.example.com", status: "verified", verified_at: "2030-01-01T00:00:00.000Z" };
    return { status: "removed" };
  }
  if (p === "/email/v1/domains/inbound") return method === "POST" ? { status: "enabled", mx_record: "10 inbound.example" } : { status: "disabled" };
  if (p === "/message/v1") return { status: "sent" };
  if (p.startsWith("/mailboxes/v1")) return mailboxAnswer(method, p);
  if (p.startsWith("/agent/v1/contact")) {
    return {
      wallet: "0xabc", name: "ops", email: "ops@example.com", webhook: null, email_verification_status: "pending",
      passkey_binding_status: "none", assurance_level: "email_pending", email_verified_at: null, email_verified_message_id: null,
      email_challenge_sent_at: "2030-01-01T00:00:00.000Z", passkey_bound_at: null, active_operator_passkey_id: null, updated_at: "2030-01-01T00:00:00.000Z",
    };
  }
  if (p.startsWith("/admin/api/finance/project/")) {
    return { project_id: decodeURIComponent(p.split("/").at(-1)), window: u.searchParams.get("window"), revenue_usd_micros: 100000, notes: "diff" };
  }
  if (p === "/projects/v1/expose/validate") return { hasErrors: false, errors: [], warnings: [] };
  if (p.startsWith("/functions/v1/")) return { invoked: p.slice(14), method };
  if (p === "/apps/v1") return { apps: [APP], total: 1 };
  if (p.startsWith("/apps/v1/")) return APP;
  if (p === "/fork/v1") return { project_id: "prj_fork_0003", anon_key: "anon_fork", service_key: "service_fork", schema_slot: "p0003", functions: [] };
  if (p === "/ai/v1/translate") return { text: "Hola mundo", from: "en", to: "es" };
  if (p === "/storage/v1/blobs") return { blobs: [{ key: "a/1.txt", size_bytes: 3, content_type: "text/plain", visibility: "public", created_at: "2030-01-01T00:00:00.000Z" }], next_cursor: null };
  if (p === "/storage/v1/blobs/diagnose") {
    return {
      projectId: PID, key: "a/1.txt", expectedSha256: "ab".repeat(32), observedSha256: "ab".repeat(32), vantage: "gateway-us-east-1",
      probeMethod: "GET_RANGE_0_0", acceptEncoding: "identity", observedAt: "2030-01-01T00:00:00.000Z", probeMayHaveWarmedCache: true,
      canonicalUrl: u.searchParams.get("url"), pathKind: "blob-mutable", cache: { xCache: "Hit from cloudfront", ageSeconds: 3, cacheKind: "mutable" },
      invalidation: { id: null, status: null }, hint: "fresh",
    };
  }
  if (p.startsWith("/storage/v1/blob/") && p.endsWith("/sign")) return { signed_url: "https://s3.example/x?sig=1", expires_at: "2030-01-01T01:00:00.000Z", expires_in: 3600 };
  if (p.startsWith("/storage/v1/blob/")) return method === "DELETE" ? { status: "deleted" } : { bytes: "as JSON" };
  if (p === "/ai/v1/moderate") return { flagged: false, categories: { violence: false }, category_scores: { violence: 0.0001 } };
  if (p === "/ai/v1/usage") {
    return { translation: { active: true, used_words: 2, included_words: 10, remaining_words: 8, billing_cycle_start: "2030-01-01T00:00:00.000Z" } };
  }
  if (p === "/generate-image/v1") return { image: "iVBORw0KGgo=", content_type: "image/png", aspect: "square" };
  if (p.startsWith("/rest/v1/")) {
    if (method === "GET") return [ROW(1), ROW(2), ROW(3)];
    if (method === "DELETE") return [ROW(1)];
    return [{ ...ROW(9), name: "created" }];
  }
  return { error: `differential stub has no answer for ${method} ${p}` };
}

const MAILBOX = {
  mailbox_id: "mbx_diff_1", address: "diff@mail.run402.com", slug: "diff", project_id: PID, status: "active",
  sends_today: 0, unique_recipients: 0, created_at: "2030-01-01T00:00:00.000Z", updated_at: "2030-01-01T00:00:00.000Z",
};
const WEBHOOK = { webhook_id: "wh_diff_1", url: "https://hooks.example.com/mail", events: ["delivery"], created_at: "2030-01-01T00:00:00.000Z" };

function mailboxAnswer(method, p) {
  if (p === "/mailboxes/v1") return method === "POST" ? MAILBOX : { mailboxes: [MAILBOX] };
  if (/^\/mailboxes\/v1\/[^/]+$/.test(p)) return { mailbox_id: MAILBOX.mailbox_id, address: MAILBOX.address };
  if (p.endsWith("/messages") && method === "POST") {
    return { message_id: "msg_diff_1", status: "sent", to: "a@example.com", template: null, subject: "Hi", sent_at: "2030-01-01T00:00:00.000Z" };
  }
  if (p.endsWith("/messages")) return [{ id: "msg_diff_1", template: "notification", to: "a@example.com", status: "delivered", created_at: "2030-01-01T00:00:00.000Z" }];
  if (p.includes("/messages/")) {
    return { id: "msg_diff_1", template: "notification", to: "a@example.com", status: "delivered", variables: { project_name: "A", message: "m" }, created_at: "2030-01-01T00:00:00.000Z", replies: [] };
  }
  if (p.endsWith("/webhooks") && method === "GET") return { webhooks: [WEBHOOK] };
  if (p.includes("/webhooks")) return WEBHOOK;
  return { error: "no mailbox answer" };
}

// ---- recording fetch -------------------------------------------------------

async function bodyText(body) {
  if (body === undefined || body === null) return null;
  if (typeof body === "string") return body;
  return new Response(body).text();
}

/** Header list as [lower-cased name, value] pairs, whatever form fetch got. */
function headerPairs(h) {
  if (!h) return [];
  if (typeof Headers !== "undefined" && h instanceof Headers) return [...h.entries()].map(([k, v]) => [k.toLowerCase(), v]);
  if (Array.isArray(h)) return h.map(([k, v]) => [String(k).toLowerCase(), String(v)]);
  return Object.entries(h).map(([k, v]) => [k.toLowerCase(), String(v)]);
}

/** Lower-cased name → value; a name sent twice (any casing) keeps every value. */
function headerRecord(pairs) {
  const out = {};
  for (const [k, v] of pairs) {
    if (k in out) out[k] = [].concat(out[k], v);
    else out[k] = v;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function recorder() {
  const requests = [];
  const fetch = async (input, init = {}) => {
    let url;
    let method;
    let pairs;
    let text;
    if (typeof Request !== "undefined" && input instanceof Request) {
      url = input.url;
      method = init.method ?? input.method;
      pairs = headerPairs(init.headers ?? input.headers);
      text = init.body !== undefined ? await bodyText(init.body) : await input.text();
      if (text === "") text = null;
    } else {
      url = String(input);
      method = init.method ?? "GET";
      pairs = headerPairs(init.headers);
      text = await bodyText(init.body);
    }
    const headers = headerRecord(pairs);
    const ct = headers["content-type"];
    let body = text === null ? { kind: "none" } : { kind: "text", value: text };
    if (text !== null && typeof ct === "string" && ct.includes("application/json")) {
      try {
        body = { kind: "json", value: JSON.parse(text) };
      } catch {
        body = { kind: "text (invalid JSON)", value: text };
      }
    }
    requests.push({ method: method.toUpperCase(), url, headers, body });
    const payload = answer(method.toUpperCase(), url);
    return new Response(JSON.stringify(payload), { status: 200, headers: { "content-type": "application/json" } });
  };
  return { requests, fetch };
}

// ---- the credentials provider (same behaviour for both clients) ----------

function provider() {
  const calls = [];
  const record = (name, args) => {
    const a = [...args];
    while (a.length && a[a.length - 1] === undefined) a.pop(); // f(x) ≡ f(x, undefined)
    calls.push([name, ...a]);
  };
  return {
    calls,
    credentials: {
      async getAuth(...args) {
        record("getAuth", args);
        return { ...AUTH };
      },
      async getProject(...args) {
        record("getProject", args);
        return { ...KEYS };
      },
      async saveProject(...args) {
        record("saveProject", args);
      },
      async setActiveProject(...args) {
        record("setActiveProject", args);
      },
      async removeProject(...args) {
        record("removeProject", args);
      },
    },
  };
}

async function run(sdk, call) {
  const rec = recorder();
  const prov = provider();
  const r = new sdk.Run402({ apiBase: API, credentials: prov.credentials, fetch: rec.fetch });
  let outcome;
  try {
    outcome = { resolved: await call(r) };
  } catch (err) {
    outcome = { threw: { name: err?.name, kind: err?.kind, message: err?.message } };
  }
  return { requests: rec.requests, provider: prov.calls, outcome };
}

/** Paid endpoints (contract §1 "x402 yes") whose POSTs carry an idempotency key. */
const PAID_PATHS = ["/projects/v1", "/generate-image/v1", "/fork/v1"];

const show = (v) =>
  JSON.stringify(v, (_k, x) => (x === undefined ? "<undefined>" : x), 2);

function contentTypeNote(a, b) {
  const ca = a?.headers?.["content-type"];
  const cb = b?.headers?.["content-type"];
  return `Content-Type ${ca === cb ? "matches" : "DIFFERS"}: ours ${show(ca)} vs @run402/sdk ${show(cb)}`;
}

/**
 * Run `call` on both clients and require, as three subtests, identical wire
 * requests (the contract), identical credentials-provider calls and identical
 * results.
 */
function same(call) {
  return async (t) => {
    const a = await run(ours, call);
    const b = await run(ref, call);
    await t.test("requests", () => {
      assert.ok(b.requests.length > 0 || call.noRequest, "the reference made no request; the test itself is wrong");
      assert.equal(
        a.requests.length,
        b.requests.length,
        `request count differs\n--- ours\n${show(a.requests)}\n--- @run402/sdk 3.3.3\n${show(b.requests)}`,
      );
      for (let i = 0; i < b.requests.length; i++) {
        // Intended difference: POSTs to paid endpoints carry an
        // Idempotency-Key from the first attempt (so a retry after a lost
        // answer never pays twice); 3.3.3 sends none. Check it is there on
        // exactly those calls, then compare everything else.
        const paid = a.requests[i].method === "POST" && PAID_PATHS.some((p) => a.requests[i].url === API + p);
        const key = a.requests[i].headers?.["idempotency-key"];
        assert.equal(typeof key === "string" && key.length >= 16, paid, `Idempotency-Key ${paid ? "missing on a paid" : "sent on an unpaid"} call`);
        const { ["idempotency-key"]: _key, ...otherHeaders } = a.requests[i].headers ?? {};
        assert.deepStrictEqual(
          { ...a.requests[i], headers: otherHeaders },
          b.requests[i],
          `request #${i + 1} differs (${contentTypeNote(a.requests[i], b.requests[i])})\n` +
            `--- ours\n${show(a.requests[i])}\n--- @run402/sdk 3.3.3\n${show(b.requests[i])}`,
        );
      }
    });
    await t.test("credentials-provider calls", () => {
      // Intended difference: ours always passes getAuth's metadata argument
      // ({ method: "<namespace>.<method>" }); 3.3.3 passes it only for org
      // provisioning. Compare the paths, and check ours names the method.
      for (const [name, , meta] of a.provider) {
        // A nested namespace's members name their path: "email.webhooks.list".
        if (name === "getAuth") assert.match(meta?.method ?? "", /^[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)*\.[A-Za-z]+$/, "ours passes { method }");
      }
      const withoutMeta = (calls) => calls.map((c) => (c[0] === "getAuth" ? c.slice(0, 2) : c));
      assert.deepStrictEqual(
        withoutMeta(a.provider),
        withoutMeta(b.provider),
        `credentials-provider calls differ\n--- ours\n${show(a.provider)}\n--- @run402/sdk 3.3.3\n${show(b.provider)}`,
      );
    });
    await t.test("result", () => {
      // Intended difference: the local validateExpose result carries our own
      // wording of the `fix` hint; everything else must match.
      // functions.invoke's duration_ms is a timing, not a value to compare.
      const withoutFix = (o) => JSON.parse(JSON.stringify(o, (k, v) => (k === "fix" && typeof v === "string" ? "<fix>" : k === "duration_ms" && typeof v === "number" ? "<ms>" : v)));
      assert.deepStrictEqual(
        withoutFix(a.outcome),
        withoutFix(b.outcome),
        `result differs\n--- ours\n${show(a.outcome)}\n--- @run402/sdk 3.3.3\n${show(b.outcome)}`,
      );
    });
  };
}

export { ours, ref, API, PID, KEYS, AUTH, answer, recorder, provider, run, PAID_PATHS, show, contentTypeNote, same };
