//! The spec rules a field type cannot express (contract §3.10): fields that
//! exclude each other, route targets and their files, secret key syntax,
//! `subdomains.set` of at most one, and a spec with nothing to deploy. Each
//! runs on one object of the caller's value, through the JSON view, once
//! the walker has checked that object's fields, so every read here is of a
//! field known to have its type; which fields are there comes from the
//! walker ([`Given`]), not from asking the host again. Non-empty names and
//! positive integers are types of the table, not rules.

use crate::prelude::*;
use super::check::Form;
use super::path::{push_key, Path};
use super::schema::Given;
use super::SpecError;
use crate::json::{Json, JsonExt, Shape};

fn at(path: &Path<'_>, key: &str) -> String {
    let mut p = path.render();
    push_key(&mut p, key);
    p
}

fn item(base: &str, i: usize) -> String {
    format!("{base}[{i}]")
}

fn invalid(path: String, problem: impl Into<String>) -> SpecError {
    SpecError::invalid(path, problem)
}

/// A field that is there and not `null` (an optional `null` is "not given").
fn present(o: &Json, key: &str) -> Option<Json> {
    o.field(key).filter(|v| !v.is_nullish())
}

fn strings(o: &Json, key: &str) -> Vec<String> {
    let Some(list) = present(o, key) else { return Vec::new() };
    let Shape::Array(len) = list.shape() else { return Vec::new() };
    let mut out = Vec::new();
    for i in 0..len {
        if let Some(s) = list.item(i).and_then(|s| s.string()) {
            out.push(s);
        }
    }
    out
}

/// How many entries an array or object field has (0 when absent).
fn count(o: &Json, key: &str) -> usize {
    match present(o, key).map(|v| (v.shape(), v)) {
        Some((Shape::Array(len), _)) => len,
        Some((Shape::Object, v)) => v.keys().len(),
        _ => 0,
    }
}

/// The sections that count as something to deploy (the error body lists them).
pub(super) const DEPLOYABLE: &[&str] = &["database", "site", "functions", "secrets", "subdomains", "routes", "checks"];

pub(super) fn release_spec(spec: &Json, _: &Given<'_>, _path: &Path<'_>) -> Result<(), SpecError> {
    if !has_content(spec) {
        return Err(SpecError {
            code: "MANIFEST_EMPTY",
            ..invalid("spec".into(), format!("has nothing to deploy; give at least one of {}", DEPLOYABLE.join(", ")))
        });
    }
    Ok(())
}

/// What makes a section a change: any of these arrays or maps non-empty
/// (`outer.inner`: inside the `outer` object). A table, not closures.
const CHANGES: &[(&str, &[&str])] = &[
    ("database", &["migrations", "expose"]),
    ("site", &["replace", "patch.put", "patch.delete"]),
    ("functions", &["replace", "patch.set", "patch.delete"]),
    ("secrets", &["require", "delete"]),
    ("subdomains", &["set", "add", "remove"]),
];

fn has_content(spec: &Json) -> bool {
    let counted = |o: &Json, field: &str| match field.split_once('.') {
        Some((outer, inner)) => present(o, outer).is_some_and(|p| count(&p, inner) > 0),
        None => count(o, field) > 0,
    };
    for (section, fields) in CHANGES {
        if present(spec, section).is_some_and(|s| fields.iter().any(|f| counted(&s, f))) {
            return true;
        }
    }
    // A site of only `public_paths` changes them.
    present(spec, "site").is_some_and(|s| present(&s, "replace").is_none() && present(&s, "patch").is_none() && present(&s, "public_paths").is_some())
        // `{ replace: [] }` clears the routes: that is a change. `null` is not.
        || present(spec, "routes").is_some()
        || count(spec, "checks") > 0
}

pub(super) fn base(_: &Json, given: &Given<'_>, path: &Path<'_>) -> Result<(), SpecError> {
    match (given.has("release"), given.has("release_id")) {
        (true, true) => Err(invalid(path.render(), "use either release or release_id, not both")),
        (false, false) => Err(invalid(path.render(), "needs release (\"current\" or \"empty\") or release_id")),
        _ => Ok(()),
    }
}

pub(super) fn migration(_: &Json, given: &Given<'_>, path: &Path<'_>) -> Result<(), SpecError> {
    if !given.has("sql") && !given.has("sql_ref") {
        return Err(invalid(at(path, "sql"), "is required (or sql_ref)"));
    }
    Ok(())
}

pub(super) fn secrets(s: &Json, _: &Given<'_>, path: &Path<'_>) -> Result<(), SpecError> {
    let require = secret_keys(strings(s, "require"), &at(path, "require"))?;
    let delete = secret_keys(strings(s, "delete"), &at(path, "delete"))?;
    if let Some(both) = require.iter().find(|k| delete.contains(k)) {
        return Err(invalid(path.render(), format!("{both} is in both require and delete")));
    }
    Ok(())
}

/// `^[A-Z_][A-Z0-9_]{0,127}$`, each once.
fn secret_keys(keys: Vec<String>, path: &str) -> Result<Vec<String>, SpecError> {
    for (i, k) in keys.iter().enumerate() {
        let mut chars = k.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_uppercase() || c == '_');
        let rest_ok = chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !first_ok || !rest_ok || k.len() > 128 {
            return Err(invalid(item(path, i), "secret keys are A-Z, 0-9 and _, not starting with a digit, at most 128 long"));
        }
        if keys[..i].contains(k) {
            return Err(invalid(item(path, i), format!("{k} is listed twice")));
        }
    }
    Ok(keys)
}

