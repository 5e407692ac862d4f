// The catalogue of hostile values the hostile-input suite feeds to every
// parameter, provider result and fetch result. Each entry is [label, make]:
// `make()` builds a fresh value, so a value that is consumed or mutated
// (a revoked Proxy, a promise) never leaks state from one case to the next.

const boom = (what) => () => { throw new Error(`hostile: ${what}`); };

function revoked(target) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** A Proxy on which every trap throws. */
function allTrapsThrow(target) {
  const trap = boom("trap");
  return new Proxy(target, {
    get: trap, set: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap,
    defineProperty: trap, deleteProperty: trap, isExtensible: trap, preventExtensions: trap, setPrototypeOf: trap,
  });
}

// Every field name the SDK reads from an options object, a provider result
// or a response, as a throwing getter.
const FIELDS = ["tier", "query", "method", "body", "headers", "keyType", "project", "project_id", "idempotencyKey",
  "anon_key", "service_key", "privateKey", "address", "then", "toJSON", "toString", "valueOf", "message", "status",
  "text", "get", "length", "name", "version", "chainId", "verifyingContract", "from", "to", "value", "nonce",
  "maxPerRequest", "maxTotal", "networks", "assets", "url", "prefer", "rail", "apiBase", "credentials", "fetch",
  "payments", "getAuth", "getProject", "wallet", "manifest", "tables", "views", "rpcs"];

function throwingGetters() {
  const o = {};
  for (const f of FIELDS) Object.defineProperty(o, f, { get: boom(`getter ${f}`), enumerable: true });
  Object.defineProperty(o, Symbol.toPrimitive, { get: boom("toPrimitive") });
  return o;
}

function nested(depth, leaf, wrap) {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = wrap(v);
  return v;
}

let big;
/** 10 MiB of text, made once (strings are immutable, so sharing is safe). */
export const bigString = () => (big ??= "x".repeat(10 * 1024 * 1024));

/** The values; `typeof make()` ranges over every JS type. */
export const HOSTILE = [
  ["revoked Proxy", () => revoked({})],
  ["revoked array Proxy", () => revoked([])],
  ["revoked function Proxy", () => revoked(function f() {})],
  ["Proxy whose every trap throws", () => allTrapsThrow({})],
  ["array Proxy whose every trap throws", () => allTrapsThrow([])],
  ["Proxy whose get throws", () => new Proxy({ a: 1 }, { get: boom("get") })],
  ["Proxy whose ownKeys throws", () => new Proxy({ a: 1 }, { ownKeys: boom("ownKeys") })],
  ["Proxy whose getOwnPropertyDescriptor throws", () => new Proxy({ a: 1 }, { getOwnPropertyDescriptor: boom("gOPD") })],
  ["array Proxy whose length throws", () => new Proxy([1, 2], { get: (t, k) => { if (k === "length") throw new Error("hostile: length"); return t[k]; } })],
  ["array Proxy whose index getter throws", () => new Proxy([1, 2], { get: (t, k) => { if (/^\d+$/.test(String(k))) throw new Error("hostile: index"); return t[k]; } })],
  ["object with throwing getters", throwingGetters],
  ["object whose toString and valueOf throw", () => ({ toString: boom("toString"), valueOf: boom("valueOf"), toJSON: boom("toJSON") })],
  ["Symbol", () => Symbol("hostile")],
  ["BigInt", () => 10n ** 30n],
  ["10 MiB string", bigString],
  ["lone high surrogate", () => "\uD800"],
  ["lone low surrogate inside text", () => "a\uDFFFb"],
  ["CR/LF header injection", () => "a\r\nX-Injected: 1"],
  ["NUL", () => "a\0b"],
  ["empty string", () => ""],
  ["path traversal", () => "../../admin/v1?x=1#y"],
  ["circular object", () => { const o = { a: 1 }; o.self = o; return o; }],
  ["circular array", () => { const a = [1]; a.push(a); return a; }],
  ["NaN", () => NaN],
  ["Infinity", () => Infinity],
  ["-Infinity", () => -Infinity],
  ["-0", () => -0],
  ["2^53 + 2", () => 2 ** 53 + 2],
  ["Number.MAX_VALUE", () => Number.MAX_VALUE],
  ["Uint8Array", () => new Uint8Array([1, 2, 3])],
  ["ArrayBuffer", () => new ArrayBuffer(8)],
  ["Map", () => new Map([["tier", "prototype"]])],
  ["Set", () => new Set([1])],
  ["Date", () => new Date(0)],
  ["invalid Date", () => new Date(NaN)],
  ["RegExp", () => /x/g],
  ["Error", () => new Error("an error as a value")],
  ["resolved Promise", () => Promise.resolve({ tier: "prototype" })],
  ["rejected Promise (handled)", () => { const p = Promise.reject(new Error("hostile: rejected")); p.catch(() => {}); return p; }],
  ["thenable whose then throws", () => ({ then: boom("then") })],
  ["function", () => function hostile() { return 1; }],
  ["class", () => class Hostile {}],
  ["Object.create(null)", () => Object.create(null)],
  ["own __proto__ key", () => JSON.parse('{"__proto__":{"polluted":true},"tier":"prototype"}')],
  ["array nested 100,000 deep", () => nested(100000, [], (v) => [v])],
  ["object nested 100,000 deep", () => nested(100000, {}, (v) => ({ a: v }))],
  ["array-like of length 4e6", () => ({ length: 4e6 })],
  ["array-like of length 2^31", () => ({ length: 2 ** 31 })],
  ["sparse array of length 2^32 - 1", () => { const a = []; a.length = 2 ** 32 - 1; return a; }],
  ["array of 100,000 revoked Proxies", () => { const p = revoked({}); return Array.from({ length: 100000 }, () => p); }],
];
