use serde_json::{json, Value};

use super::{content, release_spec, validate, Content, ContentRef, SpecError, ValidSpec};
use crate::json::{Json, JsonExt, Native, Shape};
use crate::kernel::{BodyInfo, BodyKind};
use crate::testing::{host_thing, json as host, HostThing};

/// The mock host's brand check: bytes, blobs and streams are byte sources.
fn probe(j: &Json) -> Option<BodyInfo> {
    match host_thing(j)? {
        HostThing::Bytes(b) => Some(BodyInfo { kind: BodyKind::Bytes, length: Some(b.len() as u64) }),
        HostThing::Blob(b) => Some(BodyInfo { kind: BodyKind::Blob, length: Some(b.len() as u64) }),
        HostThing::Stream(_) => Some(BodyInfo { kind: BodyKind::Stream, length: None }),
        HostThing::Response { .. } => None,
    }
}

fn parse(v: Value) -> Result<ValidSpec, SpecError> {
    validate(&host(v), &probe)
}

fn ok(v: Value) -> ValidSpec {
    match parse(v) {
        Ok(s) => s,
        Err(e) => panic!("expected a valid spec, got {}: {}", e.path, e.problem),
    }
}

/// The error's message as the caller sees it.
fn fails(v: Value) -> String {
    match parse(v) {
        Ok(_) => panic!("expected an error"),
        Err(e) => format!("{}: {}", e.path, e.problem),
    }
}

fn code(v: Value) -> &'static str {
    parse(v).err().map(|e| e.code).unwrap_or("ok")
}

/// A minimal valid spec with `extra` laid over it.
fn with(extra: Value) -> Value {
    let mut base = json!({ "project": "prj_1", "site": { "replace": { "index.html": "<h1>hi</h1>" } } });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        base[k] = v;
    }
    base
}

fn realistic() -> Value {
    json!({
        "project": "prj_123",
        "base": { "release": "current" },
        "database": {
            "migrations": [
                { "id": "001_init", "sql": "CREATE TABLE t (id int)" },
                { "id": "002_ref", "sql_ref": { "sha256": "a".repeat(64), "size": 12, "contentType": "application/sql" }, "transaction": "none" }
            ],
            "expose": { "version": "1", "tables": [] },
            "zero_downtime": true
        },
        "secrets": { "require": ["OPENAI_API_KEY"], "delete": ["OLD_KEY"] },
        "functions": {
            "replace": {
                "api": { "runtime": "node22", "source": "export default () => new Response('ok')", "config": { "timeoutSeconds": 30, "memoryMb": 256 }, "schedule": null },
                "worker": { "files": { "index.mjs": "x", "lib/util.mjs": { "data": "y", "contentType": "text/javascript" } }, "entrypoint": "index.mjs", "schedule": "*/5 * * * *" }
            }
        },
        "site": {
            "replace": {
                "index.html": "<h1>hello</h1>",
                "app.js": { "data": "console.log(1)", "contentType": "text/javascript; charset=utf-8" },
                "logo.png": { "sha256": "b".repeat(64), "size": 2048, "contentType": "image/png" },
                "big.bin": { "__source": "fs-file", "path": "/tmp/big.bin" }
            },
            "public_paths": { "mode": "explicit", "replace": { "/": { "asset": "index.html", "cache_class": "html" } } }
        },
        "subdomains": { "set": ["my-app"] },
        "routes": { "replace": [
            { "pattern": "/api/*", "target": { "type": "function", "name": "api" } },
            { "pattern": "/events", "methods": ["GET", "HEAD"], "target": { "type": "static", "file": "events.html" } }
        ] },
        "checks": [{ "name": "home", "http": { "path": "/" } }]
    })
}

/// A field of a field of ... of the spec's value.
fn at(spec: &ValidSpec, keys: &[&str]) -> Json {
    keys.iter().fold(spec.json().clone(), |v, k| v.field(k).unwrap_or_else(|| panic!("no {k}")))
}

/// Each entry of a file map with the form its content was read as.
fn forms(files: &Json) -> Vec<(String, Content)> {
    files.keys().into_iter().map(|k| {
        let c = content(&files.field(&k).expect("entry"), &probe).unwrap_or_else(|| panic!("{k}: no content"));
        (k, c)
    }).collect()
}

