//! `r.blobs`: direct-to-storage blob uploads, downloads and CDN checks, all
//! with the project's service key as both `apikey` and bearer (contract
//! §1.2, §4). The one-request members are declared routes. Code: `put`
//! (init → part PUTs to presigned URLs, in parallel → complete, hashing as
//! it goes), the two session members that share its wire
//! (`initUploadSession`, `completeUploadSession`), `get` (a raw download
//! whose failures are all `ApiError`s) and `waitFresh` (polling), each a
//! step machine run by [`steps`]'s one driver (plain code, no future of its
//! own); `sign` is a route whose guard checks its range.
//!
//! Streams: a `ReadableStream` is read one part at a time, so memory holds
//! at most [`STREAM_PARALLEL`] parts, not the content. Its whole-content
//! SHA-256 and each part's checksum are computed in one pass as the parts
//! are read, incrementally (WebCrypto has none): natively where the runtime
//! has it (`node:crypto`), else in Rust. The whole digest, known only at
//! the end, goes with `complete` as `sha256` instead of the session's start.

use crate::prelude::*;
use alloc::rc::Rc;

use crate::args::Args;
use crate::credentials::{LocalFuture, ProjectKeys};
use crate::error::{Error, ErrorKind, Result};
use crate::json::{Json, JsonExt, Native, Shape};
use crate::kernel::encode::encode_segments;
use crate::kernel::sha256::Hasher;
use crate::kernel::{BodyKind, Call, HostBody, Kernel, ReadAs, Reply};
use crate::routes::{field, route, Auth, Guard, Key, Kind, Out, Route, RouteBody, Src, SERVICE_GET};
use crate::surface::{call_opts, opt, req, req_call_opts, Method, Namespace, Run, Scope, PROJECT_ID};
use crate::value::Val;
use crate::wallet::codec::{hex, unhex};
use super::s3::{self, body_text, part_failed, session_parts, whole, Part};
use super::steps::{self, out_of_step, Got, Steps, Waits};

pub const NAMESPACE: Namespace = Namespace {
    name: "blobs",
    ts_name: "Blobs",
    doc: crate::ts!("Blob storage: uploads straight to storage (parallel parts, streams in bounded memory), content-addressed CDN URLs with SRI, downloads, listing, signed URLs, CDN freshness checks."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "put",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("key", "string"), req("source", "BlobPutSource"), call_opts("opts", "BlobPutOptions")],
            returns: crate::ts!("AssetRef"),
            scope: Scope::Project,
            context: "uploading blob",
            doc: crate::ts!("Uploads `source` under `key`: starts an upload session, PUTs its parts to the presigned URLs (up to 4 at once; for a stream one at a time, the next part read and hashed meanwhile), completes it. Strings (and `{ content }`) are limited to 1 MiB; a `ReadableStream` needs `opts.size`. `immutable` (default true) hashes the content and returns the content-addressed `cdnUrl` with its `sri`."),
            http: crate::ts!("POST /storage/v1/uploads → PUT presigned part URLs (raw) → POST /storage/v1/uploads/{upload_id}/complete · service key"),
            run: Run::Code(put_member),
        },
        Method {
            name: "initUploadSession",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "BlobUploadInitOptions")],
            returns: crate::ts!("BlobUploadInitResult"),
            scope: Scope::Project,
            context: "initializing upload",
            doc: crate::ts!("Starts an upload session (the first step of `put`) for uploaders that manage parts themselves: presigned part URLs with their byte ranges. `visibility` defaults to public, `immutable` to false; `sha256`, if given, must be 64 hex digits."),
            http: crate::ts!("POST /storage/v1/uploads · service key"),
            run: Run::Code(init_upload_session),
        },
        Method {
            name: "getUploadSession",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("uploadId", "string")],
            returns: crate::ts!("BlobUploadStatusResult"),
            scope: Scope::Project,
            context: "fetching upload session",
            doc: crate::ts!("An upload session's status (active, completed, aborted, expired) and its parts, for resuming."),
            http: crate::ts!(""),
            run: route(Route { path: "/storage/v1/uploads/{1}", ..BLOB_GET }),
        },
        Method {
            name: "completeUploadSession",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("uploadId", "string"), call_opts("opts", "BlobUploadCompleteOptions"), opt("extra", "{ contentType?: string }")],
            returns: crate::ts!("AssetRef"),
            scope: Scope::Project,
            context: "completing upload",
            doc: crate::ts!("Completes an upload session (multipart: every part's number, ETag and sha256) and returns the same AssetRef as `put`; `extra.contentType` names the AssetRef's `contentType`."),
            http: crate::ts!("POST /storage/v1/uploads/{uploadId}/complete · service key"),
            run: Run::Code(complete_upload_session),
        },
        Method {
            name: "get",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("key", "string")],
            returns: crate::ts!("Response"),
            scope: Scope::Project,
            context: "downloading blob",
            doc: crate::ts!("Downloads a blob: the raw `Response`, its body unread (stream it, or read `.arrayBuffer()`). Any non-2xx answer is an ApiError carrying the response text."),
            http: crate::ts!("GET /storage/v1/blob/{key} (raw, service key, no provider headers)"),
            run: Run::Code(get),
        },
        Method {
            name: "ls",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, opt("opts", "BlobLsOptions")],
            returns: crate::ts!("BlobLsResult"),
            scope: Scope::Project,
            context: "listing blobs",
            doc: crate::ts!("Lists blobs by key, optionally under a prefix; pass `next_cursor` back as `cursor` for the next page."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/storage/v1/blobs",
                query: &[
                    field("prefix", Src::Opt(1, "prefix"), Kind::OptStr),
                    field("limit", Src::Opt(1, "limit"), Kind::OptPosInt),
                    field("cursor", Src::Opt(1, "cursor"), Kind::OptStr),
                ],
                ..BLOB_GET
            }),
        },
        Method {
            name: "rm",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("key", "string")],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "deleting blob",
            doc: crate::ts!("Deletes a blob (its storage stops counting against the project)."),
            http: crate::ts!(""),
            run: route(Route { verb: "DELETE", path: "/storage/v1/blob/{1/}", result: Out::Void, ..BLOB_GET }),
        },
        Method {
            name: "sign",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("key", "string"), opt("opts", "BlobSignOptions")],
            returns: crate::ts!("BlobSignResult"),
            scope: Scope::Project,
            context: "signing blob URL",
            doc: crate::ts!("A time-limited presigned GET URL for a blob (private ones included); `ttl_seconds` from 60 to 604800 (7 days), default one hour."),
            http: crate::ts!("POST /storage/v1/blob/{key}/sign · service key"),
            run: route(SIGN),
        },
        Method {
            name: "diagnoseUrl",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("url", "string")],
            returns: crate::ts!("BlobDiagnoseEnvelope"),
            scope: Scope::Project,
            context: "diagnosing blob URL",
            doc: crate::ts!("What the CDN serves at one of the project's blob URLs right now (one probe, which may itself warm the cache): expected vs observed SHA-256, cache state, the latest invalidation. Another project's URL is refused with 403."),
            http: crate::ts!(""),
            run: route(DIAGNOSE),
        },
        Method {
            name: "waitFresh",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "BlobWaitFreshOptions")],
            returns: crate::ts!("BlobWaitFreshResult"),
            scope: Scope::Project,
            context: "waiting for CDN freshness",
            doc: crate::ts!("Polls `diagnoseUrl` (100 ms doubling to 1 s apart; failed polls are retried) until the URL serves `sha256` or `timeoutMs` (default 60000) passes. Never throws for staleness: check `fresh`."),
            http: crate::ts!("GET /storage/v1/blobs/diagnose?url=… repeatedly · service key"),
            run: Run::Code(wait_fresh),
        },
    ],
};

