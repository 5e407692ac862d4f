//! `r.functions`: a project's serverless functions, deployed, invoked, read
//! back (list, logs), changed (schedule, timeout, memory) and deleted.
//!
//! `list` and `delete` are declared routes. `deploy`, `logs` and `update`
//! are declared routes too, behind a synchronous step that checks what the
//! vocabulary has no words for (the name pattern, the `deps` refusals, cron
//! fields, ISO timestamps) and hands the route the wire's own shapes as
//! arguments (`schedule: null` kept, `config` nested, `since` in epoch ms).
//! Only `invoke` is code: its verb, headers and body all come from the caller.

use std::rc::Rc;

use crate::args::Args;
use crate::credentials::LocalFuture;
use crate::error::Result;
use crate::handler;
use crate::json::{type_name, Json, JsonExt, Native, Shape};
use crate::kernel::Kernel;
use crate::routes::{self, field, route, Kind, Out, Route, RouteBody, Src, SERVICE_GET};
use crate::surface::{call_opts, req, req_call_opts, Method, Namespace, Run, Scope, PROJECT_ID};
use crate::value::Val;

pub const NAMESPACE: Namespace = Namespace {
    name: "functions",
    ts_name: "Functions",
    doc: crate::ts!("Serverless functions: deploy, invoke, logs, list, update (schedule, timeout, memory), delete."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "deploy",
            aliases: &[],
            generics: "",
            params: &[PROJECT_ID, req_call_opts("opts", "FunctionDeployOptions")],
            returns: crate::ts!("FunctionDeployResult"),
            scope: Scope::Project,
            context: "deploying function",
            doc: crate::ts!("Deploys (or replaces) a function: an ES module whose default export takes a Request and returns a Response. Checked locally first: name ^[a-z0-9][a-z0-9_-]{0,127}$, non-blank code, config.timeout/memory positive whole numbers, at most 30 deps of at most 200 characters without whitespace (not @run402/functions, run402-functions, sharp, canvas or bcrypt), schedule a 5-field cron string or null."),
            http: crate::ts!("POST /projects/v1/admin/{id}/functions · service key"),
            run: Run::Code(deploy),
        },
        Method {
            name: "invoke",
            aliases: &[],
            generics: "",
            params: &[PROJECT_ID, req("name", "string"), call_opts("opts", "FunctionInvokeOptions")],
            returns: crate::ts!("FunctionInvokeResult"),
            scope: Scope::Project,
            context: "invoking function",
            doc: crate::ts!("Calls a deployed function at /functions/v1/{name} with the service key as apikey (your headers may override it). A string body goes as is, anything else as JSON; GET and HEAD take no body. Resolves to { status: 200, body (parsed JSON or text), duration_ms }; a non-2xx answer rejects."),
            http: crate::ts!("{opts.method ?? POST} /functions/v1/{name} · apikey: service key (+ provider headers)"),
            run: handler!(invoke),
        },
        Method {
            name: "logs",
            aliases: &[],
            generics: "",
            params: &[PROJECT_ID, req("name", "string"), call_opts("opts", "FunctionLogsOptions")],
            returns: crate::ts!("FunctionLogsResult"),
            scope: Scope::Project,
            context: "fetching function logs",
            doc: crate::ts!("Recent log lines: the last `tail` (default 50, at most 1000), optionally only those at or after `since` (epoch ms, or an ISO 8601 date or date-time with Z or an offset) or of one request (`requestId`, req_...)."),
            http: crate::ts!("GET /projects/v1/admin/{id}/functions/{name}/logs?tail&since&request_id · service key"),
            run: Run::Code(logs),
        },
        Method {
            name: "list",
            aliases: &[],
            generics: "",
            params: &[PROJECT_ID],
            returns: crate::ts!("FunctionListResult"),
            scope: Scope::Project,
            context: "listing functions",
            doc: crate::ts!("The project's functions with their settings and schedule state."),
            http: crate::ts!(""),
            run: route(DEPLOY_LIST),
        },
        Method {
            name: "delete",
            aliases: &[],
            generics: "",
            params: &[PROJECT_ID, req("name", "string")],
            returns: crate::ts!("DeleteFunctionResult"),
            scope: Scope::Project,
            context: "deleting function",
            doc: crate::ts!("Deletes a function (and its schedule)."),
            http: crate::ts!(""),
            run: route(Route { verb: "DELETE", path: "/projects/v1/admin/{id}/functions/{1}", ..SERVICE_GET }),
        },
        Method {
            name: "update",
            aliases: &[],
            generics: "",
            params: &[PROJECT_ID, req("name", "string"), req_call_opts("opts", "FunctionUpdateOptions")],
            returns: crate::ts!("FunctionUpdateResult"),
            scope: Scope::Project,
            context: "updating function",
            doc: crate::ts!("Changes a function's schedule (null removes it), timeout or memory without redeploying; at least one is required."),
            http: crate::ts!("PATCH /projects/v1/admin/{id}/functions/{name} · service key"),
            run: Run::Code(update),
        },
    ],
};


