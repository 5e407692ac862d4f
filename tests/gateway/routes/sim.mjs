// /__sim/ control endpoints: test-only, outside the contract, no auth. They
// are neither logged nor subject to faults.

import { fail, json, jsonObjectBody, requireString } from "../http-util.mjs";
import { parseFault } from "../faults.mjs";

function addFault(ctx) {
  const fault = parseFault(jsonObjectBody(ctx, { allowed: ["match", "count", "status", "headers", "body", "delayMs", "reset", "truncate"] }));
  ctx.state.faults.push(fault);
  return json(201, { status: "queued", pending: ctx.state.faults.length });
}

function reset(ctx) {
  ctx.state.faults.length = 0;
  ctx.state.requestLog.length = 0;
  return json(200, { status: "reset" });
}

function requests(ctx) {
  return json(200, ctx.state.requestLog);
}

function config(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["payments"] });
  if (body.payments !== undefined) {
    if (typeof body.payments !== "boolean") fail(400, "invalid_field", '"payments" must be a boolean.', "INVALID_FIELD");
    ctx.state.config.payments = body.payments;
  }
  return json(200, { payments: ctx.state.config.payments });
}

function summary(ctx) {
  return json(200, {
    projects: ctx.state.projects.size,
    payments_seen: ctx.state.paymentsSeen,
    payments: ctx.state.config.payments,
    faults_pending: ctx.state.faults.length,
    requests_logged: ctx.state.requestLog.length,
  });
}

/** Seeds a project end-user, since auth sign-up is a later milestone. */
function addUser(ctx) {
  const body = jsonObjectBody(ctx, { allowed: ["project_id", "email", "is_admin"] });
  const project = ctx.state.projects.get(requireString(body, "project_id"));
  if (!project) fail(404, "project_not_found", "No such project.", "PROJECT_NOT_FOUND");
  const email = requireString(body, "email").toLowerCase();
  const user = { email, is_admin: body.is_admin === true };
  project.users.set(email, user);
  return json(201, { project_id: project.id, ...user });
}

export function register(router) {
  router.add("POST", "/__sim/faults", addFault);
  router.add("POST", "/__sim/reset", reset);
  router.add("GET", "/__sim/requests", requests);
  router.add("POST", "/__sim/config", config);
  router.add("GET", "/__sim/state", summary);
  router.add("POST", "/__sim/users", addUser);
}
