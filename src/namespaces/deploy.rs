//! `r.deploy`: the unified deploy engine (contract §1.19, §3). The engine's
//! rules and exchanges live in [`crate::deploy`]; this file reads the
//! arguments and runs them. `apply`, `start`, `upload`, `commit` and
//! `resume` emit events, which js/adapters.js hands to `opts.onEvent` or to
//! the operation object `start` resolves to; `plan` returns its byte readers,
//! which the adapter turns into a `Map`. The reads are declared routes
//! ([`READ`]): their auth (the anon key only when the provider knows the
//! project and the client is not a CI session), their project field and
//! the operation reads' `op_` check and error translation ([`OPERATION`])
//! are in the route vocabulary.

use crate::prelude::*;
use alloc::rc::Rc;

use crate::args::Args;
use crate::credentials::{self, LocalFuture};
use crate::deploy::engine::{self, deploy_error, event, Deploy, Reader};
use crate::deploy::translate::At;
use crate::deploy::{plan as gate, retry, ValidSpec};
use crate::error::{Error, Result};
use crate::json::{Json, JsonExt, Native, Shape};
use crate::kernel::encode::encode_uri_component;
use crate::kernel::{Call, Kernel};
use crate::routes::{field, route, Auth, Guard, Key, Kind, Out, ProjectFrom, Route, Src, PROVIDER, SERVICE_GET};
use crate::surface::{call_opts, req, req_call_opts, Events, Method, Namespace, Run, Scope};
use crate::value::Val;

const fn adapted(name: &'static str, f: crate::surface::OperationHandler) -> Run {
    Run::Adapted(name, f)
}

/// Every deploying member's one compiled future: the arguments are read by
/// plain code ([`job`]), the keys looked up once, then the member's steps run.
fn operate(k: Rc<Kernel>, a: Args, events: Events) -> LocalFuture<'static, Result<Val>> {
    Box::pin(async move { run(&k, a, events).await })
}

/// The deploying members' body, by member name (`a.method`); a caller
/// outside the table that deploys under its own name (a bundle deploy's
/// last step) gets `apply`.
pub(crate) async fn run(k: &Kernel, a: Args, events: Events) -> Result<Val> {
    let (job, o) = job(k, &a)?;
    let project = match &job {
        Job::Apply(s) | Job::Start(s) | Job::Plan(s) => s.project(),
        _ => o.project.clone(),
    };
    let d = engine(k, &a, &events, project).await?;
    // Each member's steps behind one pointer: this future holds one state
    // for them all rather than each member's state machine inline.
    let work: LocalFuture<'_, Result<Val>> = match &job {
        Job::Apply(spec) => Box::pin(apply(&d, &a, spec, &o)),
        Job::Start(spec) => Box::pin(attempt_once(&d, spec, &o, true)),
        Job::Plan(spec) => Box::pin(plan(&d, spec, &o)),
        Job::Upload(plan, readers) => Box::pin(upload_given(&d, plan, readers)),
        Job::Commit(plan_id) => {
            let (call, at) = d.commit(plan_id, o.key.as_deref());
            Box::pin(d.open(call, at, Val::object(), Val::Arr(Vec::new())))
        }
        Job::Resume(op) => {
            let (call, at) = resume(&d, &a, op);
            Box::pin(d.open(call, at, Val::object(), Val::Arr(Vec::new())))
        }
    };
    work.await
}

/// What a plan reports missing, uploaded (`upload`, and `apply`'s step).
async fn upload_given(d: &Deploy<'_>, plan: &Json, readers: &[Reader]) -> Result<Val> {
    if let Some(missing) = plan.field("missing_content") {
        d.upload_missing(&missing, readers, 3).await?;
    }
    Ok(Val::Undefined)
}

/// What a deploying member was asked to do, its arguments checked.
enum Job {
    Apply(ValidSpec),
    Start(ValidSpec),
    Plan(ValidSpec),
    /// The plan and the readers `upload` was given.
    Upload(Json, Vec<Reader>),
    Commit(String),
    Resume(String),
}

/// Reads a deploying member's arguments: no request on bad input.
fn job(k: &Kernel, a: &Args) -> Result<(Job, Opts)> {
    let job = match a.method {
        "start" => Job::Start(spec(k, a)?),
        "plan" => Job::Plan(spec(k, a)?),
        "upload" => return upload(k, a),
        "commit" => Job::Commit(a.non_empty(0, "planId")?),
        "resume" => Job::Resume(operation_id(a)?),
        _ => Job::Apply(spec(k, a)?),
    };
    Ok((job, opts(a, 1)?))
}

