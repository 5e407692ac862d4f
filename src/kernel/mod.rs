//! The request kernel: the only code that sends requests to the gateway.
//!
//! One call: build the URL (`apiBase + path`, plain concatenation, or an
//! absolute URL used as given), merge the provider's headers under
//! [`headers`]' rules (gateway calls only), encode the body, send it over the
//! [`Transport`], read the answer as the call asks (decoded by content type,
//! text, bytes or the response itself), and map any non-2xx status to its
//! error kind with the call's context phrase.

pub mod encode;
pub mod headers;
pub mod pay;
pub mod sha256;
pub mod transport;

use crate::prelude::*;
use alloc::rc::Rc;

use crate::credentials::{self, Credentials};
use crate::error::{Error, Result};
use crate::json::{Json, JsonExt};
use crate::value::Val;
pub use transport::{BodyInfo, BodyKind, HttpRequest, HttpResponse, ReadAs, SendFailure, Transport, WireBody};

/// The client state every call shares. Immutable after construction, so any
/// number of calls can be in flight on one client.
pub struct Kernel {
    pub api_base: String,
    pub transport: Box<dyn Transport>,
    pub credentials: Box<dyn Credentials>,
    /// What 402s may be paid.
    pub policy: pay::SpendPolicy,
    /// What has been paid (cells: never borrowed across an await).
    pub ledger: pay::Ledger,
}

/// What to send as the body.
#[derive(Debug, Clone)]
pub enum Body {
    None,
    /// Serialized as JSON; adds `Content-Type: application/json` unless the
    /// request already sets a content type.
    Json(Val),
    /// Sent verbatim with no content type added.
    Text(String),
    Bytes(Vec<u8>),
    /// A body the host owns (bytes, a `Blob`, a stream, a string), handed to
    /// `fetch` without a copy through wasm; made by [`Kernel::host_body`].
    /// Sent verbatim with no content type added.
    Host(HostBody),
}

/// A host value checked to be sendable, with its kind and length.
#[derive(Debug, Clone)]
pub struct HostBody {
    pub value: Json,
    pub info: BodyInfo,
}

impl HostBody {
    /// Sets the length of a stream body the caller knows (a `Blob`'s
    /// `stream()`, a file of known size): it goes out as `Content-Length`
    /// and scales the upload's time limit.
    pub fn with_length(mut self, length: u64) -> HostBody {
        if self.info.kind == BodyKind::Stream {
            self.info.length = Some(length);
        }
        self
    }
}

/// Where a call goes.
#[derive(Debug, Clone)]
pub enum Target {
    /// `apiBase + path` (the path may carry a query string).
    Gateway(String),
    /// An absolute http(s) URL used as given: a presigned storage URL on a
    /// third-party host. Such a request is always raw (see [`Call::raw`])
    /// and may carry no credential header at all.
    Absolute(String),
}

/// One request (to the gateway, or raw to an absolute URL), described by a
/// namespace method.
#[derive(Debug, Clone)]
pub struct Call(Box<CallInfo>);

/// [`Call`]'s fields: a call is built by value through its builder methods
/// and held across the kernel's awaits, so it travels as one pointer.
#[derive(Debug, Clone)]
pub struct CallInfo {
    pub method: &'static str,
    pub target: Target,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Merge `getAuth(path)` headers (default true).
    pub with_auth: bool,
    /// Only the call's own headers go out: no provider headers, no
    /// idempotency key, and a 402 is an error, never paid. What the
    /// reference does with `client.fetch` directly (`blobs.get`,
    /// `email.getRaw`, part uploads).
    pub raw: bool,
    /// How a 2xx answer's body is read.
    pub read: ReadAs,
    pub context: &'static str,
    /// The SDK namespace and method, for `getAuth`'s metadata.
    pub sdk_method: (&'static str, &'static str),
    /// A paid endpoint: the request carries an `Idempotency-Key` from the
    /// first attempt, so a retry after a lost answer never pays twice.
    pub paid: bool,
    /// The caller's idempotency key, or one tied to a `withRetry` scope.
    pub idempotency_key: Option<String>,
}

impl core::ops::Deref for Call {
    type Target = CallInfo;
    fn deref(&self) -> &CallInfo {
        &self.0
    }
}

impl core::ops::DerefMut for Call {
    fn deref_mut(&mut self) -> &mut CallInfo {
        &mut self.0
    }
}

