// Transport v2 through the built package: absolute and raw requests, every
// read mode, every body kind, upload time by size and SHA-256 both ways,
// against a local HTTP server that records what arrives. The calls go
// through the test-only hooks of pkg-test/ (cargo feature `test-hooks`,
// src/wasm/hooks.rs; `./dev test` builds it), so that each mode is tested
// alone; r.blobs and r.email.getRaw use them through the public surface.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHash, randomBytes } from "node:crypto";

import "../../pkg-test/entry-node.js";
import * as core from "../../pkg-test/run402_sdk_wasm.js";
import * as host from "../../pkg-test/host.js";
import * as driver from "../../pkg-test/driver.js";
import "../../pkg/entry-node.js";
import * as shipped from "../../pkg/run402_sdk_wasm.js";
import * as shippedHost from "../../pkg/host.js";
import * as shippedDriver from "../../pkg/driver.js";

const MIB = 1 << 20;
const BIG = randomBytes(4 * MIB); // served by /bytes
const sha = (b) => createHash("sha256").update(b).digest("hex");

let server;
let base;
const seen = []; // every request the server got: { method, url, headers, length, sha256 }

before(async () => {
  server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const record = { method: req.method, url: req.url, headers: req.headers, length: body.length, sha256: sha(body) };
      seen.push(record);
      const json = (status, value, extra = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...extra });
        res.end(JSON.stringify(value));
      };
      if (req.url.startsWith("/echo")) return json(200, record, { etag: '"abc123"' });
      if (req.url === "/bytes") {
        res.writeHead(200, { "content-type": "message/rfc822" });
        return res.end(BIG);
      }
      if (req.url === "/json-as-text") return json(200, { a: 1 });
      if (req.url === "/missing") return json(404, { message: "no such blob" });
      if (req.url === "/denied") {
        res.writeHead(403, { "content-type": "application/xml" });
        return res.end("<Error><Code>AccessDenied</Code></Error>");
      }
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

/** A client whose provider hands out credentials for every request that asks. */
function client(opts = {}) {
  const asked = [];
  const credentials = {
    getAuth(path) {
      asked.push(path);
      return { Authorization: "Bearer wallet-SECRET-token", "SIGN-IN-WITH-X": "siwx-SECRET", apikey: "anon-SECRET" };
    },
    getProject: () => ({ anon_key: "anon-SECRET", service_key: "svc-SECRET" }),
  };
  const c = new core.Client({ apiBase: base, credentials, ...opts }, host);
  return { c, asked, defaults: { timeoutMs: c.timeoutMs, signal: undefined } };
}

// Hooks are started like SDK methods (ids from HOOK_BASE in
// src/wasm/hooks.rs; the transport's from 100) and driven by the same loop
// as every call (js/driver.js).
const HOOK = 0xffff0000;
const HOOKS = { send: 100, sha256: 101, sha256Rust: 102, sha256Pieces: 103 };
const hook = ({ c, defaults }, name, ...args) => driver.run(c, HOOK + HOOKS[name], undefined, args, defaults);

const send = (cl, spec) => hook(cl, "send", spec);
const fails = (p) => p.then((v) => assert.fail(`resolved with ${JSON.stringify(v)}`), (e) => e);
const memory = () => core.initSync({ module: new Uint8Array(0) }).memory.buffer.byteLength;
const SECRET = /SECRET/;

test("the shipped package has no test hooks", async () => {
  const c = new shipped.Client({ apiBase: "https://api.test", credentials: { getAuth: () => null, getProject: () => null } }, shippedHost);
  const e = await shippedDriver.run(c, HOOK + HOOKS.sha256, undefined, ["abc"], { timeoutMs: 0, signal: undefined }).then(() => null, (x) => x);
  assert.match(e?.message ?? "", /unknown method id/);
});

test("an absolute URL gets only the call's own headers: no provider header, no API key, getAuth not asked", async () => {
  const cl = client();
  const out = await send(cl, { method: "PUT", url: `${base}/echo/part?X-Amz-Signature=s&partNumber=1`, headers: { "x-amz-checksum-sha256": "q" }, body: "part", paid: true });
  const got = out.body;
  assert.equal(got.url, "/echo/part?X-Amz-Signature=s&partNumber=1");
  for (const name of ["authorization", "apikey", "sign-in-with-x", "idempotency-key", "x-run402-write-auth"]) {
    assert.equal(got.headers[name], undefined, `${name} reached the third-party host`);
  }
  assert.equal(got.headers["x-amz-checksum-sha256"], "q");
  assert.doesNotMatch(JSON.stringify(got.headers), SECRET);
  assert.deepEqual(cl.asked, []);
  assert.equal(out.etag, '"abc123"');
  // The same request to the gateway does carry them: the check above can fail.
  const gw = await send(cl, { method: "GET", path: "/echo/gw" });
  assert.equal(gw.body.headers.authorization, "Bearer wallet-SECRET-token");
  assert.deepEqual(cl.asked, ["/echo/gw"]);
});