const SPEC_SCOPE: Scope = Scope::OptionField { index: 0, keys: &["project"] };
const OPTS_SCOPE: Scope = Scope::OptionField { index: 1, keys: &["project"] };

pub const NAMESPACE: Namespace = Namespace {
    name: "deploy",
    ts_name: "Deploy",
    doc: crate::ts!("The unified deploy engine: one ReleaseSpec (site, functions, migrations, secrets, subdomains, routes) validated locally, content hashed and uploaded only where the gateway lacks it, committed, and followed to a live release."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "apply",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("spec", "ReleaseSpec"), call_opts("opts", "DeployApplyOptions")],
            returns: crate::ts!("DeployResult"),
            scope: SPEC_SCOPE,
            context: "applying deploy",
            doc: crate::ts!("Deploys `spec` end to end (contract §3.1): validates it (no request on a bad spec), hashes every byte source, plans, stops at warnings that need confirmation unless `allowWarnings`, uploads missing content (8 sessions at once, each tried 3 times), commits, and polls the operation until its release is live. `onEvent` receives every DeployEvent (its exceptions are swallowed). A `BASE_RELEASE_CONFLICT` the gateway calls safe is retried with a new plan up to `maxRetries` (default 2) times, each announced by a `deploy.retry` event. `signal` stops it; aborted mid-upload, nothing is committed."),
            http: crate::ts!("POST /deploy/v2/plans → POST /content/v1/plans → PUT presigned parts (raw) → POST /storage/v1/uploads/{id}/complete → POST /content/v1/plans/{id}/commit → POST /deploy/v2/plans/{id}/commit → GET /deploy/v2/operations/{id} · wallet (P), anon apikey on content and operation calls · 402 at plan or commit is paid"),
            run: adapted("onEvent", operate),
        },
        Method {
            name: "start",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("spec", "ReleaseSpec"), call_opts("opts", "DeployStartOptions")],
            returns: crate::ts!("DeployOperation"),
            scope: SPEC_SCOPE,
            context: "starting deploy",
            doc: crate::ts!("Like `apply` without retries, but resolves once the plan is made (after the warning gate) to a DeployOperation: `events()` replays the events so far then streams the rest (ending after `ready` or when the deploy settles), `result()` is the DeployResult, `snapshot()` fetches the operation (cached once it is terminal)."),
            http: crate::ts!("POST /deploy/v2/plans → (as apply, in the background) · snapshot(): GET /deploy/v2/operations/{id} · wallet (P), anon apikey on content and operation calls"),
            run: adapted("staged", operate),
        },
        Method {
            name: "resume",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("operationId", "string"), call_opts("opts", "DeployResumeOptions")],
            returns: crate::ts!("DeployResult"),
            scope: OPTS_SCOPE,
            context: "resuming deploy operation",
            doc: crate::ts!("Resumes a stalled operation (`op_…`, else OPERATION_NOT_FOUND locally), then polls it like `apply` until its release is live; `diff` is `{}` and `warnings` `[]`. `opts.project` adds the anon apikey to the polls."),
            http: crate::ts!("POST /deploy/v2/operations/{operationId}/resume (P, no body) → GET /deploy/v2/operations/{operationId}"),
            run: adapted("onEvent", operate),
        },
        Method {
            name: "status",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("operationId", "string"), call_opts("opts", "{ project?: string }")],
            returns: crate::ts!("OperationSnapshot"),
            scope: OPTS_SCOPE,
            context: "fetching deploy operation",
            doc: crate::ts!("One snapshot of an operation (`op_…`). Gateway errors are Run402DeployErrors."),
            http: crate::ts!("GET /deploy/v2/operations/{operationId} · anon apikey if `opts.project` + P"),
            run: route(Route { path: "/deploy/v2/operations/{0}", project: OPTIONAL_PROJECT_1, result: Out::Guarded(&OPERATION), ..READ }),
        },
        Method {
            name: "list",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("projectOrOpts", "string | DeployListOptions")],
            returns: crate::ts!("DeployListResponse"),
            scope: SPEC_SCOPE,
            context: "listing deploy operations",
            doc: crate::ts!("Recent deploy operations of a project (a project id, or `{ project, limit?, cursor? }`)."),
            http: crate::ts!("GET /deploy/v2/operations[?limit&cursor] · anon apikey + P"),
            run: route(Route {
                path: "/deploy/v2/operations",
                project: ProjectFrom::Field { index: 0, name: "project", required: true, or_string: true },
                query: &[field("limit", Src::Arg(0), Kind::Rule(list_limit)), field("cursor", Src::Arg(0), Kind::Rule(list_cursor))],
                ..READ
            }),
        },
        Method {
            name: "events",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("operationId", "string"), req_call_opts("opts", "{ project: string }")],
            returns: crate::ts!("DeployEventsResponse"),
            scope: OPTS_SCOPE,
            context: "fetching deploy events",
            doc: crate::ts!("The events the gateway recorded for an operation (`op_…`), for inspecting a deploy after the fact."),
            http: crate::ts!("GET /deploy/v2/operations/{operationId}/events · anon apikey + P"),
            run: route(Route { path: "/deploy/v2/operations/{0}/events", project: PROJECT_1, result: Out::Guarded(&OPERATION), ..READ }),
        },
        Method {
            name: "getRelease",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req_call_opts("opts", "ReleaseInventoryByIdOptions")],
            returns: crate::ts!("ReleaseInventory"),
            scope: Scope::Variant(&SCOPED_GET_RELEASE),
            context: "fetching release inventory",
            doc: crate::ts!("A release's inventory by id: its site paths (`siteLimit` of them), functions, secrets, subdomains, routes, migrations."),
            http: crate::ts!("GET /deploy/v2/releases/{releaseId}[?site_limit=N] · anon apikey + P"),
            run: route(Route { path: "/deploy/v2/releases/{0.releaseId}", query: &[field("site_limit", Src::Opt(0, "siteLimit"), Kind::OptPosInt)], ..READ }),
        },
        Method {
            name: "getActiveRelease",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req_call_opts("opts", "ReleaseInventoryOptions")],
            returns: crate::ts!("ActiveReleaseInventory"),
            scope: SPEC_SCOPE,
            context: "fetching active release inventory",
            doc: crate::ts!("The live release's inventory (`release_id` null before the first deploy)."),
            http: crate::ts!("GET /deploy/v2/releases/active[?site_limit=N] · anon apikey + P"),
            run: route(Route { path: "/deploy/v2/releases/active", query: &[field("site_limit", Src::Opt(0, "siteLimit"), Kind::OptPosInt)], ..READ }),
        },
        Method {
            name: "diff",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req_call_opts("opts", "ReleaseDiffOptions")],
            returns: crate::ts!("ReleaseToReleaseDiff"),
            scope: SPEC_SCOPE,
            context: "diffing releases",
            doc: crate::ts!("What changes between two releases: `from` is \"empty\", \"active\" or a release id, `to` \"active\" or a release id."),
            http: crate::ts!("GET /deploy/v2/releases/diff?from=&to=[&limit=] · anon apikey + P"),
            run: route(Route {
                path: "/deploy/v2/releases/diff",
                query: &[field("from", Src::Opt(0, "from"), Kind::Str), field("to", Src::Opt(0, "to"), Kind::Str), field("limit", Src::Opt(0, "limit"), Kind::OptPosInt)],
                ..READ
            }),
        },
        Method {
            name: "plan",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("spec", "ReleaseSpec"), call_opts("opts", "DeployPlanOptions")],
            returns: crate::ts!("{ plan: PlanResponse; byteReaders: Map<string, ByteReader> }"),
            scope: SPEC_SCOPE,
            context: "planning deploy",
            doc: crate::ts!("The low-level first step: validates and hashes `spec` and asks for a plan (`dryRun`: a plan that cannot be committed). No warning gate. Pass the result to `upload`, then `plan.plan_id` to `commit`."),
            http: crate::ts!("POST /deploy/v2/plans[?dry_run=true] · P · 402 is paid"),
            run: adapted("plan", operate),
        },
        Method {
            name: "upload",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("plan", "PlanResponse"), req_call_opts("opts", "DeployUploadOptions")],
            returns: crate::ts!("void"),
            scope: OPTS_SCOPE,
            context: "uploading deploy bytes",
            doc: crate::ts!("Uploads the content a plan reports missing, read from `byteReaders` (the `plan` result's, or your own `() => Promise<Uint8Array>` functions)."),
            http: crate::ts!("POST /content/v1/plans → PUT presigned parts (raw) → POST /storage/v1/uploads/{id}/complete → POST /content/v1/plans/{id}/commit · anon apikey + P"),
            run: adapted("upload", operate),
        },
        Method {
            name: "commit",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("planId", "string"), call_opts("opts", "DeployCommitOptions")],
            returns: crate::ts!("DeployResult"),
            scope: OPTS_SCOPE,
            context: "committing deploy",
            doc: crate::ts!("Commits a plan and polls its operation until the release is live (`diff` is `{}`, `warnings` `[]`). `opts.project` adds the anon apikey to the polls."),
            http: crate::ts!("POST /deploy/v2/plans/{planId}/commit → GET /deploy/v2/operations/{id} · P · 402 is paid"),
            run: adapted("onEvent", operate),
        },
        Method {
            name: "resolve",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req_call_opts("opts", "DeployResolveOptions")],
            returns: crate::ts!("DeployResolveResponse"),
            scope: SPEC_SCOPE,
            context: "resolving deploy public URL",
            doc: crate::ts!("How the live release answers a public URL (`url`) or a host and path: the match, the route or static object, authorization, fallback. `project` only selects the keys; it is not sent."),
            http: crate::ts!("GET /deploy/v2/resolve?host=[&path=][&method=] · anon apikey + P"),
            run: route(Route {
                path: "/deploy/v2/resolve",
                query: &[field("host", Src::Opt(0, "host"), Kind::Rule(resolve_host)), field("path", Src::Opt(0, "path"), Kind::Rule(resolve_path)), field("method", Src::Opt(0, "method"), Kind::Rule(resolve_method))],
                ..READ
            }),
        },
    ],
};