impl Call {
    pub fn new(method: &'static str, path: impl Into<String>, context: &'static str) -> Call {
        Call(Box::new(CallInfo {
            method,
            target: Target::Gateway(path.into()),
            headers: Vec::new(),
            body: Body::None,
            with_auth: true,
            raw: false,
            read: ReadAs::Decoded,
            context,
            sdk_method: ("", ""),
            paid: false,
            idempotency_key: None,
        }))
    }
    /// A raw request to an absolute URL (a presigned part upload): only the
    /// call's own headers, none of them a credential (checked when sent).
    pub fn absolute(method: &'static str, url: impl Into<String>, context: &'static str) -> Call {
        let mut call = Call::new(method, "", context).raw();
        call.target = Target::Absolute(url.into());
        call
    }
    pub fn get(path: impl Into<String>, context: &'static str) -> Call {
        Call::new("GET", path, context)
    }
    pub fn post(path: impl Into<String>, context: &'static str) -> Call {
        Call::new("POST", path, context)
    }
    pub fn delete(path: impl Into<String>, context: &'static str) -> Call {
        Call::new("DELETE", path, context)
    }
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Call {
        self.headers.push((name.to_string(), value.into()));
        self
    }
    /// `Authorization: Bearer <key>`.
    pub fn bearer(self, key: &str) -> Call {
        self.header("Authorization", ["Bearer ", key].concat())
    }
    pub fn json(mut self, body: Val) -> Call {
        self.body = Body::Json(body);
        self
    }
    pub fn text(mut self, body: String) -> Call {
        self.body = Body::Text(body);
        self
    }
    pub fn no_auth(mut self) -> Call {
        self.with_auth = false;
        self
    }
    /// See [`Call::raw`].
    pub fn raw(mut self) -> Call {
        self.raw = true;
        self.with_auth = false;
        self
    }
    /// See [`Call::read`].
    pub fn read_as(mut self, read: ReadAs) -> Call {
        self.read = read;
        self
    }
    /// A host-owned body (see [`Body::Host`]).
    pub fn host_body(mut self, body: HostBody) -> Call {
        self.body = Body::Host(body);
        self
    }
    /// Marks a paid endpoint (see [`Call::paid`]).
    pub fn paid(mut self, idempotency_key: Option<String>) -> Call {
        self.paid = true;
        self.idempotency_key = idempotency_key;
        self
    }
    pub fn sdk_method(mut self, namespace: &'static str, method: &'static str) -> Call {
        self.sdk_method = (namespace, method);
        self
    }
}

/// One answer, before its status is judged.
pub struct Exchange {
    pub status: u16,
    pub body: Val,
    pub response: Rc<dyn HttpResponse>,
}

impl Exchange {
    fn reply(self) -> Reply {
        Reply { status: self.status, body: self.body, response: self.response }
    }
}

/// A successful response.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    /// As the call's [`ReadAs`] asked: parsed JSON (a host value), the text,
    /// or `Val::Null` for an empty JSON body; the host's bytes; or the
    /// host's response object.
    pub body: Val,
    response: Rc<dyn HttpResponse>,
}

impl alloc::fmt::Debug for Reply {
    fn fmt(&self, f: &mut alloc::fmt::Formatter<'_>) -> alloc::fmt::Result {
        f.debug_struct("Reply").field("status", &self.status).field("body", &self.body).finish_non_exhaustive()
    }
}

impl Reply {
    /// A response header (case-insensitive name): `ETag` of a part upload,
    /// `Content-Type` of a download.
    pub fn header(&self, name: &str) -> Option<String> {
        self.response.header(name)
    }

    /// The body as a host JSON object, if it is one.
    pub fn json(&self) -> Option<&Json> {
        match &self.body {
            Val::Json(j) => Some(j),
            _ => None,
        }
    }
}

