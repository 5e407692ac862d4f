//! JS strings for the names the SDK itself uses on every call (provider
//! methods, key fields, HTTP verbs, a few headers), made once per instance.
//! Handing wasm-bindgen a `&str` decodes it into a new JS string on every
//! crossing, about 0.25 µs each in V8: a plain call crosses with a handful
//! of them, the same few every time.

use crate::prelude::*;
use core::cell::RefCell;

use wasm_bindgen::JsValue;

/// The names worth keeping. Anything else is made fresh each time, so a
/// caller's own keys can never fill or evict anything.
const HOT: &[&str] = &[
    "getAuth",
    "getProject",
    "anon_key",
    "service_key",
    "method",
    "url",
    "GET",
    "POST",
    "PATCH",
    "DELETE",
    "PUT",
    "HEAD",
    "keyType",
    "query",
    "body",
];

local! {
    static MADE: RefCell<Vec<Option<JsValue>>> = const { RefCell::new(Vec::new()) };
}

/// `s` as a JS string: the kept one if `s` is a [`HOT`] name.
pub fn js_str(s: &str) -> JsValue {
    let Some(i) = HOT.iter().position(|h| *h == s) else { return JsValue::from_str(s) };
    MADE.with(|made| {
        let Ok(mut made) = made.try_borrow_mut() else { return JsValue::from_str(s) };
        if made.len() < HOT.len() {
            made.resize(HOT.len(), None);
        }
        made[i].get_or_insert_with(|| JsValue::from_str(s)).clone()
    })
}
