//! `r.functions`: a project's serverless functions, deployed, invoked, read
//! back (list, logs), changed (schedule, timeout, memory) and deleted.
//!
//! `list` and `delete` are declared routes. `deploy`, `logs` and `update`
//! are declared routes too, behind a synchronous step that checks what the
//! vocabulary has no words for (the name pattern, the `deps` refusals, cron
//! fields, ISO timestamps) and hands the route the wire's own shapes as
//! arguments (`schedule: null` kept, `config` nested, `since` in epoch ms).
//! Only `invoke` is code: its verb, headers and body all come from the caller.

use crate::prelude::*;
use alloc::rc::Rc;

use crate::args::Args;
use crate::credentials::LocalFuture;
use crate::error::Result;
use crate::json::{type_name, Json, JsonExt, Native, Shape};
use crate::kernel::{Body, Call, Kernel};
use crate::namespaces::steps;
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
            generics: crate::ts!(""),
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
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("name", "string"), call_opts("opts", "FunctionInvokeOptions")],
            returns: crate::ts!("FunctionInvokeResult"),
            scope: Scope::Project,
            context: "invoking function",
            doc: crate::ts!("Calls a deployed function at /functions/v1/{name} with the service key as apikey (your headers may override it). A string body goes as is, anything else as JSON; GET and HEAD take no body. Resolves to { status: 200, body (parsed JSON or text), duration_ms }; a non-2xx answer rejects."),
            http: crate::ts!("POST (or opts.method: GET, HEAD, PUT, PATCH, DELETE, OPTIONS) /functions/v1/{name} · apikey: the service key, unless opts.headers sets one (+ provider headers)"),
            run: Run::Code(invoke),
        },
        Method {
            name: "logs",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("name", "string"), call_opts("opts", "FunctionLogsOptions")],
            returns: crate::ts!("FunctionLogsResult"),
            scope: Scope::Project,
            context: "fetching function logs",
            doc: crate::ts!("Recent log lines: the last `tail` (default 50, at most 1000), optionally only those at or after `since` (epoch ms, or an ISO 8601 date (UTC) or date-time ending in Z or a ±HH:MM / ±HHMM offset) or of one request (`requestId`, req_...)."),
            http: crate::ts!("GET /projects/v1/admin/{id}/functions/{name}/logs?tail&since&request_id · service key"),
            run: Run::Code(logs),
        },
        Method {
            name: "list",
            aliases: &[],
            generics: crate::ts!(""),
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
            generics: crate::ts!(""),
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
            generics: crate::ts!(""),
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
  /** Epoch milliseconds (a number or its digits), or an ISO 8601 date (UTC) or date-time ending in Z or a ±HH:MM / ±HHMM offset (a date-time without a zone is refused). */
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
        Err(e) => steps::ready(Err(e)),
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
        return Err(a.error(NAME_RULE));
    }
    if a.opt_field_string(&opts, "code")?.is_none_or(|c| c.trim().is_empty()) {
        return Err(a.error("`code` must be a non-empty source string"));
    }
    if let Some(config) = opts.field("config") {
        if !config.is_object() {
            return Err(a.error("`config` must be an object"));
        }
        for key in ["timeout", "memory"] {
            check_positive(a, config.field(key).as_ref(), key, MAX_SAFE)?;
        }
    }
    if let Some(deps) = opts.field("deps") {
        check_deps(a, &deps)?;
    }
    if let Some(schedule) = opts.field("schedule") {
        check_schedule(a, &schedule)?;
    }
    // The wire's fields only, as given (`schedule: null` included).
    let mut body = Vec::new();
    for key in ["name", "code", "config", "deps", "schedule"] {
        if let Some(v) = opts.field(key) {
            body.push((key.to_string(), v));
        }
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
            check_positive(a, Some(&v), key, MAX_SAFE)?;
            config.push((key.to_string(), v));
        }
    }
    let schedule = opts.field("schedule");
    if let Some(s) = &schedule {
        check_schedule(a, s)?;
    }
    if schedule.is_none() && config.is_empty() {
        return Err(a.error("give `schedule`, `timeout` or `memory`"));
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
            check_positive(a, Some(&t), "tail", MAX_TAIL)?;
            t.number_text().unwrap_or_default()
        }
    };
    let mut query = vec![("tail".to_string(), Native::string(tail))];
    if let Some(since) = field("since") {
        let ms = since_ms(&since).ok_or_else(|| a.error("`since` must be epoch ms, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS.sssZ (from 1970)"))?;
        query.push(("since".into(), Native::string(ms.to_string())));
    }
    if let Some(id) = field("requestId") {
        if !id.as_string().is_some_and(|s| is_request_id(&s)) {
            return Err(a.error("`requestId` must be req_ and 4-128 of A-Z a-z 0-9 _ -"));
        }
        query.push(("requestId".into(), id));
    }
    Ok(object(query))
}