/// `getRelease` on a scoped client: the release id first.
const SCOPED_GET_RELEASE: Method = Method {
    name: "getRelease",
    aliases: &[],
    generics: crate::ts!(""),
    params: &[req("projectId", "string"), req("releaseId", "string"), call_opts("opts", "{ siteLimit?: number }")],
    returns: crate::ts!("ReleaseInventory"),
    scope: Scope::Project,
    context: "fetching release inventory",
    doc: crate::ts!("A release of the scoped project's, by id."),
    http: crate::ts!("GET /deploy/v2/releases/{releaseId}[?site_limit=N] · anon apikey + P"),
    run: route(Route {
        path: "/deploy/v2/releases/{1}",
        project: ProjectFrom::Field { index: 0, name: "project", required: true, or_string: true },
        query: &[field("site_limit", Src::Opt(2, "siteLimit"), Kind::OptPosInt)],
        ..READ
    }),
};

/// The reads: a GET with the anon key when the provider knows the project
/// and the client is not a CI session, the project from `opts.project` (of
/// the options first, required).
const READ: Route = Route { auth: Auth { apikey: Key::AnonIfKnown, ..PROVIDER }, project: PROJECT_0, ..SERVICE_GET };
const PROJECT_0: ProjectFrom = ProjectFrom::Field { index: 0, name: "project", required: true, or_string: false };
const PROJECT_1: ProjectFrom = ProjectFrom::Field { index: 1, name: "project", required: true, or_string: false };
const OPTIONAL_PROJECT_1: ProjectFrom = ProjectFrom::Field { index: 1, name: "project", required: false, or_string: false };

