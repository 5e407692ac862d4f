// `r.sites` (empty in every runtime, as the reference's isomorphic Sites),
// `files()`, and the Node subpath's `fileSetFromDir` and `sites.deployDir`:
// directory walks over real temporary trees (skip list, includeSensitive,
// ignore, symlinks refused, nested directories, nothing to deploy) and the
// refusals deployDir makes before any request.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import * as mainEntry from "../../pkg/entry-node.js";
import { Run402, fileSetFromDir, files, isLocalError, run402 } from "../../pkg/node.js";

const scratch = mkdtempSync(join(tmpdir(), "run402-sites-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

let trees = 0;
/** A fresh directory holding `layout` (path → text; a trailing "/" makes an empty directory). */
function tree(layout) {
  const root = join(scratch, `t${trees++}`);
  mkdirSync(root);
  for (const [path, text] of Object.entries(layout)) {
    const full = join(root, path);
    if (path.endsWith("/")) {
      mkdirSync(full, { recursive: true });
      continue;
    }
    mkdirSync(join(full, ".."), { recursive: true });
    writeFileSync(full, text);
  }
  return root;
}

/** Rejects with a LocalError whose message matches `pattern`. */
async function refuses(promise, pattern) {
  await assert.rejects(promise, (e) => {
    assert.ok(isLocalError(e), `a LocalError, got ${e?.name}: ${e?.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

/** A client whose fetch records every request and answers nothing useful. */
function recordingClient() {
  const sent = [];
  const r = run402({
    apiBase: "http://127.0.0.1:9",
    credentials: { getAuth: () => null, getProject: () => ({ anon_key: "a", service_key: "s" }) },
    fetch: async (url) => {
      sent.push(String(url));
      return new Response("{}", { status: 500 });
    },
  });
  return { r, sent };
}

describe("fileSetFromDir", () => {
  it("keys every file by its POSIX path under the root, nested directories included, as fs-file sources", async () => {
    const root = tree({ "index.html": "<h1>hi</h1>", "css/site.css": "body{}", "a/b/c/deep.txt": "deep", "empty/": "", ".well-known/security.txt": "x" });
    const set = await fileSetFromDir(root);
    assert.deepEqual(Object.keys(set), [".well-known/security.txt", "a/b/c/deep.txt", "css/site.css", "index.html"]);
    for (const [key, source] of Object.entries(set)) {
      assert.deepEqual(Object.keys(source), ["__source", "path"]);
      assert.equal(source.__source, "fs-file");
      assert.equal(source.path, join(root, ...key.split("/")), "the absolute path on disk");
    }
    // Nothing was read: the markers point at the files, whose bytes are still there.
    assert.equal(readFileSync(set["a/b/c/deep.txt"].path, "utf8"), "deep");
  });

  it("resolves a relative dir against the working directory", async () => {
    const root = tree({ "index.html": "x" });
    const cwd = process.cwd();
    process.chdir(join(root, ".."));
    try {
      const set = await fileSetFromDir(root.slice(root.lastIndexOf("/") + 1));
      assert.equal(set["index.html"].path, join(root, "index.html"));
    } finally {
      process.chdir(cwd);
    }
  });

  it("skips .git, node_modules, .DS_Store and credential files at any depth by default", async () => {
    const skipped = [
      ".git/HEAD", "node_modules/x/index.js", ".DS_Store", "sub/.DS_Store", "sub/node_modules/y.js",
      ".env", ".env.local", "sub/.env.production", ".envrc", ".npmrc", ".pnpmrc", ".yarnrc", ".netrc", ".pypirc",
      "id_rsa", "keys/id_ed25519", "id_ecdsa", "id_dsa", "server.key", "tls/cert.pem", "CERT.PEM", "bundle.p12", "win.pfx", ".ENV",
    ];
    const kept = ["index.html", ".gitignore", "env.js", ".environment", "id_rsa.pub", "keys.json", "sub/page.html", "pem.txt"];
    const root = tree(Object.fromEntries([...skipped, ...kept].map((p) => [p, p])));
    assert.deepEqual(Object.keys(await fileSetFromDir(root)), [...kept].sort());
  });

  it("includeSensitive takes the credential files too, but never .git, node_modules or .DS_Store", async () => {
    const root = tree({ "index.html": "x", ".env": "A=1", "sub/.env.local": "B=2", "tls/site.pem": "pem", id_rsa: "k", ".git/config": "c", "node_modules/m.js": "m", ".DS_Store": "d" });
    assert.deepEqual(Object.keys(await fileSetFromDir(root, { includeSensitive: true })), [".env", "id_rsa", "index.html", "sub/.env.local", "tls/site.pem"]);
    assert.deepEqual(Object.keys(await fileSetFromDir(root, { includeSensitive: false })), ["index.html"]);
  });

  it("ignore adds names (files or directories, exact) skipped at any depth, from any iterable", async () => {
    const root = tree({ "index.html": "x", "drafts/a.html": "a", "blog/drafts/b.html": "b", "notes.md": "n", "blog/notes.md": "n", "Notes.md": "N" });
    assert.deepEqual(Object.keys(await fileSetFromDir(root, { ignore: ["drafts", "notes.md"] })), ["Notes.md", "index.html"]);
    assert.deepEqual(Object.keys(await fileSetFromDir(root, { ignore: new Set(["blog"]) })), ["Notes.md", "drafts/a.html", "index.html", "notes.md"]);
  });

  it("refuses a symlink anywhere, naming it, whether it points at a file or a directory", async () => {
    const target = tree({ "real.html": "x" });
    const fileLink = tree({ "index.html": "x", "sub/ok.html": "y" });
    symlinkSync(join(target, "real.html"), join(fileLink, "sub", "link.html"));
    await refuses(fileSetFromDir(fileLink), new RegExp(`${join(fileLink, "sub", "link.html")} is a symlink`));

    const dirLink = tree({ "index.html": "x" });
    symlinkSync(target, join(dirLink, "assets"));
    await refuses(fileSetFromDir(dirLink), new RegExp(`${join(dirLink, "assets")} is a symlink`));

    // A dangling link is refused as well, not skipped.
    const dangling = tree({ "index.html": "x" });
    symlinkSync(join(dangling, "nowhere"), join(dangling, "gone"));
    await refuses(fileSetFromDir(dangling), /gone is a symlink/);

    // The root itself.
    const rootLink = join(scratch, `rootlink${trees++}`);
    symlinkSync(target, rootLink);
    await refuses(fileSetFromDir(rootLink), new RegExp(`${rootLink} is a symlink`));

    // A symlink the skip list leaves out is never looked at.
    const skippedLink = tree({ "index.html": "x", "node_modules/": "" });
    symlinkSync(target, join(skippedLink, "node_modules", "pkg"));
    assert.deepEqual(Object.keys(await fileSetFromDir(skippedLink)), ["index.html"]);
  });

  it("an empty directory, or one with nothing but skipped files, is a LocalError", async () => {
    await refuses(fileSetFromDir(tree({})), /has no files to deploy/);
    await refuses(fileSetFromDir(tree({ "a/": "", "b/c/": "" })), /has no files to deploy/);
    await refuses(fileSetFromDir(tree({ ".env": "A=1", ".git/HEAD": "x" })), /has no files to deploy/);
    await refuses(fileSetFromDir(tree({ "x.html": "x" }), { ignore: ["x.html"] }), /has no files to deploy/);
  });

  it("a missing path or a file is a LocalError naming it", async () => {
    const missing = join(scratch, "does-not-exist");
    await refuses(fileSetFromDir(missing), new RegExp(`cannot read directory ${missing}: ENOENT`));
    const root = tree({ "index.html": "x" });
    await refuses(fileSetFromDir(join(root, "index.html")), /index\.html is not a directory/);
  });

  it("bad arguments are LocalErrors before the disk is read", async () => {
    const root = tree({ "index.html": "x" });
    for (const dir of [undefined, "", 7, null, {}]) await refuses(fileSetFromDir(dir), /dir must be a non-empty path/);
    await refuses(fileSetFromDir(root, "nope"), /options must be an object/);
    await refuses(fileSetFromDir(root, { ignore: "node_modules" }), /ignore must be an array/);
    await refuses(fileSetFromDir(root, { ignore: 5 }), /ignore must be an array/);
    await refuses(fileSetFromDir(root, { ignore: [""] }), /each ignore entry/);
    await refuses(fileSetFromDir(root, { ignore: [7] }), /each ignore entry/);
    await refuses(fileSetFromDir(root, { includeSensitive: "yes" }), /includeSensitive must be a boolean/);
    const hostile = { get ignore() { throw new Error("boom"); } };
    await refuses(fileSetFromDir(root, hostile), /could not read its options/);
  });

  it("a file named __proto__ is a key like any other", async () => {
    const set = await fileSetFromDir(tree({ ["__proto__"]: "p", "index.html": "x" }));
    assert.deepEqual(Object.keys(set), ["__proto__", "index.html"]);
    assert.equal(Object.getPrototypeOf(set), Object.prototype);
    assert.equal(set["__proto__"].__source, "fs-file");
  });
});

describe("r.sites and files()", () => {
  it("every client has an empty sites namespace after domains, as the reference's isomorphic one", () => {
    const r = new mainEntry.Run402({ apiBase: "http://127.0.0.1:9", credentials: { getAuth: () => null, getProject: () => null } });
    const keys = Object.keys(r);
    assert.equal(keys.indexOf("sites"), keys.indexOf("domains") + 1);
    assert.deepEqual(Object.getOwnPropertyNames(r.sites), []);
    // The Node entry's class is the same, and so is a client made with it directly.
    assert.equal(Run402, mainEntry.Run402);
    assert.equal(new Run402({ apiBase: "http://127.0.0.1:9", credentials: { getAuth: () => null, getProject: () => null } }).sites.deployDir, undefined);
  });

  it("scoped clients have no sites (13 namespaces, as the reference's)", async () => {
    const { r } = recordingClient();
    const p = await r.project("prj_1");
    assert.equal(p.sites, undefined);
  });

  it("files() returns its argument, the same object", () => {
    const record = { "index.html": "<h1>hi</h1>", "logo.png": new Uint8Array([1, 2]) };
    assert.equal(mainEntry.files(record), record);
    assert.equal(files, mainEntry.files);
  });
});

describe("sites.deployDir (refusals before any request)", () => {
  it("is a method of run402()'s sites, not enumerable, like the generated ones", () => {
    const { r } = recordingClient();
    assert.equal(typeof r.sites.deployDir, "function");
    assert.equal(r.sites.deployDir.name, "deployDir");
    assert.deepEqual(Object.keys(r.sites), []);
    assert.notEqual(recordingClient().r.sites.deployDir, r.sites.deployDir, "bound to its own client");
  });

  it("refuses target, a missing project or dir, a bad onEvent, and a tree it cannot deploy, with no request", async () => {
    const { r, sent } = recordingClient();
    const dir = tree({ "index.html": "x" });
    await refuses(r.sites.deployDir({ project: "prj_1", dir, target: "production" }), /`target` is not supported/);
    await refuses(r.sites.deployDir({ dir }), /project must be a non-empty project id/);
    await refuses(r.sites.deployDir({ project: "", dir }), /project must be a non-empty project id/);
    await refuses(r.sites.deployDir({ project: "prj_1" }), /dir must be a non-empty path/);
    await refuses(r.sites.deployDir({ project: "prj_1", dir, onEvent: "log" }), /onEvent must be a function/);
    await refuses(r.sites.deployDir(), /needs an options object/);
    await refuses(r.sites.deployDir("dist"), /needs an options object/);
    await refuses(r.sites.deployDir({ project: "prj_1", dir: tree({}) }), /has no files to deploy/);
    const withLink = tree({ "index.html": "x" });
    symlinkSync(dir, join(withLink, "other"));
    await refuses(r.sites.deployDir({ project: "prj_1", dir: withLink }), /other is a symlink/);
    assert.deepEqual(sent, []);
  });

  it("errors carry the call's context", async () => {
    const { r } = recordingClient();
    await assert.rejects(r.sites.deployDir({ project: "prj_1", dir: "x", target: "t" }), (e) => e.context === "deploying site directory");
    await assert.rejects(r.sites.deployDir({ project: "prj_1", dir: tree({}) }), (e) => e.context === "collecting files for deploy");
  });
});

describe("the isomorphic entries stay free of node: modules", () => {
  // What each entry's static import graph loads, from esbuild's metafile (as
  // the bundler suite measures entries). The Node-only code (node.js,
  // node-files.js, cli-files.js) is reached through the ./node subpath only.
  const pkg = new URL("../../pkg/", import.meta.url).pathname;
  const nodeImports = async (entry) => {
    const { build } = await import("esbuild");
    const { metafile } = await build({
      entryPoints: [join(pkg, entry)], bundle: true, write: false, format: "esm", platform: "neutral",
      external: ["node:*", "./run402_sdk_wasm_bg.wasm", "./run402_sdk_wasm_bg.wasm?module"], metafile: true, logLevel: "silent",
    });
    const found = [];
    for (const [file, input] of Object.entries(metafile.inputs)) {
      for (const i of input.imports) if (i.path.startsWith("node:")) found.push(`${file.slice(file.lastIndexOf("/") + 1)} → ${i.path}`);
    }
    return found.sort();
  };

  for (const entry of ["entry-web.js", "entry-workerd.js", "entry-edge-light.js", "api.js"]) {
    it(`${entry} imports no node: module`, async () => assert.deepEqual(await nodeImports(entry), []));
  }
  it("entry-node.js reads its wasm with node:fs and nothing else Node-only", async () => {
    assert.deepEqual(await nodeImports("entry-node.js"), ["entry-node.js → node:fs", "entry-node.js → node:url"]);
  });
  it("the ./node subpath is where fileSetFromDir's node: imports are (so the check above can see one)", async () => {
    const found = await nodeImports("node.js");
    assert.ok(found.includes("node-files.js → node:fs/promises"), found.join(", "));
  });
});

describe("sites.deployDir against the simulator", () => {
  /** A wallet owning a fresh project, with run402()'s client (the Node entry's) over it. */
  async function nodeOwner() {
    const { simulator } = await import("./helpers.mjs");
    const { generatePrivateKey, privateKeyToAccount } = await import("viem/accounts");
    const privateKey = generatePrivateKey();
    const allowance = { address: privateKeyToAccount(privateKey).address, privateKey };
    const r = run402({ apiBase: await simulator(), credentials: mainEntry.allowanceCredentials({ allowance, projects: {} }) });
    const { project_id: projectId } = await r.projects.provision({ tier: "prototype" });
    return { r, projectId };
  }
  const served = async (url) => {
    const res = await fetch(url);
    assert.equal(res.status, 200, String(url));
    return { type: res.headers.get("content-type"), bytes: Buffer.from(await res.arrayBuffer()) };
  };

  it("deploys a directory tree; every file is served with its bytes; skipped files are not", async () => {
    const { r, projectId } = await nodeOwner();
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 255, 254, 0]);
    const dir = tree({ "index.html": "<h1>from a directory</h1>", "css/site.css": "body { color: red }", "a/b/deep.txt": "deep", ".env": "SECRET=1", "node_modules/x.js": "x" });
    writeFileSync(join(dir, "img.png"), png);
    const events = [];
    const result = await r.sites.deployDir({ project: projectId, dir, onEvent: (e) => events.push(e.type) });
    assert.deepEqual(Object.keys(result).sort(), ["bytes_total", "bytes_uploaded", "deployment_id", "url"]);
    assert.match(result.deployment_id, /\S/);
    assert.match(result.url, /^http:\/\/127\.0\.0\.1:\d+\//);
    const size = (p) => readFileSync(join(dir, p)).length;
    const total = ["index.html", "css/site.css", "a/b/deep.txt", "img.png"].reduce((n, p) => n + size(p), 0);
    assert.equal(result.bytes_total, total);
    assert.equal(result.bytes_uploaded, total, "a new project had none of them");
    assert.equal(events.at(-1), "ready");
    assert.ok(events.includes("content.upload.progress"), events.join(", "));

    const at = (p) => new URL(p, result.url);
    assert.deepEqual((await served(at("img.png"))).bytes, png);
    assert.equal((await served(at("img.png"))).type, "image/png");
    assert.equal((await served(at("index.html"))).bytes.toString(), "<h1>from a directory</h1>");
    assert.match((await served(at("css/site.css"))).type, /^text\/css/);
    assert.equal((await served(at("a/b/deep.txt"))).bytes.toString(), "deep");
    for (const hidden of [".env", "node_modules/x.js"]) assert.equal((await fetch(at(hidden))).status, 404, hidden);

    // The same tree again: nothing new to upload, the same bytes in total.
    const again = await r.sites.deployDir({ project: projectId, dir });
    assert.equal(again.bytes_uploaded, 0);
    assert.equal(again.bytes_total, total);
    // A changed file replaces the site: the removed one is gone.
    writeFileSync(join(dir, "index.html"), "<h1>v2</h1>");
    rmSync(join(dir, "a"), { recursive: true });
    const third = await r.sites.deployDir({ project: projectId, dir });
    assert.equal(third.bytes_uploaded, "<h1>v2</h1>".length);
    assert.equal((await served(new URL("index.html", third.url))).bytes.toString(), "<h1>v2</h1>");
    assert.equal((await fetch(new URL("a/b/deep.txt", third.url))).status, 404);
  });

  it("a file bigger than a part is read from disk and uploaded in parts", async () => {
    const { sim } = await import("./helpers.mjs");
    const { r, projectId } = await nodeOwner();
    const dir = tree({ "index.html": "<h1>big</h1>" });
    const big = Buffer.alloc(300 * 1024 + 5);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 255;
    writeFileSync(join(dir, "big.bin"), big);
    const before = await sim("storage");
    await sim("storage", { partSizeBytes: 64 * 1024 });
    const parts = [];
    try {
      const result = await r.sites.deployDir({ project: projectId, dir, onEvent: (e) => e.type === "content.upload.progress" && parts.push(e.label) });
      assert.equal(result.bytes_uploaded, big.length + "<h1>big</h1>".length);
      assert.ok((await served(new URL("big.bin", result.url))).bytes.equals(big));
    } finally {
      await sim("storage", { partSizeBytes: before.partSizeBytes });
    }
    assert.equal(parts.length, 2, `one progress event per uploaded file: ${parts.join(", ")}`);
  });

  it("a project the gateway does not know is the gateway's error, typed", async () => {
    const { r } = await nodeOwner();
    await assert.rejects(r.sites.deployDir({ project: "prj_nope", dir: tree({ "index.html": "x" }) }), (e) => e.isRun402Error === true && e.kind !== "local_error");
  });
});
