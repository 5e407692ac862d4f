//! The deploy namespace's inputs. For now: the `ReleaseSpec` family, as a
//! table of shapes ([`schema`]) that one walker ([`check`]) reads a caller's
//! value against, with the rules a shape cannot say ([`rules`]). All of it
//! runs before any request (contract §3.1 step 1, §3.10).
//!
//! What comes out is the caller's own value, known to be valid
//! ([`ValidSpec`]): the deploy engine reads it through the JSON view, and
//! reads each content position with [`content`], which keeps host bytes as
//! a [`HostBody`], never copied.

mod check;
pub mod ci_guard;
pub mod engine;
mod path;
pub mod plan;
pub mod normalize;
pub mod poll;
pub mod retry;
pub mod translate;
mod rules;
mod schema;

#[cfg(test)]
mod tests;

use crate::prelude::*;
use check::{Form, Walker};
use path::Path;

use crate::error::{Error, ErrorKind, Result};
use crate::json::{Json, JsonExt, Shape};
use crate::kernel::{BodyInfo, HostBody};
use crate::value::Val;

/// The context phrase of every spec error (the reference's).
pub const CONTEXT: &str = "validating spec";

/// Tells host byte sources (`Uint8Array`, `ArrayBuffer`, `Blob`,
/// `ReadableStream`) from other non-JSON values: the transport's brand
/// check (`Transport::body_kind`), so spec and upload agree.
pub type ByteProbe<'a> = &'a dyn Fn(&Json) -> Option<BodyInfo>;

/// A caller's spec that passed every check: the value itself, as the host
/// holds it. Only [`validate`] makes one.
#[derive(Debug, Clone)]
pub struct ValidSpec {
    value: Json,
}

impl ValidSpec {
    /// The spec as the caller wrote it (every field known and typed).
    pub fn json(&self) -> &Json {
        &self.value
    }
    /// The project id (non-empty).
    pub fn project(&self) -> String {
        self.value.str_field("project").unwrap_or_default()
    }
}

/// A content-addressed object the gateway may already hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentRef {
    pub sha256: String,
    pub size: u64,
    pub content_type: Option<String>,
    pub integrity: Option<String>,
}

/// Bytes for a file, a function source or a migration (contract §3.2), by form.
#[derive(Debug)]
pub enum Content {
    /// UTF-8 text: the host string, read when it is hashed.
    Text(Json),
    /// A `Uint8Array` (any byte view), `ArrayBuffer`, `Blob` or
    /// `ReadableStream`: the host value itself, never copied into wasm.
    Bytes(HostBody),
    /// `{ data, contentType? }`: read `data` with [`content`] again;
    /// `contentType` overrides the inner one.
    Wrapped { data: Json, content_type: Option<String> },
    /// `{ __source: "fs-file", path, contentType? }` from the Node entry's
    /// `fileSetFromDir` (only Node can read it).
    FsFile { path: String, content_type: Option<String> },
    /// Already uploaded: passed through.
    Ref(ContentRef),
}

/// The form of one content position of a [`ValidSpec`] (a site file, a
/// function's source or file, a wrapper's `data`). `None` only when the
/// host value no longer is a content source: a caller's getter can answer
/// differently on a second read, so the engine treats it as an error.
pub fn content(value: &Json, bytes: ByteProbe<'_>) -> Option<Content> {
    let content_type = || value.str_field("contentType");
    let form = Walker { bytes }.content(value, &Path::root("content")).ok()?;
    Some(match form {
        Form::Text => Content::Text(value.clone()),
        Form::Bytes(info) => Content::Bytes(HostBody { value: value.clone(), info }),
        Form::Wrapped => Content::Wrapped { data: value.field("data")?, content_type: content_type() },
        Form::FsFile => Content::FsFile { path: value.str_field("path")?, content_type: content_type() },
        Form::Ref => Content::Ref(ContentRef {
            sha256: value.str_field("sha256")?,
            size: match value.field("size")?.shape() {
                Shape::Number(n) => n as u64,
                _ => return None,
            },
            content_type: content_type(),
            integrity: value.str_field("integrity"),
        }),
    })
}

