//! Native test doubles: `serde_json` values behind the [`JsonValue`] view, a
//! scripted transport that records every request, and a configurable
//! provider. Compiled only for tests.

use core::any::Any;
use core::cell::RefCell;
use alloc::collections::VecDeque;
use core::future::Future;
use alloc::rc::Rc;
use core::task::{Context, Poll, Waker};

use serde_json::Value;

use crate::credentials::{Credentials, LocalFuture, ProviderMethod};
use crate::error::{Error, Result};
use crate::json::{Json, JsonExt, JsonValue, Shape};
use crate::kernel::{BodyInfo, BodyKind, HttpRequest, HttpResponse, Kernel, ReadAs, SendFailure, Transport};
use crate::value::Val;

#[derive(Debug)]
pub struct SJson(pub Value);

pub fn json(v: Value) -> Json {
    Rc::new(SJson(v))
}

impl JsonValue for SJson {
    fn shape(&self) -> Shape {
        match &self.0 {
            Value::Null => Shape::Null,
            Value::Bool(b) => Shape::Bool(*b),
            Value::Number(n) => Shape::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(_) => Shape::String,
            Value::Array(a) => Shape::Array(a.len()),
            Value::Object(_) => Shape::Object,
        }
    }
    fn field(&self, key: &str) -> Option<Json> {
        self.0.as_object()?.get(key).map(|v| json(v.clone()))
    }
    fn has_field(&self, key: &str) -> bool {
        self.0.as_object().is_some_and(|o| o.contains_key(key))
    }
    fn keys(&self) -> Vec<String> {
        self.0.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
    }
    fn item(&self, index: usize) -> Option<Json> {
        self.0.as_array()?.get(index).map(|v| json(v.clone()))
    }
    fn string(&self) -> Option<String> {
        self.0.as_str().map(str::to_string)
    }
    fn number_text(&self) -> Option<String> {
        self.0.as_number().map(ToString::to_string)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Host values that are not JSON: what a JS caller passes as a body, and
/// what a byte or raw read hands back.
#[derive(Debug, Clone, PartialEq)]
pub enum HostThing {
    /// A `Uint8Array`.
    Bytes(Vec<u8>),
    Blob(Vec<u8>),
    /// A `ReadableStream` (length unknown to the host).
    Stream(Vec<u8>),
    /// A response object with its body unread.
    Response { status: u16, body: String },
}

impl HostThing {
    pub fn json(self) -> Json {
        Rc::new(self)
    }
}

impl JsonValue for HostThing {
    fn shape(&self) -> Shape {
        Shape::Other
    }
    fn field(&self, _: &str) -> Option<Json> {
        None
    }
    fn has_field(&self, _: &str) -> bool {
        false
    }
    fn keys(&self) -> Vec<String> {
        Vec::new()
    }
    fn item(&self, _: usize) -> Option<Json> {
        None
    }
    fn string(&self) -> Option<String> {
        None
    }
    fn number_text(&self) -> Option<String> {
        None
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The host thing behind a value, if it is one.
pub fn host_thing(j: &Json) -> Option<&HostThing> {
    j.as_any().downcast_ref::<HostThing>()
}

/// Converts an SDK-built value to `serde_json` (host values included).
pub fn to_serde(v: &Val) -> Value {
    match v {
        Val::Undefined | Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        // Integral numbers print as JS prints them ("1", not "1.0").
        Val::Num(n) if n.fract() == 0.0 && n.abs() < 9e15 => Value::from(*n as i64),
        Val::Num(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        Val::Str(s) => Value::String(s.clone()),
        Val::Secret(s) => Value::String(s.0.to_string()),
        Val::Arr(items) => Value::Array(items.iter().map(to_serde).collect()),
        Val::Obj(entries) => Value::Object(
            entries
                .iter()
                .filter(|(_, v)| !matches!(v, Val::Undefined))
                .map(|(k, v)| (k.clone(), to_serde(v)))
                .collect(),
        ),
        Val::Json(j) => json_to_serde(j),
    }
}

/// A host value as JSON: the test host's own, or an SDK-made one (a
/// `Native` string or overlay, as a scoped client's injected project).
fn json_to_serde(j: &Json) -> Value {
    if let Some(s) = j.as_any().downcast_ref::<SJson>() {
        return s.0.clone();
    }
    match j.shape() {
        Shape::String => j.string().map_or(Value::Null, Value::String),
        Shape::Object => Value::Object(j.keys().into_iter().filter_map(|k| Some((k.clone(), json_to_serde(&j.field(&k)?)))).collect()),
        _ => Value::Null,
    }
}

/// A scripted answer.
#[derive(Debug, Clone)]
pub enum Answer {
    Respond { status: u16, content_type: Option<String>, body: String, body_fails: bool, headers: Vec<(String, String)> },
    Reject(String),
    NotAResponse,
}

impl Answer {
    pub fn json(status: u16, body: Value) -> Answer {
        Answer::Respond {
            status,
            content_type: Some("application/json; charset=utf-8".into()),
            body: body.to_string(),
            body_fails: false,
            headers: Vec::new(),
        }
    }
    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Answer {
        if let Answer::Respond { headers, .. } = &mut self {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }
    pub fn text(status: u16, body: &str) -> Answer {
        Answer::Respond { status, content_type: Some("text/plain".into()), body: body.into(), body_fails: false, headers: Vec::new() }
    }
    pub fn raw(status: u16, content_type: &str, body: &str) -> Answer {
        Answer::Respond { status, content_type: Some(content_type.into()), body: body.into(), body_fails: false, headers: Vec::new() }
    }
}

/// Records requests; answers from a queue (default: 200 `{}`).
#[derive(Default, Clone)]
pub struct MockTransport {
    pub sent: Rc<RefCell<Vec<HttpRequest>>>,
    pub answers: Rc<RefCell<VecDeque<Answer>>>,
    pub now_ms: Rc<core::cell::Cell<f64>>,
    pub random_counter: Rc<core::cell::Cell<u8>>,
    /// Every `sleep`, in ms.
    pub sleeps: Rc<RefCell<Vec<u32>>>,
}

struct MockResponse {
    status: u16,
    content_type: Option<String>,
    body: String,
    body_fails: bool,
    headers: Vec<(String, String)>,
    read: ReadAs,
}

impl HttpResponse for MockResponse {
    fn status(&self) -> u16 {
        self.status
    }
    fn header(&self, name: &str) -> Option<String> {
        if name.eq_ignore_ascii_case("content-type") {
            self.content_type.clone()
        } else {
            self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
        }
    }
    /// Read as the fetch host reads it: 2xx bytes and raw reads hand over
    /// host things, everything else is text.
    fn body(&self) -> core::result::Result<Json, (String, Option<Json>)> {
        let success = (200..300).contains(&self.status);
        let r = match self.read {
            _ if self.body_fails => Err(("terminated".to_string(), None)),
            ReadAs::Bytes if success => Ok(HostThing::Bytes(self.body.as_bytes().to_vec()).json()),
            ReadAs::Response if success => Ok(HostThing::Response { status: self.status, body: self.body.clone() }.json()),
            _ => Ok(json(Value::String(self.body.clone()))),
        };
        r
    }
}

impl Transport for MockTransport {
    fn send(&self, request: HttpRequest) -> LocalFuture<'_, core::result::Result<Rc<dyn HttpResponse>, SendFailure>> {
        let read = request.read;
        self.sent.borrow_mut().push(request);
        let answer = self.answers.borrow_mut().pop_front().unwrap_or(Answer::json(200, serde_json::json!({})));
        Box::pin(async move {
            match answer {
                Answer::Respond { status, content_type, body, body_fails, headers } => {
                    Ok(Rc::new(MockResponse { status, content_type, body, body_fails, headers, read }) as Rc<dyn HttpResponse>)
                }
                Answer::Reject(message) => Err(SendFailure::Network { message, cause: None }),
                Answer::NotAResponse => Err(SendFailure::NotAResponse { got: "a number".into() }),
            }
        })
    }
    fn parse_json(&self, text: &Json) -> core::result::Result<Json, String> {
        let text = text.as_string().ok_or("not a string")?;
        serde_json::from_str::<Value>(&text).map(json).map_err(|e| e.to_string())
    }
    fn stringify(&self, value: &Val) -> core::result::Result<Json, String> {
        Ok(json(Value::String(to_serde(value).to_string())))
    }
    fn now_ms(&self) -> f64 {
        self.now_ms.get()
    }
    fn body_kind(&self, value: &Json) -> Option<BodyInfo> {
        let (kind, length) = match host_thing(value) {
            Some(HostThing::Bytes(b)) => (BodyKind::Bytes, Some(b.len() as u64)),
            Some(HostThing::Blob(b)) => (BodyKind::Blob, Some(b.len() as u64)),
            Some(HostThing::Stream(_)) => (BodyKind::Stream, None),
            Some(HostThing::Response { .. }) => return None,
            None => (BodyKind::Text, Some(value.as_string()?.len() as u64)),
        };
        Some(BodyInfo { kind, length })
    }
    fn slice(&self, value: &Json, start: u64, end: u64) -> Option<Json> {
        let range = usize::try_from(start).ok()?..usize::try_from(end).ok()?;
        match host_thing(value) {
            Some(HostThing::Bytes(b)) => Some(HostThing::Bytes(b.get(range)?.to_vec()).json()),
            Some(HostThing::Blob(b)) => Some(HostThing::Blob(b.get(range)?.to_vec()).json()),
            Some(_) => None,
            None => Some(HostThing::Bytes(value.as_string()?.as_bytes().get(range)?.to_vec()).json()),
        }
    }
    fn sha256(&self, data: &Json) -> LocalFuture<'_, core::result::Result<[u8; 32], String>> {
        let r = match host_thing(data) {
            Some(HostThing::Bytes(b) | HostThing::Blob(b)) => Ok(crate::kernel::sha256::digest(b)),
            Some(_) => Err("not bytes".to_string()),
            None => data.as_string().map(|s| crate::kernel::sha256::digest(s.as_bytes())).ok_or_else(|| "not bytes".to_string()),
        };
        Box::pin(async move { r })
    }
    /// A stream's bytes; a path reads as "no file reader installed".
    fn read_all(&self, source: &Json) -> LocalFuture<'_, core::result::Result<Option<Json>, String>> {
        let r = match host_thing(source) {
            Some(HostThing::Stream(b)) => Ok(Some(HostThing::Bytes(b.clone()).json())),
            _ => Ok(None),
        };
        Box::pin(async move { r })
    }
    /// Waits no time: moves the clock on and records the pause.
    fn sleep(&self, ms: u32, _context: &'static str) -> LocalFuture<'_, Result<()>> {
        self.now_ms.set(self.now_ms.get() + f64::from(ms));
        self.sleeps.borrow_mut().push(ms);
        Box::pin(async { Ok(()) })
    }
    /// Deterministic "randomness": a counter, so tests can predict nonces.
    fn fill_random(&self, buf: &mut [u8]) -> core::result::Result<(), String> {
        for b in buf.iter_mut() {
            let n = self.random_counter.get();
            *b = n;
            self.random_counter.set(n.wrapping_add(1));
        }
        Ok(())
    }
}

/// A scripted provider answer: a value, or the message it throws.
type ProviderAnswer = (ProviderMethod, core::result::Result<Value, String>);

/// A provider whose answers are set per method; records every call.
#[derive(Default, Clone)]
pub struct MockCredentials {
    pub answers: Rc<RefCell<Vec<ProviderAnswer>>>,
    pub calls: Rc<RefCell<Vec<(ProviderMethod, Value)>>>,
    /// Whether it plays a CI session's provider.
    pub ci: Rc<core::cell::Cell<bool>>,
}

impl MockCredentials {
    /// Makes `method` present, answering `value`.
    pub fn on(&self, method: ProviderMethod, value: Value) -> &Self {
        self.answers.borrow_mut().push((method, Ok(value)));
        self
    }
    /// Makes `method` present, throwing `message`.
    pub fn throws(&self, method: ProviderMethod, message: &str) -> &Self {
        self.answers.borrow_mut().push((method, Err(message.into())));
        self
    }
    pub fn calls_to(&self, method: ProviderMethod) -> Vec<Value> {
        self.calls.borrow().iter().filter(|(m, _)| *m == method).map(|(_, a)| a.clone()).collect()
    }
}

impl Credentials for MockCredentials {
    fn has(&self, method: ProviderMethod) -> bool {
        self.answers.borrow().iter().any(|(m, _)| *m == method)
    }
    fn is_ci_session(&self) -> bool {
        self.ci.get()
    }
    fn invoke(&self, method: ProviderMethod, args: Vec<Val>, context: &str) -> LocalFuture<'_, Result<Json>> {
        self.calls.borrow_mut().push((method, Value::Array(args.iter().map(to_serde).collect())));
        let answer = self.answers.borrow().iter().rev().find(|(m, _)| *m == method).map(|(_, a)| a.clone());
        let context = context.to_string();
        Box::pin(async move {
            match answer {
                Some(Ok(v)) => Ok(json(v)),
                Some(Err(msg)) => Err(Error::local(&context, format!("credentials.{}() failed: {msg}", method.name()))),
                None => Err(Error::local(&context, format!("credentials.{}() is not implemented", method.name()))),
            }
        })
    }
}

/// A kernel over the mocks, with `getAuth` returning no headers by default.
pub fn kernel() -> (Rc<Kernel>, MockTransport, MockCredentials) {
    let t = MockTransport::default();
    let c = MockCredentials::default();
    c.on(ProviderMethod::GetAuth, Value::Null);
    c.on(ProviderMethod::GetProject, Value::Null);
    t.now_ms.set(1_700_000_000_000.0);
    let k = Rc::new(Kernel {
        api_base: "https://api.test".into(),
        transport: Box::new(t.clone()),
        credentials: Box::new(c.clone()),
        policy: crate::kernel::pay::SpendPolicy::default(),
        ledger: crate::kernel::pay::Ledger::default(),
    });
    (k, t, c)
}

/// The method id of `ns.name` in the method table (nested namespaces by their path, "email.webhooks").
pub fn method_id(ns: &str, name: &str) -> u32 {
    for (i, n) in crate::surface::NAMESPACES.iter().enumerate() {
        if n.name == ns {
            if let Some(j) = n.methods.iter().position(|m| m.name == name) {
                return crate::surface::method_id(i, j);
            }
        }
    }
    panic!("no method {ns}.{name}");
}

/// Runs `ns.name` with `args` on the root client (`scope: None`) or on one
/// scoped to a project, as the wasm layer dispatches it.
pub fn call_method(k: &Rc<Kernel>, ns: &str, name: &str, scope: Option<&str>, args: Vec<Value>) -> Result<Val> {
    let items: Vec<Json> = args.into_iter().map(json).collect();
    block_on(crate::surface::dispatch(k.clone(), method_id(ns, name), scope.map(str::to_string), items, None, &crate::surface::no_events))
}

/// The last request the mock transport was asked to send.
pub fn last_sent(t: &MockTransport) -> HttpRequest {
    t.sent.borrow().last().cloned().expect("a request was sent")
}

/// Runs a future that never truly waits (all mocks resolve immediately).
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = core::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Request headers as a lookup helper.
pub fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// A request's body as text, whichever way it was handed to the transport.
pub fn body_text(req: &HttpRequest) -> Option<String> {
    match &req.body {
        Some(crate::kernel::WireBody::Text(s)) => Some(s.clone()),
        Some(crate::kernel::WireBody::Host(j)) => j.as_string(),
        _ => None,
    }
}

/// The host thing a request's body was handed over as.
pub fn body_thing(req: &HttpRequest) -> Option<HostThing> {
    match &req.body {
        Some(crate::kernel::WireBody::Host(j) | crate::kernel::WireBody::Stream(j)) => host_thing(j).cloned(),
        _ => None,
    }
}
