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
    // The character is named without Debug formatting (the shipped wasm prints no Debug).
    let named = |base: &str| check_api_base(base).unwrap_err();
    assert!(named("https://x?q=1").starts_with("must not contain \"?\":"), "{}", named("https://x?q=1"));
    assert!(named("https://a b").starts_with("must not contain a space:"));
    assert!(named("https://x\n").starts_with("must not contain U+000A:"));
}

// --- transport v2: absolute and raw requests, read modes, host bodies ---

use crate::testing::{body_thing, host_thing, HostThing};

/// A kernel whose provider answers every auth and project question with
/// credentials, so a request that leaks them shows it.
fn leaky_kernel() -> (alloc::rc::Rc<Kernel>, testing::MockTransport, testing::MockCredentials) {
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::GetAuth, json!({"Authorization": "Bearer wallet-token", "SIGN-IN-WITH-X": "siwx", "apikey": "k"}));
    (k, t, c)
}

#[test]
fn absolute_urls_go_as_given_without_any_provider_header() {
    let (k, t, c) = leaky_kernel();
    let url = "https://bucket.s3.amazonaws.com/part?X-Amz-Signature=abc&partNumber=1";
    let call = Call::absolute("PUT", url, "uploading blob part").header("Content-Type", "application/octet-stream").paid(None);
    block_on(k.send(call)).unwrap();
    let sent = &t.sent.borrow()[0];
    assert_eq!(sent.url, url);
    assert_eq!(sent.headers, vec![("Content-Type".to_string(), "application/octet-stream".to_string())]);
    assert!(c.calls_to(ProviderMethod::GetAuth).is_empty(), "getAuth must not be asked for a third-party URL");
}

#[test]
fn absolute_urls_refuse_credential_headers_and_non_http_schemes() {
    for name in ["Authorization", "apikey", "SIGN-IN-WITH-X", "x-run402-write-auth", "X-PAYMENT", "payment-signature"] {
        let (k, t, _) = leaky_kernel();
        let e = block_on(k.send(Call::absolute("PUT", "https://s3.example/p", "uploading").header(name, "svc-SECRET"))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::LocalError, "{name}");
        assert!(e.message.contains(name) && !e.message.contains("svc-SECRET"), "{}", e.message);
        assert!(t.sent.borrow().is_empty(), "{name} was sent");
    }
    for bad in ["ftp://s3.example/p", "/relative", "javascript:alert(1)", "https://", "https://u:p@s3.example/p", "https://s3.example/a b", "https://s3.example/\\x"] {
        let (k, t, _) = testing::kernel();
        let e = block_on(k.send(Call::absolute("PUT", bad, "uploading"))).unwrap_err();
        assert_eq!(e.kind, ErrorKind::LocalError, "{bad}");
        assert!(t.sent.borrow().is_empty(), "{bad} was sent");
    }
    assert!(check_absolute_url("HTTP://127.0.0.1:9000/b/k?uploadId=1&x-amz-checksum-sha256=abc").is_ok());
}

#[test]
fn raw_gateway_requests_carry_only_their_own_headers_and_never_pay() {
    let (k, t, c) = leaky_kernel();
    let call = Call::get("/storage/v1/blob/a/b.png", "downloading blob").header("apikey", "svc").bearer("svc").paid(None).raw();
    let answer = Answer::json(402, json!({"x402Version": 1, "accepts": [], "message": "pay"}));
    t.answers.borrow_mut().push_back(answer);
    let e = block_on(k.send(call)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::PaymentRequired);
    let sent = t.sent.borrow();
    assert_eq!(sent.len(), 1, "a raw 402 is not paid and resent");
    assert_eq!(sent[0].url, "https://api.test/storage/v1/blob/a/b.png");
    assert_eq!(sent[0].headers.len(), 2, "no idempotency key, no provider headers: {:?}", sent[0].headers);
    assert!(c.calls_to(ProviderMethod::GetAuth).is_empty());
}