/// `AK(svc)+SK+P`: every blob call's credentials.
const SERVICE_TWICE: Auth = Auth { apikey: Key::Service, bearer: Key::Service, provider: true };
const BLOB_GET: Route = Route { auth: SERVICE_TWICE, ..SERVICE_GET };
const DIAGNOSE: Route = Route { path: "/storage/v1/blobs/diagnose?url={1}", ..BLOB_GET };
const SIGN: Route = Route {
    verb: "POST",
    path: "/storage/v1/blob/{1/}/sign",
    body: RouteBody::Fields(&[field("ttl_seconds", Src::Opt(2, "ttl_seconds"), Kind::OptJson)]),
    result: Out::Guarded(&Guard { check: sign_check, error: None }),
    ..BLOB_GET
};

const PART_CONTEXT: &str = "uploading blob part";
/// What a string (or `{ content }`) may weigh, in UTF-8 bytes.
const CONTENT_LIMIT: u64 = 1_048_576;
/// Parts in flight for bytes and Blobs (already in memory or on disk).
const PARALLEL: usize = 4;
/// Parts held at once for a stream: one being PUT while the next is read
/// and hashed, so reading overlaps sending. Once handed to fetch a part's
/// bytes are fetch's alone (the kernel and js/host.js keep none): Node's
/// fetch sends them as they are (js/host.js `oneChunkStream`), so a stream
/// upload peaks near two part sizes there, whatever the content's length;
/// a fetch that copies a byte body (the browsers') holds a third.
const STREAM_PARALLEL: usize = 2;
/// PUTs in flight for a stream: one (see [`STREAM_PARALLEL`]).
const STREAM_PUTS: usize = 1;

/// The caller's content as a sendable body, and whether it is text
/// (which has a size limit).
fn source(k: &Kernel, a: &Args) -> Result<HostBody> {
    let Some(given) = a.get(2) else {
        return Err(a.error("`source` must be a string, Uint8Array, ArrayBuffer, Blob, ReadableStream, { content } or { bytes }"));
    };
    let (value, text) = if given.is_object() {
        match (given.field("content"), given.field("bytes")) {
            (Some(c), None) if c.shape() == Shape::String => (c, true),
            (Some(_), None) => return Err(a.error("`content` must be a string")),
            (None, Some(b)) => (b, false),
            _ => return Err(a.error("pass exactly one of `content` or `bytes`")),
        }
    } else {
        (given.clone(), given.shape() == Shape::String)
    };
    let body = k.host_body(value, a.context)?;
    if text && body.info.length > Some(CONTENT_LIMIT) {
        return Err(a.error("text content is limited to 1 MiB (1,048,576 UTF-8 bytes); pass bytes, a Blob or a stream for more"));
    }
    Ok(body)
}

/// The MIME types the reference guesses from a key's extension (as data:
/// a table costs less than a compiled `match`).
const CONTENT_TYPES: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("svg", "image/svg+xml"),
    ("webp", "image/webp"),
    ("html", "text/html"),
    ("css", "text/css"),
    ("js", "text/javascript"),
    ("json", "application/json"),
    ("txt", "text/plain"),
    ("md", "text/markdown"),
    ("pdf", "application/pdf"),
    ("zip", "application/zip"),
    ("tgz", "application/gzip"),
    ("gz", "application/gzip"),
];

/// The MIME type the reference guesses from the key's extension.
fn guess_content_type(key: &str) -> &'static str {
    let ext = key.rsplit_once('.').map_or(key, |(_, e)| e);
    crate::kernel::headers::media_type_of(ext, CONTENT_TYPES).unwrap_or("application/octet-stream")
}

/// `opts.immutable`: a boolean, true when absent.
fn immutable(a: &Args, opts: Option<&Json>) -> Result<bool> {
    match opts.and_then(|o| o.field("immutable")).map(|v| v.shape()) {
        None | Some(Shape::Null) => Ok(true),
        Some(Shape::Bool(b)) => Ok(b),
        Some(_) => Err(a.error("`immutable` must be a boolean")),
    }
}

/// `call` with the service key as `apikey` and bearer.
fn service(call: Call, keys: &ProjectKeys) -> Call {
    call.header("apikey", keys.service_key.as_str()).bearer(&keys.service_key)
}

/// A finished future, for checks that fail before anything is awaited.
fn fail(e: Error) -> LocalFuture<'static, Result<Val>> {
    Box::pin(core::future::ready(Err(e)))
}

