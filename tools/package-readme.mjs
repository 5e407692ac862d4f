// Writes the published README from the repository's, so the two never
// drift: blocks between `<!-- repo-only -->` and `<!-- /repo-only -->`
// (building and developing this repository) are left out, and a relative
// link to a file the package does not ship keeps its text without the link.
//   node tools/package-readme.mjs <README.md> <pkg dir>
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function packageReadme(source, shipped) {
  const text = source
    .replace(/<!-- repo-only -->[\s\S]*?<!-- \/repo-only -->\n*/g, "")
    .replace(/\[([^\]]+)\]\((?![a-z]+:|#)([^)]+)\)/g, (link, label, target) => (shipped(target) ? link : label));
  if (/<!--\s*\/?repo-only/.test(text)) throw new Error("README.md has an unbalanced <!-- repo-only --> marker");
  return text;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const [readme, pkgDir] = process.argv.slice(2);
  const { files } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const shipped = (target) => files.includes(target) && existsSync(join(pkgDir, target));
  writeFileSync(join(pkgDir, "README.md"), packageReadme(readFileSync(readme, "utf8"), shipped));
}
