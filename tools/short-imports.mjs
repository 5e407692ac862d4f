// Gives the wasm's imports from wasm-bindgen's glue short names, in the
// .wasm and in the glue alike:
//   node tools/short-imports.mjs <pkg/run402_sdk_wasm_bg.wasm> <pkg/run402_sdk_wasm.js>
//
// Why: wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` under
// the module "./run402_sdk_wasm_bg.js". The hashes are random to gzip and
// sit in both files (the wasm's import section and the glue's import
// object), about 60 of them. Renamed to "a", "b", ... under module "b" they
// cost next to nothing. Imports from other modules (./host.js) keep their
// names: js/host.js exports them by name.
//
// The glue must name each import exactly once, as a key of its import object
// (`<name>:`), and the module once as a quoted key; anything else stops the
// build, so a new wasm-bindgen that lays the glue out differently fails here
// instead of at instantiation.
import { readFileSync, writeFileSync } from "node:fs";

const IMPORT_SECTION = 2;

function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value |= (b & 0x7f) << shift;
    if (!(b & 0x80)) return [value >>> 0, at];
    shift += 7;
  }
}

function u32(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const text = new TextDecoder();
const name = (s) => [...u32(Buffer.byteLength(s)), ...Buffer.from(s)];

/** Skips an import's description (after its kind byte); returns the offset after it. */
function skipDesc(bytes, kind, at) {
  const limits = (p) => {
    const flags = bytes[p++];
    [, p] = readU32(bytes, p);
    if (flags & 1) [, p] = readU32(bytes, p);
    return p;
  };
  switch (kind) {
    case 0: return readU32(bytes, at)[1];          // function: type index
    case 1: return limits(at + 1);                 // table: ref type, limits
    case 2: return limits(at);                     // memory: limits
    case 3: return at + 2;                         // global: value type, mutability
    case 4: return readU32(bytes, at + 1)[1];      // tag: attribute, type index
    default: throw new Error(`short-imports: unknown import kind ${kind}`);
  }
}

/** Short names: a..z, A..Z, then two letters. */
function shortName(i) {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  return i < letters.length ? letters[i] : letters[Math.floor(i / letters.length) - 1] + letters[i % letters.length];
}

export function shorten(wasm, glue, module = "b") {
  let at = 8;
  const out = [wasm.subarray(0, 8)];
  const renamed = new Map();
  let glueModule = null;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, start] = readU32(wasm, at + 1);
    const end = start + size;
    if (id !== IMPORT_SECTION) {
      out.push(wasm.subarray(at, end));
      at = end;
      continue;
    }
    let [count, p] = readU32(wasm, start);
    const body = [...u32(count)];
    for (; count > 0; count--) {
      let len;
      [len, p] = readU32(wasm, p);
      const mod = text.decode(wasm.subarray(p, p + len));
      p += len;
      [len, p] = readU32(wasm, p);
      const field = text.decode(wasm.subarray(p, p + len));
      p += len;
      const kind = wasm[p];
      const descEnd = skipDesc(wasm, kind, p + 1);
      if (mod.endsWith("_bg.js")) {
        if (glueModule && glueModule !== mod) throw new Error(`short-imports: two glue modules, ${glueModule} and ${mod}`);
        glueModule = mod;
        if (!renamed.has(field)) renamed.set(field, shortName(renamed.size));
        body.push(...name(module), ...name(renamed.get(field)));
      } else {
        body.push(...name(mod), ...name(field));
      }
      body.push(...wasm.subarray(p, descEnd));
      p = descEnd;
    }
    if (p !== end) throw new Error("short-imports: the import section has trailing bytes");
    out.push(Uint8Array.from([IMPORT_SECTION, ...u32(body.length), ...body]));
    at = end;
  }
  if (!glueModule) throw new Error("short-imports: no imports from a *_bg.js module");
  const once = (pattern, what) => {
    const hits = glue.match(pattern)?.length ?? 0;
    if (hits !== 1) throw new Error(`short-imports: the glue names ${what} ${hits} times, expected once as a key`);
  };
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  once(new RegExp(`"${escape(glueModule)}"\\s*:`, "g"), glueModule);
  let js = glue.replace(new RegExp(`"${escape(glueModule)}"(\\s*:)`), `"${module}"$1`);
  for (const [old, short] of renamed) {
    const key = new RegExp(`(?<![\\w$])${escape(old)}(?=\\s*:)`, "g");
    once(new RegExp(`(?<![\\w$])${escape(old)}(?![\\w$])`, "g"), old);
    once(key, old);
    js = js.replace(key, short);
  }
  return { wasm: Buffer.concat(out), glue: js, count: renamed.size };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const [wasmPath, gluePath] = process.argv.slice(2);
  const { wasm, glue, count } = shorten(readFileSync(wasmPath), readFileSync(gluePath, "utf8"));
  writeFileSync(wasmPath, wasm);
  writeFileSync(gluePath, glue);
  console.log(`short-imports: ${count} glue imports renamed`);
}
