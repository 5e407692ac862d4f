// A Run402 function: a JS module whose default export takes a Fetch Request
// and returns a Response. Deployed with the project, e.g. in a bundle deploy's
// `functions: [{ name: "add-todo", code }]`, and invoked at
// /functions/v1/add-todo.
//
//   POST {"task": "..."}   adds a todo; 201 with the row and the open count
//   GET                    the open and done counts
//
// Run402 injects a project's secrets as environment variables. This function
// expects three, set at deploy time (`secrets: [{ key, value }]`, keys in
// upper case): RUN402_PROJECT_ID, RUN402_ANON_KEY, RUN402_SERVICE_KEY.
// RUN402_API_BASE is optional and only needed to point it at another gateway.
import { Run402, isRun402Error } from "@run402/sdk-wasm";

const { RUN402_API_BASE = "https://api.run402.com", RUN402_PROJECT_ID, RUN402_ANON_KEY, RUN402_SERVICE_KEY } = process.env;
// Fail the cold start, loudly, rather than every request.
for (const [name, value] of Object.entries({ RUN402_PROJECT_ID, RUN402_ANON_KEY, RUN402_SERVICE_KEY })) {
  if (!value) throw new Error(`add-todo: set the secret ${name}`);
}

// Module scope runs once per cold start; warm invocations reuse the client.
const r = new Run402({
  apiBase: RUN402_API_BASE,
  credentials: {
    getAuth: () => null, // project keys only: nothing here pays or signs in
    getProject: (id) => (id === RUN402_PROJECT_ID ? { anon_key: RUN402_ANON_KEY, service_key: RUN402_SERVICE_KEY } : null),
  },
});
const project = r.project(RUN402_PROJECT_ID);

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

async function counts(p) {
  const { rows } = await p.projects.sql("SELECT count(*) FILTER (WHERE NOT done)::int AS open, count(*) FILTER (WHERE done)::int AS done FROM todos");
  return rows[0];
}

export default async (req) => {
  try {
    const p = await project;
    if (req.method === "GET") return json(await counts(p));
    if (req.method !== "POST") return json({ error: "use GET or POST" }, 405);

    const { task } = await req.json().catch(() => ({}));
    if (typeof task !== "string" || !task.trim()) return json({ error: 'send {"task": "..."}' }, 400);
    const { rows } = await p.projects.sql("INSERT INTO todos (task) VALUES ($1) RETURNING id, task, done", [task.trim()]);
    return json({ todo: rows[0], open: (await counts(p)).open }, 201);
  } catch (e) {
    if (!isRun402Error(e)) throw e;
    // Safe to log: the SDK keeps keys out of its messages. The function's
    // logs are readable with `run402 functions logs`.
    console.error(`run402 ${e.kind}: ${e.message}`);
    return json({ error: e.kind }, 502);
  }
};