/// The methods `invoke` takes (what `fetch` sends as given; a method
/// outside the list would need a verb the kernel cannot hold).
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

const NAME_RULE: &str = "`name` must be a lower-case function name (1-128 of a-z 0-9 _ -, not starting with _ or -)";

/// Checks everything, then asks for the keys and sends: a projects
/// [`Plan`](crate::namespaces::projects) on the shared driver.
fn invoke(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    let checked = invoke_call(&a);
    crate::namespaces::projects::timed(k, a, checked)
}

/// The request less its key; the project id; whether the caller set `apikey`.
fn invoke_call(a: &Args) -> Result<(Call, String, bool)> {
    let id = a.project_id(0)?;
    let name = a.string(1, "name")?;
    if !is_function_name(&name) {
        return Err(a.error(NAME_RULE));
    }
    let opts = a.opt_object(2, "opts")?;
    let field = |key: &str| opts.as_ref().and_then(|o| o.field(key)).filter(|v| !v.is_nullish());
    let method = match field("method") {
        None => "POST",
        Some(m) => {
            let upper = m.as_string().unwrap_or_default().to_ascii_uppercase();
            METHODS.iter().copied().find(|x| *x == upper).ok_or_else(|| a.error("`method` must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"))?
        }
    };
    // Fields set in place: the builder's `call = call.x(..)` moves the
    // whole request at every step.
    let mut call = a.call(method, ["/functions/v1/", &name].concat());
    let mut own_key = false;
    if let Some(h) = field("headers") {
        let refused = |got: Shape| a.error(["`headers` must map names to strings, got ", type_name(&got)].concat());
        if !h.is_object() {
            return Err(refused(h.shape()));
        }
        for key in h.keys() {
            let value = h.field(&key);
            let value = value.as_ref().and_then(|v| v.as_string()).ok_or_else(|| refused(value.map_or(Shape::Undefined, |v| v.shape())))?;
            own_key |= key.eq_ignore_ascii_case("apikey");
            call.headers.push((key, value));
        }
    }
    // A `null` body is JSON the function receives (the reference sends it);
    // only undefined means none. GET and HEAD drop a null one.
    if let Some(body) = opts.as_ref().and_then(|o| o.field("body")) {
        let bodiless = matches!(method, "GET" | "HEAD");
        call.body = match body.shape() {
            Shape::Undefined => Body::None,
            Shape::Null if bodiless => Body::None,
            _ if bodiless => return Err(a.error(["a ", method, " request cannot carry a `body`"].concat())),
            Shape::String => Body::Text(body.as_string().unwrap_or_default()),
            // Sent as JSON, a string with a lone surrogate would turn from
            // text into a JSON string literal: refused like a non-JSON value.
            Shape::Other | Shape::BadText => return Err(a.error(["`body` must be a string or JSON data, got ", type_name(&body.shape())].concat())),
            _ => Body::Json(Val::Json(body)),
        };
    }
    Ok((call, id, own_key))
}

/// `^[a-z0-9][a-z0-9_-]{0,127}$`.
fn is_function_name(name: &str) -> bool {
    let b = name.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    (1..=128).contains(&b.len()) && ok(&b[0]) && b.iter().all(|c| ok(c) || *c == b'_' || *c == b'-')
}

