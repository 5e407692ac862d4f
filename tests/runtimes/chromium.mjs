// Headless Chromium: a local static server serves the staged package under
// /pkg/ and a page whose import map points the bare specifier at
// /pkg/entry-web.js, the file the "browser" condition selects (it carries the
// wasm inlined, so the page fetches no .wasm). The page's origin differs from the
// simulator's, so every SDK call is a real cross-origin fetch with CORS
// (the paid phase adds SIGN-IN-WITH-X and PAYMENT-SIGNATURE request headers
// and reads the exposed PAYMENT-RESPONSE). One page runs both phases; lib.mjs
// paidPhase switches simulator payments on only around the second.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { paidPhase, withTimeout } from "./lib.mjs";

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".ts": "text/plain; charset=utf-8",
};

// Dynamic import() inside the module script (import maps apply to it too)
// lets a failed load surface as a rejected promise instead of a silent hang.
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>run402 sdk-wasm smoke</title>
<script type="importmap">{"imports": {"@run402/sdk-wasm": "/pkg/entry-web.js"}}</script>
<script type="module">
  window.smokeReady = Promise.all([import("@run402/sdk-wasm"), import("/smoke.mjs")])
    .then(([sdk, { smoke, paidSmoke }]) => ({
      smoke: (apiBase) => smoke(sdk, apiBase),
      paid: (apiBase, wallet) => paidSmoke(sdk, apiBase, wallet),
    }));
</script>
`;

function staticServer(stage) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file;
    if (path === "/favicon.ico") return res.writeHead(204).end();
    if (path === "/") file = null;
    else if (path === "/smoke.mjs") file = join(stage.dir, "smoke.mjs");
    else if (path.startsWith("/pkg/")) file = join(stage.pkgDir, normalize(path.slice(4))); // "/.." cannot climb above "/"
    else return res.writeHead(404).end();
    try {
      const body = file ? await readFile(file) : PAGE;
      res.writeHead(200, { "content-type": file ? MIME[extname(file)] ?? "application/octet-stream" : MIME[".html"] }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

export async function runChromium(stage, apiBase) {
  const server = await staticServer(stage);
  const log = [];
  let browser;
  let result;
  let paid;
  try {
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
      // Starting Chromium is the machine's cost, not the SDK's: on a busy
      // 2-core machine it has taken over 20 s. The SDK's own calls keep
      // their 20 s limit below.
      timeout: 60_000,
    });
    const page = await browser.newPage();
    page.on("console", (m) => log.push(`[console.${m.type()}] ${m.text()} (${m.location().url})`));
    page.on("pageerror", (e) => log.push(`[pageerror] ${e.stack ?? e.message}`));
    page.on("requestfailed", (r) => log.push(`[requestfailed] ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
    page.setDefaultTimeout(20_000);
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    // page.evaluate has no timeout of its own; a hung SDK call must still fail.
    result = await withTimeout(page.evaluate(async (api) => (await window.smokeReady).smoke(api), apiBase), 15_000, "the page smoke");
    paid = await paidPhase(apiBase, "chromium", (wallet) =>
      withTimeout(page.evaluate(async ([api, w]) => (await window.smokeReady).paid(api, w), [apiBase, wallet]), 15_000, "the page's paid smoke"));
  } catch (err) {
    throw new Error(`${err.message}\n--- page console ---\n${log.join("\n") || "(empty)"}`);
  } finally {
    await browser?.close().catch(() => {});
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  // The wasm-bindgen glue only warns (and falls back) on a wrong wasm MIME
  // type, so any console error or warning fails the test — except Chromium's
  // "Failed to load resource" line for an HTTP error status, which the smoke
  // provokes on purpose (the 404 it expects as an ApiError, and the paid
  // phase's 402 before the SDK pays).
  const noisy = log.filter(
    (l) => /^\[(console\.(error|warning)|pageerror|requestfailed)/.test(l) && !l.includes("Failed to load resource: the server responded with a status of"),
  );
  if (noisy.length) throw new Error(`the smoke passed but the page logged:\n${noisy.join("\n")}`);
  return { ...result, paid, entry: "/pkg/entry-web.js (import map)" };
}
