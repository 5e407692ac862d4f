// The README's quick start, run as a newcomer would paste it: the first `ts`
// block under "## Quick start", types stripped by esbuild, apiBase pointed at
// a simulator with payments on (the real gateway charges too), run by Node
// from an app with the tarball installed. It must print the spent total.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { ROOT } from "../runtimes/lib.mjs";
import { write } from "./stage.mjs";

export const README_API_BASE = "https://api.run402.com";

/** Writes the quick start as quickstart.mjs into `app`, talking to `apiBase`. */
export function writeQuickStart(app, apiBase) {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Quick start"));
  const code = section.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (!code) throw new Error("README.md has no ts block under ## Quick start");
  if (!code.includes(`"${README_API_BASE}"`)) throw new Error(`the quick start no longer uses apiBase "${README_API_BASE}"; update tests/bundlers/readme.mjs`);
  const js = esbuild.transformSync(code.replace(`"${README_API_BASE}"`, JSON.stringify(apiBase)), { loader: "ts", format: "esm" }).code;
  write(app, "quickstart.mjs", js);
  return join(app, "quickstart.mjs");
}
