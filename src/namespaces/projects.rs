//! `r.projects`: provision and delete projects, run SQL, query the REST API,
//! manage the expose manifest, and read the provider's local project state.

use crate::prelude::*;
use crate::args::Args;
use crate::credentials::{self, ProviderMethod};
use crate::error::{Error, Result};
use crate::handler;
use crate::json::{type_name, Json, JsonExt, Shape};
use crate::kernel::encode::{encode_uri_component, form_query};
use crate::kernel::Kernel;
use crate::routes::{route, Out, Route, RouteBody, Src, PROVIDER, PUBLIC, ProjectFrom, SERVICE_GET};
use crate::surface::{call_opts, opt, req, Method, Namespace, Param, Scope};
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
            generics: "",
            params: &[call_opts("opts", "ProvisionOptions")],
            returns: crate::ts!("ProvisionResult"),
            scope: Scope::RootOnly,
            context: "provisioning project",
            doc: crate::ts!("POST /projects/v1 (paid). Saves the keys and makes the project active when the provider supports it."),
            http: crate::ts!("POST /projects/v1 · wallet sign-in (provider) · paid: the tier price (prototype $0.10, hobby $5, team $20) via x402"),
            run: handler!(provision),
        },
        Method {
            name: "delete",
            aliases: &[],
            generics: "",
            params: &[ID],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "deleting project",
            doc: crate::ts!("DELETE /projects/v1/{id}; then removes the project from the provider when it supports it."),
            http: crate::ts!("DELETE /projects/v1/{id} · service key"),
            run: handler!(delete),
        },
        Method {
            name: "list",
            aliases: &[],
            generics: "",
            params: &[opt("wallet", "string")],
            returns: crate::ts!("ListProjectsResult"),
            scope: Scope::Global,
            context: "listing projects",
            doc: crate::ts!("Projects owned by a wallet (default: the provider's allowance address)."),
            http: crate::ts!("GET /wallets/v1/{wallet}/projects · no auth"),
            run: handler!(list),
        },
        Method {
            name: "getUsage",
            aliases: &["usage"],
            generics: "",
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
            generics: "",
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
            run: handler!(sql),
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
            run: handler!(rest),
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
            run: handler!(rest_response),
        },
        Method {
            name: "applyExpose",
            aliases: &[],
            generics: "",
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
            generics: "",
            params: &[req("manifest", "ExposeManifest | string"), call_opts("opts", "ValidateExposeOptions")],
            returns: crate::ts!("ExposeManifestValidationResult"),
            scope: Scope::OptionField { index: 1, keys: &["project", "project_id"] },
            context: "validating expose manifest",
            doc: crate::ts!("Validates a manifest, against a project's schema when one is given. Invalid JSON text is reported locally."),
            http: crate::ts!("POST /projects/v1/admin/{project}/expose/validate (service key) or POST /projects/v1/expose/validate (no project)"),
            run: handler!(validate_expose),
        },
        Method {
            name: "getExpose",
            aliases: &[],
            generics: "",
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
            generics: "",
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
            generics: "",
            params: &[],
            returns: crate::ts!("QuoteResult"),
            scope: Scope::Global,
            context: "getting quote",
            doc: crate::ts!("Tier prices and limits (no auth)."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "GET",
                path: "/tiers/v1",
                auth: PUBLIC,
                body: RouteBody::None,
                query: &[],
                headers: &[],
                result: Out::Body,
                paid: false,
                project: ProjectFrom::Arg0,
            }),
        },
        Method {
            name: "promoteUser",
            aliases: &[],
            generics: "",
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
            generics: "",
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
            generics: "",
            params: &[ID],
            returns: crate::ts!("ProjectInfo"),
            scope: Scope::Project,
            context: "fetching project info",
            doc: crate::ts!("Local: the provider's record for the project, with its id."),
            http: crate::ts!("local (provider only, no request)"),
            run: handler!(info),
        },
        Method {
            name: "keys",
            aliases: &[],
            generics: "",
            params: &[ID],
            returns: crate::ts!("ProjectKeys"),
            scope: Scope::Project,
            context: "fetching project keys",
            doc: crate::ts!("Local: the provider's keys for the project."),
            http: crate::ts!("local (provider only, no request)"),
            run: handler!(keys),
        },
        Method {
            name: "use",
            aliases: &[],
            generics: "",
            params: &[ID],
            returns: crate::ts!("void"),
            scope: Scope::RootOnly,
            context: "setting active project",
            doc: crate::ts!("Local: makes the project the provider's active one (needs setActiveProject)."),
            http: crate::ts!("local (provider only, no request)"),
            run: handler!(use_project),
        },
        Method {
            name: "active",
            aliases: &[],
            generics: "",
            params: &[],
            returns: crate::ts!("string | null"),
            scope: Scope::Global,
            context: "getting active project",
            doc: crate::ts!("Local: the provider's active project id, or null."),
            http: crate::ts!("local (provider only, no request)"),
            run: handler!(active),
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

async fn provision(k: &Kernel, a: Args) -> Result<Val> {
    let mut body = Val::object();
    let opts = a.opt_object(0, "opts")?;
    if let Some(opts) = &opts {
        if let Some(tier) = a.opt_field_string(opts, "tier")? {
            crate::namespaces::tier::check_tier(&a, &tier)?;
            body = body.with("tier", tier);
        }
        if let Some(name) = a.opt_field_string(opts, "name")? {
            body = body.with("name", name);
        }
    }
    let reply = k.send(a.paid_post("/projects/v1", opts.as_ref())?.json(body)).await?;
    keep_new_project(k, reply, a.context).await
}

/// A new project's keys from the gateway's answer, saved with the provider
/// and the project made active (each when the provider can); an answer
/// without them is an error. Shared by `provision` and `apps.fork`.
pub(crate) async fn keep_new_project(k: &Kernel, reply: crate::kernel::Reply, context: &'static str) -> Result<Val> {
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
    let c = k.credentials.as_ref();
    let keys = Val::object().with("anon_key", anon_key).with("service_key", service_key);
    credentials::notify_if_present(c, ProviderMethod::SaveProject, vec![project_id.clone().into(), keys], context).await?;
    credentials::notify_if_present(c, ProviderMethod::SetActiveProject, vec![project_id.into()], context).await?;
    Ok(reply.body)
}

async fn delete(k: &Kernel, a: Args) -> Result<Val> {
    let id = a.project_id(0)?;
    let keys = k.project_keys(&id, a.context).await?;
    k.send(a.call("DELETE", format!("/projects/v1/{id}")).bearer(&keys.service_key)).await?;
    let c = k.credentials.as_ref();
    credentials::notify_if_present(c, ProviderMethod::RemoveProject, vec![id.into()], a.context).await?;
    Ok(Val::Undefined)
}

async fn list(k: &Kernel, a: Args) -> Result<Val> {
    let wallet = match a.opt_string(0, "wallet")? {
        Some(w) => w,
        None => {
            let c = k.credentials.as_ref();
            if !c.has(ProviderMethod::ReadAllowance) {
                return Err(credentials::missing(
                    ProviderMethod::ReadAllowance,
                    a.context,
                    "projects.list() needs when no wallet is given; pass a wallet address",
                ));
            }
            credentials::read_allowance(c, a.context)
                .await?
                .ok_or_else(|| Error::local(a.context, "No allowance is configured: create one, or pass a wallet address"))?
                .address
        }
    };
    if !is_address(&wallet) {
        return Err(a.error(format!("`wallet` must be a 0x-prefixed 20-byte hex address, got \"{wallet}\"")));
    }
    let path = format!("/wallets/v1/{}/projects", wallet.to_ascii_lowercase());
    Ok(k.send(a.call("GET", path).no_auth()).await?.body)
}

fn is_address(s: &str) -> bool {
    s.len() == 42 && s.starts_with("0x") && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

async fn sql(k: &Kernel, a: Args) -> Result<Val> {
    let id = a.project_id(0)?;
    let sql = a.non_empty(1, "sql")?;
    let params = match a.get(2) {
        None => None,
        Some(p) => match p.shape() {
            Shape::Array(0) => None,
            Shape::Array(_) => Some(p.clone()),
            other => return Err(a.error(format!("`params` must be an array, got {}", type_name(&other)))),
        },
    };
    let keys = k.project_keys(&id, a.context).await?;
    let call = a.call("POST", format!("/projects/v1/admin/{id}/sql")).bearer(&keys.service_key);
    let call = match params {
        Some(params) => call
            .header("Content-Type", "application/json")
            .json(Val::object().with("sql", sql).with("params", params)),
        None => call.header("Content-Type", "text/plain").text(sql),
    };
    Ok(k.send(call).await?.body)
}

const REST_METHODS: &[&str] = &["GET", "POST", "PATCH", "DELETE"];

async fn rest(k: &Kernel, a: Args) -> Result<Val> {
    Ok(rest_call(k, &a).await?.1)
}

async fn rest_response(k: &Kernel, a: Args) -> Result<Val> {
    let (status, body) = rest_call(k, &a).await?;
    Ok(Val::object().with("status", status).with("body", body))
}

async fn rest_call(k: &Kernel, a: &Args) -> Result<(u16, Val)> {
    let id = a.project_id(0)?;
    let table = a.non_empty(1, "table")?;
    let (mut method, mut query, mut body, mut service) = ("GET".to_string(), String::new(), None, false);
    match a.get(2) {
        None => {}
        Some(q) => match q.shape() {
            Shape::String => query = q.as_string().unwrap_or_default(),
            Shape::Object => {
                if let Some(m) = a.opt_field_string(q, "method")? {
                    method = m.to_ascii_uppercase();
                    if !REST_METHODS.contains(&method.as_str()) {
                        return Err(a.error(format!("`method` must be one of {}, got \"{m}\"", REST_METHODS.join(", "))));
                    }
                }
                match a.opt_field_string(q, "keyType")?.as_deref() {
                    None | Some("anon") => {}
                    Some("service") => service = true,
                    Some(other) => return Err(a.error(format!("`keyType` must be \"anon\" or \"service\", got \"{other}\""))),
                }
                query = rest_query(a, q.field("query"))?;
                body = q.field("body");
            }
            other => {
                return Err(a.error(format!("`queryOrOptions` must be a string or an object, got {}", type_name(&other))))
            }
        },
    }
    if body.is_some() && method == "GET" {
        return Err(a.error("a GET request cannot carry a `body`; use method POST or PATCH"));
    }
    let keys = k.project_keys(&id, a.context).await?;
    let key = if service { keys.service_key } else { keys.anon_key };
    let query = query.strip_prefix('?').unwrap_or(&query).to_string();
    let path = if query.is_empty() {
        format!("/rest/v1/{}", encode_uri_component(&table))
    } else {
        format!("/rest/v1/{}?{query}", encode_uri_component(&table))
    };
    let method: &'static str = REST_METHODS.iter().find(|m| **m == method).copied().unwrap_or("GET");
    let mut call = a.call(method, path).no_auth().header("apikey", key.clone()).bearer(&key);
    if method != "GET" {
        call = call.header("Prefer", "return=representation");
    }
    if let Some(body) = body {
        call = call.json(Val::Json(body));
    }
    let reply = k.send(call).await?;
    Ok((reply.status, reply.body))
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
                    Shape::Bool(b) => b.to_string(),
                    other => {
                        return Err(a.error(format!("`query.{key}` must be a string, number or boolean, got {}", type_name(&other))))
                    }
                };
                pairs.push((key, value));
            }
            Ok(form_query(&pairs))
        }
        Shape::Null | Shape::Undefined => Ok(String::new()),
        other => Err(a.error(format!("`query` must be a string or a record, got {}", type_name(&other)))),
    }
}

