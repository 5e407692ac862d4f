//! The transport over the runtime's `fetch` (or the caller's). One call to
//! the facade's `exchange` helper (js/host.js, imported) sends the request and reads
//! the body as the request asks (text, a `Uint8Array`, or the `Response`
//! itself); what comes back is a tagged outcome this module classifies.
//! Bodies the caller owns (bytes, `Blob`s, streams) go to `fetch` as the
//! same JS values, never copied through wasm memory. Nothing a custom fetch
//! returns can trap here.

use crate::prelude::*;
use alloc::rc::Rc;

use js_sys::{Function, Uint8Array};
use wasm_bindgen::prelude::*;

use super::convert::{describe, json_to_js, val_to_js, wrap};
use super::names::js_str;
use super::task::settle;
use crate::credentials::LocalFuture;
use crate::json::Json;
use crate::kernel::headers::is_credential;
use crate::kernel::{BodyInfo, BodyKind, HttpRequest, HttpResponse, ReadAs, SendFailure, Transport, WireBody};
use crate::value::Val;

// The facade's exchange helper, imported directly: a plain call with typed
// arguments, no argument array.
#[wasm_bindgen(raw_module = "./host.js")]
extern "C" {
    // Never throws: it answers every failure with a tagged outcome.
    fn exchange(
        fetch: &Function,
        url: &str,
        method: &JsValue,
        header_lines: &str,
        body: &JsValue,
        flags: u32,
        extra_ms: u32,
    ) -> JsValue;
    /// A response header's value, or undefined (never throws).
    #[wasm_bindgen(js_name = headerOf)]
    fn header_of(headers: &JsValue, name: &str) -> Option<String>;
    /// `JSON.parse(text)`, or undefined when it fails (never throws); the
    /// parser's message is then read with `parseFailure`.
    #[wasm_bindgen(js_name = parseJson)]
    fn parse_json_text(text: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = parseFailure)]
    fn parse_failure() -> String;
    #[wasm_bindgen(js_name = bodyKindOf)]
    fn body_kind_of(v: &JsValue) -> f64;
    #[wasm_bindgen(js_name = sliceOf)]
    fn slice_of(v: &JsValue, start: f64, end: f64) -> JsValue;
    /// Never rejects: resolves to a tagged outcome (js/host.js `readStream`).
    #[wasm_bindgen(js_name = readStream)]
    fn read_stream_of(stream: &JsValue, max: f64) -> JsValue;
    #[wasm_bindgen(js_name = cancelStream)]
    fn cancel_stream_of(stream: &JsValue);
    /// Never rejects: a stream's bytes, or a file's (js/host.js `readAll`).
    #[wasm_bindgen(js_name = readAll)]
    fn read_all_of(source: &JsValue) -> JsValue;
    /// The AssetRef of a completed upload (never throws).
    #[wasm_bindgen(js_name = assetRef)]
    fn asset_ref_of(done: &JsValue, content_type: Option<String>) -> JsValue;
}

// Outcome tags of js/host.js `readStream`.
const READ_CHUNK: u32 = 0;
const READ_DONE: u32 = 1;

#[wasm_bindgen]
extern "C" {
    /// How an exchange ended (js/host.js `Outcome`, always the helper's own
    /// plain object, so reading its fields cannot throw).
    type Outcome;
    #[wasm_bindgen(method, getter, structural)]
    fn tag(this: &Outcome) -> u32;
    #[wasm_bindgen(method, getter, structural)]
    fn status(this: &Outcome) -> f64;
    #[wasm_bindgen(method, getter, structural)]
    fn headers(this: &Outcome) -> JsValue;
    /// The response body, or a failure's detail.
    #[wasm_bindgen(method, getter, structural)]
    fn body(this: &Outcome) -> JsValue;

    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    fn json_stringify(value: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    pub fn date_now() -> f64;
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<JsValue, JsValue>;
}

// Outcome tags of js/host.js `exchange`.
const RESPONSE: u32 = 0;
const FETCH_FAILED: u32 = 1;
const NOT_A_RESPONSE: u32 = 2;
const BODY_FAILED: u32 = 3;
const INTERRUPTED: u32 = 4;
const RESPONSE_JSON: u32 = 5;

// `flags` bits of `exchange` (READ_MASK and STREAM_BODY in js/host.js).
const READ_TEXT: u32 = 1;
const READ_BYTES: u32 = 2;
const READ_RESPONSE: u32 = 3;
const STREAM_BODY: u32 = 4;

fn flags(req: &HttpRequest) -> u32 {
    let read = match req.read {
        ReadAs::Decoded => 0,
        ReadAs::Text => READ_TEXT,
        ReadAs::Bytes => READ_BYTES,
        ReadAs::Response => READ_RESPONSE,
    };
    if matches!(req.body, Some(WireBody::Stream(_))) {
        read | STREAM_BODY
    } else {
        read
    }
}

/// Fills `buf` from `crypto.getRandomValues`.
pub fn random(buf: &mut [u8]) -> Result<(), String> {
    get_random_values(buf).map(|_| ()).map_err(|e| describe(&e))
}

pub struct FetchTransport {
    fetch: Function,
}

impl FetchTransport {
    pub fn new(fetch: Function) -> FetchTransport {
        FetchTransport { fetch }
    }
}

/// A response whose body the exchange has already read (or, for
/// [`ReadAs::Response`], left to the caller).
struct JsResponse {
    status: u16,
    headers: JsValue,
    body: JsValue,
    /// The helper parsed the body as JSON (its content type said so).
    parsed: bool,
}

/// Headers as "name:value" lines; the kernel has refused CR and LF in them.
fn header_lines(req: &HttpRequest) -> String {
    let mut out = String::new();
    for (i, (k, v)) in req.headers.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(k);
        out.push(':');
        out.push_str(v);
    }
    out
}