test("an absolute URL refuses credential headers and non-http(s) URLs before anything is sent", async () => {
  const cl = client();
  const before = seen.length;
  for (const name of ["Authorization", "apikey", "SIGN-IN-WITH-X", "X-Payment"]) {
    const e = await fails(send(cl, { method: "PUT", url: `${base}/echo/x`, headers: { [name]: "svc-SECRET" } }));
    assert.equal(e.kind, "local_error", `${name}: ${e.message}`);
    assert.doesNotMatch(e.message, SECRET);
  }
  for (const url of ["file:///etc/passwd", "data:text/plain,x", "ftp://127.0.0.1/x", `http://user:pw@127.0.0.1/x`, "http:// x"]) {
    const e = await fails(send(cl, { method: "PUT", url }));
    assert.equal(e.kind, "local_error", url);
  }
  assert.equal(seen.length, before);
});

test("a raw gateway request carries its own headers only: no provider headers, no idempotency key", async () => {
  const cl = client();
  const out = await send(cl, { method: "GET", path: "/echo/blob/a.png", raw: true, paid: true, headers: { apikey: "svc-key" } });
  assert.equal(out.body.headers.apikey, "svc-key");
  assert.equal(out.body.headers.authorization, undefined);
  assert.equal(out.body.headers["sign-in-with-x"], undefined);
  assert.equal(out.body.headers["idempotency-key"], undefined);
  assert.deepEqual(cl.asked, []);
});

test("read modes: decoded JSON, text, bytes as a Uint8Array, the Response with its body unread", async () => {
  const cl = client();
  const decoded = await send(cl, { method: "GET", path: "/json-as-text" });
  assert.deepEqual(decoded.body, { a: 1 });
  const text = await send(cl, { method: "GET", path: "/json-as-text", read: "text" });
  assert.equal(text.body, '{"a":1}');
  const bytes = await send(cl, { method: "GET", path: "/bytes", raw: true, read: "bytes" });
  assert.ok(bytes.body instanceof Uint8Array);
  assert.equal(bytes.body.length, BIG.length);
  assert.equal(sha(bytes.body), sha(BIG));
  assert.equal(bytes.contentType, "message/rfc822");
  const raw = await send(cl, { method: "GET", path: "/bytes", raw: true, read: "response" });
  assert.ok(raw.body instanceof Response);
  assert.equal(raw.body.bodyUsed, false);
  assert.equal(sha(Buffer.from(await raw.body.arrayBuffer())), sha(BIG));
});

test("errors decode their body as before in every read mode", async () => {
  const cl = client();
  for (const read of [undefined, "text", "bytes", "response"]) {
    const e = await fails(send(cl, { method: "GET", path: "/missing", raw: true, read }));
    assert.equal(e.kind, "api_error");
    assert.equal(e.status, 404);
    assert.equal(e.message, "no such blob while testing the transport (HTTP 404)");
    assert.deepEqual(e.body, { message: "no such blob" });
    const d = await fails(send(cl, { method: "PUT", url: `${base}/denied`, read }));
    assert.equal(d.kind, "unauthorized");
    assert.equal(d.body, "<Error><Code>AccessDenied</Code></Error>");
  }
});

