//! The spec rules serde's derive cannot express (contract §3.10): fields
//! that exclude each other, route targets and their files, secret key
//! syntax, `subdomains.set` of at most one, and a spec with nothing to
//! deploy. They run on the typed spec, before any request.

use super::de::push_key;
use super::spec::*;
use super::SpecError;

const INVALID: &str = "INVALID_SPEC";

fn at(base: &str, key: &str) -> String {
    let mut p = base.to_string();
    push_key(&mut p, key);
    p
}

fn item(base: &str, i: usize) -> String {
    format!("{base}[{i}]")
}

fn invalid(path: String, problem: impl Into<String>) -> SpecError {
    SpecError { code: INVALID, path, problem: problem.into(), route_example: false, manifest_empty: false }
}

fn route_error(path: String, problem: impl Into<String>) -> SpecError {
    SpecError { route_example: true, ..invalid(path, problem) }
}

/// Every rule, in the order the sections are listed in the contract.
pub(super) fn check(spec: &ReleaseSpec) -> Result<(), SpecError> {
    if spec.project.is_empty() {
        return Err(invalid("spec.project".into(), "must be a non-empty project id"));
    }
    if let Some(base) = &spec.base {
        match (&base.release, &base.release_id) {
            (Some(_), Some(_)) => return Err(invalid("spec.base".into(), "use either release or release_id, not both")),
            (None, None) => return Err(invalid("spec.base".into(), "needs release (\"current\" or \"empty\") or release_id")),
            _ => {}
        }
    }
    if let Some(db) = &spec.database {
        for (i, m) in db.migrations.iter().flatten().enumerate() {
            let path = item("spec.database.migrations", i);
            if m.id.is_empty() {
                return Err(invalid(at(&path, "id"), "must be a non-empty migration id"));
            }
            if m.sql.is_none() && m.sql_ref.is_none() {
                return Err(invalid(at(&path, "sql"), "is required (or sql_ref)"));
            }
            if let Some(r) = &m.sql_ref {
                content_ref(r).map_err(|p| invalid(at(&path, "sql_ref"), p))?;
            }
        }
    }
    if let Some(s) = &spec.secrets {
        let require = secret_keys(s.require.as_deref(), "spec.secrets.require")?;
        let delete = secret_keys(s.delete.as_deref(), "spec.secrets.delete")?;
        if let Some(both) = require.iter().find(|k| delete.contains(k)) {
            return Err(invalid("spec.secrets".into(), format!("{} is in both require and delete", both)));
        }
    }
    if let Some(f) = &spec.functions {
        for (name, func) in f.replace.iter().flat_map(|e| &e.0) {
            function(func, &at("spec.functions.replace", name))?;
        }
        if let Some(patch) = &f.patch {
            for (name, func) in patch.set.iter().flat_map(|e| &e.0) {
                function(func, &at("spec.functions.patch.set", name))?;
            }
        }
    }
    if let Some(site) = &spec.site {
        if site.replace.is_some() && site.patch.is_some() {
            return Err(invalid("spec.site".into(), "use either replace or patch, not both"));
        }
        if let Some(pp) = &site.public_paths {
            public_paths(pp)?;
        }
    }
    if let Some(set) = spec.subdomains.as_ref().and_then(|s| s.set.as_ref()) {
        if set.len() > 1 {
            return Err(SpecError {
                code: "SUBDOMAIN_MULTI_NOT_SUPPORTED",
                ..invalid("spec.subdomains.set".into(), "accepts at most one subdomain per project for now")
            });
        }
    }
    if let Nullable::Value(routes) = &spec.routes {
        for (i, r) in routes.replace.iter().enumerate() {
            route(r, &item("spec.routes.replace", i))?;
        }
    }
    if !has_content(spec) {
        return Err(SpecError {
            code: "MANIFEST_EMPTY",
            manifest_empty: true,
            ..invalid("spec".into(), format!("has nothing to deploy; give at least one of {}", DEPLOYABLE.join(", ")))
        });
    }
    Ok(())
}

