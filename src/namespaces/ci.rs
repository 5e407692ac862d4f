//! `r.ci`: GitHub Actions OIDC federation over `/ci/v1/*` (contract §1.20).
//! A wallet links a repository to a project with a binding that carries a
//! signed delegation ([`delegation`]); a workflow trades its GitHub OIDC
//! token for a short-lived CI session (`exchangeToken`). Four members are
//! declared routes; `createBinding` is code because its body is the
//! delegation's canonical values, not the caller's.
//!
//! The root helpers (`signCiDelegation`, `buildCiDelegationStatement`,
//! `buildCiDelegationResourceUri`, the CI credential providers, the
//! constants) are declared in this namespace's types and implemented in
//! js/ci.js over [`delegation`].

pub mod delegation;

use crate::prelude::*;
use alloc::rc::Rc;

use crate::args::Args;
use crate::credentials::LocalFuture;
use crate::error::Result;
use crate::json::JsonExt;
use crate::kernel::{Call, Kernel};
use crate::routes::{field, route, Kind, Out, Route, RouteBody, Src, PROVIDER, PUBLIC_GET};
use crate::surface::{req, req_call_opts, Method, Namespace, Run, Scope};
use crate::value::Val;

/// The only provider v1 knows.
pub const PROVIDER_NAME: &str = "github-actions";

pub const NAMESPACE: Namespace = Namespace {
    name: "ci",
    ts_name: "Ci",
    doc: crate::ts!("GitHub Actions OIDC federation (/ci/v1/*): bindings signed by the project's wallet, and the token exchange a workflow uses."),
    scoped: false,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "createBinding",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req_call_opts("input", "CiCreateBindingInput & CallOptions")],
            returns: crate::ts!("CiBindingRow"),
            scope: Scope::Global,
            context: "creating CI binding",
            doc: crate::ts!("Links a GitHub repository (an OIDC subject pattern) to a project. `signed_delegation` comes from signCiDelegation(values) for the same values; they are checked and sent in canonical form (events deduplicated and sorted, route_scopes sorted and sent only when non-empty) before any request."),
            http: crate::ts!("POST /ci/v1/bindings · wallet sign-in (provider)"),
            run: Run::Code(create_binding),
        },
        Method {
            name: "listBindings",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req_call_opts("input", "CiListBindingsInput & CallOptions")],
            returns: crate::ts!("CiListBindingsResult"),
            scope: Scope::Global,
            context: "listing CI bindings",
            doc: crate::ts!("The project's CI bindings, revoked ones included."),
            http: crate::ts!(""),
            run: route(Route { query: &[field("project", Src::Opt(0, "project"), Kind::Str)], ..BINDINGS }),
        },
        Method {
            name: "getBinding",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("bindingId", "string")],
            returns: crate::ts!("CiBindingRow"),
            scope: Scope::Global,
            context: "getting CI binding",
            doc: crate::ts!("One binding by id (cib_...)."),
            http: crate::ts!(""),
            run: route(Route { path: "/ci/v1/bindings/{0}", ..BINDINGS }),
        },
        Method {
            name: "revokeBinding",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("bindingId", "string")],
            returns: crate::ts!("CiBindingRow"),
            scope: Scope::Global,
            context: "revoking CI binding",
            doc: crate::ts!("Revokes a binding: its sessions stop working at once. Deployed code stays deployed."),
            http: crate::ts!(""),
            run: route(Route { verb: "POST", path: "/ci/v1/bindings/{0}/revoke", ..BINDINGS }),
        },
        Method {
            name: "exchangeToken",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req_call_opts("input", "CiTokenExchangeInput & CallOptions")],
            returns: crate::ts!("CiTokenExchangeResponse"),
            scope: Scope::Global,
            context: "exchanging CI OIDC token",
            doc: crate::ts!("Trades a GitHub Actions OIDC token for a Run402 CI session (RFC 8693 token exchange; sent without credentials)."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "POST",
                path: "/ci/v1/token-exchange",
                body: RouteBody::Fields(&[
                    field("grant_type", Src::Const("urn:ietf:params:oauth:grant-type:token-exchange"), Kind::Str),
                    field("subject_token", Src::Opt(0, "subject_token"), Kind::Str),
                    field("subject_token_type", Src::Const("urn:ietf:params:oauth:token-type:jwt"), Kind::Str),
                    field("project_id", Src::Opt(0, "project_id"), Kind::Str),
                ]),
                ..PUBLIC_GET
            }),
        },
    ],
};