fn body(req: &HttpRequest) -> JsValue {
    match &req.body {
        Some(WireBody::Text(s)) => JsValue::from_str(s),
        Some(WireBody::Host(j) | WireBody::Stream(j)) => json_to_js(j),
        Some(WireBody::Bytes(b)) => Uint8Array::from(b.as_slice()).into(),
        None => JsValue::UNDEFINED,
    }
}

fn network(thrown: JsValue) -> SendFailure {
    SendFailure::Network { message: describe(&thrown), cause: Some(wrap(thrown)) }
}

/// `message` with every credential value the request carried (a bearer
/// token also bare) replaced by "[redacted]", so a fetch whose error text
/// echoes the request cannot put them in a message.
fn redact(mut message: String, headers: &[(String, String)]) -> String {
    for (name, value) in headers {
        if !is_credential(name) || value.len() < 8 {
            continue;
        }
        // A bearer token first (wherever it appears), then the whole value.
        let token = value.strip_prefix("Bearer ").filter(|t| t.len() >= 8);
        for secret in token.into_iter().chain(core::iter::once(value.as_str())) {
            if message.contains(secret) {
                message = message.replace(secret, "[redacted]");
            }
        }
    }
    message
}

fn redacted(failure: SendFailure, headers: &[(String, String)]) -> SendFailure {
    match failure {
        SendFailure::Network { message, cause } => SendFailure::Network { message: redact(message, headers), cause },
        SendFailure::BodyFailed { message, cause } => SendFailure::BodyFailed { message: redact(message, headers), cause },
        other => other,
    }
}

/// What the exchange helper's tagged outcome means.
async fn classify(started: JsValue) -> Result<Rc<dyn HttpResponse>, SendFailure> {
    // Always the helper's own Outcome: it answers every failure with one.
    let outcome: Outcome = settle(started).await.map_err(network)?.unchecked_into();
    match outcome.tag() {
        tag @ (RESPONSE | RESPONSE_JSON) => {
            let status = Some(outcome.status()).filter(|s| (0.0..=999.0).contains(s)).unwrap_or(0.0);
            Ok(Rc::new(JsResponse {
                status: status as u16,
                headers: outcome.headers(),
                body: outcome.body(),
                parsed: tag == RESPONSE_JSON,
            }) as Rc<dyn HttpResponse>)
        }
        FETCH_FAILED => Err(network(outcome.body())),
        NOT_A_RESPONSE => Err(SendFailure::NotAResponse { got: outcome.body().as_string().unwrap_or_default() }),
        BODY_FAILED => {
            let thrown = outcome.body();
            Err(SendFailure::BodyFailed { message: describe(&thrown), cause: Some(wrap(thrown)) })
        }
        INTERRUPTED => {
            let reason = outcome.body();
            let why = super::convert::interruption(&reason).unwrap_or(crate::error::Interruption::Aborted);
            Err(SendFailure::Interrupted { why, cause: super::convert::interruption_cause(&reason) })
        }
        _ => Err(SendFailure::NotAResponse { got: "an unknown outcome".into() }),
    }
}

