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
#[derive(Debug, Clone, PartialEq)]
pub enum WireBody {
    Text(String),
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
}

/// A response whose body has not been read yet.
pub trait HttpResponse {
    fn status(&self) -> u16;
    /// A header value (case-insensitive name).
    fn header(&self, name: &str) -> Option<String>;
    /// Reads the whole body as text. An error means the body was cut off.
    fn text(&self) -> LocalFuture<'_, Result<String, (String, Option<Json>)>>;
}

/// The host's network and JSON services.
pub trait Transport {
    fn send(&self, request: HttpRequest) -> LocalFuture<'_, Result<Box<dyn HttpResponse>, SendFailure>>;
    /// Parses JSON text with the host's parser (the runtime's `JSON.parse` in wasm).
    fn parse_json(&self, text: &str) -> Result<Json, String>;
    /// Serializes a value with the host's serializer (`JSON.stringify` in wasm).
    fn stringify(&self, value: &Val) -> Result<String, String>;
}
