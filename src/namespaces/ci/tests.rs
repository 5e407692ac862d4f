//! The CI delegation's canonical forms and the `ci` members' requests,
//! natively. Byte-identity with @run402/sdk 3.3.3 is checked in
//! tests/js/ci.test.mjs against the reference itself.

use serde_json::{json, Value};

use super::delegation::{self, normalize, Signing};
use crate::credentials::ProviderMethod;
use crate::error::ErrorKind;
use crate::testing::{self, header, to_serde, Answer};
use crate::wallet::codec::unbase64;
use crate::wallet::key::PrivateKey;

fn values() -> Value {
    json!({
        "project_id": "prj_1",
        "subject_match": "repo:acme/site:ref:refs/heads/main",
        "allowed_actions": ["deploy"],
        "allowed_events": ["workflow_dispatch", "push", "push"],
        "github_repository_id": "123456789",
        "expires_at": null,
        "nonce": "0123456789abcdef0123456789abcdef",
    })
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v[key] = value;
    v
}

fn refusal(v: Value) -> String {
    normalize(&testing::json(v)).expect_err("refused")
}

#[test]
fn values_are_checked_deduplicated_and_sorted_with_defaults() {
    let d = normalize(&testing::json(values())).unwrap();
    assert_eq!(d.allowed_events, ["push", "workflow_dispatch"]);
    assert_eq!(d.issuer, delegation::ISSUER);
    assert_eq!(d.audience, delegation::AUDIENCE);
    assert_eq!((d.expires_at, d.github_repository_id.as_deref()), (None, Some("123456789")));
    assert!(d.route_scopes.is_empty());
    // Sorted by UTF-16 code units, as JS sorts: U+FF5E comes after U+1F600 there, not in UTF-8.
    let d = normalize(&testing::json(with(values(), "allowed_events", json!(["\u{ff5e}", "\u{1f600}", "a"])))).unwrap();
    assert_eq!(d.allowed_events, ["a", "\u{1f600}", "\u{ff5e}"]);
}

#[test]
fn bad_values_are_refused_in_the_references_order() {
    assert!(refusal(json!("x")).contains("must be an object"));
    assert!(refusal(with(values(), "project_id", json!(""))).contains("project_id"));
    for (subject, why) in [
        (json!(""), "non-empty"),
        (json!("*"), "bare"),
        (json!("repo:a/*:x"), "last character"),
        (json!("repo:a\nb"), "control"),
        (json!("x".repeat(257)), "256"),
    ] {
        assert!(refusal(with(values(), "subject_match", subject.clone())).contains(why), "{subject}");
    }
    assert!(normalize(&testing::json(with(values(), "subject_match", json!("repo:acme/*")))).is_ok());
    for nonce in [json!("0123456789abcde"), json!("0123456789ABCDEF"), json!("g123456789abcdef"), json!("a".repeat(65)), json!(7)] {
        assert!(refusal(with(values(), "nonce", nonce.clone())).contains("nonce"), "{nonce}");
    }
    assert!(refusal(with(values(), "allowed_actions", json!(["deploy", "admin"]))).contains("exactly"));
    assert!(normalize(&testing::json(with(values(), "allowed_actions", json!(["deploy", "deploy"])))).is_ok());
    assert!(refusal(with(values(), "allowed_events", json!([]))).contains("at least one"));
    assert!(refusal(with(values(), "allowed_events", json!(["push", ""]))).contains("non-empty strings"));
    assert!(refusal(with(values(), "allowed_events", json!("push"))).contains("must be an array"));
    assert!(refusal(with(values(), "expires_at", json!(5))).contains("expires_at"));
    // The subject is checked before the nonce, as in the reference.
    assert!(refusal(with(with(values(), "nonce", json!("x")), "subject_match", json!(""))).contains("subject_match"));
}

#[test]
fn route_scopes_follow_the_gateways_rules() {
    let scopes = |v: Value| normalize(&testing::json(with(values(), "route_scopes", v))).map(|d| d.route_scopes);
    assert_eq!(scopes(json!(["/api/*", "/admin", "/Zed"])).unwrap(), ["/Zed", "/admin", "/api/*"]);
    assert_eq!(scopes(json!(null)).unwrap(), Vec::<String>::new());
    assert_eq!(scopes(json!(["/a%20b"])).unwrap(), ["/a%20b"]);
    for (bad, why) in [
        (json!(["api"]), "start with /"),
        (json!(["/api?x=1"]), "query"),
        (json!(["/a%zz"]), "percent"),
        (json!(["/a%C3"]), "percent"),
        (json!(["/a*"]), "final /*"),
        (json!(["/*"]), "segment before"),
        (json!(["/api", "/api/"]), "twice"),
        (json!([""]), "non-empty"),
        (json!([format!("/{}", "a".repeat(256))]), "256 bytes"),
        (json!("/api"), "array"),
    ] {
        let e = scopes(bad.clone()).expect_err("refused");
        assert!(e.contains(why), "{bad}: {e}");
    }
    // `/api/*` and `/api` are different scopes (a prefix and an exact path).
    assert!(scopes(json!(["/api/*", "/api"])).is_ok());
    let many: Vec<String> = (0..101).map(|i| format!("/p{i}")).collect();
    assert!(scopes(json!(many)).unwrap_err().contains("100"));
}

