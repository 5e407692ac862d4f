// require() of the package from CommonJS (Node 20.19+ loads an ES module
// graph without top-level await synchronously).
const { Run402, signTransferAuthorization } = require("@run402/sdk-wasm");

const r = new Run402({ apiBase: process.argv[2], credentials: { getAuth: () => null, getProject: () => null } });
Promise.all([r.service.health(), import("./inputs.js")]).then(
  ([health, { TEST_KEY, DOMAIN, MESSAGE }]) => {
    const signature = signTransferAuthorization(TEST_KEY, DOMAIN, MESSAGE);
    console.log(`RESULT ${JSON.stringify({ health: health.status, signature })}`);
  },
  (err) => {
    console.error(err?.stack ?? err);
    process.exitCode = 1;
  },
);
