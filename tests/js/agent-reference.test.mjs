// The agent-readable reference (llms-sdk.txt) ships in the package, is the
// committed snapshot (rendered from the Rust method table), and names every
// public method and alias of the running package with its wire.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import "../../pkg/entry-node.js";
import { surface } from "../../pkg/run402_sdk_wasm.js";

const root = new URL("../../", import.meta.url);
const shipped = readFileSync(new URL("pkg/llms-sdk.txt", root), "utf8");

test("pkg/llms-sdk.txt is the committed snapshot and is listed in the package", () => {
  assert.equal(shipped, readFileSync(new URL("tests/snapshots/llms-sdk.txt", root), "utf8"));
  const manifest = JSON.parse(readFileSync(new URL("pkg/package.json", root), "utf8"));
  assert.ok(manifest.files.includes("llms-sdk.txt"));
  assert.equal(manifest.exports["./llms-sdk.txt"], "./llms-sdk.txt");
});

test("every public method and alias of the package has an entry with its wire", () => {
  const { namespaces } = JSON.parse(surface());
  const sections = new Map();
  for (const block of shipped.split("\n### ").slice(1)) {
    const head = block.slice(0, block.indexOf("\n"));
    // The whole dotted path: a nested namespace's members are r.email.webhooks.register.
    sections.set(head.match(/^r\.([\w.]+)[(<]/)[1], block);
  }
  let count = 0;
  for (const ns of namespaces.filter((n) => !n.internal)) {
    for (const m of ns.methods) {
      const block = sections.get(`${ns.name}.${m.name}`);
      assert.ok(block, `no entry for r.${ns.name}.${m.name}`);
      assert.match(block, /\n- wire: (GET|POST|PUT|PATCH|DELETE|local)/, `r.${ns.name}.${m.name} has no wire line`);
      assert.match(block, new RegExp(`while ${m.context.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
      for (const alias of m.aliases) assert.ok(block.includes(`r.${ns.name}.${alias}`), `alias ${alias} missing`);
      count += 1 + m.aliases.length;
    }
  }
  assert.equal(sections.size, namespaces.filter((n) => !n.internal).reduce((a, n) => a + n.methods.length, 0), "no entry for a method the package lacks");
  assert.ok(count >= 30);
});
