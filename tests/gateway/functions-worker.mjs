// One function invocation, inside a worker thread (functions-runtime.mjs
// starts it with the project's secrets as process.env and the function's
// memory as the heap limit). Imports the deployed module, hands its default
// export a Fetch Request, and posts back the Response; console output goes
// to the parent as log lines.

import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { format } from "node:util";

const { file, request } = workerData;
const post = (message, transfer) => parentPort.postMessage(message, transfer);

for (const level of ["log", "info", "warn", "error", "debug", "trace"]) {
  console[level] = (...args) => post({ type: "log", level: level === "log" ? "info" : level, message: format(...args) });
}

try {
  const mod = await import(pathToFileURL(file).href);
  if (typeof mod.default !== "function") throw new TypeError("the module's default export is not a function (export default async (req) => Response)");
  const body = request.body === null ? undefined : request.body;
  const res = await mod.default(new Request(request.url, { method: request.method, headers: request.headers, body }));
  if (!(res instanceof Response)) throw new TypeError(`the handler resolved to ${res === null ? "null" : typeof res}, not a Response`);
  const bytes = await res.arrayBuffer();
  post({ type: "response", status: res.status, headers: [...res.headers], body: bytes }, [bytes]);
} catch (err) {
  post({ type: "error", message: err instanceof Error ? (err.stack ?? String(err)) : format("Uncaught %o", err) });
}