test("host bodies reach the server byte for byte: Uint8Array (and a view), ArrayBuffer, Blob, string, ReadableStream", async () => {
  const cl = client();
  const data = randomBytes(300_000);
  const view = new Uint8Array(data.buffer, data.byteOffset + 1000, 5000);
  const stream = (bytes) => new ReadableStream({
    start(ctl) {
      for (let i = 0; i < bytes.length; i += 65536) ctl.enqueue(bytes.subarray(i, i + 65536));
      ctl.close();
    },
  });
  const cases = [
    ["Uint8Array", new Uint8Array(data), data],
    ["a Uint8Array view", view, Buffer.from(view)],
    ["ArrayBuffer", data.buffer.slice(data.byteOffset, data.byteOffset + data.length), data],
    ["Blob", new Blob([data]), data],
    ["string", "héllo wörld ✓", Buffer.from("héllo wörld ✓")],
    ["empty Uint8Array", new Uint8Array(0), Buffer.alloc(0)],
  ];
  for (const [what, body, expected] of cases) {
    const out = await send(cl, { method: "PUT", url: `${base}/echo/put`, body });
    assert.equal(out.body.length, expected.length, what);
    assert.equal(out.body.sha256, sha(expected), what);
    assert.equal(out.body.headers["content-length"], String(expected.length), `${what}: fetch says its length`);
    assert.equal(out.body.headers["content-type"] === "application/json", false, `${what}: no JSON content type added`);
  }
  const chunked = await send(cl, { method: "PUT", url: `${base}/echo/stream`, body: stream(data) });
  assert.equal(chunked.body.sha256, sha(data));
  assert.equal(chunked.body.headers["transfer-encoding"], "chunked");
  const sized = await send(cl, { method: "PUT", url: `${base}/echo/stream`, body: stream(data), bodyLength: data.length });
  assert.equal(sized.body.sha256, sha(data));
  assert.equal(sized.body.headers["content-length"], String(data.length), "a stream of known size says it");
  assert.equal(sized.body.headers["transfer-encoding"], undefined);
});

test("a multipart upload: a Blob cut into parts, each PUT to its own URL with its checksum and ETag", async () => {
  const cl = client();
  const data = randomBytes(5 * MIB + 3);
  const partSize = 2 * MIB;
  for (const source of [new Blob([data]), data, new Uint8Array(data).buffer]) {
    const etags = [];
    for (let n = 1, start = 0; start < data.length; n++, start += partSize) {
      const end = Math.min(start + partSize, data.length);
      const expected = data.subarray(start, end);
      const out = await send(cl, {
        method: "PUT",
        url: `${base}/echo/part?partNumber=${n}`,
        headers: { "x-amz-checksum-sha256": Buffer.from(sha(expected), "hex").toString("base64") },
        body: source,
        slice: [start, end],
      });
      assert.equal(out.body.length, end - start, `part ${n}`);
      assert.equal(out.body.sha256, sha(expected), `part ${n}`);
      assert.equal(Buffer.from(out.body.headers["x-amz-checksum-sha256"], "base64").toString("hex"), sha(expected));
      etags.push(out.etag);
    }
    assert.equal(etags.length, 3);
  }
  for (const [body, slice] of [[new Blob([data]), [0, data.length + 1]], [data, [9, 3]], [new ReadableStream(), [0, 1]]]) {
    const e = await fails(send(cl, { method: "PUT", url: `${base}/echo/x`, body, bodyLength: 10, slice }));
    assert.equal(e.kind, "local_error", String(slice));
  }
});

test("values fetch should not send are refused as bodies, with no request", async () => {
  const cl = client();
  const before = seen.length;
  const fake = { [Symbol.toStringTag]: "Blob", size: 3 };
  for (const body of [{ a: 1 }, 42, true, [1, 2], fake, new Uint8Array(new SharedArrayBuffer(4)), new Response("x")]) {
    const e = await fails(send(cl, { method: "PUT", url: `${base}/echo/x`, body }));
    assert.equal(e.kind, "local_error");
    assert.match(e.message, /Uint8Array/);
  }
  assert.equal(seen.length, before);
});

test("bulk bytes never pass through wasm memory: 16 MiB sent, received and hashed", async () => {
  const cl = client();
  const data = randomBytes(16 * MIB);
  const start = memory();
  const out = await send(cl, { method: "PUT", url: `${base}/echo/big`, body: data });
  assert.equal(out.body.sha256, sha(data));
  for (let i = 0; i < 4; i++) {
    const got = await send(cl, { method: "GET", path: "/bytes", raw: true, read: "bytes" });
    assert.equal(got.body.length, BIG.length);
  }
  assert.equal(await hook(cl, "sha256", data), sha(data));
  assert.equal(await hook(cl, "sha256", new Blob([data])), sha(data));
  assert.equal(await hook(cl, "sha256Rust", data), sha(data), "the fallback copies in chunks");
  const grown = memory() - start;
  assert.ok(grown < MIB, `wasm memory grew by ${grown} bytes`);
});