#[test]
fn a_realistic_spec_is_valid_and_reads_through_the_view() {
    let s = ok(realistic());
    assert_eq!(s.project(), "prj_123");
    assert_eq!(at(&s, &["base"]).str_field("release").as_deref(), Some("current"));
    let site = forms(&at(&s, &["site", "replace"]));
    let keys: Vec<_> = site.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["index.html", "app.js", "logo.png", "big.bin"], "caller's order kept");
    assert!(matches!(&site[0].1, Content::Text(t) if t.string().as_deref() == Some("<h1>hello</h1>")));
    let Content::Wrapped { data, content_type } = &site[1].1 else { panic!("{:?}", site[1].1) };
    assert_eq!(content_type.as_deref(), Some("text/javascript; charset=utf-8"));
    assert!(matches!(content(data, &probe), Some(Content::Text(_))));
    let logo = ContentRef { sha256: "b".repeat(64), size: 2048, content_type: Some("image/png".into()), integrity: None };
    assert!(matches!(&site[2].1, Content::Ref(r) if *r == logo));
    assert!(matches!(&site[3].1, Content::FsFile { path, content_type: None } if path == "/tmp/big.bin"));
    let worker = forms(&at(&s, &["functions", "replace", "worker", "files"]));
    assert!(matches!(&worker[1].1, Content::Wrapped { content_type: Some(ct), .. } if ct == "text/javascript"));
    assert_eq!(at(&s, &["functions", "replace", "api", "schedule"]).shape(), Shape::Null);
    assert_eq!(at(&s, &["routes", "replace"]).shape(), Shape::Array(2));
}

#[test]
fn unknown_fields_are_rejected_at_any_depth_with_their_path() {
    let cases = [
        (with(json!({ "sites": {} })), "spec.sites: unknown field (allowed: project, base, database, secrets, functions, site, subdomains, routes, checks)"),
        (with(json!({ "site": { "patch": { "puts": {} } } })), "spec.site.patch.puts: unknown field (allowed: put, delete)"),
        (with(json!({ "base": { "release": "current", "id": "x" } })), "spec.base.id: unknown field (allowed: release, release_id)"),
        (
            with(json!({ "functions": { "replace": { "api": { "source": "x", "config": { "timeout": 3 } } } } })),
            "spec.functions.replace.api.config.timeout: unknown field (allowed: timeoutSeconds, memoryMb)",
        ),
        (
            with(json!({ "routes": { "replace": [{ "pattern": "/a", "target": { "type": "function", "nme": "a" } }] } })),
            "spec.routes.replace[0].target.nme: unknown field (allowed: type, name, file)",
        ),
        (
            with(json!({ "site": { "replace": { "index.html": { "data": "x", "contentTyp": "text/html" } } } })),
            "spec.site.replace[\"index.html\"].contentTyp: unknown field (allowed: data, contentType, __source, path, sha256, size, integrity)",
        ),
        (
            with(json!({ "database": { "migrations": [{ "id": "1", "sql": "x" }, { "id": "2", "sql": "y", "checksun": "z" }] } })),
            "spec.database.migrations[1].checksun: unknown field (allowed: id, checksum, sql, sql_ref, transaction)",
        ),
        (with(json!({ "secrets": { "require": [], "rotate": [] } })), "spec.secrets.rotate: unknown field (allowed: require, delete)"),
    ];
    for (spec, want) in cases {
        assert_eq!(fails(spec), want);
    }
}

#[test]
fn common_mistakes_get_a_hint() {
    let e = fails(json!({ "project_id": "p", "site": { "replace": { "a": "b" } } }));
    assert!(e.starts_with("spec.project_id: unknown field") && e.ends_with("the project id goes in `project`"), "{e}");
    let e = fails(with(json!({ "secrets": { "set": { "K": "v" } } })));
    assert!(e.starts_with("spec.secrets.set: unknown field") && e.contains("secrets.require"), "{e}");
    let e = fails(with(json!({ "routes": { "/api/*": "api" } })));
    assert!(e.starts_with("spec.routes[\"/api/*\"]: unknown field") && e.contains("not keyed by path"), "{e}");
}

