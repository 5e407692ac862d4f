//! The plan response as the deploy engine reads it (contract §3.5) and the
//! warning gate before anything is uploaded (§3.6). No I/O.

use crate::prelude::*;

use crate::error::{Error, ErrorKind};
use crate::json::{Json, JsonExt};
use crate::value::Val;

/// The buckets a `plan_response` carries at the top level and the engine
/// folds into `diff`.
const DIFF_BUCKETS: &[&str] =
    &["is_noop", "summary", "warnings", "migrations", "site", "functions", "secrets", "subdomains", "routes", "static_assets"];

/// The code the gate prefers when several warnings block.
const MISSING_SECRET: &str = "MISSING_REQUIRED_SECRET";
const CLIENT_ROUTE_WARNING: &str = "WILDCARD_ROUTE_EXCLUDES_MUTATION_METHODS";
pub const GATE_CONTEXT: &str = "checking deploy warnings";

/// One plan warning: what the gate and de-duplication read, and the value
/// itself (the gateway's object, or the SDK's own).
#[derive(Debug, Clone)]
pub struct Warning {
    pub code: String,
    pub requires_confirmation: bool,
    pub affected: Vec<String>,
    pub value: Val,
}

impl Warning {
    fn read(j: Json) -> Warning {
        let affected = match j.field("affected") {
            Some(list) => strings(&list),
            None => Vec::new(),
        };
        Warning {
            code: j.str_field("code").unwrap_or_default(),
            requires_confirmation: j.bool_field("requires_confirmation") == Some(true),
            affected,
            value: Val::Json(j),
        }
    }

    /// What two warnings must share to be the same one.
    fn key(&self) -> String {
        format!("{}:{}", self.code, self.affected.join(","))
    }
}

fn strings(list: &Json) -> Vec<String> {
    let mut out = Vec::new();
    for s in list.items() {
        if let Some(s) = s.as_string() {
            out.push(s);
        }
    }
    out
}

/// The plan's warnings; anything but an array is none.
pub fn warnings(plan: &Json) -> Vec<Warning> {
    let mut out = Vec::new();
    for w in plan.field("warnings").map(|w| w.items()).unwrap_or_default() {
        out.push(Warning::read(w));
    }
    out
}

/// The SDK's own warning: function routes whose pattern ends in `/*` and
/// whose explicit methods are only GET and HEAD (the gateway refuses the
/// other methods under that prefix before the function runs), unless the
/// route says `acknowledge_readonly: true`.
pub fn client_route_warning(spec: &Json) -> Option<Warning> {
    let replace = spec.field("routes")?.field("replace")?;
    let mut affected: Vec<String> = Vec::new();
    // One plain loop: an iterator chain here was a 622-byte instantiation.
    for r in replace.items() {
        let function = r.field("target").and_then(|t| t.str_field("type")).as_deref() == Some("function");
        let methods = r.field("methods").map(|m| strings(&m)).unwrap_or_default();
        let read_only = !methods.is_empty() && methods.iter().all(|m| m == "GET" || m == "HEAD");
        let Some(pattern) = r.str_field("pattern").filter(|p| p.ends_with("/*")) else { continue };
        if !function || r.bool_field("acknowledge_readonly") == Some(true) || !read_only {
            continue;
        }
        // Inserted in order by hand: `sort` would link the standard stable
        // sort (about 4 KB of wasm) for a list of a few patterns.
        let at = affected.iter().position(|p| *p > pattern).unwrap_or(affected.len());
        affected.insert(at, pattern);
    }
    if affected.is_empty() {
        return None;
    }
    let mut list = Vec::with_capacity(affected.len());
    for p in &affected {
        list.push(Val::from(p.as_str()));
    }
    let list = Val::Arr(list);
    let methods = Val::Arr(vec!["POST".into(), "PUT".into(), "PATCH".into(), "DELETE".into()]);
    let value = Val::object()
        .with("code", CLIENT_ROUTE_WARNING)
        .with("severity", "warn")
        .with("requires_confirmation", true)
        .with("message", "These wildcard function routes allow only GET and HEAD: the gateway refuses POST, PUT, PATCH and DELETE under them before the function runs.")
        .with("affected", list)
        .with("confidence", "heuristic")
        .with(
            "details",
            Val::object()
                .with("missing_common_methods", methods)
                .with("fix", "List the mutation methods the function handles, or leave `methods` out to allow all."),
        );
    Some(Warning { code: CLIENT_ROUTE_WARNING.to_string(), requires_confirmation: true, affected, value })
}

