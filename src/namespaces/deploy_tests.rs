//! The deploy namespace over the mock transport: what each member sends,
//! in which order, with which credentials, and the events it emits.

use core::cell::RefCell;

use serde_json::{json, Value};

use super::*;
use crate::credentials::ProviderMethod;
use crate::error::ErrorKind;
use crate::testing::{self, block_on, body_text, header, to_serde, Answer, MockTransport};
use crate::wallet::codec::base64;

thread_local! {
    static SEEN: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
}

fn collect() -> Events {
    Rc::new(|v| {
        SEEN.with(|s| s.borrow_mut().push(to_serde(&v)));
        Box::pin(async {})
    })
}

/// Runs `deploy.name` with the answers queued; returns its outcome and events.
fn run(t: &MockTransport, k: &Rc<Kernel>, name: &str, scope: Option<&str>, args: Vec<Value>, answers: Vec<Answer>) -> (Result<Value>, Vec<Value>) {
    SEEN.with(|s| s.borrow_mut().clear());
    t.answers.borrow_mut().extend(answers);
    let items = args.into_iter().map(testing::json).collect();
    let id = testing::method_id("deploy", name);
    let out = block_on(crate::surface::dispatch(k.clone(), id, scope.map(str::to_string), items, None, &collect));
    (out.map(|v| to_serde(&v)), SEEN.with(|s| s.borrow().clone()))
}

fn kernel() -> (Rc<Kernel>, MockTransport) {
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::GetProject, json!({"anon_key": "anon-k", "service_key": "svc-k"}));
    (k, t)
}

const HTML: &str = "<h1>hi</h1>";

fn sha(text: &str) -> String {
    crate::wallet::codec::hex(&crate::kernel::sha256::digest(text.as_bytes()))
}

fn site_spec() -> Value {
    json!({"project": "prj_1", "site": {"replace": {"index.html": HTML}}})
}

fn plan_answer(missing: Value) -> Answer {
    Answer::json(200, json!({"kind": "plan_response", "plan_id": "plan_1", "operation_id": "op_1", "base_release_id": null,
        "manifest_digest": "d", "missing_content": missing, "site": {"added": 1}, "warnings": []}))
}

fn content_answers(sha: &str, size: usize) -> Vec<Answer> {
    vec![
        Answer::json(200, json!({"plan_id": "cp_1", "missing": [{"sha256": sha, "mode": "single", "upload_id": "up_1",
            "parts": [{"part_number": 1, "url": "https://s3.test/obj?X-Amz-Signature=s", "byte_start": 0, "byte_end": size - 1}]}]})),
        Answer::text(200, "").header("ETag", "\"e1\""),
        Answer::json(200, json!({})),
        Answer::json(200, json!({})),
    ]
}

fn ready() -> Answer {
    Answer::json(200, json!({"operation_id": "op_1", "status": "ready", "release_id": "rel_1", "urls": {"site": "https://x.test/"}}))
}

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| match (e["type"].as_str(), e["phase"].as_str()) {
            (Some("commit.phase"), Some(p)) => format!("commit.phase:{p}:{}", e["status"].as_str().unwrap_or("")),
            (Some(t), _) => t.to_string(),
            _ => "<marker>".to_string(),
        })
        .collect()
}

fn body(r: &crate::kernel::HttpRequest) -> Value {
    serde_json::from_str(&body_text(r).unwrap_or_default()).unwrap_or(Value::Null)
}