#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export interface FunctionConfig {
  /** Seconds; the tier's limit applies (prototype 10, hobby 30, team 60). */
  timeout?: number;
  /** MB; the tier's limit applies (prototype 128, hobby 256, team 512). */
  memory?: number;
}

export interface FunctionDeployOptions extends CallOptions {
  /** Lower-case URL-safe slug, the invoke path's last segment. */
  name: string;
  /** An ES module: `export default async (req: Request) => Response`. */
  code: string;
  config?: FunctionConfig;
  /** npm specs to bundle: "lodash", "lodash@4.17.21", "date-fns@^3.0.0". */
  deps?: string[];
  /** A 5-field cron expression; null for none. */
  schedule?: string | null;
}

export interface FunctionDeployResult {
  name: string;
  url: string;
  status: string;
  runtime: string;
  timeout: number;
  memory: number;
  schedule?: string | null;
  created_at: string;
  runtime_version?: string | null;
  /** Dependency name → the version installed. */
  deps_resolved?: Record<string, string> | null;
  warnings?: string[];
  [key: string]: unknown;
}

export interface FunctionInvokeOptions extends CallOptions {
  /** HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS, any case); default POST. */
  method?: string;
  /** A string is sent as is (no Content-Type added); anything else as JSON. */
  body?: string | Record<string, unknown> | unknown[];
  /** Sent after the apikey header, so they may replace it. */
  headers?: Record<string, string>;
}

export interface FunctionInvokeResult {
  status: number;
  /** Parsed JSON when the function answered JSON, else its text. */
  body: unknown;
  duration_ms: number;
}

export interface FunctionLogEntry {
  timestamp: string;
  message: string;
  event_id?: string;
  log_stream_name?: string;
  ingestion_time?: string;
  request_id?: string;
  [key: string]: unknown;
}

export interface FunctionLogsOptions extends CallOptions {
  /** How many of the latest lines, 1 to 1000; default 50. */
  tail?: number;
  /** Epoch milliseconds (a number or its digits), or an ISO 8601 date or date-time with Z or an offset. */
  since?: string | number;
  /** Only the lines of this request (req_ and 4 to 128 of A-Z a-z 0-9 _ -). */
  requestId?: string;
}

export interface FunctionLogsResult {
  logs: FunctionLogEntry[];
}

export interface FunctionScheduleMeta {
  last_run_at?: string;
  last_status?: number;
  next_run_at?: string;
  run_count?: number;
  last_error?: string | null;
  [key: string]: unknown;
}

export interface FunctionSummary {
  name: string;
  url: string;
  runtime: string;
  timeout: number;
  memory: number;
  schedule?: string | null;
  schedule_meta?: FunctionScheduleMeta | null;
  created_at: string;
  updated_at: string;
  runtime_version?: string | null;
  deps_resolved?: Record<string, string> | null;
  [key: string]: unknown;
}

export interface FunctionListResult {
  functions: FunctionSummary[];
}

export interface DeleteFunctionResult {
  status: string;
  name: string;
  [key: string]: unknown;
}

export interface FunctionUpdateOptions extends CallOptions {
  /** A 5-field cron expression; null removes the schedule; absent leaves it. */
  schedule?: string | null;
  timeout?: number;
  memory?: number;
}

export interface FunctionUpdateResult {
  name: string;
  runtime: string;
  timeout: number;
  memory: number;
  schedule: string | null;
  schedule_meta: FunctionScheduleMeta | null;
  updated_at: string;
  runtime_version?: string | null;
  deps_resolved?: Record<string, string> | null;
  [key: string]: unknown;
}
"#;