/// An operation read: the id must start `op_`, and the gateway's errors
/// are Run402DeployErrors of the member's phase (`status`, `events`).
const OPERATION: Guard = Guard { check: |a| operation_id(a).map(drop), error: Some(operation_error) };

fn operation_error(a: &Args, e: Error) -> Error {
    let op = a.get(0).and_then(|v| v.as_string());
    engine::translated(e, At { phase: a.method, plan_id: None, operation_id: op.as_deref() })
}

/// The engine for one call: the project's anon key unless this is a CI
/// session or the provider does not know the project.
async fn engine<'a>(k: &'a Kernel, a: &Args, events: &'a Events, project: String) -> Result<Deploy<'a>> {
    let ci = k.credentials.is_ci_session();
    let anon = match project.is_empty() || ci {
        true => None,
        false => credentials::get_project(k.credentials.as_ref(), &project, a.context).await?.map(|p| p.anon_key),
    };
    Ok(Deploy { k, events, project, anon, ci, method: (a.namespace, a.method) })
}

/// The options every deploying member reads.
struct Opts {
    key: Option<String>,
    allow_warnings: bool,
    max_retries: u32,
    dry_run: bool,
    project: String,
}

fn opts(a: &Args, i: usize) -> Result<Opts> {
    let o = a.opt_object(i, "opts")?;
    let flag = |name: &str| -> Result<bool> {
        match o.as_ref().and_then(|o| o.field(name)).map(|v| v.shape()) {
            None | Some(Shape::Undefined | Shape::Null) => Ok(false),
            Some(Shape::Bool(b)) => Ok(b),
            Some(_) => Err(a.error(format!("`{name}` must be a boolean"))),
        }
    };
    let text = |name: &str| -> Result<Option<String>> {
        match &o {
            Some(o) => a.opt_field_string(o, name),
            None => Ok(None),
        }
    };
    let key = text("idempotencyKey")?;
    if key.as_deref().is_some_and(|k| k.is_empty() || k.len() > 255) {
        return Err(a.error("`idempotencyKey` must be 1 to 255 characters"));
    }
    let max_retries = match o.as_ref().and_then(|o| o.field("maxRetries")).filter(|v| !v.is_nullish()) {
        None => retry::DEFAULT_MAX_RETRIES,
        Some(v) => match v.shape() {
            Shape::Number(n) if (0.0..=100.0).contains(&n) && crate::num::is_whole(n) => n as u32,
            _ => {
                return Err(deploy_error("validating deploy retry options", "INVALID_SPEC", "`maxRetries` must be a non-negative whole number", false)
                    .with("resource", "maxRetries"))
            }
        },
    };
    Ok(Opts { key, allow_warnings: flag("allowWarnings")?, max_retries, dry_run: flag("dryRun")?, project: text("project")?.unwrap_or_default() })
}

