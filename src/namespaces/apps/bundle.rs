//! `apps.bundleDeploy`: the seed's legacy one-call deploy, kept for callers
//! written against it and run as a `deploy.apply` (seed: "legacy shim →
//! routes through deploy"). The bundle's options become a `ReleaseSpec`
//! ([`translate`]): migrations under an id derived from their SQL, `rls` as
//! an expose manifest, functions and site files as `replace` maps, the
//! subdomain as `subdomains.set`. Secret values never go into a spec: they
//! are written first with `secrets.set` and the spec only requires their
//! keys. The mapping is the reference's (`apps.ts` before 1.67.1 removed it).

use crate::prelude::*;

use crate::args::Args;
use crate::error::{Error, ErrorKind, Result};
use crate::json::{Json, JsonExt, Native, Shape};
use crate::kernel::sha256::digest;
use crate::kernel::Kernel;
use crate::namespaces::{deploy, secrets};
use crate::routes;
use crate::surface::no_events;
use crate::value::Val;
use crate::wallet::codec::{hex, unbase64};

const TRANSLATING: &str = "translating bundle to release spec";
const CHECKING_SECRETS: &str = "validating bundle deploy secrets";
/// The gateway's limit on a secret's value, in UTF-8 bytes.
const MAX_SECRET_BYTES: usize = 4096;
const UNRESTRICTED: &str = "public_read_write_UNRESTRICTED";

/// A bundle as a deploy: the spec, and the secrets to write before it.
pub struct Bundle {
    pub spec: Val,
    /// `(key, value)`; the value stays the caller's host string.
    pub secrets: Vec<(String, Json)>,
}

/// `INVALID_SPEC` for a bundle field, as the reference raises it.
fn invalid(context: &str, resource: &str, message: impl Into<String>) -> Error {
    Error { kind: ErrorKind::DeployError, ..Error::local(context, message) }
        .with("code", "INVALID_SPEC")
        .with("phase", "validate")
        .with("resource", resource)
        .with("retryable", false)
        .with("fix", Val::object().with("action", "set_field").with("path", resource))
}

/// An optional array field's items (absent, `undefined` or `null`: none).
fn items(a: &Args, opts: &Json, name: &str) -> Result<Vec<Json>> {
    match opts.field(name) {
        None => Ok(Vec::new()),
        Some(v) if v.is_nullish() => Ok(Vec::new()),
        Some(v) if matches!(v.shape(), Shape::Array(_)) => Ok(v.items()),
        Some(_) => Err(a.error(format!("`opts.{name}` must be an array"))),
    }
}

/// A required string field of an entry of `list`.
fn text(a: &Args, entry: &Json, list: &str, field: &str) -> Result<Json> {
    match entry.field(field) {
        Some(v) if v.shape() == Shape::String => Ok(v),
        _ => Err(a.error(format!("each `opts.{list}` entry needs a string `{field}`"))),
    }
}