/// `list`'s wire; `deploy` posts its checked options to the same path.
const DEPLOY_LIST: Route = Route { path: "/projects/v1/admin/{id}/functions", ..SERVICE_GET };
const DEPLOY: Route = Route { verb: "POST", body: RouteBody::Object(1), ..DEPLOY_LIST };
const UPDATE: Route = Route { verb: "PATCH", path: "/projects/v1/admin/{id}/functions/{1}", body: RouteBody::Object(2), ..SERVICE_GET };
const LOGS: Route = Route {
    path: "/projects/v1/admin/{id}/functions/{1}/logs",
    query: &[
        field("tail", Src::Opt(2, "tail"), Kind::Str),
        field("since", Src::Opt(2, "since"), Kind::OptStr),
        field("request_id", Src::Opt(2, "requestId"), Kind::OptStr),
    ],
    result: Out::Body,
    ..SERVICE_GET
};

/// Runs `route` on the arguments `prepare` made, or fails with its error.
/// Not an `async fn`: the future has the shape every declared route runs
/// in, so the optimizer shares the interpreter's code.
fn declared(k: Rc<Kernel>, prepared: Result<Args>, route: &'static Route) -> LocalFuture<'static, Result<Val>> {
    match prepared {
        Ok(a) => Box::pin(async move { routes::run(&k, a, route).await }),
        Err(e) => Box::pin(std::future::ready(Err(e))),
    }
}

/// The call's arguments with the one at `index` replaced by `value`: the
/// wire form of the caller's options, for the declared route to send.
fn replacing(a: &Args, index: usize, value: Json) -> Args {
    let mut items: Vec<Json> = (0..index).map(|i| a.get(i).cloned().unwrap_or_else(Native::undefined)).collect();
    items.push(value);
    let mut out = Args::new(a.namespace, a.method, a.context, items);
    out.params = a.params;
    out.retry_key = a.retry_key.clone();
    out
}

/// An object of the given fields (the caller's own values, `null` included).
fn object(fields: Vec<(String, Json)>) -> Json {
    Rc::new(Native::Overlay { base: None, extra: fields })
}

/// The required options object at `index`.
fn options(a: &Args, index: usize) -> Result<Json> {
    let name = a.param_name(index);
    a.opt_object(index, name)?.ok_or_else(|| a.error(["`", name, "` must be an object"].concat()))
}

fn deploy(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    let prepared = deploy_body(&a).map(|body| replacing(&a, 1, body));
    declared(k, prepared, &DEPLOY)
}

/// `{name, code, config?, deps?, schedule?}` from the checked options.
fn deploy_body(a: &Args) -> Result<Json> {
    let opts = options(a, 1)?;
    let name = a.opt_field_string(&opts, "name")?.unwrap_or_default();
    if !is_function_name(&name) {
        return Err(a.error("`name` must be a lower-case URL-safe function name (1-128 of a-z 0-9 _ -, starting with a letter or digit)"));
    }
    if a.opt_field_string(&opts, "code")?.is_none_or(|c| c.trim().is_empty()) {
        return Err(a.error("`code` must be a non-empty source string"));
    }
    let mut body = Vec::new();
    for key in ["name", "code"] {
        if let Some(v) = opts.field(key) {
            body.push((key.to_string(), v));
        }
    }
    if let Some(config) = opts.field("config") {
        if !config.is_object() {
            return Err(a.error(["`config` must be an object, got ", type_name(&config.shape())].concat()));
        }
        for key in ["timeout", "memory"] {
            check_positive(a, config.field(key).as_ref(), key, None)?;
        }
        body.push(("config".into(), config));
    }
    if let Some(deps) = opts.field("deps") {
        check_deps(a, &deps)?;
        body.push(("deps".into(), deps));
    }
    if let Some(schedule) = opts.field("schedule") {
        check_schedule(a, &schedule)?;
        body.push(("schedule".into(), schedule));
    }
    Ok(object(body))
}

fn update(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    let prepared = update_body(&a).map(|body| replacing(&a, 2, body));
    declared(k, prepared, &UPDATE)
}

/// `{schedule?, config?: {timeout?, memory?}}`: the flat options nested as
/// the wire has them.
fn update_body(a: &Args) -> Result<Json> {
    let opts = options(a, 2)?;
    let mut config = Vec::new();
    for key in ["timeout", "memory"] {
        if let Some(v) = opts.field(key) {
            check_positive(a, Some(&v), key, None)?;
            config.push((key.to_string(), v));
        }
    }
    let schedule = opts.field("schedule");
    if let Some(s) = &schedule {
        check_schedule(a, s)?;
    }
    if schedule.is_none() && config.is_empty() {
        return Err(a.error("give at least one of `schedule`, `timeout` or `memory`"));
    }
    let mut body: Vec<(String, Json)> = schedule.map(|s| ("schedule".to_string(), s)).into_iter().collect();
    if !config.is_empty() {
        body.push(("config".into(), object(config)));
    }
    Ok(object(body))
}

/// The most lines one `logs` call returns.
const MAX_TAIL: f64 = 1000.0;

fn logs(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    let prepared = logs_query(&a).map(|query| replacing(&a, 2, query));
    declared(k, prepared, &LOGS)
}

/// `{tail, since?, requestId?}` as the query's texts.
fn logs_query(a: &Args) -> Result<Json> {
    let opts = a.opt_object(2, "opts")?;
    let field = |key: &str| opts.as_ref().and_then(|o| o.field(key));
    // `tail ?? 50`, as the reference reads it.
    let tail = match field("tail").filter(|t| !t.is_nullish()) {
        None => "50".to_string(),
        Some(t) => {
            check_positive(a, Some(&t), "tail", Some(MAX_TAIL))?;
            t.number_text().unwrap_or_default()
        }
    };
    let mut query = vec![("tail".to_string(), Native::string(tail))];
    if let Some(since) = field("since") {
        let ms = since_ms(&since).ok_or_else(|| {
            a.error("`since` must be epoch milliseconds or an ISO 8601 date or date-time with Z or an offset (at or after 1970)")
        })?;
        query.push(("since".into(), Native::string(ms.to_string())));
    }
    if let Some(id) = field("requestId") {
        if !id.as_string().is_some_and(|s| is_request_id(&s)) {
            return Err(a.error("`requestId` must be req_ followed by 4 to 128 of A-Z a-z 0-9 _ -"));
        }
        query.push(("requestId".into(), id));
    }
    Ok(object(query))
}

/// The methods `invoke` takes (what `fetch` sends as given; a method
/// outside the list would need a verb the kernel cannot hold).
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

async fn invoke(k: &Kernel, a: Args) -> Result<Val> {
    let id = a.project_id(0)?;
    let name = a.string(1, "name")?;
    if !is_function_name(&name) {
        return Err(a.error("`name` must be a lower-case URL-safe function name (1-128 of a-z 0-9 _ -, starting with a letter or digit)"));
    }
    let opts = a.opt_object(2, "opts")?;
    let field = |key: &str| opts.as_ref().and_then(|o| o.field(key)).filter(|v| !v.is_nullish());
    let method = match opts.as_ref().map(|o| a.opt_field_string(o, "method")).transpose()?.flatten() {
        None => "POST",
        Some(m) => {
            let upper = m.to_ascii_uppercase();
            METHODS.iter().copied().find(|x| *x == upper).ok_or_else(|| a.error(format!("`method` must be one of {}, got \"{m}\"", METHODS.join(", "))))?
        }
    };
    let body = field("body");
    if body.is_some() && matches!(method, "GET" | "HEAD") {
        return Err(a.error(format!("a {method} request cannot carry a `body`")));
    }
    let mut headers = Vec::new();
    if let Some(h) = field("headers") {
        if !h.is_object() {
            return Err(a.error(["`headers` must be an object, got ", type_name(&h.shape())].concat()));
        }
        for key in h.keys() {
            let value = h.field(&key).and_then(|v| v.as_string()).ok_or_else(|| a.error(format!("`headers.{key}` must be a string")))?;
            headers.push((key, value));
        }
    }
    let keys = k.project_keys(&id, a.context).await?;
    let mut call = a.call(method, ["/functions/v1/", &name].concat()).header("apikey", keys.service_key.as_str());
    for (key, value) in headers {
        // The caller's headers come after the key, so theirs win (by any case).
        call.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&key));
        call = call.header(&key, value);
    }
    call = match body.map(|b| (b.shape(), b)) {
        None => call,
        Some((Shape::String, text)) => call.text(text.as_string().unwrap_or_default()),
        Some((Shape::Object | Shape::Array(_) | Shape::Number(_) | Shape::Bool(_), json)) => call.json(Val::Json(json)),
        Some((other, _)) => return Err(a.error(["`body` must be a string or JSON data, got ", type_name(&other)].concat())),
    };
    let started = k.transport.now_ms();
    let reply = k.send(call).await?;
    let elapsed = (k.transport.now_ms() - started).max(0.0).round();
    // Always 200, as in the reference: any other 2xx is success too, and a
    // non-2xx answer has already been turned into an error.
    Ok(Val::object().with("status", 200u16).with("body", reply.body).with("duration_ms", Val::Num(elapsed)))
}