#[test]
fn apply_plans_uploads_commits_and_polls() {
    let (k, t) = kernel();
    let digest = sha(HTML);
    let mut answers = vec![plan_answer(json!([{"sha256": digest, "size": HTML.len(), "present": false}]))];
    answers.extend(content_answers(&digest, HTML.len()));
    answers.push(Answer::json(200, json!({"operation_id": "op_1", "status": "running"})));
    answers.push(Answer::json(200, json!({"operation_id": "op_1", "status": "staging"})));
    answers.push(Answer::json(200, json!({"operation_id": "op_1", "status": "activating"})));
    answers.push(ready());
    let (out, events) = run(&t, &k, "apply", None, vec![site_spec(), json!({"idempotencyKey": "key-1"})], answers);
    let out = out.expect("deployed");
    assert_eq!(out["release_id"], "rel_1");
    assert_eq!(out["operation_id"], "op_1");
    assert_eq!(out["diff"]["site"], json!({"added": 1}));
    assert_eq!(
        types(&events),
        ["plan.started", "plan.diff", "content.upload.progress", "commit.phase:validate:started", "commit.phase:stage:started", "commit.phase:stage:done",
            "commit.phase:activate:started", "commit.phase:activate:done", "ready"]
    );
    assert_eq!(events[2], json!({"type": "content.upload.progress", "label": "index.html", "sha256": digest, "done": 1, "total": 1}));

    let sent = t.sent.borrow().clone();
    let urls: Vec<String> = sent.iter().map(|r| format!("{} {}", r.method, r.url)).collect();
    assert_eq!(
        urls,
        [
            "POST https://api.test/deploy/v2/plans",
            "POST https://api.test/content/v1/plans",
            "PUT https://s3.test/obj?X-Amz-Signature=s",
            "POST https://api.test/storage/v1/uploads/up_1/complete",
            "POST https://api.test/content/v1/plans/cp_1/commit",
            "POST https://api.test/deploy/v2/plans/plan_1/commit",
            "GET https://api.test/deploy/v2/operations/op_1",
            "GET https://api.test/deploy/v2/operations/op_1",
            "GET https://api.test/deploy/v2/operations/op_1",
        ]
    );
    let plan = body(&sent[0]);
    assert_eq!(plan["idempotency_key"], "key-1");
    assert_eq!(plan["spec"]["site"]["replace"]["index.html"], json!({"sha256": digest, "size": HTML.len(), "contentType": "text/html; charset=utf-8"}));
    assert_eq!(header(&sent[0], "apikey"), None, "plans carry the provider's auth only");
    assert_eq!(header(&sent[0], "idempotency-key"), Some("key-1"));
    assert_eq!(body(&sent[1]), json!({"content": [{"sha256": digest, "size": HTML.len(), "content_type": "text/html; charset=utf-8"}]}));
    for i in [1, 3, 4, 6] {
        assert_eq!(header(&sent[i], "apikey"), Some("anon-k"), "{}", sent[i].url);
    }
    assert_eq!(header(&sent[2], "x-amz-checksum-sha256"), Some(base64(&crate::kernel::sha256::digest(HTML.as_bytes())).as_str()));
    assert_eq!(header(&sent[2], "apikey"), None);
    assert_eq!(body(&sent[3]), json!({}), "a single-part session completes with {{}}");
    assert_eq!(body(&sent[5]), json!({"idempotency_key": "key-1"}));
    assert_eq!(*t.sleeps.borrow(), [1_000, 1_000], "polls 1 s apart");
}

#[test]
fn present_content_is_skipped_and_nothing_is_uploaded() {
    let (k, t) = kernel();
    let digest = sha(HTML);
    let answers = vec![plan_answer(json!([{"sha256": digest, "size": HTML.len(), "present": true}])), ready()];
    let (out, events) = run(&t, &k, "apply", None, vec![site_spec()], answers);
    out.expect("deployed");
    assert_eq!(events[2], json!({"type": "content.upload.skipped", "label": "index.html", "sha256": digest, "reason": "present"}));
    assert_eq!(t.sent.borrow().len(), 2, "plan and commit only");
    assert_eq!(body(&t.sent.borrow()[1]), json!({}));
}

#[test]
fn warnings_that_need_confirmation_stop_before_upload() {
    let (k, t) = kernel();
    let plan = Answer::json(200, json!({"plan_id": "plan_1", "operation_id": "op_1", "missing_content": [{"sha256": sha(HTML), "size": 11, "present": false}],
        "warnings": [{"code": "DROPS_TABLE", "severity": "high", "requires_confirmation": true, "message": "drops t"}]}));
    let (out, events) = run(&t, &k, "apply", None, vec![site_spec()], vec![plan]);
    let e = out.expect_err("blocked");
    assert_eq!(e.kind, ErrorKind::DeployError);
    assert_eq!(e.extra_field("code").and_then(Val::as_str), Some("DROPS_TABLE"));
    assert_eq!(types(&events), ["plan.started", "plan.diff", "plan.warnings"]);
    assert_eq!(t.sent.borrow().len(), 1);

    let plan = Answer::json(200, json!({"plan_id": "plan_1", "operation_id": "op_1", "missing_content": [],
        "warnings": [{"code": "DROPS_TABLE", "requires_confirmation": true}]}));
    let (out, _) = run(&t, &k, "apply", None, vec![site_spec(), json!({"allowWarnings": true})], vec![plan, ready()]);
    assert_eq!(out.expect("allowed")["warnings"][0]["code"], "DROPS_TABLE");
}

