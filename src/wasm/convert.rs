//! Conversions between JS values and the SDK's types: [`JsJson`] exposes a
//! JS value through the [`JsonValue`] view, [`val_to_js`] builds the values
//! the SDK returns, and [`error_to_js`] is the one place errors cross over.

use crate::prelude::*;
use core::any::Any;
use alloc::fmt;
use alloc::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::names::js_str;
use crate::error::{Error, ErrorKind};
use crate::json::{Json, JsonValue, Native, Shape};
use crate::value::Val;

// Every read of a caller's value goes through these helpers, which catch
// everything on the JS side (see js/host.js): no exception can unwind
// through wasm frames here, whatever Proxy or getter the value hides.
// Nothing in this file calls a `js_sys` function that could throw on a
// caller's value.
#[wasm_bindgen(raw_module = "./host.js")]
extern "C" {
    #[wasm_bindgen(js_name = kindOf)]
    fn kind_of(v: &JsValue) -> u32;
    /// `v` if it is a well-formed string, else undefined.
    #[wasm_bindgen(js_name = textOf)]
    fn text_of(v: &JsValue) -> Option<String>;
    #[wasm_bindgen(js_name = fieldOf)]
    fn field_of(obj: &JsValue, key: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = hasOwnField)]
    fn has_own_field(obj: &JsValue, key: &JsValue) -> bool;
    #[wasm_bindgen(js_name = keysOf)]
    fn keys_of(obj: &JsValue) -> String;
    /// `v.length` as a u32, 0 when it is not one (never throws): the one
    /// length import, for strings, arrays and byte arrays alike.
    #[wasm_bindgen(js_name = lengthOf)]
    pub fn length_of(v: &JsValue) -> u32;
    #[wasm_bindgen(js_name = itemOf)]
    fn item_of(arr: &JsValue, i: u32) -> JsValue;
    #[wasm_bindgen(js_name = numberText)]
    fn number_text_of(n: &JsValue) -> String;
    #[wasm_bindgen(js_name = describeThrown)]
    fn describe_thrown(v: &JsValue) -> String;
    #[wasm_bindgen(js_name = interruptionOf)]
    fn interruption_of(v: &JsValue) -> i32;
    #[wasm_bindgen(js_name = interruptionCause)]
    fn interruption_cause_of(v: &JsValue) -> JsValue;
    /// The runtime's `fetch` bound to `globalThis`, or undefined.
    #[wasm_bindgen(js_name = globalFetch)]
    pub(super) fn global_fetch() -> JsValue;
}

/// Whether `v` is the facade's marker for a timed-out or aborted wait.
pub fn interruption(v: &JsValue) -> Option<crate::error::Interruption> {
    match interruption_of(v) {
        -1 => None,
        -2 => Some(crate::error::Interruption::Aborted),
        ms => Some(crate::error::Interruption::Timeout { ms: u32::try_from(ms).unwrap_or(0) }),
    }
}

/// The abort signal's reason behind an interruption marker, if any.
pub fn interruption_cause(v: &JsValue) -> Option<Json> {
    let c = interruption_cause_of(v);
    (!c.is_undefined()).then(|| wrap(c))
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

impl JsonValue for JsJson {
    fn shape(&self) -> Shape {
        let v = &self.0;
        match kind_of(v) {
            0 => Shape::Undefined,
            1 => Shape::Null,
            2 => Shape::Bool(v.as_bool().unwrap_or(false)),
            3 => Shape::Number(v.as_f64().unwrap_or(f64::NAN)),
            4 => Shape::String,
            5 => Shape::Array(length_of(v) as usize),
            6 => Shape::Object,
            8 => Shape::BadText,
            9 => Shape::BadKeys,
            _ => Shape::Other,
        }
    }
    /// Plain property access (`obj[key]`), as JS code reading the object
    /// would do, so getters and class instances work.
    fn field(&self, key: &str) -> Option<Json> {
        let v = field_of(&self.0, &js_str(key));
        (!v.is_undefined()).then(|| wrap(v))
    }
    fn has_field(&self, key: &str) -> bool {
        has_own_field(&self.0, &js_str(key))
    }
    fn keys(&self) -> Vec<String> {
        let joined = keys_of(&self.0);
        if joined.is_empty() {
            return Vec::new();
        }
        joined.split('\n').map(str::to_string).collect()
    }
    fn item(&self, index: usize) -> Option<Json> {
        if kind_of(&self.0) != 5 {
            return None;
        }
        let i = u32::try_from(index).ok()?;
        (i < length_of(&self.0)).then(|| wrap(item_of(&self.0, i)))
    }
    fn string(&self) -> Option<String> {
        text_of(&self.0)
    }
    fn number_text(&self) -> Option<String> {
        self.0.as_f64().map(|_| number_text_of(&self.0))
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
        // Field by field through the safe readers, not Object.assign: the
        // base is a caller's object and may throw when read.
        if let Some(base) = base {
            for k in base.keys() {
                if let Some(v) = base.field(&k) {
                    let _ = Reflect::set(&out, &JsValue::from_str(&k), &json_to_js(&v));
                }
            }
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
        Val::Secret(s) => JsValue::from_str(&s.0),
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

/// A readable description of a thrown value: its `message`, or its text,
/// never its JSON (which could carry request headers, and so keys). The
/// value itself travels as the error's `cause`.
pub fn describe(v: &JsValue) -> String {
    describe_thrown(v)
}
