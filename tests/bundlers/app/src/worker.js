// A dedicated Web Worker: the page posts the gateway URL, the worker answers
// {ok, result} or {ok: false, error}.
import { check } from "./check.js";

self.onmessage = (event) => {
  check(event.data).then(
    (result) => self.postMessage({ ok: true, result }),
    (err) => self.postMessage({ ok: false, error: String(err?.stack ?? err) }),
  );
};
