//! The route vocabulary natively, on synthetic routes shaped like the
//! contract's rows: the exact request each sends, and the checks that stop
//! a request before it goes out.

use serde_json::{json, Value};

use super::*;
use crate::args::Args;
use crate::credentials::ProviderMethod;
use crate::error::ErrorKind;
use crate::surface::{opt, req, Param};
use crate::testing::{self, block_on, header, to_serde, Answer};

const PARAMS: &[Param] = &[req("projectId", "string"), req("target", "string"), opt("options", "object")];

fn run_route(route: &'static Route, args: Vec<Value>, answer: Option<Answer>) -> (crate::error::Result<Value>, Vec<crate::kernel::HttpRequest>, testing::MockCredentials) {
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::GetProject, json!({"anon_key": "anon-k", "service_key": "svc-k"}));
    if let Some(a) = answer {
        t.answers.borrow_mut().push_back(a);
    }
    let mut a = Args::new("things", "doIt", "doing it", args.into_iter().map(testing::json).collect());
    a.params = PARAMS;
    let out = block_on(run(&k, a, route)).map(|v| to_serde(&v));
    let sent = t.sent.borrow().clone();
    (out, sent, c)
}

fn message(r: &crate::error::Result<Value>) -> String {
    match r {
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::LocalError, "{e:?}");
            e.message.clone()
        }
        Ok(v) => panic!("expected a LocalError, got {v}"),
    }
}

const BASE: Route = Route { verb: "GET", path: "/t/v1", auth: PUBLIC, query: &[], body: RouteBody::None, headers: &[], result: Out::Body, paid: false, project: ProjectFrom::Arg0 };

static PASSWORD: Route = Route {
    verb: "PUT",
    path: "/auth/v1/user/password",
    auth: user_token(Src::Opt(1, "accessToken")),
    body: RouteBody::Fields(&[
        field("new_password", Src::Opt(1, "newPassword"), Kind::Str),
        field("current_password", Src::Opt(1, "currentPassword"), Kind::OptStr),
    ]),
    result: Out::Void,
    ..BASE
};

