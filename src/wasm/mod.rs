//! The JS boundary: the only module that names `wasm_bindgen` and `js_sys`.
//!
//! One exported class, [`Client`], with one generic entry point: `start`
//! runs a method from the table [`surface`] returns (the facade in `js/`
//! builds every namespace method from it, so adding a method needs no code
//! here), and the other methods let the facade's loop (js/driver.js) drive
//! the call's task: await its promises, wake it, cancel it, read its events
//! (see [`task`]). Nothing in this layer can trap: every JS call is
//! fallible and every failure becomes a typed JS error made by the facade's
//! error factory.

mod bridge;
mod ci;
mod convert;
mod digest;
mod fetch;
#[cfg(feature = "test-hooks")]
mod hooks;
#[cfg(feature = "test-hooks")]
mod hooks_transport;
mod names;
mod probe;
mod task;

use crate::prelude::*;
use core::cell::RefCell;
use alloc::rc::Rc;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

use crate::credentials::ProviderMethod;
use crate::error::{Error, ErrorKind};
use crate::json::Json;
use crate::kernel::Kernel;
use crate::surface::{self, Kind, Method, NAMESPACES};

const CONSTRUCTING: &str = "constructing client";

/// A client's state. `&self` only: calls clone the `Rc` into their future,
/// and their tasks live in the executor's table ([`task`]), never borrowed
/// while a task runs, so any number of calls can be in flight (and a
/// provider may call back into the client).
#[wasm_bindgen]
pub struct Client {
    kernel: Rc<Kernel>,
    timeout_ms: u32,
}

#[wasm_bindgen]
impl Client {
    /// Validates the options like the reference constructor and builds the
    /// kernel over the runtime's (or the caller's) fetch.
    #[wasm_bindgen(constructor)]
    pub fn new(opts: JsValue, host: JsValue) -> Result<Client, JsValue> {
        let host_fn = |name: &str| js_sys::Reflect::get(&host, &JsValue::from_str(name)).ok().and_then(|f| f.dyn_into::<Function>().ok());
        let Some(make_error) = host_fn("makeError") else {
            return Err(js_sys::Error::new("run402: the wasm core was loaded without its JS host (use the package entry files)").into());
        };
        match build(&opts).and_then(|k| Ok((k, timeout_option(&opts)?))) {
            Ok((kernel, timeout_ms)) => {
                MAKE_ERROR.with(|m| {
                    if let Ok(mut m) = m.try_borrow_mut() {
                        *m = Some(make_error);
                    }
                });
                Ok(Client { kernel: Rc::new(kernel), timeout_ms })
            }
            Err(e) => Err(convert::error_to_js(&e, &make_error)),
        }
    }

    /// Starts public method `id` (see [`surface`]) with the caller's
    /// arguments. Returns `handle * 8 + state` (see [`task`]).
    pub fn start(&self, id: u32, scope: Option<String>, args: Array, retry_key: Option<String>) -> u32 {
        let items: Vec<Json> = (0..convert::length_of(&args)).map(|i| convert::wrap(args.get(i))).collect();
        #[cfg(feature = "test-hooks")]
        if let Some(future) = hooks::dispatch(&self.kernel, id, &items) {
            return task::start(future, "running a test hook", &convert);
        }
        let context = surface::method(id).map_or("calling the SDK", |(_, m)| m.context);
        let events: &dyn Fn() -> surface::Events = if surface::HAS_OPERATIONS { &event_sink } else { &surface::no_events };
        task::start(surface::dispatch(self.kernel.clone(), id, scope, items, retry_key, events), context, &convert)
    }

    /// The client's `timeoutMs` (validated; default 60000, 0 = none).
    #[wasm_bindgen(getter, js_name = timeoutMs)]
    pub fn timeout_ms(&self) -> u32 {
        self.timeout_ms
    }

}

// The rest of a call's life needs no client: its task is in the executor's
// table, found by handle. Free functions skip wasm-bindgen's borrow of the
// `Client` on every crossing, and the fast path crosses four times.