/// The gateway's warnings, then the SDK's unless the gateway sent the same.
pub fn merged(mut gateway: Vec<Warning>, client: Option<Warning>) -> Vec<Warning> {
    if let Some(w) = client {
        if !gateway.iter().any(|g| g.key() == w.key()) {
            gateway.push(w);
        }
    }
    gateway
}

/// The plan as `plan()` answers it: the response's own fields, `warnings`
/// always an array (`all`, the merged list), and for a `plan_response` the
/// top-level buckets folded into `diff` (whose `warnings` are the
/// gateway's) with `payment_required` defaulting to null.
pub fn normalize(plan: &Json, all: &[Warning]) -> Val {
    let listed = |ws: &[Warning]| {
        let mut out = Vec::with_capacity(ws.len());
        for w in ws {
            out.push(w.value.clone());
        }
        Val::Arr(out)
    };
    let out = Val::object().spread(plan).with("warnings", listed(all));
    if plan.str_field("kind").as_deref() != Some("plan_response") {
        return out;
    }
    let gateway: Vec<Warning> = warnings(plan);
    let mut diff = Val::object();
    for bucket in DIFF_BUCKETS {
        let value = match *bucket {
            "warnings" => listed(&gateway),
            name => plan.field(name).map(Val::Json).unwrap_or(Val::Undefined),
        };
        diff = diff.with(bucket, value);
    }
    let payment = match plan.field("payment_required") {
        Some(p) if !p.is_nullish() => Val::Json(p),
        _ => Val::Null,
    };
    out.with("diff", diff).with("payment_required", payment)
}

