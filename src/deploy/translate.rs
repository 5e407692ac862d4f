//! Errors from the deploy routes (plan, commit, resume, status, events) and
//! from an operation snapshot's `error`, as `Run402DeployError`s (contract
//! §3.7). No I/O.

use crate::prelude::*;

use crate::error::{Error, ErrorKind};
use crate::json::{Json, JsonExt, Shape};
use crate::value::Val;

/// The envelope fields a nested `{error: {...}}` inherits from the top
/// level when it lacks them.
const INHERITED: &[&str] = &["category", "retryable", "safe_to_retry", "mutation_state", "trace_id", "details", "next_actions"];

/// Where a deploy failure happened (the phase label and the ids known there).
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub phase: &'a str,
    pub plan_id: Option<&'a str>,
    pub operation_id: Option<&'a str>,
}

/// A kernel error from a deploy route, translated. `PaymentRequired` and
/// `Unauthorized` come back unchanged (the caller handles them elsewhere),
/// as does an error that already is a deploy error.
pub fn kernel_error(e: Error, at: At<'_>) -> Error {
    match e.kind {
        ErrorKind::DeployError | ErrorKind::PaymentRequired | ErrorKind::Unauthorized => e,
        ErrorKind::ApiError | ErrorKind::ProjectNotFound => match gateway_error(&e.body) {
            Some(gw) => from_gateway(&gw, at),
            None => {
                let retryable = e.status.is_some_and(|s| s >= 500);
                let context = e.context.clone();
                // The status and body are kept here, unlike a gateway error's.
                let e = e.into_info();
                let mut d = deploy(e.message, "INTERNAL_ERROR", at, retryable, &context).with_body(e.body);
                d.status = e.status;
                d
            }
        },
        ErrorKind::NetworkError => deploy(e.into_info().message, "NETWORK_ERROR", at, true, at.phase),
        ErrorKind::LocalError => deploy(e.into_info().message, "INTERNAL_ERROR", at, false, at.phase),
    }
}

/// An operation snapshot's `error` (null or missing: INTERNAL_ERROR).
pub fn snapshot_error(error: Option<&Json>, at: At<'_>) -> Error {
    match error.filter(|e| e.is_object() && e.str_field("code").is_some()) {
        Some(e) => from_gateway(&Gateway { fields: e.clone(), merged: None }, at),
        None => deploy(format!("the deploy failed in {} without a structured error", at.phase), "INTERNAL_ERROR", at, false, at.phase),
    }
}

/// A gateway error object: its own fields, and for a nested one, the
/// object the error's body becomes (the nested fields over the inherited).
struct Gateway {
    fields: Json,
    merged: Option<Val>,
}

impl Gateway {
    fn str(&self, key: &str) -> Option<String> {
        self.own(key).and_then(|v| v.as_string())
    }
    /// A field of the error object itself.
    fn own(&self, key: &str) -> Option<Json> {
        self.fields.field(key)
    }
}

/// The gateway error a route's body holds: `{error: {code, ...}}` or a
/// top-level `{code, ...}`.
fn gateway_error(body: &Val) -> Option<Gateway> {
    let Val::Json(body) = body else { return None };
    if !body.is_object() {
        return None;
    }
    if let Some(nested) = body.field("error").filter(|n| n.is_object() && n.str_field("code").is_some()) {
        let mut merged = Val::object().spread(&nested);
        for key in INHERITED {
            if nested.field(key).is_none() {
                if let Some(v) = body.field(key) {
                    merged = merged.with(key, Val::Json(v));
                }
            }
        }
        return Some(Gateway { fields: nested, merged: Some(merged) });
    }
    body.str_field("code").is_some().then(|| Gateway { fields: body.clone(), merged: None })
}

/// A field from the top level, else from `details`.
fn top_or_details(gw: &Gateway, key: &str) -> Option<Json> {
    gw.own(key).or_else(|| gw.own("details").filter(|d| d.is_object()).and_then(|d| d.field(key)))
}

fn from_gateway(gw: &Gateway, at: At<'_>) -> Error {
    let code = gw.str("code").unwrap_or_default().to_ascii_uppercase();
    let details = gw.own("details").filter(|d| d.is_object());
    let message = gw
        .str("message")
        .or_else(|| gw.str("error"))
        .or_else(|| details.as_ref().and_then(|d| d.str_field("message")))
        .unwrap_or_else(|| format!("Deploy failed: {code}"));
    let text = |key: &str| top_or_details(gw, key).and_then(|v| v.as_string());
    let flag = |key: &str| top_or_details(gw, key).and_then(|v| match v.shape() {
        Shape::Bool(b) => Some(b),
        _ => None,
    });
    let phase = text("phase").unwrap_or_else(|| at.phase.to_string());
    let plan_id = text("plan_id");
    let operation_id = text("operation_id");
    // The gateway's ids first, then the ones known where it failed.
    let ids = At {
        phase: &phase,
        plan_id: plan_id.as_deref().or(at.plan_id),
        operation_id: operation_id.as_deref().or(at.operation_id),
    };
    let retryable = flag("retryable").unwrap_or(false);
    let mut e = deploy(message, &code, ids, retryable, at.phase).with("rolledBack", flag("rolled_back").unwrap_or(false));
    if let Some(resource) = text("resource") {
        e = e.with("resource", resource);
    }
    if let Some(fix) = top_or_details(gw, "fix") {
        e = e.with("fix", Val::Json(fix));
    }
    if let Some(logs) = top_or_details(gw, "logs").filter(|l| matches!(l.shape(), Shape::Array(_))) {
        e = e.with("logs", Val::Json(logs));
    }
    // The status is not kept; the body is the error object (merged if nested).
    e.body = gw.merged.clone().unwrap_or_else(|| Val::Json(gw.fields.clone()));
    e
}

