// r.ai (and its non-enumerable alias r.image) end to end: the built package
// against the simulator. Translation needs the project's add-on (switched on
// through /__sim/ai/translation) and counts words against its quota;
// moderation is free; generateImage is paid through our x402 loop and
// answers a PNG that pngjs (a maintained decoder, not our code) must accept.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { sdk, simulator, sim, withProject, client, paying, rejectsKind } from "./helpers.mjs";

const { PNG } = createRequire(import.meta.url)("pngjs");
const { Run402, allowanceCredentials } = sdk;

before(async () => { await simulator(); });

const addon = (project_id, settings = {}) => sim("ai/translation", { project_id, ...settings });

test("translate: the add-on's words are counted, from/context are sent only when set", async () => {
  const { r, id } = await withProject();
  await addon(id, { included_words: 10 });
  const hola = await r.ai.translate(id, { text: "Hello world", to: "es" });
  assert.deepEqual(hola, { text: "Hola mundo", from: "en", to: "es" });
  const merci = await r.ai.translate(id, { text: "Thanks, friend!", to: "fr", from: "en", context: "a casual note", timeoutMs: 5000 });
  assert.deepEqual(merci, { text: "Merci, ami!", from: "en", to: "fr" });
  // Detected from the text, not assumed.
  assert.deepEqual(await r.ai.translate(id, { text: "Bonjour le monde", to: "de", from: "" }), { text: "Hallo le welt", from: "fr", to: "de" });

  const usage = await r.ai.usage(id);
  assert.deepEqual(
    [usage.translation.active, usage.translation.used_words, usage.translation.included_words, usage.translation.remaining_words],
    [true, 7, 10, 3],
  );
  assert.ok(Date.parse(usage.translation.billing_cycle_start) <= Date.now());

  const log = (await sim("requests")).filter((x) => x.path === "/ai/v1/translate").slice(-3);
  assert.deepEqual(log.map((x) => JSON.parse(x.body)), [
    { text: "Hello world", to: "es" },
    { text: "Thanks, friend!", to: "fr", from: "en", context: "a casual note" },
    { text: "Bonjour le monde", to: "de" },
  ]);
  const { service_key } = await r.projects.keys(id);
  assert.ok(log.every((x) => x.headers.authorization === `Bearer ${service_key}`));
});

test("translate answers 402 (PaymentRequired, not an x402 price) without the add-on and when the words are used up", async () => {
  const { r, id } = await withProject();
  const missing = await rejectsKind(r.ai.translate(id, { text: "Hello", to: "es" }), "payment_required");
  assert.equal(missing.status, 402);
  assert.equal(missing.body.code, "TRANSLATION_ADDON_REQUIRED");
  assert.match(missing.message, /add-on required.* while translating text$/);
  assert.deepEqual((await r.ai.usage(id)).translation.active, false);

  await addon(id, { included_words: 4 });
  await r.ai.translate(id, { text: "good morning friend", to: "de" });
  const out = await rejectsKind(r.ai.translate(id, { text: "hello world", to: "de" }), "payment_required");
  assert.equal(out.body.code, "TRANSLATION_QUOTA_EXCEEDED");
  assert.match(out.body.message, /Translation word limit reached/);
  assert.deepEqual([out.body.details.requested_words, out.body.details.remaining_words], [2, 1]);
  assert.ok(!sdk.isRetryableRun402Error(out));
  // The refused request cost nothing; one word still fits.
  assert.equal((await r.ai.usage(id)).translation.used_words, 3);
  assert.deepEqual(await r.ai.translate(id, { text: "Cat", to: "es" }), { text: "Gato", from: "en", to: "es" });
  assert.equal((await r.ai.usage(id)).translation.remaining_words, 0);
  await rejectsKind(r.ai.translate(id, { text: "dog", to: "es" }), "payment_required");

  // A new billing cycle gives the words back; switching the add-on off refuses again.
  await addon(id, { new_cycle: true });
  assert.deepEqual(await r.ai.translate(id, { text: "dog", to: "es" }), { text: "perro", from: "en", to: "es" });
  assert.equal((await r.ai.usage(id)).translation.used_words, 1);
  await addon(id, { active: false });
  const off = await rejectsKind(r.ai.translate(id, { text: "dog", to: "es" }), "payment_required");
  assert.equal(off.body.code, "TRANSLATION_ADDON_REQUIRED");
});

