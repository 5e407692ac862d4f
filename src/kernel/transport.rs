//! The transport contract: what the kernel needs from the host to send one
//! request and read its answer. The wasm host implements it over the
//! runtime's `fetch`; native tests implement it with a scripted mock.

use crate::prelude::*;
use alloc::rc::Rc;

use crate::credentials::LocalFuture;
use crate::json::Json;
use crate::value::Val;

/// One HTTP request, fully prepared.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    /// Header names as the SDK or provider spelled them, in order.
    pub headers: Vec<(String, String)>,
    pub body: Option<WireBody>,
    /// How a 2xx answer's body is read (any other status is read as text).
    pub read: ReadAs,
    /// Time this exchange gets beyond the call's timeout: a large upload
    /// may take longer than any fixed limit (see [`super::upload_allowance_ms`]).
    pub extra_ms: u32,
}

/// A request body as it goes on the wire.
#[derive(Debug, Clone)]
pub enum WireBody {
    Text(String),
    /// A host value handed to `fetch` as is, never copied through Rust: a
    /// host string (serialized JSON, a caller's text), bytes
    /// (`Uint8Array`, `ArrayBuffer`) or a `Blob`.
    Host(Json),
    /// A host `ReadableStream`; `fetch` needs `duplex: "half"` for it.
    Stream(Json),
    Bytes(Vec<u8>),
}

/// How the body of a successful answer is read. Whatever the mode, a
/// non-2xx answer is read as text and decoded by content type, so errors
/// carry the same body in every mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadAs {
    /// JSON when the content type says so, otherwise text (contract §2.4).
    #[default]
    Decoded,
    /// Text, whatever the content type.
    Text,
    /// A host byte array (`Uint8Array` in wasm), never copied into wasm.
    Bytes,
    /// The host's response object itself, body unread (a download the
    /// caller streams).
    Response,
}

/// What kind of host value a body is; see [`Transport::body_kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// A host string.
    Text,
    /// Bytes held by the host (`Uint8Array`, any typed array or `DataView`,
    /// `ArrayBuffer`).
    Bytes,
    /// A `Blob` (or `File`).
    Blob,
    /// A `ReadableStream`: its length is unknown to the host.
    Stream,
}

/// A host body's kind and, unless it is a stream, its length in bytes
/// (strings: UTF-8 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyInfo {
    pub kind: BodyKind,
    pub length: Option<u64>,
}

/// Why no usable response came back.
#[derive(Debug)]
pub enum SendFailure {
    /// `fetch` rejected (DNS, refused, reset, abort): a `NetworkError`.
    Network { message: String, cause: Option<Json> },
    /// `fetch` resolved to something that is not a Response: the caller's
    /// fetch is broken, a `LocalError`.
    NotAResponse { got: String },
    /// The response came but its body could not be read (cut off): a
    /// `NetworkError`. Hosts that read the body lazily report this from
    /// [`HttpResponse::body`] instead.
    BodyFailed { message: String, cause: Option<Json> },
    /// The call's timeout or abort signal ended the exchange (the fetch is
    /// aborted): a `NetworkError` with code `TIMEOUT` or `ABORTED`.
    Interrupted { why: crate::error::Interruption, cause: Option<Json> },
}

/// A response, its body read as the request's [`ReadAs`] asked.
pub trait HttpResponse {
    fn status(&self) -> u16;
    /// A header value (case-insensitive name).
    fn header(&self, name: &str) -> Option<String>;
    /// The body, kept as a host value so a large body is never copied into
    /// wasm memory and back: a host string for [`ReadAs::Decoded`] and
    /// [`ReadAs::Text`] and for every non-2xx answer, else a host byte
    /// array or the response object. Already read by the transport's
    /// `send` (so no await here); an error means the body was cut off.
    fn body(&self) -> Result<Json, (String, Option<Json>)>;
    /// The body already parsed as JSON by the transport, which does so only
    /// where [`Kernel`](super::Kernel) would (a JSON content type, a body
    /// it decodes) and only when the text parses; `None` leaves decoding
    /// to the kernel.
    fn parsed_json(&self) -> Option<Json> {
        None
    }
}

