// The AssetRef of a completed upload (blobs.put, blobs.completeUploadSession;
// contract §4.2): the gateway's answer widened with camelCase aliases, the
// integrity values derived from its SHA-256, the cache kind, the CDN
// envelope, and the synchronous HTML tag emitters. Plain field mapping and
// string building, kept here because in wasm it cost several times its
// size in JS. The emitters are closures, not prototype methods, so a
// destructured `const { scriptTag } = ref` still works. Attribute order is
// the contract's; values are escaped for a double-quoted attribute.
import { LocalError } from "./errors.js";

const CONTEXT = "rendering blob tag";
const IMMUTABLE_HINT = "Content-addressed: paste cdnUrl (or scriptTag/linkTag/imgTag) into HTML; it never needs invalidating.";
const MUTABLE_HINT = "A mutable URL: the CDN picks up new content asynchronously. Use cdnUrl (immutable) in generated HTML, or blobs.waitFresh before relying on this URL.";

const escapeAttr = (s) => String(s).replace(/[&"<>]/g, (c) => ({ "&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;" })[c]);

/** Base64 of the bytes a 64-digit hex string spells; null if it does not. */
function hexToBase64(hex) {
  if (typeof hex !== "string" || !/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  let s = "";
  for (let i = 0; i < 64; i += 2) s += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return btoa(s);
}

/** Never throws (wasm calls it): an answer it cannot read comes back as is. */
export function assetRef(done, contentType) {
  try {
    return build(done, contentType);
  } catch {
    return done;
  }
}

function build(done, contentType) {
  const sha = typeof done.sha256 === "string" && done.sha256 !== "" ? done.sha256 : null;
  const b64 = hexToBase64(sha);
  const immutable = !!done.immutable_url;
  const gw = done.cdn !== null && typeof done.cdn === "object" ? done.cdn : {};
  const cdnUrl = done.cdn_immutable_url ?? null;
  const sri = b64 === null ? null : `sha256-${b64}`;
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
  return {
    key: done.key,
    size_bytes: done.size_bytes,
    sha256: sha,
    visibility: done.visibility,
    url: done.url,
    immutable_url: done.immutable_url,
    size: done.size_bytes,
    contentSha256: sha,
    contentType: contentType ?? done.content_type ?? "application/octet-stream",
    immutableUrl: done.immutable_url,
    cdnUrl,
    cdnMutableUrl: done.cdn_url ?? null,
    etag: b64 === null ? null : `"sha256-${sha}"`,
    sri,
    contentDigest: b64 === null ? null : `sha-256=:${b64}:`,
    cacheKind: done.visibility === "private" ? "private" : immutable ? "immutable" : "mutable",
    cdn: {
      version: gw.version ?? "blob-gateway-v2",
      invalidationId: gw.invalidationId ?? null,
      invalidationStatus: gw.invalidationStatus ?? null,
      ready: gw.ready ?? immutable,
      hint: gw.hint ?? (immutable ? IMMUTABLE_HINT : MUTABLE_HINT),
    },
    scriptTag(opts) {
      const [src, integrity] = bound("scriptTag");
      let attrs = `src="${src}"`;
      if (opts?.type === "module") attrs += ' type="module"';
      if (opts?.async === true) attrs += " async";
      else if (opts?.defer ?? true) attrs += " defer";
      return `<script ${attrs} integrity="${integrity}" crossorigin></script>`;
    },
    linkTag(opts) {
      const [href, integrity] = bound("linkTag");
      let attrs = `rel="${escapeAttr(opts?.rel ?? "stylesheet")}" href="${href}"`;
      if (opts?.as) attrs += ` as="${escapeAttr(opts.as)}"`;
      return `<link ${attrs} integrity="${integrity}" crossorigin>`;
    },
    imgTag(alt) {
      const [src] = bound("imgTag");
      return `<img src="${src}" alt="${escapeAttr(alt ?? "")}" loading="lazy" decoding="async">`;
    },
  };
}
