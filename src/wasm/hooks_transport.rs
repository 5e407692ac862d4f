//! Test-only calls for the transport (cargo feature `test-hooks`, built into
//! `pkg-test/`, never into `pkg/`): absolute and raw requests, read modes,
//! host bodies and digests through the built package before any public
//! method uses them. Started like SDK calls with ids from
//! [`super::hooks::HOOK_BASE`] + [`FIRST`] (see tests/js/transport.test.mjs).

use crate::prelude::*;
use alloc::rc::Rc;


use super::digest;
use crate::error::{Error, Result};
use crate::json::{Json, JsonExt, Shape};
use crate::kernel::{Call, Kernel, ReadAs};
use crate::value::Val;

const CONTEXT: &str = "testing the transport";

/// The first transport hook number: 100 `send(spec)`, 101 `sha256(data)`,
/// 102 `sha256Rust(data)` (the Rust fallback, forced), 103
/// `sha256Pieces(bytes, pieceSize, native)` (the incremental hasher of
/// stream uploads, fed `pieceSize` bytes at a time into two hashers at
/// once, as a stream part is: its answer `[whole, second, "native" | "rust"]`).
pub const FIRST: u32 = 100;

/// Runs transport hook `hook` (a number from [`FIRST`]).
pub async fn run(k: Rc<Kernel>, hook: u32, args: Vec<Json>) -> Result<Val> {
    let arg = args.first().cloned().unwrap_or_else(crate::json::Native::undefined);
    match hook {
        100 => send(&k, &arg).await,
        101 => Ok(Val::Str(crate::wallet::codec::hex(&k.sha256(&arg, CONTEXT).await?))),
        102 => {
            let d = digest::sha256(super::convert::json_to_js(&arg), false).await.map_err(|e| Error::local(CONTEXT, e))?;
            Ok(Val::Str(crate::wallet::codec::hex(&d)))
        }
        103 => pieces(&args),
        _ => Err(Error::local(CONTEXT, format!("no transport hook {hook}"))),
    }
}

fn pieces(args: &[Json]) -> Result<Val> {
    use js_sys::Uint8Array;
    use wasm_bindgen::JsCast;
    let bad = || Error::local(CONTEXT, "sha256Pieces(bytes, pieceSize, native)");
    let bytes: Uint8Array = args.first().map(super::convert::json_to_js).and_then(|v| v.dyn_into().ok()).ok_or_else(bad)?;
    let piece = match args.get(1).map(|v| v.shape()) {
        Some(Shape::Number(n)) if n >= 1.0 => n as u32,
        _ => return Err(bad()),
    };
    let native = args.get(2).and_then(|v| match v.shape() { Shape::Bool(b) => Some(b), _ => None }).ok_or_else(bad)?;
    let (mut a, mut b) = (digest::hasher(native), digest::hasher(native));
    let kind = if matches!(a, crate::kernel::sha256::Hasher::Host(_)) { "native" } else { "rust" };
    let mut at = 0;
    while at < bytes.length() {
        let end = bytes.length().min(at.saturating_add(piece));
        digest::hash_into(&mut [&mut a, &mut b], &bytes.subarray(at, end)).map_err(|e| Error::local(CONTEXT, e))?;
        at = end;
    }
    let hex = |h| digest::finish(h).map(|d| crate::wallet::codec::hex(&d)).map_err(|e| Error::local(CONTEXT, e));
    Ok(Val::Arr(vec![Val::Str(hex(a)?), Val::Str(hex(b)?), Val::from(kind)]))
}

fn method(name: &str) -> Option<&'static str> {
    ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"].into_iter().find(|m| *m == name)
}

async fn send(k: &Kernel, spec: &Json) -> Result<Val> {
    let bad = |what: &str| Error::local(CONTEXT, format!("hook spec: {what}"));
    let verb = spec.str_field("method").and_then(|m| method(&m)).ok_or_else(|| bad("method"))?;
    let mut call = match (spec.str_field("url"), spec.str_field("path")) {
        (Some(url), None) => Call::absolute(verb, url, CONTEXT),
        (None, Some(path)) => Call::new(verb, path, CONTEXT),
        _ => return Err(bad("exactly one of url, path")),
    };
    if spec.bool_field("raw") == Some(true) {
        call = call.raw();
    }
    if spec.bool_field("paid") == Some(true) {
        call = call.paid(None);
    }
    if let Some(h) = spec.field("headers") {
        for name in h.keys() {
            let value = h.str_field(&name).ok_or_else(|| bad("header values must be strings"))?;
            call = call.header(&name, value);
        }
    }
    call.read = match spec.str_field("read").as_deref() {
        None => ReadAs::Decoded,
        Some("text") => ReadAs::Text,
        Some("bytes") => ReadAs::Bytes,
        Some("response") => ReadAs::Response,
        Some(_) => return Err(bad("read")),
    };
    if let Some(body) = spec.field("body") {
        let mut host = k.host_body(body, CONTEXT)?;
        if let Some(Shape::Number(n)) = spec.field("bodyLength").map(|v| v.shape()) {
            host = host.with_length(n as u64);
        }
        if let Some(range) = spec.field("slice") {
            let at = |i| match range.item(i).map(|v| v.shape()) {
                Some(Shape::Number(n)) => Ok(n as u64),
                _ => Err(bad("slice is [start, end]")),
            };
            host = k.slice_body(&host, at(0)?, at(1)?, CONTEXT)?;
        }
        call = call.host_body(host);
    }
    let reply = k.send(call).await?;
    Ok(Val::object()
        .with("status", reply.status)
        .with("body", reply.body.clone())
        .with("contentType", reply.header("content-type"))
        .with("etag", reply.header("etag")))
}