/// `^[a-z0-9][a-z0-9_-]{0,127}$`.
fn is_function_name(name: &str) -> bool {
    let b = name.as_bytes();
    (1..=128).contains(&b.len())
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
}

/// `^req_[A-Za-z0-9_-]{4,128}$`.
fn is_request_id(id: &str) -> bool {
    id.strip_prefix("req_")
        .is_some_and(|rest| (4..=128).contains(&rest.len()) && rest.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-'))
}

/// A present value must be a whole number from 1 to 2^53 - 1 (or `max`).
fn check_positive(a: &Args, value: Option<&Json>, name: &str, max: Option<f64>) -> Result<()> {
    let Some(v) = value else { return Ok(()) };
    match v.shape() {
        Shape::Number(n) if (1.0..=max.unwrap_or(9_007_199_254_740_991.0)).contains(&n) && n.fract() == 0.0 => Ok(()),
        Shape::Number(_) if max.is_some() => Err(a.error(format!("`{name}` must be a whole number from 1 to {}", max.unwrap_or_default()))),
        other => Err(a.error(format!("`{name}` must be a positive whole number, got {}", type_name(&other)))),
    }
}

/// `null`, or five whitespace-separated cron fields.
fn check_schedule(a: &Args, value: &Json) -> Result<()> {
    match value.shape() {
        Shape::Null => Ok(()),
        Shape::String if value.as_string().is_some_and(|s| s.split_whitespace().count() == 5) => Ok(()),
        Shape::String => Err(a.error("`schedule` must be a 5-field cron string (minute hour day month weekday)")),
        other => Err(a.error(["`schedule` must be a 5-field cron string or null, got ", type_name(&other)].concat())),
    }
}

/// Packages the platform provides itself, or cannot build.
const REFUSED_DEPS: &[&str] = &["@run402/functions", "run402-functions", "sharp", "canvas", "bcrypt"];
const MAX_DEPS: usize = 30;
const MAX_DEP_CHARS: usize = 200;

fn check_deps(a: &Args, deps: &Json) -> Result<()> {
    let Shape::Array(n) = deps.shape() else {
        return Err(a.error(["`deps` must be an array of npm package specs, got ", type_name(&deps.shape())].concat()));
    };
    if n > MAX_DEPS {
        return Err(a.error(format!("`deps` must have at most {MAX_DEPS} entries, got {n}")));
    }
    for i in 0..n {
        let spec = deps.item(i).and_then(|d| d.as_string()).unwrap_or_default();
        let why = if spec.trim().is_empty() {
            "must be a non-empty npm package spec".to_string()
        } else if spec.chars().any(char::is_whitespace) {
            "must not contain whitespace".to_string()
        } else if spec.chars().count() > MAX_DEP_CHARS {
            format!("must be at most {MAX_DEP_CHARS} characters")
        } else if REFUSED_DEPS.contains(&package_name(&spec)) {
            format!("names {}, which functions cannot depend on (the platform bundles @run402/functions; native modules cannot be built)", package_name(&spec))
        } else {
            continue;
        };
        return Err(a.error(format!("`deps[{i}]` {why}")));
    }
    Ok(())
}

/// The package of an npm spec: `name@range` → `name`, `@scope/name@range`
/// → `@scope/name`.
fn package_name(spec: &str) -> &str {
    let from = if spec.starts_with('@') { spec.find('/').unwrap_or(spec.len()) } else { 0 };
    match spec[from..].find('@') {
        Some(at) => &spec[..from + at],
        None => spec,
    }
}

/// `since` as epoch milliseconds: a non-negative whole number (or its
/// digits), or an ISO 8601 date (UTC) or date-time with `Z` or an offset.
/// A date-time without one is refused: JavaScript would read it in the
/// machine's local zone, which a log query should not depend on.
fn since_ms(value: &Json) -> Option<u64> {
    let text = match value.shape() {
        Shape::Number(n) if (0.0..=9_007_199_254_740_991.0).contains(&n) && n.fract() == 0.0 => return Some(n as u64),
        Shape::String => value.as_string()?,
        _ => return None,
    };
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<u64>().ok().filter(|ms| *ms <= 9_007_199_254_740_991);
    }
    iso_ms(t)
}

