// The Worker the workerd harness bundles with esbuild (conditions
// workerd,worker,browser). GET /smoke?api=<simulator url> runs the smoke and
// answers JSON; anything else answers "ready" so the harness can poll.
import * as sdk from "@run402/sdk-wasm";
import { smoke } from "./smoke.mjs";

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
