//! The deploy namespace's inputs. For now: the `ReleaseSpec` family
//! ([`spec`]), read from a caller's value by one path-aware serde
//! `Deserializer` over the JSON view ([`de`]), then checked by the rules
//! serde cannot express ([`rules`]). All of it runs before any request.

mod de;
mod rules;
pub mod spec;

#[cfg(test)]
mod tests;

use serde::Deserialize;

pub use de::ByteProbe;
use de::{HostDe, Path};
pub use spec::ReleaseSpec;

use crate::error::{Error, Result};
use crate::json::Json;
use crate::value::Val;

/// The context phrase of every spec error.
pub const CONTEXT: &str = "validating spec";

/// A spec that cannot be deployed: where, what, and the code for it.
#[derive(Debug)]
pub struct SpecError {
    /// `INVALID_SPEC`, `SUBDOMAIN_MULTI_NOT_SUPPORTED` or `MANIFEST_EMPTY`.
    pub code: &'static str,
    /// The JSON path from `spec`, e.g. `spec.site.replace["index.html"]`.
    pub path: String,
    pub problem: String,
    /// Route errors show the route shape in their `fix`.
    route_example: bool,
    manifest_empty: bool,
}

impl SpecError {
    /// The `fix` hint: the field to set, as a path without the `spec.` root.
    fn fix(&self) -> Val {
        let path = self.path.strip_prefix("spec").unwrap_or(&self.path);
        let path = path.strip_prefix('.').unwrap_or(path);
        let (action, path) = if self.manifest_empty { ("set_field", "site.replace") } else { ("set_field", path) };
        let fix = Val::object().with("action", action).with("path", path);
        if !self.route_example {
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

    /// The SDK error: a `LocalError` whose message starts with the path, with
    /// `code`, `resource` (the path), `phase: "validate"`, `retryable: false`
    /// and `fix` fields (`details.deployable_fields` for `MANIFEST_EMPTY`).
    pub fn into_error(self) -> Error {
        let mut e = Error::local(CONTEXT, format!("{}: {}", self.path, self.problem))
            .with("code", self.code)
            .with("phase", "validate")
            .with("resource", self.path.clone())
            .with("retryable", false)
            .with("fix", self.fix());
        if self.manifest_empty {
            // `details`, not `body`: a LocalError carries no response body.
            let fields = rules::DEPLOYABLE.iter().map(|f| Val::from(*f)).collect();
            e = e.with("details", Val::object().with("deployable_fields", Val::Arr(fields)));
        }
        e
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

fn from_de(e: de::DeError) -> SpecError {
    let path = e.path.unwrap_or_else(|| "spec".to_string());
    let mut problem = e.problem;
    if let (Some(parent), Some(field)) = (&e.parent, &e.unknown) {
        if let Some(h) = hint(parent, field) {
            problem = format!("{problem}; {h}");
        }
    }
    let route_example = path.starts_with("spec.routes");
    SpecError { code: "INVALID_SPEC", path, problem, route_example, manifest_empty: false }
}

/// Reads and checks a caller's `ReleaseSpec`. `bytes` tells host byte
/// sources from other non-JSON values (`Transport::body_kind`).
///
/// # Errors
/// A [`SpecError`] naming the JSON path of the first problem found.
pub fn parse_spec(value: &Json, bytes: ByteProbe<'_>) -> std::result::Result<ReleaseSpec, SpecError> {
    let root = Path::root("spec");
    let spec = ReleaseSpec::deserialize(HostDe { value: value.clone(), path: &root, bytes }).map_err(from_de)?;
    rules::check(&spec)?;
    Ok(spec)
}

/// [`parse_spec`] with the error as the SDK's `LocalError`.
///
/// # Errors
/// `LocalError` with `code`, `resource`, `phase` and `fix` (see [`SpecError::into_error`]).
pub fn release_spec(value: &Json, bytes: ByteProbe<'_>) -> Result<ReleaseSpec> {
    parse_spec(value, bytes).map_err(SpecError::into_error)
}
