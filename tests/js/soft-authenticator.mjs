// A software WebAuthn authenticator for Node tests: an ES256 (P-256) key per
// credential, "none" attestation, a signature counter, and the JSON a
// browser's PublicKeyCredential.toJSON() gives. Built from the WebAuthn
// spec's byte layouts (authenticator data, COSE key, CBOR) with node:crypto,
// so the simulator's @simplewebauthn/server checks it as it checks a
// browser's. The real browser path is auth-passkeys-browser.test.mjs.
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";

const b64u = (bytes) => Buffer.from(bytes).toString("base64url");
const sha256 = (data) => createHash("sha256").update(data).digest();

/** The CBOR head for major type `major` and length/value `n`. */
function head(major, n) {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
}

/** CBOR for the few shapes WebAuthn needs: integers, text, bytes, maps (as [key, value] pairs). */
function cbor(value) {
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  return Buffer.concat([head(5, value.length), ...value.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const FLAGS = { UP: 0x01, UV: 0x04, AT: 0x40 };

function authData(rpId, flags, counter, attested = Buffer.alloc(0)) {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter);
  return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, attested]);
}

function clientData(type, challenge, origin) {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

export class SoftAuthenticator {
  constructor() {
    this.credentials = new Map(); // credential id (base64url) → {privateKey, rpId, userHandle, counter}
  }

  /** Answers creation options (the gateway's `options`) as the browser would, on `origin`. */
  create(options, origin) {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const id = randomBytes(16);
    const cose = cbor([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x, "base64url")], [-3, Buffer.from(jwk.y, "base64url")]]);
    const idLength = Buffer.from([id.length >> 8, id.length & 0xff]);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, id, cose]); // aaguid: zeros, as "none" attestation allows
    const rpId = options.rp.id;
    const data = authData(rpId, FLAGS.UP | FLAGS.UV | FLAGS.AT, 0, attested);
    const attestationObject = cbor([["fmt", "none"], ["attStmt", []], ["authData", data]]);
    this.credentials.set(b64u(id), { privateKey, rpId, userHandle: options.user.id, counter: 0 });
    return {
      id: b64u(id),
      rawId: b64u(id),
      type: "public-key",
      response: { clientDataJSON: b64u(clientData("webauthn.create", options.challenge, origin)), attestationObject: b64u(attestationObject), transports: ["internal"] },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /**
   * Answers request options with credential `id` (default: the first one
   * allowed, else any held for the RP). `counter` overrides the next count,
   * to play a cloned key; `rpId` signs for another relying party.
   */
  get(options, origin, { id, counter, rpId } = {}) {
    const allowed = (options.allowCredentials ?? []).map((c) => c.id);
    const chosen = id ?? allowed.find((c) => this.credentials.has(c)) ?? [...this.credentials].find(([, c]) => c.rpId === options.rpId)?.[0];
    const credential = this.credentials.get(chosen);
    if (!credential) throw new Error("no credential for these options");
    credential.counter = counter ?? credential.counter + 1;
    const data = authData(rpId ?? options.rpId, FLAGS.UP | FLAGS.UV, credential.counter);
    const client = clientData("webauthn.get", options.challenge, origin);
    const signature = sign("sha256", Buffer.concat([data, sha256(client)]), credential.privateKey); // DER, as WebAuthn wants
    return {
      id: chosen,
      rawId: chosen,
      type: "public-key",
      response: { clientDataJSON: b64u(client), authenticatorData: b64u(data), signature: b64u(signature), userHandle: credential.userHandle },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}