fn conflict() -> Answer {
    Answer::json(409, json!({"code": "BASE_RELEASE_CONFLICT", "message": "base moved", "safe_to_retry": true}))
}

#[test]
fn base_conflicts_are_retried_with_a_new_plan_then_exhausted() {
    let (k, t) = kernel();
    let missing = json!([{"sha256": sha(HTML), "size": 11, "present": true}]);
    let answers = vec![plan_answer(missing.clone()), conflict(), plan_answer(missing.clone()), ready()];
    let (out, events) = run(&t, &k, "apply", None, vec![site_spec()], answers);
    out.expect("second attempt deploys");
    let retry = events.iter().find(|e| e["type"] == "deploy.retry").expect("a retry event");
    assert_eq!((retry["attempt"].as_u64(), retry["nextAttempt"].as_u64(), retry["maxAttempts"].as_u64()), (Some(1), Some(2), Some(3)));
    assert_eq!(retry["code"], "BASE_RELEASE_CONFLICT");
    let delay = retry["delayMs"].as_u64().unwrap_or(0);
    assert!((250..=350).contains(&delay), "{delay}");

    let (k, t) = kernel();
    let answers = vec![plan_answer(missing.clone()), conflict(), plan_answer(missing), conflict()];
    let (out, events) = run(&t, &k, "apply", None, vec![site_spec(), json!({"maxRetries": 1})], answers);
    let e = out.expect_err("exhausted");
    assert_eq!(e.extra_field("attempts").map(to_serde), Some(json!(2)));
    assert_eq!(e.extra_field("lastRetryCode").and_then(Val::as_str), Some("BASE_RELEASE_CONFLICT"));
    assert_eq!(events.iter().filter(|e| e["type"] == "deploy.retry").count(), 1);
    let (_, _) = (t, k);
    let (k, t) = kernel();
    let (out, _) = run(&t, &k, "apply", None, vec![site_spec(), json!({"maxRetries": -1})], vec![]);
    assert_eq!(out.expect_err("refused").extra_field("code").and_then(Val::as_str), Some("INVALID_SPEC"));
    assert!(t.sent.borrow().is_empty());
}

#[test]
fn failed_parts_are_retried_then_reported_as_content_upload_failed() {
    let (k, t) = kernel();
    let digest = sha(HTML);
    let mut answers = vec![plan_answer(json!([{"sha256": digest, "size": 11, "present": false}]))];
    let mut content = content_answers(&digest, HTML.len());
    content.insert(1, Answer::text(503, "slow down"));
    answers.extend(content);
    answers.push(ready());
    let (out, _) = run(&t, &k, "apply", None, vec![site_spec()], answers);
    out.expect("second PUT succeeds");
    assert_eq!(*t.sleeps.borrow(), [1_000]);

    let (k, t) = kernel();
    let answers = vec![
        plan_answer(json!([{"sha256": digest, "size": 11, "present": false}])),
        content_answers(&digest, HTML.len()).remove(0),
        Answer::text(400, "bad"),
    ];
    let (out, _) = run(&t, &k, "apply", None, vec![site_spec()], answers);
    let e = out.expect_err("not retried");
    assert_eq!(e.extra_field("code").and_then(Val::as_str), Some("CONTENT_UPLOAD_FAILED"));
    assert!(t.sleeps.borrow().is_empty());
    assert!(t.sent.borrow().iter().all(|r| !r.url.contains("/commit")), "nothing committed");
}