#[test]
fn wrong_types_name_the_field_and_both_types() {
    let cases = [
        (json!("prj"), "spec: expected an object, got a string"),
        (json!([]), "spec: expected an object, got an array"),
        (json!({ "project": 5 }), "spec.project: expected a string, got a number"),
        (
            with(json!({ "site": { "replace": { "index.html": { "data": "x", "contentType": 5 } } } })),
            "spec.site.replace[\"index.html\"].contentType: expected a string, got a number",
        ),
        (with(json!({ "site": "dist" })), "spec.site: expected an object, got a string"),
        (with(json!({ "subdomains": { "set": "my-app" } })), "spec.subdomains.set: expected an array, got a string"),
        (with(json!({ "subdomains": { "add": ["a", 7] } })), "spec.subdomains.add[1]: expected a string, got a number"),
        (with(json!({ "database": { "zero_downtime": "yes" } })), "spec.database.zero_downtime: expected a boolean, got a string"),
        (with(json!({ "database": { "expose": [] } })), "spec.database.expose: expected an object, got an array"),
        (with(json!({ "checks": [1] })), "spec.checks[0]: expected an object, got a number"),
        (
            with(json!({ "functions": { "replace": { "f": { "source": "x", "config": { "memoryMb": 1.5 } } } } })),
            "spec.functions.replace.f.config.memoryMb: expected a non-negative safe integer",
        ),
        (
            with(json!({ "functions": { "replace": { "f": { "source": "x", "config": { "timeoutSeconds": -1 } } } } })),
            "spec.functions.replace.f.config.timeoutSeconds: expected a non-negative safe integer",
        ),
        (
            with(json!({ "functions": { "replace": { "f": { "source": "x", "config": { "timeoutSeconds": "30" } } } } })),
            "spec.functions.replace.f.config.timeoutSeconds: expected an integer, got a string",
        ),
    ];
    for (spec, want) in cases {
        assert_eq!(fails(spec), want);
    }
}

#[test]
fn enums_list_their_values() {
    let cases = [
        (with(json!({ "base": { "release": "latest" } })), "spec.base.release: \"latest\" is not one of current, empty"),
        (
            with(json!({ "routes": { "replace": [{ "pattern": "/a", "methods": ["FETCH"], "target": { "type": "function", "name": "a" } }] } })),
            "spec.routes.replace[0].methods[0]: \"FETCH\" is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
        ),
        (
            with(json!({ "routes": { "replace": [{ "pattern": "/a", "target": { "type": "lambda", "name": "a" } }] } })),
            "spec.routes.replace[0].target.type: \"lambda\" is not one of function, static",
        ),
        (
            with(json!({ "database": { "migrations": [{ "id": "1", "sql": "x", "transaction": "maybe" }] } })),
            "spec.database.migrations[0].transaction: \"maybe\" is not one of required, none",
        ),
        (with(json!({ "functions": { "replace": { "f": { "runtime": "node18", "source": "x" } } } })), "spec.functions.replace.f.runtime: \"node18\" is not one of node22"),
        (with(json!({ "site": { "public_paths": { "mode": "auto" } } })), "spec.site.public_paths.mode: \"auto\" is not one of implicit, explicit"),
        (with(json!({ "base": { "release": 1 } })), "spec.base.release: expected a string, got a number"),
    ];
    for (spec, want) in cases {
        assert_eq!(fails(spec), want);
    }
}

#[test]
fn required_fields_are_named_where_they_belong() {
    let cases = [
        (json!({ "site": { "replace": { "a": "b" } } }), "spec.project: is required"),
        (with(json!({ "routes": {} })), "spec.routes.replace: is required"),
        (with(json!({ "routes": { "replace": [{ "pattern": "/a" }] } })), "spec.routes.replace[0].target: is required"),
        (with(json!({ "routes": { "replace": [{ "pattern": "/a", "target": {} }] } })), "spec.routes.replace[0].target.type: is required"),
        (with(json!({ "database": { "migrations": [{ "sql": "x" }] } })), "spec.database.migrations[0].id: is required"),
        (with(json!({ "database": { "migrations": [{ "id": "1" }] } })), "spec.database.migrations[0].sql: is required (or sql_ref)"),
        (with(json!({ "site": { "public_paths": { "mode": "explicit" } } })), "spec.site.public_paths.replace: is required when mode is \"explicit\""),
        (
            with(json!({ "site": { "public_paths": { "mode": "explicit", "replace": { "/x": {} } } } })),
            "spec.site.public_paths.replace[\"/x\"].asset: is required",
        ),
    ];
    for (spec, want) in cases {
        assert_eq!(fails(spec), want);
    }
}

