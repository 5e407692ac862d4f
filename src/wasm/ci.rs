//! The CI delegation helpers exported at the package root (js/ci.js):
//! one entry point for the statement, the Resource URI and the signature,
//! so the three share the checks of [`delegation::normalize`].

use crate::prelude::*;

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::convert;
use crate::error::Error;
use crate::json::{Json, JsonExt};
use crate::namespaces::ci::delegation::{self, Signing};

const VALIDATING: &str = "validating CI delegation";

/// `what`: 0 the statement, 1 the Resource URI, 2 the signed delegation
/// (then `signing` is `{ privateKey, domain, uri, chainId, nonce?, issuedAt,
/// expirationTime }`, with the bindings URL resolved by the caller). Throws
/// a LocalError made by `make_error` (js/errors.js `makeError`); no message
/// contains the key.
#[wasm_bindgen(js_name = ciDelegation)]
pub fn ci_delegation(what: u32, values: JsValue, signing: JsValue, make_error: &Function) -> Result<String, JsValue> {
    let out = build(what, &convert::wrap(values), signing);
    crate::wallet::key::scrub_stack();
    out.map_err(|e| convert::error_to_js(&e, make_error))
}

fn build(what: u32, values: &Json, signing: JsValue) -> Result<String, Error> {
    let d = delegation::normalize(values).map_err(|m| Error::local(VALIDATING, m))?;
    match what {
        0 => d.statement().map_err(|m| Error::local("building CI delegation statement", m)),
        1 => d.resource_uri().map_err(|m| Error::local("building CI delegation resource URI", m)),
        _ => sign(&d, signing),
    }
}

fn sign(d: &delegation::Delegation, signing: JsValue) -> Result<String, Error> {
    const SIGNING: &str = "signing CI delegation";
    // `signing` is the fresh plain object js/ci.js builds: no getter to throw.
    let private_key = js_sys::Reflect::get(&signing, &JsValue::from_str("privateKey")).unwrap_or(JsValue::UNDEFINED);
    let key = super::parse_key(&private_key)
        .map_err(|e| Error::local(SIGNING, ["the allowance's privateKey: ", &e.as_string().unwrap_or_default()].concat()))?;
    let opts = convert::wrap(signing);
    let [domain, uri, chain_id, issued_at, expiration_time] =
        ["domain", "uri", "chainId", "issuedAt", "expirationTime"].map(|name| opts.str_field(name).unwrap_or_default());
    let nonce = opts.str_field("nonce");
    let at = Signing { domain: &domain, uri: &uri, chain_id: &chain_id, nonce: nonce.as_deref(), issued_at: &issued_at, expiration_time: &expiration_time };
    delegation::sign(d, &key, &at).map_err(|m| Error::local(SIGNING, m))
}