async fn validate_expose(k: &Kernel, a: Args) -> Result<Val> {
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
        Some((Shape::String, text)) => match k.transport.parse_json(text) {
            Ok(parsed) => parsed,
            Err(reason) => return Ok(invalid_manifest_text(&reason)),
        },
        Some((Shape::Object, m)) => m.clone(),
        Some((other, _)) => return Err(a.error(format!("`manifest` must be an object or JSON text, got {}", type_name(&other)))),
        None => return Err(a.error("`manifest` is required")),
    };
    let mut body = Val::object().with("manifest", Val::Json(manifest));
    if let Some(sql) = migration_sql {
        body = body.with("migration_sql", sql);
    }
    let call = match project {
        Some(project) => {
            crate::args::check_project_id(&project).map_err(|m| a.error(m))?;
            let keys = k.project_keys(&project, a.context).await?;
            a.call("POST", format!("/projects/v1/admin/{project}/expose/validate"))
                .no_auth()
                .bearer(&keys.service_key)
        }
        None => a.call("POST", "/projects/v1/expose/validate"),
    };
    Ok(k.send(call.json(body)).await?.body)
}

/// The local answer for manifest text that is not JSON: no request is made.
fn invalid_manifest_text(reason: &str) -> Val {
    let issue = Val::object()
        .with("type", "schema-shape")
        .with("severity", "error")
        .with("detail", format!("Expose manifest JSON is invalid: {reason}"))
        .with("fix", "Pass a manifest object, or text that parses as one, then validate again.");
    Val::object()
        .with("hasErrors", true)
        .with("errors", Val::Arr(vec![issue]))
        .with("warnings", Val::Arr(Vec::new()))
}

