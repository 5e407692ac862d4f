//! The transport contract: what the kernel needs from the host to send one
//! request and read its answer. The wasm host implements it over the
//! runtime's `fetch`; native tests implement it with a scripted mock.

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
}

/// A request body as it goes on the wire.
#[derive(Debug, Clone)]
pub enum WireBody {
    Text(String),
    /// A host string (serialized JSON), sent without a copy through Rust.
    Host(Json),
    Bytes(Vec<u8>),
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
    /// [`HttpResponse::text`] instead.
    BodyFailed { message: String, cause: Option<Json> },
    /// The call's timeout or abort signal ended the exchange (the fetch is
    /// aborted): a `NetworkError` with code `TIMEOUT` or `ABORTED`.
    Interrupted { why: crate::error::Interruption, cause: Option<Json> },
}

/// A response whose body has not been read yet.
pub trait HttpResponse {
    fn status(&self) -> u16;
    /// A header value (case-insensitive name).
    fn header(&self, name: &str) -> Option<String>;
    /// Reads the whole body as text, kept as a host string (a JS string in
    /// wasm) so a large body is never copied into wasm memory and back. An
    /// error means the body was cut off.
    fn text(&self) -> LocalFuture<'_, Result<Json, (String, Option<Json>)>>;
}

/// The host's network and JSON services.
pub trait Transport {
    fn send(&self, request: HttpRequest) -> LocalFuture<'_, Result<Box<dyn HttpResponse>, SendFailure>>;
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
}
