// One cold module load: run in a fresh `node` process by bench/run.mjs.
// Times, inside this process, from just before the dynamic import of the SDK
// to just after the first `new Run402(...)` returns. Nothing else is imported
// before the clock starts.
const spec = process.argv[2];
const t0 = performance.now();
const m = await import(spec);
const r = new m.Run402({
  apiBase: "https://api.run402.test",
  credentials: { getAuth: () => null, getProject: () => null },
  fetch: () => Promise.reject(new Error("no network in the load benchmark")),
});
const t1 = performance.now();
if (typeof r.service?.health !== "function") throw new Error("client has no service.health");
process.stdout.write(JSON.stringify({ ms: t1 - t0 }));