/// `GET /ci/v1/bindings` with the wallet's sign-in; the other binding routes vary it.
const BINDINGS: Route = Route { path: "/ci/v1/bindings", auth: PROVIDER, result: Out::Body, ..PUBLIC_GET };

/// Checks the input and builds the body before the future exists: no
/// request on bad input, and the future only awaits the exchange.
fn create_binding(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    let call = binding_request(&a);
    crate::namespaces::projects::send(k, a, call)
}

/// The binding body's fields, in the order sent.
const BINDING_FIELDS: [&str; 10] = [
    "project_id",
    "provider",
    "subject_match",
    "allowed_actions",
    "allowed_events",
    "github_repository_id",
    "expires_at",
    "nonce",
    "signed_delegation",
    "route_scopes",
];

fn binding_request(a: &Args) -> Result<Call> {
    let input = a.opt_object(0, "input")?.ok_or_else(|| a.error("`input` must be an object"))?;
    if input.str_field("provider").as_deref() != Some(PROVIDER_NAME) {
        return Err(a.error("`provider` must be \"github-actions\" (the only provider in v1)"));
    }
    let Some(signed) = input.str_field("signed_delegation").filter(|s| !s.is_empty()) else {
        return Err(a.error("`signed_delegation` is required: sign the same values with signCiDelegation(values)"));
    };
    let d = delegation::normalize(&input).map_err(|m| a.error(m))?;
    let strings = |v: Vec<String>| Val::Arr(v.into_iter().map(Val::Str).collect());
    // One loop over the wire's names: a `vec![(k.to_string(), v), ...]`
    // copies out every name at its own site.
    let values = [
        Val::Str(d.project_id),
        Val::Str(PROVIDER_NAME.into()),
        Val::Str(d.subject_match),
        Val::Arr(vec![Val::from(delegation::ACTION)]),
        strings(d.allowed_events),
        Val::from(d.github_repository_id),
        Val::from(d.expires_at),
        Val::Str(d.nonce),
        Val::Str(signed),
        strings(d.route_scopes),
    ];
    let mut fields = Vec::new();
    for (key, value) in BINDING_FIELDS.iter().zip(values) {
        // route_scopes (the last) only when non-empty.
        if !matches!(&value, Val::Arr(v) if v.is_empty()) || *key != "route_scopes" {
            fields.push((key.to_string(), value));
        }
    }
    let body = Val::Obj(fields);
    Ok(a.call("POST", "/ci/v1/bindings").json(body))
}

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"/** The only CI provider in v1. */
export declare const CI_GITHUB_ACTIONS_PROVIDER: "github-actions";
/** What a v1 binding may do: deploy, nothing else. */
export declare const V1_CI_ALLOWED_ACTIONS: readonly ["deploy"];
/** The workflow events a binding allows unless told otherwise. */
export declare const V1_CI_ALLOWED_EVENTS_DEFAULT: readonly ["push", "workflow_dispatch"];

export type CiProvider = typeof CI_GITHUB_ACTIONS_PROVIDER;
export type CiAllowedAction = (typeof V1_CI_ALLOWED_ACTIONS)[number];
export type CiAllowedEvent = (typeof V1_CI_ALLOWED_EVENTS_DEFAULT)[number] | (string & {});

/** Error codes the gateway's /ci/v1 routes answer with (in `code`/`error` of the body). */
export type CiErrorCode =
  | "nonce_replay" | "invalid_route_scopes" | "delegation_statement_mismatch" | "delegation_resource_uri_mismatch"
  | "signer_mismatch" | "delegation_oversized" | "delegation_parse_failed" | "delegation_signature_invalid"
  | "delegation_nonce_invalid" | "duplicate"
  | "invalid_request" | "invalid_token" | "access_denied" | "event_not_allowed" | "repository_id_mismatch" | "ambiguous_binding"
  | "payment_required" | "insufficient_scope" | "forbidden_spec_field" | "CI_ROUTE_SCOPE_DENIED" | "forbidden_plan"
  | (string & {});