async fn info(k: &Kernel, a: Args) -> Result<Val> {
    let id = a.project_id(0)?;
    let keys = k.project_keys(&id, a.context).await?;
    // `{ project_id, ...keys }`: the provider's fields follow, as in a spread.
    Ok(Val::object().with("project_id", id).spread(&keys.raw))
}

async fn keys(k: &Kernel, a: Args) -> Result<Val> {
    let id = a.project_id(0)?;
    Ok(Val::Json(k.project_keys(&id, a.context).await?.raw))
}

async fn use_project(k: &Kernel, a: Args) -> Result<Val> {
    let id = a.project_id(0)?;
    set_active(k, &id, a.context).await?;
    Ok(Val::Undefined)
}

/// Checks the provider knows the project, then makes it active.
pub async fn set_active(k: &Kernel, id: &str, context: &str) -> Result<()> {
    k.project_keys(id, context).await?;
    let c = k.credentials.as_ref();
    if !c.has(ProviderMethod::SetActiveProject) {
        return Err(credentials::missing(
            ProviderMethod::SetActiveProject,
            context,
            "setting the active project needs (providers without local state cannot track one)",
        ));
    }
    c.invoke(ProviderMethod::SetActiveProject, vec![id.into()], context).await?;
    Ok(())
}

async fn active(k: &Kernel, a: Args) -> Result<Val> {
    Ok(credentials::get_active_project(k.credentials.as_ref(), a.context).await?.into())
}
