//! The credentials bridge: the caller's provider object behind
//! [`Credentials`]. Methods may be sync or async; a throw, a rejection with
//! anything at all, or a missing method becomes a typed error.

use crate::prelude::*;
use wasm_bindgen::prelude::*;

use super::convert::{describe, interruption, interruption_cause, run402_kind, val_to_js, wrap};
use super::names::js_str;
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
    pub fn has_method(&self, m: ProviderMethod) -> bool {
        provider_has(&self.obj, &js_str(m.name()))
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

// `callProvider` outcomes (js/host.js).
const PROVIDED: u32 = 0;
const PROVIDED_LATER: u32 = 1;
const PROVIDER_THREW: u32 = 2;

#[wasm_bindgen(raw_module = "./host.js")]
extern "C" {
    /// Calls a provider method; never throws (see js/host.js).
    #[wasm_bindgen(js_name = callProvider)]
    fn call_provider(obj: &JsValue, name: &JsValue, argc: u32, a: &JsValue, b: &JsValue) -> u32;
    #[wasm_bindgen(js_name = takeProvided)]
    fn take_provided() -> JsValue;
    #[wasm_bindgen(js_name = providerHas)]
    fn provider_has(obj: &JsValue, name: &JsValue) -> bool;
    #[wasm_bindgen(js_name = providerIsCi)]
    fn provider_is_ci(obj: &JsValue) -> bool;
}

impl Credentials for JsProvider {
    fn has(&self, m: ProviderMethod) -> bool {
        self.has_method(m)
    }

    fn is_ci_session(&self) -> bool {
        provider_is_ci(&self.obj)
    }

    fn invoke<'a>(&'a self, m: ProviderMethod, args: Vec<Val>, context: &'a str) -> LocalFuture<'a, Result<Json>> {
        // Called now, synchronously, like the reference: the provider sees
        // calls in the order they were made.
        let arg = |i: usize| args.get(i).map_or(JsValue::UNDEFINED, val_to_js);
        let argc = u32::try_from(args.len().min(2)).unwrap_or(2);
        let code = call_provider(&self.obj, &js_str(m.name()), argc, &arg(0), &arg(1));
        let value = take_provided();
        Box::pin(async move {
            match code {
                PROVIDED => Ok(wrap(value)),
                PROVIDED_LATER => settle(value).await.map(wrap).map_err(|thrown| failed(m, context, thrown)),
                PROVIDER_THREW => Err(failed(m, context, value)),
                _ => Err(Error::local(context, format!("credentials.{}() is not implemented by this provider", m.name()))),
            }
        })
    }
}
