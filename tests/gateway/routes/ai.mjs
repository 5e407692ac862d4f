// ai (wire contract §1.11). Project add-ons, authenticated by the project's
// service key: POST /ai/v1/translate (needs the AI Translation add-on; words
// are counted per monthly billing cycle against the add-on's included words,
// 402 when the add-on is missing or the request would go past them), POST
// /ai/v1/moderate (free), GET /ai/v1/usage. And POST /generate-image/v1
// {prompt, aspect}, paid $0.03, SIGN-IN-WITH-X optional, answering a small
// generated PNG sized by aspect.
//
// The add-on is switched on, resized or moved to a new cycle through
// POST /__sim/ai/translation (registerControl).

import { projectFromServiceKey, walletFromSiwx } from "../auth.mjs";
import { fail, json, jsonObjectBody, requireString } from "../http-util.mjs";
import { moderate } from "../moderate.mjs";
import { requirePayment } from "../payments.mjs";
import { IMAGE_SIZES, tinyPng } from "../png.mjs";
import { LANGUAGE_CODES, countWords, translate } from "../translate.mjs";

// Seed 003: "prompt max 1000 chars".
const MAX_PROMPT_LENGTH = 1000;
const MAX_TEXT_LENGTH = 10_000;
const MAX_CONTEXT_LENGTH = 200;

function tooLong(field, limit) {
  fail(400, "invalid_field", `Field "${field}" is limited to ${limit} characters.`, "INVALID_FIELD", { details: { field, limit } });
}

// ── the translation add-on ──

/** The same day of the month `n` months later (clamped to the month's end), UTC. */
function addMonths(ms, n) {
  const d = new Date(ms);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.getTime();
}

/** The project's add-on record with its cycle brought up to date, or undefined. */
function addon(state, projectId) {
  const record = state.aiTranslation.get(projectId);
  if (!record) return undefined;
  const now = Date.now();
  while (addMonths(record.cycleStart, 1) <= now) {
    record.cycleStart = addMonths(record.cycleStart, 1);
    record.usedWords = 0;
  }
  return record;
}

/** The first instant of the current UTC month: the cycle a project without the add-on reports. */
function monthStart() {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function usageOf(state, projectId) {
  const record = addon(state, projectId);
  const active = record?.active === true;
  const included = record?.includedWords ?? 0;
  const used = record?.usedWords ?? 0;
  return {
    active,
    used_words: used,
    included_words: included,
    remaining_words: active ? Math.max(0, included - used) : 0,
    billing_cycle_start: new Date(record?.cycleStart ?? monthStart()).toISOString(),
  };
}

function language(body, field, { optional = false } = {}) {
  const code = requireString(body, field, { optional });
  if (code !== undefined && !LANGUAGE_CODES.has(code)) {
    fail(400, "invalid_language", `Field "${field}" must be an ISO 639-1 language code such as "es" (got ${JSON.stringify(code)}).`, "INVALID_LANGUAGE", { details: { field } });
  }
  return code;
}

function translateText(ctx) {
  const project = projectFromServiceKey(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["text", "to", "from", "context"] });
  if (typeof body.text !== "string" || body.text.trim() === "") {
    fail(400, "invalid_field", "Text is required.", "INVALID_FIELD", { details: { field: "text" } });
  }
  if (body.text.length > MAX_TEXT_LENGTH) tooLong("text", MAX_TEXT_LENGTH);
  const to = language(body, "to");
  const from = language(body, "from", { optional: true });
  const context = requireString(body, "context", { optional: true });
  if (context !== undefined && context.length > MAX_CONTEXT_LENGTH) tooLong("context", MAX_CONTEXT_LENGTH);

  const record = addon(ctx.state, project.id);
  if (!record?.active) {
    fail(402, "addon_required", "AI Translation add-on required: this project has no active translation add-on.", "TRANSLATION_ADDON_REQUIRED", {
      details: { addon: "translation" },
      hint: "Enable the AI Translation add-on for this project.",
    });
  }
  const result = translate(body.text, to, from);
  // Same language in and out: nothing is translated, so nothing is counted.
  const words = result.from === to ? 0 : countWords(body.text);
  if (record.usedWords + words > record.includedWords) {
    const usage = usageOf(ctx.state, project.id);
    fail(402, "quota_exceeded", `Translation word limit reached: ${words} words requested, ${usage.remaining_words} of ${usage.included_words} left in this billing cycle.`, "TRANSLATION_QUOTA_EXCEEDED", {
      details: { requested_words: words, ...usage },
    });
  }
  record.usedWords += words;
  return json(200, { text: result.text, from: result.from, to });
}