/// What a one-exchange member makes of its answer (plain code, outside the future).
type Then = fn(&Kernel, &Args, Result<Reply>) -> Result<Val>;

/// The one machine of `initUploadSession`, `completeUploadSession` and
/// `get`: the project's keys, then the call (built and checked before
/// anything is asked, with its project id), then `then`.
fn exchange(k: Rc<Kernel>, a: Args, built: Result<(String, Call)>, then: Then) -> LocalFuture<'static, Result<Val>> {
    match built {
        Ok((id, call)) => steps::start(k, a, Box::new(Exchange { id, call: Some(call), then })),
        Err(e) => fail(e),
    }
}

struct Exchange {
    id: String,
    /// Until it is sent.
    call: Option<Call>,
    then: Then,
}

impl Steps for Exchange {
    fn next(&mut self, k: &Kernel, a: &mut Args, _: usize, got: Result<Got>, ops: &mut Waits) -> Result<Option<Val>> {
        let Some(call) = self.call.take() else { return (self.then)(k, a, Got::reply(got)).map(Some) };
        match got? {
            Got::Start => {
                ops.keys(0, self.id.clone(), a.context);
                self.call = Some(call);
            }
            Got::Keys(keys) => {
                ops.send(0, service(call, &keys));
            }
            _ => return Err(out_of_step()),
        }
        Ok(None)
    }
}

/// `POST /storage/v1/uploads` with a body already built.
fn session_call(a: &Args, body: Val) -> Call {
    a.call("POST", "/storage/v1/uploads").json(body)
}

/// The upload session's answer, which must be a JSON object.
fn session(_: &Kernel, a: &Args, reply: Result<Reply>) -> Result<Val> {
    started(a, reply).map(Val::Json)
}

fn started(a: &Args, reply: Result<Reply>) -> Result<Json> {
    let reply = reply?;
    match reply.json() {
        Some(j) => Ok(j.clone()),
        None => Err(Error::bad_response(reply.status, reply.body, a.context, "The upload session is not a JSON object")),
    }
}

/// `POST /storage/v1/uploads/{id}/complete`.
fn complete_call(a: &Args, upload_id: &str, body: Val) -> Call {
    let path = ["/storage/v1/uploads/", &crate::kernel::encode::encode_uri_component(upload_id), "/complete"].concat();
    a.call("POST", path).json(body)
}

/// The completed upload shaped into an AssetRef.
fn asset(k: &Kernel, a: &Args, reply: Result<Reply>, content_type: Option<&str>) -> Result<Val> {
    let reply = reply?;
    match reply.json() {
        Some(done) => Ok(k.transport.asset_ref(done, content_type)),
        None => Err(Error::bad_response(reply.status, reply.body, a.context, "The completed upload is not a JSON object")),
    }
}

/// `put`'s checked arguments: everything decided before a request.
struct Plan {
    id: String,
    key: String,
    body: HostBody,
    content_type: String,
    visibility: String,
    immutable: bool,
    size: u64,
}

impl Plan {
    fn stream(&self) -> bool {
        self.body.info.kind == BodyKind::Stream
    }
}

#[inline(never)]
fn plan(k: &Kernel, a: &Args) -> Result<Plan> {
    let id = a.project_id(0)?;
    let key = a.non_empty(1, "key")?;
    let body = source(k, a)?;
    let opts = a.opt_object(3, "opts")?;
    let content_type = match &opts {
        Some(o) => a.opt_field_string(o, "contentType")?,
        None => None,
    }
    .unwrap_or_else(|| guess_content_type(&key).to_string());
    let visibility = match opts.as_ref().and_then(|o| a.opt_field_string(o, "visibility").transpose()).transpose()? {
        None => "public".to_string(),
        Some(v) if v == "public" || v == "private" => v,
        Some(_) => return Err(a.error("`visibility` must be \"public\" or \"private\"")),
    };
    let immutable = immutable(a, opts.as_ref())?;
    let size = match body.info.length {
        Some(n) => n,
        None => whole(opts.as_ref().and_then(|o| o.field("size")))
            .ok_or_else(|| a.error("a ReadableStream needs `opts.size`, its length in bytes (presigned parts have fixed byte ranges)"))?,
    };
    Ok(Plan { id, key, body, content_type, visibility, immutable, size })
}

/// The session's start: the upload's key, size, type, visibility, mode
/// and, for content already whole, its digest.
#[inline(never)]
fn init_body(p: &Plan, digest: Option<&[u8; 32]>) -> Val {
    let mut init = Val::object()
        .with("key", p.key.as_str())
        .with("size_bytes", Val::Num(p.size as f64))
        .with("content_type", p.content_type.as_str())
        .with("visibility", p.visibility.as_str())
        .with("immutable", p.immutable);
    if let Some(d) = digest {
        init = init.with("sha256", hex(d));
    }
    init
}

/// The `complete` body: a multipart upload's parts in order, and a
/// stream's whole-content digest.
#[inline(never)]
fn finish_body(parts: &[Part], multipart: bool, done: &[(u32, String, String)], stream_digest: Option<[u8; 32]>) -> Val {
    let mut finish = Val::object();
    if multipart {
        // Stream parts finish in any order; each goes to its place (the
        // first part of its number; the last answer for it).
        let mut list = Vec::new();
        for (i, p) in parts.iter().enumerate() {
            if parts.iter().position(|q| q.number == p.number) != Some(i) {
                continue;
            }
            if let Some((n, etag, sha)) = done.iter().rfind(|d| d.0 == p.number) {
                list.push(Val::object().with("part_number", Val::Num(f64::from(*n))).with("etag", ["\"", etag, "\""].concat()).with("sha256", sha.as_str()));
            }
        }
        finish = finish.with("parts", Val::Arr(list));
    }
    if let Some(d) = stream_digest {
        finish = finish.with("sha256", hex(&d));
    }
    finish
}

/// Where `put` stands: one wait at a time outside [`Phase::Parts`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Start,
    Keys,
    WholeDigest,
    Init,
    /// The parts being taken (a stream read) and PUT.
    Parts,
    /// A stream's one-byte read past its `size`.
    End,
    Complete,
}

