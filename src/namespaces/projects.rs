//! `r.projects`: provision and delete projects, run SQL, query the REST API,
//! manage the expose manifest, and read the provider's local project state.

use crate::prelude::*;
use crate::args::Args;
use alloc::rc::Rc;

use crate::credentials::{self, Credentials, LocalFuture, ProjectKeys, ProviderMethod};
use crate::error::{Error, Result};
use crate::json::{type_name, Json, JsonExt, Shape};
use crate::kernel::encode::{encode_uri_component, form_query};
use crate::kernel::{Call, Kernel, Reply};
use crate::namespaces::steps::{self, Got, Steps, Waits};
use crate::routes::{route, Out, Route, RouteBody, Src, PROVIDER, ProjectFrom, PUBLIC_GET, SERVICE_GET};
use crate::surface::{call_opts, opt, req, Method, Namespace, Param, Run, Scope};
use crate::value::Val;

const ID: Param = req("id", "string");

pub const NAMESPACE: Namespace = Namespace {
    name: "projects",
    ts_name: "Projects",
    doc: crate::ts!("Provision, delete, list projects; SQL, REST, expose manifest; local key lookup."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "provision",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[call_opts("opts", "ProvisionOptions")],
            returns: crate::ts!("ProvisionResult"),
            scope: Scope::RootOnly,
            context: "provisioning project",
            doc: crate::ts!("POST /projects/v1 (paid). Saves the keys and makes the project active when the provider supports it."),
            http: crate::ts!("POST /projects/v1 · wallet sign-in (provider) · paid: the tier price (prototype $0.10, hobby $5, team $20) via x402"),
            run: Run::Code(provision),
        },
        Method {
            name: "delete",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[ID],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "deleting project",
            doc: crate::ts!("DELETE /projects/v1/{id}; then removes the project from the provider when it supports it."),
            http: crate::ts!("DELETE /projects/v1/{id} · service key"),
            run: Run::Code(delete),
        },
        Method {
            name: "list",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[opt("wallet", "string")],
            returns: crate::ts!("ListProjectsResult"),
            scope: Scope::Global,
            context: "listing projects",
            doc: crate::ts!("Projects owned by a wallet (default: the provider's allowance address)."),
            http: crate::ts!("GET /wallets/v1/{wallet}/projects · no auth"),
            run: Run::Code(list),
        },
        Method {
            name: "getUsage",
            aliases: &["usage"],
            generics: crate::ts!(""),
            params: &[ID],
            returns: crate::ts!("UsageReport"),
            scope: Scope::Project,
            context: "fetching usage",
            doc: crate::ts!("API calls and storage against the tier's limits."),
            http: crate::ts!(""),
            run: route(Route { path: "/projects/v1/admin/{id}/usage", ..SERVICE_GET }),
        },
        Method {
            name: "getSchema",
            aliases: &["schema"],
            generics: crate::ts!(""),
            params: &[ID],
            returns: crate::ts!("SchemaReport"),
            scope: Scope::Project,
            context: "fetching schema",
            doc: crate::ts!("Tables, columns, constraints and RLS policies."),
            http: crate::ts!(""),
            run: route(Route { path: "/projects/v1/admin/{id}/schema", ..SERVICE_GET }),
        },
        Method {
            name: "sql",
            aliases: &[],
            generics: crate::ts!("<Row = Record<string, unknown>>"),
            params: &[ID, req("sql", "string"), opt("params", "unknown[]")],
            returns: crate::ts!("SqlResult<Row>"),
            scope: Scope::Project,
            context: "running SQL",
            doc: crate::ts!("Runs SQL with the service key; non-empty params are bound as $1..$n."),
            http: crate::ts!("POST /projects/v1/admin/{id}/sql · service key"),
            run: Run::Code(sql),
        },
        Method {
            name: "rest",
            aliases: &[],
            generics: crate::ts!("<T = any>"),
            params: &[ID, req("table", "string"), call_opts("queryOrOptions", "string | ProjectRestOptions")],
            returns: crate::ts!("T"),
            scope: Scope::Project,
            context: "querying REST",
            doc: crate::ts!("PostgREST-style request to /rest/v1/{table}; resolves to the response body."),
            http: crate::ts!("GET|POST|PATCH|DELETE /rest/v1/{table}?{query} · anon key, or service key with keyType \"service\""),
            run: Run::Code(rest),
        },
        Method {
            name: "restResponse",
            aliases: &[],
            generics: crate::ts!("<T = unknown>"),
            params: &[ID, req("table", "string"), call_opts("queryOrOptions", "string | ProjectRestOptions")],
            returns: crate::ts!("ProjectRestResponse<T>"),
            scope: Scope::Project,
            context: "querying REST",
            doc: crate::ts!("Like rest(), but resolves to { status, body }."),
            http: crate::ts!("GET|POST|PATCH|DELETE /rest/v1/{table}?{query} · anon key, or service key with keyType \"service\""),
            run: Run::Code(rest_response),
        },
        Method {
            name: "applyExpose",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[ID, req("manifest", "ExposeManifest")],
            returns: crate::ts!("unknown"),
            scope: Scope::Project,
            context: "applying expose manifest",
            doc: crate::ts!("Applies an expose manifest (which tables the REST API serves, and their RLS)."),
            http: crate::ts!(""),
            run: route(Route { verb: "POST", path: "/projects/v1/admin/{id}/expose", body: RouteBody::Object(1), ..SERVICE_GET }),
        },
        Method {
            name: "validateExpose",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("manifest", "ExposeManifest | string"), call_opts("opts", "ValidateExposeOptions")],
            returns: crate::ts!("ExposeManifestValidationResult"),
            scope: Scope::OptionField { index: 1, keys: &["project", "project_id"] },
            context: "validating expose manifest",
            doc: crate::ts!("Validates a manifest, against a project's schema when one is given. Invalid JSON text is reported locally."),
            http: crate::ts!("POST /projects/v1/admin/{project}/expose/validate (service key) or POST /projects/v1/expose/validate (no project)"),
            run: Run::Code(validate_expose),
        },
        Method {
            name: "getExpose",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[ID],
            returns: crate::ts!("ExposeManifest"),
            scope: Scope::Project,
            context: "getting expose manifest",
            doc: crate::ts!("The project's current expose manifest."),
            http: crate::ts!(""),
            run: route(Route { path: "/projects/v1/admin/{id}/expose", ..SERVICE_GET }),
        },
        Method {
            name: "pin",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[ID],
            returns: crate::ts!("PinResult"),
            scope: Scope::Project,
            context: "pinning project",
            doc: crate::ts!("Platform-admin only: exempts a project from lease expiry."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "POST",
                path: "/projects/v1/admin/{id}/pin",
                auth: PROVIDER,
                body: RouteBody::None,
                query: &[],
                headers: &[("X-Admin-Mode", Src::Const("1"))],
                result: Out::Body,
                paid: false,
                project: ProjectFrom::Arg0,
            }),
        },
        Method {
            name: "getQuote",
            aliases: &["quote"],
            generics: crate::ts!(""),
            params: &[],
            returns: crate::ts!("QuoteResult"),
            scope: Scope::Global,
            context: "getting quote",
            doc: crate::ts!("Tier prices and limits (no auth)."),
            http: crate::ts!(""),
            run: route(Route { path: "/tiers/v1", ..PUBLIC_GET }),
        },
        Method {
            name: "promoteUser",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[ID, req("email", "string")],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "promoting user",
            doc: crate::ts!("Makes a project user an admin."),
            http: crate::ts!(""),
            run: route(Route { verb: "POST", path: "/projects/v1/admin/{id}/promote-user", body: RouteBody::Strings(&[("email", 1)]), result: Out::Void, ..SERVICE_GET }),
        },
        Method {
            name: "demoteUser",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[ID, req("email", "string")],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "demoting user",
            doc: crate::ts!("Removes a project user's admin role."),
            http: crate::ts!(""),
            run: route(Route { verb: "POST", path: "/projects/v1/admin/{id}/demote-user", body: RouteBody::Strings(&[("email", 1)]), result: Out::Void, ..SERVICE_GET }),
        },
        Method {
            name: "info",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[ID],
            returns: crate::ts!("ProjectInfo"),
            scope: Scope::Project,
            context: "fetching project info",
            doc: crate::ts!("Local: the provider's record for the project, with its id."),
            http: crate::ts!("local (provider only, no request)"),
            run: Run::Code(info),
        },
        Method {
            name: "keys",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[ID],
            returns: crate::ts!("ProjectKeys"),
            scope: Scope::Project,
            context: "fetching project keys",
            doc: crate::ts!("Local: the provider's keys for the project."),
            http: crate::ts!("local (provider only, no request)"),
            run: Run::Code(keys),
        },
        Method {
            name: "use",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[ID],
            returns: crate::ts!("void"),
            scope: Scope::RootOnly,
            context: "setting active project",
            doc: crate::ts!("Local: makes the project the provider's active one (needs setActiveProject)."),
            http: crate::ts!("local (provider only, no request)"),
            run: Run::Code(use_project),
        },
        Method {
            name: "active",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[],
            returns: crate::ts!("string | null"),
            scope: Scope::Global,
            context: "getting active project",
            doc: crate::ts!("Local: the provider's active project id, or null."),
            http: crate::ts!("local (provider only, no request)"),
            run: Run::Code(active),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export type ProjectTier = "prototype" | "hobby" | "team";

export interface ProvisionOptions extends CallOptions {
  tier?: ProjectTier;
  name?: string;
  /** Sent as Idempotency-Key (not in the body); default: one per withRetry scope, else random. */
  idempotencyKey?: string;
}

export interface ProvisionResult {
  project_id: string;
  anon_key: string;
  service_key: string;
  schema_slot: string;
  /** When the project's lease ends (ISO 8601), as the gateway's HTTP API documents. */
  lease_expires_at?: string;
  [key: string]: unknown;
}

export interface ProjectSummary {
  id: string;
  name: string;
  tier: string;
  status: string;
  api_calls: number;
  storage_bytes: number;
  lease_expires_at?: string | null;
  created_at: string;
  [key: string]: unknown;
}

export interface ListProjectsResult {
  wallet: string;
  projects: ProjectSummary[];
}

export interface UsageReport {
  project_id: string;
  tier: string;
  api_calls: number;
  api_calls_limit: number;
  storage_bytes: number;
  storage_limit_bytes: number;
  lease_expires_at?: string | null;
  status: string;
  [key: string]: unknown;
}

export interface ColumnSchema {
  name: string;
  type: string;
  nullable: boolean;
  default_value: string | null;
}

export interface ConstraintSchema {
  name: string;
  type: string;
  definition: string;
}

export interface RlsPolicy {
  name: string;
  command: string;
  using_expression: string | null;
  check_expression: string | null;
}

export interface TableSchema {
  name: string;
  columns: ColumnSchema[];
  constraints: ConstraintSchema[];
  rls_enabled: boolean;
  policies: RlsPolicy[];
}

export interface SchemaReport {
  schema: string;
  tables: TableSchema[];
}

/** The gateway's SQL answer, passed through as sent. */
export interface SqlResult<Row = Record<string, unknown>> {
  status?: string;
  schema?: string;
  rows?: Row[];
  rowCount?: number;
  [key: string]: unknown;
}

export type ProjectRestMethod = "GET" | "POST" | "PATCH" | "DELETE";
export type ProjectRestKeyType = "anon" | "service";

export interface ProjectRestOptions extends CallOptions {
  method?: ProjectRestMethod;
  /** Query string without the leading "?", or a record encoded like URLSearchParams. */
  query?: string | Record<string, string | number | boolean>;
  body?: unknown;
  /** Which project key authenticates the request (default "anon"). */
  keyType?: ProjectRestKeyType;
}

export interface ProjectRestResponse<T = unknown> {
  status: number;
  body: T;
}

export interface ExposeManifest {
  version?: string;
  tables?: Array<Record<string, unknown>>;
  views?: Array<Record<string, unknown>>;
  rpcs?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export interface ValidateExposeOptions extends CallOptions {
  project?: string;
  project_id?: string;
  migrationSql?: string;
}

export type ExposeManifestValidationIssueType =
  | "missing-table"
  | "missing-column"
  | "missing-view-base"
  | "missing-rpc"
  | "ambiguous-rpc"
  | "unrestricted-ack-required"
  | "sensitive-column-public-write"
  | "grant-to-role-unknown"
  | "force-owner-without-owner-column"
  | "validation-inconclusive"
  | "schema-shape"
  | (string & {});

export interface ExposeManifestValidationIssue {
  type: ExposeManifestValidationIssueType;
  severity: "error" | "warning";
  detail: string;
  fix?: string;
}

export interface ExposeManifestValidationResult {
  hasErrors: boolean;
  errors: ExposeManifestValidationIssue[];
  warnings: ExposeManifestValidationIssue[];
}

export interface PinResult {
  status: string;
  project_id: string;
  message?: string;
}

export interface TierQuote {
  price: string;
  lease_days: number;
  storage_mb: number;
  api_calls: number;
  max_functions: number;
  description: string;
}

export interface QuoteResult {
  tiers: Record<string, TierQuote>;
  auth?: Record<string, unknown>;
}

export interface ProjectInfo extends ProjectKeys {
  project_id: string;
}
"#;

// Every hand-written member is plain code that checks its arguments and
// builds its request (no request, no provider call on bad input), then one
// state machine, [`Plan`], run by the shared driver ([`steps`]): the
// provider lookups, the request, and the provider bookkeeping after it.

/// What a checked call does, and how far it has got.
struct Plan {
    /// The project whose keys the provider gives first (`None`: no lookup).
    project: Option<String>,
    /// The request, sent after the lookup with `key` placed first among its
    /// headers; `None`: no request.
    call: Option<Call>,
    key: Use,
    then: Then,
    stage: Stage,
    keys: Option<ProjectKeys>,
    reply: Option<Reply>,
    /// The provider methods still to call, last first.
    notes: Vec<Note>,
    out: Val,
    /// For [`Then::Timed`]: when the request went, then how long it took (ms).
    timer: f64,
}

/// Where a [`Plan`] is.
#[derive(Clone, Copy)]
enum Stage {
    Begin,
    Keys,
    Send,
    Finish,
    Notes,
}

/// Which of the project's keys the request carries.
#[derive(Clone, Copy)]
enum Use {
    Nothing,
    /// The service key as bearer.
    ServiceBearer,
    /// The anon key as `apikey` and bearer.
    Anon,
    /// The service key as `apikey` and bearer.
    Service,
    /// The service key as `apikey` only, first among the caller's headers
    /// (`functions.invoke`).
    ServiceApikey,
}

/// What the call resolves to.
#[derive(Clone, Copy)]
enum Then {
    /// The response body.
    Body,
    /// `{ status, body }`.
    Status,
    /// `undefined`, once the provider's `removeProject` has the project.
    Removed,
    /// A new project's keys, saved and made active (see [`new_project`]).
    NewProject,
    /// `{ project_id, ...keys }`.
    Info,
    /// The provider's record untouched.
    Keys,
    /// `undefined`, once the project is the provider's active one.
    Activate,
    /// The provider's active project id, or null; no request.
    Active,
    /// The same, which must be set (`client.resolveProject` without an id).
    Resolve,
    /// Like [`Then::Activate`], resolving to the id (`client.useProject`).
    Scope,
    /// `projects.list()` without a wallet: the allowance's address first.
    Wallet,
    /// `{ status: 200, body, duration_ms }`, the request timed (`functions.invoke`).
    Timed,
}

impl Plan {
    fn new(project: Option<String>, call: Option<Call>, key: Use, then: Then) -> Plan {
        Plan { project, call, key, then, stage: Stage::Begin, keys: None, reply: None, notes: Vec::new(), out: Val::Undefined, timer: 0.0 }
    }
}

/// One provider method to call with its arguments, if the provider has it.
type Note = (ProviderMethod, Vec<Val>);

/// Checks with `plan` and starts the driver (or fails at once).
#[inline(never)]
fn go(k: Rc<Kernel>, a: Args, plan: fn(&Kernel, &Args) -> Result<Plan>) -> LocalFuture<'static, Result<Val>> {
    match plan(&k, &a) {
        Ok(p) => steps::start(k, a, Box::new(p)),
        Err(e) => steps::ready(Err(e)),
    }
}

impl Steps for Plan {
    fn next(&mut self, k: &Kernel, a: &mut Args, _: usize, got: Result<Got>, ops: &mut Waits) -> Result<Option<Val>> {
        let c = k.credentials.as_ref();
        let ctx = a.context;
        match got? {
            Got::Active(id) => {
                if let (Then::Resolve, None) = (self.then, &id) {
                    return Err(Error::local(ctx, "No active project is set: call r.projects.use(id) first, or pass an id to r.project(id)"));
                }
                return Ok(Some(id.into()));
            }
            Got::Allowance(allowance) => self.call = Some(wallet_call(a, allowance.map(|r| r.address))?),
            Got::Keys(keys) => self.keys = Some(keys),
            Got::Reply(reply) => {
                self.reply = Some(reply);
                if let Then::Timed = self.then {
                    self.timer = crate::num::round_non_negative(k.transport.now_ms() - self.timer) as f64;
                }
            }
            _ => {}
        }
        loop {
            match self.stage {
                Stage::Begin => {
                    self.stage = Stage::Keys;
                    match self.then {
                        Then::Active | Then::Resolve => return Ok(ops.active(0, ctx)),
                        Then::Wallet => return Ok(ops.allowance(0, ctx)),
                        _ => {}
                    }
                }
                Stage::Keys => {
                    self.stage = Stage::Send;
                    if let Some(id) = &self.project {
                        return Ok(ops.keys(0, id.clone(), ctx));
                    }
                }
                Stage::Send => {
                    self.stage = Stage::Finish;
                    if let Some(call) = self.call.take() {
                        if let Then::Timed = self.then {
                            self.timer = k.transport.now_ms();
                        }
                        return Ok(ops.send(0, with_key(call, self.key, self.keys.as_ref())));
                    }
                }
                Stage::Finish => {
                    self.stage = Stage::Notes;
                    let (mut notes, out) = finish(c, ctx, self)?;
                    notes.reverse();
                    self.notes = notes;
                    self.out = out;
                }
                Stage::Notes => match self.notes.pop() {
                    Some((method, args)) if c.has(method) => return Ok(ops.invoke(0, method, args, ctx)),
                    Some(_) => {}
                    None => return Ok(Some(core::mem::replace(&mut self.out, Val::Undefined))),
                },
            }
        }
    }
}

/// The call with the project's key placed before its own headers.
#[inline(never)]
fn with_key(mut call: Call, key: Use, keys: Option<&ProjectKeys>) -> Call {
    let Some(keys) = keys else { return call };
    let (apikey, bearer) = match key {
        Use::Nothing => return call,
        Use::ServiceBearer => (None, &keys.service_key),
        Use::Anon => (Some(&keys.anon_key), &keys.anon_key),
        Use::Service => (Some(&keys.service_key), &keys.service_key),
        Use::ServiceApikey => {
            call.headers.insert(0, ("apikey".into(), keys.service_key.clone()));
            return call;
        }
    };
    let mut front = Vec::new();
    if let Some(key) = apikey {
        front.push(("apikey".to_string(), key.clone()));
    }
    front.push(("Authorization".to_string(), ["Bearer ", bearer].concat()));
    call.headers.splice(0..0, front);
    call
}

/// The result, and the provider methods to call before it is returned.
#[inline(never)]
fn finish(c: &dyn Credentials, ctx: &'static str, p: &mut Plan) -> Result<(Vec<Note>, Val)> {
    let id = p.project.take().unwrap_or_default();
    let raw = p.keys.take().map(|k| k.raw);
    let reply = p.reply.take();
    let body = || reply.as_ref().map_or(Val::Undefined, |r| r.body.clone());
    Ok(match p.then {
        Then::Body | Then::Wallet | Then::Active | Then::Resolve => (Vec::new(), body()),
        Then::Status => {
            let status = reply.as_ref().map_or(0, |r| r.status);
            (Vec::new(), Val::object().with("status", status).with("body", body()))
        }
        Then::Removed => (vec![(ProviderMethod::RemoveProject, vec![id.into()])], Val::Undefined),
        Then::NewProject => match reply {
            Some(reply) => new_project(reply, ctx)?,
            None => (Vec::new(), Val::Undefined),
        },
        // `{ project_id, ...keys }`: the provider's fields follow, as in a spread.
        Then::Info => (Vec::new(), raw.map_or(Val::Undefined, |raw| Val::object().with("project_id", id).spread(&raw))),
        Then::Keys => (Vec::new(), raw.map_or(Val::Undefined, Val::Json)),
        Then::Activate => (vec![activation(c, id, ctx)?], Val::Undefined),
        Then::Scope => (vec![activation(c, id.clone(), ctx)?], Val::Str(id)),
        // Always 200, as in the reference: a non-2xx answer has already
        // been turned into an error.
        Then::Timed => (Vec::new(), Val::object().with("status", 200u16).with("body", body()).with("duration_ms", Val::Num(p.timer))),
    })
}

fn provision(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, |_, a| {
        let mut body = Val::object();
        let opts = a.opt_object(0, "opts")?;
        if let Some(opts) = &opts {
            if let Some(tier) = a.opt_field_string(opts, "tier")? {
                crate::namespaces::tier::check_tier(a, &tier)?;
                body = body.with("tier", tier);
            }
            if let Some(name) = a.opt_field_string(opts, "name")? {
                body = body.with("name", name);
            }
        }
        let call = a.paid_post("/projects/v1", opts.as_ref())?.json(body);
        Ok(Plan::new(None, Some(call), Use::Nothing, Then::NewProject))
    })
}