impl Kernel {
    /// Sends one call and returns the decoded 2xx body, or the mapped error.
    /// A 402 carrying x402 requirements is paid once, within the spend
    /// policy, and the request resent (see [`pay`]).
    ///
    /// The only future on the request path: it awaits the host directly
    /// (`getAuth`, `fetch`, `readAllowance`) and does everything else in
    /// plain functions, so its state machine holds few values across few
    /// awaits (each await of an inner future would add that future's states
    /// and drop glue to this one).
    pub async fn send(&self, mut call: Call) -> Result<Reply> {
        let ctx = call.context;
        if call.paid && call.idempotency_key.is_none() {
            // Fixed now, so the paid resend carries the same key.
            call.idempotency_key = Some(self.random_hex::<16>(ctx)?);
        }
        // Set once a 402 was paid: the resend carries it.
        let mut payment: Option<pay::Payment<'_>> = None;
        loop {
            // Prepared again for the paid resend: a wallet sign-in is single-use.
            let url = self.url(&call)?;
            let auth = match auth_path(&call) {
                Some(path) => {
                    let args = credentials::auth_args(path, call.sdk_method, &url);
                    let v = self.credentials.invoke(credentials::ProviderMethod::GetAuth, args, ctx).await?;
                    credentials::auth_headers(v, ctx)?
                }
                None => None,
            };
            let mut request = self.request(&call, url, auth)?;
            if call.raw {
                // Sent once (a raw call is never paid and resent): a host
                // body (an upload's part) is then fetch's alone, not held
                // here while it is sent.
                call.body = Body::None;
            }
            if let Some(p) = payment.as_mut() {
                p.attach(&mut request, &self.api_base);
            }
            let read = request.read;
            let sent = self.transport.send(request).await;
            let answer = self.answer(sent, read, ctx)?;
            if let Some(p) = payment {
                return self.settle(p, answer, ctx);
            }
            match answer.status {
                200..=299 => return Ok(answer.reply()),
                402 if !call.raw => {}
                status => return Err(Error::from_status(status, answer.body, ctx)),
            }
            let (offer, body) = self.offer_of(answer, ctx)?;
            let c = self.credentials.as_ref();
            let allowance = match c.has(credentials::ProviderMethod::ReadAllowance) {
                true => credentials::allowance_record(c.invoke(credentials::ProviderMethod::ReadAllowance, Vec::new(), ctx).await?, ctx)?,
                false => None,
            };
            payment = Some(self.pay(offer, body, allowance, ctx)?);
        }
    }

    /// Where a call goes: `apiBase + path`, or its absolute URL once checked.
    fn url(&self, call: &Call) -> Result<String> {
        let ctx = call.context;
        match &call.target {
            Target::Gateway(path) => Ok([self.api_base.as_str(), path].concat()),
            Target::Absolute(url) => {
                check_absolute_url(url).map_err(|why| Error::local(ctx, format!("cannot send the request: the URL {why}")))?;
                // Credentials must never reach a third-party host, whatever
                // a namespace put on the call by mistake.
                if let Some((name, _)) = call.headers.iter().find(|(k, _)| headers::is_credential(k)) {
                    return Err(Error::local(ctx, format!("cannot send the request: {name} must not go to an absolute URL")));
                }
                Ok(url.clone())
            }
        }
    }

    /// Headers (the call's, the provider's `auth`, an idempotency key) and
    /// body.
    fn request(&self, call: &Call, url: String, auth: Option<Vec<(String, String)>>) -> Result<HttpRequest> {
        let ctx = call.context;
        let mut headers = call.headers.clone();
        if let Some(auth) = auth {
            headers::merge_provider(&mut headers, auth);
        }
        if call.paid && !call.raw && !headers::has(&headers, "idempotency-key") {
            let key = match &call.idempotency_key {
                Some(k) => k.clone(),
                None => self.random_hex::<16>(ctx)?,
            };
            headers.push(("Idempotency-Key".into(), key));
        }
        if let Some(problem) = headers::invalid(&headers) {
            return Err(Error::local(ctx, format!("cannot send the request: {problem}")));
        }
        let mut length = None;
        let body = match &call.body {
            Body::None => None,
            Body::Text(s) => {
                length = Some(s.len() as u64);
                Some(WireBody::Text(s.clone()))
            }
            Body::Bytes(b) => {
                length = Some(b.len() as u64);
                Some(WireBody::Bytes(b.clone()))
            }
            Body::Host(HostBody { value, info }) => {
                length = info.length;
                if info.kind != BodyKind::Stream {
                    Some(WireBody::Host(value.clone()))
                } else {
                    // fetch sets Content-Length itself for every other kind;
                    // a stream of known size needs it said (S3 refuses a
                    // chunked PUT).
                    if let Some(n) = length.filter(|_| !headers::has(&headers, "content-length")) {
                        headers.push(("Content-Length".into(), n.to_string()));
                    }
                    Some(WireBody::Stream(value.clone()))
                }
            }
            Body::Json(v) => {
                if !headers::has(&headers, "content-type") {
                    headers.push(("Content-Type".into(), "application/json".into()));
                }
                let text = self
                    .transport
                    .stringify(v)
                    .map_err(|e| Error::local(ctx, format!("request body is not JSON-serializable: {e}")))?;
                Some(WireBody::Host(text))
            }
        };
        let extra_ms = length.map_or(0, upload_allowance_ms);
        Ok(HttpRequest { method: call.method.to_string(), url, headers, body, read: call.read, extra_ms })
    }