fn spec(k: &Kernel, a: &Args) -> Result<ValidSpec> {
    checked_spec(k, &a.get(0).cloned().unwrap_or_else(Native::undefined))
}

/// A caller's spec, valid and, for a CI session, allowed (§3.1 step 1);
/// also bundleDeploy's check before it writes any secret.
pub(crate) fn checked_spec(k: &Kernel, value: &Json) -> Result<ValidSpec> {
    let spec = crate::deploy::release_spec(value, &|j| k.transport.body_kind(j))?;
    // §3.1 step 1: a CI session may ship less than the owner's wallet.
    if k.credentials.is_ci_session() {
        crate::deploy::ci_guard::check(spec.json())?;
    }
    Ok(spec)
}

/// `apply`: attempts, each safe base conflict retried after a delay.
async fn apply(d: &Deploy<'_>, a: &Args, spec: &ValidSpec, o: &Opts) -> Result<Val> {
    let k = d.k;
    let mut attempt = 1;
    loop {
        let e = match attempt_once(d, spec, o, false).await {
            Ok(done) => return Ok(done),
            Err(e) => e,
        };
        if !retry::retries(&e, spec.json()) {
            return Err(e);
        }
        if attempt > o.max_retries {
            return Err(if o.max_retries > 0 { retry::exhausted(e, attempt, o.max_retries) } else { e });
        }
        let jitter = u32::from(k.random::<1>(a.context)?[0]) % 101;
        let delay = retry::delay_ms(attempt, jitter);
        let field = |name: &str| e.extra_field(name).cloned().unwrap_or(Val::Null);
        let announce = event("deploy.retry")
            .with("attempt", Val::Num(f64::from(attempt)))
            .with("nextAttempt", Val::Num(f64::from(attempt + 1)))
            .with("maxAttempts", Val::Num(f64::from(o.max_retries + 1)))
            .with("delayMs", Val::Num(f64::from(delay)))
            .with("code", field("code"))
            .with("phase", field("phase"))
            .with("resource", field("resource"))
            .with("operationId", field("operationId"))
            .with("planId", field("planId"))
            .with("message", e.message.as_str());
        d.emit(announce).await;
        k.transport.sleep(delay, a.context).await?;
        attempt += 1;
    }
}

