//! SHA-256 of JS-owned bytes: the runtime's WebCrypto when it has one (the
//! bytes never enter wasm memory), else the Rust implementation over the
//! bytes copied in fixed-size chunks, so hashing a large file in a page
//! without `crypto.subtle` does not grow wasm memory by the file's size.

use crate::prelude::*;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::convert::describe;
use super::task::settle;
use crate::kernel::sha256::{Hasher, Sha256};

#[wasm_bindgen(raw_module = "./host.js")]
extern "C" {
    /// Never throws: resolves to a tagged outcome (see js/host.js `sha256`).
    #[wasm_bindgen(js_name = sha256)]
    fn host_sha256(data: &JsValue, use_subtle: bool) -> JsValue;
    /// The runtime's incremental SHA-256, or undefined where it has none
    /// (never throws; js/host.js `hasherStart`).
    #[wasm_bindgen(js_name = hasherStart)]
    fn hasher_start() -> JsValue;
    /// Feeds bytes to it; false if it refused them (never throws).
    #[wasm_bindgen(js_name = hasherUpdate)]
    fn hasher_update(hasher: &JsValue, bytes: &JsValue) -> bool;
    /// Its 32-byte digest, or undefined (never throws).
    #[wasm_bindgen(js_name = hasherFinish)]
    fn hasher_finish(hasher: &JsValue) -> JsValue;
}

// Outcome tags of js/host.js `sha256`.
const DIGEST: u32 = 0;
const HASH_THESE: u32 = 1;

/// How much of the host's bytes is copied into wasm at a time.
const CHUNK: u32 = 64 * 1024;

/// The digest of `data` (a string, bytes or a `Blob`); `use_subtle` false
/// forces the Rust path (for tests and the benchmark).
pub async fn sha256(data: JsValue, use_subtle: bool) -> Result<[u8; 32], String> {
    let outcome = settle(host_sha256(&data, use_subtle)).await.map_err(|e| describe(&e))?;
    let outcome: Array = outcome.dyn_into().map_err(|_| "the host answered with no outcome".to_string())?;
    let tag = outcome.get(0).as_f64().unwrap_or(-1.0);
    let payload = outcome.get(1);
    let bytes = match payload.dyn_into::<Uint8Array>() {
        Ok(b) => b,
        Err(thrown) => return Err(describe(&thrown)),
    };
    match tag as u32 {
        DIGEST if tag == 0.0 && super::convert::length_of(&bytes) == 32 => {
            let mut out = [0u8; 32];
            bytes.copy_to(&mut out);
            Ok(out)
        }
        HASH_THESE => Ok(hash_in_chunks(&bytes)),
        _ => Err("the host's digest was malformed".to_string()),
    }
}

fn hash_in_chunks(bytes: &Uint8Array) -> [u8; 32] {
    let mut hasher = Sha256::default();
    feed_rust(&mut [&mut hasher], bytes);
    hasher.finish()
}

/// A new incremental hasher: the runtime's (Node, Bun and Deno have
/// `node:crypto`'s, several times faster than Rust's in wasm and reading
/// the bytes where they are), else Rust's. `native` false forces Rust's.
pub fn hasher(native: bool) -> Hasher {
    let host = if native { hasher_start() } else { JsValue::UNDEFINED };
    if host.is_undefined() {
        Hasher::Rust(Sha256::default())
    } else {
        Hasher::Host(super::convert::wrap(host))
    }
}

/// Feeds `bytes` to every one of `hashers`; Rust ones share one copy of
/// each chunk.
pub fn hash_into(hashers: &mut [&mut Hasher], bytes: &Uint8Array) -> Result<(), String> {
    let mut rust: Vec<&mut Sha256> = Vec::new();
    for h in hashers.iter_mut() {
        match &mut **h {
            Hasher::Rust(r) => rust.push(r),
            Hasher::Host(j) => {
                if !hasher_update(&super::convert::json_to_js(j), bytes) {
                    return Err("the runtime's hasher refused the bytes".to_string());
                }
            }
        }
    }
    feed_rust(&mut rust, bytes);
    Ok(())
}

/// The digest of everything fed to `hasher`.
pub fn finish(hasher: Hasher) -> Result<[u8; 32], String> {
    match hasher {
        Hasher::Rust(h) => Ok(h.finish()),
        Hasher::Host(j) => {
            let out = hasher_finish(&super::convert::json_to_js(&j));
            match out.dyn_into::<Uint8Array>() {
                Ok(b) if super::convert::length_of(&b) == 32 => {
                    let mut d = [0u8; 32];
                    b.copy_to(&mut d);
                    Ok(d)
                }
                _ => Err("the runtime's hasher gave no digest".to_string()),
            }
        }
    }
}

/// Feeds `bytes` to Rust hashers, copied into wasm [`CHUNK`] bytes at a
/// time: one copy per chunk, however many hashers.
fn feed_rust(hashers: &mut [&mut Sha256], bytes: &Uint8Array) {
    if hashers.is_empty() {
        return;
    }
    let total = super::convert::length_of(bytes);
    let mut buf = vec![0u8; CHUNK.min(total) as usize];
    let mut at = 0;
    while at < total {
        let n = CHUNK.min(total - at);
        let dst = &mut buf[..n as usize];
        // Same length by construction, so `copy_to` cannot fail.
        bytes.subarray(at, at + n).copy_to(dst);
        for h in hashers.iter_mut() {
            h.update(dst);
        }
        at += n;
    }
}
