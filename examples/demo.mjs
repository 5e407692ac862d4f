// The quick start, end to end, against a local gateway simulator this script
// starts itself: provision a project, create a table, insert and query rows.
import { start } from "../tests/gateway/server.mjs";
import { Run402, isRun402Error } from "../pkg/entry-node.js";

const sim = await start({ port: 0 });
console.log(`simulator: ${sim.url}`);

// An in-memory credentials provider: where a real app keeps project keys.
const projects = new Map();
const credentials = {
  async getAuth() { return null; },
  async getProject(id) { return projects.get(id) ?? null; },
  async saveProject(id, keys) { projects.set(id, keys); },
};

try {
  const r = new Run402({ apiBase: sim.url, credentials });
  console.log("health:", (await r.service.health()).status);

  const project = await r.projects.provision({ tier: "prototype" });
  console.log("provisioned:", project.project_id);

  const p = await r.project(project.project_id);
  await p.projects.sql("CREATE TABLE todos (id serial PRIMARY KEY, task text NOT NULL, done boolean DEFAULT false)");
  await p.projects.sql("INSERT INTO todos (task) VALUES ($1), ($2)", ["write the SDK", "ship it"]);
  await p.projects.rest("todos", { method: "PATCH", query: "id=eq.1", body: { done: true }, keyType: "service" });

  const rows = await p.projects.rest("todos", { query: "select=id,task,done&order=id", keyType: "service" });
  console.table(rows);
  const open = await p.projects.sql("SELECT count(*)::int AS open FROM todos WHERE NOT done");
  console.log("open todos:", open.rows[0].open);
} catch (e) {
  console.error(isRun402Error(e) ? `${e.name} (${e.kind}): ${e.message}` : e);
  process.exitCode = 1;
} finally {
  await sim.close();
}
