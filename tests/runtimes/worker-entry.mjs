// The Worker the workerd harness bundles with esbuild (conditions
// workerd,worker,browser). Named imports, as a user would write them, so the
// bundler's tree shaking (package.json "sideEffects") is exercised too.
// GET /smoke?api=<simulator url> runs the unpaid smoke and answers JSON;
// POST /paid {api, wallet: {address, privateKey}} runs the paid smoke (the
// harness switches simulator payments on around it); anything else answers
// "ready".
import { Run402, Run402Error, allowanceCredentials, isApiError } from "@run402/sdk-wasm";
import { paidSmoke, smoke } from "./smoke.mjs";

const sdk = { Run402, Run402Error, isApiError, allowanceCredentials };

async function answer(work) {
  try {
    return Response.json({ ok: true, result: await work() });
  } catch (err) {
    return Response.json({ ok: false, error: String(err?.stack ?? err) }, { status: 500 });
  }
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/smoke") return answer(() => smoke(sdk, url.searchParams.get("api")));
    if (url.pathname === "/paid" && request.method === "POST") {
      return answer(async () => {
        const { api, wallet } = await request.json();
        return paidSmoke(sdk, api, wallet);
      });
    }
    return new Response("ready");
  },
};
