//! The spec the deploy engine sends (contract §3.2): a [`ValidSpec`] with
//! each content position replaced by its `ContentRef`. Two passes over one
//! walk, so they cannot disagree on order: [`pieces`] lists the positions
//! to hash (with the label events name them by and the content type a file
//! gets from its extension when its source has none), and [`normalized`]
//! builds the spec from the refs hashed for them, in that order.

use crate::prelude::*;

use super::{ContentRef, ValidSpec};
use crate::json::{Json, JsonExt, Shape};
use crate::value::Val;

/// One content position to hash.
#[derive(Debug, Clone)]
pub struct Piece {
    /// What events and errors call it: the file's path, "function source",
    /// or `migration:<id>`.
    pub label: String,
    /// The caller's value at that position (text, bytes, a wrapper, an
    /// fs-file marker or a ref): read with [`super::content`].
    pub value: Json,
    /// The type when the source names none (file-set entries, migrations).
    pub fallback_type: Option<&'static str>,
}

/// The positions of `spec` to hash, in the order [`normalized`] reads them.
pub fn pieces(spec: &ValidSpec) -> Vec<Piece> {
    let mut slot = Collect(Vec::new());
    walk(spec.json(), &mut slot);
    slot.0
}

/// The spec as sent, with `refs[i]` (hashed for `pieces(spec)[i]`) at each
/// content position.
pub fn normalized(spec: &ValidSpec, refs: &[ContentRef]) -> Val {
    walk(spec.json(), &mut Fill(refs.iter()))
}

/// A ref as the wire carries it (camelCase `contentType`).
pub fn ref_value(r: &ContentRef) -> Val {
    let mut v = Val::object().with("sha256", r.sha256.as_str()).with("size", Val::Num(r.size as f64));
    if let Some(t) = &r.content_type {
        v = v.with("contentType", t.as_str());
    }
    if let Some(i) = &r.integrity {
        v = v.with("integrity", i.as_str());
    }
    v
}

trait Slot {
    /// The value for one content position.
    fn content(&mut self, label: String, value: Json, fallback_type: Option<&'static str>) -> Val;
}

struct Collect(Vec<Piece>);

impl Slot for Collect {
    fn content(&mut self, label: String, value: Json, fallback_type: Option<&'static str>) -> Val {
        self.0.push(Piece { label, value, fallback_type });
        Val::Undefined
    }
}

struct Fill<'r>(core::slice::Iter<'r, ContentRef>);

impl Slot for Fill<'_> {
    fn content(&mut self, _: String, _: Json, fallback_type: Option<&'static str>) -> Val {
        match self.0.next() {
            Some(r) if r.content_type.is_none() && fallback_type.is_some() => {
                ref_value(&ContentRef { content_type: fallback_type.map(str::to_string), ..r.clone() })
            }
            Some(r) => ref_value(r),
            None => Val::Undefined, // fewer refs than pieces: the engine's bug, not the caller's
        }
    }
}

fn truthy(v: &Json) -> bool {
    match v.shape() {
        Shape::Undefined | Shape::Null | Shape::Bool(false) => false,
        Shape::Number(n) => n != 0.0 && !n.is_nan(),
        Shape::String => v.as_string().is_some_and(|s| !s.is_empty()),
        _ => true,
    }
}

/// The field if present and truthy (the reference's `if (spec.x)`).
fn given(obj: &Json, key: &str) -> Option<Json> {
    obj.field(key).filter(truthy)
}

fn walk(spec: &Json, slot: &mut dyn Slot) -> Val {
    let mut out = Val::object().with("project", spec.field("project").map(Val::Json).unwrap_or(Val::Undefined));
    for key in ["base", "subdomains"] {
        if let Some(v) = given(spec, key) {
            out = out.with(key, Val::Json(v));
        }
    }
    if spec.has_field("routes") {
        out = out.with("routes", spec.field("routes").map(Val::Json).unwrap_or(Val::Undefined));
    }
    for key in ["checks", "secrets"] {
        if let Some(v) = given(spec, key) {
            out = out.with(key, Val::Json(v));
        }
    }
    if let Some(db) = given(spec, "database") {
        out = out.with("database", database(&db, slot));
    }
    if let Some(fns) = given(spec, "functions") {
        let mut f = Val::object();
        if let Some(replace) = given(&fns, "replace") {
            f = f.with("replace", functions(&replace, slot));
        }
        if let Some(patch) = given(&fns, "patch") {
            let mut p = Val::object();
            if let Some(set) = given(&patch, "set") {
                p = p.with("set", functions(&set, slot));
            }
            if let Some(delete) = given(&patch, "delete") {
                p = p.with("delete", Val::Json(delete));
            }
            f = f.with("patch", p);
        }
        out = out.with("functions", f);
    }
    if let Some(site) = given(spec, "site") {
        if let Some(s) = site_value(&site, slot) {
            out = out.with("site", s);
        }
    }
    out
}