impl Transport for FetchTransport {
    fn send(&self, req: HttpRequest) -> LocalFuture<'_, Result<Rc<dyn HttpResponse>, SendFailure>> {
        let started = exchange(&self.fetch, &req.url, &js_str(&req.method), &header_lines(&req), &body(&req), flags(&req), req.extra_ms);
        // The request's own headers, moved (not copied): only a failure reads them.
        let headers = req.headers;
        Box::pin(async move { classify(started).await.map_err(|f| redacted(f, &headers)) })
    }

    fn parse_json(&self, text: &Json) -> Result<Json, String> {
        let parsed = parse_json_text(&json_to_js(text));
        if parsed.is_undefined() {
            return Err(parse_failure());
        }
        Ok(wrap(parsed))
    }

    fn now_ms(&self) -> f64 {
        date_now()
    }

    fn fill_random(&self, buf: &mut [u8]) -> Result<(), String> {
        random(buf)
    }

    fn body_kind(&self, value: &Json) -> Option<BodyInfo> {
        let code = body_kind_of(&json_to_js(value));
        // -1 (or NaN, which no host sends) is "not a body".
        if code.is_nan() || code < 0.0 {
            return None;
        }
        let length = ((code / 4.0) as u64) as f64;
        let kind = match code - length * 4.0 {
            0.0 => BodyKind::Text,
            1.0 => BodyKind::Bytes,
            2.0 => BodyKind::Blob,
            _ => return Some(BodyInfo { kind: BodyKind::Stream, length: None }),
        };
        Some(BodyInfo { kind, length: Some(length as u64) })
    }

    fn slice(&self, value: &Json, start: u64, end: u64) -> Option<Json> {
        let part = slice_of(&json_to_js(value), start as f64, end as f64);
        (!part.is_undefined()).then(|| wrap(part))
    }

    fn sha256(&self, data: &Json) -> LocalFuture<'_, Result<[u8; 32], String>> {
        Box::pin(super::digest::sha256(json_to_js(data), true))
    }

    fn read_stream(&self, stream: &Json, max: u64) -> LocalFuture<'_, Result<Option<Json>, String>> {
        Box::pin(read_outcome(read_stream_of(&json_to_js(stream), max as f64)))
    }

    fn read_all(&self, source: &Json) -> LocalFuture<'_, Result<Option<Json>, String>> {
        Box::pin(read_outcome(read_all_of(&json_to_js(source))))
    }

    fn cancel_stream(&self, stream: &Json) {
        cancel_stream_of(&json_to_js(stream));
    }

    fn hasher(&self) -> crate::kernel::sha256::Hasher {
        super::digest::hasher(true)
    }

    fn hash_into(&self, hashers: &mut [&mut crate::kernel::sha256::Hasher], bytes: &Json) -> Result<(), String> {
        let bytes: Uint8Array = json_to_js(bytes).dyn_into().map_err(|_| "expected bytes".to_string())?;
        super::digest::hash_into(hashers, &bytes)
    }

    fn hash_finish(&self, hasher: crate::kernel::sha256::Hasher) -> Result<[u8; 32], String> {
        super::digest::finish(hasher)
    }

    fn sleep(&self, ms: u32, context: &'static str) -> LocalFuture<'_, crate::error::Result<()>> {
        Box::pin(super::task::sleep(ms, context))
    }

    fn asset_ref(&self, done: &Json, content_type: Option<&str>) -> Val {
        Val::Json(wrap(asset_ref_of(&json_to_js(done), content_type.map(str::to_string))))
    }

    fn stringify(&self, value: &Val) -> Result<Json, String> {
        match json_stringify(&val_to_js(value)) {
            Ok(s) if s.is_string() => Ok(wrap(s)),
            Ok(_) => Err("value has no JSON form".to_string()),
            Err(e) => Err(describe(&e)),
        }
    }
}

impl HttpResponse for JsResponse {
    fn status(&self) -> u16 {
        self.status
    }

    fn header(&self, name: &str) -> Option<String> {
        header_of(&self.headers, name)
    }

    fn body(&self) -> Result<Json, (String, Option<Json>)> {
        Ok(wrap(self.body.clone()))
    }

    fn parsed_json(&self) -> Option<Json> {
        self.parsed.then(|| wrap(self.body.clone()))
    }
}

/// A tagged read outcome (js/host.js `readStream`, `readAll`): bytes, none, or why not.
async fn read_outcome(started: JsValue) -> Result<Option<Json>, String> {
    let outcome: js_sys::Array = settle(started).await.map_err(|e| describe(&e))?.unchecked_into();
    let value = outcome.get(1);
    match outcome.get(0).as_f64().map(|t| t as u32) {
        Some(READ_CHUNK) => Ok(Some(wrap(value))),
        Some(READ_DONE) => Ok(None),
        _ => Err(describe(&value)),
    }
}