#[test]
fn the_resource_uri_encodes_values_as_rfc_3986_and_scopes_as_uri_components() {
    let v = with(with(values(), "route_scopes", json!(["/admin/*", "/a b"])), "expires_at", json!("2030-01-01T00:00:00Z"));
    let v = with(v, "subject_match", json!("repo:o/n(1)!'x:*"));
    let uri = normalize(&testing::json(v)).unwrap().resource_uri().unwrap();
    assert_eq!(
        uri,
        "run402-ci-delegation:v1?project_id=prj_1&issuer=https%3A%2F%2Ftoken.actions.githubusercontent.com\
&audience=https%3A%2F%2Fapi.run402.com&subject_match=repo%3Ao%2Fn%281%29%21%27x%3A%2A&allowed_actions=deploy\
&allowed_events=push,workflow_dispatch&route_scopes=%2Fa%20b,%2Fadmin%2F*&expires_at=2030-01-01T00%3A00%3A00Z\
&github_repository_id=123456789&nonce=0123456789abcdef0123456789abcdef"
    );
    let long = with(values(), "project_id", json!("p".repeat(4000)));
    assert!(normalize(&testing::json(long)).unwrap().resource_uri().unwrap_err().contains("4096"));
}

#[test]
fn the_statement_names_scopes_only_when_there_are_some() {
    let plain = normalize(&testing::json(values())).unwrap().statement().unwrap();
    assert!(plain.starts_with("Authorize GitHub Actions workflows whose OIDC subject matches repo:acme/site:ref:refs/heads/main to deploy to run402 project prj_1.\n\nThe workflows can:\n  - deploy function code"));
    assert!(plain.contains("\nAudience: https://api.run402.com\nAllowed events: push,workflow_dispatch\nRepository ID: 123456789\nExpires: never\nNonce: 0123456789abcdef0123456789abcdef\n\nRevoke at any time"));
    assert!(plain.contains("spec.routes, spec.checks") && !plain.contains("Route scopes"));
    let scoped = normalize(&testing::json(with(values(), "route_scopes", json!(["/b", "/a/*"])))).unwrap().statement().unwrap();
    assert!(scoped.contains("\n  - deploy route declarations only within these public path scopes: /a/*,/b.\n\n"));
    assert!(scoped.contains("\nAllowed events: push,workflow_dispatch\nRoute scopes: /a/*,/b\nRepository ID"));
    assert!(scoped.contains("or route changes outside the delegated route scopes."));
    let soft = normalize(&testing::json(with(values(), "github_repository_id", json!(null)))).unwrap().statement().unwrap();
    assert!(soft.contains("Repository ID: none-soft-bound\n"));
    let huge = with(values(), "allowed_events", json!((0..800).map(|i| format!("event-{i:04}")).collect::<Vec<_>>()));
    assert!(normalize(&testing::json(huge)).unwrap().statement().unwrap_err().contains("8192"));
}

#[test]
fn the_signed_delegation_carries_the_statement_and_resource_uri() {
    let d = normalize(&testing::json(values())).unwrap();
    let key = PrivateKey::from_bytes(&crate::wallet::keccak256(b"ci")).unwrap();
    let at = Signing {
        domain: "api.run402.com",
        uri: "https://api.run402.com/ci/v1/bindings",
        chain_id: "eip155:84532",
        nonce: None,
        issued_at: "2030-01-01T00:00:00.000Z",
        expiration_time: "2030-01-01T00:05:00.000Z",
    };
    let signed = delegation::sign(&d, &key, &at).unwrap();
    let payload: Value = serde_json::from_slice(&unbase64(&signed).unwrap()).unwrap();
    let keys: Vec<&str> = payload.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["domain", "address", "statement", "uri", "version", "chainId", "type", "nonce", "issuedAt", "expirationTime", "signature", "resources"]);
    assert_eq!(payload["nonce"], "0123456789abcdef", "the first 16 characters of the delegation's nonce");
    assert_eq!(payload["statement"], d.statement().unwrap());
    assert_eq!(payload["resources"], json!([d.resource_uri().unwrap()]));
    assert_eq!(payload["address"], key.address().checksummed());
    // Deterministic (RFC 6979): the same inputs sign the same bytes.
    assert_eq!(delegation::sign(&d, &key, &at).unwrap(), signed);
    let mine = Signing { nonce: Some("fixednonce123"), ..at };
    let payload: Value = serde_json::from_slice(&unbase64(&delegation::sign(&d, &key, &mine).unwrap()).unwrap()).unwrap();
    assert_eq!(payload["nonce"], "fixednonce123");
}