/// One attempt of §3.1 steps 3–10. `staged`: after the warning gate, tell
/// the facade the operation exists (`start` resolves then).
async fn attempt_once(d: &Deploy<'_>, spec: &ValidSpec, o: &Opts, staged: bool) -> Result<Val> {
    d.emit(event("plan.started")).await;
    let planned = d.plan(spec, false, o.key.as_deref()).await?;
    d.emit(event("plan.diff").with("diff", planned.diff())).await;
    if !planned.warnings.is_empty() {
        d.emit(event("plan.warnings").with("warnings", planned.warnings())).await;
    }
    gate::gate(&planned.warnings, o.allow_warnings)?;
    if let Some(p) = planned.json.field("payment_required").filter(|p| p.is_object()) {
        let field = |name: &str| p.field(name).map_or(Val::Undefined, Val::Json);
        let paid = event("payment.required").with("amount", field("amount")).with("asset", field("asset")).with("payTo", field("payTo")).with("reason", field("reason"));
        d.emit(paid).await;
    }
    if staged {
        let id = planned.id("operation_id").map_or(Val::Null, Val::Str);
        d.emit(Val::object().with("__operation", id).with("project", d.project.as_str())).await;
    }
    upload_given(d, &planned.json, &planned.readers).await?;
    d.emit(event("commit.phase").with("phase", "validate").with("status", "started")).await;
    let (Some(plan_id), Some(_)) = (planned.id("plan_id"), planned.id("operation_id")) else {
        return Err(deploy_error(engine::COMMITTING, "DRY_RUN_PLAN_NOT_COMMITTABLE", "this plan has no plan_id or operation_id (a dry run): plan again without dryRun to deploy", false)
            .with("phase", "validate"));
    };
    let (call, at) = d.commit(&plan_id, o.key.as_deref());
    d.open(call, at, planned.diff(), planned.warnings()).await
}

async fn plan(d: &Deploy<'_>, spec: &ValidSpec, o: &Opts) -> Result<Val> {
    let planned = d.plan(spec, o.dry_run, o.key.as_deref()).await?;
    // The caller gets every content's bytes: files, which the engine reads
    // again when it uploads rather than holding them, are read here.
    let mut readers = Vec::with_capacity(planned.readers.len());
    for r in &planned.readers {
        let body = r.bytes(d).await?.map_or(Val::Undefined, |b| Val::Json(b.value));
        readers.push(Val::Arr(vec![r.sha256.as_str().into(), body, r.label.as_str().into(), r.content_type.clone().into()]));
    }
    Ok(Val::object().with("plan", planned.value).with("byteReaders", Val::Arr(readers)))
}

/// `upload(plan, { project, byteReaders })`; the adapter has made
/// `byteReaders` a list of `[sha256, bytes, label, contentType]`.
fn upload(k: &Kernel, a: &Args) -> Result<(Job, Opts)> {
    let Some(plan) = a.opt_object(0, "plan")? else { return Err(a.error("`plan` must be the plan from deploy.plan")) };
    let o = opts(a, 1)?;
    if o.project.is_empty() {
        return Err(a.error("`opts.project` is required"));
    }
    let mut readers = Vec::new();
    let list = a.opt_object(1, "opts")?.and_then(|o| o.field("byteReaders")).map(|l| l.items()).unwrap_or_default();
    for entry in list {
        let (Some(sha256), Some(bytes)) = (entry.item(0).and_then(|s| s.as_string()), entry.item(1).filter(|b| !b.is_nullish())) else { continue };
        let body = k.host_body(bytes, a.context)?;
        let text = |i: usize| entry.item(i).and_then(|s| s.as_string());
        readers.push(Reader { label: text(2).unwrap_or_else(|| sha256.clone()), sha256, body: Some(body), file: None, content_type: text(3) });
    }
    Ok((Job::Upload(plan, readers), o))
}

/// `resume`'s request, and where its errors are.
fn resume<'o>(d: &Deploy<'_>, a: &Args, op: &'o str) -> (Call, At<'o>) {
    let path = ["/deploy/v2/operations/", &encode_uri_component(op), "/resume"].concat();
    (d.call("POST", path, a.context, false), At { phase: "resume", plan_id: None, operation_id: Some(op) })
}

/// An operation id, which must start `op_` (else OPERATION_NOT_FOUND, locally).
fn operation_id(a: &Args) -> Result<String> {
    let id = a.get(0).and_then(|v| v.as_string()).unwrap_or_default();
    if !id.starts_with("op_") {
        return Err(deploy_error(a.context, "OPERATION_NOT_FOUND", format!("Invalid operation id: \"{id}\""), false));
    }
    Ok(id)
}