/// `^req_[A-Za-z0-9_-]{4,128}$`.
fn is_request_id(id: &str) -> bool {
    id.strip_prefix("req_")
        .is_some_and(|rest| (4..=128).contains(&rest.len()) && rest.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-'))
}

/// A present value must be a whole number from 1 to `max`.
fn check_positive(a: &Args, value: Option<&Json>, name: &str, max: f64) -> Result<()> {
    match value.map(|v| v.shape()) {
        None => Ok(()),
        Some(Shape::Number(n)) if (1.0..=max).contains(&n) && crate::num::is_whole(n) => Ok(()),
        // The limit is not formatted: printing an f64 links the float printer.
        Some(_) => Err(a.error(["`", name, if max < MAX_SAFE { "` must be a whole number from 1 to 1000" } else { "` must be a positive whole number" }].concat())),
    }
}

/// 2^53 - 1, the largest whole number a JSON number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// `null`, or five whitespace-separated cron fields.
fn check_schedule(a: &Args, value: &Json) -> Result<()> {
    let fields = value.as_string().map(|s| s.split_ascii_whitespace().count());
    if value.shape() == Shape::Null || fields == Some(5) {
        return Ok(());
    }
    Err(a.error("`schedule` must be a 5-field cron string (minute hour day month weekday) or null"))
}

/// Packages the platform provides itself, or cannot build.
const REFUSED_DEPS: &[&str] = &["@run402/functions", "run402-functions", "sharp", "canvas", "bcrypt"];
const MAX_DEPS: usize = 30;
const MAX_DEP_BYTES: usize = 200;

fn check_deps(a: &Args, deps: &Json) -> Result<()> {
    let n = match deps.shape() {
        Shape::Array(n) if n <= MAX_DEPS => n,
        _ => return Err(a.error("`deps` must be an array of at most 30 npm package specs")),
    };
    for i in 0..n {
        let spec = deps.item(i).and_then(|d| d.as_string()).unwrap_or_default();
        if spec.is_empty() || spec.len() > MAX_DEP_BYTES || spec.chars().any(char::is_whitespace) {
            return Err(a.error("`deps` entries must be npm specs of 1-200 characters without whitespace"));
        }
        if REFUSED_DEPS.contains(&package_name(&spec)) {
            return Err(a.error("`deps` cannot name @run402/functions, run402-functions, sharp, canvas or bcrypt (the platform bundles the first; native modules do not build)"));
        }
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

/// The decimal number in `digits` (ASCII digits only, at most 16 of them).
fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    digits.iter().try_fold(0u64, |n, d| d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0')))
}

/// `since` as epoch milliseconds: a non-negative whole number (or its
/// digits), `YYYY-MM` or `YYYY-MM-DD` (UTC midnight), or
/// `YYYY-MM-DDTHH:MM[:SS[.fraction]]` (`T`, `t` or a space) followed by `Z`
/// (what `toISOString()` writes) or an offset `±HH:MM` / `±HHMM`, as
/// `Date.parse` reads them; `24:00` is the next midnight. A date-time
/// without a zone is refused: JavaScript would read that in the machine's
/// local zone, which a log query should not depend on. So is a day the
/// month lacks (V8 rolls `02-30` over into March).
fn since_ms(value: &Json) -> Option<u64> {
    let text = match value.shape() {
        Shape::Number(n) if (0.0..=MAX_SAFE).contains(&n) && crate::num::is_whole(n) => return Some(n as u64),
        Shape::String => value.as_string()?,
        _ => return None,
    };
    let b = text.trim().as_bytes();
    if let Some(ms) = number(b) {
        return Some(ms).filter(|ms| *ms as f64 <= MAX_SAFE);
    }
    let at = |i: usize, n: usize| b.get(i..i + n).and_then(number);
    if b.len() < 7 || b[4] != b'-' {
        return None;
    }
    let (y, m) = (at(0, 4)?, at(5, 2)?);
    let d = if b.len() == 7 { 1 } else if b[7] == b'-' { at(8, 2)? } else { return None };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    // 31 and 30 alternate, restarting in August; February 28 or 29.
    let days_in_month = if m == 2 { 28 + u64::from(leap) } else { 30 + ((m + m / 8) & 1) };
    if y < 1970 || !(1..=12).contains(&m) || d < 1 || d > days_in_month {
        return None;
    }
    let mut ms = days_from_civil(y, m, d) * 86_400_000;
    if b.len() > 10 {
        // The zone: `Z`, or `±HH:MM` / `±HHMM` east of UTC (added back to reach UTC).
        let n = b.len();
        let (rest, east_ms) = match b[n - 1] {
            b'Z' | b'z' => (n - 1, 0i64),
            _ => {
                let sign = n - 5 - usize::from(b[n - 3] == b':');
                // 16: the zone follows at least `YYYY-MM-DDTHH:MM`.
                if sign < 16 || !matches!(b[sign], b'+' | b'-') {
                    return None;
                }
                let (oh, om) = (at(sign + 1, 2)?, at(n - 2, 2)?);
                if oh > 23 || om > 59 {
                    return None;
                }
                let minutes = (oh * 60 + om) as i64;
                (sign, if b[sign] == b'-' { -minutes } else { minutes } * 60_000)
            }
        };
        if !matches!(b[10], b'T' | b't' | b' ') || b.get(13) != Some(&b':') {
            return None;
        }
        let (h, mi) = (at(11, 2)?, at(14, 2)?);
        let (s, fraction) = match &b[16..rest] {
            [] => (0, &[][..]),
            [b':', _, _, tail @ ..] => (at(17, 2)?, tail),
            _ => return None,
        };
        let millis = match fraction {
            [] => 0,
            [b'.', f @ ..] if (1..=9).contains(&f.len()) && f.iter().all(u8::is_ascii_digit) => {
                (0..3).fold(0, |n, i| n * 10 + f.get(i).map_or(0, |d| u64::from(d - b'0')))
            }
            _ => return None,
        };
        if (h > 23 && (h, mi, s, millis) != (24, 0, 0, 0)) || mi > 59 || s > 59 {
            return None;
        }
        ms += ((h * 60 + mi) * 60 + s) * 1000 + millis;
        // Before 1970 once the offset is taken off: refused like any
        // earlier date.
        return u64::try_from(ms as i64 - east_ms).ok();
    }
    Some(ms)
}

/// Days since 1970-01-01 of a Gregorian date in or after 1970 (Howard
/// Hinnant's `days_from_civil`, unsigned).
fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
    let y = if m <= 2 { y - 1 } else { y };
    let (era, yoe) = (y / 400, y % 400);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
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
    fn since_takes_epoch_ms_and_iso_dates_with_z_or_an_offset() {
        let ms = |v: serde_json::Value| since_ms(&testing::json(v));
        assert_eq!(ms(json!(0)), Some(0));
        assert_eq!(ms(json!(1_700_000_000_000u64)), Some(1_700_000_000_000));
        assert_eq!(ms(json!(" 1700000000000 ")), Some(1_700_000_000_000));
        // Values checked against JavaScript's Date.parse.
        assert_eq!(ms(json!("2024-01-02")), Some(1_704_153_600_000));
        assert_eq!(ms(json!("2024-02-29T12:34:56.789Z")), Some(1_709_210_096_789));
        assert_eq!(ms(json!("2024-02-29T12:34Z")), Some(1_709_210_040_000));
        assert_eq!(ms(json!("2024-02-29T12:34:56.7891Z")), Some(1_709_210_096_789));
        assert_eq!(ms(json!("2024-02-29T12:34:56.7Z")), Some(1_709_210_096_700));
        assert_eq!(ms(json!("2024-02-29T12:34:56Z")), Some(1_709_210_096_000));
        assert_eq!(ms(json!("1970-01-01T00:00:00Z")), Some(0));
        assert_eq!(ms(json!("2024-01-02T10:00:00+02:00")), Some(1_704_182_400_000));
        assert_eq!(ms(json!("2024-01-02T10:00:00-05:30")), Some(1_704_209_400_000));
        assert_eq!(ms(json!("2024-02-29T12:34:56.789+00:00")), Some(1_709_210_096_789));
        assert_eq!(ms(json!("2024-01-02T10:00+02:00")), Some(1_704_182_400_000));
        assert_eq!(ms(json!("1970-01-01T01:00:00+01:00")), Some(0));
        assert_eq!(ms(json!("2024-01-02T10:00:00+0200")), Some(1_704_182_400_000));
        assert_eq!(ms(json!("2024-01-02T10:00-0530")), Some(1_704_209_400_000));
        assert_eq!(ms(json!("2024-01-02 10:00:00+02:00")), Some(1_704_182_400_000));
        assert_eq!(ms(json!("2024-01")), Some(1_704_067_200_000));
        assert_eq!(ms(json!("2024-01-02T24:00Z")), Some(1_704_240_000_000));
        for bad in [json!(-1), json!(1.5), json!(""), json!("soon"), json!("2024-02-30"), json!("2023-02-29"), json!("2024-13-01"),
            json!("2024-01-02T10:00:00"), json!("2024-01-02T24:00:01Z"), json!("1969-12-31T23:59:59Z"), json!("2024-1-2"),
            json!("1970-01-01T00:30:00+01:00"), json!("2024-01-02T10:00:00+24:00"), json!("2024-01-02T10:00:00+02:60"),
            json!("2024-01-02T10:00:00+02"), json!("2024-01-02+02:00"), json!("2024-01-"), json!("2024-01-0"), json!("2024-01T10:00Z"), json!("2024-01-02T10:00:00.+02:00"), json!("2024-01-02T10:00:00.Z"), json!("2024-01-02T10:00:0aZ"), json!("-5"), json!(true), json!(null)] {
            assert_eq!(ms(bad.clone()), None, "{bad}");
        }
    }
}