/// A spec that cannot be deployed: where, what, and the code for it.
#[derive(Debug)]
pub struct SpecError {
    /// `INVALID_SPEC`, `SUBDOMAIN_MULTI_NOT_SUPPORTED` or `MANIFEST_EMPTY`.
    pub code: &'static str,
    /// The JSON path from `spec`, e.g. `spec.site.replace["index.html"]`.
    pub path: String,
    pub problem: String,
}

impl SpecError {
    fn invalid(path: String, problem: impl Into<String>) -> SpecError {
        SpecError { code: "INVALID_SPEC", path, problem: problem.into() }
    }

    /// The `fix` hint: the field to set, as a path without the `spec.` root;
    /// route errors show the route shape too.
    fn fix(&self) -> Val {
        let path = self.path.strip_prefix("spec").unwrap_or(&self.path);
        let path = path.strip_prefix('.').unwrap_or(path);
        let path = if self.code == "MANIFEST_EMPTY" { "site.replace" } else { path };
        let fix = Val::object().with("action", "set_field").with("path", path);
        if !self.path.starts_with("spec.routes") {
            return fix;
        }
        let route = |pattern: &str, target: Val| Val::object().with("pattern", pattern).with("target", target);
        let example = Val::Arr(vec![
            route("/api/*", Val::object().with("type", "function").with("name", "api")),
            route("/events", Val::object().with("type", "static").with("file", "events.html"))
                .with("methods", Val::Arr(vec!["GET".into(), "HEAD".into()])),
        ]);
        fix.with("example", Val::object().with("routes", Val::object().with("replace", example)))
    }

    /// The SDK error: a `Run402DeployError` (the class the reference throws
    /// for a local spec failure, contract §3.1) whose message starts with
    /// the path, with `code`, `resource` (the path), `phase: "validate"`,
    /// `retryable: false` and `fix`; for `MANIFEST_EMPTY` the body lists the
    /// deployable sections, as the reference's does.
    pub fn into_error(self) -> Error {
        let body = if self.code == "MANIFEST_EMPTY" {
            let mut fields = Vec::with_capacity(rules::DEPLOYABLE.len());
            for f in rules::DEPLOYABLE {
                fields.push(Val::from(*f));
            }
            Val::object().with("deployable_fields", Val::Arr(fields))
        } else {
            Val::Null
        };
        let fix = self.fix();
        let local = Error::local(CONTEXT, format!("{}: {}", self.path, self.problem));
        local.of_kind(ErrorKind::DeployError).with_body(body)
            .with("code", self.code)
            .with("phase", "validate")
            .with("resource", self.path)
            .with("retryable", false)
            .with("fix", fix)
    }
}

/// Hints for unknown fields people commonly write (keyed by the object's
/// path and the field).
fn hint(parent: &str, field: &str) -> Option<&'static str> {
    Some(match (parent, field) {
        ("spec", "project_id") => "the project id goes in `project`",
        ("spec", "subdomain") => "use `subdomains: { set: [name] }`",
        ("spec.site", "file" | "files") => "site files go in `site.replace` or `site.patch.put`, keyed by path",
        ("spec.secrets", "set" | "replace_all") => {
            "a spec carries no secret values: set them with `secrets.set`, then list the keys in `secrets.require`"
        }
        ("spec.routes", f) if f.starts_with('/') => "routes are `{ replace: [{ pattern, target }] }`, not keyed by path",
        _ => return None,
    })
}

/// Checks a caller's `ReleaseSpec`. `bytes` tells host byte sources from
/// other non-JSON values (`Transport::body_kind`).
///
/// # Errors
/// A [`SpecError`] naming the JSON path of the first problem found.
pub fn validate(value: &Json, bytes: ByteProbe<'_>) -> core::result::Result<ValidSpec, SpecError> {
    let root = Path::root("spec");
    Walker { bytes }.value(value, &schema::Ty::Obj(&schema::RELEASE_SPEC), &root)?;
    Ok(ValidSpec { value: value.clone() })
}

/// [`validate`] with the error as the SDK's `Run402DeployError`.
///
/// # Errors
/// `Run402DeployError` with `code`, `resource`, `phase` and `fix` (see [`SpecError::into_error`]).
pub fn release_spec(value: &Json, bytes: ByteProbe<'_>) -> Result<ValidSpec> {
    validate(value, bytes).map_err(SpecError::into_error)
}
