// allowanceCredentials: a credentials provider that signs in with a wallet
// (SIGN-IN-WITH-X, signed in wasm) and pays from it, with no Node and no
// viem. The SDK passes the full request URL in getAuth's metadata, so the
// sign-in is always for the client's own apiBase.
import { signInHeader } from "./run402_sdk_wasm.js";
import { LocalError } from "./errors.js";

const CREATING = "creating credentials";
const SIGNING_IN = "signing in";

// The options, read once inside a try: a revoked Proxy or a throwing getter
// must become a LocalError, not a TypeError from a destructuring.
function readOptions(opts) {
  if (opts === undefined || opts === null) opts = {};
  if (typeof opts !== "object") throw new LocalError("allowanceCredentials options must be an object", CREATING);
  try {
    const { allowance, readAllowance, saveAllowance, projects, getProject } = opts;
    const store = projects instanceof Map ? "map" : projects !== null && typeof projects === "object" ? "record" : null;
    return { allowance, readAllowance, saveAllowance, projects, getProject, store };
  } catch (e) {
    throw new LocalError("allowanceCredentials could not read its options", CREATING, e);
  }
}

/**
 * The allowance's key, checked to be a string before it reaches wasm (its
 * signers take a Rust &str: anything else would be misread by the string
 * conversion inside wasm, so it is refused here). `context` names the
 * operation in the error.
 */
export function privateKeyOf(a, context) {
  let key;
  try {
    key = a.privateKey;
  } catch (e) {
    throw new LocalError("Cannot read the allowance's privateKey", context, e);
  }
  if (typeof key !== "string") throw new LocalError("The allowance has no string privateKey", context);
  return key;
}

export function allowanceCredentials(opts) {
  const { allowance, readAllowance, saveAllowance, projects, getProject, store } = readOptions(opts);
  if (allowance === undefined && typeof readAllowance !== "function") {
    throw new LocalError("allowanceCredentials needs { allowance } or { readAllowance() }", CREATING);
  }
  if (allowance !== undefined && allowance !== null && typeof allowance !== "object") {
    throw new LocalError("allowanceCredentials: allowance must be an object { address, privateKey } or null", CREATING);
  }
  const read = typeof readAllowance === "function" ? readAllowance : async () => allowance ?? null;
  const lookup = typeof getProject === "function"
    ? getProject
    : async (id) => (store === "map" ? projects.get(id) : projects?.[id]) ?? null;
  const provider = {
    async getAuth(_path, meta) {
      const a = await read();
      if (!a) return null;
      const url = meta !== null && typeof meta === "object" ? meta.url : undefined;
      if (typeof url !== "string") {
        throw new LocalError("allowanceCredentials.getAuth needs the request URL from the SDK", SIGNING_IN);
      }
      const key = privateKeyOf(a, SIGNING_IN);
      try {
        return { "SIGN-IN-WITH-X": signInHeader(key, url) };
      } catch (e) {
        // The wasm side throws a message string that never holds the key.
        throw new LocalError(`Cannot sign in with the allowance: ${typeof e === "string" ? e : "signing failed"}`, SIGNING_IN);
      }
    },
    getProject: lookup,
    readAllowance: read,
  };
  if (typeof saveAllowance === "function") provider.saveAllowance = saveAllowance;
  if (store === "map") {
    provider.saveProject = async (id, keys) => { projects.set(id, keys); };
  } else if (store === "record") {
    provider.saveProject = async (id, keys) => { projects[id] = keys; };
  }
  return provider;
}
