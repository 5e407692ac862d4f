// A Cloudflare Worker (module syntax): GET /?api=<gateway url> answers the
// check as JSON.
import { check } from "./check.js";

export default {
  async fetch(request) {
    try {
      return Response.json({ ok: true, result: await check(new URL(request.url).searchParams.get("api")) });
    } catch (err) {
      return Response.json({ ok: false, error: String(err?.stack ?? err) }, { status: 500 });
    }
  },
};
