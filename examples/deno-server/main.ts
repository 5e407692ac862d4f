// A todo API in Deno, backed by a Run402 project:
//
//   GET  /todos             every todo, oldest first
//   POST /todos {"task"}    adds one (201)
//   POST /todos/:id/done    marks one done
//
// The project's keys come from the environment (never from the request), so
// run it with --allow-env for exactly those names and --allow-net for the
// gateway and the port it listens on; the SDK needs no read permission.
import { Run402, isRun402Error } from "@run402/sdk-wasm";

type Todo = { id: number; task: string; done: boolean };

function requireEnv(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`set ${name} (see README.md)`);
  return value;
}

const projectId = requireEnv("RUN402_PROJECT_ID");
const keys = { anon_key: requireEnv("RUN402_ANON_KEY"), service_key: requireEnv("RUN402_SERVICE_KEY") };

const r = new Run402({
  apiBase: Deno.env.get("RUN402_API_BASE") ?? "https://api.run402.com",
  credentials: {
    getAuth: () => null, // project keys only: this server never pays
    getProject: (id) => (id === projectId ? keys : null),
  },
});
const p = await r.project(projectId);

async function route(req: Request): Promise<Response> {
  const { pathname } = new URL(req.url);
  if (req.method === "GET" && pathname === "/todos") {
    return Response.json(await p.projects.rest<Todo[]>("todos", { query: "select=id,task,done&order=id", keyType: "service" }));
  }
  if (req.method === "POST" && pathname === "/todos") {
    const { task } = await req.json().catch(() => ({}));
    if (typeof task !== "string" || !task.trim()) return Response.json({ error: 'send {"task": "..."}' }, { status: 400 });
    const { rows } = await p.projects.sql<Todo>("INSERT INTO todos (task) VALUES ($1) RETURNING id, task, done", [task.trim()]);
    return Response.json(rows?.[0], { status: 201 });
  }
  const done = pathname.match(/^\/todos\/(\d+)\/done$/);
  if (req.method === "POST" && done) {
    const { rows } = await p.projects.sql<Todo>("UPDATE todos SET done = true WHERE id = $1 RETURNING id, task, done", [Number(done[1])]);
    return rows?.length ? Response.json(rows[0]) : Response.json({ error: "no such todo" }, { status: 404 });
  }
  return Response.json({ error: "not found" }, { status: 404 });
}

Deno.serve({
  hostname: Deno.env.get("HOST") ?? "0.0.0.0",
  port: Number(Deno.env.get("PORT") ?? 8000),
  onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}/todos`),
}, async (req) => {
  try {
    return await route(req);
  } catch (e) {
    // A Run402Error's message names the call and the gateway's reason, never a key.
    if (!isRun402Error(e)) throw e;
    console.error(`run402 ${e.kind}: ${e.message}`);
    return Response.json({ error: e.kind }, { status: 502 });
  }
});