/// The gate of `apply` and `start`: unless `allow_warnings`, warnings that
/// need confirmation, and missing required secrets, stop the deploy before
/// anything is uploaded (the plan row exists on the gateway; nothing else).
pub fn gate(all: &[Warning], allow_warnings: bool) -> core::result::Result<(), Error> {
    if allow_warnings {
        return Ok(());
    }
    let mut blocking: Vec<&Warning> = Vec::new();
    for w in all {
        if w.requires_confirmation || w.code == MISSING_SECRET {
            blocking.push(w);
        }
    }
    let Some(first) = blocking.iter().find(|w| w.code == MISSING_SECRET).or(blocking.first()) else { return Ok(()) };
    let code = if first.code.is_empty() { "DEPLOY_WARNING_REQUIRES_CONFIRMATION".to_string() } else { first.code.clone() };
    let mut codes: Vec<&str> = Vec::new();
    let mut values = Vec::new();
    for w in &blocking {
        codes.push(if w.code.is_empty() { "(no code)" } else { w.code.as_str() });
        values.push(w.value.clone());
    }
    let message = format!(
        "the plan has {} warning(s) that need confirmation ({}): review them, then deploy with allowWarnings: true",
        blocking.len(),
        codes.join(", ")
    );
    let body = Val::object().with("warnings", Val::Arr(values));
    let local = Error::local(GATE_CONTEXT, message);
    Err(local.of_kind(ErrorKind::DeployError).with_body(body)
        .with("code", code)
        .with("phase", "plan")
        .with("resource", "warnings")
        .with("retryable", false)
        .with("fix", Val::object().with("action", "review_warnings").with("path", "warnings")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::json as host;

    fn codes(ws: &[Warning]) -> Vec<&str> {
        ws.iter().map(|w| w.code.as_str()).collect()
    }

    #[test]
    fn warnings_are_always_a_list() {
        assert!(warnings(&host(json!({"warnings": "oops"}))).is_empty());
        assert!(warnings(&host(json!({}))).is_empty());
        let ws = warnings(&host(json!({"warnings": [{"code": "A", "requires_confirmation": true, "affected": ["x", 1, "y"]}, {"code": "B"}]})));
        assert_eq!(codes(&ws), ["A", "B"]);
        assert!(ws[0].requires_confirmation && !ws[1].requires_confirmation);
        assert_eq!(ws[0].affected, ["x", "y"]);
    }

    #[test]
    fn the_client_route_warning_names_read_only_wildcard_function_routes() {
        let spec = host(json!({"routes": {"replace": [
            {"pattern": "/b/*", "methods": ["GET"], "target": {"type": "function", "name": "b"}},
            {"pattern": "/a/*", "methods": ["GET", "HEAD"], "target": {"type": "function", "name": "a"}},
            {"pattern": "/c/*", "methods": ["GET", "POST"], "target": {"type": "function", "name": "c"}},
            {"pattern": "/d/*", "target": {"type": "function", "name": "d"}},
            {"pattern": "/e", "methods": ["GET"], "target": {"type": "function", "name": "e"}},
            {"pattern": "/f/*", "methods": ["GET"], "target": {"type": "static", "file": "f.html"}},
            {"pattern": "/g/*", "methods": ["GET"], "acknowledge_readonly": true, "target": {"type": "function", "name": "g"}}
        ]}}));
        let w = client_route_warning(&spec).expect("a warning");
        assert_eq!(w.affected, ["/a/*", "/b/*"]);
        assert!(w.requires_confirmation);
        assert!(client_route_warning(&host(json!({"routes": null}))).is_none());
        assert!(client_route_warning(&host(json!({}))).is_none());
    }

    #[test]
    fn the_client_warning_is_not_added_twice() {
        let spec = host(json!({"routes": {"replace": [{"pattern": "/a/*", "methods": ["GET"], "target": {"type": "function", "name": "a"}}]}}));
        let same = warnings(&host(json!({"warnings": [{"code": CLIENT_ROUTE_WARNING, "affected": ["/a/*"]}]})));
        assert_eq!(merged(same, client_route_warning(&spec)).len(), 1);
        let other = warnings(&host(json!({"warnings": [{"code": CLIENT_ROUTE_WARNING, "affected": ["/z/*"]}]})));
        assert_eq!(merged(other, client_route_warning(&spec)).len(), 2);
    }

    #[test]
    fn a_plan_response_folds_its_buckets_into_diff() {
        let plan = host(json!({"kind": "plan_response", "plan_id": "p1", "operation_id": "o1", "is_noop": false,
            "site": {"added": 1}, "warnings": [{"code": "A"}], "missing_content": []}));
        let ws = warnings(&plan);
        let out = normalize(&plan, &ws);
        let diff = out.get("diff").expect("diff");
        assert!(matches!(diff.get("site"), Some(Val::Json(_))));
        assert!(matches!(diff.get("functions"), Some(Val::Undefined)));
        assert!(matches!(diff.get("warnings"), Some(Val::Arr(a)) if a.len() == 1));
        assert!(matches!(out.get("payment_required"), Some(Val::Null)));
        assert!(matches!(out.get("plan_id"), Some(Val::Json(_))));
        // Another kind keeps its own diff and gets no payment_required.
        let plain = host(json!({"plan_id": "p1", "diff": {"x": 1}}));
        let out = normalize(&plain, &[]);
        assert!(matches!(out.get("diff"), Some(Val::Json(_))));
        assert!(out.get("payment_required").is_none());
        assert!(matches!(out.get("warnings"), Some(Val::Arr(a)) if a.is_empty()));
    }

    #[test]
    fn the_gate_blocks_confirmations_and_missing_secrets_unless_allowed() {
        let ws = warnings(&host(json!({"warnings": [
            {"code": "INFO_ONLY"},
            {"code": "X", "requires_confirmation": true},
            {"code": MISSING_SECRET}
        ]})));
        let e = gate(&ws, false).expect_err("blocked");
        assert_eq!(e.kind, ErrorKind::DeployError);
        assert!(matches!(e.extra_field("code"), Some(Val::Str(c)) if c == MISSING_SECRET));
        assert!(matches!(e.extra_field("phase"), Some(Val::Str(p)) if p == "plan"));
        assert!(matches!(e.body.get("warnings"), Some(Val::Arr(a)) if a.len() == 2));
        assert!(gate(&ws, true).is_ok());
        assert!(gate(&ws[..1], false).is_ok());
        let unnamed = warnings(&host(json!({"warnings": [{"requires_confirmation": true}]})));
        let e = gate(&unnamed, false).expect_err("blocked");
        assert!(matches!(e.extra_field("code"), Some(Val::Str(c)) if c == "DEPLOY_WARNING_REQUIRES_CONFIRMATION"));
    }
}