/// The sections that count as something to deploy (the error body lists them).
pub(super) const DEPLOYABLE: &[&str] = &["database", "site", "functions", "secrets", "subdomains", "routes", "checks"];

fn has_content(spec: &ReleaseSpec) -> bool {
    let list = |v: &Option<Vec<String>>| v.as_ref().is_some_and(|v| !v.is_empty());
    let map = |v: &Option<Entries<ContentSource>>| v.as_ref().is_some_and(|e| !e.0.is_empty());
    let db = spec.database.as_ref().is_some_and(|d| {
        d.migrations.as_ref().is_some_and(|m| !m.is_empty()) || d.expose.as_ref().is_some_and(|e| !e.0.keys().is_empty())
    });
    let site = spec.site.as_ref().is_some_and(|s| {
        map(&s.replace)
            || s.patch.as_ref().is_some_and(|p| map(&p.put) || list(&p.delete))
            || (s.replace.is_none() && s.patch.is_none() && s.public_paths.is_some())
    });
    let functions = spec.functions.as_ref().is_some_and(|f| {
        f.replace.as_ref().is_some_and(|r| !r.0.is_empty())
            || f.patch.as_ref().is_some_and(|p| p.set.as_ref().is_some_and(|s| !s.0.is_empty()) || list(&p.delete))
    });
    let secrets = spec.secrets.as_ref().is_some_and(|s| list(&s.require) || list(&s.delete));
    let subdomains = spec.subdomains.as_ref().is_some_and(|s| list(&s.set) || list(&s.add) || list(&s.remove));
    // `{ replace: [] }` clears the routes: that is a change. `null` is not.
    let routes = matches!(spec.routes, Nullable::Value(_));
    let checks = spec.checks.as_ref().is_some_and(|c| !c.is_empty());
    db || site || functions || secrets || subdomains || routes || checks
}

/// `^[A-Z_][A-Z0-9_]{0,127}$`, each once.
fn secret_keys<'a>(keys: Option<&'a [String]>, path: &str) -> Result<&'a [String], SpecError> {
    let keys = keys.unwrap_or(&[]);
    for (i, k) in keys.iter().enumerate() {
        let mut chars = k.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_uppercase() || c == '_');
        let rest_ok = chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !first_ok || !rest_ok || k.len() > 128 {
            return Err(invalid(item(path, i), "secret keys are A-Z, 0-9 and _, not starting with a digit, at most 128 long"));
        }
        if keys[..i].contains(k) {
            return Err(invalid(item(path, i), format!("{} is listed twice", k)));
        }
    }
    Ok(keys)
}

fn function(f: &Function, path: &str) -> Result<(), SpecError> {
    if let Some(c) = &f.config {
        let config = at(path, "config");
        for (name, v) in [("timeoutSeconds", c.timeout_seconds), ("memoryMb", c.memory_mb)] {
            if v == Some(0) {
                return Err(invalid(at(&config, name), "must be a positive integer"));
            }
        }
    }
    Ok(())
}

fn public_paths(pp: &PublicPaths) -> Result<(), SpecError> {
    let path = "spec.site.public_paths";
    match (pp.mode, &pp.replace) {
        (PublicPathsMode::Implicit, Some(_)) => Err(invalid(at(path, "replace"), "is not allowed when mode is \"implicit\"")),
        (PublicPathsMode::Explicit, None) => Err(invalid(at(path, "replace"), "is required when mode is \"explicit\"")),
        (PublicPathsMode::Explicit, Some(entries)) => {
            for (public, entry) in &entries.0 {
                if entry.asset.is_empty() {
                    return Err(invalid(at(&at(&at(path, "replace"), public), "asset"), "must be a non-empty release asset path"));
                }
            }
            Ok(())
        }
        (PublicPathsMode::Implicit, None) => Ok(()),
    }
}