/// `YYYY-MM-DD`, or that with `THH:MM[:SS[.fraction]]` and `Z` or `±HH:MM`.
fn iso_ms(t: &str) -> Option<u64> {
    let num = |s: &str| -> Option<i64> { s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse().ok()).flatten() };
    let (date, time) = match t.find(['T', 't']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d < 1 || d > *month_days.get(usize::try_from(m - 1).ok()?)? {
        return None;
    }
    let mut ms = days_from_civil(y, m, d) * 86_400_000;
    if let Some(time) = time {
        let (clock, offset_min) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
            (clock, 0)
        } else {
            let at = time.rfind(['+', '-'])?;
            let (clock, offset) = time.split_at(at);
            let (sign, hm) = offset.split_at(1);
            let (oh, om) = hm.split_once(':')?;
            if oh.len() != 2 || om.len() != 2 || num(oh)? > 23 || num(om)? > 59 {
                return None;
            }
            (clock, (num(oh)? * 60 + num(om)?) * if sign == "-" { -1 } else { 1 })
        };
        let (hms, fraction) = clock.split_once('.').map_or((clock, None), |(a, b)| (a, Some(b)));
        let mut fields = hms.split(':');
        let (h, mi, s) = (fields.next()?, fields.next()?, fields.next().unwrap_or("00"));
        if fields.next().is_some() || h.len() != 2 || mi.len() != 2 || s.len() != 2 || (fraction.is_some() && hms.len() != 8) {
            return None;
        }
        let (h, mi, s) = (num(h)?, num(mi)?, num(s)?);
        if h > 23 || mi > 59 || s > 59 {
            return None;
        }
        let millis = match fraction {
            None => 0,
            Some(f) if !f.is_empty() && f.len() <= 9 => num(&format!("{f:0<3}")[..3])?,
            Some(_) => return None,
        };
        ms += ((h * 60 + mi - offset_min) * 60 + s) * 1000 + millis;
    }
    u64::try_from(ms).ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use serde_json::json;

    #[test]
    fn function_names_and_request_ids_follow_the_gateways_patterns() {
        for good in ["a", "0", "hello-world", "my_fn", &"a".repeat(128)] {
            assert!(is_function_name(good), "{good:?} refused");
        }
        for bad in ["", "-a", "_a", "A", "a/b", "a.b", "héllo", &"a".repeat(129)] {
            assert!(!is_function_name(bad), "{bad:?} accepted");
        }
        assert!(is_request_id("req_abcd") && is_request_id(&format!("req_{}", "x".repeat(128))));
        for bad in ["req_abc", "abcd1234", "req_ab cd", &format!("req_{}", "x".repeat(129))] {
            assert!(!is_request_id(bad), "{bad:?} accepted");
        }
    }

    #[test]
    fn package_names_of_npm_specs() {
        for (spec, name) in [("lodash", "lodash"), ("lodash@4.17.21", "lodash"), ("@run402/functions", "@run402/functions"),
            ("@run402/functions@1.2.3", "@run402/functions"), ("@scope", "@scope"), ("sharp@^0.33", "sharp")] {
            assert_eq!(package_name(spec), name, "{spec}");
        }
    }

    #[test]
    fn since_takes_epoch_ms_and_iso_dates_with_a_zone() {
        let ms = |v: serde_json::Value| since_ms(&testing::json(v));
        assert_eq!(ms(json!(0)), Some(0));
        assert_eq!(ms(json!(1_700_000_000_000u64)), Some(1_700_000_000_000));
        assert_eq!(ms(json!(" 1700000000000 ")), Some(1_700_000_000_000));
        // Values checked against JavaScript's Date.parse.
        assert_eq!(ms(json!("2024-01-02")), Some(1_704_153_600_000));
        assert_eq!(ms(json!("2024-02-29T12:34:56.789Z")), Some(1_709_210_096_789));
        assert_eq!(ms(json!("2024-02-29T12:34Z")), Some(1_709_210_040_000));
        assert_eq!(ms(json!("2024-02-29T14:34:56.7891+02:00")), Some(1_709_210_096_789));
        assert_eq!(ms(json!("2024-02-29T07:04:56-05:30")), Some(1_709_210_096_000));
        assert_eq!(ms(json!("1970-01-01T00:00:00Z")), Some(0));
        for bad in [json!(-1), json!(1.5), json!(""), json!("soon"), json!("2024-02-30"), json!("2023-02-29"), json!("2024-13-01"),
            json!("2024-01-02T10:00:00"), json!("2024-01-02T24:00Z"), json!("1969-12-31T23:59:59Z"), json!("2024-1-2"),
            json!("2024-01-02T10:00:00+2:00"), json!("-5"), json!(true), json!(null)] {
            assert_eq!(ms(bad.clone()), None, "{bad}");
        }
    }
}
