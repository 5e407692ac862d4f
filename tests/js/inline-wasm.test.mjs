// The inlined-wasm text format (tools/inline-wasm.mjs writes it,
// js/inline-wasm.js reads it): every byte survives the round trip, and a
// damaged text is refused with the package's own message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { encode } from "../../tools/inline-wasm.mjs";
import { wasmBytes } from "../../js/inline-wasm.js";

const roundTrip = (bytes) => assert.deepEqual(wasmBytes(encode(bytes)), bytes);

test("the built wasm decodes to the same bytes", () => {
  roundTrip(new Uint8Array(readFileSync(new URL("../../pkg/run402_sdk_wasm_bg.wasm", import.meta.url))));
});

test("every byte value, at any frequency, decodes to itself", () => {
  const bytes = new Uint8Array(256 * 40);
  // Byte b appears (b % 37) + 1 times in the first part, then once each in a
  // scrambled order, so ranks, ties and two-character codes all occur.
  let at = 0;
  for (let b = 0; b < 256 && at < bytes.length; b++) for (let k = 0; k <= b % 37; k++) bytes[at++] = b;
  for (let i = 0; at < bytes.length; i++) bytes[at++] = (i * 97 + 13) & 255;
  roundTrip(bytes);
  roundTrip(new Uint8Array([0, 0, 255]));
  roundTrip(new Uint8Array(0));
});

test("a rewritten text is refused, not compiled", () => {
  const module = encode(new Uint8Array([1, 2, 3, 200, 201]));
  assert.throws(() => wasmBytes({ ...module, text: module.text.slice(1) }), /the inlined wasm is damaged/);
  assert.throws(() => wasmBytes({ ...module, text: module.text.replace(/./, "\u00e9") }), /the inlined wasm is damaged/);
});