#[test]
fn a_failed_operation_is_translated() {
    let (k, t) = kernel();
    let answers = vec![
        plan_answer(json!([])),
        Answer::json(200, json!({"operation_id": "op_1", "status": "running"})),
        Answer::json(200, json!({"operation_id": "op_1", "status": "migrating"})),
        Answer::json(200, json!({"operation_id": "op_1", "status": "failed", "error": {"code": "migration_failed", "phase": "migrate", "logs": ["ERROR: boom"], "rolled_back": true}})),
    ];
    let (out, events) = run(&t, &k, "apply", None, vec![site_spec()], answers);
    let e = out.expect_err("failed");
    assert_eq!(e.extra_field("code").and_then(Val::as_str), Some("MIGRATION_FAILED"));
    assert_eq!(e.extra_field("rolledBack").map(to_serde), Some(json!(true)));
    assert_eq!(e.extra_field("operationId").and_then(Val::as_str), Some("op_1"));
    assert_eq!(types(&events)[2..], ["commit.phase:validate:started", "commit.phase:migrate:started", "commit.phase:migrate:failed"]);
}

#[test]
fn a_dry_run_plan_cannot_be_committed() {
    let (k, t) = kernel();
    let (out, _) = run(&t, &k, "plan", None, vec![site_spec(), json!({"dryRun": true})], vec![Answer::json(200, json!({"plan_id": null, "operation_id": null, "missing_content": []}))]);
    let out = out.expect("planned");
    assert_eq!(out["plan"]["plan_id"], Value::Null);
    assert_eq!(out["byteReaders"][0][0], sha(HTML));
    assert_eq!(out["byteReaders"][0][2], "index.html");
    assert_eq!(t.sent.borrow()[0].url, "https://api.test/deploy/v2/plans?dry_run=true");
    assert!(body(&t.sent.borrow()[0]).get("idempotency_key").is_none());

    let (k, t) = kernel();
    let (out, _) = run(&t, &k, "apply", None, vec![site_spec()], vec![Answer::json(200, json!({"plan_id": null, "operation_id": null, "missing_content": []}))]);
    assert_eq!(out.expect_err("dry").extra_field("code").and_then(Val::as_str), Some("DRY_RUN_PLAN_NOT_COMMITTABLE"));
    assert_eq!(t.sent.borrow().len(), 1);
}

#[test]
fn start_marks_the_operation_after_the_gate() {
    let (k, t) = kernel();
    let (out, events) = run(&t, &k, "start", None, vec![site_spec()], vec![plan_answer(json!([])), ready()]);
    out.expect("deployed");
    assert_eq!(types(&events), ["plan.started", "plan.diff", "<marker>", "commit.phase:validate:started", "ready"]);
    assert_eq!(events[2], json!({"__operation": "op_1", "project": "prj_1"}));
}

#[test]
fn reads_send_the_anon_key_when_the_provider_knows_the_project() {
    let (k, t) = kernel();
    let cases = [
        ("status", vec![json!("op_1"), json!({"project": "prj_1"})], "/deploy/v2/operations/op_1"),
        ("list", vec![json!({"project": "prj_1", "limit": 5, "cursor": "c 1"})], "/deploy/v2/operations?limit=5&cursor=c+1"),
        ("events", vec![json!("op_1"), json!({"project": "prj_1"})], "/deploy/v2/operations/op_1/events"),
        ("getRelease", vec![json!({"project": "prj_1", "releaseId": "rel_1", "siteLimit": 2})], "/deploy/v2/releases/rel_1?site_limit=2"),
        ("getActiveRelease", vec![json!({"project": "prj_1"})], "/deploy/v2/releases/active"),
        ("diff", vec![json!({"project": "prj_1", "from": "empty", "to": "active"})], "/deploy/v2/releases/diff?from=empty&to=active"),
        ("resolve", vec![json!({"project": "prj_1", "url": "https://Site.Example.com:8443/a/b?q=1#f", "method": "post"})], "/deploy/v2/resolve?host=site.example.com&path=%2Fa%2Fb&method=POST"),
        ("resolve", vec![json!({"project": "prj_1", "host": "x.run402.app"})], "/deploy/v2/resolve?host=x.run402.app"),
    ];
    for (name, args, path) in cases {
        let (out, _) = run(&t, &k, name, None, args, vec![Answer::json(200, json!({"ok": true}))]);
        assert_eq!(out.expect(name), json!({"ok": true}));
        let r = testing::last_sent(&t);
        assert_eq!((r.method.as_str(), r.url.as_str()), ("GET", ["https://api.test", path].concat().as_str()), "{name}");
        assert_eq!(header(&r, "apikey"), Some("anon-k"), "{name}");
    }
    // Scoped: getRelease takes the release id first.
    let (out, _) = run(&t, &k, "getRelease", Some("prj_1"), vec![json!("rel_2")], vec![Answer::json(200, json!({}))]);
    out.expect("scoped");
    assert_eq!(testing::last_sent(&t).url, "https://api.test/deploy/v2/releases/rel_2");
    // Without a project, status sends no apikey.
    let (out, _) = run(&t, &k, "status", None, vec![json!("op_9")], vec![Answer::json(200, json!({}))]);
    out.expect("status");
    assert_eq!(header(&testing::last_sent(&t), "apikey"), None);
}