/// `^[A-Z_][A-Z0-9_]{0,127}$`.
fn is_secret_key(key: &str) -> bool {
    let b = key.as_bytes();
    (1..=128).contains(&b.len()) && !b[0].is_ascii_digit() && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

/// The legacy secrets, all checked before any is written (a value is never
/// quoted, not even its size).
fn secrets(a: &Args, opts: &Json) -> Result<Vec<(String, Json)>> {
    let mut out: Vec<(String, Json)> = Vec::new();
    for entry in items(a, opts, "secrets")? {
        let key = entry.str_field("key").filter(|k| is_secret_key(k));
        let Some(key) = key else {
            return Err(invalid(CHECKING_SECRETS, "secrets", "bundleDeploy: each secret needs a `key` matching ^[A-Z_][A-Z0-9_]{0,127}$"));
        };
        if out.iter().any(|(k, _)| *k == key) {
            return Err(invalid(CHECKING_SECRETS, "secrets", format!("bundleDeploy: secret {key} is given twice")));
        }
        let resource = format!("secrets.{key}");
        let value = match entry.field("value") {
            Some(v) if v.shape() == Shape::String => v,
            _ => return Err(invalid(CHECKING_SECRETS, &resource, format!("bundleDeploy: secret {key} needs a string `value`"))),
        };
        if value.string().map_or(0, |s| s.len()) > MAX_SECRET_BYTES {
            return Err(invalid(CHECKING_SECRETS, &resource, format!("bundleDeploy: secret {key}'s value is over {MAX_SECRET_BYTES} UTF-8 bytes")));
        }
        out.push((key, value));
    }
    Ok(out)
}

/// `rls: { template, tables: [{ table, owner_column? }], i_understand_this_is_unrestricted? }`
/// as an expose manifest (version "1"): each table exposed under the template.
fn expose(a: &Args, rls: &Json) -> Result<Val> {
    let tables = rls.field("tables").filter(|t| rls.is_object() && matches!(t.shape(), Shape::Array(_)));
    let Some(tables) = tables else {
        return Err(invalid(TRANSLATING, "rls", "bundleDeploy: `opts.rls` must be { template, tables: [...] }"));
    };
    let template = rls.str_field("template").ok_or_else(|| a.error("`opts.rls.template` must be a string"))?;
    let unrestricted = template == UNRESTRICTED && rls.bool_field("i_understand_this_is_unrestricted") == Some(true);
    let mut out = Vec::new();
    for t in tables.items() {
        let name = text(a, &t, "rls.tables", "table")?;
        let mut entry = Val::object().with("name", name).with("expose", true).with("policy", template.as_str());
        if let Some(owner) = t.str_field("owner_column").filter(|o| !o.is_empty()) {
            entry = entry.with("owner_column", owner);
        }
        if unrestricted {
            entry = entry.with("i_understand_this_is_unrestricted", true);
        }
        out.push(entry);
    }
    Ok(Val::object().with("version", "1").with("tables", Val::Arr(out)).with("views", Val::Arr(Vec::new())).with("rpcs", Val::Arr(Vec::new())))
}

/// `functions: [{ name, code, config?: { timeout?, memory? }, schedule? }]`
/// as `functions.replace` (runtime node22).
fn functions(a: &Args, opts: &Json) -> Result<Option<Val>> {
    let list = items(a, opts, "functions")?;
    if list.is_empty() {
        return Ok(None);
    }
    let mut replace = Val::object();
    for f in list {
        let name = text(a, &f, "functions", "name")?.string().unwrap_or_default();
        let mut spec = Val::object().with("runtime", "node22").with("source", text(a, &f, "functions", "code")?);
        if let Some(config) = f.field("config").filter(|c| c.is_object()) {
            let mut mapped = Val::object();
            for (from, to) in [("timeout", "timeoutSeconds"), ("memory", "memoryMb")] {
                if let Some(n) = config.field(from).filter(|n| matches!(n.shape(), Shape::Number(_))) {
                    mapped = mapped.with(to, n);
                }
            }
            spec = spec.with("config", mapped);
        }
        match f.field("schedule") {
            None => {}
            Some(s) if s.is_nullish() => spec = spec.with("schedule", Val::Null),
            Some(s) => spec = spec.with("schedule", s),
        }
        replace = replace.with(&name, spec);
    }
    Ok(Some(Val::object().with("replace", replace)))
}

/// `files: [{ file, data, encoding? }]` as `site.replace`. Base64 data is
/// decoded here; only text survives the trip to a spec as a string, so
/// binary base64 files are refused (deploy them with `deploy.apply` and a
/// `Uint8Array`).
fn site(a: &Args, opts: &Json) -> Result<Option<Val>> {
    let list = items(a, opts, "files")?;
    if list.is_empty() {
        return Ok(None);
    }
    let mut replace = Val::object();
    for f in list {
        let path = text(a, &f, "files", "file")?.string().unwrap_or_default();
        let data = text(a, &f, "files", "data")?;
        let content = match f.str_field("encoding").as_deref() {
            None | Some("utf-8") => Val::Json(data),
            Some("base64") => {
                let bytes = unbase64(&data.string().unwrap_or_default()).map_err(|e| a.error(format!("file {path}: base64 data: {e}")))?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| a.error(format!("file {path}: binary base64 data is not supported here; deploy it with deploy.apply and a Uint8Array")))?;
                Val::Str(text)
            }
            Some(_) => return Err(a.error(format!("file {path}: `encoding` must be \"utf-8\" or \"base64\""))),
        };
        replace = replace.with(&path, content);
    }
    Ok(Some(Val::object().with("replace", replace)))
}

