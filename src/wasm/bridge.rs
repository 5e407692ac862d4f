//! The credentials bridge: the caller's provider object behind
//! [`Credentials`]. Methods may be sync or async; a throw, a rejection with
//! anything at all, or a missing method becomes a typed error.

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;

use wasm_bindgen::{JsCast, JsValue};
use super::convert::{describe, interruption, interruption_cause, run402_kind, val_to_js, wrap};
use super::task::settle;
use crate::credentials::{Credentials, LocalFuture, ProviderMethod};
use crate::error::{Error, Result};
use crate::json::Json;
use crate::value::Val;

pub struct JsProvider {
    obj: JsValue,
}

impl JsProvider {
    pub fn new(obj: JsValue) -> JsProvider {
        JsProvider { obj }
    }

    /// Looked up per call, as the reference does, so a provider may gain or
    /// lose optional methods over its lifetime.
    fn method(&self, m: ProviderMethod) -> Option<Function> {
        Reflect::get(&self.obj, &JsValue::from_str(m.name())).ok()?.dyn_into::<Function>().ok()
    }

    pub fn has_method(&self, m: ProviderMethod) -> bool {
        self.method(m).is_some()
    }
}

/// The error for a provider call that threw or rejected.
fn failed(m: ProviderMethod, context: &str, thrown: JsValue) -> Error {
    if let Some(why) = interruption(&thrown) {
        return Error::interrupted(context, why, interruption_cause(&thrown));
    }
    if let Some(kind) = run402_kind(&thrown) {
        return Error::passthrough(kind, describe(&thrown), context, wrap(thrown));
    }
    let message = format!("credentials.{}() failed while {context}: {}", m.name(), describe(&thrown));
    Error::local_caused(context, message, Some(wrap(thrown)))
}

#[wasm_bindgen(raw_module = "./host.js")]
extern "C" {
    /// A real Promise, or any object with a callable `then` (one host call).
    #[wasm_bindgen(js_name = isThenable)]
    fn is_thenable(v: &JsValue) -> bool;
    /// The promise, bounded by the running call's timeout and abort signal.
    fn bounded(promise: JsValue) -> JsValue;
}

impl Credentials for JsProvider {
    fn has(&self, m: ProviderMethod) -> bool {
        self.has_method(m)
    }

    fn invoke(&self, m: ProviderMethod, args: Vec<Val>, context: &str) -> LocalFuture<'_, Result<Json>> {
        let context = context.to_string();
        let f = self.method(m);
        let result = f.map(|f| f.apply(&self.obj, &args.iter().map(val_to_js).collect()));
        Box::pin(async move {
            let value = match result {
                None => {
                    return Err(Error::local(&context, format!("credentials.{}() is not implemented by this provider", m.name())))
                }
                Some(Err(thrown)) => return Err(failed(m, &context, thrown)),
                Some(Ok(v)) => v,
            };
            if !is_thenable(&value) {
                return Ok(wrap(value));
            }
            settle(bounded(value)).await.map(wrap).map_err(|thrown| failed(m, &context, thrown))
        })
    }
}
