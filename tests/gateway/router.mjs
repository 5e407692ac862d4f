// Method + path routing with `:param` segments. A path that exists under a
// different method answers 405 rather than 404, so a wrong verb is visible.

import { fail } from "./http-util.mjs";

export function createRouter() {
  const routes = [];

  function add(method, pattern, handler, options = {}) {
    routes.push({ method, segments: pattern.split("/").slice(1), handler, options });
  }

  function matchSegments(segments, parts) {
    // A last segment `:name*` takes the rest of the path, slashes included
    // (blob keys), each segment decoded.
    const rest = segments.at(-1)?.startsWith(":") && segments.at(-1).endsWith("*");
    if (rest ? parts.length < segments.length : segments.length !== parts.length) return null;
    const params = {};
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i];
      if (rest && i === segments.length - 1) {
        const tail = parts.slice(i);
        if (tail.some((p) => p === "")) return null;
        try {
          params[seg.slice(1, -1)] = tail.map(decodeURIComponent).join("/");
        } catch {
          fail(400, "invalid_path", `Path "${tail.join("/")}" is not valid percent-encoding.`, "INVALID_PATH");
        }
      } else if (seg.startsWith(":")) {
        if (parts[i] === "") return null;
        try {
          params[seg.slice(1)] = decodeURIComponent(parts[i]);
        } catch {
          fail(400, "invalid_path", `Path segment "${parts[i]}" is not valid percent-encoding.`, "INVALID_PATH");
        }
      } else if (seg !== parts[i]) {
        return null;
      }
    }
    return params;
  }

  /** Returns `{route, params}`, throws 405 for a known path with another method, or null. */
  function match(method, pathname) {
    const parts = pathname.split("/").slice(1);
    const allowed = [];
    for (const route of routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { route, params };
      allowed.push(route.method);
    }
    if (allowed.length > 0) {
      fail(405, "method_not_allowed", `${method} is not allowed on ${pathname}.`, "METHOD_NOT_ALLOWED", {}, { allow: allowed.join(", ") });
    }
    return null;
  }

  return { add, match };
}