    /// The transport's outcome as an answer, its body decoded, whatever its
    /// status.
    fn answer(&self, sent: core::result::Result<Rc<dyn HttpResponse>, SendFailure>, read: ReadAs, ctx: &str) -> Result<Exchange> {
        let response = match sent {
            Ok(r) => r,
            Err(SendFailure::Network { message, cause }) => return Err(Error::network(ctx, &message, cause)),
            Err(SendFailure::BodyFailed { message, cause }) => return Err(body_failed(ctx, &message, cause)),
            Err(SendFailure::Interrupted { why, cause }) => return Err(Error::interrupted(ctx, why, cause)),
            Err(SendFailure::NotAResponse { got }) => {
                return Err(Error::local(ctx, format!("the fetch implementation resolved to {got}, not a Response")))
            }
        };
        let body = self.decode(response.as_ref(), read, ctx)?;
        Ok(Exchange { status: response.status(), body, response })
    }

    /// Reads a response body as `read` asks; a non-2xx body, and any body
    /// in [`ReadAs::Decoded`], by content type (contract §2.4).
    fn decode(&self, response: &dyn HttpResponse, read: ReadAs, ctx: &str) -> Result<Val> {
        let status = response.status();
        let success = (200..300).contains(&status);
        if read == ReadAs::Decoded || !success {
            if let Some(parsed) = response.parsed_json() {
                return Ok(Val::Json(parsed));
            }
        }
        let raw = response.body().map_err(|(message, cause)| body_failed(ctx, &message, cause))?;
        if success && read != ReadAs::Decoded {
            // Text, bytes or the response, exactly as the host read them.
            return Ok(Val::Json(raw));
        }
        let text = raw;
        let is_json = response.header("content-type").is_some_and(|ct| is_json_media_type(&ct));
        if !is_json {
            return Ok(Val::Json(text));
        }
        match self.transport.parse_json(&text) {
            Ok(j) => Ok(Val::Json(j)),
            // An empty JSON body (say, a 204) is null, as in the reference.
            Err(_) if text.as_string().is_some_and(|t| t.trim().is_empty()) => Ok(Val::Null),
            // A 2xx whose JSON is broken must not pass as success with data
            // missing; an error answer keeps its raw text instead.
            Err(_) if success => {
                Err(Error::bad_response(status, Val::Json(text), ctx, "Invalid JSON in response"))
            }
            Err(_) => Ok(Val::Json(text)),
        }
    }

    /// `N` random bytes as lower-case hex.
    pub fn random_hex<const N: usize>(&self, ctx: &str) -> Result<String> {
        Ok(crate::wallet::codec::hex(&self.random::<N>(ctx)?))
    }

    /// `N` bytes from the host's CSPRNG.
    pub fn random<const N: usize>(&self, ctx: &str) -> Result<[u8; N]> {
        let mut buf = [0u8; N];
        self.fill_random(&mut buf, ctx)?;
        Ok(buf)
    }

    /// [`Kernel::random`] for any length: one copy of the error path.
    fn fill_random(&self, buf: &mut [u8], ctx: &str) -> Result<()> {
        self.transport.fill_random(buf).map_err(|e| Error::local(ctx, format!("no secure random numbers are available: {e}")))
    }

    /// Checks that a host value can be sent as a body (bytes, a `Blob`, a
    /// stream or a string) and learns its kind and length.
    pub fn host_body(&self, value: Json, ctx: &str) -> Result<HostBody> {
        match self.transport.body_kind(&value) {
            Some(info) => Ok(HostBody { value, info }),
            None => Err(Error::local(
                ctx,
                format!(
                    "the body must be a string, Uint8Array, ArrayBuffer, Blob or ReadableStream, got {}",
                    crate::json::type_name(&value.shape())
                ),
            )),
        }
    }