#[test]
fn content_sources_take_every_form_of_the_contract() {
    // `{ project, site: { replace: { "f.bin": v } } }` where v may be a
    // host value that is not JSON.
    let entry = |v: Json| {
        let object = |base: Option<Json>, key: &str, v: Json| -> Json {
            alloc::rc::Rc::new(Native::Overlay { base, extra: vec![(key.to_string(), v)] })
        };
        let site = object(None, "replace", object(None, "f.bin", v));
        validate(&object(Some(host(json!({ "project": "p" }))), "site", site), &probe)
    };
    for thing in [HostThing::Bytes(vec![1, 2]), HostThing::Blob(vec![3]), HostThing::Stream(vec![4])] {
        let s = entry(thing.clone().json()).unwrap_or_else(|e| panic!("{thing:?}: {}", e.problem));
        let files = forms(&at(&s, &["site", "replace"]));
        assert!(matches!(&files[0].1, Content::Bytes(b) if host_thing(&b.value) == Some(&thing)), "{thing:?}");
    }
    let e = entry(HostThing::Response { status: 200, body: String::new() }.json()).expect_err("a Response is no byte source");
    assert_eq!(e.path, "spec.site.replace[\"f.bin\"]");
    assert!(e.problem.starts_with("expected a string, Uint8Array, ArrayBuffer, Blob, ReadableStream"), "{}", e.problem);

    // A wrapper around a wrapper around bytes, and every JSON form.
    let nested = entry(host(json!({ "data": { "data": "x" }, "contentType": "text/plain" }))).expect("nested wrapper");
    let files = forms(&at(&nested, &["site", "replace"]));
    assert!(matches!(&files[0].1, Content::Wrapped { data, .. } if matches!(content(data, &probe), Some(Content::Wrapped { .. }))));
    let file = |v: Value| with(json!({ "site": { "replace": { "f": v } } }));
    let cases = [
        (file(json!(5)), "spec.site.replace.f: expected a string, Uint8Array, ArrayBuffer, Blob, ReadableStream, { data, contentType } or a ContentRef, got a number"),
        (file(json!(["x"])), "spec.site.replace.f: expected a string, Uint8Array, ArrayBuffer, Blob, ReadableStream, { data, contentType } or a ContentRef, got an array"),
        (file(json!({ "sha256": "a".repeat(64) })), "spec.site.replace.f: expected a string, Uint8Array, ArrayBuffer, Blob, ReadableStream, { data, contentType } or a ContentRef (a ContentRef needs sha256 and size)"),
        (file(json!({ "sha256": "ABC", "size": 1 })), "spec.site.replace.f: sha256 must be 64 lowercase hex digits"),
        (file(json!({ "sha256": "a".repeat(64), "size": "1" })), "spec.site.replace.f.size: expected an integer, got a string"),
        (file(json!({ "data": "x", "sha256": "a".repeat(64) })), "spec.site.replace.f: sha256 does not belong in a { data, contentType } wrapper"),
        (file(json!({ "__source": "fs-dir", "path": "/x" })), "spec.site.replace.f.__source: \"fs-dir\" is not one of fs-file"),
        (file(json!({ "__source": "fs-file" })), "spec.site.replace.f: an fs-file source needs a path"),
        (file(json!({ "data": 7 })), "spec.site.replace.f.data: expected a string, Uint8Array, ArrayBuffer, Blob, ReadableStream, { data, contentType } or a ContentRef, got a number"),
        (file(json!({ "sha256": "a".repeat(64), "size": 1, "path": "x" })), "spec.site.replace.f: path does not belong in a ContentRef"),
    ];
    for (spec, want) in cases {
        assert_eq!(fails(spec), want);
    }
}