fn route(r: &Route, path: &str) -> Result<(), SpecError> {
    if r.pattern.is_empty() {
        return Err(route_error(at(path, "pattern"), "must be a non-empty string"));
    }
    if let Some(methods) = &r.methods {
        if methods.is_empty() {
            return Err(route_error(at(path, "methods"), "must not be empty; leave it out to allow every method"));
        }
        if let Some((i, _)) = methods.iter().enumerate().find(|(i, m)| methods[..*i].contains(m)) {
            return Err(route_error(item(&at(path, "methods"), i), "is listed twice"));
        }
    }
    let target = at(path, "target");
    match r.target.kind {
        TargetKind::Function => {
            if r.target.file.is_some() {
                return Err(route_error(at(&target, "file"), "is only for static targets; a function target has a name"));
            }
            if r.target.name.as_deref().is_none_or(str::is_empty) {
                return Err(route_error(at(&target, "name"), "is required for a function target"));
            }
        }
        TargetKind::Static => {
            if r.target.name.is_some() {
                return Err(route_error(at(&target, "name"), "is only for function targets; a static target has a file"));
            }
            let file = r.target.file.as_deref().unwrap_or("");
            if file.is_empty() {
                return Err(route_error(at(&target, "file"), "is required for a static target"));
            }
            if !static_file_ok(file) {
                return Err(route_error(
                    at(&target, "file"),
                    "must be a relative site file path: no leading or trailing /, no ?, #, \\, and no empty, . or .. segments",
                ));
            }
            if r.pattern.contains('*') {
                return Err(route_error(at(path, "pattern"), "must be an exact path for a static target (no *)"));
            }
            let get_only = |m: &[Method]| matches!(m, [Method::GET] | [Method::GET, Method::HEAD] | [Method::HEAD, Method::GET]);
            if !r.methods.as_deref().is_some_and(get_only) {
                return Err(route_error(at(path, "methods"), "must be [\"GET\"] or [\"GET\", \"HEAD\"] for a static target"));
            }
        }
    }
    Ok(())
}

fn static_file_ok(file: &str) -> bool {
    !(file.starts_with('/')
        || file.ends_with('/')
        || file.contains(['?', '#', '\\'])
        || file.split('/').any(|s| s.is_empty() || s == "." || s == ".."))
}

fn hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn content_ref(r: &ContentRef) -> Result<(), String> {
    if !hex64(&r.sha256) {
        return Err("sha256 must be 64 lowercase hex digits".into());
    }
    Ok(())
}

/// Which form an object content source is, by the fields it has (§3.2):
/// `data` makes a wrapper, `__source` a file marker, else a ContentRef.
pub(super) fn content_object(o: ContentObject) -> Result<ContentSource, String> {
    let only = |form: &str, extra: &[(&str, bool)]| match extra.iter().find(|(_, present)| *present) {
        Some((name, _)) => Err(format!("{name} does not belong in {form}")),
        None => Ok(()),
    };
    if let Some(data) = o.data {
        only(
            "a { data, contentType } wrapper",
            &[("__source", o.source.is_some()), ("path", o.path.is_some()), ("sha256", o.sha256.is_some()), ("size", o.size.is_some()), ("integrity", o.integrity.is_some())],
        )?;
        return Ok(ContentSource::Wrapped { data, content_type: o.content_type });
    }
    if o.source.is_some() {
        only(
            "an fs-file source",
            &[("sha256", o.sha256.is_some()), ("size", o.size.is_some()), ("integrity", o.integrity.is_some())],
        )?;
        let path = o.path.ok_or("an fs-file source needs a path")?;
        return Ok(ContentSource::FsFile { path, content_type: o.content_type });
    }
    only("a ContentRef", &[("path", o.path.is_some())])?;
    match (o.sha256, o.size) {
        (Some(sha256), Some(size)) => {
            let r = ContentRef { sha256, size, content_type: o.content_type, integrity: o.integrity };
            content_ref(&r)?;
            Ok(ContentSource::Ref(r))
        }
        _ => Err(format!("expected {CONTENT_SOURCE} (a ContentRef needs sha256 and size)")),
    }
}
