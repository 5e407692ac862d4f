//! The JS boundary: the only module that names `wasm_bindgen` and `js_sys`.
//!
//! One exported class, [`Client`], with one generic entry point: `start`
//! runs a method from the table [`surface`] returns (the facade in `js/`
//! builds every namespace method from it, so adding a method needs no code
//! here), and `parked` / `resume` / `take` let the facade drive the call's
//! awaits (see [`task`]). Nothing in this layer can trap: every JS call is
//! fallible and every failure becomes a typed JS error made by the facade's
//! error factory.

mod bridge;
mod convert;
mod fetch;
mod probe;
mod task;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

use crate::credentials::ProviderMethod;
use crate::error::{Error, ErrorKind};
use crate::json::Json;
use crate::kernel::Kernel;
use crate::surface::{self, Scope, NAMESPACES};

const CONSTRUCTING: &str = "constructing client";

/// A client's state. `&self` only: calls clone the `Rc` into their future,
/// and the task table is borrowed only for O(1) moves, never while a task
/// runs, so any number of calls can be in flight (and a provider may call
/// back into the client).
#[wasm_bindgen]
pub struct Client {
    kernel: Rc<Kernel>,
    make_error: Function,
    tasks: RefCell<Tasks>,
}

/// In-flight and finished calls by handle.
#[derive(Default)]
struct Tasks {
    entries: Vec<Option<Entry>>,
    free: Vec<u32>,
}

enum Entry {
    Waiting(task::Task),
    Finished(JsValue),
}

/// Call states reported to the facade.
const OK: u32 = 0;
const FAILED: u32 = 1;
const WAITING: u32 = 2;

impl Tasks {
    fn insert(&mut self, entry: Entry) -> u32 {
        match self.free.pop() {
            Some(h) => {
                if let Some(slot) = self.entries.get_mut(h as usize) {
                    *slot = Some(entry);
                }
                h
            }
            None => {
                self.entries.push(Some(entry));
                u32::try_from(self.entries.len() - 1).unwrap_or(u32::MAX)
            }
        }
    }
    fn remove(&mut self, h: u32) -> Option<Entry> {
        let entry = self.entries.get_mut(h as usize)?.take()?;
        self.free.push(h);
        Some(entry)
    }
    fn put_back(&mut self, h: u32, entry: Entry) {
        if let Some(slot) = self.entries.get_mut(h as usize) {
            *slot = Some(entry);
            self.free.retain(|f| *f != h);
        }
    }
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
        match build(&opts) {
            Ok(kernel) => Ok(Client { kernel: Rc::new(kernel), make_error, tasks: RefCell::default() }),
            Err(e) => Err(convert::error_to_js(&e, &make_error)),
        }
    }

    /// Starts public method `id` (see [`surface`]) with the caller's
    /// arguments. Returns `handle * 4 + state`.
    pub fn start(&self, id: u32, scope: Option<String>, args: Array, retry_key: Option<String>) -> u32 {
        let items: Vec<Json> = (0..args.length()).map(|i| convert::wrap(args.get(i))).collect();
        let work = task::Task::new(surface::dispatch(self.kernel.clone(), id, scope, items, retry_key));
        let (entry, state) = self.advance(work, None);
        let handle = self.tasks.borrow_mut().insert(entry);
        handle.saturating_mul(4).saturating_add(state)
    }

    /// The promise a waiting call needs settled.
    pub fn parked(&self, handle: u32) -> JsValue {
        match self.tasks.borrow().entries.get(handle as usize) {
            Some(Some(Entry::Waiting(t))) => t.parked.clone().unwrap_or(JsValue::UNDEFINED),
            _ => JsValue::UNDEFINED,
        }
    }

    /// Hands a waiting call the outcome of its promise; returns its state.
    pub fn resume(&self, handle: u32, ok: bool, value: JsValue) -> u32 {
        let Some(Entry::Waiting(work)) = self.tasks.borrow_mut().remove(handle) else {
            return FAILED;
        };
        let outcome = if ok { Ok(value) } else { Err(value) };
        let (entry, state) = self.advance(work, Some(outcome));
        self.tasks.borrow_mut().put_back(handle, entry);
        state
    }

    /// Removes a finished call and returns its result (or error object).
    pub fn take(&self, handle: u32) -> JsValue {
        match self.tasks.borrow_mut().remove(handle) {
            Some(Entry::Finished(value)) => value,
            Some(other) => {
                self.tasks.borrow_mut().put_back(handle, other);
                JsValue::UNDEFINED
            }
            None => JsValue::UNDEFINED,
        }
    }
}

impl Client {
    /// Polls a task (no borrow of the table is held meanwhile) and converts
    /// a finished result for JS.
    fn advance(&self, work: task::Task, settled: Option<Result<JsValue, JsValue>>) -> (Entry, u32) {
        match work.poll(settled) {
            task::Progress::Waiting(t) if t.parked.is_some() => (Entry::Waiting(t), WAITING),
            task::Progress::Waiting(_) => {
                let e = Error::local("calling the SDK", "internal error: a call stalled without waiting on anything");
                (Entry::Finished(convert::error_to_js(&e, &self.make_error)), FAILED)
            }
            task::Progress::Done(Ok(v)) => (Entry::Finished(convert::val_to_js(&v)), OK),
            task::Progress::Done(Err(e)) => {
                (Entry::Finished(convert::error_to_js(&e, &self.make_error)), FAILED)
            }
        }
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
pub fn sign_in_header(private_key: &str, url: &str) -> Result<String, JsValue> {
    let key = crate::wallet::key::PrivateKey::parse(private_key).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let mut nonce = [0u8; 16];
    fetch::random(&mut nonce).map_err(|e| JsValue::from_str(&format!("no secure random numbers are available: {e}")))?;
    let now = js_sys::Date::now().max(0.0) as u64;
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
pub fn sign_transfer_authorization(private_key: &str, domain: JsValue, message: JsValue) -> Result<String, JsValue> {
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
    let key = crate::wallet::key::PrivateKey::parse(private_key).map_err(|e| fail(e.to_string()))?;
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