#[test]
fn a_cyclic_or_absurdly_deep_value_stops_with_an_error() {
    let mut v = json!("x");
    for _ in 0..40 {
        v = json!({ "data": v });
    }
    let e = fails(with(json!({ "site": { "replace": { "f": v } } })));
    assert!(e.ends_with(": is nested too deeply") && e.starts_with("spec.site.replace.f.data.data"), "{e}");
}

#[test]
fn rules_beyond_the_types() {
    let cases = [
        (with(json!({ "base": { "release": "current", "release_id": "rel_1" } })), "spec.base: use either release or release_id, not both"),
        (with(json!({ "base": {} })), "spec.base: needs release (\"current\" or \"empty\") or release_id"),
        (json!({ "project": "p", "site": { "replace": { "a": "b" }, "patch": {} } }), "spec.site: use either replace or patch, not both"),
        (with(json!({ "site": { "public_paths": { "mode": "implicit", "replace": {} } } })), "spec.site.public_paths.replace: is not allowed when mode is \"implicit\""),
        (with(json!({ "secrets": { "require": ["lower"] } })), "spec.secrets.require[0]: secret keys are A-Z, 0-9 and _, not starting with a digit, at most 128 long"),
        (with(json!({ "secrets": { "require": ["1KEY"] } })), "spec.secrets.require[0]: secret keys are A-Z, 0-9 and _, not starting with a digit, at most 128 long"),
        (with(json!({ "secrets": { "delete": ["A", "B", "A"] } })), "spec.secrets.delete[2]: A is listed twice"),
        (with(json!({ "secrets": { "require": ["A"], "delete": ["A"] } })), "spec.secrets: A is in both require and delete"),
        (
            with(json!({ "functions": { "patch": { "set": { "f": { "source": "x", "config": { "timeoutSeconds": 0 } } } } } })),
            "spec.functions.patch.set.f.config.timeoutSeconds: must be a positive integer",
        ),
        (with(json!({ "database": { "migrations": [{ "id": "", "sql": "x" }] } })), "spec.database.migrations[0].id: must be a non-empty migration id"),
        (json!({ "project": "", "site": { "replace": { "a": "b" } } }), "spec.project: must be a non-empty project id"),
    ];
    for (spec, want) in cases {
        assert_eq!(fails(spec), want);
    }
    let secret = "K".repeat(128);
    ok(with(json!({ "secrets": { "require": [secret] } })));
    assert_eq!(code(with(json!({ "secrets": { "require": ["K".repeat(129)] } }))), "INVALID_SPEC");
}

#[test]
fn route_rules() {
    let route = |r: Value| with(json!({ "routes": { "replace": [r] } }));
    let cases = [
        (route(json!({ "pattern": "", "target": { "type": "function", "name": "a" } })), "spec.routes.replace[0].pattern: must be a non-empty string"),
        (route(json!({ "pattern": "/a", "methods": [], "target": { "type": "function", "name": "a" } })), "spec.routes.replace[0].methods: must not be empty; leave it out to allow every method"),
        (route(json!({ "pattern": "/a", "methods": ["GET", "POST", "GET"], "target": { "type": "function", "name": "a" } })), "spec.routes.replace[0].methods[2]: is listed twice"),
        (route(json!({ "pattern": "/a", "target": { "type": "function" } })), "spec.routes.replace[0].target.name: is required for a function target"),
        (route(json!({ "pattern": "/a", "target": { "type": "function", "name": "a", "file": "x" } })), "spec.routes.replace[0].target.file: is only for static targets; a function target has a name"),
        (route(json!({ "pattern": "/a", "methods": ["GET"], "target": { "type": "static", "name": "x" } })), "spec.routes.replace[0].target.name: is only for function targets; a static target has a file"),
        (route(json!({ "pattern": "/a", "methods": ["GET"], "target": { "type": "static" } })), "spec.routes.replace[0].target.file: is required for a static target"),
        (route(json!({ "pattern": "/a/*", "methods": ["GET"], "target": { "type": "static", "file": "a.html" } })), "spec.routes.replace[0].pattern: must be an exact path for a static target (no *)"),
        (route(json!({ "pattern": "/a", "target": { "type": "static", "file": "a.html" } })), "spec.routes.replace[0].methods: must be [\"GET\"] or [\"GET\", \"HEAD\"] for a static target"),
        (route(json!({ "pattern": "/a", "methods": ["GET", "POST"], "target": { "type": "static", "file": "a.html" } })), "spec.routes.replace[0].methods: must be [\"GET\"] or [\"GET\", \"HEAD\"] for a static target"),
    ];
    for (spec, want) in cases {
        assert_eq!(fails(spec), want);
    }
    for bad in ["/a.html", "a/", "a?x", "a#x", "a\\b", "a//b", "./a", "a/../b", "."] {
        let e = fails(route(json!({ "pattern": "/a", "methods": ["GET"], "target": { "type": "static", "file": bad } })));
        assert!(e.starts_with("spec.routes.replace[0].target.file: must be a relative site file path"), "{bad}: {e}");
    }
    for good in [json!(["GET"]), json!(["GET", "HEAD"]), json!(["HEAD", "GET"])] {
        ok(route(json!({ "pattern": "/a", "methods": good, "target": { "type": "static", "file": "docs/a.html" } })));
    }
}

