//! `apply`'s automatic retry (contract §3.8): which failures it retries,
//! how long it waits, and what the last error says once it gives up.

use crate::prelude::*;

use crate::error::{Error, ErrorKind};
use crate::json::{Json, JsonExt, Shape};
use crate::value::Val;

/// The attempts after the first, unless the caller says otherwise.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
const RETRIED_CODE: &str = "BASE_RELEASE_CONFLICT";

/// The deploy error's `code`, as the SDK set it.
fn code_of(e: &Error) -> Option<&str> {
    e.extra_field("code").and_then(Val::as_str)
}

/// The gateway said the whole attempt may run again (`safe_to_retry`).
fn safe_to_retry(e: &Error) -> bool {
    match &e.body {
        Val::Json(b) => b.bool_field("safe_to_retry") == Some(true),
        obj @ Val::Obj(_) => match obj.get("safe_to_retry") {
            Some(Val::Bool(b)) => *b,
            Some(Val::Json(j)) => matches!(j.shape(), Shape::Bool(true)),
            _ => false,
        },
        _ => false,
    }
}

/// Whether `apply` runs a new attempt after `e`: a base-release conflict
/// the gateway calls safe to retry, for a spec that deploys on top of
/// whatever is current (no `base`, or `{release: "current"}`), since a
/// pinned base would only conflict again.
pub fn retries(e: &Error, spec: &Json) -> bool {
    if e.kind != ErrorKind::DeployError || code_of(e) != Some(RETRIED_CODE) || !safe_to_retry(e) {
        return false;
    }
    match spec.field("base") {
        None => true,
        Some(base) => base.is_object() && base.keys().len() == 1 && base.str_field("release").as_deref() == Some("current"),
    }
}

/// The wait before retry `n` (1-based): 250 ms doubling, at most 2 s, plus
/// `jitter` (0 to 100 ms, drawn by the caller).
pub fn delay_ms(n: u32, jitter: u32) -> u32 {
    let base = 250u32.saturating_mul(1u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX));
    base.min(2_000) + jitter.min(100)
}

/// The error `apply` throws once its retries are spent: the last one, with
/// how many attempts ran (in the error and in its body).
pub fn exhausted(e: Error, attempts: u32, max_retries: u32) -> Error {
    let last = code_of(&e).unwrap_or_default().to_string();
    let body = match &e.body {
        Val::Json(b) if b.is_object() => Val::object().spread(b),
        obj @ Val::Obj(_) => obj.clone(),
        _ => Val::object(),
    }
    .with("attempts", Val::Num(f64::from(attempts)))
    .with("max_retries", Val::Num(f64::from(max_retries)))
    .with("last_retry_code", last.as_str());
    e.with_body(body)
        .with("attempts", Val::Num(f64::from(attempts)))
        .with("maxRetries", Val::Num(f64::from(max_retries)))
        .with("lastRetryCode", last)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::json as host;

    fn deploy_error(code: &str, safe: bool) -> Error {
        let body = host(json!({"code": code, "safe_to_retry": safe}));
        Error::local("commit", "base moved").of_kind(ErrorKind::DeployError).with_body(Val::Json(body)).with("code", code)
    }

    fn conflict(safe: bool) -> Error {
        deploy_error(RETRIED_CODE, safe)
    }

    #[test]
    fn only_safe_base_conflicts_on_a_floating_base_are_retried() {
        assert!(retries(&conflict(true), &host(json!({"project": "p"}))));
        assert!(retries(&conflict(true), &host(json!({"base": {"release": "current"}}))));
        assert!(!retries(&conflict(true), &host(json!({"base": {"release": "empty"}}))));
        assert!(!retries(&conflict(true), &host(json!({"base": {"release_id": "rel_1"}}))));
        assert!(!retries(&conflict(false), &host(json!({}))));
        assert!(!retries(&deploy_error("MIGRATION_FAILED", true), &host(json!({}))));
        let api = conflict(true).of_kind(ErrorKind::ApiError);
        assert!(!retries(&api, &host(json!({}))));
    }

    #[test]
    fn delays_double_from_250_ms_up_to_2_s_plus_jitter() {
        assert_eq!([1, 2, 3, 4, 5, 40].map(|n| delay_ms(n, 0)), [250, 500, 1000, 2000, 2000, 2000]);
        assert_eq!(delay_ms(1, 100), 350);
        assert_eq!(delay_ms(1, 5_000), 350);
    }

    #[test]
    fn the_spent_error_says_how_many_attempts_ran() {
        let e = exhausted(conflict(true), 3, 2);
        assert!(matches!(e.body.get("attempts"), Some(Val::Num(n)) if *n == 3.0));
        assert!(matches!(e.body.get("last_retry_code"), Some(Val::Str(c)) if c == RETRIED_CODE));
        assert!(matches!(e.body.get("safe_to_retry"), Some(Val::Json(_))));
        assert!(matches!(e.extra_field("maxRetries"), Some(Val::Num(n)) if *n == 2.0));
    }
}
