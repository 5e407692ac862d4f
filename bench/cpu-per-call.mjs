// CPU microseconds per call with a stub fetch: process CPU time, less
// sensitive to other load on the machine than the ops/s of child-throughput.mjs.
// Usage: node bench/cpu-per-call.mjs <module specifier or path> <health|rest> <calls> [real|fake]
//   real (default): the stub answers a fresh `Response` per call, as child-throughput.mjs does;
//   fake: a plain object with `status`, `headers.get`, `text()` and `json()`, so what is
//         measured is the SDK's own work per call (no body stream to build and read).
// TMO=<ms> sets the client timeoutMs. Prints five rounds (compare minimums);
// with JSON=1 prints {"us": [...]} for bench/run.mjs.
const [spec, call, n, stub = "real"] = process.argv.slice(2);
const m = await import(spec);
const body = call === "health" ? JSON.stringify({ status: "ok" }) : JSON.stringify([{ id: 1 }]);
const headers = { "content-type": "application/json" };
const fakeHeaders = { get: (k) => (k.toLowerCase() === "content-type" ? "application/json" : null), has: (k) => k.toLowerCase() === "content-type" };
const fakeResponse = () => ({ ok: true, status: 200, statusText: "OK", headers: fakeHeaders, text: async () => body, json: async () => JSON.parse(body) });
const fetch = stub === "fake" ? async () => fakeResponse() : async () => new Response(body, { headers });
const keys = new Map([["prj_bench", { anon_key: "a", service_key: "s" }]]);
const r = new m.Run402({ apiBase: "https://api.run402.test", credentials: { getAuth: () => null, getProject: (id) => keys.get(id) ?? null }, fetch, ...(process.env.TMO ? { timeoutMs: Number(process.env.TMO) } : {}) });
const op = call === "health" ? () => r.service.health() : () => r.projects.rest("prj_bench", "items", "select=*");
const first = await op();
if (JSON.stringify(first) !== body) throw new Error(`unexpected result: ${JSON.stringify(first)}`);
const N = Number(n);
for (let i = 0; i < N / 2; i++) await op();
const out = [];
for (let k = 0; k < 5; k++) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await op();
  const c = process.cpuUsage(c0);
  out.push((c.user + c.system) / N);
}
if (process.env.JSON) console.log(JSON.stringify({ us: out }));
else console.log(spec.includes("sdk-wasm") || spec.includes("pkg") ? "ours" : "ref ", call, stub, process.env.TMO ?? "-", "cpu us/op:", out.map((x) => x.toFixed(2)).join(" "));