#[test]
fn bad_inputs_fail_before_any_request() {
    let (k, t) = kernel();
    let cases = [
        ("status", vec![json!("rel_1")], "OPERATION_NOT_FOUND"),
        ("resume", vec![json!("x")], "OPERATION_NOT_FOUND"),
        ("events", vec![json!("op_1")], ""),
        ("resolve", vec![json!({"project": "p", "url": "ftp://x/"})], ""),
        ("resolve", vec![json!({"project": "p", "host": "https://x"})], ""),
        ("resolve", vec![json!({"project": "p", "host": "x", "url": "https://x/"})], ""),
        ("diff", vec![json!({"project": "p", "from": "empty"})], ""),
        ("list", vec![json!({})], ""),
        ("apply", vec![json!({"project": "p"})], "MANIFEST_EMPTY"),
        ("apply", vec![json!({"project": "p", "site": {"replace": {"a.html": 5}}})], "INVALID_SPEC"),
    ];
    for (name, args, code) in cases {
        let (out, _) = run(&t, &k, name, None, args, vec![]);
        let e = out.expect_err(name);
        match code {
            "" => assert_eq!(e.kind, ErrorKind::LocalError, "{name}: {}", e.message),
            code => assert_eq!(e.extra_field("code").and_then(Val::as_str), Some(code), "{name}: {}", e.message),
        }
    }
    assert!(t.sent.borrow().is_empty());
}

#[test]
fn status_errors_are_deploy_errors() {
    let (k, t) = kernel();
    let (out, _) = run(&t, &k, "status", None, vec![json!("op_1")], vec![Answer::json(404, json!({"code": "operation_not_found", "message": "no such operation"}))]);
    let e = out.expect_err("missing");
    assert_eq!((e.kind, e.status), (ErrorKind::DeployError, None));
    assert_eq!(e.extra_field("code").and_then(Val::as_str), Some("OPERATION_NOT_FOUND"));
    assert_eq!(e.extra_field("phase").and_then(Val::as_str), Some("status"));
}

#[test]
fn resume_posts_then_polls() {
    let (k, t) = kernel();
    let answers = vec![Answer::json(200, json!({"operation_id": "op_1", "status": "activation_pending"})), ready()];
    let (out, events) = run(&t, &k, "resume", None, vec![json!("op_1"), json!({"project": "prj_1"})], answers);
    let out = out.expect("resumed");
    assert_eq!((out["diff"].clone(), out["warnings"].clone()), (json!({}), json!([])));
    let sent = t.sent.borrow().clone();
    assert_eq!(sent[0].url, "https://api.test/deploy/v2/operations/op_1/resume");
    assert_eq!(header(&sent[0], "apikey"), None, "no apikey on the resume POST");
    assert_eq!(header(&sent[1], "apikey"), Some("anon-k"));
    assert_eq!(types(&events), ["commit.phase:activate:failed", "ready"]);
}

#[test]
fn url_parts_take_the_hostname_and_path() {
    assert_eq!(url_parts("https://A.b.c/x/y?z#w"), Ok(("a.b.c".into(), "/x/y".into())));
    assert_eq!(url_parts("http://a.b"), Ok(("a.b".into(), "/".into())));
    assert_eq!(url_parts("http://[::1]:80/p"), Ok(("[::1]".into(), "/p".into())));
    assert!(url_parts("https://u:p@a.b/").is_err());
    assert!(url_parts("a.b/x").is_err());
    assert!(has_scheme("https:x") && !has_scheme("x.y"));
}