/// The bundle's options as a `ReleaseSpec` for `project`, and its secrets.
///
/// # Errors
/// `LocalError` for a malformed option; `Run402DeployError` `INVALID_SPEC`
/// for a malformed `rls` or secret, as the reference raises them.
pub fn translate(a: &Args, project: &str, opts: Option<&Json>) -> Result<Bundle> {
    let mut spec = Val::object().with("project", project);
    let Some(opts) = opts else { return Ok(Bundle { spec, secrets: Vec::new() }) };
    let migrations = match opts.field("migrations") {
        None => None,
        Some(m) if m.is_nullish() => None,
        Some(m) => Some(m.as_string().ok_or_else(|| a.error("`opts.migrations` must be a string of SQL"))?),
    };
    let rls = opts.field("rls").filter(|r| !r.is_nullish());
    if migrations.is_some() || rls.is_some() {
        let mut database = Val::object();
        if let Some(sql) = migrations.filter(|s| !s.trim().is_empty()) {
            // Re-shipping the same SQL is then a no-op for the migration registry.
            let sum = digest(sql.as_bytes());
            // The first 16 hex digits, from the bytes: slicing the text
            // would link str's boundary-error formatting (kilobytes).
            let id = format!("bundle_legacy_{}", hex(&sum[..8]));
            let sha = hex(&sum);
            let migration = Val::object().with("id", id).with("checksum", sha.as_str()).with("sql", sql);
            database = database.with("migrations", Val::Arr(vec![migration]));
        }
        if let Some(rls) = rls {
            database = database.with("expose", expose(a, &rls)?);
        }
        spec = spec.with("database", database);
    }
    let secrets = secrets(a, opts)?;
    if !secrets.is_empty() {
        let keys = secrets.iter().map(|(k, _)| Val::from(k.as_str())).collect();
        spec = spec.with("secrets", Val::object().with("require", Val::Arr(keys)));
    }
    if let Some(functions) = functions(a, opts)? {
        spec = spec.with("functions", functions);
    }
    if let Some(site) = site(a, opts)? {
        spec = spec.with("site", site);
    }
    match opts.field("subdomain") {
        None => {}
        Some(s) if s.is_nullish() => {}
        Some(s) => {
            let name = s.as_string().ok_or_else(|| a.error("`opts.subdomain` must be a string"))?;
            if !name.is_empty() {
                spec = spec.with("subdomains", Val::object().with("set", Val::Arr(vec![Val::Str(name)])));
            }
        }
    }
    // `inherit` is ignored, as the reference ignores it: a site patch is how
    // a deploy keeps earlier files now.
    Ok(Bundle { spec, secrets })
}

/// `bundleDeploy(projectId, opts?)`: the project must be known, the whole
/// spec valid (and, for a CI session, allowed) before the first secret is
/// written; then the secrets, one `secrets.set` each, then `deploy.apply`.
pub async fn deploy(k: &Kernel, a: Args) -> Result<Val> {
    let project = a.project_id(0)?;
    let opts = a.opt_object(1, "opts")?;
    k.project_keys(&project, a.context).await?;
    let bundle = translate(&a, &project, opts.as_ref())?;
    let host_error = |why: String| Error::local(TRANSLATING, why);
    let spec = k.transport.stringify(&bundle.spec).and_then(|text| k.transport.parse_json(&text)).map_err(host_error)?;
    let valid = crate::deploy::release_spec(&spec, &|j| k.transport.body_kind(j))?;
    if k.credentials.is_ci_session() {
        crate::deploy::ci_guard::check(valid.json())?;
    }
    for (key, value) in bundle.secrets {
        let set = Args::new("secrets", "set", "setting secret", vec![Native::string(project.as_str()), Native::string(key), value]);
        routes::run(k, set, &secrets::SET).await?;
    }
    let apply = Args::new(a.namespace, a.method, a.context, vec![spec, Native::undefined()]);
    let result = deploy::apply(k, apply, no_events()).await?;
    Ok(reshape(&project, &result, &|j| k.transport.parse_json(j).ok()))
}