/// The host's network, JSON and hashing services.
pub trait Transport {
    fn send(&self, request: HttpRequest) -> LocalFuture<'_, Result<Rc<dyn HttpResponse>, SendFailure>>;
    /// Parses a host string with the host's parser (the runtime's
    /// `JSON.parse` in wasm); the error is the parser's message.
    fn parse_json(&self, text: &Json) -> Result<Json, String>;
    /// Serializes a value with the host's serializer (`JSON.stringify` in
    /// wasm) into a host string.
    fn stringify(&self, value: &Val) -> Result<Json, String>;
    /// Unix time in milliseconds (`Date.now()` in wasm).
    fn now_ms(&self) -> f64;
    /// Fills `buf` from a CSPRNG (`crypto.getRandomValues` in wasm).
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), String>;
    /// What kind of body a host value can be sent as, or `None` if `fetch`
    /// should not be handed it (a plain object, a number, ...).
    fn body_kind(&self, value: &Json) -> Option<BodyInfo>;
    /// Bytes `start..end` of a host body that is not a stream, without a
    /// copy where the host can (`subarray`, `Blob.slice`; a string is
    /// encoded first). `None` if it cannot be cut.
    fn slice(&self, value: &Json, start: u64, end: u64) -> Option<Json>;
    /// The SHA-256 digest of host bytes (a string, bytes or a `Blob`):
    /// WebCrypto where the runtime has it, without copying the bytes into
    /// wasm; otherwise hashed in Rust. The error says why it failed.
    fn sha256(&self, data: &Json) -> LocalFuture<'_, Result<[u8; 32], String>>;

    // Uploads from streams and polling (blobs.put, blobs.waitFresh). The
    // defaults are what a host without them answers; the wasm host and the
    // native mock implement them.

    /// The next `max` bytes of a `ReadableStream` as one host byte array
    /// (fewer only where the stream ends), `None` once it has ended. The
    /// first read locks the stream to the SDK.
    fn read_stream(&self, _stream: &Json, _max: u64) -> LocalFuture<'_, Result<Option<Json>, String>> {
        Box::pin(async { Err("this host cannot read streams".to_string()) })
    }
    /// Deploy content, which is hashed whole: a `ReadableStream` read to
    /// its end as one host byte array, or, given a host string, the file at
    /// that path read by the file reader the Node entry installed (`None`:
    /// none is installed).
    fn read_all(&self, _source: &Json) -> LocalFuture<'_, Result<Option<Json>, String>> {
        Box::pin(async { Err("this host cannot read streams or files".to_string()) })
    }
    /// Cancels a stream the SDK was reading (its upload failed), so its
    /// source stops producing.
    fn cancel_stream(&self, _stream: &Json) {}
    /// A new incremental SHA-256 for host bytes given piece by piece (a
    /// stream's, which WebCrypto cannot digest incrementally): the
    /// runtime's native one where it has one, else Rust's.
    fn hasher(&self) -> super::sha256::Hasher {
        super::sha256::Hasher::Rust(super::sha256::Sha256::default())
    }
    /// Feeds host bytes (an array from [`Transport::read_stream`]) to every
    /// one of `hashers` in one pass (Rust ones share each chunk copied into
    /// wasm).
    fn hash_into(&self, _hashers: &mut [&mut super::sha256::Hasher], _bytes: &Json) -> Result<(), String> {
        Err("this host cannot hash bytes in pieces".to_string())
    }
    /// The digest of everything fed to `hasher`.
    fn hash_finish(&self, hasher: super::sha256::Hasher) -> Result<[u8; 32], String> {
        match hasher {
            super::sha256::Hasher::Rust(h) => Ok(h.finish()),
            super::sha256::Hasher::Host(_) => Err("this host has no native hasher".to_string()),
        }
    }
    /// Waits `ms` milliseconds (cut short by the call's abort signal, which
    /// is then the error): the pause between polls.
    fn sleep(&self, _ms: u32, context: &'static str) -> LocalFuture<'_, crate::error::Result<()>> {
        Box::pin(async move { Err(crate::error::Error::local(context, "this host cannot wait")) })
    }
    /// The `AssetRef` of a completed upload (contract §4.2): the gateway's
    /// answer widened with camelCase aliases, integrity values, the cache
    /// kind, the CDN envelope and the synchronous HTML tag emitters
    /// (js/asset-ref.js: plain field mapping and string building, which
    /// costs a fraction in JS of what it costs in wasm). `content_type`
    /// names the AssetRef's `contentType`, else the answer's.
    fn asset_ref(&self, done: &Json, _content_type: Option<&str>) -> Val {
        Val::Json(done.clone())
    }
}