/// `list`'s option `name`, when it was given options rather than a project id.
fn list_option(a: &Args, name: &str) -> Option<Json> {
    a.get(0).filter(|o| o.is_object()).and_then(|o| o.field(name)).filter(|v| !v.is_nullish())
}

fn list_limit(a: &Args, _: &'static str, _: Option<Json>) -> Result<Option<Val>> {
    match list_option(a, "limit") {
        None => Ok(None),
        Some(v) => match v.shape() {
            Shape::Number(n) if (1.0..=9_007_199_254_740_991.0).contains(&n) && crate::num::is_whole(n) => Ok(Some(Val::Json(v))),
            _ => Err(a.error("`limit` must be a positive whole number")),
        },
    }
}

/// Sent when given, even empty (the reference's `cursor !== undefined`).
fn list_cursor(a: &Args, _: &'static str, _: Option<Json>) -> Result<Option<Val>> {
    match list_option(a, "cursor") {
        None => Ok(None),
        Some(v) => v.as_string().map(|c| Some(Val::Str(c))).ok_or_else(|| a.error("`cursor` must be a string")),
    }
}

/// What `resolve` asks about: the host and path, from `url` or from `host`
/// and `path`.
fn resolve_target(a: &Args) -> Result<(String, Option<String>)> {
    let o = a.opt_object(0, "opts")?.unwrap_or_else(crate::json::Native::undefined);
    let url = a.opt_field_string(&o, "url")?;
    let host = a.opt_field_string(&o, "host")?;
    match (url, host) {
        (Some(url), None) => {
            let (host, path) = url_parts(&url).map_err(|why| a.error(why))?;
            Ok((host, Some(path)))
        }
        (None, Some(host)) => {
            let clean = !host.is_empty() && !host.chars().any(|c| c.is_whitespace() || matches!(c, '/' | '?' | '#' | '@')) && !has_scheme(&host);
            if !clean {
                return Err(a.error("`host` must be a clean hostname without scheme, credentials, path, query or fragment"));
            }
            let path = a.opt_field_string(&o, "path")?;
            if path.as_deref().is_some_and(|p| !p.starts_with('/') || p.bytes().any(|b| b == b'?' || b == b'#')) {
                return Err(a.error("`path` must start with '/' and carry no query or fragment"));
            }
            Ok((host, path))
        }
        _ => Err(a.error("pass exactly one of `url` (an absolute http(s) URL) or `host` (with an optional `path`)")),
    }
}

fn resolve_host(a: &Args, _: &'static str, _: Option<Json>) -> Result<Option<Val>> {
    Ok(Some(Val::Str(resolve_target(a)?.0)))
}

fn resolve_path(a: &Args, _: &'static str, _: Option<Json>) -> Result<Option<Val>> {
    Ok(resolve_target(a)?.1.map(Val::Str))
}

/// An HTTP method token, upper-cased.
fn resolve_method(a: &Args, _: &'static str, method: Option<Json>) -> Result<Option<Val>> {
    let Some(m) = method else { return Ok(None) };
    match m.as_string() {
        Some(m) if !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)) => Ok(Some(Val::Str(m.to_ascii_uppercase()))),
        _ => Err(a.error("`method` must be an HTTP method token such as GET")),
    }
}

/// `scheme:` at the start of a host, as in "https:example.com".
fn has_scheme(host: &str) -> bool {
    let Some((scheme, _)) = host.split_once(':') else { return false };
    scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
}

/// The hostname (lower-cased, no port) and path (default "/") of an
/// absolute http(s) URL; its query and fragment are ignored.
fn url_parts(url: &str) -> core::result::Result<(String, String), &'static str> {
    let rest = match url.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") => rest,
        _ => return Err("`url` must be an absolute http(s) URL"),
    };
    // Byte scans, not char-array patterns (each is a searcher instantiation).
    let end = rest.bytes().position(|b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return Err("`url` must not carry a username or password");
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => ["[", v6.split(']').next().unwrap_or(""), "]"].concat(),
        None => authority.split(':').next().unwrap_or("").to_string(),
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("`url` must be an absolute http(s) URL with a host");
    }
    let path = tail.get(..tail.bytes().position(|b| b == b'?' || b == b'#').unwrap_or(tail.len())).unwrap_or("");
    Ok((host.to_ascii_lowercase(), if path.is_empty() { "/".to_string() } else { path.to_string() }))
}

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = include_str!("deploy.d.ts");

#[cfg(test)]
#[path = "deploy_tests.rs"]
mod tests;
