// A todo API on Cloudflare Workers, backed by a Run402 project.
//
//   GET  /todos            the open todos, oldest first
//   POST /todos {"task"}   adds one; answers 201 with the new row
//
// The project's keys are Worker secrets (see wrangler.toml); the service key
// stays on the server and never reaches the browser. Wrangler picks the
// package's `workerd` entry, which imports the .wasm as a module: Workers
// refuse to compile wasm from bytes at run time, so no other setup is needed.
import { Run402, isRun402Error } from "@run402/sdk-wasm";

// One client per isolate: construction is synchronous and cheap, but there is
// no reason to repeat it on every request. `env` is the same for the isolate's
// whole life, so it is safe to read it once.
let client;
function run402(env) {
  client ??= new Run402({
    apiBase: env.RUN402_API_BASE,
    credentials: {
      getAuth: () => null, // no wallet here: only project-key calls
      getProject: (id) =>
        id === env.RUN402_PROJECT_ID ? { anon_key: env.RUN402_ANON_KEY, service_key: env.RUN402_SERVICE_KEY } : null,
    },
  });
  // A client bound to the project (made per request, so a failure is not cached): calls drop the id.
  return client.project(env.RUN402_PROJECT_ID);
}

async function listOpen(p) {
  const todos = await p.projects.rest("todos", { query: "select=id,task,done&done=eq.false&order=id", keyType: "service" });
  return Response.json(todos);
}

async function add(p, request) {
  const { task } = await request.json().catch(() => ({}));
  if (typeof task !== "string" || !task.trim()) return Response.json({ error: "send {\"task\": \"...\"}" }, { status: 400 });
  // Parameters are bound by Postgres, never spliced into the SQL text.
  const { rows } = await p.projects.sql("INSERT INTO todos (task) VALUES ($1) RETURNING id, task, done", [task.trim()]);
  return Response.json(rows[0], { status: 201 });
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    try {
      const p = await run402(env);
      if (pathname === "/todos" && request.method === "GET") return await listOpen(p);
      if (pathname === "/todos" && request.method === "POST") return await add(p, request);
      return Response.json({ error: "not found" }, { status: 404 });
    } catch (e) {
      // Run402 errors carry a stable `kind` and the gateway's status; their
      // messages never contain the keys, so they are safe to log.
      if (!isRun402Error(e)) throw e;
      console.error(`run402 ${e.kind}: ${e.message}`);
      return Response.json({ error: e.kind }, { status: 502 });
    }
  },
};
