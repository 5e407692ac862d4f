//! The deploy engine's exchanges (contract §3.1–§3.4): content hashed into
//! refs, the plan (with its manifest upload above 5 MiB), the missing
//! content uploaded to presigned URLs, the commit and the operation's poll
//! loop. The pure rules it follows live beside it ([`super::normalize`],
//! [`super::plan`], [`super::poll`], [`super::translate`]); this file only
//! sends, waits and emits.

use crate::prelude::*;
use core::cell::{Cell, RefCell};

use super::normalize::{self, Piece};
use super::plan::{self, Warning};
use super::poll::{self, Next, Phases};
use super::translate::{self, At};
use super::{Content, ContentRef, ValidSpec};
use crate::driver::join::join_bounded;
use crate::credentials::LocalFuture;
use crate::error::{Error, ErrorKind, Result};
use crate::json::{Json, JsonExt, Native};
use crate::kernel::encode::encode_uri_component;
use crate::kernel::{BodyKind, Call, HostBody, Kernel, Reply};
use crate::namespaces::s3::{self, whole, Part};
use crate::surface::Events;
use crate::value::Val;
use crate::wallet::codec::{hex, unhex};

/// A plan body above this goes through the content service as a manifest.
pub const INLINE_LIMIT: u64 = 5 * 1024 * 1024;
const MANIFEST_TYPE: &str = "application/vnd.run402.deploy-manifest+json";
/// Sources hashed at once.
const PARALLEL: usize = 4;
/// Upload sessions at once: each is a PUT to storage then a complete to
/// the gateway, two round trips that wait on the network, not on us, so a
/// site of many small files goes at the latency's pace times this.
const SESSIONS: usize = 8;
/// Parts of one session in flight.
const PART_PARALLEL: usize = 2;

pub const PLANNING: &str = "planning deploy";
pub const UPLOADING: &str = "uploading deploy bytes";
const HASHING: &str = "normalizing byte sources";
const CONTENT_PLAN: &str = "planning content upload";
const COMPLETING: &str = "completing content upload session";
const CONTENT_COMMIT: &str = "committing content upload";
pub const COMMITTING: &str = "committing deploy";
const POLLING: &str = "polling deploy";

/// Bytes the gateway may ask for, keyed by sha256 (the first source wins).
#[derive(Debug, Clone)]
pub struct Reader {
    pub sha256: String,
    /// `None` for a ContentRef passed through: nothing local to upload
    /// (unless `file` says where to read it).
    pub body: Option<HostBody>,
    /// A file's path and size: its bytes are read again when it is
    /// uploaded rather than held from hashing to upload, so a directory's
    /// deploy holds the files in flight, not the whole site (`body` is
    /// then `None`).
    pub file: Option<(String, u64)>,
    pub label: String,
    pub content_type: Option<String>,
}

impl Reader {
    /// The content's size in bytes, where it is known here.
    pub fn size(&self) -> Option<u64> {
        self.body.as_ref().and_then(|b| b.info.length).or(self.file.as_ref().map(|f| f.1))
    }

    /// Its bytes: held, or the file read again (`None`: passed through, nothing here).
    pub async fn bytes(&self, d: &Deploy<'_>) -> Result<Option<HostBody>> {
        match (&self.body, &self.file) {
            (Some(b), _) => Ok(Some(b.clone())),
            (None, Some((path, _))) => d.read_all(&Native::string(path.clone()), &self.label).await.map(Some),
            _ => Ok(None),
        }
    }
}

/// One deploy's fixed facts: who sends, for which project, with which keys.
pub struct Deploy<'a> {
    pub k: &'a Kernel,
    pub events: &'a Events,
    pub project: String,
    /// `apikey: <anon key>` on content and operation calls: when the
    /// provider knows the project and the client is not a CI session.
    pub anon: Option<String>,
    pub ci: bool,
    pub method: (&'static str, &'static str),
}

/// One unit of concurrent work: every join here runs these, so the join is
/// compiled once for all of them.
type Task<'a> = LocalFuture<'a, Result<()>>;

/// Runs `work`, `limit` at a time; the first error cancels the rest.
fn all(work: Vec<Task<'_>>, limit: usize) -> crate::driver::join::JoinBounded<alloc::vec::IntoIter<Task<'_>>, Task<'_>> {
    join_bounded(work, limit)
}

