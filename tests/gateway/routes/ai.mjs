// ai.generateImage (wire contract §1.11): POST /generate-image/v1
// {prompt, aspect}, paid $0.03; SIGN-IN-WITH-X optional. Answers a tiny
// generated PNG.

import { walletFromSiwx } from "../auth.mjs";
import { fail, json, jsonObjectBody, requireString } from "../http-util.mjs";
import { requirePayment } from "../payments.mjs";
import { IMAGE_SIZES, tinyPng } from "../png.mjs";

const MAX_PROMPT_LENGTH = 4000;

async function generateImage(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["prompt", "aspect"] });
  const prompt = requireString(body, "prompt");
  if (prompt.length > MAX_PROMPT_LENGTH) {
    fail(400, "invalid_field", `Field "prompt" is limited to ${MAX_PROMPT_LENGTH} characters.`, "INVALID_FIELD", { details: { field: "prompt" } });
  }
  const aspect = body.aspect ?? "square";
  if (!Object.hasOwn(IMAGE_SIZES, aspect)) {
    fail(400, "invalid_aspect", `aspect must be one of ${Object.keys(IMAGE_SIZES).join(", ")} (got ${JSON.stringify(aspect)}).`, "INVALID_ASPECT");
  }
  await walletFromSiwx(ctx, { required: false });
  await requirePayment(ctx, "POST /generate-image/v1", body);
  return json(200, { image: tinyPng(aspect, prompt).toString("base64"), content_type: "image/png", aspect });
}

export function register(router) {
  router.add("POST", "/generate-image/v1", generateImage, { idempotent: true });
}