/// `put` as a step machine: keys, the whole digest (content already
/// whole), the session, the parts in parallel, a stream's end, the
/// completion. Parts are taken in order, one at a time (so a stream is read
/// sequentially and hashed as it goes), and PUT while the next are taken.
struct Put {
    /// For the stream's cancellation when dropped.
    k: Rc<Kernel>,
    p: Plan,
    phase: Phase,
    keys: Option<ProjectKeys>,
    whole_digest: Option<[u8; 32]>,
    upload_id: String,
    multipart: bool,
    parts: Vec<Part>,
    /// The next part to take.
    next: usize,
    /// Parts taken and not yet PUT: at most [`PARALLEL`], or
    /// [`STREAM_PARALLEL`] for a stream.
    held: usize,
    /// A stream read is running (one at a time).
    reading: bool,
    /// Parts taken, waiting for a PUT slot: (index, bytes, checksum).
    ready: Vec<(usize, HostBody, Option<[u8; 32]>)>,
    /// Parts being hashed for their checksum, before their PUT.
    hashing: Vec<(usize, HostBody)>,
    /// PUTs running (a part's hashing included): at most [`PARALLEL`],
    /// or [`STREAM_PUTS`].
    putting: usize,
    /// Each part's (number, ETag without quotes, hex SHA-256), by index
    /// (all set by the time the upload completes).
    done: Vec<(u32, String, String)>,
    /// A stream's whole-content hasher, fed in order as parts are read.
    whole: Option<Hasher>,
    /// Set while a stream is being uploaded and not yet read to its end:
    /// a failure, or the call being cancelled (the machine dropped), then
    /// cancels the caller's stream.
    guard: bool,
}

impl Drop for Put {
    fn drop(&mut self) {
        if self.guard {
            self.k.transport.cancel_stream(&self.p.body.value);
        }
    }
}

impl Steps for Put {
    fn next(&mut self, k: &Kernel, a: &mut Args, tag: usize, got: Result<Got>, ops: &mut Waits) -> Result<Option<Val>> {
        let stream = self.p.stream();
        let ctx = a.context;
        let got = match got {
            Err(e) if self.phase == Phase::Parts && tag % 2 == 1 => return Err(part_failed(k, self.parts[tag / 2].number, e, PART_CONTEXT)),
            got => got?,
        };
        match (self.phase, got) {
            (Phase::Start, _) => {
                self.phase = Phase::Keys;
                ops.keys(0, self.p.id.clone(), ctx);
            }
            (Phase::Keys, Got::Keys(keys)) => {
                self.keys = Some(keys);
                if self.p.immutable && !stream {
                    self.phase = Phase::WholeDigest;
                    ops.hash(0, self.p.body.value.clone(), ctx);
                } else {
                    self.init(a, ops);
                }
            }
            (Phase::WholeDigest, Got::Digest(d)) => {
                self.whole_digest = Some(d);
                self.init(a, ops);
            }
            (Phase::Init, Got::Reply(reply)) => {
                let (upload_id, multipart, parts) = session_parts(&started(a, Ok(reply))?, self.p.size, ctx)?;
                self.upload_id = upload_id;
                self.multipart = multipart;
                self.done.resize_with(parts.len(), Default::default);
                self.parts = parts;
                self.phase = Phase::Parts;
                self.guard = stream;
                if self.p.immutable && stream {
                    self.whole = Some(k.transport.hasher());
                }
                self.take(k, ops)?;
            }
            (Phase::Parts, Got::Read(bytes)) => {
                self.reading = false;
                let (body, digest) = self.took(k, tag / 2, bytes)?;
                self.ready.push((tag / 2, body, Some(digest)));
                self.take(k, ops)?;
            }
            (Phase::Parts, Got::Digest(digest)) => {
                let Some(at) = self.hashing.iter().position(|h| h.0 == tag / 2) else { return Err(out_of_step()) };
                let (i, bytes) = self.hashing.remove(at);
                self.put_now(ops, i, bytes, &digest);
            }
            (Phase::Parts, Got::Reply(reply)) => {
                self.done[tag / 2].1 = reply.header("etag").unwrap_or_default().trim_matches('"').to_string();
                self.putting -= 1;
                self.held -= 1;
                if self.next < self.parts.len() || self.held > 0 {
                    self.take(k, ops)?;
                } else if stream {
                    // A stream with more bytes than `size` is an error, not
                    // a silently cut upload.
                    self.phase = Phase::End;
                    ops.read(0, self.p.body.value.clone(), 1, PART_CONTEXT);
                } else {
                    self.complete(a, ops, None);
                }
            }
            (Phase::End, Got::Read(bytes)) => {
                if length(k, bytes.as_ref()) != 0 {
                    return Err(Error::local(PART_CONTEXT, "the stream is longer than `opts.size`"));
                }
                self.guard = false;
                let whole = match self.whole.take() {
                    Some(h) => Some(k.transport.hash_finish(h).map_err(|why| Error::local(PART_CONTEXT, format!("cannot hash the content: {why}")))?),
                    None => None,
                };
                self.complete(a, ops, whole);
            }
            (Phase::Complete, Got::Reply(reply)) => return asset(k, a, Ok(reply), Some(&self.p.content_type)).map(Some),
            _ => return Err(out_of_step()),
        }
        Ok(None)
    }
}

impl Put {
    fn service(&self, call: Call) -> Call {
        match &self.keys {
            Some(keys) => service(call, keys),
            None => call,
        }
    }

    fn init(&mut self, a: &Args, ops: &mut Waits) {
        self.phase = Phase::Init;
        let call = session_call(a, init_body(&self.p, self.whole_digest.as_ref()));
        ops.send(0, self.service(call));
    }

    fn complete(&mut self, a: &Args, ops: &mut Waits, stream_digest: Option<[u8; 32]>) {
        self.phase = Phase::Complete;
        let call = complete_call(a, &self.upload_id, finish_body(&self.parts, self.multipart, &self.done, stream_digest));
        ops.send(0, self.service(call));
    }

