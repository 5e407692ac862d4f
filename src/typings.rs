//! Renders the package's `index.d.ts` from [`crate::surface`] and
//! [`crate::error::ErrorKind`]: the Rust definitions are the only source of
//! the declarations. The test run diffs the output against the committed
//! snapshot, and `tsc --strict` checks examples against it.

use crate::prelude::*;
use alloc::fmt::Write;

use crate::error::ErrorKind;
use crate::surface::{Kind, Method, Namespace, Scope, NAMESPACES};

/// The complete declaration file.
pub fn render() -> String {
    let mut out = String::from(HEADER);
    render_errors(&mut out);
    out.push_str(RETRY);
    out.push_str(CREDENTIALS);
    for ns in NAMESPACES.iter().filter(|ns| !ns.internal) {
        let _ = write!(out, "\n// ── {} ──\n\n", ns.name);
        out.push_str(ns.types);
        render_namespace(&mut out, ns, false);
        if ns.scoped {
            render_namespace(&mut out, ns, true);
        }
    }
    render_client(&mut out);
    out
}

const HEADER: &str = "// Generated from the Rust definitions (src/surface.rs, src/namespaces/*, src/error.rs).\n// Do not edit: run the build, which regenerates it.\n\n";

fn render_errors(out: &mut String) {
    let kinds: Vec<String> = ErrorKind::ALL.iter().map(|k| format!("\"{}\"", k.as_str())).collect();
    let _ = writeln!(out, "/** Stable discriminator on every Run402Error. */\nexport type Run402ErrorKind = {};\n", kinds.join(" | "));
    out.push_str(ERROR_BASE);
    for kind in ErrorKind::ALL {
        let _ = writeln!(
            out,
            "export declare class {} extends Run402Error {{\n  readonly kind: \"{}\";\n{}}}\n",
            kind.class_name(),
            kind.as_str(),
            error_members(*kind)
        );
    }
    out.push_str("/** Brand check: true for any Run402 error, from any copy of any Run402 SDK. */\nexport declare function isRun402Error(e: unknown): e is Run402Error;\n");
    for kind in ErrorKind::ALL {
        let _ = writeln!(out, "export declare function {}(e: unknown): e is {};", kind.guard_name(), kind.class_name());
    }
    out.push_str("/** The retry policy withRetry uses by default: 408/425/429/5xx, network errors, gateway-flagged retryable. */\nexport declare function isRetryableRun402Error(e: unknown): boolean;\n");
}

/// Members beyond the base class, per kind.
fn error_members(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ProjectNotFound => "  readonly projectId: string;\n  constructor(projectId: string, context: string, status?: number | null, body?: unknown);\n",
        ErrorKind::NetworkError => "  readonly cause: unknown;\n  constructor(message: string, cause: unknown, context: string);\n",
        ErrorKind::LocalError => "  readonly cause?: unknown;\n  constructor(message: string, context: string, cause?: unknown);\n",
        ErrorKind::DeployError => DEPLOY_ERROR_MEMBERS,
        ErrorKind::PaymentRequired => PAYMENT_REQUIRED_MEMBERS,
        ErrorKind::Unauthorized | ErrorKind::ApiError => "",
    }
}

const ERROR_BASE: &str = r#"/** Base class of every error the SDK throws. Branch with the is* guards, not instanceof. */
export declare abstract class Run402Error extends Error {
  readonly isRun402Error: true;
  abstract readonly kind: Run402ErrorKind;
  /** HTTP status, or null when no response was received. */
  readonly status: number | null;
  /** The decoded response body (JSON value or text), or null. */
  readonly body: unknown;
  /** Short verb phrase naming the attempted operation, e.g. "provisioning project". */
  readonly context: string;
  readonly code?: string;
  readonly category?: string;
  readonly retryable?: boolean;
  readonly safeToRetry?: boolean;
  readonly mutationState?: string;
  readonly traceId?: string;
  readonly details?: unknown;
  readonly nextActions?: unknown[];
  constructor(message: string, status: number | null, body: unknown, context: string);
  /** The canonical envelope, so JSON.stringify(e) keeps every structured field. */
  toJSON(): Record<string, unknown>;
}

