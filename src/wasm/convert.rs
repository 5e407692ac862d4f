//! Conversions between JS values and the SDK's types: [`JsJson`] exposes a
//! JS value through the [`JsonValue`] view, [`val_to_js`] builds the values
//! the SDK returns, and [`error_to_js`] is the one place errors cross over.

use std::any::Any;
use std::fmt;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{Error, ErrorKind};
use crate::json::{Json, JsonValue, Native, Shape};
use crate::value::Val;

#[wasm_bindgen(raw_module = "./host.js")]
extern "C" {
    #[wasm_bindgen(js_name = kindOf)]
    fn kind_of(v: &JsValue) -> u32;
    #[wasm_bindgen(js_name = fieldOf)]
    fn field_of(obj: &JsValue, key: &str) -> JsValue;
}

/// A JS value seen through [`JsonValue`].
pub struct JsJson(pub JsValue);

// Values can hold keys; never print their contents.
impl fmt::Debug for JsJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsJson(..)")
    }
}

/// Wraps a JS value for the native code.
pub fn wrap(v: JsValue) -> Json {
    Rc::new(JsJson(v))
}

fn own(v: &JsValue, key: &str) -> Option<JsValue> {
    let obj = v.dyn_ref::<Object>()?;
    let k = JsValue::from_str(key);
    if !Object::has_own(obj, &k) {
        return None;
    }
    Reflect::get(v, &k).ok()
}

impl JsonValue for JsJson {
    fn shape(&self) -> Shape {
        let v = &self.0;
        match kind_of(v) {
            0 => Shape::Undefined,
            1 => Shape::Null,
            2 => Shape::Bool(v.as_bool().unwrap_or(false)),
            3 => Shape::Number(v.as_f64().unwrap_or(f64::NAN)),
            4 => Shape::String,
            5 => Shape::Array(v.unchecked_ref::<Array>().length() as usize),
            6 => Shape::Object,
            _ => Shape::Other,
        }
    }
    /// Plain property access (`obj[key]`), as JS code reading the object
    /// would do, so getters and class instances work.
    fn field(&self, key: &str) -> Option<Json> {
        let v = field_of(&self.0, key);
        (!v.is_undefined()).then(|| wrap(v))
    }
    fn has_field(&self, key: &str) -> bool {
        !Array::is_array(&self.0) && own(&self.0, key).is_some()
    }
    fn keys(&self) -> Vec<String> {
        match self.0.dyn_ref::<Object>() {
            Some(o) if !Array::is_array(&self.0) => Object::keys(o).iter().filter_map(|k| k.as_string()).collect(),
            _ => Vec::new(),
        }
    }
    fn item(&self, index: usize) -> Option<Json> {
        if !Array::is_array(&self.0) {
            return None;
        }
        let a = self.0.unchecked_ref::<Array>();
        let i = u32::try_from(index).ok()?;
        (i < a.length()).then(|| wrap(a.get(i)))
    }
    fn string(&self) -> Option<String> {
        self.0.as_string()
    }
    fn number_text(&self) -> Option<String> {
        self.0.dyn_ref::<js_sys::Number>()?.to_string_with_radix(10).ok()?.as_string()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The JS value for a host value, whoever implemented it.
pub fn json_to_js(j: &Json) -> JsValue {
    if let Some(js) = j.as_any().downcast_ref::<JsJson>() {
        return js.0.clone();
    }
    if let Some(Native::Overlay { base, extra }) = j.as_any().downcast_ref::<Native>() {
        let out = Object::new();
        if let Some(base) = base {
            let _ = Object::assign(&out, &json_to_js(base).unchecked_into::<Object>());
        }
        for (k, v) in extra {
            let _ = Reflect::set(&out, &JsValue::from_str(k), &json_to_js(v));
        }
        return out.into();
    }
    match j.shape() {
        Shape::Null => JsValue::NULL,
        Shape::Bool(b) => JsValue::from_bool(b),
        Shape::Number(n) => JsValue::from_f64(n),
        Shape::String => j.string().map_or(JsValue::UNDEFINED, |s| JsValue::from_str(&s)),
        _ => JsValue::UNDEFINED,
    }
}

/// Builds the JS value of an SDK-made value.
pub fn val_to_js(v: &Val) -> JsValue {
    match v {
        Val::Undefined => JsValue::UNDEFINED,
        Val::Null => JsValue::NULL,
        Val::Bool(b) => JsValue::from_bool(*b),
        Val::Num(n) => JsValue::from_f64(*n),
        Val::Str(s) => JsValue::from_str(s),
        Val::Arr(items) => items.iter().map(val_to_js).collect::<Array>().into(),
        Val::Obj(entries) => {
            let out = Object::new();
            for (k, v) in entries {
                if !matches!(v, Val::Undefined) {
                    let _ = Reflect::set(&out, &JsValue::from_str(k), &val_to_js(v));
                }
            }
            out.into()
        }
        Val::Json(j) => json_to_js(j),
    }
}

/// Turns an [`Error`] into an instance of the facade's error classes via
/// its factory `(kind, message, status, body, context, extra)`.
pub fn error_to_js(e: &Error, make_error: &Function) -> JsValue {
    if let Some(original) = &e.rethrow {
        return json_to_js(original);
    }
    let extra = Object::new();
    if let Some(id) = &e.project_id {
        let _ = Reflect::set(&extra, &"projectId".into(), &JsValue::from_str(id));
    }
    if let Some(cause) = &e.cause {
        let _ = Reflect::set(&extra, &"cause".into(), &json_to_js(cause));
    }
    if !e.extra.is_empty() {
        let fields = Object::new();
        for (k, v) in &e.extra {
            let _ = Reflect::set(&fields, &JsValue::from_str(k), &val_to_js(v));
        }
        let _ = Reflect::set(&extra, &"fields".into(), &fields);
    }
    let args = Array::of5(
        &JsValue::from_str(e.kind.as_str()),
        &JsValue::from_str(&e.message),
        &e.status.map_or(JsValue::NULL, |s| JsValue::from_f64(f64::from(s))),
        &val_to_js(&e.body),
        &JsValue::from_str(&e.context),
    );
    args.push(&extra);
    // A factory that fails must not lose the error: fall back to a plain Error.
    make_error.apply(&JsValue::UNDEFINED, &args).unwrap_or_else(|_| js_sys::Error::new(&e.message).into())
}

/// The kind of a Run402 error thrown by caller code, if it is one.
pub fn run402_kind(v: &JsValue) -> Option<ErrorKind> {
    if !v.is_object() || Reflect::get(v, &"isRun402Error".into()).ok()?.as_bool() != Some(true) {
        return None;
    }
    let kind = Reflect::get(v, &"kind".into()).ok()?.as_string()?;
    ErrorKind::ALL.iter().copied().find(|k| k.as_str() == kind)
}

/// A readable description of a thrown value: its `message`, or its text.
pub fn describe(v: &JsValue) -> String {
    if let Some(m) = Reflect::get(v, &"message".into()).ok().and_then(|m| m.as_string()) {
        return m;
    }
    if let Some(s) = v.as_string() {
        return s;
    }
    if v.is_undefined() {
        return "undefined was thrown".into();
    }
    if v.is_null() {
        return "null was thrown".into();
    }
    js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()).unwrap_or_else(|| "a non-Error value was thrown".into())
}
