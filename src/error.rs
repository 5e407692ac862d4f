//! The SDK's one error type. Every failure, local or remote, becomes an
//! [`Error`] with a [`ErrorKind`]; the wasm layer turns it into an instance of
//! the matching JS class in one place.

use crate::prelude::*;
use alloc::fmt;

use crate::json::{Json, JsonExt, Shape};
use crate::value::Val;

/// Declares the kinds once: Rust variant, wire `kind` string, JS class name.
/// The list is exported to JS and to the typings, and a contract test checks
/// that the JS classes match it.
macro_rules! error_kinds {
    ($($variant:ident => $kind:literal, $class:literal, $guard:literal;)*) => {
        /// The seed's error table: one kind per class.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorKind { $($variant),* }

        impl ErrorKind {
            /// Every kind, in the seed's order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant),*];

            /// The stable `kind` discriminator string.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorKind::$variant => $kind),* }
            }

            /// The JS class that carries this kind.
            pub fn class_name(self) -> &'static str {
                match self { $(ErrorKind::$variant => $class),* }
            }

            /// The exported type guard for this kind.
            pub fn guard_name(self) -> &'static str {
                match self { $(ErrorKind::$variant => $guard),* }
            }
        }
    };
}

error_kinds! {
    PaymentRequired => "payment_required", "PaymentRequired", "isPaymentRequired";
    ProjectNotFound => "project_not_found", "ProjectNotFound", "isProjectNotFound";
    Unauthorized => "unauthorized", "Unauthorized", "isUnauthorized";
    ApiError => "api_error", "ApiError", "isApiError";
    NetworkError => "network_error", "NetworkError", "isNetworkError";
    LocalError => "local_error", "LocalError", "isLocalError";
    DeployError => "deploy_error", "Run402DeployError", "isDeployError";
}

/// Why the SDK stopped waiting for a host promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interruption {
    /// The call's `timeoutMs` passed.
    Timeout { ms: u32 },
    /// The call's `AbortSignal` fired.
    Aborted,
}

/// A failure with everything the JS error classes need.
/// An error, boxed: every `Result` in the crate carries one, and a
/// pointer-sized error keeps each `Result`, each `?` and each future's
/// state small (the fields are [`ErrorInfo`]'s, reached through `Deref`).
#[derive(Clone)]
pub struct Error(Box<ErrorInfo>);

#[derive(Clone)]
pub struct ErrorInfo {
    pub kind: ErrorKind,
    /// Complete human message, context phrase included.
    pub message: String,
    /// HTTP status, `None` when no response was received.
    pub status: Option<u16>,
    /// The decoded response body (JSON or text), `Val::Null` when none.
    pub body: Val,
    /// Short verb phrase naming the attempted operation.
    pub context: String,
    /// For `ProjectNotFound`.
    pub project_id: Option<String>,
    /// The original host value that caused this (a fetch rejection, a
    /// provider's exception), kept so callers can inspect it.
    pub cause: Option<Json>,
    /// A Run402 error the caller's own code threw (say, a provider throwing
    /// `LocalError`): the host rethrows this very value, unchanged.
    pub rethrow: Option<Json>,
    /// Extra fields set on the JS error (e.g. a payment's `reason`).
    pub extra: Vec<(&'static str, Val)>,
}

pub type Result<T, E = Error> = core::result::Result<T, E>;

impl core::ops::Deref for Error {
    type Target = ErrorInfo;
    fn deref(&self) -> &ErrorInfo {
        &self.0
    }
}

impl core::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorInfo {
        &mut self.0
    }
}

impl From<ErrorInfo> for Error {
    fn from(info: ErrorInfo) -> Error {
        Error(Box::new(info))
    }
}

impl Error {
    fn new(kind: ErrorKind, message: String, context: &str) -> Error {
        Error::from(ErrorInfo {
            kind,
            message,
            status: None,
            body: Val::Null,
            context: context.to_string(),
            project_id: None,
            cause: None,
            rethrow: None,
            extra: Vec::new(),
        })
    }

    /// Its fields, owned (to move a message or body out).
    pub fn into_info(self) -> ErrorInfo {
        *self.0
    }

    /// The same error as another kind (a deploy route's error as a
    /// `Run402DeployError`, say).
    pub fn of_kind(mut self, kind: ErrorKind) -> Error {
        self.kind = kind;
        self
    }