/// Sends `call` (a paid create: `provision`, `apps.fork`), then keeps the
/// new project (see [`new_project`]).
pub(crate) fn create_project(k: Rc<Kernel>, a: Args, call: Result<Call>) -> LocalFuture<'static, Result<Val>> {
    plain(k, a, call, Then::NewProject)
}

/// Sends one checked request and resolves to its body (`ci.createBinding`):
/// a [`Plan`] with no keys and no bookkeeping.
pub(crate) fn send(k: Rc<Kernel>, a: Args, call: Result<Call>) -> LocalFuture<'static, Result<Val>> {
    plain(k, a, call, Then::Body)
}

/// `functions.invoke`'s checked request (less its key), the project, and
/// whether the caller set `apikey` itself: the service key goes as
/// `apikey` unless so, and the answer is timed.
pub(crate) fn timed(k: Rc<Kernel>, a: Args, checked: Result<(Call, String, bool)>) -> LocalFuture<'static, Result<Val>> {
    match checked {
        Ok((call, id, own_key)) => {
            let key = if own_key { Use::Nothing } else { Use::ServiceApikey };
            steps::start(k, a, Box::new(Plan::new(Some(id), Some(call), key, Then::Timed)))
        }
        Err(e) => steps::ready(Err(e)),
    }
}