/// A normalized plan and what the engine read from it.
pub struct Planned {
    pub value: Val,
    pub json: Json,
    pub warnings: Vec<Warning>,
    pub readers: Vec<Reader>,
}

impl Planned {
    pub fn id(&self, field: &str) -> Option<String> {
        self.json.str_field(field).filter(|s| !s.is_empty())
    }
    pub fn diff(&self) -> Val {
        self.value.get("diff").cloned().unwrap_or(Val::Undefined)
    }
    pub fn warnings(&self) -> Val {
        self.value.get("warnings").cloned().unwrap_or(Val::Arr(Vec::new()))
    }
}

/// A deploy error made here (codes of §3.7's local extras).
pub fn deploy_error(context: &str, code: &str, message: impl Into<String>, retryable: bool) -> Error {
    Error::local(context, message).of_kind(ErrorKind::DeployError)
        .with("code", code)
        .with("retryable", retryable)
}

/// An event `{ type, ...fields }`.
pub fn event(kind: &str) -> Val {
    Val::object().with("type", kind)
}

/// Whether the call was stopped by its signal or timeout: passed through
/// untranslated, never retried.
fn interrupted(e: &Error) -> bool {
    e.kind == ErrorKind::NetworkError && e.extra_field("code").and_then(Val::as_str).is_some_and(|c| c == "ABORTED" || c == "TIMEOUT")
}

/// A kernel error from a deploy route, as a Run402DeployError.
pub fn translated(e: Error, at: At<'_>) -> Error {
    if interrupted(&e) {
        return e;
    }
    translate::kernel_error(e, at)
}