"#;

// Set on a 402 the SDK did not or could not pay (src/kernel/pay.rs), and
// kept by toJSON, so an agent reading the JSON envelope can see the price.
const PAYMENT_REQUIRED_MEMBERS: &str = r#"  /** Why the SDK did not pay, e.g. no allowance, or the spend policy refused. */
  readonly reason?: string;
  /** The server's x402 `accepts` array as it sent it (v2 header or v1 body): the offers the SDK saw. */
  readonly requirements?: unknown[];
"#;

const DEPLOY_ERROR_MEMBERS: &str = r#"  readonly code: string;
  readonly phase: string | null;
  readonly resource: string | null;
  readonly retryable: boolean;
  readonly operationId: string | null;
  readonly planId: string | null;
  readonly fix: { action: string; path?: string; [key: string]: unknown } | null;
  readonly logs: string[] | null;
  readonly rolledBack: boolean;
  readonly attempts?: number;
  readonly maxRetries?: number;
  readonly lastRetryCode?: string;
  constructor(message: string, init: {
    code: string;
    phase?: string | null;
    resource?: string | null;
    retryable?: boolean;
    operationId?: string | null;
    planId?: string | null;
    fix?: { action: string; path?: string; [key: string]: unknown } | null;
    logs?: string[] | null;
    rolledBack?: boolean;
    attempts?: number;
    maxRetries?: number;
    lastRetryCode?: string;
    status?: number | null;
    body?: unknown;
    context: string;
  });
"#;