fn database(db: &Json, slot: &mut dyn Slot) -> Val {
    let mut out = Val::object();
    if let Some(expose) = given(db, "expose") {
        out = out.with("expose", Val::Json(expose));
    }
    if let Some(Shape::Bool(b)) = db.field("zero_downtime").map(|z| z.shape()) {
        out = out.with("zero_downtime", b);
    }
    let migrations = db.field("migrations").map(|m| m.items()).unwrap_or_default();
    if !migrations.is_empty() {
        let mut list = Vec::with_capacity(migrations.len());
        for m in &migrations {
            list.push(migration(m, slot));
        }
        out = out.with("migrations", Val::Arr(list));
    }
    out
}

fn migration(m: &Json, slot: &mut dyn Slot) -> Val {
    let id = m.str_field("id").unwrap_or_default();
    let checksum = m.field("checksum").filter(|c| !c.is_nullish());
    let (sql_ref, default_checksum) = match given(m, "sql_ref") {
        Some(r) => (Val::Json(r.clone()), r.field("sha256").map(Val::Json).unwrap_or(Val::Undefined)),
        None => {
            // The validator requires `sql` when there is no `sql_ref`.
            let sql = m.field("sql").unwrap_or_else(crate::json::Native::undefined);
            let r = slot.content(format!("migration:{id}"), sql, Some("application/sql"));
            // The sql's own hash: the ref's, once hashed.
            let sha = match &r {
                Val::Obj(_) => r.get("sha256").cloned().unwrap_or(Val::Undefined),
                _ => Val::Undefined,
            };
            (r, sha)
        }
    };
    let mut out = Val::object()
        .with("id", id.as_str())
        .with("checksum", checksum.map(Val::Json).unwrap_or(default_checksum))
        .with("sql_ref", sql_ref);
    if let Some(t) = given(m, "transaction") {
        out = out.with("transaction", Val::Json(t));
    }
    out
}

fn functions(map: &Json, slot: &mut dyn Slot) -> Val {
    let mut out = Val::object();
    for name in map.keys() {
        let Some(f) = map.field(&name) else { continue };
        out = out.with(&name, function(&f, slot));
    }
    out
}

fn function(f: &Json, slot: &mut dyn Slot) -> Val {
    let runtime = f.field("runtime").filter(|r| !r.is_nullish());
    let mut out = Val::object().with("runtime", runtime.map(Val::Json).unwrap_or_else(|| "node22".into()));
    if let Some(config) = given(f, "config") {
        out = out.with("config", Val::Json(config));
    }
    if f.has_field("schedule") {
        if let Some(s) = f.field("schedule") {
            out = out.with("schedule", Val::Json(s)); // null kept: it clears a schedule
        }
    }
    if let Some(e) = given(f, "entrypoint") {
        out = out.with("entrypoint", Val::Json(e));
    }
    if let Some(source) = f.field("source") {
        out = out.with("source", slot.content("function source".to_string(), source, None));
    }
    if let Some(files) = given(f, "files") {
        out = out.with("files", file_set(&files, slot));
    }
    out
}

fn file_set(set: &Json, slot: &mut dyn Slot) -> Val {
    let mut out = Val::object();
    for path in set.keys() {
        let Some(source) = set.field(&path) else { continue };
        let guessed = guess_type(&path);
        let r = slot.content(path.clone(), source, Some(guessed));
        out = out.with(&path, r);
    }
    out
}

fn site_value(site: &Json, slot: &mut dyn Slot) -> Option<Val> {
    let public = given(site, "public_paths");
    let with_public = |v: Val| match &public {
        Some(p) => v.with("public_paths", Val::Json(p.clone())),
        None => v,
    };
    if let Some(replace) = given(site, "replace") {
        return Some(with_public(Val::object().with("replace", file_set(&replace, slot))));
    }
    if let Some(patch) = given(site, "patch") {
        let mut p = Val::object();
        if let Some(put) = given(&patch, "put") {
            p = p.with("put", file_set(&put, slot));
        }
        if let Some(delete) = given(&patch, "delete") {
            p = p.with("delete", Val::Json(delete));
        }
        return Some(with_public(Val::object().with("patch", p)));
    }
    public.map(|p| Val::object().with("public_paths", Val::Json(p)))
}