fn plain(k: Rc<Kernel>, a: Args, call: Result<Call>, then: Then) -> LocalFuture<'static, Result<Val>> {
    match call {
        Ok(call) => steps::start(k, a, Box::new(Plan::new(None, Some(call), Use::Nothing, then))),
        Err(e) => steps::ready(Err(e)),
    }
}

/// A new project's keys from the gateway's answer, saved with the provider
/// and the project made active (each when the provider can); an answer
/// without them is an error.
#[inline(never)]
fn new_project(reply: Reply, context: &'static str) -> Result<(Vec<Note>, Val)> {
    let result = reply.json().filter(|j| j.is_object()).cloned();
    let fields = result.as_ref().and_then(|j| {
        Some((j.str_field("project_id")?, j.str_field("anon_key")?, j.str_field("service_key")?))
    });
    let Some((project_id, anon_key, service_key)) = fields else {
        return Err(Error::bad_response(
            reply.status,
            reply.body,
            context,
            "The gateway's answer lacks project_id, anon_key or service_key",
        ));
    };
    let keys = Val::object().with("anon_key", anon_key).with("service_key", service_key);
    let notes = vec![
        (ProviderMethod::SaveProject, vec![project_id.clone().into(), keys]),
        (ProviderMethod::SetActiveProject, vec![project_id.into()]),
    ];
    Ok((notes, reply.body))
}

