//! Typed access to the arguments a caller passed to a public method. Every
//! check fails with a `LocalError` that names the method and the argument,
//! before any request is made.

use crate::prelude::*;
use crate::error::{Error, Result};
use crate::kernel::Call;
use crate::json::{type_name, Json, JsonExt, Shape};

/// The arguments of one call.
pub struct Args {
    /// Namespace and method name, e.g. `projects` and `sql`.
    pub namespace: &'static str,
    pub method: &'static str,
    /// The method's context phrase, used for every error it raises.
    pub context: &'static str,
    items: Vec<Json>,
    /// An idempotency key tied to the `withRetry` attempt scope this call
    /// started in, so every attempt sends the same key.
    pub retry_key: Option<String>,
    /// The method's declared parameters, for their names in errors.
    pub params: &'static [crate::surface::Param],
}

impl Args {
    pub fn new(namespace: &'static str, method: &'static str, context: &'static str, items: Vec<Json>) -> Args {
        Args { namespace, method, context, items, retry_key: None, params: &[] }
    }

    /// The declared name of parameter `i` ("argument" if undeclared).
    pub fn param_name(&self, i: usize) -> &'static str {
        self.params.get(i).map_or("argument", |p| p.name)
    }

    /// A gateway request made by this method: it carries the method's
    /// context phrase and name (for `getAuth`'s metadata).
    pub fn call(&self, method: &'static str, path: impl Into<String>) -> Call {
        Call::new(method, path, self.context).sdk_method(self.namespace, self.method)
    }

    /// A POST to a paid endpoint: its `Idempotency-Key` is the caller's
    /// `idempotencyKey` option (from `options`), else the `withRetry`
    /// scope's, else a fresh random one (made by the kernel).
    pub fn paid_post(&self, path: impl Into<String>, options: Option<&Json>) -> Result<Call> {
        self.paid(self.call("POST", path), options)
    }

    /// Marks `call` paid, its key chosen as for [`Args::paid_post`].
    pub fn paid(&self, call: Call, options: Option<&Json>) -> Result<Call> {
        let mine = match options {
            Some(o) => self.opt_field_string(o, "idempotencyKey")?,
            None => None,
        };
        if mine.as_deref().is_some_and(|k| k.is_empty() || k.len() > 255) {
            return Err(self.error("`idempotencyKey` must be 1 to 255 characters"));
        }
        Ok(call.paid(mine.or_else(|| self.retry_key.clone())))
    }

    /// Whether argument `i` is `null` itself (not missing, not `undefined`).
    pub fn is_null(&self, i: usize) -> bool {
        self.items.get(i).is_some_and(|v| v.shape() == Shape::Null)
    }

    /// The argument, unless missing, `undefined` or `null`.
    pub fn get(&self, i: usize) -> Option<&Json> {
        self.items.get(i).filter(|v| !v.is_nullish())
    }

    /// Puts a value the SDK worked out at argument `i`, past the caller's
    /// own (the email namespace's resolved mailbox), so a declared route
    /// reads it like an argument.
    pub fn set(&mut self, i: usize, value: Json) {
        if self.items.len() <= i {
            self.items.resize_with(i + 1, crate::json::Native::undefined);
        }
        self.items[i] = value;
    }

    /// A `LocalError` for this method.
    pub fn error(&self, message: impl AsRef<str>) -> Error {
        self.error_text(message.as_ref())
    }

    /// [`Args::error`] past the conversion: one copy of the formatting for
    /// every message type.
    fn error_text(&self, message: &str) -> Error {
        Error::local(self.context, format!("{}.{}: {}", self.namespace, self.method, message))
    }

    fn expected(&self, name: &str, what: &str, got: &Shape) -> Error {
        self.error(format!("`{name}` must be {what}, got {}", type_name(got)))
    }

    /// A required string.
    pub fn string(&self, i: usize, name: &str) -> Result<String> {
        match self.items.get(i) {
            Some(v) => v.as_string().ok_or_else(|| self.expected(name, "a string", &v.shape())),
            None => Err(self.expected(name, "a string", &Shape::Undefined)),
        }
    }

    /// A required string that is not empty or blank.
    pub fn non_empty(&self, i: usize, name: &str) -> Result<String> {
        let s = self.string(i, name)?;
        if s.trim().is_empty() {
            return Err(self.error(format!("`{name}` must not be empty")));
        }
        Ok(s)
    }

    /// An optional string (`undefined`/`null` mean absent).
    pub fn opt_string(&self, i: usize, name: &str) -> Result<Option<String>> {
        match self.get(i) {
            None => Ok(None),
            Some(_) => self.string(i, name).map(Some),
        }
    }

    /// A project id: a non-empty string that is safe to place in a path.
    pub fn project_id(&self, i: usize) -> Result<String> {
        let id = self.string(i, "projectId")?;
        check_project_id(&id).map_err(|m| self.error(m))?;
        Ok(id)
    }

    /// An optional plain object.
    pub fn opt_object(&self, i: usize, name: &str) -> Result<Option<Json>> {
        match self.get(i) {
            None => Ok(None),
            Some(v) if v.is_object() => Ok(Some(v.clone())),
            Some(v) => Err(self.expected(name, "an object", &v.shape())),
        }
    }

    /// An optional string field of an options object.
    pub fn opt_field_string(&self, obj: &Json, field: &str) -> Result<Option<String>> {
        match obj.field(field) {
            None => Ok(None),
            Some(v) if v.shape() == Shape::Null => Ok(None),
            Some(v) => v.as_string().map(Some).ok_or_else(|| self.expected(field, "a string", &v.shape())),
        }
    }
}

/// Project ids go into paths unencoded (as in the reference), so anything
/// that could change the path's meaning is refused up front.
pub fn check_project_id(id: &str) -> core::result::Result<(), String> {
    if id.is_empty() {
        return Err("`projectId` must not be empty".into());
    }
    if let Some(c) = id.chars().find(|c| !(c.is_ascii_alphanumeric() || "_-.:".contains(*c))) {
        return Err(format!("`projectId` contains '{c}'; expected letters, digits, '_', '-', '.' or ':'"));
    }
    // "." and ".." are path segments with a meaning of their own: URL
    // normalization turns `/projects/v1/../pin` into `/projects/v1/pin`.
    if id.bytes().all(|b| b == b'.') {
        return Err(format!("`projectId` \"{id}\" is a relative path segment"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_project_id;

    #[test]
    fn project_ids_that_would_change_the_path_are_refused() {
        for bad in [".", "..", "...", "", "a/b", "a?b", "a#b", "a%2e", "prj 1", "prj\n1"] {
            assert!(check_project_id(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["prj_1", "prj-abc.v2", "a..b", ".hidden", "x:y"] {
            assert!(check_project_id(good).is_ok(), "{good:?} refused");
        }
    }
}
