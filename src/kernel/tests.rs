//! Kernel rules, natively, through the mock transport.

use serde_json::json;

use super::*;
use crate::credentials::ProviderMethod;
use crate::error::ErrorKind;
use crate::testing::{self, block_on, header, to_serde, Answer};

fn send(call: Call) -> (Result<Reply>, Vec<HttpRequest>) {
    let (k, t, _) = testing::kernel();
    let r = block_on(k.send(call));
    let sent = t.sent.borrow().clone();
    (r, sent)
}

fn send_answer(call: Call, answer: Answer) -> Result<Reply> {
    let (k, t, _) = testing::kernel();
    t.answers.borrow_mut().push_back(answer);
    block_on(k.send(call))
}

#[test]
fn url_is_plain_concatenation_and_path_with_query_goes_to_get_auth() {
    let (k, t, c) = testing::kernel();
    block_on(k.send(Call::get("/x/v1?a=1&b=two", "testing"))).unwrap();
    assert_eq!(t.sent.borrow()[0].url, "https://api.test/x/v1?a=1&b=two");
    assert_eq!(c.calls_to(ProviderMethod::GetAuth)[0][0], json!("/x/v1?a=1&b=two"));
}

#[test]
fn get_auth_receives_sdk_method_metadata() {
    let (k, _, c) = testing::kernel();
    block_on(k.send(Call::post("/projects/v1", "provisioning project").sdk_method("projects", "provision"))).unwrap();
    assert_eq!(c.calls_to(ProviderMethod::GetAuth)[0][1], json!({"method": "projects.provision", "url": "https://api.test/projects/v1"}));
}

#[test]
fn no_auth_calls_skip_the_provider() {
    let (k, _, c) = testing::kernel();
    block_on(k.send(Call::get("/health", "checking health").no_auth())).unwrap();
    assert!(c.calls_to(ProviderMethod::GetAuth).is_empty());
}

#[test]
fn provider_headers_merge_without_overriding() {
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::GetAuth, json!({"authorization": "Bearer wallet", "X-Trace": "t1"}));
    block_on(k.send(Call::get("/p", "x").bearer("svc"))).unwrap();
    let sent = &t.sent.borrow()[0];
    assert_eq!(header(sent, "authorization"), Some("Bearer svc"));
    assert_eq!(header(sent, "x-trace"), Some("t1"));
    assert_eq!(sent.headers.len(), 2);
}

#[test]
fn provider_sign_in_header_is_dropped_when_request_owns_auth() {
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::GetAuth, json!({"SIGN-IN-WITH-X": "abc"}));
    block_on(k.send(Call::get("/p", "x").bearer("svc"))).unwrap();
    assert_eq!(header(&t.sent.borrow()[0], "sign-in-with-x"), None);
    block_on(k.send(Call::get("/p", "x"))).unwrap();
    assert_eq!(header(&t.sent.borrow()[1], "sign-in-with-x"), Some("abc"));
}

#[test]
fn get_auth_with_wrong_shape_is_a_local_error_and_nothing_is_sent() {
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::GetAuth, json!({"authorization": 42}));
    let e = block_on(k.send(Call::get("/p", "reading"))).unwrap_err();
    assert_eq!(e.kind, ErrorKind::LocalError);
    assert!(e.message.contains("getAuth"), "{}", e.message);
    assert_eq!(e.context, "reading");
    c.on(ProviderMethod::GetAuth, json!("a string"));
    let e = block_on(k.send(Call::get("/p", "reading"))).unwrap_err();
    assert!(e.message.contains("returned a string"), "{}", e.message);
    assert!(t.sent.borrow().is_empty());
}

