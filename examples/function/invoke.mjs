// Runs a function module locally the way Run402 invokes a deployed one, so
// you can try it before deploying:
//
//   node invoke.mjs add-todo.js --body '{"task":"water the plants"}'
//   node invoke.mjs add-todo.js --method GET
//
// What is emulated, and nothing more: the module is imported once (a cold
// start), its default export is called with a Fetch Request for
// /functions/v1/<name> (POST with the body by default, as `run402 functions
// invoke` sends it), and the Response it returns is printed: the status line,
// then the body. The environment is this process's, so pass the secrets the
// function reads as environment variables. The platform's routing, API-key
// check, timeouts and logs are not emulated.
import { basename, extname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { method: { type: "string", default: "POST" }, body: { type: "string" } },
});
if (positionals.length !== 1) {
  console.error("usage: node invoke.mjs <function.js> [--method GET|POST|...] [--body '<json>']");
  process.exit(2);
}

const file = resolve(positionals[0]);
const name = basename(file, extname(file));
const { default: handler } = await import(pathToFileURL(file).href);
if (typeof handler !== "function") throw new Error(`${file} has no default export function`);

const method = values.method.toUpperCase();
const hasBody = values.body !== undefined && method !== "GET" && method !== "HEAD";
const request = new Request(`https://api.run402.com/functions/v1/${name}`, {
  method,
  headers: hasBody ? { "content-type": "application/json" } : {},
  body: hasBody ? values.body : undefined,
});

const response = await handler(request);
if (!(response instanceof Response)) throw new Error(`${name} returned ${Object.prototype.toString.call(response)}, not a Response`);
console.log(`HTTP ${response.status}`);
console.log(await response.text());