#[test]
fn ci_sessions_name_the_project_and_skip_the_apikey_and_the_per_session_complete() {
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::GetProject, json!({"anon_key": "", "service_key": ""}));
    c.ci.set(true);
    let digest = sha(HTML);
    let mut answers = vec![plan_answer(json!([{"sha256": digest, "size": HTML.len(), "present": false}]))];
    let mut content = content_answers(&digest, HTML.len());
    content.remove(2); // no complete
    answers.extend(content);
    answers.push(ready());
    let (out, _) = run(&t, &k, "apply", None, vec![site_spec()], answers);
    out.expect("deployed");
    let sent = t.sent.borrow().clone();
    assert_eq!(body(&sent[1])["project_id"], "prj_1");
    assert!(sent.iter().all(|r| header(r, "apikey").is_none()));
    assert!(sent.iter().all(|r| !r.url.contains("/storage/v1/uploads/")), "no per-session complete");
    assert!(sent.iter().any(|r| r.url.ends_with("/content/v1/plans/cp_1/commit")));
}

#[test]
fn a_spec_above_5_mib_goes_as_a_manifest_except_dry_runs_and_ci() {
    let files: serde_json::Map<String, Value> = (0..6_000).map(|i| (format!("assets/{i:0>900}.txt"), json!(format!("{i}")))).collect();
    let spec = json!({"project": "prj_1", "site": {"replace": files}});
    let (k, t) = kernel();
    let answers = vec![
        Answer::json(201, json!({"plan_id": "cp_m", "missing": []})),
        Answer::json(200, json!({})),
        Answer::json(200, json!({"plan_id": null, "operation_id": null, "missing_content": []})),
    ];
    let (out, _) = run(&t, &k, "plan", None, vec![spec.clone()], answers);
    out.expect("planned");
    let sent = t.sent.borrow().clone();
    let manifest = &body(&sent[0])["content"][0];
    assert_eq!(manifest["content_type"], "application/vnd.run402.deploy-manifest+json");
    assert!(manifest["size"].as_u64().unwrap_or(0) > 5 * 1024 * 1024);
    assert_eq!(sent[1].url, "https://api.test/content/v1/plans/cp_m/commit");
    let plan = body(&sent[2]);
    assert_eq!(plan["spec"], json!({"project": "prj_1"}));
    assert_eq!(plan["manifest_ref"]["sha256"], manifest["sha256"]);
    assert_eq!(plan["manifest_ref"]["contentType"], "application/vnd.run402.deploy-manifest+json");

    let (out, _) = run(&t, &k, "plan", None, vec![spec.clone(), json!({"dryRun": true})], vec![]);
    let dry = out.expect_err("dry");
    assert_eq!(dry.extra_field("code").and_then(Val::as_str), Some("DRY_RUN_REQUIRES_INLINE_SPEC"));
    // The reference's phase and resource for this local refusal.
    assert_eq!(dry.extra_field("phase").and_then(Val::as_str), Some("validate"));
    assert_eq!(dry.extra_field("resource").and_then(Val::as_str), Some("manifest_ref"));
    let (k, t, c) = testing::kernel();
    c.ci.set(true);
    let (out, _) = run(&t, &k, "apply", None, vec![spec], vec![]);
    let e = out.expect_err("ci");
    assert_eq!(e.extra_field("code").and_then(Val::as_str), Some("forbidden_spec_field"));
    assert_eq!(e.extra_field("resource").and_then(Val::as_str), Some("manifest_ref"));
    assert!(t.sent.borrow().is_empty());
}

#[test]
fn scoped_clients_fill_in_the_spec_project_unless_the_caller_named_one() {
    let (k, t) = kernel();
    let spec = json!({"site": {"replace": {"index.html": HTML}}});
    let present = json!([{"sha256": sha(HTML), "size": 11, "present": true}]);
    let (out, _) = run(&t, &k, "apply", Some("prj_7"), vec![spec], vec![plan_answer(present.clone()), ready()]);
    out.expect("deployed");
    assert_eq!(body(&t.sent.borrow()[0])["spec"]["project"], "prj_7");
    let (out, _) = run(&t, &k, "apply", Some("prj_7"), vec![site_spec()], vec![plan_answer(present), ready()]);
    out.expect("deployed");
    assert_eq!(body(&testing::last_sent(&t))["spec"]["project"], Value::Null, "the last request is the commit");
    assert_eq!(body(&t.sent.borrow()[2])["spec"]["project"], "prj_1");
}