function moderateText(ctx) {
  projectFromServiceKey(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["text"] });
  const text = requireString(body, "text");
  if (text.length > MAX_TEXT_LENGTH) tooLong("text", MAX_TEXT_LENGTH);
  return json(200, moderate(text));
}

function usage(ctx) {
  const project = projectFromServiceKey(ctx);
  return json(200, { translation: usageOf(ctx.state, project.id) });
}

// ── images ──

async function generateImage(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["prompt", "aspect"] });
  const prompt = requireString(body, "prompt");
  if (prompt.length > MAX_PROMPT_LENGTH) tooLong("prompt", MAX_PROMPT_LENGTH);
  const aspect = body.aspect ?? "square";
  if (!Object.hasOwn(IMAGE_SIZES, aspect)) {
    fail(400, "invalid_aspect", `aspect must be one of ${Object.keys(IMAGE_SIZES).join(", ")} (got ${JSON.stringify(aspect)}).`, "INVALID_ASPECT");
  }
  await walletFromSiwx(ctx, { required: false });
  await requirePayment(ctx, "POST /generate-image/v1", body);
  return json(200, { image: tinyPng(aspect, prompt).toString("base64"), content_type: "image/png", aspect });
}

// ── /__sim/ control ──

/**
 * POST {project_id, active? (default true), included_words?, new_cycle?}:
 * switches the project's translation add-on on or off, sets its words per
 * cycle (default 10000 when first enabled), or starts a new cycle now
 * (used words back to 0). Answers the usage the gateway would report.
 */
function setTranslationAddon(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["project_id", "active", "included_words", "new_cycle"] });
  const id = requireString(body, "project_id");
  if (!ctx.state.projects.has(id)) fail(404, "project_not_found", "No such project.", "PROJECT_NOT_FOUND");
  for (const flag of ["active", "new_cycle"]) {
    if (body[flag] !== undefined && typeof body[flag] !== "boolean") fail(400, "invalid_field", `"${flag}" must be a boolean.`, "INVALID_FIELD");
  }
  if (body.included_words !== undefined && !(Number.isSafeInteger(body.included_words) && body.included_words >= 0)) {
    fail(400, "invalid_field", '"included_words" must be a whole number of words, 0 or more.', "INVALID_FIELD");
  }
  const record = addon(ctx.state, id) ?? { active: false, includedWords: 10_000, usedWords: 0, cycleStart: Date.now() };
  record.active = body.active ?? true;
  record.includedWords = body.included_words ?? record.includedWords;
  if (body.new_cycle) Object.assign(record, { cycleStart: Date.now(), usedWords: 0 });
  ctx.state.aiTranslation.set(id, record);
  return json(200, { project_id: id, translation: usageOf(ctx.state, id) });
}

export function register(router) {
  router.add("POST", "/ai/v1/translate", translateText);
  router.add("POST", "/ai/v1/moderate", moderateText);
  router.add("GET", "/ai/v1/usage", usage);
  router.add("POST", "/generate-image/v1", generateImage, { idempotent: true });
}

export function registerControl(router) {
  router.add("POST", "/__sim/ai/translation", setTranslationAddon);
}