fn delete(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, |_, a| {
        let id = a.project_id(0)?;
        let call = a.call("DELETE", ["/projects/v1/", &id].concat());
        Ok(Plan::new(Some(id), Some(call), Use::ServiceBearer, Then::Removed))
    })
}

fn list(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, |k, a| {
        if let Some(wallet) = a.opt_string(0, "wallet")? {
            return Ok(Plan::new(None, Some(wallet_call(a, Some(wallet))?), Use::Nothing, Then::Body));
        }
        credentials::needs(&*k.credentials, ProviderMethod::ReadAllowance, a.context, "projects.list() needs when no wallet is given; pass a wallet address")?;
        Ok(Plan::new(None, None, Use::Nothing, Then::Wallet))
    })
}

/// The listing request for a wallet (`None`: the provider has no allowance).
fn wallet_call(a: &Args, wallet: Option<String>) -> Result<Call> {
    let wallet = wallet.ok_or_else(|| Error::local(a.context, "No allowance is configured: create one, or pass a wallet address"))?;
    if !is_address(&wallet) {
        return Err(a.error(["`wallet` must be a 0x-prefixed 20-byte hex address, got \"", &wallet, "\""].concat()));
    }
    Ok(a.call("GET", ["/wallets/v1/", &wallet.to_ascii_lowercase(), "/projects"].concat()).no_auth())
}