#[test]
fn every_read_mode_hands_back_what_the_host_read() {
    let body = r#"{"a":1}"#;
    let r = send_answer(Call::get("/p", "x").read_as(ReadAs::Text), Answer::raw(200, "application/json", body)).unwrap();
    assert_eq!(to_serde(&r.body), json!(body), "text mode does not parse");
    let r = send_answer(Call::get("/p", "x").read_as(ReadAs::Bytes), Answer::raw(200, "message/rfc822", "MIME").header("X-A", "1")).unwrap();
    let Val::Json(j) = &r.body else { panic!("{:?}", r.body) };
    assert_eq!(host_thing(j), Some(&HostThing::Bytes(b"MIME".to_vec())));
    assert_eq!(r.header("content-type").as_deref(), Some("message/rfc822"));
    assert_eq!(r.header("x-a").as_deref(), Some("1"));
    let r = send_answer(Call::get("/p", "x").read_as(ReadAs::Response), Answer::raw(206, "image/png", "PNG")).unwrap();
    let Val::Json(j) = &r.body else { panic!("{:?}", r.body) };
    assert_eq!(host_thing(j), Some(&HostThing::Response { status: 206, body: "PNG".into() }));
    assert_eq!(r.status, 206);
}

#[test]
fn errors_decode_the_body_as_today_in_every_read_mode() {
    for read in [ReadAs::Decoded, ReadAs::Text, ReadAs::Bytes, ReadAs::Response] {
        let e = send_answer(Call::get("/p", "downloading blob").read_as(read), Answer::json(404, json!({"message": "no such blob"}))).unwrap_err();
        assert_eq!((e.kind, e.status, e.message.as_str()), (ErrorKind::ApiError, Some(404), "no such blob while downloading blob (HTTP 404)"), "{read:?}");
        assert_eq!(to_serde(&e.body), json!({"message": "no such blob"}));
        let e = send_answer(Call::get("/p", "x").read_as(read), Answer::text(403, "<Error>AccessDenied</Error>")).unwrap_err();
        assert_eq!((e.kind, to_serde(&e.body)), (ErrorKind::Unauthorized, json!("<Error>AccessDenied</Error>")), "{read:?}");
    }
}

#[test]
fn host_bodies_are_handed_over_untouched_with_their_length() {
    let (k, t, _) = testing::kernel();
    let bytes = k.host_body(HostThing::Bytes(vec![1, 2, 3]).json(), "x").unwrap();
    assert_eq!(bytes.info, BodyInfo { kind: BodyKind::Bytes, length: Some(3) });
    block_on(k.send(Call::absolute("PUT", "https://s3.example/p", "x").host_body(bytes))).unwrap();
    let blob = k.host_body(HostThing::Blob(vec![9; 10]).json(), "x").unwrap();
    block_on(k.send(Call::post("/p", "x").host_body(blob))).unwrap();
    let text = k.host_body(testing::json(json!("héllo")), "x").unwrap();
    assert_eq!(text.info, BodyInfo { kind: BodyKind::Text, length: Some(6) });
    let sent = t.sent.borrow();
    assert_eq!(body_thing(&sent[0]), Some(HostThing::Bytes(vec![1, 2, 3])));
    assert!(sent[0].headers.is_empty(), "fetch sets Content-Length for bytes itself");
    assert!(matches!(&sent[1].body, Some(WireBody::Host(_))));
    assert_eq!(body_thing(&sent[1]), Some(HostThing::Blob(vec![9; 10])));
    assert!(!headers::has(&sent[1].headers, "content-type"), "no content type is guessed");
    for not_a_body in [json!({"a": 1}), json!(5), json!(null), json!([1])] {
        let e = k.host_body(testing::json(not_a_body.clone()), "putting blob").unwrap_err();
        assert_eq!(e.kind, ErrorKind::LocalError, "{not_a_body}");
        assert!(e.message.contains("Uint8Array"), "{}", e.message);
    }
    let e = k.host_body(HostThing::Response { status: 200, body: String::new() }.json(), "x").unwrap_err();
    assert_eq!(e.kind, ErrorKind::LocalError);
}

