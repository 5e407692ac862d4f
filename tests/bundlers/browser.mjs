// Headless Chromium for the browser bundles: one browser for the whole run, a
// fresh page per case. Static outputs are served with a strict Content
// Security Policy whose only allowance for wasm is 'wasm-unsafe-eval' (what
// the README tells users to add); the dev and preview servers of Vite serve
// themselves. The page's origin differs from the gateway's, so every SDK
// call is a real cross-origin fetch.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { withTimeout } from "../runtimes/lib.mjs";

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

/**
 * Serves `dir` on 127.0.0.1 with a CSP that allows `connect-src` to the
 * gateway only, and wasm only with `wasm` set (the control case turns it off).
 */
export function serveStatic(dir, apiBase, { wasm = true } = {}) {
  const csp = `default-src 'self'; script-src 'self'${wasm ? " 'wasm-unsafe-eval'" : ""}; connect-src ${new URL(apiBase).origin}`;
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (path === "/favicon.ico") return res.writeHead(204).end();
    const file = join(dir, normalize(path === "/" ? "/index.html" : path)); // "/.." cannot climb above "/"
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream", "content-security-policy": csp }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}/`,
        close: () => {
          server.closeAllConnections();
          return new Promise((done) => server.close(done));
        },
      }),
    );
  });
}

/** A page around a bundle that is a plain script or an ES module. */
export const pageFor = (file, { module }) =>
  `<!doctype html>\n<meta charset="utf-8">\n<script ${module ? 'type="module" ' : ""}src="./${file}"></script>\n`;

/** A page that runs `workerFile` in a dedicated Worker and exposes the same window.run402Check. */
export const workerPage = `<!doctype html>
<meta charset="utf-8">
<script src="./page.js"></script>
`;
export const workerPageScript = (workerFile) => `const worker = new Worker("./${workerFile}");
window.run402Check = (apiBase) => new Promise((resolve, reject) => {
  worker.onmessage = (e) => (e.data.ok ? resolve(e.data.result) : reject(new Error(e.data.error)));
  worker.onerror = (e) => reject(new Error("worker error: " + e.message));
  worker.postMessage(apiBase);
});
`;

export async function launchBrowser() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    timeout: 20_000,
  });
}

/**
 * Opens `url`, waits for window.run402Check, runs it against the gateway.
 * Any console error or warning, page error or failed request fails the case:
 * the wasm-bindgen glue only warns when it falls back, and a wrong asset
 * path shows up as a failed request before anything throws.
 */
export async function runPage(browser, url, apiBase) {
  const page = await browser.newPage();
  const log = [];
  page.on("console", (m) => log.push(`[console.${m.type()}] ${m.text()} (${m.location().url})`));
  // An uncaught error while the app loads means window.run402Check will never
  // appear: fail then instead of waiting out the timeout.
  let loadFailed;
  const failure = new Promise((_, reject) => (loadFailed = reject));
  failure.catch(() => {});
  page.on("pageerror", (e) => {
    log.push(`[pageerror] ${e.stack ?? e.message}`);
    loadFailed(new Error(`the page threw: ${e.message}`));
  });
  page.on("requestfailed", (r) => log.push(`[requestfailed] ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  try {
    page.setDefaultTimeout(20_000);
    await page.goto(url);
    await Promise.race([page.waitForFunction(() => typeof window.run402Check === "function", null, { timeout: 20_000 }), failure]);
    // page.evaluate has no timeout of its own; a hung SDK call must still fail.
    const result = await withTimeout(page.evaluate((api) => window.run402Check(api), apiBase), 15_000, "the page's check");
    const noisy = log.filter((l) => /^\[(console\.(error|warning)|pageerror|requestfailed)/.test(l) && !l.includes("favicon.ico"));
    if (noisy.length) throw new Error(`the check passed but the page logged:\n${noisy.join("\n")}`);
    return result;
  } catch (err) {
    throw new Error(`${err.message}\n--- page console ---\n${log.join("\n") || "(empty)"}`, { cause: err });
  } finally {
    await page.close().catch(() => {});
  }
}
