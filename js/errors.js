// The error classes every SDK failure is an instance of. Real Error
// subclasses (stacks, instanceof) carrying a stable `kind` and the
// `isRun402Error` brand, so the is* guards work across SDK copies and realms.
// The kinds mirror src/error.rs; a contract test keeps the lists identical.

function plainObject(body) {
  return body !== null && typeof body === "object" && !Array.isArray(body) ? body : null;
}

const ENVELOPE = ["code", "category", "retryable", "safe_to_retry", "mutation_state", "trace_id", "next_actions"];

/** The envelope fields of a body, read once (each getter at most once). */
function liftable(body) {
  const obj = plainObject(body);
  if (!obj) return null;
  const env = {};
  for (const k of ENVELOPE) env[k] = obj[k];
  if (Object.prototype.hasOwnProperty.call(obj, "details")) env.details = obj.details;
  return env;
}

export class Run402Error extends Error {
  constructor(message, status, body, context) {
    super(message);
    Object.defineProperty(this, "isRun402Error", { value: true, enumerable: false });
    this.name = new.target.name;
    this.status = status ?? null;
    this.body = body === undefined ? null : body;
    this.context = context;
    // Lift the gateway's structured envelope; class defaults fill the gaps.
    // A body whose fields cannot be read (a Proxy, throwing getters: only
    // caller code builds such bodies) lifts nothing rather than throwing.
    let env;
    try {
      env = liftable(this.body);
    } catch {
      env = null;
    }
    const defaults = new.target.defaults ?? {};
    const code = typeof env?.code === "string" ? env.code : defaults.code;
    const category = typeof env?.category === "string" ? env.category : defaults.category;
    const retryable = typeof env?.retryable === "boolean" ? env.retryable : defaults.retryable;
    if (code !== undefined) this.code = code;
    if (category !== undefined) this.category = category;
    if (retryable !== undefined) this.retryable = retryable;
    if (typeof env?.safe_to_retry === "boolean") this.safeToRetry = env.safe_to_retry;
    if (typeof env?.mutation_state === "string") this.mutationState = env.mutation_state;
    if (typeof env?.trace_id === "string") this.traceId = env.trace_id;
    if (env && Object.prototype.hasOwnProperty.call(env, "details")) this.details = env.details;
    if (Array.isArray(env?.next_actions)) this.nextActions = env.next_actions;
  }

  toJSON() {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      code: this.code,
      category: this.category,
      retryable: this.retryable,
      safeToRetry: this.safeToRetry,
      mutationState: this.mutationState,
      traceId: this.traceId,
      context: this.context,
      details: this.details,
      nextActions: this.nextActions,
      body: this.body,
    };
  }
}

function kindOf(cls, kind, defaults) {
  Object.defineProperty(cls.prototype, "kind", { value: kind, enumerable: true });
  if (defaults) cls.defaults = defaults;
  return cls;
}

export class PaymentRequired extends Run402Error {
  // A refused or unpaid 402 carries why (`reason`) and the server's x402
  // offers (`requirements`, set by makeError): an agent that only sees the
  // JSON envelope needs both to decide whether and how to pay. Neither holds
  // a secret: the reason is SDK text, the requirements come from the server.
  toJSON() {
    const out = super.toJSON();
    if (this.reason !== undefined) out.reason = this.reason;
    if (this.requirements !== undefined) out.requirements = this.requirements;
    return out;
  }
}
kindOf(PaymentRequired, "payment_required", { code: "PAYMENT_REQUIRED", category: "payment_required", retryable: false });

export class ProjectNotFound extends Run402Error {
  constructor(projectId, context, status = null, body = null) {
    super(`Project ${projectId} not found`, status, body, context);
    this.projectId = projectId;
  }
}
kindOf(ProjectNotFound, "project_not_found", { code: "PROJECT_NOT_FOUND", category: "not_found", retryable: false });

export class Unauthorized extends Run402Error {}
kindOf(Unauthorized, "unauthorized", { code: "UNAUTHORIZED", category: "auth", retryable: false });

export class ApiError extends Run402Error {}
kindOf(ApiError, "api_error", { code: "API_ERROR", category: "api", retryable: false });

export class NetworkError extends Run402Error {
  constructor(message, cause, context) {
    super(message, null, null, context);
    this.cause = cause;
  }
}
kindOf(NetworkError, "network_error", { code: "NETWORK_ERROR", category: "network", retryable: true });