fn is_address(s: &str) -> bool {
    s.len() == 42 && s.starts_with("0x") && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn sql(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, |_, a| {
        let id = a.project_id(0)?;
        let sql = a.non_empty(1, "sql")?;
        let params = match a.get(2) {
            None => None,
            Some(p) => match p.shape() {
                Shape::Array(0) => None,
                Shape::Array(_) => Some(p.clone()),
                other => return Err(a.error(["`params` must be an array, got ", type_name(&other)].concat())),
            },
        };
        let call = a.call("POST", ["/projects/v1/admin/", &id, "/sql"].concat());
        let call = match params {
            Some(params) => call
                .header("Content-Type", "application/json")
                .json(Val::object().with("sql", sql).with("params", params)),
            None => call.header("Content-Type", "text/plain").text(sql),
        };
        Ok(Plan::new(Some(id), Some(call), Use::ServiceBearer, Then::Body))
    })
}

const REST_METHODS: &[&str] = &["GET", "POST", "PATCH", "DELETE"];

fn rest(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, |_, a| rest_plan(a, Then::Body))
}

fn rest_response(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, |_, a| rest_plan(a, Then::Status))
}

fn rest_plan(a: &Args, then: Then) -> Result<Plan> {
    let id = a.project_id(0)?;
    let table = a.non_empty(1, "table")?;
    let (mut method, mut query, mut body, mut service): (&'static str, String, Option<Json>, bool) = ("GET", String::new(), None, false);
    match a.get(2) {
        None => {}
        Some(q) => match q.shape() {
            Shape::String => query = q.as_string().unwrap_or_default(),
            Shape::Object => {
                if let Some(m) = a.opt_field_string(q, "method")? {
                    let upper = m.to_ascii_uppercase();
                    let Some(known) = REST_METHODS.iter().find(|k| **k == upper) else {
                        return Err(a.error(["`method` must be one of GET, POST, PATCH, DELETE, got \"", &m, "\""].concat()));
                    };
                    method = known;
                }
                match a.opt_field_string(q, "keyType")?.as_deref() {
                    None | Some("anon") => {}
                    Some("service") => service = true,
                    Some(other) => return Err(a.error(["`keyType` must be \"anon\" or \"service\", got \"", other, "\""].concat())),
                }
                query = rest_query(a, q.field("query"))?;
                body = q.field("body");
            }
            other => return Err(a.error(["`queryOrOptions` must be a string or an object, got ", type_name(&other)].concat())),
        },
    }
    if body.is_some() && method == "GET" {
        return Err(a.error("a GET request cannot carry a `body`; use method POST or PATCH"));
    }
    let query = query.strip_prefix('?').unwrap_or(&query);
    let mut path = ["/rest/v1/", &encode_uri_component(&table)].concat();
    if !query.is_empty() {
        path.push('?');
        path.push_str(query);
    }
    let mut call = a.call(method, path).no_auth();
    if method != "GET" {
        call = call.header("Prefer", "return=representation");
    }
    if let Some(body) = body {
        call = call.json(Val::Json(body));
    }
    Ok(Plan::new(Some(id), Some(call), if service { Use::Service } else { Use::Anon }, then))
}

/// A query given as text is used as is; a record is form-encoded.
fn rest_query(a: &Args, query: Option<Json>) -> Result<String> {
    let Some(q) = query else { return Ok(String::new()) };
    match q.shape() {
        Shape::String => Ok(q.as_string().unwrap_or_default()),
        Shape::Object => {
            let mut pairs = Vec::new();
            for key in q.keys() {
                let Some(field) = q.field(&key) else { continue };
                let value = match field.shape() {
                    Shape::String => field.as_string().unwrap_or_default(),
                    Shape::Number(_) => field.number_text().unwrap_or_default(),
                    Shape::Bool(b) => (if b { "true" } else { "false" }).to_string(),
                    other => {
                        return Err(a.error(["`query.", &key, "` must be a string, number or boolean, got ", type_name(&other)].concat()))
                    }
                };
                pairs.push((key, value));
            }
            Ok(form_query(&pairs))
        }
        Shape::Null | Shape::Undefined => Ok(String::new()),
        other => Err(a.error(["`query` must be a string or a record, got ", type_name(&other)].concat())),
    }
}

fn validate_expose(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    let parse = |text: &Json| k.transport.parse_json(text);
    let plan = expose_plan(&a, &parse);
    match plan {
        Ok(Ok(p)) => steps::start(k, a, Box::new(p)),
        Ok(Err(local)) => steps::ready(Ok(local)),
        Err(e) => steps::ready(Err(e)),
    }
}

/// The validation request, or the local answer for manifest text that is
/// not JSON.
fn expose_plan(a: &Args, parse: &dyn Fn(&Json) -> core::result::Result<Json, String>) -> Result<core::result::Result<Plan, Val>> {
    let opts = a.opt_object(1, "opts")?;
    let (mut project, mut migration_sql) = (None, None);
    if let Some(o) = &opts {
        let p = a.opt_field_string(o, "project")?;
        let pid = a.opt_field_string(o, "project_id")?;
        if let (Some(p), Some(pid)) = (&p, &pid) {
            if p != pid {
                return Err(a.error("`project` and `project_id` name different projects; pass one"));
            }
        }
        project = p.or(pid);
        migration_sql = a.opt_field_string(o, "migrationSql")?;
    }
    let manifest = match a.get(0).map(|m| (m.shape(), m)) {
        Some((Shape::String, text)) => match parse(text) {
            Ok(parsed) => parsed,
            Err(reason) => return Ok(Err(invalid_manifest_text(&reason))),
        },
        Some((Shape::Object, m)) => m.clone(),
        Some((other, _)) => return Err(a.error(["`manifest` must be an object or JSON text, got ", type_name(&other)].concat())),
        None => return Err(a.error("`manifest` is required")),
    };
    let mut body = Val::object().with("manifest", Val::Json(manifest));
    if let Some(sql) = migration_sql {
        body = body.with("migration_sql", sql);
    }
    Ok(Ok(match project {
        Some(project) => {
            crate::args::check_project_id(&project).map_err(|m| a.error(m))?;
            let call = a.call("POST", ["/projects/v1/admin/", &project, "/expose/validate"].concat()).no_auth().json(body);
            Plan::new(Some(project), Some(call), Use::ServiceBearer, Then::Body)
        }
        None => Plan::new(None, Some(a.call("POST", "/projects/v1/expose/validate").json(body)), Use::Nothing, Then::Body),
    }))
}

/// The local answer for manifest text that is not JSON: no request is made.
fn invalid_manifest_text(reason: &str) -> Val {
    let issue = Val::object()
        .with("type", "schema-shape")
        .with("severity", "error")
        .with("detail", ["Expose manifest JSON is invalid: ", reason].concat())
        .with("fix", "Pass a manifest object, or text that parses as one, then validate again.");
    Val::object()
        .with("hasErrors", true)
        .with("errors", Val::Arr(vec![issue]))
        .with("warnings", Val::Arr(Vec::new()))
}

/// A member that needs only the project's checked id and its keys.
fn local(a: &Args, then: Then) -> Result<Plan> {
    Ok(Plan::new(Some(a.project_id(0)?), None, Use::Nothing, then))
}

fn info(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, |_, a| local(a, Then::Info))
}

fn keys(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, |_, a| local(a, Then::Keys))
}

fn use_project(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, |_, a| local(a, Then::Activate))
}

fn active(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, |_, _| Ok(Plan::new(None, None, Use::Nothing, Then::Active)))
}

/// `client.resolveProject` without an id: the provider's active project,
/// which must be set.
pub(crate) fn resolve_active(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, |k, a| {
        credentials::needs(&*k.credentials, ProviderMethod::GetActiveProject, a.context, "r.project() needs when called without an id; pass an explicit project id")?;
        Ok(Plan::new(None, None, Use::Nothing, Then::Resolve))
    })
}

/// `client.useProject`: `projects.use(id)`, resolving to the id.
pub(crate) fn use_for_client(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, |_, a| local(a, Then::Scope))
}

/// `setActiveProject(id)`, or the error for a provider without it.
#[inline(never)]
fn activation(c: &dyn Credentials, id: String, context: &str) -> Result<Note> {
    credentials::needs(c, ProviderMethod::SetActiveProject, context, "setting the active project needs (providers without local state cannot track one)")?;
    Ok((ProviderMethod::SetActiveProject, vec![id.into()]))
}