#[test]
fn stream_bodies_go_as_streams_with_a_known_length_said() {
    let (k, t, _) = testing::kernel();
    let stream = k.host_body(HostThing::Stream(vec![0; 5]).json(), "x").unwrap();
    assert_eq!(stream.info.length, None);
    block_on(k.send(Call::absolute("PUT", "https://s3.example/p", "x").host_body(stream.clone()))).unwrap();
    block_on(k.send(Call::absolute("PUT", "https://s3.example/p", "x").host_body(stream.clone().with_length(5)))).unwrap();
    let own = Call::absolute("PUT", "https://s3.example/p", "x").header("content-length", "5").host_body(stream.with_length(5));
    block_on(k.send(own)).unwrap();
    let sent = t.sent.borrow();
    assert!(matches!(&sent[0].body, Some(WireBody::Stream(_))));
    assert!(sent[0].headers.is_empty());
    assert_eq!(header(&sent[1], "content-length"), Some("5"));
    assert_eq!(sent[2].headers, vec![("content-length".to_string(), "5".to_string())]);
    // Only a stream's length can be set: a byte array's is what it is.
    let bytes = k.host_body(HostThing::Bytes(vec![1]).json(), "x").unwrap().with_length(99);
    assert_eq!(bytes.info.length, Some(1));
}

#[test]
fn uploads_get_time_beyond_the_call_timeout_by_size() {
    const MIB: u64 = 1 << 20;
    assert_eq!(upload_allowance_ms(0), 0);
    assert_eq!(upload_allowance_ms(MIB - 1), 0, "small bodies keep the plain limit");
    assert_eq!(upload_allowance_ms(MIB), 2_000);
    assert_eq!(upload_allowance_ms(100 * MIB + 5), 200_000);
    assert_eq!(upload_allowance_ms(u64::MAX), u32::MAX);
    let (k, t, _) = testing::kernel();
    let big = k.host_body(HostThing::Stream(Vec::new()).json(), "x").unwrap().with_length(64 * MIB);
    block_on(k.send(Call::absolute("PUT", "https://s3.example/p", "x").host_body(big))).unwrap();
    block_on(k.send(Call::post("/p", "x").text("x".repeat(3 * MIB as usize)))).unwrap();
    block_on(k.send(Call::post("/p", "x").json(Val::object()))).unwrap();
    let sent = t.sent.borrow();
    assert_eq!(sent.iter().map(|r| r.extra_ms).collect::<Vec<_>>(), vec![128_000, 6_000, 0]);
}

#[test]
fn sha256_of_host_bytes_goes_through_the_transport() {
    let (k, _, _) = testing::kernel();
    let d = block_on(k.sha256(&HostThing::Bytes(b"abc".to_vec()).json(), "hashing")).unwrap();
    assert_eq!(crate::wallet::codec::hex(&d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    let e = block_on(k.sha256(&testing::json(json!({})), "hashing content")).unwrap_err();
    assert_eq!((e.kind, e.context.as_str()), (ErrorKind::LocalError, "hashing content"));
}

#[test]
fn bodies_cut_into_parts_keep_their_kind_and_refuse_bad_ranges() {
    let (k, _, _) = testing::kernel();
    let blob = k.host_body(HostThing::Blob((0..10).collect()).json(), "x").unwrap();
    let part = k.slice_body(&blob, 3, 7, "x").unwrap();
    assert_eq!(part.info, BodyInfo { kind: BodyKind::Blob, length: Some(4) });
    assert_eq!(host_thing(&part.value), Some(&HostThing::Blob(vec![3, 4, 5, 6])));
    let text = k.host_body(testing::json(json!("héllo")), "x").unwrap();
    let part = k.slice_body(&text, 1, 3, "x").unwrap();
    assert_eq!((part.info.kind, host_thing(&part.value)), (BodyKind::Bytes, Some(&HostThing::Bytes("é".as_bytes().to_vec()))));
    assert_eq!(k.slice_body(&blob, 0, 0, "x").unwrap().info.length, Some(0));
    for (start, end) in [(0, 11), (5, 4), (11, 12)] {
        let e = k.slice_body(&blob, start, end, "uploading").unwrap_err();
        assert_eq!(e.kind, ErrorKind::LocalError, "{start}..{end}");
    }
    let stream = k.host_body(HostThing::Stream(vec![1; 4]).json(), "x").unwrap().with_length(4);
    assert!(k.slice_body(&stream, 0, 2, "x").unwrap_err().message.contains("ReadableStream"));
}
