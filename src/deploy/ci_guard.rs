//! The CI deploy guard (contract §3.10, §3.1 step 1): what a GitHub Actions
//! session may deploy. Its token carries the `deploy` action for one
//! project and nothing else, so a spec from a CI client may only hold
//! `project`, `database`, `functions`, `site`, `routes` and a `base` of
//! exactly `{ release: "current" }`. Secrets (values or names), subdomains
//! and checks need the owner's wallet. The gateway enforces the same rule;
//! checking it here fails before any byte is hashed or sent, with an error
//! that names the field.
//!
//! Every refusal is a `Run402DeployError` with code `forbidden_spec_field`
//! (lower case, as the gateway spells it), `phase: "validate"`, the field in
//! `resource` and `retryable: false`.

use crate::prelude::*;

use crate::error::{Error, ErrorKind, Result};
use crate::json::{Json, JsonExt, Shape};

/// The context phrase of every refusal (the reference's).
pub const CONTEXT: &str = "validating CI deploy spec";

/// The code of every refusal (the gateway's, lower case).
pub const CODE: &str = "forbidden_spec_field";

/// The top-level fields a CI session may send.
pub const ALLOWED: &[&str] = &["project", "database", "functions", "site", "base", "routes"];

/// Refuses a spec a CI session may not deploy.
///
/// # Errors
/// `Run402DeployError` `forbidden_spec_field` whose `resource` is the first
/// field not allowed (`spec` when the spec is not an object, `base` when a
/// base other than `{ release: "current" }` is given).
pub fn check(spec: &Json) -> Result<()> {
    if !spec.is_object() {
        return Err(refused("spec", "spec: a CI deploy needs a ReleaseSpec object"));
    }
    if let Some(field) = spec.keys().into_iter().find(|k| !ALLOWED.contains(&k.as_str())) {
        let why = if field == "secrets" {
            "spec.secrets: a CI session cannot write secrets or check that they exist; set them with secrets.set from the owner's wallet before the workflow runs, and leave secrets out of the CI spec"
        } else {
            "a CI session may deploy only project, database, functions, site, routes and base: { release: \"current\" }"
        };
        let message = if field == "secrets" { why.to_string() } else { format!("spec.{field}: {why}") };
        return Err(refused(&field, message));
    }
    if spec.has_field("base") && !is_current(spec.field("base")) {
        return Err(refused("base", "spec.base: a CI deploy builds on the live release only: leave base out or set it to exactly { release: \"current\" }"));
    }
    Ok(())
}

/// The refusal for a CI spec too large to send inline: the plan would need a
/// `manifest_ref`, which CI sessions may not use (contract §3.3).
pub fn manifest_ref_refused() -> Error {
    refused("manifest_ref", "manifest_ref: a CI deploy must send its spec inline, and this one is over the gateway's 5 MiB body limit; deploy fewer or smaller inline files per run")
}

/// `{ release: "current" }` and nothing more.
fn is_current(base: Option<Json>) -> bool {
    let Some(base) = base else { return false };
    base.shape() == Shape::Object && base.keys().len() == 1 && base.str_field("release").as_deref() == Some("current")
}

