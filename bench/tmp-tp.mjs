// Per-call throughput with a stub fetch (no network), in a fresh process per
// (implementation, call, mode) so the two SDKs never share a heap or JIT state.
// argv: <module specifier> <health|rest> <seq|batch> <warmupMs> <roundMs> <rounds>
const [spec, call, mode, warmupMs, roundMs, rounds] = process.argv.slice(2);
const m = await import(spec);

const ROWS = Array.from({ length: 10 }, (_, i) => ({
  id: i + 1,
  name: `item ${i + 1}`,
  done: i % 2 === 0,
  created_at: "2026-01-01T00:00:00.000Z",
}));
const HEALTH = { status: "ok", checks: { database: "ok" }, version: "bench" };
const expected = call === "health" ? HEALTH : ROWS;
const body = JSON.stringify(expected);
const headers = { "content-type": "application/json" };
// Bodies are single-use, so every call gets a fresh Response over a prebuilt string.
const fetch = async () => new Response(body, { headers });
const keys = new Map([["prj_bench", { anon_key: "anon_bench", service_key: "service_bench" }]]);
const r = new m.Run402({
  apiBase: "https://api.run402.test",
  credentials: { getAuth: () => null, getProject: (id) => keys.get(id) ?? null },
  fetch,
  ...(process.env.TMO ? { timeoutMs: Number(process.env.TMO) } : {}),
});
const op = call === "health"
  ? () => r.service.health()
  : () => r.projects.rest("prj_bench", "items", "select=*&limit=10");

const first = await op();
if (JSON.stringify(first) !== body) throw new Error(`unexpected result: ${JSON.stringify(first)}`);

const BATCH = 100;
async function round(ms) {
  let ops = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  let t = t0;
  if (mode === "seq") {
    while (t < end) {
      for (let i = 0; i < 20; i++) await op();
      ops += 20;
      t = performance.now();
    }
  } else {
    const ps = new Array(BATCH);
    while (t < end) {
      for (let i = 0; i < BATCH; i++) ps[i] = op();
      await Promise.all(ps);
      ops += BATCH;
      t = performance.now();
    }
  }
  return (ops * 1000) / (t - t0);
}

await round(Number(warmupMs));
const out = [];
for (let i = 0; i < Number(rounds); i++) out.push(await round(Number(roundMs)));
process.stdout.write(JSON.stringify({ opsPerSec: out }));