impl Deploy<'_> {
    pub async fn emit(&self, v: Val) {
        (self.events)(v).await;
    }

    pub fn call(&self, verb: &'static str, path: impl Into<String>, ctx: &'static str, anon: bool) -> Call {
        let call = Call::new(verb, path, ctx).sdk_method(self.method.0, self.method.1);
        match (&self.anon, anon) {
            (Some(key), true) => call.header("apikey", key.as_str()),
            _ => call,
        }
    }

    /// The bytes of one content position, hashed (§3.2).
    async fn resolve(&self, piece: &Piece) -> Result<(ContentRef, Reader)> {
        let k = self.k;
        let probe = |j: &Json| k.transport.body_kind(j);
        let mut value = piece.value.clone();
        let mut content_type = None;
        let mut file = None;
        // `Err`: a source to read first (one read site for streams and files).
        let got = loop {
            let Some(form) = super::content(&value, &probe) else {
                return Err(Error::local(HASHING, format!("{}: the content changed while it was read", piece.label)));
            };
            match form {
                Content::Ref(r) => {
                    let ct = content_type.or(r.content_type.clone()).or(piece.fallback_type.map(str::to_string));
                    let reader = Reader { sha256: r.sha256.clone(), body: None, file: None, label: piece.label.clone(), content_type: ct.clone() };
                    return Ok((ContentRef { content_type: ct, ..r }, reader));
                }
                Content::Wrapped { data, content_type: own } => {
                    content_type = content_type.or(own);
                    value = data;
                }
                Content::Text(j) => break Ok(k.host_body(j, HASHING)?),
                Content::Bytes(b) if b.info.kind == BodyKind::Stream => break Err(b.value),
                Content::Bytes(b) => {
                    if b.info.kind == BodyKind::Blob {
                        content_type = content_type.or(b.value.str_field("type").filter(|t| !t.is_empty()));
                    }
                    break Ok(b);
                }
                Content::FsFile { path, content_type: own } => {
                    content_type = content_type.or(own);
                    let source = Native::string(path.clone());
                    file = Some(path);
                    break Err(source);
                }
            }
        };
        let body = match got {
            Ok(body) => body,
            Err(source) => self.read_all(&source, &piece.label).await?,
        };
        let digest = k.sha256(&body.value, HASHING).await?;
        let sha256 = hex(&digest);
        let size = body.info.length.unwrap_or(0);
        let reader_type = content_type.clone().or(piece.fallback_type.map(str::to_string));
        let (body, file) = match file {
            Some(path) => (None, Some((path, size))),
            None => (Some(body), None),
        };
        let reader = Reader { sha256: sha256.clone(), body, file, label: piece.label.clone(), content_type: reader_type };
        Ok((ContentRef { sha256, size, content_type, integrity: None }, reader))
    }

    /// A stream read to its end, or a file from the installed reader.
    pub async fn read_all(&self, source: &Json, label: &str) -> Result<HostBody> {
        let k = self.k;
        match k.transport.read_all(source).await {
            Ok(Some(bytes)) => k.host_body(bytes, HASHING),
            Ok(None) => Err(Error::local(
                HASHING,
                format!("{label}: an fs-file source needs a file reader: import `@run402/sdk-wasm/node` (Node, Bun, Deno), which installs one"),
            )),
            Err(why) => Err(Error::local(HASHING, format!("{label}: cannot read the content: {why}"))),
        }
    }

    /// Every content position hashed (a few at once), in order, and the
    /// readers by sha256.
    async fn hash(&self, spec: &ValidSpec) -> Result<(Vec<ContentRef>, Vec<Reader>)> {
        let pieces = normalize::pieces(spec);
        let mut slots: Vec<RefCell<Option<(ContentRef, Reader)>>> = Vec::with_capacity(pieces.len());
        slots.resize_with(pieces.len(), || RefCell::new(None));
        // Plain loops build the task lists: each iterator chain collected
        // into a Vec is an instantiation of its own.
        let mut work: Vec<Task<'_>> = Vec::with_capacity(pieces.len());
        for (p, slot) in pieces.iter().zip(&slots) {
            work.push(Box::pin(async move {
                *slot.borrow_mut() = Some(self.resolve(p).await?);
                Ok(())
            }));
        }
        all(work, PARALLEL).await?;
        let mut refs = Vec::with_capacity(slots.len());
        let mut readers: Vec<Reader> = Vec::new();
        for slot in slots {
            let Some((r, reader)) = slot.into_inner() else { continue };
            refs.push(r);
            match readers.iter_mut().find(|x| x.sha256 == reader.sha256) {
                Some(first) => {
                    if first.content_type.is_none() {
                        first.content_type = reader.content_type;
                    }
                    if first.body.is_none() && first.file.is_none() {
                        first.body = reader.body;
                        first.file = reader.file;
                    }
                }
                None => readers.push(reader),
            }
        }
        Ok((refs, readers))
    }

    /// §3.1 steps 2–4: hashing, the manifest if the body is too big, the
    /// plan request and its normalization (§3.5).
    pub async fn plan(&self, spec: &ValidSpec, dry_run: bool, key: Option<&str>) -> Result<Planned> {
        let k = self.k;
        let (refs, mut readers) = self.hash(spec).await?;
        let normalized = normalize::normalized(spec, &refs);
        let with_key = |body: Val| match key.filter(|_| !dry_run) {
            Some(key) => body.with("idempotency_key", key),
            None => body,
        };
        let inline = with_key(Val::object().with("spec", normalized.clone()));
        let text = k.transport.stringify(&inline).map_err(|why| Error::local(PLANNING, format!("cannot serialize the spec: {why}")))?;
        let size = k.transport.body_kind(&text).and_then(|b| b.length).unwrap_or(0);
        let body = if size <= INLINE_LIMIT {
            text
        } else if dry_run {
            return Err(deploy_error(PLANNING, "DRY_RUN_REQUIRES_INLINE_SPEC", "a dry-run plan must fit inline (5 MiB of JSON); this spec needs a manifest upload", false).with("phase", "validate").with("resource", "manifest_ref"));
        } else if self.ci {
            return Err(super::ci_guard::manifest_ref_refused());
        } else {
            let manifest = self.manifest(&normalized, &mut readers).await?;
            let body = with_key(Val::object().with("spec", Val::object().with("project", self.project.as_str())).with("manifest_ref", manifest));
            k.transport.stringify(&body).map_err(|why| Error::local(PLANNING, why))?
        };
        let path = if dry_run { "/deploy/v2/plans?dry_run=true" } else { "/deploy/v2/plans" };
        let call = self
            .call("POST", path, PLANNING, false)
            .header("Content-Type", "application/json")
            .host_body(k.host_body(body, PLANNING)?)
            .paid(key.map(str::to_string));
        let at = At { phase: "plan", plan_id: None, operation_id: None };
        let reply = k.send(call).await.map_err(|e| translated(e, at))?;
        let json = object(&reply, PLANNING)?;
        let warnings = plan::merged(plan::warnings(&json), plan::client_route_warning(spec.json()));
        let value = plan::normalize(&json, &warnings);
        Ok(Planned { value, json, warnings, readers })
    }

    /// §3.3: the normalized spec as a content-addressed manifest.
    async fn manifest(&self, normalized: &Val, readers: &mut Vec<Reader>) -> Result<Val> {
        let k = self.k;
        let text = k.transport.stringify(normalized).map_err(|why| Error::local(PLANNING, why))?;
        let body = k.host_body(text, PLANNING)?;
        let sha256 = hex(&k.sha256(&body.value, PLANNING).await?);
        let size = body.info.length.unwrap_or(0);
        readers.push(Reader { sha256: sha256.clone(), body: Some(body), file: None, label: "manifest".into(), content_type: Some(MANIFEST_TYPE.into()) });
        let missing = Val::Arr(vec![Val::object().with("sha256", sha256.as_str()).with("size", Val::Num(size as f64)).with("present", false)]);
        let missing = k.transport.stringify(&missing).ok().and_then(|t| k.transport.parse_json(&t).ok());
        if let Some(list) = missing {
            self.upload_missing(&list, readers, 1).await?;
        }
        Ok(Val::object().with("sha256", sha256).with("size", Val::Num(size as f64)).with("contentType", MANIFEST_TYPE))
    }

    /// §3.4: what the plan lacks, uploaded. `attempts` per session (3; the
    /// manifest gets 1).
    pub async fn upload_missing(&self, missing: &Json, readers: &[Reader], attempts: u32) -> Result<()> {
        let reader = |sha: &str| readers.iter().find(|r| r.sha256 == sha);
        let mut wanted = Vec::new();
        for item in missing.items() {
            let Some(sha) = item.str_field("sha256") else { continue };
            let label = reader(&sha).map_or_else(|| sha.clone(), |r| r.label.clone());
            if item.bool_field("present") == Some(true) {
                self.emit(event("content.upload.skipped").with("label", label).with("sha256", sha).with("reason", "present")).await;
                continue;
            }
            let size = whole(item.field("size")).or_else(|| reader(&sha).and_then(Reader::size)).unwrap_or(0);
            let content_type = reader(&sha).and_then(|r| r.content_type.clone()).unwrap_or_else(|| "application/octet-stream".into());
            wanted.push(Val::object().with("sha256", sha).with("size", Val::Num(size as f64)).with("content_type", content_type));
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let mut body = Val::object().with("content", Val::Arr(wanted));
        if self.ci {
            body = body.with("project_id", self.project.as_str());
        }
        let reply = self.k.send(self.call("POST", "/content/v1/plans", CONTENT_PLAN, true).json(body)).await?;
        let content_plan = object(&reply, CONTENT_PLAN)?;
        let plan_id = content_plan.str_field("plan_id").filter(|s| !s.is_empty()).ok_or_else(|| {
            Error::bad_response(reply.status, reply.body.clone(), CONTENT_PLAN, "The content plan has no plan_id")
        })?;
        let sessions = content_plan.field("missing").map(|m| m.items()).unwrap_or_default();
        let done = Cell::new(0u32);
        let total = sessions.len();
        let mut work: Vec<Task<'_>> = Vec::with_capacity(total);
        for s in &sessions {
            work.push(Box::pin(self.session(s, readers, attempts, &done, total)));
        }
        all(work, SESSIONS).await?;
        let path = ["/content/v1/plans/", &encode_uri_component(&plan_id), "/commit"].concat();
        self.k.send(self.call("POST", path, CONTENT_COMMIT, true).json(Val::object())).await?;
        Ok(())
    }

    /// One upload session: its parts PUT (retried as a whole), completed.
    async fn session(&self, s: &Json, readers: &[Reader], attempts: u32, done: &Cell<u32>, total: usize) -> Result<()> {
        let k = self.k;
        let sha = s.str_field("sha256").unwrap_or_default();
        let found = readers.iter().find(|r| r.sha256 == sha);
        let label = found.map_or_else(|| sha.clone(), |r| r.label.clone());
        let body = match found {
            Some(r) => r.bytes(self).await?,
            None => None,
        };
        let Some(body) = body.as_ref() else {
            let short: String = sha.chars().take(12).collect();
            return Err(deploy_error(UPLOADING, "CONTENT_UPLOAD_FAILED", format!("ContentRef {short}… was passed pre-resolved but the gateway reports it missing: pass its bytes instead"), false)
                .with("resource", label));
        };
        let size = body.info.length.unwrap_or(0);
        let (upload_id, multipart, parts) = s3::session_parts(s, size, UPLOADING)?;
        let whole_digest = unhex::<32>(&sha).ok();
        let mut attempt = 1;
        let etags: RefCell<Vec<(u32, String)>> = RefCell::new(Vec::new());
        loop {
            etags.borrow_mut().clear();
            let mut puts: Vec<Task<'_>> = Vec::with_capacity(parts.len());
            for p in &parts {
                let etags = &etags;
                puts.push(Box::pin(async move {
                    let (n, etag) = self.put(body, p, if multipart { None } else { whole_digest }).await?;
                    etags.borrow_mut().push((n, etag));
                    Ok(())
                }));
            }
            match all(puts, PART_PARALLEL).await {
                Ok(_) => break,
                Err(e) if interrupted(&e) => return Err(e),
                Err(e) => {
                    let retryable = e.status.is_none_or(|s| s >= 500 || s == 403) && e.kind != ErrorKind::LocalError;
                    if !retryable || attempt >= attempts {
                        let failed = deploy_error(UPLOADING, "CONTENT_UPLOAD_FAILED", format!("{label}: {}", e.message), retryable);
                        let e = e.into_info();
                        let mut failed = failed.with_body(e.body);
                        failed.status = e.status;
                        return Err(failed.with("resource", label));
                    }
                    k.transport.sleep(1_000 * attempt, UPLOADING).await?;
                    attempt += 1;
                }
            }
        };
        if !self.ci {
            let finish = if multipart {
                // In part order (they finish in any order).
                let mut done = etags.into_inner();
                let mut list = Vec::with_capacity(done.len());
                for p in &parts {
                    if let Some(i) = done.iter().position(|(n, _)| *n == p.number) {
                        let (n, etag) = done.swap_remove(i);
                        list.push(Val::object().with("part_number", Val::Num(f64::from(n))).with("etag", etag));
                    }
                }
                Val::object().with("parts", Val::Arr(list))
            } else {
                Val::object()
            };
            let path = ["/storage/v1/uploads/", &encode_uri_component(&upload_id), "/complete"].concat();
            k.send(self.call("POST", path, COMPLETING, true).json(finish)).await?;
        }
        done.set(done.get() + 1);
        let progress = event("content.upload.progress")
            .with("label", label)
            .with("sha256", sha)
            .with("done", Val::Num(f64::from(done.get())))
            .with("total", Val::Num(total as f64));
        self.emit(progress).await;
        Ok(())
    }

    /// One part PUT: its number and ETag (a multipart part must answer one).
    async fn put(&self, body: &HostBody, part: &Part, single: Option<[u8; 32]>) -> Result<(u32, String)> {
        let k = self.k;
        let bytes = if part.start == 0 && Some(part.end) == body.info.length { body.clone() } else { k.slice_body(body, part.start, part.end, UPLOADING)? };
        let (n, etag, _) = s3::put_part(k, part, bytes, single, UPLOADING).await?;
        if single.is_none() && etag.is_empty() {
            return Err(Error::local(UPLOADING, format!("part {n} answered no ETag")));
        }
        Ok((n, etag))
    }

    /// §3.1 step 8: the commit request, and where its errors are.
    pub fn commit<'p>(&self, plan_id: &'p str, key: Option<&str>) -> (Call, At<'p>) {
        let body = match key {
            Some(key) => Val::object().with("idempotency_key", key),
            None => Val::object(),
        };
        let path = ["/deploy/v2/plans/", &encode_uri_component(plan_id), "/commit"].concat();
        let call = self.call("POST", path, COMMITTING, false).json(body).paid(key.map(str::to_string));
        (call, At { phase: "commit", plan_id: Some(plan_id), operation_id: None })
    }

    /// §3.1 steps 8–10 for a commit or a resume (one future for both): the
    /// request, then its operation until it is ready, every request sent
    /// from one place. A commit's answer (`at` names no operation yet) is
    /// not a full snapshot: unless it is final, the operation is fetched
    /// before the first sleep.
    pub async fn open(&self, call: Call, at: At<'_>, diff: Val, warnings: Val) -> Result<Val> {
        let k = self.k;
        let plan_id = at.plan_id;
        let mut fetch = at.operation_id.is_none();
        let mut opening = true;
        let mut call = call;
        // Where the request in flight fails: the opening one's place, then
        // the last snapshot's status and plan.
        let mut phase = at.phase.to_string();
        let mut own_plan = plan_id.map(str::to_string);
        let mut op = at.operation_id.map(str::to_string).unwrap_or_default();
        let mut start = 0.0;
        let mut interval = poll::INITIAL_INTERVAL_MS;
        let mut phases = Phases::new();
        loop {
            let ctx = call.context;
            let at = At { phase: &phase, plan_id: own_plan.as_deref(), operation_id: Some(op.as_str()).filter(|o| !o.is_empty()) };
            let reply = k.send(call).await.map_err(|e| translated(e, at))?;
            let snapshot = object(&reply, ctx)?;
            if opening {
                let Some(id) = snapshot.str_field("operation_id").filter(|o| !o.is_empty()) else {
                    return Err(deploy_error(POLLING, "INTERNAL_ERROR", "the gateway's answer names no operation_id", false));
                };
                op = id;
                opening = false;
                start = k.transport.now_ms();
            }
            // A snapshot without a status would be polled for ten minutes.
            let Some(status) = snapshot.str_field("status") else {
                return Err(deploy_error(POLLING, "INTERNAL_ERROR", "the operation's snapshot has no status", false).with("operationId", op.as_str()));
            };
            own_plan = snapshot.str_field("plan_id").or(plan_id.map(str::to_string));
            phase = status;
            let status = phase.as_str();
            if fetch && !matches!(status, "ready" | "failed") {
                fetch = false;
            } else {
                fetch = false;
                let mut out = Vec::new();
                let next = phases.observe(status, &mut out);
                for e in out {
                    self.emit(event("commit.phase").with("phase", e.phase).with("status", e.status)).await;
                }
                match next {
                    Next::Ready => {
                        let (Some(release), Some(urls)) = (snapshot.field("release_id").filter(|r| !r.is_nullish()), snapshot.field("urls").filter(|u| !u.is_nullish())) else {
                            return Err(deploy_error(POLLING, "INTERNAL_ERROR", "the operation is ready without a release_id and urls", false).with("operationId", op.as_str()));
                        };
                        self.emit(event("ready").with("releaseId", Val::Json(release.clone())).with("urls", Val::Json(urls.clone()))).await;
                        return Ok(Val::object()
                            .with("release_id", Val::Json(release))
                            .with("operation_id", op.as_str())
                            .with("urls", Val::Json(urls))
                            .with("diff", diff)
                            .with("warnings", warnings));
                    }
                    Next::Failed => {
                        let at = At { phase: status, plan_id: own_plan.as_deref(), operation_id: Some(&op) };
                        return Err(translate::snapshot_error(snapshot.field("error").as_ref(), at));
                    }
                    Next::Wait => {}
                }
                let elapsed = k.transport.now_ms() - start;
                if elapsed > poll::GIVE_UP_AFTER_MS {
                    let e = deploy_error(POLLING, "INTERNAL_ERROR", format!("the deploy did not finish within 10 minutes (last status {status})"), true);
                    let mut e = e;
                    e.status = Some(504);
                    return Err(e.with("phase", status).with("operationId", op.as_str()));
                }
                k.transport.sleep(interval, POLLING).await?;
                interval = poll::next_interval(interval, k.transport.now_ms() - start);
            }
            let path = ["/deploy/v2/operations/", &encode_uri_component(&op)].concat();
            call = self.call("GET", path, POLLING, true);
        }
    }
}

/// The answer as a JSON object.
pub fn object(reply: &Reply, ctx: &str) -> Result<Json> {
    match reply.json() {
        Some(j) if j.is_object() => Ok(j.clone()),
        _ => Err(Error::bad_response(reply.status, reply.body.clone(), ctx, "The answer is not a JSON object")),
    }
}
