// Project API keys: JWT-shaped HS256 tokens signed with a per-process secret,
// so keys minted by one simulator process are worthless to another.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const SECRET = randomBytes(32);
const HEADER = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));

function base64url(text) {
  return Buffer.from(text).toString("base64url");
}

function sign(data) {
  return createHmac("sha256", SECRET).update(data).digest();
}

/** role: "anon" | "service_role". */
export function mintKey(role, projectId) {
  const payload = base64url(JSON.stringify({ role, project_id: projectId, iss: "run402-sim", iat: Math.floor(Date.now() / 1000) }));
  const data = `${HEADER}.${payload}`;
  return `${data}.${sign(data).toString("base64url")}`;
}

/** Returns the payload of a key this process minted, or null. */
export function verifyKey(token) {
  if (typeof token !== "string") return null;
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== HEADER) return null;
  const given = Buffer.from(parts[2], "base64url");
  const expected = sign(`${parts[0]}.${parts[1]}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    if (payload.iss !== "run402-sim" || typeof payload.project_id !== "string") return null;
    if (payload.role !== "anon" && payload.role !== "service_role") return null;
    return payload;
  } catch {
    return null;
  }
}
