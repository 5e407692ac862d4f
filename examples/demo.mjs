// The quick start, end to end, against a local gateway simulator this script
// starts itself (with x402 payments on, as the real gateway): make a wallet,
// fund it from the testnet faucet, pay to provision a project, create a
// table, insert and query rows.
import { start } from "../tests/gateway/server.mjs";
import { Run402, allowanceCredentials, isRun402Error } from "../pkg/entry-node.js";

const sim = await start({ port: 0, payments: true });
console.log(`simulator: ${sim.url}`);

// Where a real app would keep its wallet and project keys.
let wallet = null;
const projects = {};
const credentials = allowanceCredentials({
  readAllowance: () => wallet,
  saveAllowance: (w) => { wallet = w; },
  projects,
});

try {
  const r = new Run402({ apiBase: sim.url, credentials });
  console.log("health:", (await r.service.health()).status);

  const { address } = await r.allowance.create();            // a key made in wasm
  const faucet = await r.allowance.faucet();                  // testnet USDC
  console.log(`wallet ${address} funded with $${faucet.amount}`);

  const project = await r.projects.provision({ tier: "prototype" }); // 402 → signed x402 payment → 201
  const spent = await r.payments.spent();
  console.log(`provisioned ${project.project_id}, paid $${spent.total}`);

  const p = await r.project(project.project_id);
  await p.projects.sql("CREATE TABLE todos (id serial PRIMARY KEY, task text NOT NULL, done boolean DEFAULT false)");
  await p.projects.sql("INSERT INTO todos (task) VALUES ($1), ($2)", ["write the SDK", "ship it"]);
  await p.projects.rest("todos", { method: "PATCH", query: "id=eq.1", body: { done: true }, keyType: "service" });

  const rows = await p.projects.rest("todos", { query: "select=id,task,done&order=id", keyType: "service" });
  console.table(rows);
  const open = await p.projects.sql("SELECT count(*)::int AS open FROM todos WHERE NOT done");
  console.log("open todos:", open.rows[0].open);
  console.log("tier status (signed in with the wallet):", (await r.tier.status()).wallet);
} catch (e) {
  console.error(isRun402Error(e) ? `${e.name} (${e.kind}): ${e.message}` : e);
  process.exitCode = 1;
} finally {
  await sim.close();
}