    /// The same error with this response body.
    pub fn with_body(mut self, body: Val) -> Error {
        self.body = body;
        self
    }

    /// Adds a field for the JS error object.
    pub fn with(mut self, key: &'static str, value: impl Into<Val>) -> Error {
        self.extra.push((key, value.into()));
        self
    }

    /// A field added with [`Error::with`] (the first, if added twice).
    pub fn extra_field(&self, key: &str) -> Option<&Val> {
        self.extra.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Carries a Run402 error thrown by caller code through the SDK as is.
    pub fn passthrough(kind: ErrorKind, message: String, context: &str, original: Json) -> Error {
        let mut e = Error::new(kind, message, context);
        e.rethrow = Some(original);
        e
    }

    /// Input validation, missing provider capabilities, local failures.
    pub fn local(context: &str, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::LocalError, message.into(), context)
    }

    /// A local error that wraps a host failure.
    pub fn local_caused(context: &str, message: impl Into<String>, cause: Option<Json>) -> Error {
        let mut e = Error::local(context, message);
        e.cause = cause;
        e
    }

    /// The provider does not know this project.
    pub fn project_not_found(id: &str, context: &str) -> Error {
        let mut e = Error::new(ErrorKind::ProjectNotFound, format!("Project {id} not found"), context);
        e.project_id = Some(id.to_string());
        e
    }

    /// `fetch` rejected, or the response body could not be read.
    pub fn network(context: &str, detail: &str, cause: Option<Json>) -> Error {
        let mut e = Error::new(ErrorKind::NetworkError, format!("Network error while {context}: {detail}"), context);
        e.cause = cause;
        e
    }

    /// A wait the SDK cut short: a `NetworkError` whose `code` says why
    /// (`TIMEOUT` or `ABORTED`). An aborted call is not retryable: the
    /// caller asked it to stop.
    pub fn interrupted(context: &str, why: Interruption, cause: Option<Json>) -> Error {
        let detail = match why {
            Interruption::Timeout { ms } => format!("no answer within {ms} ms (timeoutMs)"),
            Interruption::Aborted => "the call was aborted by its signal".to_string(),
        };
        let e = Error::network(context, &detail, cause);
        match why {
            Interruption::Timeout { .. } => e.with("code", "TIMEOUT"),
            Interruption::Aborted => e.with("code", "ABORTED").with("retryable", false),
        }
    }

    /// Maps a non-2xx response to its kind and message (contract §2.5).
    pub fn from_status(status: u16, body: Val, context: &str) -> Error {
        let (kind, fallback, show_status) = match status {
            402 => (ErrorKind::PaymentRequired, "Payment required", false),
            401 | 403 => (ErrorKind::Unauthorized, "Unauthorized", true),
            _ => (ErrorKind::ApiError, "API error", true),
        };
        let shown = display_message(&body).unwrap_or_else(|| fallback.to_string());
        let message = if show_status {
            format!("{shown} while {context} (HTTP {status})")
        } else {
            format!("{shown} while {context}")
        };
        let mut e = Error::new(kind, message, context).with_body(body);
        e.status = Some(status);
        e
    }

    /// A 2xx response whose body is not what the contract promises.
    pub fn bad_response(status: u16, body: Val, context: &str, what: &str) -> Error {
        let mut e = Error::new(ErrorKind::ApiError, format!("{what} while {context} (HTTP {status})"), context).with_body(body);
        e.status = Some(status);
        e
    }
}

/// `message`, else `error`, when the body is a plain object carrying a
/// non-empty string there.
fn display_message(body: &Val) -> Option<String> {
    let pick = |s: Option<String>| s.filter(|s| !s.is_empty());
    match body {
        Val::Json(j) if j.shape() == Shape::Object => {
            pick(j.str_field("message")).or_else(|| pick(j.str_field("error")))
        }
        Val::Obj(_) => pick(body.get("message").and_then(Val::as_str).map(str::to_string))
            .or_else(|| pick(body.get("error").and_then(Val::as_str).map(str::to_string))),
        _ => None,
    }
}

// Debug must never print bodies or causes: they can hold keys the gateway echoed.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind.as_str())
            .field("message", &self.message)
            .field("status", &self.status)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for Error {}