fn deploy(message: String, code: &str, at: At<'_>, retryable: bool, context: &str) -> Error {
    let local = Error::local(context, message);
    local.of_kind(ErrorKind::DeployError)
        .with("code", code)
        .with("phase", at.phase)
        .with("retryable", retryable)
        .with("operationId", at.operation_id.map(Val::from).unwrap_or(Val::Null))
        .with("planId", at.plan_id.map(Val::from).unwrap_or(Val::Null))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::testing::json as host;

    const AT: At<'static> = At { phase: "commit", plan_id: Some("plan_1"), operation_id: None };

    fn api(status: u16, body: Value) -> Error {
        Error::from_status(status, Val::Json(host(body)), "committing deploy")
    }

    fn extra(e: &Error, key: &str) -> String {
        assert!(e.extra.iter().filter(|(k, _)| *k == key).count() <= 1, "{key} set twice");
        match e.extra_field(key) {
            Some(Val::Str(s)) => s.clone(),
            Some(Val::Bool(b)) => b.to_string(),
            Some(Val::Null) => "null".into(),
            Some(Val::Json(j)) => j.as_string().unwrap_or_else(|| "<json>".into()),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_top_level_gateway_error_keeps_its_fields_and_drops_the_status() {
        let e = kernel_error(
            api(409, json!({"code": "base_release_conflict", "message": "base moved", "details": {"phase": "plan", "retryable": true, "operation_id": "op_9"}, "safe_to_retry": true})),
            AT,
        );
        assert_eq!(e.kind, ErrorKind::DeployError);
        assert_eq!(extra(&e, "code"), "BASE_RELEASE_CONFLICT");
        assert_eq!(e.message, "base moved");
        assert_eq!(extra(&e, "phase"), "plan");
        assert_eq!(extra(&e, "retryable"), "true");
        assert_eq!(extra(&e, "operationId"), "op_9");
        assert_eq!(extra(&e, "planId"), "plan_1");
        assert_eq!(e.status, None);
        assert_eq!(e.context, "commit");
        assert!(matches!(&e.body, Val::Json(b) if b.bool_field("safe_to_retry") == Some(true)));
    }

    #[test]
    fn a_nested_gateway_error_wins_and_inherits_the_envelope() {
        let e = kernel_error(
            api(500, json!({"error": {"code": "MIGRATION_FAILED", "logs": ["line 1"], "retryable": false}, "retryable": true, "trace_id": "t1"})),
            AT,
        );
        assert_eq!(extra(&e, "code"), "MIGRATION_FAILED");
        assert_eq!(e.message, "Deploy failed: MIGRATION_FAILED");
        assert_eq!(extra(&e, "retryable"), "false");
        assert!(matches!(e.body.get("trace_id"), Some(Val::Json(_))));
        assert!(e.extra_field("logs").is_some());
    }

    #[test]
    fn messages_fall_back_through_error_and_details() {
        let e = kernel_error(api(400, json!({"code": "x", "error": "as a string"})), AT);
        assert_eq!(e.message, "as a string");
        let e = kernel_error(api(400, json!({"code": "x", "details": {"message": "in details"}})), AT);
        assert_eq!(e.message, "in details");
        let e = kernel_error(api(400, json!({"code": "x"})), AT);
        assert_eq!(e.message, "Deploy failed: X");
    }

    #[test]
    fn other_failures() {
        let e = kernel_error(api(503, json!({"oops": 1})), AT);
        assert_eq!((extra(&e, "code"), extra(&e, "retryable"), e.status), ("INTERNAL_ERROR".into(), "true".into(), Some(503)));
        assert_eq!(e.context, "committing deploy");
        let e = kernel_error(api(400, json!("text")), AT);
        assert_eq!(extra(&e, "retryable"), "false");
        let e = kernel_error(Error::network("committing deploy", "socket hang up", None), AT);
        assert_eq!((extra(&e, "code"), extra(&e, "retryable")), ("NETWORK_ERROR".into(), "true".into()));
        let paid = Error::from_status(402, Val::Null, "committing deploy");
        assert_eq!(kernel_error(paid, AT).kind, ErrorKind::PaymentRequired);
        let denied = Error::from_status(401, Val::Null, "committing deploy");
        assert_eq!(kernel_error(denied, AT).kind, ErrorKind::Unauthorized);
    }

    #[test]
    fn snapshot_errors() {
        let e = snapshot_error(Some(&host(json!({"code": "activation_failed", "phase": "activate", "rolled_back": true}))), AT);
        assert_eq!((extra(&e, "code"), extra(&e, "phase"), extra(&e, "rolledBack")), ("ACTIVATION_FAILED".into(), "activate".into(), "true".into()));
        let e = snapshot_error(None, At { phase: "failed", plan_id: None, operation_id: Some("op_1") });
        assert_eq!(extra(&e, "code"), "INTERNAL_ERROR");
        assert_eq!(extra(&e, "operationId"), "op_1");
        assert!(e.message.contains("without a structured error"));
    }
}