test("translate: the gateway's input checks", async () => {
  const { r, id } = await withProject();
  await addon(id);
  const bad = async (opts, code) => {
    const e = await rejectsKind(r.ai.translate(id, opts), "api_error");
    assert.deepEqual([e.status, e.body.code], [400, code]);
  };
  await bad({ text: "hello", to: "xx" }, "INVALID_LANGUAGE");
  await bad({ text: "hello", to: "es", from: "english" }, "INVALID_LANGUAGE");
  await bad({ text: "hello", to: "es", context: "c".repeat(201) }, "INVALID_FIELD");
  await bad({ text: "a ".repeat(5001), to: "es" }, "INVALID_FIELD");
  assert.equal((await r.ai.usage(id)).translation.used_words, 0, "refused requests count no words");
});

test("moderate is free, deterministic, and flags by category", async () => {
  const { r, id } = await withProject();
  const calm = await r.ai.moderate(id, "Hello world, this is a friendly message");
  assert.equal(calm.flagged, false);
  assert.ok(Object.values(calm.categories).every((v) => v === false));
  assert.ok(Object.keys(calm.categories).includes("violence"));
  assert.deepEqual(Object.keys(calm.category_scores), Object.keys(calm.categories));
  const rough = await r.ai.moderate(id, "You idiot, I will kill you");
  assert.equal(rough.flagged, true);
  assert.deepEqual([rough.categories.harassment, rough.categories.violence, rough.categories.sexual], [true, true, false]);
  assert.ok(rough.category_scores.violence > 0.5 && rough.category_scores.sexual < 0.01);
  assert.deepEqual(await r.ai.moderate(id, "You idiot, I will kill you"), rough);
  // "skill" is not "kill".
  assert.equal((await r.ai.moderate(id, "a skilled player")).flagged, false);
});

test("scoped clients drop the project id; r.image is r.ai, but not enumerable and not on scoped clients", async () => {
  const { r, id } = await withProject();
  await addon(id, { included_words: 100 });
  assert.equal(r.image, r.ai);
  assert.ok(Object.keys(r).includes("ai"));
  assert.ok(!Object.keys(r).includes("image"));
  assert.equal(Object.getOwnPropertyDescriptor(r, "image")?.enumerable, false);
  assert.deepEqual(await r.image.translate(id, { text: "water", to: "de" }), { text: "wasser", from: "en", to: "de" });

  const p = await r.project(id);
  assert.equal(p.image, undefined);
  assert.deepEqual(await p.ai.translate({ text: "book", to: "fr" }), { text: "livre", from: "en", to: "fr" });
  assert.equal((await p.ai.moderate("gore")).categories["violence/graphic"], true);
  assert.equal((await p.ai.usage()).translation.used_words, 2);
  assert.equal(typeof p.ai.generateImage, "function");
});

test("bad input fails locally before any request; unknown projects and foreign keys fail typed", async () => {
  const sent = [];
  const { r, credentials } = await client({ fetch: (url, init) => { sent.push(url); return fetch(url, init); } });
  credentials.projects.set("prj_local", { anon_key: "a", service_key: "s" });
  const local = [
    r.ai.translate("prj_local", { text: "hello" }),
    r.ai.translate("prj_local", { text: " ", to: "es" }),
    r.ai.translate("prj_local", { text: "hello", to: "es", context: 5 }),
    r.ai.translate("prj_local"),
    r.ai.translate("../x", { text: "hello", to: "es" }),
    r.ai.moderate("prj_local", ""),
    r.ai.moderate("prj_local", 42),
    r.ai.usage(""),
    r.ai.generateImage(),
    r.ai.generateImage({ prompt: "" }),
    r.ai.generateImage({ prompt: "a cat", aspect: "wide" }),
    r.ai.generateImage({ prompt: "a cat", idempotencyKey: "" }),
    r.ai.generateImage({ prompt: "a cat", timeoutMs: -1 }),
  ];
  for (const call of local) await rejectsKind(call, "local_error");
  const aspect = await rejectsKind(r.ai.generateImage({ prompt: "a cat", aspect: "wide" }), "local_error");
  assert.match(aspect.message, /`aspect` must be one of square, landscape, portrait/);
  assert.equal(aspect.context, "generating image");
  const unknown = await rejectsKind(r.ai.usage("prj_nowhere"), "project_not_found");
  assert.equal(unknown.projectId, "prj_nowhere");
  assert.deepEqual(sent, [], "nothing reached the network");

  // Keys the gateway does not accept: a made-up one (401), and another project's anon key (403).
  await rejectsKind(r.ai.moderate("prj_local", "hello"), "unauthorized");
  const { r: owner, id } = await withProject();
  const { anon_key } = await owner.projects.keys(id);
  credentials.projects.set(id, { anon_key, service_key: anon_key });
  const e = await rejectsKind(r.ai.usage(id), "unauthorized");
  assert.deepEqual([e.status, e.body.code], [403, "SERVICE_KEY_REQUIRED"]);
});