test("an upload's time limit grows with its size: 2 s per MiB on top of timeoutMs", async () => {
  const slow = async (url, init) => {
    if (init.body instanceof ReadableStream) await new Response(init.body).arrayBuffer();
    await new Promise((r) => setTimeout(r, 400));
    return new Response("{}", { headers: { "content-type": "application/json" } });
  };
  const cl = client({ fetch: slow, timeoutMs: 150 });
  const small = await fails(send(cl, { method: "PUT", url: "https://s3.test/p", body: new Uint8Array(MIB - 1) }));
  assert.equal(small.kind, "network_error");
  assert.equal(small.code, "TIMEOUT");
  assert.match(small.message, /150 ms/);
  const big = await send(cl, { method: "PUT", url: "https://s3.test/p", body: new Uint8Array(MIB) });
  assert.equal(big.status, 200);
  const stream = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(10)); c.close(); } });
  const sized = await send(cl, { method: "PUT", url: "https://s3.test/p", body: stream, bodyLength: 2 * MIB });
  assert.equal(sized.status, 200);
  const none = client({ fetch: slow, timeoutMs: 0 });
  assert.equal((await send(none, { method: "PUT", url: "https://s3.test/p", body: new Uint8Array(8) })).status, 200, "no limit stays no limit");
});

// FIPS 180-4 examples and the empty string.
const NIST = [
  ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  ["abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"],
  ["a".repeat(1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"],
];

test("SHA-256: WebCrypto and the Rust fallback agree with each other, node:crypto and NIST", async () => {
  const cl = client();
  for (const [input, expected] of NIST) {
    assert.equal(await hook(cl, "sha256", input), expected, `WebCrypto ${input.slice(0, 8)}`);
    assert.equal(await hook(cl, "sha256Rust", input), expected, `Rust ${input.slice(0, 8)}`);
  }
  const inputs = [0, 1, 55, 56, 63, 64, 65, 1000, 65535, 65536, 65537, MIB].map((n) => randomBytes(n));
  inputs.push(randomBytes(100).subarray(7, 77));
  for (const bytes of inputs) {
    const expected = sha(bytes);
    for (const form of [bytes, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), new Blob([bytes]), new DataView(bytes.buffer, bytes.byteOffset, bytes.length)]) {
      assert.equal(await hook(cl, "sha256", form), expected, `WebCrypto, ${bytes.length} bytes`);
      assert.equal(await hook(cl, "sha256Rust", form), expected, `Rust, ${bytes.length} bytes`);
    }
  }
  assert.equal(await hook(cl, "sha256", "héllo ✓ 𝄞"), sha(Buffer.from("héllo ✓ 𝄞")));
  const e = await fails(hook(cl, "sha256", { not: "bytes" }));
  assert.equal(e.kind, "local_error");
});

test("SHA-256 of stream pieces: node:crypto's incremental hasher and the Rust one agree with each other, WebCrypto and NIST, whatever the piece size", async () => {
  const cl = client();
  for (const [input, expected] of NIST.slice(1)) {
    const bytes = Buffer.from(input);
    for (const native of [true, false]) {
      const [whole, second, kind] = await hook(cl, "sha256Pieces", bytes, 7, native);
      assert.deepEqual([whole, second], [expected, expected], `${kind}, ${input.slice(0, 8)}`);
      assert.equal(kind, native ? "native" : "rust", "Node has node:crypto through process.getBuiltinModule");
    }
  }
  const data = randomBytes(3 * MIB + 17);
  const expected = await hook(cl, "sha256", data);
  assert.equal(expected, sha(data));
  for (const piece of [1, 63, 64, 65, 4096, 65536, 65537, MIB, 4 * MIB]) {
    const input = piece === 1 ? data.subarray(0, 1000) : data;
    const want = piece === 1 ? sha(input) : expected;
    assert.deepEqual((await hook(cl, "sha256Pieces", input, piece, true)).slice(0, 2), [want, want], `native, pieces of ${piece}`);
    assert.deepEqual((await hook(cl, "sha256Pieces", input, piece, false)).slice(0, 2), [want, want], `Rust, pieces of ${piece}`);
  }
  const empty = await hook(cl, "sha256Pieces", new Uint8Array(0), 64, true);
  assert.deepEqual(empty, [NIST[0][1], NIST[0][1], "native"]);
});

test("SHA-256 falls back to Rust by itself where crypto.subtle is missing", async () => {
  const cl = client();
  const real = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  const { getRandomValues } = globalThis.crypto;
  Object.defineProperty(globalThis, "crypto", { value: { getRandomValues: getRandomValues.bind(globalThis.crypto) }, configurable: true, writable: true });
  try {
    assert.equal(globalThis.crypto.subtle, undefined);
    for (const [input, expected] of NIST) assert.equal(await hook(cl, "sha256", input), expected);
  } finally {
    Object.defineProperty(globalThis, "crypto", real);
  }
  assert.ok(globalThis.crypto.subtle);
});
