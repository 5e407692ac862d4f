//! The JS boundary: the only module that names `wasm_bindgen` and `js_sys`.
//!
//! One exported class, [`Client`], with one generic entry point, `call`:
//! the facade in `js/` builds every namespace method from the table that
//! [`surface`] returns, so adding a method needs no code here. Nothing in
//! this layer can trap: every JS call is fallible and every failure becomes
//! a typed JS error made by the facade's error factory.

mod bridge;
mod convert;
mod fetch;

use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;

use crate::credentials::ProviderMethod;
use crate::error::{Error, ErrorKind};
use crate::json::Json;
use crate::kernel::Kernel;
use crate::surface::{self, Scope, NAMESPACES};

const CONSTRUCTING: &str = "constructing client";

/// A client's state. `&self` only: calls clone the `Rc` into their future,
/// so no borrow outlives a call and any number can run at once.
#[wasm_bindgen]
pub struct Client {
    kernel: Rc<Kernel>,
    make_error: Function,
}

#[wasm_bindgen]
impl Client {
    /// Validates the options like the reference constructor and builds the
    /// kernel over the runtime's (or the caller's) fetch.
    #[wasm_bindgen(constructor)]
    pub fn new(opts: JsValue, make_error: Function) -> Result<Client, JsValue> {
        build(&opts).map(|kernel| Client { kernel: Rc::new(kernel), make_error: make_error.clone() }).map_err(|e| convert::error_to_js(&e, &make_error))
    }

    /// Runs public method `id` (see [`surface`]) with the caller's arguments.
    pub fn call(&self, id: u32, scope: Option<String>, args: Array) -> Promise {
        let items: Vec<Json> = args.iter().map(convert::wrap).collect();
        let work = surface::dispatch(self.kernel.clone(), id, scope, items);
        let make_error = self.make_error.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            match work.await {
                Ok(value) => Ok(convert::val_to_js(&value)),
                Err(e) => Err(convert::error_to_js(&e, &make_error)),
            }
        })
    }
}

fn build(opts: &JsValue) -> Result<Kernel, Error> {
    if !opts.is_object() {
        return Err(Error::local(CONSTRUCTING, "Run402 requires an options object: new Run402({ apiBase, credentials })"));
    }
    let get = |key: &str| js_sys::Reflect::get(opts, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    let api_base = get("apiBase").as_string().filter(|s| !s.is_empty()).ok_or_else(|| {
        Error::local(CONSTRUCTING, "Run402 requires opts.apiBase, a non-empty string such as \"https://api.run402.com\"")
    })?;
    let credentials = get("credentials");
    if !credentials.is_object() {
        return Err(Error::local(
            CONSTRUCTING,
            "Run402 requires opts.credentials: an object with getAuth(path) and getProject(id)",
        ));
    }
    let provider = bridge::JsProvider::new(credentials);
    let missing: Vec<&str> = ProviderMethod::REQUIRED.iter().filter(|m| !provider.has_method(**m)).map(|m| m.name()).collect();
    if !missing.is_empty() {
        return Err(Error::local(
            CONSTRUCTING,
            format!("Run402 credentials provider is missing required methods: {}", missing.join(", ")),
        ));
    }
    let fetch = match get("fetch") {
        f if f.is_undefined() || f.is_null() => {
            let global = js_sys::global();
            let f = js_sys::Reflect::get(&global, &JsValue::from_str("fetch")).unwrap_or(JsValue::UNDEFINED);
            f.dyn_into::<Function>()
                .map_err(|_| Error::local(CONSTRUCTING, "This runtime has no global fetch; pass opts.fetch"))?
                .bind0(&global)
        }
        f => f.dyn_into::<Function>().map_err(|_| Error::local(CONSTRUCTING, "opts.fetch must be a function"))?,
    };
    Ok(Kernel { api_base, transport: Box::new(fetch::FetchTransport::new(fetch)), credentials: Box::new(provider) })
}

/// The method table for the facade, as JSON text:
/// `{ namespaces: [{ name, scoped, internal, methods: [{ name, id, aliases, scope }] }], errors: [{ kind, className, guard }] }`.
#[wasm_bindgen]
pub fn surface() -> String {
    let mut out = String::from("{\"namespaces\":[");
    for (i, ns) in NAMESPACES.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("{{\"name\":\"{}\",\"scoped\":{},\"internal\":{},\"methods\":[", ns.name, ns.scoped, ns.internal));
        for (j, m) in ns.methods.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let aliases: Vec<String> = m.aliases.iter().map(|a| format!("\"{a}\"")).collect();
            let scope = match m.scope {
                Scope::Project => "project",
                Scope::OptionField { .. } => "option",
                Scope::Global => "global",
                Scope::RootOnly => "root",
            };
            out.push_str(&format!(
                "{{\"name\":\"{}\",\"id\":{},\"aliases\":[{}],\"scope\":\"{scope}\"}}",
                m.name,
                surface::method_id(i, j),
                aliases.join(",")
            ));
        }
        out.push_str("]}");
    }
    out.push_str("],\"errors\":[");
    let kinds: Vec<String> = ErrorKind::ALL
        .iter()
        .map(|k| format!("{{\"kind\":\"{}\",\"className\":\"{}\",\"guard\":\"{}\"}}", k.as_str(), k.class_name(), k.guard_name()))
        .collect();
    out.push_str(&kinds.join(","));
    out.push_str("]}");
    out
}
