// The HTML tag emitters an AssetRef carries (blobs.put, blobs.
// completeUploadSession): synchronous, no network, over the ref's own
// `cdnUrl` and `sri`. Closures rather than prototype methods, so a
// destructured `const { scriptTag } = ref` still works. Attribute order is
// the contract's (§4.2); values are escaped for a double-quoted attribute.
import { LocalError } from "./errors.js";

const CONTEXT = "rendering blob tag";

const escapeAttr = (s) => String(s).replace(/[&"<>]/g, (c) => ({ "&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;" })[c]);

/** Adds scriptTag, linkTag and imgTag to `ref` and returns it; never throws. */
export function assetRef(ref) {
  try {
    const cdnUrl = ref.cdnUrl;
    const sri = ref.sri;
    const bound = (name) => {
      if (!cdnUrl || !sri) {
        throw new LocalError(
          `${name}() needs an immutable public upload (blobs.put with immutable: true, the default): ` +
            "only a content-addressed URL can be pinned with Subresource Integrity.",
          CONTEXT,
        );
      }
      return [escapeAttr(cdnUrl), escapeAttr(sri)];
    };
    ref.scriptTag = function scriptTag(opts) {
      const [src, integrity] = bound("scriptTag");
      let attrs = `src="${src}"`;
      if (opts?.type === "module") attrs += ' type="module"';
      const async = opts?.async === true;
      if (async) attrs += " async";
      else if (opts?.defer ?? true) attrs += " defer";
      return `<script ${attrs} integrity="${integrity}" crossorigin></script>`;
    };
    ref.linkTag = function linkTag(opts) {
      const [href, integrity] = bound("linkTag");
      let attrs = `rel="${escapeAttr(opts?.rel ?? "stylesheet")}" href="${href}"`;
      if (opts?.as) attrs += ` as="${escapeAttr(opts.as)}"`;
      return `<link ${attrs} integrity="${integrity}" crossorigin>`;
    };
    ref.imgTag = function imgTag(alt) {
      const [src] = bound("imgTag");
      return `<img src="${src}" alt="${escapeAttr(alt ?? "")}" loading="lazy" decoding="async">`;
    };
  } catch {
    // not an object the SDK built: returned as is
  }
  return ref;
}