#[test]
fn subdomains_and_empty_specs_have_their_own_codes() {
    assert_eq!(code(with(json!({ "subdomains": { "set": ["a", "b"] } }))), "SUBDOMAIN_MULTI_NOT_SUPPORTED");
    assert_eq!(code(with(json!({ "subdomains": { "set": ["a"] } }))), "ok");
    let empty = [
        json!({ "project": "p" }),
        json!({ "project": "p", "site": { "replace": {} } }),
        json!({ "project": "p", "site": { "patch": { "put": {}, "delete": [] } } }),
        json!({ "project": "p", "functions": { "replace": {}, "patch": { "set": {} } } }),
        json!({ "project": "p", "database": { "migrations": [], "expose": {} } }),
        json!({ "project": "p", "secrets": { "require": [] }, "subdomains": { "add": [] }, "checks": [] }),
        json!({ "project": "p", "routes": null, "base": { "release": "current" } }),
    ];
    for spec in empty {
        assert_eq!(code(spec.clone()), "MANIFEST_EMPTY", "{spec}");
    }
    let some = [
        json!({ "project": "p", "routes": { "replace": [] } }),
        json!({ "project": "p", "site": { "public_paths": { "mode": "implicit" } } }),
        json!({ "project": "p", "site": { "patch": { "delete": ["old.html"] } } }),
        json!({ "project": "p", "functions": { "patch": { "delete": ["f"] } } }),
        json!({ "project": "p", "database": { "expose": { "version": "1" } } }),
        json!({ "project": "p", "checks": [{ "name": "x" }] }),
    ];
    for spec in some {
        assert_eq!(code(spec.clone()), "ok", "{spec}");
    }
}

#[test]
fn null_reads_as_not_given_where_a_field_is_optional() {
    ok(with(json!({ "routes": null, "base": null, "secrets": null })));
    ok(with(json!({ "functions": { "replace": { "f": { "source": "x", "schedule": null, "config": null } } } })));
    assert_eq!(fails(json!({ "project": null })), "spec.project: expected a string, got null");
    assert_eq!(fails(with(json!({ "site": { "replace": { "f": null } } }))), "spec.site.replace.f: expected a string, Uint8Array, ArrayBuffer, Blob, ReadableStream, { data, contentType } or a ContentRef, got null");
}

#[test]
fn content_refuses_what_is_no_longer_a_content_source() {
    assert!(content(&host(json!(5)), &probe).is_none());
    assert!(content(&host(json!({ "sha256": "x", "size": 1 })), &probe).is_none());
    assert!(matches!(content(&host(json!("x")), &probe), Some(Content::Text(_))));
}

fn field_of(e: &crate::error::Error, name: &str) -> Option<Value> {
    e.extra.iter().find(|(k, _)| *k == name).map(|(_, v)| crate::testing::to_serde(v))
}