#[test]
fn a_user_token_route_sends_the_anon_key_and_the_callers_token() {
    let (out, sent, c) = run_route(&PASSWORD, vec![json!("prj_1"), json!({"accessToken": "tok-123", "newPassword": "pw"})], None);
    assert_eq!(out.unwrap(), Value::Null); // undefined
    let r = &sent[0];
    assert_eq!((r.method.as_str(), r.url.as_str()), ("PUT", "https://api.test/auth/v1/user/password"));
    assert_eq!(header(r, "apikey"), Some("anon-k"));
    assert_eq!(header(r, "authorization"), Some("Bearer tok-123"));
    assert_eq!(testing::body_text(r).as_deref(), Some(r#"{"new_password":"pw"}"#));
    // +P: the provider is asked (its Authorization would lose to ours).
    assert_eq!(c.calls_to(ProviderMethod::GetAuth).len(), 1);
}

#[test]
fn missing_or_wrong_fields_stop_the_request() {
    for (args, expected) in [
        (vec![json!("prj_1"), json!({"newPassword": "pw"})], "things.doIt: `accessToken` must be a string, got undefined"),
        (vec![json!("prj_1"), json!({"accessToken": "t"})], "things.doIt: `newPassword` must be a string, got undefined"),
        (vec![json!("prj_1"), json!({"accessToken": "t", "newPassword": "  "})], "things.doIt: `newPassword` must not be empty"),
        (vec![json!("prj_1"), json!({"accessToken": "t", "newPassword": "p", "currentPassword": 5})], "things.doIt: `currentPassword` must be a string, got a number"),
        (vec![json!("prj_1"), json!("not an object")], "things.doIt: `target` must be an object, got a string"),
        (vec![json!(".."), json!({"accessToken": "t", "newPassword": "p"})], "things.doIt: `projectId` \"..\" is a relative path segment"),
    ] {
        let (out, sent, _) = run_route(&PASSWORD, args, None);
        assert_eq!(message(&out), expected);
        assert!(sent.is_empty(), "a request went out for {expected}");
    }
}

static LIST: Route = Route {
    path: "/projects/v1/admin/{id}/things/{1}/logs",
    auth: SERVICE_KEY,
    query: &[
        field("tail", Src::Opt(2, "tail"), Kind::OptPosInt),
        field("after", Src::Opt(2, "after"), Kind::OptStr),
        field("all", Src::Opt(2, "all"), Kind::OptBool),
    ],
    result: Out::List("logs"),
    ..BASE
};

#[test]
fn query_fields_are_form_encoded_in_order_and_absent_ones_left_out() {
    let answer = Answer::json(200, json!({"logs": [{"m": 1}]}));
    let (out, sent, _) = run_route(&LIST, vec![json!("prj_1"), json!("fn a/b"), json!({"tail": 20, "after": "x y&z", "all": false})], Some(answer));
    assert_eq!(out.unwrap(), json!([{"m": 1}]));
    assert_eq!(sent[0].url, "https://api.test/projects/v1/admin/prj_1/things/fn%20a%2Fb/logs?tail=20&after=x+y%26z&all=false");
    assert_eq!(header(&sent[0], "authorization"), Some("Bearer svc-k"));
    assert_eq!(header(&sent[0], "apikey"), None);

    let (out, sent, _) = run_route(&LIST, vec![json!("prj_1"), json!("f"), json!({"after": ""})], None);
    assert_eq!(out.unwrap(), json!([]), "a missing list field resolves to []");
    assert_eq!(sent[0].url, "https://api.test/projects/v1/admin/prj_1/things/f/logs");
}

#[test]
fn positive_whole_numbers_are_checked() {
    for bad in [json!(0), json!(1.5), json!("3"), json!(-2), json!(9_007_199_254_740_992.0_f64)] {
        let (out, sent, _) = run_route(&LIST, vec![json!("prj_1"), json!("f"), json!({"tail": bad})], None);
        assert!(message(&out).starts_with("things.doIt: `tail` must be a positive whole number, got "), "{bad}");
        assert!(sent.is_empty());
    }
}

static DRAIN: Route = Route {
    verb: "POST",
    path: "/contracts/v1/wallets/{1:raw}/drain",
    auth: SERVICE_KEY,
    body: RouteBody::Fields(&[field("destination_address", Src::Arg(2), Kind::StrOrNull), field("flag", Src::Const("yes"), Kind::Str)]),
    headers: &[("X-Confirm-Drain", Src::Arg(1)), ("Cookie", Src::Opt(3, "cookie"))],
    ..BASE
};

#[test]
fn raw_segments_headers_from_arguments_and_nullable_fields() {
    let (out, sent, _) = run_route(&DRAIN, vec![json!("prj_1"), json!("w_1"), Value::Null], None);
    out.unwrap();
    let r = &sent[0];
    assert_eq!(r.url, "https://api.test/contracts/v1/wallets/w_1/drain");
    assert_eq!(header(r, "x-confirm-drain"), Some("w_1"));
    assert_eq!(header(r, "cookie"), None);
    assert_eq!(testing::body_text(r).as_deref(), Some(r#"{"destination_address":null,"flag":"yes"}"#));

    let (out, _, _) = run_route(&DRAIN, vec![json!("prj_1"), json!("w_1")], None);
    assert_eq!(message(&out), "things.doIt: `options` must be a string or null, got undefined");
    for bad in ["..", "a/b", "a?b"] {
        let (out, sent, _) = run_route(&DRAIN, vec![json!("prj_1"), json!(bad), json!("0xabc")], None);
        assert!(message(&out).starts_with("things.doIt: `target` "), "{bad}: {out:?}");
        assert!(sent.is_empty());
    }
}

static PUBLIC_ROUTE: Route = Route { path: "/apps/v1/{1.versionId}", ..BASE };

#[test]
fn a_public_route_asks_nobody_for_credentials() {
    let (out, sent, c) = run_route(&PUBLIC_ROUTE, vec![json!(null), json!({"versionId": "v 1"})], None);
    out.unwrap();
    assert_eq!(sent[0].url, "https://api.test/apps/v1/v%201");
    assert!(sent[0].headers.is_empty());
    assert!(c.calls_to(ProviderMethod::GetAuth).is_empty() && c.calls_to(ProviderMethod::GetProject).is_empty());
}

static ANON_ROUTE: Route = Route { verb: "POST", path: "/auth/v1/token?grant_type=magic_link", auth: ANON, body: RouteBody::Strings(&[("token", 1)]), ..BASE };

#[test]
fn an_anon_route_sends_the_anon_key_twice_and_needs_the_project() {
    let (out, sent, _) = run_route(&ANON_ROUTE, vec![json!("prj_1"), json!("t0k")], None);
    out.unwrap();
    assert_eq!(header(&sent[0], "apikey"), Some("anon-k"));
    assert_eq!(header(&sent[0], "authorization"), Some("Bearer anon-k"));
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::GetProject, Value::Null);
    let mut a = Args::new("things", "doIt", "doing it", vec![testing::json(json!("prj_x")), testing::json(json!("t"))]);
    a.params = PARAMS;
    let e = block_on(run(&k, a, &ANON_ROUTE)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ProjectNotFound);
    assert!(t.sent.borrow().is_empty());
}

const IMAGE_PARAMS: &[Param] = &[req("opts", "object"), crate::surface::call_opts("options", "object")];

static IMAGE: Route = Route {
    verb: "POST",
    path: "/generate-image/v1",
    auth: PROVIDER,
    body: RouteBody::Fields(&[
        field("prompt", Src::Opt(0, "prompt"), Kind::Str),
        field("aspect", Src::Opt(0, "aspect"), Kind::OneOfOr(&["square", "landscape", "portrait"], "square")),
    ]),
    paid: true,
    ..BASE
};

fn run_image(args: Vec<Value>) -> (crate::error::Result<Value>, Vec<crate::kernel::HttpRequest>) {
    let (k, t, _) = testing::kernel();
    let mut a = Args::new("ai", "generateImage", "generating image", args.into_iter().map(testing::json).collect());
    a.params = IMAGE_PARAMS;
    let out = block_on(run(&k, a, &IMAGE)).map(|v| to_serde(&v));
    let sent = t.sent.borrow().clone();
    (out, sent)
}

#[test]
fn enums_default_to_their_first_value_and_paid_routes_carry_an_idempotency_key() {
    let (out, sent) = run_image(vec![json!({"prompt": "a cat"})]);
    out.unwrap();
    assert_eq!(testing::body_text(&sent[0]).as_deref(), Some(r#"{"prompt":"a cat","aspect":"square"}"#));
    let key = header(&sent[0], "idempotency-key").expect("a paid route sends an Idempotency-Key");
    assert_eq!(key.len(), 32);

    let (out, sent) = run_image(vec![json!({"prompt": "a cat", "aspect": "portrait"}), json!({"idempotencyKey": "mine-1"})]);
    out.unwrap();
    assert_eq!(header(&sent[0], "idempotency-key"), Some("mine-1"));
    assert!(testing::body_text(&sent[0]).unwrap().ends_with(r#""aspect":"portrait"}"#));

    let (out, sent) = run_image(vec![json!({"prompt": "a cat", "aspect": "wide"})]);
    assert_eq!(message(&out), "ai.generateImage: `aspect` must be one of square, landscape, portrait, got \"wide\"");
    assert!(sent.is_empty());
    let (out, _) = run_image(vec![json!({"prompt": "a cat", "aspect": 3})]);
    assert_eq!(message(&out), "ai.generateImage: `aspect` must be a string, got a number");
}

static TAGGED: Route = Route { path: "/apps/v1", query: &[field("tag", Src::Arg(1), Kind::OptStrList)], ..BASE };

#[test]
fn a_string_list_repeats_its_parameter_with_uri_component_encoding() {
    let (out, sent, _) = run_route(&TAGGED, vec![Value::Null, json!(["a b", "c&d", "x!*'()~"])], None);
    out.unwrap();
    // encodeURIComponent, as the reference writes tags: %20 (not +), !*'()~ kept.
    assert_eq!(sent[0].url, "https://api.test/apps/v1?tag=a%20b&tag=c%26d&tag=x!*'()~");
    for absent in [vec![Value::Null], vec![Value::Null, json!([])], vec![Value::Null, Value::Null]] {
        let (out, sent, _) = run_route(&TAGGED, absent, None);
        out.unwrap();
        assert_eq!(sent[0].url, "https://api.test/apps/v1");
    }
    for bad in [json!("a"), json!(["a", 1]), json!([null]), json!({"0": "a"})] {
        let (out, sent, _) = run_route(&TAGGED, vec![Value::Null, bad.clone()], None);
        assert!(message(&out).starts_with("things.doIt: `target` must be an array of strings, got "), "{bad}: {out:?}");
        assert!(sent.is_empty());
    }
}

static BLOB_KEY: Route = Route { path: "/storage/v1/blob/{1/}/sign", ..BASE };

#[test]
fn segment_slots_encode_each_segment_and_keep_the_slashes() {
    let (out, sent, _) = run_route(&BLOB_KEY, vec![json!("prj_1"), json!("a b/c?d/é#.png")], None);
    out.unwrap();
    assert_eq!(sent[0].url, "https://api.test/storage/v1/blob/a%20b/c%3Fd/%C3%A9%23.png/sign");
    let (out, sent, _) = run_route(&BLOB_KEY, vec![json!("prj_1"), json!("")], None);
    assert_eq!(message(&out), "things.doIt: `target` must not be empty");
    assert!(sent.is_empty());
}

/// The project from an options field, the anon key only when the provider
/// knows the project (and never on a CI session), and a guard around the
/// request: deploy's reads.
fn guard_check(a: &Args) -> crate::error::Result<()> {
    match a.get(1).and_then(|v| v.as_string()) {
        Some(t) if t.starts_with("ok_") => Ok(()),
        _ => Err(a.error("`target` must start with ok_")),
    }
}

fn guard_error(_: &Args, e: crate::error::Error) -> crate::error::Error {
    let mut e = e;
    e.message = ["guarded: ", &e.message].concat();
    e
}

static GUARD: Guard = Guard { check: guard_check, error: Some(guard_error) };

static SOFT: Route = Route {
    path: "/t/v1/{1}",
    auth: Auth { apikey: Key::AnonIfKnown, ..PROVIDER },
    project: ProjectFrom::Field { index: 2, name: "project", required: false, or_string: false },
    result: Out::Guarded(&GUARD),
    ..BASE
};

static REQUIRED: Route = Route { path: "/t/v1", project: ProjectFrom::Field { index: 0, name: "project", required: true, or_string: true }, ..SOFT };

#[test]
fn a_field_project_sends_the_anon_key_only_when_the_provider_knows_it() {
    let (out, sent, c) = run_route(&SOFT, vec![json!(null), json!("ok_1"), json!({"project": "prj_9"})], Some(Answer::json(200, json!({"x": 1}))));
    assert_eq!(out.unwrap(), json!({"x": 1}));
    assert_eq!(sent[0].url, "https://api.test/t/v1/ok_1");
    assert_eq!(header(&sent[0], "apikey"), Some("anon-k"));
    assert_eq!(header(&sent[0], "authorization"), None);
    assert_eq!(c.calls_to(ProviderMethod::GetProject).len(), 1);

    // No project: no lookup, no key; an unknown project: no key, no error.
    let (out, sent, c) = run_route(&SOFT, vec![json!(null), json!("ok_1"), json!({"project": ""})], Some(Answer::json(200, json!({}))));
    assert!(out.is_ok());
    assert_eq!((header(&sent[0], "apikey"), c.calls_to(ProviderMethod::GetProject).len()), (None, 0));
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::GetProject, json!(null));
    t.answers.borrow_mut().push_back(Answer::json(200, json!({})));
    let mut a = Args::new("things", "doIt", "doing it", vec![json!(null), json!("ok_1"), json!({"project": "prj_unknown"})].into_iter().map(testing::json).collect());
    a.params = PARAMS;
    assert!(block_on(run(&k, a, &SOFT)).is_ok());
    assert_eq!(header(&t.sent.borrow()[0], "apikey"), None);

    // A CI session never sends it, and does not ask.
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::GetProject, json!({"anon_key": "anon-k", "service_key": "svc-k"}));
    c.ci.set(true);
    t.answers.borrow_mut().push_back(Answer::json(200, json!({})));
    let mut a = Args::new("things", "doIt", "doing it", vec![json!(null), json!("ok_1"), json!({"project": "prj_9"})].into_iter().map(testing::json).collect());
    a.params = PARAMS;
    assert!(block_on(run(&k, a, &SOFT)).is_ok());
    assert_eq!((header(&t.sent.borrow()[0], "apikey"), c.calls_to(ProviderMethod::GetProject).len()), (None, 0));
}

#[test]
fn a_guard_checks_first_and_replaces_the_requests_error() {
    // The check runs before anything else is read (the options are wrong too).
    let (out, sent, _) = run_route(&SOFT, vec![json!(null), json!("bad"), json!(5)], None);
    assert_eq!(message(&out), "things.doIt: `target` must start with ok_");
    assert!(sent.is_empty());
    let (out, _, _) = run_route(&SOFT, vec![json!(null), json!("ok_1")], Some(Answer::json(404, json!({"message": "nope"}))));
    assert!(out.expect_err("404").message.starts_with("guarded: "));
}

#[test]
fn a_required_field_project_or_a_project_string() {
    let ok = |args: Vec<Value>| {
        let (out, sent, _) = run_route(&REQUIRED, args, Some(Answer::json(200, json!({}))));
        assert!(out.is_ok());
        header(&sent[0], "apikey").map(str::to_string)
    };
    assert_eq!(ok(vec![json!("prj_1"), json!("ok_1")]).as_deref(), Some("anon-k"));
    assert_eq!(ok(vec![json!({"project": "prj_1"}), json!("ok_1")]).as_deref(), Some("anon-k"));
    for (args, expected) in [
        (vec![json!({}), json!("ok_1")], "things.doIt: `project` is required"),
        (vec![json!(""), json!("ok_1")], "things.doIt: `project` is required"),
        (vec![json!(null), json!("ok_1")], "things.doIt: `project` is required"),
        (vec![json!(7), json!("ok_1")], "things.doIt: `projectId` must be an object, got a number"),
        (vec![json!({"project": 7}), json!("ok_1")], "things.doIt: `project` must be a string, got a number"),
    ] {
        let (out, sent, _) = run_route(&REQUIRED, args, None);
        assert_eq!(message(&out), expected);
        assert!(sent.is_empty());
    }
    // Without `or_string`, the options must be an object.
    static OPTS_ONLY: Route = Route { project: ProjectFrom::Field { index: 2, name: "project", required: true, or_string: false }, ..SOFT };
    let (out, _, _) = run_route(&OPTS_ONLY, vec![json!(null), json!("ok_1")], None);
    assert_eq!(message(&out), "things.doIt: `project` is required");
    let (out, _, _) = run_route(&OPTS_ONLY, vec![json!(null), json!("ok_1"), json!("prj_1")], None);
    assert_eq!(message(&out), "things.doIt: `options` must be an object, got a string");
}