    /// PUTs the parts taken while PUT slots are free, then takes the next
    /// ones while there is room (a stream's one read at a time; other
    /// content is cut at once) and PUTs those it can: the order in which
    /// they were awaited before.
    fn take(&mut self, k: &Kernel, ops: &mut Waits) -> Result<()> {
        let stream = self.p.stream();
        self.send_ready(ops);
        let limit = if stream { STREAM_PARALLEL } else { PARALLEL };
        while self.held < limit && self.next < self.parts.len() && !self.reading {
            let i = self.next;
            self.next += 1;
            self.held += 1;
            let part = &self.parts[i];
            if stream {
                self.reading = true;
                ops.read(2 * i, self.p.body.value.clone(), part.end - part.start, PART_CONTEXT);
            } else {
                // A single part's checksum is the whole content's digest.
                let digest = if self.multipart { None } else { self.whole_digest };
                self.ready.push((i, k.slice_body(&self.p.body, part.start, part.end, PART_CONTEXT)?, digest));
            }
        }
        self.send_ready(ops);
        Ok(())
    }

    fn send_ready(&mut self, ops: &mut Waits) {
        let sending = if self.p.stream() { STREAM_PUTS } else { PARALLEL };
        while self.putting < sending && !self.ready.is_empty() {
            let (i, bytes, digest) = self.ready.remove(0);
            // The PUT slot covers the part's hashing, if it needs one.
            self.putting += 1;
            match digest {
                Some(d) => self.put_now(ops, i, bytes, &d),
                None => {
                    ops.hash(2 * i, bytes.value.clone(), PART_CONTEXT);
                    self.hashing.push((i, bytes));
                }
            }
        }
    }

    /// PUTs part `i`, its checksum known.
    fn put_now(&mut self, ops: &mut Waits, i: usize, bytes: HostBody, digest: &[u8; 32]) {
        let part = &self.parts[i];
        self.done[i] = (part.number, String::new(), hex(digest));
        ops.send(2 * i + 1, s3::part_call(part, bytes, digest, PART_CONTEXT));
    }

    /// A stream part just read: checked to be whole, hashed into the
    /// content's digest and its own checksum in one pass (no second
    /// reading, and no copy for WebCrypto), made a body.
    fn took(&mut self, k: &Kernel, i: usize, bytes: Option<Json>) -> Result<(HostBody, [u8; 32])> {
        let part = &self.parts[i];
        let want = part.end - part.start;
        let got = length(k, bytes.as_ref());
        let Some(bytes) = bytes.filter(|_| got == want) else {
            return Err(Error::local(PART_CONTEXT, format!("the stream ended after {} bytes, before the `size` of {}", part.start + got, self.parts.last().map_or(0, |p| p.end))));
        };
        let hash_failed = |why: String| Error::local(PART_CONTEXT, format!("cannot hash the content: {why}"));
        let mut own = k.transport.hasher();
        match self.whole.as_mut() {
            Some(whole) => k.transport.hash_into(&mut [whole, &mut own], &bytes),
            None => k.transport.hash_into(&mut [&mut own], &bytes),
        }
        .map_err(hash_failed)?;
        let digest = k.transport.hash_finish(own).map_err(hash_failed)?;
        Ok((k.host_body(bytes, PART_CONTEXT)?, digest))
    }
}

/// The length of host bytes.
fn length(k: &Kernel, bytes: Option<&Json>) -> u64 {
    bytes.and_then(|b| k.transport.body_kind(b)).and_then(|b| b.length).unwrap_or(0)
}

fn put(k: &Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    let p = match plan(k, &a) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let machine = Put {
        k: k.clone(),
        p,
        phase: Phase::Start,
        keys: None,
        whole_digest: None,
        upload_id: String::new(),
        multipart: false,
        parts: Vec::new(),
        next: 0,
        held: 0,
        reading: false,
        ready: Vec::new(),
        hashing: Vec::new(),
        putting: 0,
        done: Vec::new(),
        whole: None,
        guard: false,
    };
    steps::start(k.clone(), a, Box::new(machine))
}

fn put_member(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    put(&k, a)
}

fn init_upload_session(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    let built = init_request(&a);
    exchange(k, a, built, session)
}

#[inline(never)]
fn init_request(a: &Args) -> Result<(String, Call)> {
    let id = a.project_id(0)?;
    let opts = a.opt_object(1, "opts")?.ok_or_else(|| a.error("`opts` must be an object"))?;
    let sha = opts.field("sha256").filter(|v| !matches!(v.shape(), Shape::Undefined));
    if let Some(s) = &sha {
        if s.as_string().is_none_or(|h| unhex::<32>(&h).is_err()) {
            return Err(a.error("`sha256` must be a 64-character hex SHA-256 digest"));
        }
    }
    let mut body = Val::object();
    for name in ["key", "size_bytes", "content_type"] {
        if let Some(v) = opts.field(name) {
            body = body.with(name, v);
        }
    }
    let visibility = opts.field("visibility").filter(|v| !v.is_nullish()).map_or(Val::from("public"), Val::Json);
    let immutable = opts.field("immutable").filter(|v| !v.is_nullish()).map_or(Val::Bool(false), Val::Json);
    body = body.with("visibility", visibility).with("immutable", immutable);
    if let Some(s) = sha {
        body = body.with("sha256", s);
    }
    Ok((id, session_call(a, body)))
}

fn complete_upload_session(k: Rc<Kernel>, mut a: Args) -> LocalFuture<'static, Result<Val>> {
    match complete_request(&a) {
        Ok((id, call, content_type)) => {
            // Read once: `completed` finds it at argument 3.
            a.set(3, content_type.map_or_else(Native::undefined, Native::string));
            exchange(k, a, Ok((id, call)), completed)
        }
        Err(e) => fail(e),
    }
}