/** What a binding authorizes; the delegation statement and Resource URI are built from these. */
export interface CiDelegationValues {
  project_id: string;
  /** Default https://token.actions.githubusercontent.com. */
  issuer?: string;
  /** Default https://api.run402.com. */
  audience?: string;
  /** The OIDC `sub` pattern, e.g. "repo:owner/name:ref:refs/heads/main"; one `*` allowed, only at the end. */
  subject_match: string;
  /** Exactly ["deploy"] in v1. */
  allowed_actions: readonly string[];
  /** Non-empty; deduplicated and sorted. */
  allowed_events: readonly string[];
  /** Public path scopes for route declarations ("/admin", "/api/*"); sorted. */
  route_scopes?: readonly string[];
  expires_at?: string | null;
  /** GitHub's numeric repository id, as a string; null soft-binds by name only. */
  github_repository_id?: string | null;
  /** 16 to 64 lower-case hex digits, fresh per binding. */
  nonce: string;
}

export interface CiCreateBindingInput extends Omit<CiDelegationValues, "issuer" | "audience"> {
  provider: CiProvider;
  allowed_actions: readonly CiAllowedAction[];
  allowed_events: readonly CiAllowedEvent[];
  /** From signCiDelegation(values) for these same values. */
  signed_delegation: string;
}

/** The gateway's record of the verified delegation. */
export interface ParsedDelegation {
  payload: Record<string, unknown>;
  raw: string;
  signer: string;
  verified_at: string;
}

export interface CiBindingRow {
  id: string;
  project_id: string;
  issuer: string;
  subject_match: string;
  allowed_actions: string[];
  allowed_events: string[];
  route_scopes: string[];
  github_repository_id: string | null;
  /** The wallet that signed the delegation. */
  created_by: string;
  nonce: string;
  created_sig?: ParsedDelegation | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  use_count: number;
  [key: string]: unknown;
}

export interface CiListBindingsInput {
  /** The project id. */
  project: string;
}

export interface CiListBindingsResult {
  bindings: CiBindingRow[];
}

export interface CiTokenExchangeInput {
  project_id: string;
  /** The GitHub Actions OIDC token (a JWT). */
  subject_token: string;
}

export interface CiTokenExchangeResponse {
  access_token: string;
  token_type: "Bearer" | (string & {});
  /** Seconds. */
  expires_in: number;
  scope: string;
}

/** The delegation statement the wallet signs (canonical text, at most 8192 bytes). Throws LocalError on bad values. */
export declare function buildCiDelegationStatement(values: CiDelegationValues): string;
/** The delegation's Resource URI, run402-ci-delegation:v1?... (at most 4096 bytes). Throws LocalError on bad values. */
export declare function buildCiDelegationResourceUri(values: CiDelegationValues): string;

export interface SignCiDelegationOptions {
  /** The wallet that signs: the project's owner. Required from the main entry; the /node entry reads the CLI's allowance file when absent. */
  allowance?: { address?: string; privateKey: string };
  /** Whose /ci/v1/bindings the delegation is for (default https://api.run402.com). */
  apiBase?: string;
  /** Default "eip155:84532". */
  chainId?: string;
  /** ISO-8601; default now. */
  issuedAt?: string;
  /** ISO-8601; default five minutes from now. */
  expirationTime?: string;
  /** The SIWX nonce; default the first 16 characters of values.nonce. */
  nonce?: string;
}

/** Signs the delegation in wasm (EIP-4361 statement + Resource URI, EIP-191): the `signed_delegation` for ci.createBinding. */
export declare function signCiDelegation(values: CiDelegationValues, opts?: SignCiDelegationOptions): string;

export interface CiSessionCredentialsOptions {
  projectId: string;
  accessToken?: string;
  getAccessToken?: () => MaybePromise<string>;
}

/** A provider that sends `Authorization: Bearer <CI session>` and knows one project (with empty keys). */
export declare function createCiSessionCredentials(opts: CiSessionCredentialsOptions): CredentialsProvider;

export interface GithubActionsCredentialsOptions {
  projectId: string;
  /** The gateway to exchange the token with (default https://api.run402.com). */
  apiBase?: string;
  /** The audience asked of GitHub (default https://api.run402.com). */
  audience?: string;
  /** Renew the session this many seconds before it expires (default 60). */
  refreshBeforeSeconds?: number;
  fetch?: typeof globalThis.fetch;
  /** Where ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are read (default process.env where there is one). */
  env?: Record<string, string | undefined>;
}

/** CI credentials inside GitHub Actions: GitHub's OIDC token exchanged for a Run402 CI session, cached and renewed. */
export declare function githubActionsCredentials(opts: GithubActionsCredentialsOptions): CredentialsProvider;
"#;

#[cfg(test)]
mod tests;
