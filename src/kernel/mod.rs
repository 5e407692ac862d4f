//! The request kernel: the only code that sends requests to the gateway.
//!
//! One call: build the URL (`apiBase + path`, plain concatenation), merge the
//! provider's headers under [`headers`]' rules, encode the body, send it over
//! the [`Transport`], decode the answer by content type, and map any non-2xx
//! status to its error kind with the call's context phrase.

pub mod encode;
pub mod headers;
pub mod pay;
pub mod transport;

use crate::credentials::{self, AuthMeta, Credentials};
use crate::error::{Error, Result};
use crate::json::{Json, JsonExt};
use crate::value::Val;
pub use transport::{HttpRequest, HttpResponse, SendFailure, Transport, WireBody};

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
}

/// One gateway request, described by a namespace method.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: &'static str,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Merge `getAuth(path)` headers (default true).
    pub with_auth: bool,
    pub context: &'static str,
    /// The SDK namespace and method, for `getAuth`'s metadata.
    pub sdk_method: (&'static str, &'static str),
    /// A paid endpoint: the request carries an `Idempotency-Key` from the
    /// first attempt, so a retry after a lost answer never pays twice.
    pub paid: bool,
    /// The caller's idempotency key, or one tied to a `withRetry` scope.
    pub idempotency_key: Option<String>,
}

impl Call {
    pub fn new(method: &'static str, path: impl Into<String>, context: &'static str) -> Call {
        Call {
            method,
            path: path.into(),
            headers: Vec::new(),
            body: Body::None,
            with_auth: true,
            context,
            sdk_method: ("", ""),
            paid: false,
            idempotency_key: None,
        }
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
        self.header("Authorization", format!("Bearer {key}"))
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
    pub response: Box<dyn HttpResponse>,
}

impl Exchange {
    fn reply(self) -> Reply {
        Reply { status: self.status, body: self.body }
    }
}

/// A successful response.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// Parsed JSON (a host value), the text, or `Val::Null` for an empty JSON body.
    pub body: Val,
}

impl Reply {
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
    pub async fn send(&self, mut call: Call) -> Result<Reply> {
        let ctx = call.context;
        if call.paid && call.idempotency_key.is_none() {
            // Fixed now, so the paid resend carries the same key.
            call.idempotency_key = Some(self.random_hex::<16>(ctx)?);
        }
        let request = self.prepare(&call).await?;
        let first = self.exchange(request, ctx).await?;
        match first.status {
            200..=299 => Ok(first.reply()),
            402 => self.pay_and_resend(call, first, ctx).await,
            status => Err(Error::from_status(status, first.body, ctx)),
        }
    }

    /// Headers (the call's, the provider's, an idempotency key) and body.
    /// Run again for a paid resend: a wallet sign-in is single-use.
    async fn prepare(&self, call: &Call) -> Result<HttpRequest> {
        let ctx = call.context;
        let url = format!("{}{}", self.api_base, call.path);
        let mut headers = call.headers.clone();
        if call.with_auth {
            let meta = AuthMeta {
                namespace: call.sdk_method.0,
                method: call.sdk_method.1,
                url: url.clone(),
            };
            if let Some(auth) = credentials::get_auth(self.credentials.as_ref(), &call.path, meta, ctx).await? {
                headers::merge_provider(&mut headers, auth);
            }
        }
        if call.paid && !headers::has(&headers, "idempotency-key") {
            let key = match &call.idempotency_key {
                Some(k) => k.clone(),
                None => self.random_hex::<16>(ctx)?,
            };
            headers.push(("Idempotency-Key".into(), key));
        }
        if let Some(problem) = headers::invalid(&headers) {
            return Err(Error::local(ctx, format!("cannot send the request: {problem}")));
        }
        let body = match &call.body {
            Body::None => None,
            Body::Text(s) => Some(WireBody::Text(s.clone())),
            Body::Bytes(b) => Some(WireBody::Bytes(b.clone())),
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
        Ok(HttpRequest { method: call.method.to_string(), url, headers, body })
    }

    /// Sends a prepared request and decodes the answer, whatever its status.
    async fn exchange(&self, request: HttpRequest, ctx: &str) -> Result<Exchange> {
        let response = match self.transport.send(request).await {
            Ok(r) => r,
            Err(SendFailure::Network { message, cause }) => return Err(Error::network(ctx, &message, cause)),
            Err(SendFailure::BodyFailed { message, cause }) => return Err(body_failed(ctx, &message, cause)),
            Err(SendFailure::Interrupted { why, cause }) => return Err(Error::interrupted(ctx, why, cause)),
            Err(SendFailure::NotAResponse { got }) => {
                return Err(Error::local(ctx, format!("the fetch implementation resolved to {got}, not a Response")))
            }
        };
        let body = self.decode(response.as_ref(), ctx).await?;
        Ok(Exchange { status: response.status(), body, response })
    }

    /// Reads a response body by content type (contract §2.4).
    async fn decode(&self, response: &dyn HttpResponse, ctx: &str) -> Result<Val> {
        let status = response.status();
        let is_json = response.header("content-type").is_some_and(|ct| is_json_media_type(&ct));
        let text = response.text().await.map_err(|(message, cause)| body_failed(ctx, &message, cause))?;
        if !is_json {
            return Ok(Val::Json(text));
        }
        match self.transport.parse_json(&text) {
            Ok(j) => Ok(Val::Json(j)),
            // An empty JSON body (say, a 204) is null, as in the reference.
            Err(_) if text.as_string().is_some_and(|t| t.trim().is_empty()) => Ok(Val::Null),
            // A 2xx whose JSON is broken must not pass as success with data
            // missing; an error answer keeps its raw text instead.
            Err(_) if (200..300).contains(&status) => {
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
        self.transport
            .fill_random(&mut buf)
            .map_err(|e| Error::local(ctx, format!("no secure random numbers are available: {e}")))?;
        Ok(buf)
    }

    /// The keys of a project the provider must know.
    pub async fn project_keys(&self, id: &str, context: &str) -> Result<credentials::ProjectKeys> {
        credentials::require_project(self.credentials.as_ref(), id, context).await
    }
}

/// `apiBase` must be an absolute http(s) URL with a host and no query or
/// fragment, since paths are appended to it as text. Refusing it here beats
/// a network error on every later call.
pub fn check_api_base(base: &str) -> std::result::Result<(), String> {
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
        return Err(format!("must not contain {c:?}: paths are appended to it as text"));
    }
    Ok(())
}

fn body_failed(ctx: &str, message: &str, cause: Option<Json>) -> Error {
    Error::network(ctx, &format!("response body could not be read ({message})"), cause)
}

/// `application/json` and structured-syntax `+json` types.
fn is_json_media_type(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    media == "application/json" || media.ends_with("+json")
}

#[cfg(test)]
mod pay_tests;
#[cfg(test)]
mod tests;
