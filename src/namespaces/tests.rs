//! Namespace methods natively: the exact request each one sends, the local
//! checks that stop a request, and how results are shaped.

use alloc::rc::Rc;

use serde_json::{json, Value};

use crate::credentials::ProviderMethod;
use crate::error::{ErrorKind, Result};
use crate::kernel::{HttpRequest, Kernel};
use crate::surface::{self, NAMESPACES};
use crate::testing::{self, header, to_serde, Answer, MockCredentials, MockTransport};
use crate::value::Val;

const KEYS: &str = "prj_1";

fn setup() -> (Rc<Kernel>, MockTransport, MockCredentials) {
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::GetProject, json!({"anon_key": "anon-k", "service_key": "svc-k", "site_url": "https://s"}));
    (k, t, c)
}

use testing::call_method as call_scoped;

fn call(k: &Rc<Kernel>, ns: &str, name: &str, args: Vec<Value>) -> Result<Val> {
    call_scoped(k, ns, name, None, args)
}

fn body_text(r: &HttpRequest) -> String {
    testing::body_text(r).expect("a text body")
}

use testing::last_sent as last;

#[test]
fn every_method_has_a_context_and_unique_name() {
    for ns in NAMESPACES {
        let mut names: Vec<&str> = ns.methods.iter().flat_map(|m| core::iter::once(m.name).chain(m.aliases.iter().copied())).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate names in {}", ns.name);
        assert!(ns.methods.iter().all(|m| !m.context.is_empty()));
    }
    let projects = NAMESPACES.iter().find(|n| n.name == "projects").unwrap();
    let members = projects.methods.len() + projects.methods.iter().map(|m| m.aliases.len()).sum::<usize>();
    assert_eq!(members, 22, "projects has 22 public members (19 methods + 3 aliases)");
}

#[test]
fn provision_sends_only_given_fields_then_saves_and_activates() {
    let (k, t, c) = setup();
    c.on(ProviderMethod::SaveProject, Value::Null).on(ProviderMethod::SetActiveProject, Value::Null);
    t.answers.borrow_mut().push_back(Answer::json(201, json!({"project_id": "prj_9", "anon_key": "a", "service_key": "s", "schema_slot": "p0009", "extra": 1})));
    let r = call(&k, "projects", "provision", vec![json!({"tier": "hobby"})]).unwrap();
    let req = last(&t);
    assert_eq!((req.method.as_str(), req.url.as_str()), ("POST", "https://api.test/projects/v1"));
    assert_eq!(body_text(&req), r#"{"tier":"hobby"}"#);
    assert_eq!(header(&req, "content-type"), Some("application/json"));
    assert_eq!(to_serde(&r)["extra"], json!(1));
    assert_eq!(c.calls_to(ProviderMethod::SaveProject), vec![json!(["prj_9", {"anon_key": "a", "service_key": "s"}])]);
    assert_eq!(c.calls_to(ProviderMethod::SetActiveProject), vec![json!(["prj_9"])]);
    let _ = call(&k, "projects", "provision", vec![]);
    assert_eq!(body_text(&last(&t)), "{}");
}

#[test]
fn provision_rejects_bad_tier_without_a_request() {
    let (k, t, _) = setup();
    let e = call(&k, "projects", "provision", vec![json!({"tier": "gold"})]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::LocalError);
    assert_eq!(e.context, "provisioning project");
    assert!(e.message.starts_with("projects.provision: `tier` must be one of"), "{}", e.message);
    assert!(t.sent.borrow().is_empty());
}

#[test]
fn provision_with_a_malformed_answer_is_an_error() {
    let (k, t, _) = setup();
    t.answers.borrow_mut().push_back(Answer::json(201, json!({"ok": true})));
    let e = call(&k, "projects", "provision", vec![]).unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::ApiError, Some(201)));
}