const RETRY: &str = r#"
export interface RetryOptions {
  /** Total attempts including the first: a positive integer (default 3); anything else is a LocalError. */
  attempts?: number;
  /** Delay before the first retry in ms (default 250); doubles each time. */
  baseDelayMs?: number;
  /** Cap on any one delay in ms (default 5000). */
  maxDelayMs?: number;
  /** Whether to retry after this error (default isRetryableRun402Error). */
  retryIf?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait; exceptions it throws are ignored. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs fn, retrying with exponential backoff; re-throws the last error unchanged. */
export declare function withRetry<T>(fn: () => Promise<T>, opts?: RetryOptions): Promise<T>;
"#;

const CREDENTIALS: &str = r#"
/** A project's keys as the credentials provider stores them. */
export interface ProjectKeys {
  anon_key: string;
  service_key: string;
  site_url?: string;
  deployed_at?: string;
  last_deployment_id?: string;
  mailbox_id?: string;
  mailbox_address?: string;
}

/** A local wallet used to pay and sign in. privateKey is a secret. */
export interface AllowanceData {
  address: string;
  privateKey: string;
  created?: string;
  funded?: boolean;
  lastFaucet?: string;
  rail?: "x402" | "mpp";
}

/** Metadata passed as getAuth's second argument. */
export interface AuthRequestMeta {
  /** The SDK method making the request, e.g. "projects.provision". */
  method?: string;
  /** The full request URL (apiBase + path), e.g. for a wallet sign-in. */
  url?: string;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * Where credentials come from. getAuth and getProject are required; the rest
 * are optional and enable local state (saving keys, an active project, a
 * wallet). Every method may be sync or async.
 */
export interface CredentialsProvider {
  getAuth(path: string, meta?: AuthRequestMeta): MaybePromise<Record<string, string> | null>;
  getProject(id: string): MaybePromise<ProjectKeys | null>;
  saveProject?(id: string, project: ProjectKeys): MaybePromise<void>;
  updateProject?(id: string, patch: Partial<ProjectKeys>): MaybePromise<void>;
  removeProject?(id: string): MaybePromise<void>;
  setActiveProject?(id: string): MaybePromise<void>;
  getActiveProject?(): MaybePromise<string | null>;
  readAllowance?(): MaybePromise<AllowanceData | null>;
  saveAllowance?(data: AllowanceData): MaybePromise<void>;
  createAllowance?(): MaybePromise<AllowanceData>;
  getAllowancePath?(): string;
}

/** Where allowanceCredentials finds the wallet: the wallet itself, or a function that reads it (one is required). */
export type AllowanceSource =
  | { allowance: AllowanceData | null; readAllowance?: () => MaybePromise<AllowanceData | null> }
  | { allowance?: AllowanceData | null; readAllowance: () => MaybePromise<AllowanceData | null> };

export type AllowanceCredentialsOptions = AllowanceSource & {
  saveAllowance?: (data: AllowanceData) => MaybePromise<void>;
  /** Project keys by id (a Map or a record; provision saves into it), or a lookup. */
  projects?: Map<string, ProjectKeys> | Record<string, ProjectKeys>;
  getProject?: (id: string) => MaybePromise<ProjectKeys | null>;
};

/**
 * A provider that signs in with the wallet (SIGN-IN-WITH-X, EIP-4361 signed
 * in wasm) and pays x402 requests from it. Works in any runtime.
 */
export declare function allowanceCredentials(opts: AllowanceCredentialsOptions): CredentialsProvider;

/** EIP-712 domain of an EIP-3009 token (e.g. USDC: name "USDC" or "USD Coin", version "2"). */
export interface TransferDomain {
  name: string;
  version: string;
  chainId: number | string;
  verifyingContract: string;
}

/** EIP-3009 TransferWithAuthorization; uint256 fields as decimal strings. */
export interface TransferAuthorization {
  from: string;
  to: string;
  value: string;
  validAfter: string;
  validBefore: string;
  /** 0x + 64 hex digits. */
  nonce: string;
}

/** Signs an EIP-3009 authorization in wasm: 0x + r ‖ s ‖ v (65 bytes, v = 27/28, low s). */
export declare function signTransferAuthorization(privateKey: string, domain: TransferDomain, message: TransferAuthorization): string;
"#;

fn render_namespace(out: &mut String, ns: &Namespace, scoped: bool) {
    let prefix = if scoped { "Scoped" } else { "" };
    let _ = write!(out, "\n/** {}{} */\nexport interface {prefix}{} {{\n", ns.doc, if scoped { " Bound to one project." } else { "" }, ns.ts_name);
    for m in ns.methods {
        let m = if scoped { m.scoped() } else { m };
        if scoped && matches!(m.scope, Scope::RootOnly | Scope::Variant(_)) {
            continue;
        }
        let sig = signature(m, scoped);
        let _ = writeln!(out, "  /** {} */\n  {}{sig};", m.doc, m.name);
        if !scoped {
            for alias in m.aliases {
                let _ = writeln!(out, "  /** Alias of {}(). */\n  {alias}{sig};", m.name);
            }
        }
    }
    for child in children(ns).filter(|c| c.scoped || !scoped) {
        let _ = writeln!(out, "  /** {} */\n  readonly {}: {prefix}{};", child.doc, child.property(), child.ts_name);
    }
    out.push_str("}\n");
}

/// The public namespaces nested directly under `ns`.
fn children(ns: &Namespace) -> impl Iterator<Item = &'static Namespace> + '_ {
    NAMESPACES.iter().copied().filter(move |c| !c.internal && c.parent() == Some(ns.name))
}

fn signature(m: &Method, scoped: bool) -> String {
    let skip = usize::from(scoped && matches!(m.scope, Scope::Project));
    // A scoped client supplies the project field itself, so the caller may leave it out.
    let injected = match m.scope {
        Scope::OptionField { index, keys } if scoped => Some((index, keys)),
        _ => None,
    };
    let params: Vec<String> = m
        .params
        .iter()
        .enumerate()
        .skip(skip)
        .map(|(i, p)| {
            let ts = match injected {
                Some((index, keys)) if index == i => {
                    let keys: Vec<String> = keys.iter().map(|k| format!("\"{k}\"")).collect();
                    format!("ScopedOptions<{}, {}>", p.ts, keys.join(" | "))
                }
                _ => p.ts.to_string(),
            };
            format!("{}{}: {}", p.name, if p.optional { "?" } else { "" }, ts)
        })
        .collect();
    format!("{}({}): {}", m.generics, params.join(", "), result_type(m))
}

/// What a call returns: a promise of the result (adapted operations too),
/// or (operations and synchronous methods) the declared type itself.
pub fn result_type(m: &Method) -> String {
    match m.run.kind() {
        // Every adapter (js/adapters.js) hands back a promise of `returns`.
        Kind::Promise | Kind::Adapted => format!("Promise<{}>", m.returns),
        Kind::Operation | Kind::Sync => m.returns.to_string(),
    }
}

fn render_client(out: &mut String) {
    let public: Vec<&&Namespace> = NAMESPACES.iter().filter(|ns| !ns.internal && ns.parent().is_none()).collect();
    out.push_str(CLIENT_OPTIONS);
    out.push_str("\n/** The Run402 client. Construction is synchronous. */\nexport declare class Run402 {\n  constructor(opts: Run402Options);\n");
    for ns in &public {
        let _ = writeln!(out, "  readonly {}: {};", ns.name, ns.ts_name);
        for alias in ns.hidden_aliases {
            let _ = writeln!(out, "  /** Alias of {} (not enumerable). */\n  readonly {alias}: {};", ns.name, ns.ts_name);
        }
    }
    out.push_str("  /** A client bound to one project (default: the provider's active project). Does not change provider state. */\n  project(id?: string): Promise<ScopedRun402>;\n");
    out.push_str("  /** projects.use(id), then project(id). */\n  useProject(id: string): Promise<ScopedRun402>;\n}\n");
    out.push_str("\n/** A client bound to one project: methods drop their leading project id. */\nexport interface ScopedRun402 {\n  readonly projectId: string;\n");
    for ns in public.iter().filter(|ns| ns.scoped) {
        let _ = writeln!(out, "  readonly {}: Scoped{};", ns.name, ns.ts_name);
    }
    out.push_str("}\n\n/** Same as new Run402(opts). */\nexport declare function run402(opts: Run402Options): Run402;\n");
}

const CLIENT_OPTIONS: &str = r#"
// ── client ──

/** An options object on a project-scoped client: the fields `K` the client fills in become optional. */
export type ScopedOptions<T, K extends PropertyKey> = T extends object ? Omit<T, K & keyof T> & { [P in K & keyof T]?: T[P] } : T;

export interface Run402Options {
  /** Gateway base URL, e.g. "https://api.run402.com" (paths are appended as is). */
  apiBase: string;
  credentials: CredentialsProvider;
  /** Transport; defaults to the runtime's global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Limits on x402 payments made from the provider's allowance. */
  payments?: PaymentOptions;
  /**
   * Milliseconds each gateway exchange (request until its body is read) and
   * each async provider call may take before the call fails with
   * NetworkError code "TIMEOUT". Default 60000; 0 disables.
   */
  timeoutMs?: number;
}

/** Per-call limits, accepted by every method that takes an options object. */
export interface CallOptions {
  /** Aborts the call: it rejects with NetworkError code "ABORTED" and its fetch is aborted. */
  signal?: AbortSignal;
  /** Overrides the client's timeoutMs for this call (0 disables). */
  timeoutMs?: number;
}
"#;

#[cfg(test)]
mod tests {
    /// The committed snapshot is what the package ships; any change to the
    /// Rust surface must be reviewed there (regenerate with `./dev typings`).
    // The snapshot is the shipped surface; a test-hooks build adds the
    // probe namespace (src/namespaces/test_probe.rs) on purpose.
    #[cfg(not(feature = "test-hooks"))]
    #[test]
    fn declarations_match_the_committed_snapshot() {
        let snapshot = include_str!("../tests/snapshots/index.d.ts");
        let rendered = super::render();
        if rendered != snapshot {
            let line = rendered.lines().zip(snapshot.lines()).position(|(a, b)| a != b);
            panic!("index.d.ts differs from tests/snapshots/index.d.ts (first differing line: {line:?}); run ./dev typings and review the diff");
        }
    }
}
