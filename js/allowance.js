// allowanceCredentials: a credentials provider that signs in with a wallet
// (SIGN-IN-WITH-X, signed in wasm) and pays from it, with no Node and no
// viem. The SDK passes the full request URL in getAuth's metadata, so the
// sign-in is always for the client's own apiBase.
import { signInHeader } from "./run402_sdk_wasm.js";
import { LocalError } from "./errors.js";

export function allowanceCredentials(opts = {}) {
  const { allowance, readAllowance, saveAllowance, projects, getProject } = opts;
  if (allowance === undefined && typeof readAllowance !== "function") {
    throw new LocalError("allowanceCredentials needs { allowance } or { readAllowance() }", "creating credentials");
  }
  const read = typeof readAllowance === "function" ? readAllowance : async () => allowance ?? null;
  const lookup = typeof getProject === "function"
    ? getProject
    : async (id) => (projects instanceof Map ? projects.get(id) : projects?.[id]) ?? null;
  const provider = {
    async getAuth(_path, meta) {
      const a = await read();
      if (!a) return null;
      if (typeof meta?.url !== "string") {
        throw new LocalError("allowanceCredentials.getAuth needs the request URL from the SDK", "signing in");
      }
      try {
        return { "SIGN-IN-WITH-X": signInHeader(a.privateKey, meta.url) };
      } catch (e) {
        throw new LocalError(`Cannot sign in with the allowance: ${typeof e === "string" ? e : e?.message}`, "signing in");
      }
    },
    getProject: lookup,
    readAllowance: read,
  };
  if (typeof saveAllowance === "function") provider.saveAllowance = saveAllowance;
  if (projects instanceof Map) {
    provider.saveProject = async (id, keys) => { projects.set(id, keys); };
  } else if (projects && typeof projects === "object") {
    provider.saveProject = async (id, keys) => { projects[id] = keys; };
  }
  return provider;
}