#[test]
fn the_sdk_error_carries_code_path_and_fix() {
    let e = release_spec(&host(with(json!({ "site": { "replace": { "index.html": { "data": "x", "contentType": 5 } } } }))), &probe)
        .expect_err("error");
    assert_eq!(e.kind, crate::error::ErrorKind::DeployError);
    assert_eq!(e.context, "validating spec");
    assert_eq!(e.message, "spec.site.replace[\"index.html\"].contentType: expected a string, got a number");
    let field = |name: &str| field_of(&e, name);
    assert_eq!(field("code"), Some(json!("INVALID_SPEC")));
    assert_eq!(field("phase"), Some(json!("validate")));
    assert_eq!(field("resource"), Some(json!("spec.site.replace[\"index.html\"].contentType")));
    assert_eq!(field("fix"), Some(json!({ "action": "set_field", "path": "site.replace[\"index.html\"].contentType" })));

    let route = release_spec(&host(with(json!({ "routes": { "replace": [{ "pattern": "" , "target": { "type": "function", "name": "a" } }] } }))), &probe)
        .expect_err("error");
    let fix = route.extra.iter().find(|(k, _)| *k == "fix").map(|(_, v)| crate::testing::to_serde(v)).expect("fix");
    assert_eq!(fix["path"], json!("routes.replace[0].pattern"));
    assert_eq!(fix["example"]["routes"]["replace"][0]["target"], json!({ "type": "function", "name": "api" }));

    let empty = release_spec(&host(json!({ "project": "p" })), &probe).expect_err("error");
    let body = crate::testing::to_serde(&empty.body);
    assert_eq!(body["deployable_fields"][0], json!("database"));
    assert_eq!(field_of(&empty, "code"), Some(json!("MANIFEST_EMPTY")));
    let fix = empty.extra.iter().find(|(k, _)| *k == "fix").map(|(_, v)| crate::testing::to_serde(v)).expect("fix");
    assert_eq!(fix, json!({ "action": "set_field", "path": "site.replace" }));
}

/// The cases `tests/js/spec.test.mjs` runs through the built package: the
/// same messages natively and for host objects.
#[test]
fn the_shared_cases_give_their_messages_natively() {
    let cases: Value = serde_json::from_str(include_str!("../../tests/fixtures/spec-cases.json")).expect("fixture");
    for case in cases.as_array().expect("cases") {
        let got = parse(case["spec"].clone());
        match case.get("error").and_then(Value::as_str) {
            Some(want) => {
                let e = got.expect_err(want);
                assert_eq!(format!("{}: {}", e.path, e.problem), want);
                assert_eq!(e.code, case.get("code").and_then(Value::as_str).unwrap_or("INVALID_SPEC"), "{want}");
            }
            None => {
                let s = got.unwrap_or_else(|e| panic!("{}: {}", e.path, e.problem));
                let form = |c: &Content| match c {
                    Content::Text(_) => "text",
                    Content::Bytes(_) => "bytes",
                    Content::Wrapped { .. } => "wrapped",
                    Content::FsFile { .. } => "fs-file",
                    Content::Ref(_) => "ref",
                };
                let files: Vec<Value> = forms(&at(&s, &["site", "replace"])).iter().map(|(k, c)| json!([k, form(c)])).collect();
                assert_eq!(Value::Array(files), case["files"]);
            }
        }
    }
}

/// The walker finds a field by name and records it as one bit: every
/// object of the table has unique names and fewer than 64 fields.
#[test]
fn the_table_has_unique_field_names_and_fits_the_given_mask() {
    use super::schema::{Schema, Ty, CONTENT_OBJECT, RELEASE_SPEC};
    fn walk(schema: &'static Schema, seen: &mut Vec<*const Schema>) {
        if seen.contains(&(schema as *const Schema)) {
            return;
        }
        seen.push(schema);
        assert!(schema.fields.len() < 64);
        for (i, f) in schema.fields.iter().enumerate() {
            assert!(schema.fields[..i].iter().all(|g| g.name != f.name), "{} twice", f.name);
            let mut ty = &f.ty;
            while let Ty::Map(t) | Ty::Arr(t) = ty {
                ty = t;
            }
            if let Ty::Obj(s) = ty {
                walk(s, seen);
            }
        }
    }
    let mut seen = Vec::new();
    walk(&RELEASE_SPEC, &mut seen);
    walk(&CONTENT_OBJECT, &mut seen);
    assert_eq!(seen.len(), 19, "every object schema of schema.rs reached");
}