local! {
    // The facade's error factory (js/errors.js `makeError`, one per instance),
    // for results converted after `start` returned.
    static MAKE_ERROR: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// A finished call's result as JS receives it.
fn convert(result: crate::error::Result<crate::value::Val>) -> task::Outcome {
    match result {
        Ok(v) => Ok(convert::val_to_js(&v)),
        Err(e) => {
            let make_error = MAKE_ERROR.with(|m| m.try_borrow().ok().and_then(|m| m.clone()));
            match make_error {
                Some(f) => Err(convert::error_to_js(&e, &f)),
                None => Err(JsValue::from_str(&e.message)),
            }
        }
    }
}

/// An operation's event sink: each value goes to its task's queue, for the
/// facade's `events()` iterator (js/driver.js). Before the first event the
/// task waits one turn of the host's microtask queue: the call has returned
/// its operation object by then, so a reader that calls `events()` at once
/// is attached (and gets backpressure) before anything is emitted, instead
/// of finding only the newest events of an unread, bounded queue.
fn event_sink() -> surface::Events {
    let first = Rc::new(core::cell::Cell::new(true));
    Rc::new(move |v| {
        let first = first.clone();
        Box::pin(async move {
            if first.replace(false) {
                let _ = task::settle(js_sys::Promise::resolve(&JsValue::UNDEFINED).into()).await;
            }
            task::emit(convert::val_to_js(&v)).await;
        })
    })
}

/// The one promise a call on the fast path waits for.
#[wasm_bindgen(js_name = taskParked)]
pub fn task_parked(handle: u32) -> JsValue {
    task::parked(handle)
}

/// Hands a call on the fast path the outcome of its promise; returns its state.
#[wasm_bindgen(js_name = taskResume)]
pub fn task_resume(handle: u32, ok: bool, value: JsValue) -> u32 {
    task::resume(handle, if ok { Ok(value) } else { Err(value) }, &convert)
}

/// Polls a watched call after its loop was notified; returns its state.
#[wasm_bindgen(js_name = taskPoll)]
pub fn task_poll(handle: u32) -> u32 {
    task::poll(handle, &convert)
}

/// A watched call's new promises as `[id, promise, ...]`; `notify` wakes
/// its loop from now on.
#[wasm_bindgen(js_name = taskFresh)]
pub fn task_fresh(handle: u32, notify: Function) -> Array {
    task::fresh(handle, notify)
}

/// The outcome of promise `id` of a watched call.
#[wasm_bindgen(js_name = taskDeliver)]
pub fn task_deliver(handle: u32, id: u32, ok: bool, value: JsValue) {
    task::deliver(handle, id, if ok { Ok(value) } else { Err(value) });
}

/// Cancels a call (its signal fired): its future is dropped and it fails
/// with `NetworkError` `ABORTED`, `reason` as the cause.
#[wasm_bindgen(js_name = taskCancel)]
pub fn task_cancel(handle: u32, reason: JsValue) {
    task::cancel(handle, reason, &convert);
}

/// The events a call has queued, oldest first.
#[wasm_bindgen(js_name = taskEvents)]
pub fn task_events(handle: u32) -> Array {
    task::take_events(handle)
}

/// Whether a consumer is reading the call's events (backpressure).
#[wasm_bindgen(js_name = taskAttach)]
pub fn task_attach(handle: u32, attached: bool) {
    task::attach_events(handle, attached);
}

/// Removes a finished call and returns its result (or error object).
#[wasm_bindgen(js_name = taskTake)]
pub fn task_take(handle: u32) -> JsValue {
    task::take(handle)
}

/// Each exchange's limit unless the caller sets `timeoutMs`: long enough for
/// a slow paid provision, short enough that a dead connection surfaces.
const DEFAULT_TIMEOUT_MS: u32 = 60_000;

/// `opts.timeoutMs`: a whole number of milliseconds up to 2^31 - 1 (what
/// `setTimeout` accepts), 0 for no limit.
fn timeout_option(opts: &JsValue) -> Result<u32, Error> {
    let v = js_sys::Reflect::get(opts, &JsValue::from_str("timeoutMs")).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(DEFAULT_TIMEOUT_MS);
    }
    match v.as_f64() {
        Some(ms) if crate::num::is_whole(ms) && (0.0..=2_147_483_647.0).contains(&ms) => Ok(ms as u32),
        _ => Err(Error::local(CONSTRUCTING, "opts.timeoutMs must be a whole number of milliseconds from 0 (no limit) to 2147483647")),
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
    crate::kernel::check_api_base(&api_base).map_err(|why| Error::local(CONSTRUCTING, format!("opts.apiBase {why}")))?;
    let credentials = get("credentials");
    if !credentials.is_object() {
        return Err(Error::local(
            CONSTRUCTING,
            "Run402 requires opts.credentials: an object with getAuth(path) and getProject(id)",
        ));
    }
    let provider = bridge::JsProvider::new(credentials);
    let mut missing = String::new();
    for m in ProviderMethod::REQUIRED {
        if !provider.has_method(*m) {
            if !missing.is_empty() {
                missing.push_str(", ");
            }
            missing.push_str(m.name());
        }
    }
    if !missing.is_empty() {
        return Err(Error::local(CONSTRUCTING, ["Run402 credentials provider is missing required methods: ", &missing].concat()));
    }
    let fetch = match get("fetch") {
        f if f.is_undefined() || f.is_null() => convert::global_fetch()
            .dyn_into::<Function>()
            .map_err(|_| Error::local(CONSTRUCTING, "This runtime has no global fetch; pass opts.fetch"))?,
        f => f.dyn_into::<Function>().map_err(|_| Error::local(CONSTRUCTING, "opts.fetch must be a function"))?,
    };
    let payments = get("payments");
    let policy = crate::kernel::pay::SpendPolicy::from_options(Some(&convert::wrap(payments))).map_err(|e| Error::local(CONSTRUCTING, e))?;
    Ok(Kernel {
        api_base,
        transport: Box::new(fetch::FetchTransport::new(fetch)),
        credentials: Box::new(provider),
        policy,
        ledger: crate::kernel::pay::Ledger::default(),
    })
}

/// A `SIGN-IN-WITH-X` header value signing in to `url` with `private_key`
/// (nonce from the runtime's CSPRNG, issued now, valid five minutes). Throws
/// a message string (never containing the key) on bad input.
#[wasm_bindgen(js_name = signInHeader)]
pub fn sign_in_header(private_key: JsValue, url: JsValue) -> Result<String, JsValue> {
    let header = sign_in_header_inner(&private_key, &url);
    crate::wallet::key::scrub_stack();
    header
}

fn sign_in_header_inner(private_key: &JsValue, url: &JsValue) -> Result<String, JsValue> {
    let key = parse_key(private_key)?;
    let url = url.as_string().ok_or_else(|| JsValue::from_str("the sign-in URL must be a string"))?;
    let url = url.as_str();
    let mut nonce = [0u8; 16];
    fetch::random(&mut nonce).map_err(|e| JsValue::from_str(&format!("no secure random numbers are available: {e}")))?;
    let now = fetch::date_now().max(0.0) as u64;
    let sign_in = crate::wallet::siwx::SignIn::for_url(url, &nonce, now)
        .ok_or_else(|| JsValue::from_str("the sign-in URL must be an http(s) URL"))?;
    sign_in.header(&key).map_err(JsValue::from_str)
}

/// Signs an EIP-3009 `TransferWithAuthorization` (what an x402 `exact` EVM
/// payment signs): `domain = { name, version, chainId, verifyingContract }`,
/// `message = { from, to, value, validAfter, validBefore, nonce }` with
/// uint256 fields as decimal strings. Returns the 65-byte signature as hex.
/// Throws a message string (never containing the key) on bad input.
#[wasm_bindgen(js_name = signTransferAuthorization)]
pub fn sign_transfer_authorization(private_key: JsValue, domain: JsValue, message: JsValue) -> Result<String, JsValue> {
    let signature = sign_transfer_authorization_inner(&private_key, domain, message);
    crate::wallet::key::scrub_stack();
    signature
}

/// A private key from a JS value: only a string is read (a number, an
/// object with a huge `length`, ... never reaches string code), and the
/// copy in wasm memory is zeroized.
fn parse_key(value: &JsValue) -> Result<crate::wallet::key::PrivateKey, JsValue> {
    // Checked before anything is copied into wasm memory; a key is at most
    // "0x" + 64 digits.
    let is_key_sized = value.is_string() && convert::length_of(value) <= 66;
    if !is_key_sized {
        return Err(JsValue::from_str("the private key must be a string: 0x followed by 64 hex digits"));
    }
    let text = zeroize::Zeroizing::new(value.as_string().unwrap_or_default());
    crate::wallet::key::PrivateKey::parse(&text).map_err(|e| JsValue::from_str(&e.to_string()))
}

fn sign_transfer_authorization_inner(private_key: &JsValue, domain: JsValue, message: JsValue) -> Result<String, JsValue> {
    let fail = |m: String| JsValue::from_str(&m);
    let (d, m) = (convert::wrap(domain), convert::wrap(message));
    let text = |j: &Json, k: &str| -> Result<String, JsValue> {
        use crate::json::JsonExt;
        j.field(k).and_then(|v| v.as_string().or_else(|| v.number_text())).ok_or_else(|| fail(format!("`{k}` is required (a string)")))
    };
    let address = |j: &Json, k: &str| -> Result<crate::wallet::address::Address, JsValue> {
        crate::wallet::address::Address::parse(&text(j, k)?).map_err(|e| fail(format!("`{k}`: {e}")))
    };
    let uint = |j: &Json, k: &str| -> Result<[u8; 32], JsValue> {
        crate::wallet::u256::parse_decimal(&text(j, k)?).ok_or_else(|| fail(format!("`{k}` must be a decimal uint256")))
    };
    let small = |j: &Json, k: &str| -> Result<u64, JsValue> {
        text(j, k)?.parse::<u64>().map_err(|_| fail(format!("`{k}` must be a whole number below 2^64")))
    };
    let key = parse_key(private_key)?;
    let domain = crate::wallet::eip712::Domain {
        name: text(&d, "name")?,
        version: text(&d, "version")?,
        chain_id: small(&d, "chainId")?,
        verifying_contract: address(&d, "verifyingContract")?,
    };
    let auth = crate::wallet::eip3009::Authorization {
        from: address(&m, "from")?,
        to: address(&m, "to")?,
        value: uint(&m, "value")?,
        valid_after: small(&m, "validAfter")?,
        valid_before: small(&m, "validBefore")?,
        nonce: crate::wallet::codec::unhex::<32>(&text(&m, "nonce")?).map_err(|_| fail("`nonce` must be 0x + 64 hex digits".into()))?,
    };
    let sig = auth.sign(&domain, &key).map_err(|e| fail(e.into()))?;
    Ok(crate::wallet::codec::hex0x(&sig))
}

/// The method table for the facade, as JSON text:
/// `{ namespaces: [{ name, scoped, internal, hidden, methods: [{ name, id,
/// aliases, scope, options, kind, context, variant? }] }], errors: [{ kind,
/// className, guard }] }`. A nested namespace's `name` is its path
/// (`email.webhooks`); `variant` is what scoped clients call instead
/// (`{ scope, options, kind }`).
#[wasm_bindgen]
pub fn surface() -> String {
    let mut out = String::from("{\"namespaces\":[");
    for (i, ns) in NAMESPACES.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{{\"name\":\"{}\",\"scoped\":{},\"internal\":{},\"hidden\":[{}],\"methods\":[",
            ns.name,
            ns.scoped,
            ns.internal,
            quoted(ns.hidden_aliases)
        ));
        for (j, m) in ns.methods.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let variant = match m.scope {
                surface::Scope::Variant(v) => format!(",\"variant\":{{{}}}", call_shape(v)),
                _ => String::new(),
            };
            out.push_str(&format!(
                "{{\"name\":\"{}\",\"id\":{},\"aliases\":[{}],{},\"context\":\"{}\"{variant}}}",
                m.name,
                surface::method_id(i, j),
                quoted(m.aliases),
                call_shape(m),
                m.context
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

fn quoted(names: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|a| format!("\"{a}\"")).collect();
    names.join(",")
}

/// What the facade needs to call a declaration: `"scope", "options"` (the
/// options object's argument index, -1 for none) and `"kind"`.
fn call_shape(m: &Method) -> String {
    let options = m.params.iter().position(|p| p.call_options).map_or(-1, |p| p as i64);
    let kind = match m.run.kind() {
        Kind::Promise => "promise",
        Kind::Operation => "operation",
        Kind::Sync => "sync",
        Kind::Adapted => m.run.adapter().unwrap_or_default(),
    };
    format!("\"scope\":\"{}\",\"options\":{options},\"kind\":\"{kind}\"", m.scope.label())
}
