//! Presigned part uploads, shared by `blobs.put` (contract §4.1) and the
//! deploy engine's content upload (§3.4): reading an upload session's part
//! list, and PUTting one part to its presigned URL with its checksum. Both
//! callers own their sessions, retries and errors; this is the wire.

use crate::prelude::*;

use crate::error::{Error, ErrorKind, Result};
use crate::json::{Json, JsonExt, Shape};
use crate::kernel::{Call, HostBody, Kernel, ReadAs};
use crate::value::Val;
use crate::wallet::codec::{base64, hex};

/// One part of a session: bytes `start..end` go to `url`.
pub struct Part {
    pub number: u32,
    pub url: String,
    pub start: u64,
    pub end: u64,
}

/// A number field that is a whole number from 0 to 2^53 - 1.
pub fn whole(v: Option<Json>) -> Option<u64> {
    match v?.shape() {
        Shape::Number(n) if (0.0..=9_007_199_254_740_991.0).contains(&n) && crate::num::is_whole(n) => Some(n as u64),
        _ => None,
    }
}

/// The session's id, mode and parts, checked to cover `size` bytes exactly
/// once, listed in order (a session that does not would corrupt the content).
pub fn session_parts(init: &Json, size: u64, ctx: &str) -> Result<(String, bool, Vec<Part>)> {
    let bad = |what: &str| Error::bad_response(200, Val::Json(init.clone()), ctx, what);
    let id = init.str_field("upload_id").filter(|s| !s.is_empty()).ok_or_else(|| bad("The upload session has no upload_id"))?;
    let multipart = init.str_field("mode").as_deref() == Some("multipart");
    let list = init.field("parts").ok_or_else(|| bad("The upload session has no parts"))?;
    let Shape::Array(n) = list.shape() else { return Err(bad("The upload session's parts are not a list")) };
    let mut parts = Vec::with_capacity(n);
    for p in (0..n).filter_map(|i| list.item(i)) {
        let (Some(number), Some(url), Some(start), Some(last)) =
            (whole(p.field("part_number")), p.str_field("url"), whole(p.field("byte_start")), p.field("byte_end"))
        else {
            return Err(bad("An upload part lacks part_number, url, byte_start or byte_end"));
        };
        // byte_end is inclusive; an empty content's one part ends at -1.
        let end = match last.shape() {
            Shape::Number(e) if e == -1.0 && start == 0 => 0,
            _ => whole(Some(last)).map(|e| e + 1).ok_or_else(|| bad("An upload part's byte_end is not a byte offset"))?,
        };
        parts.push(Part { number: u32::try_from(number).unwrap_or(u32::MAX), url, start, end });
    }
    // Listed in byte order by the gateway; checked rather than sorted (the
    // sort would be the only one linked into the wasm: about 10 KB).
    let mut at = 0;
    for p in &parts {
        if p.start != at || p.end < p.start {
            return Err(bad("The upload session's parts do not cover the content in order"));
        }
        at = p.end;
    }
    if at != size || parts.is_empty() || (!multipart && parts.len() != 1) {
        return Err(bad("The upload session's parts do not cover the content's size"));
    }
    Ok((id, multipart, parts))
}

/// Whether a presigned URL already carries its checksum (then a header
/// would be a second, conflicting one).
pub fn has_checksum_param(url: &str) -> bool {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or("");
    query.split('&').any(|kv| kv.split('=').next().is_some_and(|k| k.eq_ignore_ascii_case("x-amz-checksum-sha256")))
}

/// PUTs one part (raw, no credentials), with `x-amz-checksum-sha256`
/// unless the URL carries it; `digest` is the part's SHA-256 if known.
/// Returns its number, its ETag as sent (quotes kept) and its hex SHA-256.
/// A failure with a status is an ApiError whose body is the answer's text
/// and whose message quotes the start of it, as the reference reports it.
pub async fn put_part(k: &Kernel, part: &Part, bytes: HostBody, digest: Option<[u8; 32]>, ctx: &'static str) -> Result<(u32, String, String)> {
    let digest = match digest {
        Some(d) => d,
        None => k.sha256(&bytes.value, ctx).await?,
    };
    let reply = k.send(part_call(part, bytes, &digest, ctx)).await.map_err(|e| part_failed(k, part.number, e, ctx))?;
    Ok((part.number, reply.header("etag").unwrap_or_default(), hex(&digest)))
}

/// The PUT of one part with its checksum `digest` (see [`put_part`]), for
/// callers that send it themselves.
pub fn part_call(part: &Part, bytes: HostBody, digest: &[u8; 32], ctx: &'static str) -> Call {
    let call = Call::absolute("PUT", part.url.clone(), ctx).host_body(bytes).read_as(ReadAs::Text);
    match has_checksum_param(&part.url) {
        true => call,
        false => call.header("x-amz-checksum-sha256", base64(digest)),
    }
}

/// A part PUT's failure as [`put_part`] reports it.
pub fn part_failed(k: &Kernel, number: u32, e: Error, ctx: &str) -> Error {
    let Some(status) = e.status else { return e };
    let text = body_text(k, &e.body);
    let snippet: String = text.chars().take(200).collect();
    let tail = if snippet.is_empty() { [" while ", ctx].concat() } else { [": ", &snippet].concat() };
    let message = format!("Part {number} PUT failed (HTTP {status}){tail}");
    let mut e = e.of_kind(ErrorKind::ApiError).with_body(Val::Str(text));
    e.message = message;
    e
}

/// An error body back as text (the kernel decoded JSON ones).
pub fn body_text(k: &Kernel, body: &Val) -> String {
    match body {
        Val::Json(j) if j.shape() == Shape::String => j.as_string().unwrap_or_default(),
        Val::Null | Val::Undefined => String::new(),
        other => k.transport.stringify(other).ok().and_then(|s| s.as_string()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_params_are_found_in_the_query_only() {
        assert!(has_checksum_param("https://s3/x?X-Amz-Signature=1&x-amz-checksum-sha256=abc"));
        assert!(!has_checksum_param("https://s3/x-amz-checksum-sha256?a=1"));
        assert!(!has_checksum_param("https://s3/x?a=x-amz-checksum-sha256"));
    }
}