fn refused(resource: &str, message: impl Into<String>) -> Error {
    Error::local(CONTEXT, message).of_kind(ErrorKind::DeployError)
        .with("code", CODE)
        .with("phase", "validate")
        .with("resource", resource)
        .with("retryable", false)
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::{check, manifest_ref_refused, ALLOWED, CODE, CONTEXT};
    use crate::error::{Error, ErrorKind};
    use crate::testing::json as host;
    use crate::value::Val;

    fn refusal(spec: Value) -> Error {
        match check(&host(spec)) {
            Ok(()) => panic!("expected the guard to refuse"),
            Err(e) => e,
        }
    }

    fn text(v: Option<&Val>) -> Option<String> {
        match v? {
            Val::Str(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// The fields every refusal carries, and the resource it names.
    fn assert_refused(e: &Error, resource: &str) {
        assert_eq!(e.kind, ErrorKind::DeployError);
        assert_eq!(e.context, CONTEXT);
        assert_eq!(e.status, None);
        assert_eq!(text(e.extra_field("code")).as_deref(), Some(CODE));
        assert_eq!(text(e.extra_field("phase")).as_deref(), Some("validate"));
        assert_eq!(text(e.extra_field("resource")).as_deref(), Some(resource));
        assert!(matches!(e.extra_field("retryable"), Some(Val::Bool(false))));
    }

    #[test]
    fn every_allowed_field_passes() {
        let spec = json!({
            "project": "prj_1",
            "base": { "release": "current" },
            "database": { "migrations": [{ "id": "001", "sql": "select 1" }] },
            "functions": { "replace": { "api": { "source": "export default () => new Response('ok')" } } },
            "site": { "replace": { "index.html": "<h1>hi</h1>" } },
            "routes": { "replace": [{ "pattern": "/api/*", "target": { "type": "function", "name": "api" } }] },
        });
        assert!(check(&host(spec)).is_ok());
        assert!(check(&host(json!({ "project": "prj_1", "site": { "patch": { "delete": ["a.html"] } } }))).is_ok());
        assert!(check(&host(json!({ "project": "prj_1", "routes": null }))).is_ok());
        assert_eq!(ALLOWED.len(), 6);
    }

    #[test]
    fn each_field_a_ci_session_lacks_the_authority_for_is_refused_by_name() {
        for field in ["secrets", "subdomains", "checks", "project_id", "anything"] {
            let mut spec = json!({ "project": "prj_1", "site": { "replace": { "index.html": "x" } } });
            spec[field] = json!({ "require": ["KEY"] });
            let e = refusal(spec);
            assert_refused(&e, field);
            assert!(e.message.starts_with(&format!("spec.{field}: ")), "{}", e.message);
        }
    }

    #[test]
    fn secrets_get_their_own_explanation() {
        let e = refusal(json!({ "project": "prj_1", "secrets": { "require": ["OPENAI_API_KEY"] } }));
        assert!(e.message.contains("secrets.set"), "{}", e.message);
        // The key names are the caller's and are not repeated back.
        assert!(!e.message.contains("OPENAI_API_KEY"));
    }

    #[test]
    fn the_first_forbidden_field_in_the_callers_order_is_named() {
        let e = refusal(json!({ "project": "prj_1", "subdomains": { "set": ["a"] }, "secrets": { "require": ["K"] } }));
        assert_refused(&e, "subdomains");
    }

    #[test]
    fn base_must_be_exactly_the_current_release() {
        for base in [
            json!({ "release": "empty" }),
            json!({ "release_id": "rel_1" }),
            json!({ "release": "current", "release_id": "rel_1" }),
            json!({ "release": "CURRENT" }),
            json!("current"),
            json!(null),
            json!([]),
            json!({}),
        ] {
            let e = refusal(json!({ "project": "prj_1", "base": base.clone() }));
            assert_refused(&e, "base");
            assert!(e.message.starts_with("spec.base: "), "{base}: {}", e.message);
        }
        assert!(check(&host(json!({ "project": "prj_1", "base": { "release": "current" } }))).is_ok());
    }

    #[test]
    fn a_spec_that_is_not_an_object_is_refused() {
        for spec in [json!(null), json!("prj_1"), json!([{ "project": "prj_1" }]), json!(7)] {
            assert_refused(&refusal(spec), "spec");
        }
    }

    /// Runs `ns.method(args)` on a kernel whose provider is (or is not) a CI session.
    fn dispatched(ci: bool, ns: &str, method: &str, args: Vec<Value>) -> (Result<Val, Error>, usize) {
        let (k, t, c) = crate::testing::kernel();
        c.on(crate::credentials::ProviderMethod::GetProject, json!({ "anon_key": "", "service_key": "" }));
        c.ci.set(ci);
        let items = args.into_iter().map(host).collect();
        let id = crate::testing::method_id(ns, method);
        let none = crate::surface::no_events();
        let out = crate::testing::block_on(crate::surface::dispatch(k, id, None, items, None, &|| none.clone()));
        let sent = t.sent.borrow().len();
        (out, sent)
    }

    #[test]
    fn deploys_from_a_ci_session_are_guarded_before_any_request() {
        let spec = json!({ "project": "prj_1", "site": { "replace": { "index.html": "x" } }, "subdomains": { "set": ["a"] } });
        for method in ["apply", "start", "plan"] {
            let (out, sent) = dispatched(true, "deploy", method, vec![spec.clone()]);
            match out {
                Err(e) => assert_refused(&e, "subdomains"),
                Ok(_) => panic!("deploy.{method} from a CI session shipped subdomains"),
            }
            assert_eq!(sent, 0, "deploy.{method} sent a request");
        }
        // The owner's wallet may: the same spec goes to the gateway (the mock's answers are not the point).
        let (out, sent) = dispatched(false, "deploy", "plan", vec![spec]);
        if let Err(e) = out {
            assert_ne!(e.extra_field("code").and_then(Val::as_str), Some(CODE));
        }
        assert!(sent > 0);
    }

    #[test]
    fn a_ci_sessions_bundle_deploy_is_guarded_before_any_secret_is_written() {
        // The bundle's `check` step, with the spec its adapter (js/bundle-deploy.js) makes of
        // `{ secrets: [{ key: "K", value: "v" }], files: [{ file: "index.html", data: "x" }] }`.
        let spec = json!({ "project": "prj_1", "secrets": { "require": ["K"] }, "site": { "replace": { "index.html": "x" } } });
        let (out, sent) = dispatched(true, "apps", "bundleDeploy", vec![json!("prj_1"), json!({}), json!("check"), spec]);
        match out {
            Err(e) => assert_refused(&e, "secrets"),
            Ok(_) => panic!("a CI session's bundle wrote secrets"),
        }
        assert_eq!(sent, 0);
    }

    #[test]
    fn an_oversized_spec_is_refused_as_manifest_ref() {
        let e = manifest_ref_refused();
        assert_refused(&e, "manifest_ref");
        assert!(e.message.starts_with("manifest_ref: "));
    }
}
