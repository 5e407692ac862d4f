import { start } from "./tests/gateway/server.mjs";
const sim = await start();
await sim.close();
setTimeout(() => { console.log(process._getActiveHandles().map(h => h.constructor.name + " " + (h._idleTimeout ?? "")), process._getActiveRequests().length); }, 100).unref();