export class LocalError extends Run402Error {
  constructor(message, context, cause) {
    super(message, null, null, context);
    if (cause !== undefined) this.cause = cause;
  }
}
kindOf(LocalError, "local_error", { code: "LOCAL_ERROR", category: "local", retryable: false });

export class Run402DeployError extends Run402Error {
  constructor(message, init) {
    super(message, init.status ?? null, init.body ?? null, init.context);
    this.code = init.code;
    this.phase = init.phase ?? null;
    this.resource = init.resource ?? null;
    this.retryable = init.retryable ?? false;
    this.operationId = init.operationId ?? null;
    this.planId = init.planId ?? null;
    this.fix = init.fix ?? null;
    this.logs = init.logs ?? null;
    this.rolledBack = init.rolledBack ?? false;
    if (init.attempts !== undefined) this.attempts = init.attempts;
    if (init.maxRetries !== undefined) this.maxRetries = init.maxRetries;
    if (init.lastRetryCode !== undefined) this.lastRetryCode = init.lastRetryCode;
  }

  toJSON() {
    return {
      ...super.toJSON(),
      phase: this.phase,
      resource: this.resource,
      operationId: this.operationId,
      planId: this.planId,
      fix: this.fix,
      logs: this.logs,
      rolledBack: this.rolledBack,
      retryable: this.retryable,
      attempts: this.attempts,
      maxRetries: this.maxRetries,
      lastRetryCode: this.lastRetryCode,
    };
  }
}
kindOf(Run402DeployError, "deploy_error");

/** Every class by kind: the list the contract test compares with Rust's. */
export const ERROR_CLASSES = Object.freeze({
  payment_required: PaymentRequired,
  project_not_found: ProjectNotFound,
  unauthorized: Unauthorized,
  api_error: ApiError,
  network_error: NetworkError,
  local_error: LocalError,
  deploy_error: Run402DeployError,
});

// Guards answer, they never throw: a revoked Proxy or a throwing getter is
// simply not a Run402 error.
export function isRun402Error(e) {
  try {
    return e !== null && typeof e === "object" && e.isRun402Error === true;
  } catch {
    return false;
  }
}
const guard = (kind) => (e) => {
  try {
    return isRun402Error(e) && e.kind === kind;
  } catch {
    return false;
  }
};
export const isPaymentRequired = guard("payment_required");
export const isProjectNotFound = guard("project_not_found");
export const isUnauthorized = guard("unauthorized");
export const isApiError = guard("api_error");
export const isNetworkError = guard("network_error");
export const isLocalError = guard("local_error");
export const isDeployError = guard("deploy_error");

/** The default retry policy (contract §2.8), evaluated in this order. */
export function isRetryableRun402Error(e) {
  try {
    return retryable(e);
  } catch {
    return false; // a hostile look-alike (throwing getters) is not retryable
  }
}

function retryable(e) {
  if (!isRun402Error(e)) return false;
  // The caller stopped this call; retrying would undo their decision.
  if (e.code === "ABORTED") return false;
  if (e.retryable === true) return true;
  if (e.kind === "deploy_error" && e.retryable === false) return false;
  const body = plainObject(e.body);
  if (body && Object.prototype.hasOwnProperty.call(body, "retryable") && body.retryable === false) return false;
  if (e.kind === "network_error") return true;
  const s = e.status;
  return s === 408 || s === 425 || s === 429 || (typeof s === "number" && s >= 500);
}

/** The factory the wasm side calls to create errors (one place, all kinds). */
export function makeError(kind, message, status, body, context, extra) {
  const err = construct(kind, message, status, body, context, extra);
  // SDK-made details, e.g. a refused payment's `reason` and `requirements`.
  if (extra.fields) Object.assign(err, extra.fields);
  return err;
}

function construct(kind, message, status, body, context, extra) {
  switch (kind) {
    case "project_not_found":
      return new ProjectNotFound(extra.projectId, context, status, body);
    case "network_error":
      return new NetworkError(message, extra.cause, context);
    case "local_error":
      return new LocalError(message, context, extra.cause);
    case "deploy_error":
      return new Run402DeployError(message, { code: extra.code ?? "INTERNAL_ERROR", status, body, context });
    default: {
      const Cls = ERROR_CLASSES[kind] ?? ApiError;
      return new Cls(message, status, body, context);
    }
  }
}