#[test]
fn service_key_methods_use_bearer_and_unknown_projects_fail_locally() {
    let (k, t, _) = setup();
    for (name, suffix) in [("getUsage", "usage"), ("getSchema", "schema"), ("getExpose", "expose")] {
        call(&k, "projects", name, vec![json!(KEYS)]).unwrap();
        let req = last(&t);
        assert_eq!(req.url, format!("https://api.test/projects/v1/admin/prj_1/{suffix}"));
        assert_eq!(header(&req, "authorization"), Some("Bearer svc-k"));
    }
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::GetProject, Value::Null);
    let e = call(&k, "projects", "getUsage", vec![json!("prj_x")]).unwrap_err();
    assert_eq!((e.kind, e.message.as_str(), e.context.as_str()), (ErrorKind::ProjectNotFound, "Project prj_x not found", "fetching usage"));
    assert_eq!(e.project_id.as_deref(), Some("prj_x"));
    assert!(t.sent.borrow().is_empty());
}

#[test]
fn sql_text_and_params_forms() {
    let (k, t, _) = setup();
    call(&k, "projects", "sql", vec![json!(KEYS), json!("SELECT 1")]).unwrap();
    let req = last(&t);
    assert_eq!(header(&req, "content-type"), Some("text/plain"));
    assert_eq!(body_text(&req), "SELECT 1");
    call(&k, "projects", "sql", vec![json!(KEYS), json!("SELECT $1"), json!([])]).unwrap();
    assert_eq!(body_text(&last(&t)), "SELECT $1");
    call(&k, "projects", "sql", vec![json!(KEYS), json!("SELECT $1"), json!([5, "x"])]).unwrap();
    let req = last(&t);
    assert_eq!(header(&req, "content-type"), Some("application/json"));
    assert_eq!(body_text(&req), r#"{"sql":"SELECT $1","params":[5,"x"]}"#);
    let e = call(&k, "projects", "sql", vec![json!(KEYS), json!("SELECT 1"), json!("nope")]).unwrap_err();
    assert!(e.message.contains("`params` must be an array"));
    let e = call(&k, "projects", "sql", vec![json!(KEYS), json!("  ")]).unwrap_err();
    assert!(e.message.contains("`sql` must not be empty"));
}

#[test]
fn rest_requests() {
    let (k, t, c) = setup();
    c.on(ProviderMethod::GetAuth, json!({"SIGN-IN-WITH-X": "never"}));
    call(&k, "projects", "rest", vec![json!(KEYS), json!("my table"), json!("select=id&id=eq.1")]).unwrap();
    let req = last(&t);
    assert_eq!(req.url, "https://api.test/rest/v1/my%20table?select=id&id=eq.1");
    assert_eq!(req.headers, vec![("apikey".to_string(), "anon-k".to_string()), ("Authorization".to_string(), "Bearer anon-k".to_string())]);
    assert!(c.calls_to(ProviderMethod::GetAuth).is_empty(), "REST never asks the provider");

    call(&k, "projects", "rest", vec![json!(KEYS), json!("t"), json!({"method": "POST", "body": [{"a": 1}], "keyType": "service", "query": {"select": "a b", "n": 3}})]).unwrap();
    let req = last(&t);
    assert_eq!((req.method.as_str(), req.url.as_str()), ("POST", "https://api.test/rest/v1/t?select=a+b&n=3"));
    assert_eq!(header(&req, "apikey"), Some("svc-k"));
    assert_eq!(header(&req, "prefer"), Some("return=representation"));
    assert_eq!(body_text(&req), r#"[{"a":1}]"#);

    t.answers.borrow_mut().push_back(Answer::json(201, json!([{"id": 1}])));
    let r = call(&k, "projects", "restResponse", vec![json!(KEYS), json!("t"), json!({"method": "PATCH", "query": "id=eq.1", "body": {"a": 2}})]).unwrap();
    assert_eq!(to_serde(&r), json!({"status": 201, "body": [{"id": 1}]}));

    for bad in [json!({"method": "PUT"}), json!({"keyType": "root"}), json!({"body": {}}), json!(7), json!({"query": {"a": {}}})] {
        let before = t.sent.borrow().len();
        let e = call(&k, "projects", "rest", vec![json!(KEYS), json!("t"), bad.clone()]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::LocalError, "{bad}");
        assert_eq!(t.sent.borrow().len(), before);
    }
}

#[test]
fn validate_expose_routes_and_local_parse_failure() {
    let (k, t, c) = setup();
    c.on(ProviderMethod::GetAuth, json!({"SIGN-IN-WITH-X": "w"}));
    call(&k, "projects", "validateExpose", vec![json!({"version": "1"})]).unwrap();
    let req = last(&t);
    assert_eq!(req.url, "https://api.test/projects/v1/expose/validate");
    assert_eq!(header(&req, "sign-in-with-x"), Some("w"));
    assert_eq!(body_text(&req), r#"{"manifest":{"version":"1"}}"#);
    assert_eq!(c.calls_to(ProviderMethod::GetAuth)[0], json!(["/projects/v1/expose/validate", {"method": "projects.validateExpose", "url": "https://api.test/projects/v1/expose/validate"}]));

    call(&k, "projects", "validateExpose", vec![json!("{\"tables\":[]}"), json!({"project_id": KEYS, "migrationSql": "CREATE TABLE t()"})]).unwrap();
    let req = last(&t);
    assert_eq!(req.url, "https://api.test/projects/v1/admin/prj_1/expose/validate");
    assert_eq!(header(&req, "authorization"), Some("Bearer svc-k"));
    assert_eq!(header(&req, "sign-in-with-x"), None);
    assert_eq!(body_text(&req), r#"{"manifest":{"tables":[]},"migration_sql":"CREATE TABLE t()"}"#);

    let before = t.sent.borrow().len();
    let r = call(&k, "projects", "validateExpose", vec![json!("{nope")]).unwrap();
    let r = to_serde(&r);
    assert_eq!(r["hasErrors"], json!(true));
    assert_eq!(r["errors"][0]["type"], json!("schema-shape"));
    assert_eq!(t.sent.borrow().len(), before);
    let e = call(&k, "projects", "validateExpose", vec![json!({}), json!({"project": "a", "project_id": "b"})]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::LocalError);
}

#[test]
fn scoped_calls_supply_the_project() {
    let (k, t, _) = setup();
    call_scoped(&k, "projects", "getUsage", Some("prj_s"), vec![]).unwrap();
    assert!(last(&t).url.ends_with("/projects/v1/admin/prj_s/usage"));
    call_scoped(&k, "projects", "validateExpose", Some("prj_s"), vec![json!({})]).unwrap();
    assert!(last(&t).url.ends_with("/projects/v1/admin/prj_s/expose/validate"));
    call_scoped(&k, "projects", "validateExpose", Some("prj_s"), vec![json!({}), json!({"project": "prj_other"})]).unwrap();
    assert!(last(&t).url.ends_with("/projects/v1/admin/prj_other/expose/validate"), "the caller's project wins");
    call_scoped(&k, "projects", "getQuote", Some("prj_s"), vec![]).unwrap();
    assert!(last(&t).url.ends_with("/tiers/v1"));
    let e = call_scoped(&k, "projects", "provision", Some("prj_s"), vec![]).unwrap_err();
    assert!(e.message.contains("not available on a project-scoped client"));
}

#[test]
fn local_methods() {
    let (k, t, c) = setup();
    let r = call(&k, "projects", "info", vec![json!(KEYS)]).unwrap();
    assert_eq!(to_serde(&r), json!({"project_id": "prj_1", "anon_key": "anon-k", "service_key": "svc-k", "site_url": "https://s"}));
    let r = call(&k, "projects", "keys", vec![json!(KEYS)]).unwrap();
    assert_eq!(to_serde(&r)["service_key"], json!("svc-k"));
    assert!(matches!(call(&k, "projects", "active", vec![]).unwrap(), Val::Null));
    let e = call(&k, "projects", "use", vec![json!(KEYS)]).unwrap_err();
    assert!(e.message.contains("setActiveProject"), "{}", e.message);
    c.on(ProviderMethod::SetActiveProject, Value::Null).on(ProviderMethod::GetActiveProject, json!("prj_1"));
    call(&k, "projects", "use", vec![json!(KEYS)]).unwrap();
    assert_eq!(c.calls_to(ProviderMethod::SetActiveProject), vec![json!(["prj_1"])]);
    assert_eq!(to_serde(&call(&k, "projects", "active", vec![]).unwrap()), json!("prj_1"));
    c.on(ProviderMethod::GetActiveProject, json!(42));
    assert_eq!(call(&k, "projects", "active", vec![]).unwrap_err().kind, ErrorKind::LocalError);
    assert!(t.sent.borrow().is_empty());
}

#[test]
fn list_needs_a_wallet_or_allowance() {
    let (k, t, c) = setup();
    call(&k, "projects", "list", vec![json!("0xABCDEF0123456789abcdef0123456789ABCDEF01")]).unwrap();
    assert_eq!(last(&t).url, "https://api.test/wallets/v1/0xabcdef0123456789abcdef0123456789abcdef01/projects");
    let e = call(&k, "projects", "list", vec![]).unwrap_err();
    assert!(e.message.contains("readAllowance"));
    c.on(ProviderMethod::ReadAllowance, Value::Null);
    assert!(call(&k, "projects", "list", vec![]).unwrap_err().message.contains("No allowance"));
    c.on(ProviderMethod::ReadAllowance, json!({"address": "0x1111111111111111111111111111111111111111", "privateKey": "0xsecret"}));
    call(&k, "projects", "list", vec![]).unwrap();
    assert!(last(&t).url.contains("/wallets/v1/0x1111111111111111111111111111111111111111/projects"));
    assert_eq!(call(&k, "projects", "list", vec![json!("../../x")]).unwrap_err().kind, ErrorKind::LocalError);
}

#[test]
fn project_ids_that_would_change_the_path_are_refused() {
    let (k, t, _) = setup();
    for bad in ["", "a/b", "a?b", "a b", "..%2f"] {
        let e = call(&k, "projects", "pin", vec![json!(bad)]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::LocalError, "{bad:?}");
    }
    assert!(t.sent.borrow().is_empty());
}

#[test]
fn provider_failures_surface_as_typed_errors() {
    let (k, t, c) = setup();
    c.throws(ProviderMethod::GetProject, "vault offline");
    let e = call(&k, "projects", "getUsage", vec![json!(KEYS)]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::LocalError);
    c.on(ProviderMethod::GetProject, json!({"anon_key": 1}));
    let e = call(&k, "projects", "getUsage", vec![json!(KEYS)]).unwrap_err();
    assert!(e.message.contains("getProject"));
    assert!(t.sent.borrow().is_empty());
}

#[test]
fn no_get_route_carries_a_body() {
    // A route made with `..OTHER` inherits OTHER's body; a GET must not.
    for ns in NAMESPACES {
        for m in ns.methods {
            if let surface::Run::Route(r) = &m.run {
                if r.verb == "GET" || r.verb == "HEAD" {
                    assert!(matches!(r.body, crate::routes::RouteBody::None), "{}.{} is a {} with a body", ns.name, m.name, r.verb);
                }
            }
        }
    }
}

#[test]
fn an_only_body_names_one_options_argument() {
    // `RouteBody::Only` reads its argument's index from its first field.
    for ns in NAMESPACES {
        for m in ns.methods {
            if let surface::Run::Route(r) = &m.run {
                if let crate::routes::RouteBody::Only(fields) = r.body {
                    let Some(crate::routes::Src::Opt(i, _)) = fields.first().map(|f| f.from) else {
                        panic!("{}.{}: an Only body without fields of an options argument", ns.name, m.name)
                    };
                    for f in fields {
                        assert!(matches!(f.from, crate::routes::Src::Opt(j, name) if j == i && name == f.name), "{}.{}: `{}` is not read from argument {i} under its own name", ns.name, m.name, f.name);
                    }
                }
            }
        }
    }
}
