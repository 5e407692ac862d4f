//! SHA-256 of JS-owned bytes: the runtime's WebCrypto when it has one (the
//! bytes never enter wasm memory), else the Rust implementation over the
//! bytes copied in fixed-size chunks, so hashing a large file in a page
//! without `crypto.subtle` does not grow wasm memory by the file's size.

use crate::prelude::*;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::convert::describe;
use super::task::settle;
use crate::kernel::sha256::Sha256;

#[wasm_bindgen(raw_module = "./host.js")]
extern "C" {
    /// Never throws: resolves to a tagged outcome (see js/host.js `sha256`).
    #[wasm_bindgen(js_name = sha256)]
    fn host_sha256(data: &JsValue, use_subtle: bool) -> JsValue;
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
        DIGEST if tag == 0.0 && bytes.length() == 32 => {
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
    hash_into(&mut hasher, bytes);
    hasher.finish()
}

/// Feeds `bytes` to `hasher`, copied into wasm [`CHUNK`] bytes at a time.
pub fn hash_into(hasher: &mut Sha256, bytes: &Uint8Array) {
    let total = bytes.length();
    let mut buf = vec![0u8; CHUNK.min(total) as usize];
    let mut at = 0;
    while at < total {
        let n = CHUNK.min(total - at);
        let dst = &mut buf[..n as usize];
        // Same length by construction, so `copy_to` cannot fail.
        bytes.subarray(at, at + n).copy_to(dst);
        hasher.update(dst);
        at += n;
    }
}