fn call(name: &str, args: Vec<Value>) -> (crate::error::Result<Value>, Vec<crate::kernel::HttpRequest>) {
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::GetAuth, json!({"SIGN-IN-WITH-X": "siwx"}));
    t.answers.borrow_mut().push_back(Answer::json(200, json!({"id": "cib_1"})));
    let out = testing::call_method(&k, "ci", name, None, args);
    let sent = t.sent.borrow().clone();
    (out.map(|v| to_serde(&v)), sent)
}

#[test]
fn create_binding_sends_the_canonical_values() {
    let input = with(with(values(), "provider", json!("github-actions")), "signed_delegation", json!("c2ln"));
    let input = with(with(input, "route_scopes", json!(["/b", "/a"])), "extra", json!("dropped"));
    let (out, sent) = call("createBinding", vec![input]);
    assert_eq!(out.unwrap(), json!({"id": "cib_1"}));
    let req = &sent[0];
    assert_eq!((req.method.as_str(), req.url.as_str()), ("POST", "https://api.test/ci/v1/bindings"));
    assert_eq!(header(req, "SIGN-IN-WITH-X"), Some("siwx"));
    assert_eq!(
        testing::body_text(req).unwrap(),
        r#"{"project_id":"prj_1","provider":"github-actions","subject_match":"repo:acme/site:ref:refs/heads/main","allowed_actions":["deploy"],"allowed_events":["push","workflow_dispatch"],"github_repository_id":"123456789","expires_at":null,"nonce":"0123456789abcdef0123456789abcdef","signed_delegation":"c2ln","route_scopes":["/a","/b"]}"#
    );
    // No route_scopes field without scopes.
    let input = with(with(values(), "provider", json!("github-actions")), "signed_delegation", json!("c2ln"));
    let (_, sent) = call("createBinding", vec![with(input, "route_scopes", json!([]))]);
    assert!(!testing::body_text(&sent[0]).unwrap().contains("route_scopes"));
}

#[test]
fn create_binding_refuses_bad_input_before_any_request() {
    let good = with(with(values(), "provider", json!("github-actions")), "signed_delegation", json!("c2ln"));
    for bad in [
        json!(null),
        with(good.clone(), "provider", json!("gitlab")),
        with(good.clone(), "signed_delegation", json!("")),
        with(good.clone(), "nonce", json!("short")),
        with(good.clone(), "route_scopes", json!(["/*"])),
    ] {
        let (out, sent) = call("createBinding", vec![bad.clone()]);
        let e = out.expect_err("refused");
        assert_eq!((e.kind, e.context.as_str()), (ErrorKind::LocalError, "creating CI binding"), "{bad}");
        assert!(sent.is_empty(), "{bad}: no request");
    }
}

#[test]
fn the_declared_members_send_the_contracts_requests() {
    let (_, sent) = call("listBindings", vec![json!({"project": "prj 1&x"})]);
    assert_eq!((sent[0].method.as_str(), sent[0].url.as_str()), ("GET", "https://api.test/ci/v1/bindings?project=prj+1%26x"));
    assert_eq!(header(&sent[0], "SIGN-IN-WITH-X"), Some("siwx"));
    let (_, sent) = call("getBinding", vec![json!("cib/1")]);
    assert_eq!((sent[0].method.as_str(), sent[0].url.as_str()), ("GET", "https://api.test/ci/v1/bindings/cib%2F1"));
    let (_, sent) = call("revokeBinding", vec![json!("cib_1")]);
    assert_eq!((sent[0].method.as_str(), sent[0].url.as_str()), ("POST", "https://api.test/ci/v1/bindings/cib_1/revoke"));
    assert!(sent[0].body.is_none());
    let (_, sent) = call("exchangeToken", vec![json!({"project_id": "prj_1", "subject_token": "jwt"})]);
    assert_eq!((sent[0].method.as_str(), sent[0].url.as_str()), ("POST", "https://api.test/ci/v1/token-exchange"));
    assert_eq!(header(&sent[0], "SIGN-IN-WITH-X"), None, "the exchange carries no credentials");
    assert_eq!(
        testing::body_text(&sent[0]).unwrap(),
        r#"{"grant_type":"urn:ietf:params:oauth:grant-type:token-exchange","subject_token":"jwt","subject_token_type":"urn:ietf:params:oauth:token-type:jwt","project_id":"prj_1"}"#
    );
    for (name, args) in [
        ("listBindings", vec![json!({})]),
        ("getBinding", vec![json!("")]),
        ("revokeBinding", vec![]),
        ("exchangeToken", vec![json!({"project_id": "prj_1"})]),
    ] {
        let (out, sent) = call(name, args);
        assert_eq!(out.expect_err("refused").kind, ErrorKind::LocalError, "{name}");
        assert!(sent.is_empty(), "{name}: no request");
    }
}