#[test]
fn json_body_adds_content_type_unless_set() {
    let (_, sent) = send(Call::post("/p", "x").json(Val::object().with("a", 1u16)));
    assert_eq!(header(&sent[0], "content-type"), Some("application/json"));
    assert_eq!(testing::body_text(&sent[0]).as_deref(), Some(r#"{"a":1}"#));
    let (_, sent) = send(Call::post("/p", "x").header("content-type", "application/vnd+json").json(Val::object()));
    assert_eq!(sent[0].headers, vec![("content-type".to_string(), "application/vnd+json".to_string())]);
}

#[test]
fn text_and_byte_bodies_are_sent_verbatim_without_content_type() {
    let (_, sent) = send(Call::post("/p", "x").text("SELECT 1".into()));
    assert_eq!(testing::body_text(&sent[0]).as_deref(), Some("SELECT 1"));
    assert!(sent[0].headers.is_empty());
    let mut call = Call::post("/p", "x");
    call.body = Body::Bytes(vec![0, 255, 7]);
    let (_, sent) = send(call);
    assert!(matches!(&sent[0].body, Some(WireBody::Bytes(b)) if b == &[0, 255, 7]));
    let (_, sent) = send(Call::get("/p", "x"));
    assert!(sent[0].body.is_none());
}

#[test]
fn responses_decode_by_content_type_keeping_every_field() {
    let r = send_answer(Call::get("/p", "x"), Answer::json(200, json!({"a": 1, "future_field": {"x": [1, 2]}}))).unwrap();
    assert_eq!(to_serde(&r.body), json!({"a": 1, "future_field": {"x": [1, 2]}}));
    let r = send_answer(Call::get("/p", "x"), Answer::raw(200, "application/problem+json", r#"{"b":2}"#)).unwrap();
    assert_eq!(to_serde(&r.body), json!({"b": 2}));
    let r = send_answer(Call::get("/p", "x"), Answer::text(200, "{\"not\":\"parsed\"}")).unwrap();
    assert_eq!(to_serde(&r.body), json!("{\"not\":\"parsed\"}"));
    let r = send_answer(Call::get("/p", "x"), Answer::raw(204, "application/json", "")).unwrap();
    assert!(matches!(r.body, Val::Null));
    assert_eq!(r.status, 204);
}

#[test]
fn broken_json_on_success_is_an_error_not_silent_null() {
    let e = send_answer(Call::get("/p", "reading things"), Answer::raw(200, "application/json", "{\"a\":")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ApiError);
    assert_eq!(e.status, Some(200));
    assert_eq!(e.message, "Invalid JSON in response while reading things (HTTP 200)");
    assert_eq!(to_serde(&e.body), json!("{\"a\":"));
}

#[test]
fn status_mapping_and_message_format() {
    let cases = [
        (402, json!({"message": "Pay up"}), ErrorKind::PaymentRequired, "Pay up while doing it"),
        (402, json!({}), ErrorKind::PaymentRequired, "Payment required while doing it"),
        (401, json!({"error": "bad key"}), ErrorKind::Unauthorized, "bad key while doing it (HTTP 401)"),
        (403, json!({"message": "", "error": "nope"}), ErrorKind::Unauthorized, "nope while doing it (HTTP 403)"),
        (403, json!(["message"]), ErrorKind::Unauthorized, "Unauthorized while doing it (HTTP 403)"),
        (404, json!({"message": "gone"}), ErrorKind::ApiError, "gone while doing it (HTTP 404)"),
        (409, json!({"message": 5}), ErrorKind::ApiError, "API error while doing it (HTTP 409)"),
        (429, json!({}), ErrorKind::ApiError, "API error while doing it (HTTP 429)"),
        (500, json!({"message": "boom", "error": "x"}), ErrorKind::ApiError, "boom while doing it (HTTP 500)"),
        (503, json!(null), ErrorKind::ApiError, "API error while doing it (HTTP 503)"),
    ];
    for (status, body, kind, message) in cases {
        let e = send_answer(Call::get("/p", "doing it"), Answer::json(status, body.clone())).unwrap_err();
        assert_eq!((e.kind, e.message.as_str(), e.status), (kind, message, Some(status)), "status {status}");
        assert_eq!(e.context, "doing it");
        assert_eq!(to_serde(&e.body), body);
    }
}

#[test]
fn text_error_bodies_are_kept_and_use_the_fallback_message() {
    let e = send_answer(Call::get("/p", "x"), Answer::text(502, "Bad Gateway")).unwrap_err();
    assert_eq!(e.message, "API error while x (HTTP 502)");
    assert_eq!(to_serde(&e.body), json!("Bad Gateway"));
    let e = send_answer(Call::get("/p", "x"), Answer::raw(500, "application/json", "<html>")).unwrap_err();
    assert_eq!(to_serde(&e.body), json!("<html>"));
}

#[test]
fn network_failures() {
    let e = send_answer(Call::get("/p", "fetching usage"), Answer::Reject("connect ECONNREFUSED".into())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NetworkError);
    assert_eq!(e.message, "Network error while fetching usage: connect ECONNREFUSED");
    assert_eq!(e.status, None);
    let cut = Answer::Respond { status: 200, content_type: Some("application/json".into()), body: String::new(), body_fails: true, headers: Vec::new() };
    let e = send_answer(Call::get("/p", "reading"), cut).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NetworkError);
    assert!(e.message.starts_with("Network error while reading: response body could not be read"));
    let e = send_answer(Call::get("/p", "reading"), Answer::NotAResponse).unwrap_err();
    assert_eq!(e.kind, ErrorKind::LocalError);
    assert!(e.message.contains("not a Response"));
}

#[test]
fn api_base_must_be_an_http_url_with_a_host() {
    use super::check_api_base;
    for good in ["https://api.run402.com", "http://127.0.0.1:4020", "HTTPS://x.example/base", "http://localhost:8787/"] {
        assert!(check_api_base(good).is_ok(), "{good} refused");
    }
    for bad in ["not a url", "api.run402.com", "ftp://x", "https://", "http:///path", "https://:80", "https://a b", "https://x?q=1", "https://x#f", "https://u:p@x", "https://x\n"] {
        assert!(check_api_base(bad).is_err(), "{bad:?} accepted");
    }
}
