// Who may call the deploy and content services (contract §1.19, §3.4):
// plans and commits take the provider's auth, which is SIGN-IN-WITH-X of the
// project's owner wallet or a CI session of a binding to that project; the
// content, operation, release and resolve calls also name the project with
// `apikey: <anon_key>` (a service key is accepted too), except that a CI
// session sends no apikey: its binding names the project.

import { walletFromSiwx } from "../auth.mjs";
import { ciSession, ciState, isCiSessionToken } from "../ci-sessions.mjs";
import { verifyKey } from "../keys.mjs";
import { deployFail } from "./store.mjs";

const bearer = (ctx) => /^Bearer\s+(\S+)\s*$/i.exec(ctx.headers.authorization ?? "")?.[1];

/** The project a CI session's binding is for, or null when the bearer is no live CI session. */
function ciProjectId(ctx) {
  const token = bearer(ctx);
  if (!isCiSessionToken(token)) return null;
  const ci = ciState(ctx.state);
  const session = ci.sessions.get(token);
  return session ? (ci.bindings.get(session.bindingId)?.project_id ?? null) : null;
}

/**
 * The caller's provider identity for `project`: `{wallet}` (its owner) or
 * `{ci: binding}`; otherwise the gateway's 401/403.
 */
export async function requireProvider(ctx, project) {
  if (isCiSessionToken(bearer(ctx))) {
    const { binding } = ciSession(ctx, project.id);
    if (!binding.allowed_actions.includes("deploy")) deployFail(403, "insufficient_scope", "This CI binding may not deploy.");
    return { ci: binding };
  }
  const wallet = await walletFromSiwx(ctx, { required: true });
  if (project.ownerWallet !== wallet && !ctx.state.adminWallets.has(wallet)) {
    deployFail(403, "PROJECT_OWNER_MISMATCH", `This wallet does not own project ${project.id}.`);
  }
  return { wallet };
}

/** A live project by id, or 404 PROJECT_NOT_FOUND. */
export function projectById(ctx, id, resource = "project") {
  const project = typeof id === "string" ? ctx.state.projects.get(id) : undefined;
  if (!project) deployFail(404, "PROJECT_NOT_FOUND", `No project ${id}.`, { resource });
  return project;
}

/**
 * The project named by `apikey` (or, for a CI session without one, by its
 * binding, or by `fallbackId` when the path names the resource), plus the
 * provider check. Returns `{project, caller}`.
 */
export async function requireProjectAccess(ctx, { fallbackId } = {}) {
  const apikey = ctx.headers.apikey;
  let project;
  if (apikey === undefined || apikey === "") {
    const id = ciProjectId(ctx) ?? fallbackId;
    if (!id) deployFail(401, "MISSING_API_KEY", "Send apikey: <anon_key> with this call.");
    project = ctx.state.projects.get(id);
    if (!project) deployFail(404, "PROJECT_NOT_FOUND", `No project ${id}.`);
  } else {
    const claims = verifyKey(apikey);
    if (!claims) deployFail(401, "INVALID_KEY", "The apikey is not a valid key.");
    project = ctx.state.projects.get(claims.project_id);
    if (!project) deployFail(401, "INVALID_KEY", "The apikey belongs to a project that no longer exists.");
    if (fallbackId !== undefined && fallbackId !== project.id) deployFail(403, "PROJECT_KEY_MISMATCH", "The apikey belongs to another project.");
  }
  const caller = await requireProvider(ctx, project);
  return { project, caller };
}