// ── generateImage: paid ──

async function wallet(usdc) {
  const privateKey = generatePrivateKey();
  const address = privateKeyToAccount(privateKey).address;
  await sim("fund", { address, amount: Math.round(usdc * 1e6) });
  return { address, privateKey };
}

const balance = async (address) => (await sim(`ledger?address=${address}`)).balances["eip155:84532"] ?? 0;

/** Decodes with pngjs; throws if it is not a PNG the decoder accepts. */
function decode(result) {
  assert.equal(result.content_type, "image/png");
  return PNG.sync.read(Buffer.from(result.image, "base64"));
}

test("generateImage pays $0.03 through our x402 loop and returns a PNG a decoder accepts, sized by aspect", async () => {
  const w = await wallet(0.1);
  const r = new Run402({ apiBase: await simulator(), credentials: allowanceCredentials({ allowance: w, projects: {} }) });
  const [square, landscape, portrait] = await paying(() => Promise.all([
    r.ai.generateImage({ prompt: "a lighthouse at dusk" }),
    r.image.generateImage({ prompt: "a lighthouse at dusk", aspect: "landscape" }),
    r.ai.generateImage({ prompt: "a lighthouse at dusk", aspect: "portrait" }),
  ]));
  assert.deepEqual([square.aspect, landscape.aspect, portrait.aspect], ["square", "landscape", "portrait"]);
  const [s, l, p] = [decode(square), decode(landscape), decode(portrait)];
  assert.deepEqual([s.width, s.height], [16, 16]);
  assert.deepEqual([l.width, l.height], [32, 18]);
  assert.deepEqual([p.width, p.height], [18, 32]);
  assert.equal(s.data.length, 16 * 16 * 4, "RGBA pixels decoded");
  assert.ok(new Set(s.data.filter((_, i) => i % 4 === 0)).size > 1, "a gradient, not one flat colour");
  assert.equal(await balance(w.address), 100_000 - 3 * 30_000);
  assert.deepEqual(await r.payments.spent(), { total: "0.09", baseUnits: "90000", count: 3 });
  const receipts = await r.payments.receipts();
  assert.ok(receipts.every((x) => x.path === "/generate-image/v1" && x.settlement.success));
});

test("generateImage: an idempotency key is paid once; a prompt decides the pixels", async () => {
  const w = await wallet(0.1);
  const r = new Run402({ apiBase: await simulator(), credentials: allowanceCredentials({ allowance: w, projects: {} }) });
  const key = `img-${Date.now()}`;
  const [first, again, other] = await paying(async () => [
    await r.ai.generateImage({ prompt: "a red fox", idempotencyKey: key }),
    await r.ai.generateImage({ prompt: "a red fox", idempotencyKey: key }),
    await r.ai.generateImage({ prompt: "a blue whale" }),
  ]);
  assert.equal(again.image, first.image, "the replay is the first answer");
  assert.notDeepEqual(decode(other).data, decode(first).data);
  assert.equal(await balance(w.address), 100_000 - 2 * 30_000, "the replay was not charged");
});

test("generateImage without an allowance is PaymentRequired with the $0.03 quote", async () => {
  const { r } = await client();
  const e = await paying(() => rejectsKind(r.ai.generateImage({ prompt: "a cat" }), "payment_required"));
  assert.equal(e.status, 402);
  assert.match(e.reason, /no allowance/);
  assert.match(e.message, / while generating image$/);
  assert.equal(e.body.accepts[0].maxAmountRequired, "30000");
  // With payments off the simulator draws for free (its offline mode).
  const free = await r.ai.generateImage({ prompt: "a cat", aspect: "portrait" });
  assert.deepEqual([decode(free).width, decode(free).height], [18, 32]);
});
