//! The transport over the runtime's `fetch` (or the caller's). Responses
//! are read through `Reflect`, so a custom fetch that resolves to something
//! odd is reported, not trapped on.

use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::convert::{describe, val_to_js, wrap};
use crate::credentials::LocalFuture;
use crate::json::{type_name, Json};
use crate::kernel::{HttpRequest, HttpResponse, SendFailure, Transport, WireBody};
use crate::value::Val;

pub struct FetchTransport {
    fetch: Function,
}

impl FetchTransport {
    pub fn new(fetch: Function) -> FetchTransport {
        FetchTransport { fetch }
    }
}

struct JsResponse {
    res: JsValue,
    status: u16,
    headers: JsValue,
}

fn init_object(req: &HttpRequest) -> Object {
    let init = Object::new();
    let headers = Object::new();
    for (k, v) in &req.headers {
        let _ = Reflect::set(&headers, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    let _ = Reflect::set(&init, &"method".into(), &JsValue::from_str(&req.method));
    let _ = Reflect::set(&init, &"headers".into(), &headers);
    match &req.body {
        Some(WireBody::Text(s)) => {
            let _ = Reflect::set(&init, &"body".into(), &JsValue::from_str(s));
        }
        Some(WireBody::Bytes(b)) => {
            let _ = Reflect::set(&init, &"body".into(), &Uint8Array::from(b.as_slice()));
        }
        None => {}
    }
    init
}

fn network(thrown: JsValue) -> SendFailure {
    SendFailure::Network { message: describe(&thrown), cause: Some(wrap(thrown)) }
}

/// Accepts anything shaped like a Response: numeric `status`, `headers.get`, `text()`.
fn as_response(v: JsValue) -> Result<JsResponse, SendFailure> {
    let not_a_response = |v: &JsValue| SendFailure::NotAResponse { got: type_name(&wrap(v.clone()).shape()).to_string() };
    if !v.is_object() {
        return Err(not_a_response(&v));
    }
    let status = Reflect::get(&v, &"status".into()).ok().and_then(|s| s.as_f64());
    let headers = Reflect::get(&v, &"headers".into()).unwrap_or(JsValue::UNDEFINED);
    let has_get = headers.is_object() && Reflect::get(&headers, &"get".into()).is_ok_and(|g| g.is_function());
    let has_text = Reflect::get(&v, &"text".into()).is_ok_and(|t| t.is_function());
    match status {
        Some(s) if has_get && has_text && (0.0..=999.0).contains(&s) => Ok(JsResponse { res: v, status: s as u16, headers }),
        _ => Err(not_a_response(&v)),
    }
}

impl Transport for FetchTransport {
    fn send(&self, req: HttpRequest) -> LocalFuture<'_, Result<Box<dyn HttpResponse>, SendFailure>> {
        let started = self.fetch.call2(&JsValue::UNDEFINED, &JsValue::from_str(&req.url), &init_object(&req));
        Box::pin(async move {
            let value = started.map_err(network)?;
            let value = if value.is_instance_of::<Promise>() || value.is_object() {
                JsFuture::from(Promise::resolve(&value)).await.map_err(network)?
            } else {
                value
            };
            Ok(Box::new(as_response(value)?) as Box<dyn HttpResponse>)
        })
    }

    fn parse_json(&self, text: &str) -> Result<Json, String> {
        js_sys::JSON::parse(text).map(wrap).map_err(|e| describe(&e))
    }

    fn stringify(&self, value: &Val) -> Result<String, String> {
        let js = val_to_js(value);
        match js_sys::JSON::stringify(&js) {
            Ok(s) => s.as_string().ok_or_else(|| "value has no JSON form".to_string()),
            Err(e) => Err(describe(&e)),
        }
    }
}

impl HttpResponse for JsResponse {
    fn status(&self) -> u16 {
        self.status
    }

    fn header(&self, name: &str) -> Option<String> {
        let get = Reflect::get(&self.headers, &"get".into()).ok()?.dyn_into::<Function>().ok()?;
        get.call1(&self.headers, &JsValue::from_str(name)).ok()?.as_string()
    }

    fn text(&self) -> LocalFuture<'_, Result<String, (String, Option<Json>)>> {
        Box::pin(async move {
            let fail = |e: JsValue| (describe(&e), Some(wrap(e)));
            let text = Reflect::get(&self.res, &"text".into()).map_err(fail)?.dyn_into::<Function>().map_err(fail)?;
            let started = text.call0(&self.res).map_err(fail)?;
            let value = JsFuture::from(Promise::resolve(&started)).await.map_err(fail)?;
            value.as_string().ok_or_else(|| ("response.text() did not produce a string".to_string(), None))
        })
    }
}

