// The Worker the workerd harness bundles with esbuild (conditions
// workerd,worker,browser). Named imports, as a user would write them, so the
// bundler's tree shaking (package.json "sideEffects") is exercised too.
// GET /smoke?api=<simulator url> runs the smoke and answers JSON; anything
// else answers "ready".
import { Run402, Run402Error, isApiError } from "@run402/sdk-wasm";
import { smoke } from "./smoke.mjs";

const sdk = { Run402, Run402Error, isApiError };

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== "/smoke") return new Response("ready");
    try {
      return Response.json({ ok: true, result: await smoke(sdk, url.searchParams.get("api")) });
    } catch (err) {
      return Response.json({ ok: false, error: String(err?.stack ?? err) }, { status: 500 });
    }
  },
};