#[inline(never)]
fn complete_request(a: &Args) -> Result<(String, Call, Option<String>)> {
    let id = a.project_id(0)?;
    let upload_id = a.non_empty(1, "uploadId")?;
    let parts = a.opt_object(2, "opts")?.and_then(|o| o.field("parts")).filter(|p| !p.is_nullish());
    let content_type = match a.opt_object(3, "extra")? {
        Some(extra) => a.opt_field_string(&extra, "contentType")?,
        None => None,
    };
    let body = match parts {
        Some(p) => Val::object().with("parts", p),
        None => Val::object(),
    };
    Ok((id, complete_call(a, &upload_id, body), content_type))
}

/// The AssetRef, named by the `extra.contentType` put at argument 3.
fn completed(k: &Kernel, a: &Args, reply: Result<Reply>) -> Result<Val> {
    asset(k, a, reply, a.get(3).and_then(|v| v.as_string()).as_deref())
}

fn get(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    let built = get_request(&a);
    exchange(k, a, built, downloaded)
}

fn get_request(a: &Args) -> Result<(String, Call)> {
    let id = a.project_id(0)?;
    let key = a.non_empty(1, "key")?;
    Ok((id, a.call("GET", ["/storage/v1/blob/", &encode_segments(&key)].concat()).raw().read_as(ReadAs::Response)))
}

/// The raw `Response`; any failure with a status is an ApiError carrying its text.
fn downloaded(k: &Kernel, _: &Args, reply: Result<Reply>) -> Result<Val> {
    match reply {
        Ok(reply) => Ok(reply.body),
        Err(e) => match e.status {
            Some(status) => {
                let text = body_text(k, &e.body);
                {
                    let mut e = e.of_kind(ErrorKind::ApiError).with_body(Val::Str(text));
                    e.message = format!("Downloading blob failed (HTTP {status})");
                    Err(e)
                }
            }
            None => Err(e),
        },
    }
}

/// `ttl_seconds` checked locally, before any other argument.
fn sign_check(a: &Args) -> Result<()> {
    let Some(opts) = a.opt_object(2, "opts")? else { return Ok(()) };
    match opts.field("ttl_seconds").map(|v| v.shape()) {
        None => Ok(()),
        Some(Shape::Number(n)) if (60.0..=604_800.0).contains(&n) && crate::num::is_whole(n) => Ok(()),
        Some(_) => Err(a.error("`ttl_seconds` must be a whole number from 60 to 604800 (7 days)")),
    }
}

fn wait_fresh(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    match fresh_plan(&a) {
        Ok((id, url, expected, timeout)) => {
            let machine = Fresh { id, url, expected, timeout, start: 0.0, attempts: 0, observed: Val::Null, delay: 100.0, probing: false };
            steps::start(k, a, Box::new(machine))
        }
        Err(e) => fail(e),
    }
}

/// `waitFresh`'s checked options: the project, URL, expected digest (lower
/// case) and time limit.
fn fresh_plan(a: &Args) -> Result<(String, String, String, f64)> {
    let opts = a.opt_object(1, "opts")?.ok_or_else(|| a.error("`opts` must be an object"))?;
    let timeout = match opts.field("timeoutMs") {
        None => 60_000.0,
        Some(v) => match v.shape() {
            Shape::Number(n) if (1.0..=9_007_199_254_740_991.0).contains(&n) && crate::num::is_whole(n) => n,
            _ => return Err(a.error("`timeoutMs` must be a positive whole number of milliseconds")),
        },
    };
    let url = opts.str_field("url").filter(|u| !u.is_empty()).ok_or_else(|| a.error("`url` must be a non-empty string"))?;
    let expected = opts.str_field("sha256").ok_or_else(|| a.error("`sha256` must be a string"))?.to_ascii_lowercase();
    let id = a.project_id(0)?;
    Ok((id, url, expected, timeout))
}

/// `waitFresh` as a step machine: the keys (the provider must know the
/// project), then probes of `diagnoseUrl` with pauses between them.
struct Fresh {
    id: String,
    url: String,
    expected: String,
    timeout: f64,
    start: f64,
    attempts: u32,
    observed: Val,
    /// The next pause: 100 ms doubling to 1 s.
    delay: f64,
    /// A probe is running (else the keys or a pause).
    probing: bool,
}

impl Steps for Fresh {
    fn next(&mut self, k: &Kernel, a: &mut Args, _: usize, got: Result<Got>, ops: &mut Waits) -> Result<Option<Val>> {
        let now = k.transport.now_ms();
        if !self.probing {
            match got? {
                Got::Start => {
                    ops.keys(0, self.id.clone(), a.context);
                    return Ok(None);
                }
                Got::Keys(_) => self.start = now,
                _ => {}
            }
            if now - self.start >= self.timeout {
                return Ok(Some(self.result(false, now)));
            }
            self.attempts += 1;
            self.probing = true;
            let mut probe = Args::new(a.namespace, "diagnoseUrl", a.context, vec![Native::string(self.id.as_str()), Native::string(self.url.as_str())]);
            probe.params = a.params;
            ops.route(0, probe, &DIAGNOSE);
            return Ok(None);
        }
        self.probing = false;
        // A failed probe (a gateway hiccup) is retried at the next turn.
        if let Ok(Got::Val(Val::Json(envelope))) = got {
            let seen = envelope.str_field("observedSha256");
            if seen.as_deref().is_some_and(|s| s.to_ascii_lowercase() == self.expected) {
                self.observed = seen.into();
                return Ok(Some(self.result(true, now)));
            }
            self.observed = seen.into();
        }
        let remaining = self.timeout - (now - self.start);
        if remaining <= 0.0 {
            return Ok(Some(self.result(false, now)));
        }
        ops.sleep(0, self.delay.min(remaining) as u32, a.context);
        self.delay = (self.delay * 2.0).min(1000.0);
        Ok(None)
    }
}

impl Fresh {
    fn result(&mut self, fresh: bool, now: f64) -> Val {
        Val::object()
            .with("fresh", fresh)
            .with("observedSha256", core::mem::replace(&mut self.observed, Val::Null))
            .with("attempts", Val::Num(f64::from(self.attempts)))
            .with("elapsedMs", Val::Num((now - self.start).max(0.0)))
            .with("vantage", "gateway-us-east-1")
    }
}

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export type BlobVisibility = "public" | "private";