/// The types file-set entries get from their extension (contract §3.2).
const FILE_TYPES: &[(&str, &str)] = &[
    ("html", "text/html; charset=utf-8"),
    ("htm", "text/html; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("cjs", "text/javascript; charset=utf-8"),
    ("json", "application/json"),
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("ico", "image/x-icon"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("ttf", "font/ttf"),
    ("otf", "font/otf"),
    ("txt", "text/plain; charset=utf-8"),
    ("md", "text/markdown; charset=utf-8"),
    ("xml", "application/xml"),
    ("pdf", "application/pdf"),
    ("wasm", "application/wasm"),
    ("sql", "application/sql"),
];

/// A file's content type from its extension; a path without one gets
/// `application/octet-stream` (contract §3.2).
pub fn guess_type(path: &str) -> &'static str {
    path.rsplit_once('.')
        .and_then(|(_, ext)| crate::kernel::headers::media_type_of(ext, FILE_TYPES))
        .unwrap_or("application/octet-stream")
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::deploy::{validate, ContentRef};
    use crate::testing::json as host;

    fn spec(v: Value) -> ValidSpec {
        match validate(&host(v), &|_| None) {
            Ok(s) => s,
            Err(e) => panic!("invalid: {}: {}", e.path, e.problem),
        }
    }

    fn r(n: u64, ct: Option<&str>) -> ContentRef {
        ContentRef { sha256: format!("{n:064x}"), size: n, content_type: ct.map(str::to_string), integrity: None }
    }

    /// The value as JSON text with host values shown as their JSON, for comparing.
    fn text(v: &Val) -> Value {
        match v {
            Val::Undefined | Val::Null => Value::Null,
            Val::Bool(b) => json!(b),
            Val::Num(n) if n.fract() == 0.0 => json!(*n as i64),
            Val::Num(n) => json!(n),
            Val::Str(s) => json!(s),
            Val::Arr(a) => Value::Array(a.iter().map(text).collect()),
            Val::Obj(o) => Value::Object(o.iter().filter(|(_, v)| !matches!(v, Val::Undefined)).map(|(k, v)| (k.clone(), text(v))).collect()),
            Val::Json(j) => j.as_any().downcast_ref::<crate::testing::SJson>().map(|s| s.0.clone()).unwrap_or(Value::Null),
            Val::Secret(_) => json!("<secret>"),
        }
    }

    #[test]
    fn pieces_and_refs_meet_in_the_same_order() {
        let s = spec(json!({
            "project": "prj_1",
            "database": {"migrations": [{"id": "001", "sql": "create table t (id int)"}, {"id": "002", "sql_ref": {"sha256": "ab".repeat(32), "size": 2}}], "zero_downtime": false},
            "functions": {"replace": {"api": {"source": "export default () => new Response('ok')", "files": {"lib/x.mjs": "x"}}}},
            "site": {"replace": {"index.html": "<h1>hi</h1>", "logo.png": {"data": "png", "contentType": "image/x-own"}}}
        }));
        let labels: Vec<String> = pieces(&s).into_iter().map(|p| p.label).collect();
        assert_eq!(labels, ["migration:001", "function source", "lib/x.mjs", "index.html", "logo.png"]);
        let refs = [r(1, None), r(2, None), r(3, None), r(4, None), r(5, Some("image/x-own"))];
        let out = text(&normalized(&s, &refs));
        assert_eq!(
            out,
            json!({
                "project": "prj_1",
                "database": {"zero_downtime": false, "migrations": [
                    {"id": "001", "checksum": format!("{:064x}", 1), "sql_ref": {"sha256": format!("{:064x}", 1), "size": 1, "contentType": "application/sql"}},
                    {"id": "002", "checksum": "ab".repeat(32), "sql_ref": {"sha256": "ab".repeat(32), "size": 2}}
                ]},
                "functions": {"replace": {"api": {"runtime": "node22",
                    "source": {"sha256": format!("{:064x}", 2), "size": 2},
                    "files": {"lib/x.mjs": {"sha256": format!("{:064x}", 3), "size": 3, "contentType": "text/javascript; charset=utf-8"}}}}},
                "site": {"replace": {
                    "index.html": {"sha256": format!("{:064x}", 4), "size": 4, "contentType": "text/html; charset=utf-8"},
                    "logo.png": {"sha256": format!("{:064x}", 5), "size": 5, "contentType": "image/x-own"}}}
            })
        );
    }

    #[test]
    fn kept_and_dropped_fields() {
        let s = spec(json!({"project": "p", "routes": null, "site": {"patch": {"delete": ["old.html"]}, "public_paths": {"mode": "implicit"}},
            "functions": {"patch": {"delete": ["gone"], "set": {"f": {"schedule": null, "runtime": "node22", "source": "s"}}}}}));
        assert_eq!(pieces(&s).len(), 1);
        let out = text(&normalized(&s, &[r(9, None)]));
        assert_eq!(out["routes"], Value::Null);
        assert!(out.as_object().is_some_and(|o| o.contains_key("routes")));
        assert_eq!(out["site"], json!({"patch": {"delete": ["old.html"]}, "public_paths": {"mode": "implicit"}}));
        assert_eq!(out["functions"]["patch"]["delete"], json!(["gone"]));
        assert!(out["functions"]["patch"]["set"]["f"].as_object().is_some_and(|f| f.contains_key("schedule")));
        let bare = text(&normalized(&spec(json!({"project": "p", "site": {"public_paths": {"mode": "implicit"}}})), &[]));
        assert_eq!(bare, json!({"project": "p", "site": {"public_paths": {"mode": "implicit"}}}));
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(guess_type("a/b/INDEX.HTM"), "text/html; charset=utf-8");
        assert_eq!(guess_type("x.woff2"), "font/woff2");
        assert_eq!(guess_type("Makefile"), "application/octet-stream");
        assert_eq!(guess_type("x.tar.gz"), "application/octet-stream");
        assert_eq!(guess_type("data.SQL"), "application/sql");
    }
}