    /// Bytes `start..end` of a body, as a body of its own: one part of a
    /// multipart upload. A stream cannot be cut.
    pub fn slice_body(&self, body: &HostBody, start: u64, end: u64, ctx: &str) -> Result<HostBody> {
        let length = match body.info {
            BodyInfo { kind: BodyKind::Stream, .. } | BodyInfo { length: None, .. } => {
                return Err(Error::local(ctx, "a ReadableStream cannot be cut into parts; pass bytes or a Blob"))
            }
            BodyInfo { length: Some(n), .. } => n,
        };
        if start > end || end > length {
            return Err(Error::local(ctx, format!("bytes {start}..{end} are outside the {length}-byte body")));
        }
        let value = self.transport.slice(&body.value, start, end).ok_or_else(|| Error::local(ctx, "the body cannot be cut into parts"))?;
        let kind = if body.info.kind == BodyKind::Blob { BodyKind::Blob } else { BodyKind::Bytes };
        Ok(HostBody { value, info: BodyInfo { kind, length: Some(end - start) } })
    }

    /// The SHA-256 digest of host bytes (see [`Transport::sha256`]).
    pub async fn sha256(&self, data: &Json, ctx: &str) -> Result<[u8; 32]> {
        self.transport.sha256(data).await.map_err(|why| Error::local(ctx, format!("cannot hash the content: {why}")))
    }

    /// The keys of a project the provider must know.
    pub async fn project_keys(&self, id: &str, context: &str) -> Result<credentials::ProjectKeys> {
        credentials::require_project(self.credentials.as_ref(), id, context).await
    }
}

/// The path `getAuth` is asked about, or `None` when the call takes no
/// provider headers (a raw or unauthenticated call).
fn auth_path(call: &Call) -> Option<&str> {
    match &call.target {
        Target::Gateway(path) if call.with_auth && !call.raw => Some(path),
        Target::Absolute(_) if call.with_auth && !call.raw => Some(""),
        _ => None,
    }
}

/// `apiBase` must be an absolute http(s) URL with a host and no query or
/// fragment, since paths are appended to it as text. Refusing it here beats
/// a network error on every later call.
pub fn check_api_base(base: &str) -> core::result::Result<(), String> {
    let lower = base.get(..8).unwrap_or(base).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &base[8..]
    } else if lower.starts_with("http://") {
        &base[7..]
    } else {
        return Err("must be an http(s) URL such as \"https://api.run402.com\"".into());
    };
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') || host.contains('@') {
        return Err("must name a host, as in \"https://api.run402.com\"".into());
    }
    if let Some(c) = base.chars().find(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '\\')) {
        // Named, not Debug-formatted: the shipped wasm has no Debug output (./dev, fmt-debug=none).
        let shown = match c {
            '?' | '#' | '\\' => format!("\"{c}\""),
            ' ' => "a space".into(),
            _ => format!("U+{:04X}", c as u32),
        };
        return Err(format!("must not contain {shown}: paths are appended to it as text"));
    }
    Ok(())
}

/// An absolute request URL: http(s), with a host and no user info, and
/// nothing a URL parser would silently rewrite (spaces, controls,
/// backslashes). Query strings are fine: presigned URLs carry their
/// signature there.
pub fn check_absolute_url(url: &str) -> core::result::Result<(), String> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err("must be an http(s) URL".into());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.starts_with(':') || authority.contains('@') {
        return Err("must name a host and carry no user info".into());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
        return Err("must not contain spaces, control characters or backslashes".into());
    }
    Ok(())
}

/// How long an upload of `length` bytes may take beyond the call's
/// timeout: [`UPLOAD_MS_PER_MIB`] per whole MiB, so bodies under 1 MiB
/// (every JSON call) keep the plain limit.
pub fn upload_allowance_ms(length: u64) -> u32 {
    u32::try_from((length >> 20).saturating_mul(UPLOAD_MS_PER_MIB)).unwrap_or(u32::MAX)
}

/// 2 s per MiB: what an uplink of 4 Mbit/s needs, so a slow but working
/// connection finishes a large part upload while a dead one still ends.
pub const UPLOAD_MS_PER_MIB: u64 = 2_000;

fn body_failed(ctx: &str, message: &str, cause: Option<Json>) -> Error {
    Error::network(ctx, &format!("response body could not be read ({message})"), cause)
}

/// `application/json` and structured-syntax `+json` types.
fn is_json_media_type(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or("").trim().as_bytes();
    let ends_with = |suffix: &[u8]| media.len() >= suffix.len() && media[media.len() - suffix.len()..].eq_ignore_ascii_case(suffix);
    media.eq_ignore_ascii_case(b"application/json") || ends_with(b"+json")
}

#[cfg(test)]
mod pay_tests;
#[cfg(test)]
mod tests;
