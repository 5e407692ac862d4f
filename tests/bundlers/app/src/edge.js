// A Vercel Edge function body, run by the harness inside edge-runtime: it
// exposes the check on globalThis for the harness to call.
import { check } from "./check.js";

globalThis.run402Check = check;