/** What `put` uploads: text (at most 1 MiB), bytes, a Blob or File, or a stream (give `size`). */
export type BlobPutSource =
  | string
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | ReadableStream<Uint8Array>
  | { content: string; bytes?: undefined }
  | { bytes: Uint8Array | ArrayBuffer | Blob; content?: undefined };

export interface BlobPutOptions {
  /** Default: guessed from the key's extension, else application/octet-stream. */
  contentType?: string;
  /** Default "public". */
  visibility?: BlobVisibility;
  /** Default true: hash the content and get a content-addressed `cdnUrl` with `sri`. */
  immutable?: boolean;
  /** The length of a `ReadableStream` source in bytes (required for streams; other sources know theirs). */
  size?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface BlobUploadPart {
  part_number: number;
  url: string;
  byte_start: number;
  /** Inclusive. */
  byte_end: number;
}

export interface BlobUploadInitOptions {
  key: string;
  size_bytes: number;
  content_type?: string;
  /** Default "public". */
  visibility?: BlobVisibility;
  /** Default false. */
  immutable?: boolean;
  /** Hex SHA-256 of the whole content (64 digits, checked locally). */
  sha256?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface BlobUploadInitResult {
  upload_id: string;
  mode: "single" | "multipart";
  parts: BlobUploadPart[];
  part_count: number;
  part_size_bytes?: number;
  [key: string]: unknown;
}

export interface BlobUploadStatusResult extends Partial<BlobUploadInitResult> {
  upload_id: string;
  status: "active" | "completed" | "aborted" | "expired" | (string & {});
  key?: string;
  [key: string]: unknown;
}

export interface BlobUploadCompletedPart {
  part_number: number;
  /** The part PUT's ETag, quotes included. */
  etag: string;
  /** Hex SHA-256 of the part. */
  sha256?: string;
}

export interface BlobUploadCompleteOptions {
  parts?: BlobUploadCompletedPart[];
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** How the CDN caches a blob (also its `X-Run402-Blob-Cache-Kind` header). */
export type BlobCacheKind = "immutable" | "mutable" | "private";

export interface BlobCdnEnvelope {
  version: string;
  invalidationId: string | null;
  invalidationStatus: string | null;
  ready: boolean;
  hint: string;
}

export interface ScriptTagOptions {
  type?: "module";
  /** Default true unless `async`. */
  defer?: boolean;
  async?: boolean;
}

export interface LinkTagOptions {
  /** Default "stylesheet". */
  rel?: string;
  as?: string;
}

/** What `put` returns: the gateway's fields, camelCase aliases, integrity values and tag emitters. */
export interface AssetRef {
  key: string;
  size_bytes: number;
  sha256: string | null;
  visibility: BlobVisibility;
  url: string | null;
  immutable_url: string | null;
  size: number;
  contentSha256: string | null;
  contentType: string;
  immutableUrl: string | null;
  /** Content-addressed CDN URL (`…/_blob/<key>-<8hex>.<ext>`); null unless immutable and public. */
  cdnUrl: string | null;
  cdnMutableUrl: string | null;
  /** `"sha256-<hex>"`, quotes included. */
  etag: string | null;
  /** `sha256-<base64>` for an `integrity` attribute. */
  sri: string | null;
  /** `sha-256=:<base64>:` (RFC 9530). */
  contentDigest: string | null;
  cacheKind: BlobCacheKind;
  cdn: BlobCdnEnvelope;
  /** `<script src integrity crossorigin>`; throws LocalError without `cdnUrl` and `sri`. */
  scriptTag(opts?: ScriptTagOptions): string;
  /** `<link rel href integrity crossorigin>`; throws LocalError without `cdnUrl` and `sri`. */
  linkTag(opts?: LinkTagOptions): string;
  /** `<img src alt loading="lazy" decoding="async">`; throws LocalError without `cdnUrl`. */
  imgTag(alt?: string): string;
}

export type BlobPutResult = AssetRef;

export interface BlobLsOptions {
  prefix?: string;
  limit?: number;
  cursor?: string;
}

export interface BlobSummary {
  key: string;
  size_bytes: number;
  content_type: string | null;
  visibility: BlobVisibility;
  created_at: string;
  [key: string]: unknown;
}

export interface BlobLsResult {
  blobs: BlobSummary[];
  next_cursor: string | null;
}

export interface BlobSignOptions {
  /** 60 to 604800; default 3600. */
  ttl_seconds?: number;
}

export interface BlobSignResult {
  signed_url: string;
  expires_at: string;
  expires_in: number;
}

export interface BlobDiagnoseEnvelope {
  projectId: string;
  key: string;
  expectedSha256: string | null;
  observedSha256: string | null;
  vantage: string;
  probeMethod: string;
  acceptEncoding: string;
  observedAt: string;
  probeMayHaveWarmedCache: boolean;
  canonicalUrl: string;
  pathKind: string;
  cache: { xCache: string | null; ageSeconds: number | null; cacheKind: BlobCacheKind | null };
  invalidation: { id: string | null; status: string | null };
  hint: string;
  [key: string]: unknown;
}

export interface BlobWaitFreshOptions {
  url: string;
  /** The SHA-256 the URL should serve (any case). */
  sha256: string;
  /** Default 60000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface BlobWaitFreshResult {
  fresh: boolean;
  observedSha256: string | null;
  attempts: number;
  elapsedMs: number;
  vantage: "gateway-us-east-1";
}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wallet::codec::base64;

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(guess_content_type("a/logo.PNG"), "image/png");
        assert_eq!(guess_content_type("x.tgz"), "application/gzip");
        assert_eq!(guess_content_type("noext"), "application/octet-stream");
        assert_eq!(guess_content_type("site/app.js"), "text/javascript");
    }

    /// The upload id, whether it is multipart, and (number, start, end) of each part.
    type Layout = (String, bool, Vec<(u32, u64, u64)>);

    fn parts(v: serde_json::Value, size: u64) -> std::result::Result<Layout, String> {
        session_parts(&crate::testing::json(v), size, "uploading blob")
            .map(|(id, multi, parts)| (id, multi, parts.iter().map(|p| (p.number, p.start, p.end)).collect()))
            .map_err(|e| e.into_info().message)
    }

    #[test]
    fn a_session_must_cover_the_content_once_in_order() {
        use serde_json::json;
        let part = |n: u32, a: i64, b: i64| json!({"part_number": n, "url": "https://s3/x", "byte_start": a, "byte_end": b});
        let multi = |list: Vec<serde_json::Value>| json!({"upload_id": "u", "mode": "multipart", "parts": list});
        assert_eq!(parts(multi(vec![part(1, 0, 9), part(2, 10, 14)]), 15), Ok(("u".into(), true, vec![(1, 0, 10), (2, 10, 15)])));
        // An empty content's single part ends at -1.
        assert_eq!(parts(json!({"upload_id": "u", "mode": "single", "parts": [part(1, 0, -1)]}), 0), Ok(("u".into(), false, vec![(1, 0, 0)])));
        for (bad, size) in [
            (multi(vec![part(2, 10, 14), part(1, 0, 9)]), 15), // out of order
            (multi(vec![part(1, 0, 9), part(2, 11, 14)]), 15), // a gap
            (multi(vec![part(1, 0, 9)]), 15),                   // too short
            (multi(vec![part(1, 0, 9), part(2, 10, 20)]), 15),  // too long
            (json!({"upload_id": "u", "mode": "single", "parts": [part(1, 0, 4), part(2, 5, 9)]}), 10), // single with two
            (json!({"mode": "single", "parts": [part(1, 0, 9)]}), 10), // no id
            (json!({"upload_id": "u", "parts": [{"part_number": 1, "byte_start": 0, "byte_end": 9}]}), 10), // no url
        ] {
            let out = parts(bad.clone(), size);
            assert!(out.as_ref().is_err_and(|m| m.contains("while uploading blob (HTTP 200)")), "{bad}: {out:?}");
        }
    }

    /// `put` natively over the mock: the exact requests of a two-part upload
    /// of bytes, and a failing part turned into the reference's ApiError.
    #[test]
    fn put_sends_init_parts_and_complete() {
        use crate::credentials::ProviderMethod;
        use crate::testing::{self, block_on, body_text, body_thing, header, Answer, HostThing};
        use serde_json::json;

        let run = |answers: Vec<Answer>| {
            let (k, t, c) = testing::kernel();
            c.on(ProviderMethod::GetProject, json!({"anon_key": "anon-k", "service_key": "svc-k"}));
            t.answers.borrow_mut().extend(answers);
            let bytes: Vec<u8> = (0..15u8).collect();
            let items = vec![testing::json(json!("prj_1")), testing::json(json!("d/x.bin")), HostThing::Bytes(bytes).json()];
            let mut a = Args::new("blobs", "put", "uploading blob", items);
            a.params = NAMESPACE.methods[0].params;
            let out = block_on(put(&k, a));
            let sent = t.sent.borrow().clone();
            (out, sent)
        };
        let part = |n: u32, a: u64, b: u64| json!({"part_number": n, "url": format!("https://s3.test/u?partNumber={n}"), "byte_start": a, "byte_end": b});
        let init = Answer::json(201, json!({"upload_id": "u 1", "mode": "multipart", "parts": [part(1, 0, 9), part(2, 10, 14)], "part_count": 2}));
        let done = Answer::json(200, json!({"key": "d/x.bin", "sha256": "ab"}));
        let (out, sent) = run(vec![init.clone(), Answer::text(200, "").header("ETag", "\"e1\""), Answer::text(200, "").header("ETag", "\"e2\""), done]);
        out.unwrap();
        assert_eq!(sent.len(), 4);
        assert_eq!(sent[0].url, "https://api.test/storage/v1/uploads");
        assert_eq!((header(&sent[0], "apikey"), header(&sent[0], "authorization")), (Some("svc-k"), Some("Bearer svc-k")));
        let whole = crate::kernel::sha256::digest(&(0..15u8).collect::<Vec<_>>());
        let init_body: serde_json::Value = serde_json::from_str(&body_text(&sent[0]).unwrap()).unwrap();
        assert_eq!(init_body, json!({"key": "d/x.bin", "size_bytes": 15, "content_type": "application/octet-stream", "visibility": "public", "immutable": true, "sha256": hex(&whole)}));
        for (i, range) in [(0u8..10), (10u8..15)].into_iter().enumerate() {
            let r = &sent[i + 1];
            let slice: Vec<u8> = range.collect();
            assert_eq!((r.method.as_str(), r.url.as_str()), ("PUT", format!("https://s3.test/u?partNumber={}", i + 1).as_str()));
            assert_eq!(body_thing(r), Some(HostThing::Bytes(slice.clone())));
            assert_eq!(header(r, "x-amz-checksum-sha256"), Some(base64(&crate::kernel::sha256::digest(&slice)).as_str()));
            assert_eq!(header(r, "authorization"), None);
        }
        assert_eq!(sent[3].url, "https://api.test/storage/v1/uploads/u%201/complete");
        let complete: serde_json::Value = serde_json::from_str(&body_text(&sent[3]).unwrap()).unwrap();
        let sha = |r: std::ops::Range<u8>| hex(&crate::kernel::sha256::digest(&r.collect::<Vec<_>>()));
        assert_eq!(complete, json!({"parts": [
            {"part_number": 1, "etag": "\"e1\"", "sha256": sha(0..10)},
            {"part_number": 2, "etag": "\"e2\"", "sha256": sha(10..15)},
        ]}));

        let (out, sent) = run(vec![init, Answer::raw(403, "application/xml", "<Error><Code>AccessDenied</Code></Error>")]);
        let e = out.unwrap_err();
        assert_eq!((e.kind, e.status, e.context.as_str()), (ErrorKind::ApiError, Some(403), "uploading blob part"));
        assert!(e.message.starts_with("Part 1 PUT failed (HTTP 403): <Error>"), "{}", e.message);
        assert!(sent.iter().all(|r| !r.url.ends_with("/complete")), "nothing is completed after a failed part");
    }
}