/// The deploy's result in the legacy shape: `project_id`, and `site_url`,
/// `deployment_id`, `subdomain_url`, `functions`, `warnings` when present.
pub fn reshape(project: &str, result: &Val, parse: &dyn Fn(&Json) -> Option<Json>) -> Val {
    let mut out = Val::object().with("project_id", project);
    let field = |v: &Val, key: &str| -> Option<Json> {
        match v {
            Val::Json(j) => j.field(key),
            _ => match v.get(key) {
                Some(Val::Json(j)) => Some(j.clone()),
                _ => None,
            },
        }
    };
    if let Some(urls) = field(result, "urls").filter(|u| u.is_object()) {
        for (from, to) in [("site", "site_url"), ("deployment_id", "deployment_id"), ("subdomain", "subdomain_url")] {
            if let Some(v) = urls.field(from).filter(|v| v.shape() == Shape::String && v.string().is_some_and(|s| !s.is_empty())) {
                out = out.with(to, v);
            }
        }
        if let Some(list) = urls.field("functions").and_then(|f| parse(&f)).filter(|l| matches!(l.shape(), Shape::Array(_))) {
            out = out.with("functions", list);
        }
    }
    let warnings = match result.get("warnings") {
        Some(Val::Arr(w)) if !w.is_empty() => Some(Val::Arr(w.clone())),
        Some(Val::Json(j)) if matches!(j.shape(), Shape::Array(n) if n > 0) => Some(Val::Json(j.clone())),
        _ => None,
    };
    if let Some(w) = warnings {
        out = out.with("warnings", w);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::{reshape, translate, Bundle};
    use crate::args::Args;
    use crate::error::{Error, ErrorKind};
    use crate::json::{JsonExt, Shape};
    use crate::kernel::sha256::digest;
    use crate::testing::{json as host, to_serde};
    use crate::value::Val;
    use crate::wallet::codec::{base64, hex};

    fn args() -> Args {
        Args::new("apps", "bundleDeploy", "deploying bundle", Vec::new())
    }

    fn bundle(opts: Value) -> Bundle {
        match translate(&args(), "prj_1", Some(&host(opts))) {
            Ok(b) => b,
            Err(e) => panic!("expected a spec, got {}", e.message),
        }
    }

    fn spec(opts: Value) -> Value {
        to_serde(&bundle(opts).spec)
    }

    fn refused(opts: Value) -> Error {
        match translate(&args(), "prj_1", Some(&host(opts))) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e,
        }
    }

    fn field(e: &Error, key: &str) -> Value {
        e.extra_field(key).map(to_serde).unwrap_or(Value::Null)
    }

    #[test]
    fn no_options_is_a_bare_spec() {
        let b = translate(&args(), "prj_1", None).ok().map(|b| to_serde(&b.spec));
        assert_eq!(b, Some(json!({ "project": "prj_1" })));
        assert_eq!(spec(json!({ "inherit": true })), json!({ "project": "prj_1" }));
    }

    #[test]
    fn a_full_bundle_becomes_the_references_release_spec() {
        let sql = "CREATE TABLE posts (id serial PRIMARY KEY, user_id uuid);";
        let sha = hex(&digest(sql.as_bytes()));
        let got = spec(json!({
            "migrations": sql,
            "rls": { "template": "user_owns_rows", "tables": [{ "table": "posts", "owner_column": "user_id" }, { "table": "tags" }] },
            "secrets": [{ "key": "OPENAI_API_KEY", "value": "sk-test" }],
            "functions": [
                { "name": "summarize", "code": "export default () => new Response('ok')", "config": { "timeout": 10, "memory": 256 }, "schedule": "*/5 * * * *" },
                { "name": "plain", "code": "x", "schedule": null },
            ],
            "files": [
                { "file": "index.html", "data": "<h1>hi</h1>" },
                { "file": "notes.txt", "data": base64("héllo".as_bytes()), "encoding": "base64" },
                { "file": "raw.txt", "data": "as is", "encoding": "utf-8" },
            ],
            "subdomain": "my-saas",
            "inherit": true,
        }));
        assert_eq!(
            got,
            json!({
                "project": "prj_1",
                "database": {
                    "migrations": [{ "id": format!("bundle_legacy_{}", &sha[..16]), "checksum": sha, "sql": sql }],
                    "expose": {
                        "version": "1",
                        "tables": [
                            { "name": "posts", "expose": true, "policy": "user_owns_rows", "owner_column": "user_id" },
                            { "name": "tags", "expose": true, "policy": "user_owns_rows" },
                        ],
                        "views": [],
                        "rpcs": [],
                    },
                },
                "secrets": { "require": ["OPENAI_API_KEY"] },
                "functions": { "replace": {
                    "summarize": { "runtime": "node22", "source": "export default () => new Response('ok')", "config": { "timeoutSeconds": 10, "memoryMb": 256 }, "schedule": "*/5 * * * *" },
                    "plain": { "runtime": "node22", "source": "x", "schedule": null },
                } },
                "site": { "replace": { "index.html": "<h1>hi</h1>", "notes.txt": "héllo", "raw.txt": "as is" } },
                "subdomains": { "set": ["my-saas"] },
            })
        );
    }

    #[test]
    fn the_secret_values_stay_out_of_the_spec_and_are_kept_to_be_written() {
        let b = bundle(json!({ "secrets": [{ "key": "A", "value": "one" }, { "key": "B_2", "value": "" }] }));
        assert!(!format!("{}", to_serde(&b.spec)).contains("one"));
        let keys: Vec<&str> = b.secrets.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["A", "B_2"]);
        assert_eq!(b.secrets[0].1.string().as_deref(), Some("one"));
        assert_eq!(b.secrets[1].1.shape(), Shape::String);
    }

    #[test]
    fn blank_migrations_and_an_empty_subdomain_add_nothing_but_the_database_object() {
        assert_eq!(spec(json!({ "migrations": "  \n", "subdomain": "" })), json!({ "project": "prj_1", "database": {} }));
        assert_eq!(spec(json!({ "migrations": null, "rls": null, "functions": [], "files": [] })), json!({ "project": "prj_1" }));
    }

    #[test]
    fn the_same_sql_gets_the_same_migration_id() {
        let id = |sql: &str| spec(json!({ "migrations": sql }))["database"]["migrations"][0]["id"].clone();
        assert_eq!(id("select 1"), id("select 1"));
        assert_ne!(id("select 1"), id("select 2"));
        assert_eq!(id("select 1").as_str().map(str::len), Some("bundle_legacy_".len() + 16));
    }

    #[test]
    fn the_unrestricted_template_needs_its_acknowledgement_per_table() {
        let rls = |ack: bool| spec(json!({ "rls": { "template": "public_read_write_UNRESTRICTED", "tables": [{ "table": "guestbook" }], "i_understand_this_is_unrestricted": ack } }));
        assert_eq!(rls(true)["database"]["expose"]["tables"][0]["i_understand_this_is_unrestricted"], json!(true));
        assert_eq!(rls(false)["database"]["expose"]["tables"][0].get("i_understand_this_is_unrestricted"), None);
        // Another template never carries it.
        let other = spec(json!({ "rls": { "template": "user_owns_rows", "tables": [{ "table": "t", "owner_column": "u" }], "i_understand_this_is_unrestricted": true } }));
        assert_eq!(other["database"]["expose"]["tables"][0].get("i_understand_this_is_unrestricted"), None);
    }

    #[test]
    fn a_malformed_rls_or_secret_is_the_references_invalid_spec() {
        for (opts, resource) in [
            (json!({ "rls": "user_owns_rows" }), "rls"),
            (json!({ "rls": { "template": "user_owns_rows" } }), "rls"),
            (json!({ "secrets": [{ "key": "lower", "value": "v" }] }), "secrets"),
            (json!({ "secrets": [{ "value": "v" }] }), "secrets"),
            (json!({ "secrets": [{ "key": "A", "value": "1" }, { "key": "A", "value": "2" }] }), "secrets"),
            (json!({ "secrets": [{ "key": "A", "value": 7 }] }), "secrets.A"),
            (json!({ "secrets": [{ "key": "BIG", "value": "x".repeat(4097) }] }), "secrets.BIG"),
        ] {
            let e = refused(opts.clone());
            assert_eq!(e.kind, ErrorKind::DeployError, "{opts}");
            assert_eq!(field(&e, "code"), json!("INVALID_SPEC"), "{opts}");
            assert_eq!(field(&e, "resource"), json!(resource), "{opts}");
            assert_eq!(field(&e, "phase"), json!("validate"));
            assert_eq!(field(&e, "fix"), json!({ "action": "set_field", "path": resource }));
            assert!(!e.message.contains("x".repeat(100).as_str()), "a value is never quoted");
        }
        // 4096 bytes is allowed, counted in UTF-8 (é is two).
        assert_eq!(bundle(json!({ "secrets": [{ "key": "MAX", "value": "é".repeat(2048) }] })).secrets.len(), 1);
        assert_eq!(refused(json!({ "secrets": [{ "key": "MAX", "value": format!("{}x", "é".repeat(2048)) }] })).kind, ErrorKind::DeployError);
    }

    #[test]
    fn malformed_options_are_local_errors() {
        for opts in [
            json!({ "migrations": 7 }),
            json!({ "functions": {} }),
            json!({ "functions": [{ "name": "f" }] }),
            json!({ "functions": [{ "code": "x" }] }),
            json!({ "files": "index.html" }),
            json!({ "files": [{ "file": "a.html" }] }),
            json!({ "files": [{ "file": "a.html", "data": "x", "encoding": "latin1" }] }),
            json!({ "files": [{ "file": "a.bin", "data": "!!!", "encoding": "base64" }] }),
            json!({ "subdomain": 5 }),
            json!({ "rls": { "template": 1, "tables": [] } }),
            json!({ "rls": { "template": "user_owns_rows", "tables": [{ "owner_column": "u" }] } }),
        ] {
            let e = refused(opts.clone());
            assert_eq!(e.kind, ErrorKind::LocalError, "{opts}: {}", e.message);
            assert!(e.message.starts_with("apps.bundleDeploy: "), "{}", e.message);
        }
    }

    #[test]
    fn binary_base64_files_are_refused_rather_than_mangled() {
        let e = refused(json!({ "files": [{ "file": "logo.png", "data": base64(&[0x89, 0x50, 0xff, 0x00]), "encoding": "base64" }] }));
        assert_eq!(e.kind, ErrorKind::LocalError);
        assert!(e.message.contains("logo.png") && e.message.contains("Uint8Array"), "{}", e.message);
    }

    #[test]
    fn the_result_is_reshaped_as_the_legacy_one() {
        let none = |_: &crate::json::Json| None;
        let result = Val::object()
            .with("release_id", "rel_1")
            .with("urls", host(json!({ "site": "https://s.example/", "deployment_id": "dpl_1", "subdomain": "https://my.run402.com", "project": "https://p.example/" })))
            .with("warnings", Val::Arr(Vec::new()));
        assert_eq!(
            to_serde(&reshape("prj_1", &result, &none)),
            json!({ "project_id": "prj_1", "site_url": "https://s.example/", "deployment_id": "dpl_1", "subdomain_url": "https://my.run402.com" })
        );
        let warned = Val::object().with("urls", host(json!({}))).with("warnings", host(json!([{ "code": "W" }])));
        assert_eq!(to_serde(&reshape("prj_1", &warned, &none)), json!({ "project_id": "prj_1", "warnings": [{ "code": "W" }] }));
        // A structured `urls.functions` (JSON text of an array) is passed on; anything else is not.
        let parse = |j: &crate::json::Json| j.as_string().and_then(|t| serde_json::from_str::<Value>(&t).ok()).map(host);
        let with_fns = Val::object().with("urls", host(json!({ "functions": "[{\"name\":\"f\",\"url\":\"u\"}]" })));
        assert_eq!(to_serde(&reshape("prj_1", &with_fns, &parse))["functions"], json!([{ "name": "f", "url": "u" }]));
        let not_list = Val::object().with("urls", host(json!({ "functions": "{}" })));
        assert_eq!(to_serde(&reshape("prj_1", &not_list, &parse)).get("functions"), None);
    }
}