pub(super) fn site(_: &Json, given: &Given<'_>, path: &Path<'_>) -> Result<(), SpecError> {
    if given.has("replace") && given.has("patch") {
        return Err(invalid(path.render(), "use either replace or patch, not both"));
    }
    Ok(())
}

pub(super) fn public_paths(pp: &Json, given: &Given<'_>, path: &Path<'_>) -> Result<(), SpecError> {
    let explicit = pp.str_field("mode").as_deref() == Some("explicit");
    match (explicit, given.has("replace")) {
        (false, true) => Err(invalid(at(path, "replace"), "is not allowed when mode is \"implicit\"")),
        (true, false) => Err(invalid(at(path, "replace"), "is required when mode is \"explicit\"")),
        _ => Ok(()),
    }
}

pub(super) fn subdomains(s: &Json, _: &Given<'_>, path: &Path<'_>) -> Result<(), SpecError> {
    if count(s, "set") > 1 {
        return Err(SpecError {
            code: "SUBDOMAIN_MULTI_NOT_SUPPORTED",
            ..invalid(at(path, "set"), "accepts at most one subdomain per project for now")
        });
    }
    Ok(())
}

pub(super) fn route(r: &Json, given: &Given<'_>, path: &Path<'_>) -> Result<(), SpecError> {
    let pattern = r.str_field("pattern").unwrap_or_default();
    let methods = given.has("methods").then(|| strings(r, "methods"));
    if let Some(methods) = &methods {
        if methods.is_empty() {
            return Err(invalid(at(path, "methods"), "must not be empty; leave it out to allow every method"));
        }
        if let Some(i) = (0..methods.len()).find(|&i| methods[..i].contains(&methods[i])) {
            return Err(invalid(item(&at(path, "methods"), i), "is listed twice"));
        }
    }
    let target_path = path.key("target");
    let Some(target) = r.field("target") else { return Ok(()) };
    let (name, file) = (present(&target, "name"), target.str_field("file"));
    if target.str_field("type").as_deref() == Some("function") {
        if file.is_some() {
            return Err(invalid(at(&target_path, "file"), "is only for static targets; a function target has a name"));
        }
        if name.and_then(|n| n.string()).is_none_or(|n| n.is_empty()) {
            return Err(invalid(at(&target_path, "name"), "is required for a function target"));
        }
        return Ok(());
    }
    if name.is_some() {
        return Err(invalid(at(&target_path, "name"), "is only for function targets; a static target has a file"));
    }
    let file = file.unwrap_or_default();
    if file.is_empty() {
        return Err(invalid(at(&target_path, "file"), "is required for a static target"));
    }
    if !static_file_ok(&file) {
        return Err(invalid(
            at(&target_path, "file"),
            "must be a relative site file path: no leading or trailing /, no ?, #, \\, and no empty, . or .. segments",
        ));
    }
    if pattern.contains('*') {
        return Err(invalid(at(path, "pattern"), "must be an exact path for a static target (no *)"));
    }
    let get_only = |m: &[String]| matches!(m, [a] if a == "GET") || matches!(m, [a, b] if (a == "GET" && b == "HEAD") || (a == "HEAD" && b == "GET"));
    if !methods.as_deref().is_some_and(get_only) {
        return Err(invalid(at(path, "methods"), "must be [\"GET\"] or [\"GET\", \"HEAD\"] for a static target"));
    }
    Ok(())
}

fn static_file_ok(file: &str) -> bool {
    !(file.starts_with('/')
        || file.ends_with('/')
        || file.bytes().any(|b| matches!(b, b'?' | b'#' | b'\\'))
        || file.split('/').any(|s| s.is_empty() || s == "." || s == ".."))
}

fn hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

const BAD_SHA: &str = "sha256 must be 64 lowercase hex digits";

pub(super) fn content_ref(r: &Json, _: &Given<'_>, path: &Path<'_>) -> Result<(), SpecError> {
    if !r.str_field("sha256").is_some_and(|s| hex64(&s)) {
        return Err(invalid(path.render(), BAD_SHA));
    }
    Ok(())
}

/// Which form an object content source is, by the fields it has (§3.2):
/// `data` makes a wrapper, `__source` a file marker, else a ContentRef.
/// The problem, if any, is the whole object's.
pub(super) fn content_form(o: &Json, given: &Given<'_>) -> Result<Form, String> {
    let only = |form: &str, others: &[&str]| match others.iter().find(|k| given.has(k)) {
        Some(k) => Err(format!("{k} does not belong in {form}")),
        None => Ok(()),
    };
    if given.has("data") {
        only("a { data, contentType } wrapper", &["__source", "path", "sha256", "size", "integrity"])?;
        return Ok(Form::Wrapped);
    }
    if given.has("__source") {
        only("an fs-file source", &["sha256", "size", "integrity"])?;
        return if given.has("path") { Ok(Form::FsFile) } else { Err("an fs-file source needs a path".into()) };
    }
    only("a ContentRef", &["path"])?;
    if !(given.has("sha256") && given.has("size")) {
        return Err(format!("expected {} (a ContentRef needs sha256 and size)", super::check::CONTENT_SOURCE));
    }
    if !o.str_field("sha256").is_some_and(|s| hex64(&s)) {
        return Err(BAD_SHA.into());
    }
    Ok(Form::Ref)
}
