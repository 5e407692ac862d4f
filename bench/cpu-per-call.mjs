// CPU microseconds per call with a stub fetch: process CPU time, less
// sensitive to other load on the machine than the ops/s of child-throughput.mjs.
// Usage: node bench/cpu-per-call.mjs <module specifier or path> <health|rest> <calls>
// (TMO=<ms> sets the client timeoutMs). Prints five rounds; compare minimums.
const [spec, call, n] = process.argv.slice(2);
const m = await import(spec);
const body = JSON.stringify({ status: "ok" });
const rows = JSON.stringify([{ id: 1 }]);
const headers = { "content-type": "application/json" };
const fetch = async () => new Response(call === "health" ? body : rows, { headers });
const keys = new Map([["prj_bench", { anon_key: "a", service_key: "s" }]]);
const r = new m.Run402({ apiBase: "https://api.run402.test", credentials: { getAuth: () => null, getProject: (id) => keys.get(id) ?? null }, fetch, ...(process.env.TMO ? { timeoutMs: Number(process.env.TMO) } : {}) });
const op = call === "health" ? () => r.service.health() : () => r.projects.rest("prj_bench", "items", "select=*");
const N = Number(n);
for (let i = 0; i < N / 2; i++) await op();
const out = [];
for (let k = 0; k < 5; k++) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await op();
  const c = process.cpuUsage(c0);
  out.push(((c.user + c.system) / N).toFixed(2));
}
console.log(spec.includes("sdk-wasm") || spec.includes("pkg") ? "ours" : "ref ", call, process.env.TMO ?? "-", "cpu us/op:", out.join(" "));
