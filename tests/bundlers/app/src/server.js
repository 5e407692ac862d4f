// Server runtimes and server bundles: `<runtime> <file> <gateway url>` prints
// one RESULT line. No top-level await, so a bundler may emit CommonJS.
import { check } from "./check.js";

check(process.argv[2]).then(
  (result) => console.log(`RESULT ${JSON.stringify(result)}`),
  (err) => {
    console.error(err?.stack ?? err);
    process.exitCode = 1;
  },
);
