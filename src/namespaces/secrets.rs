//! `r.secrets`: a project's environment variables for its functions, set,
//! listed (keys only: the gateway never returns values) and deleted with the
//! service key. The wire is declared; `set` and `list` add the local rules
//! the vocabulary has no words for (the key pattern, the value's byte limit,
//! the list's normalization) around their declared route.

use crate::prelude::*;
use alloc::rc::Rc;

use crate::args::Args;
use crate::credentials::LocalFuture;
use crate::error::Result;
use crate::json::{Json, JsonExt, Shape};
use crate::kernel::Kernel;
use crate::routes::{self, field, route, Kind, Out, Route, RouteBody, Src, SERVICE_GET};
use crate::surface::{req, Method, Namespace, Run, Scope, PROJECT_ID};
use crate::value::Val;

pub const NAMESPACE: Namespace = Namespace {
    name: "secrets",
    ts_name: "Secrets",
    doc: crate::ts!("Project secrets: environment variables for functions (service key). Values are never returned."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "set",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("key", "string"), req("value", "string")],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "setting secret",
            doc: crate::ts!("Sets or overwrites a secret (key ^[A-Z_][A-Z0-9_]{0,127}$, value at most 4096 UTF-8 bytes, both checked locally)."),
            http: crate::ts!("POST /projects/v1/admin/{id}/secrets · service key"),
            run: Run::Code(set),
        },
        Method {
            name: "list",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID],
            returns: crate::ts!("SecretListResult"),
            scope: Scope::Project,
            context: "listing secrets",
            doc: crate::ts!("The project's secret keys with their timestamps (a bare array from the gateway is accepted too)."),
            http: crate::ts!("GET /projects/v1/admin/{id}/secrets · service key"),
            run: Run::Code(list),
        },
        Method {
            name: "delete",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("key", "string")],
            returns: crate::ts!("DeleteSecretResult"),
            scope: Scope::Project,
            context: "deleting secret",
            doc: crate::ts!("Deletes a secret."),
            http: crate::ts!(""),
            run: route(Route { verb: "DELETE", path: "/projects/v1/admin/{id}/secrets/{1}", ..LIST }),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export interface SecretSummary {
  key: string;
  created_at?: string;
  updated_at?: string;
}

export interface SecretListResult {
  secrets: SecretSummary[];
}

export interface DeleteSecretResult {
  status: string;
  key: string;
  [key: string]: unknown;
}
"#;

/// The wire of `set`; `list` and `delete` are variations of it.
pub(crate) const SET: Route = Route {
    verb: "POST",
    path: "/projects/v1/admin/{id}/secrets",
    // The value may be empty, so it is not a `Str`; `set` has checked it is a string.
    body: RouteBody::Fields(&[field("key", Src::Arg(1), Kind::Str), field("value", Src::Arg(2), Kind::OptJson)]),
    result: Out::Void,
    ..SERVICE_GET
};
const LIST: Route = Route { verb: "GET", body: RouteBody::None, result: Out::Body, ..SET };

/// The gateway's limit on a secret's value, in UTF-8 bytes.
const MAX_VALUE_BYTES: usize = 4096;

/// Checks key and value before the provider is asked for the project's
/// keys, then runs the declared route. Not an `async fn`: the future is the
/// same shape as the one every declared route runs in, so the optimizer can
/// share its code instead of compiling another copy of the interpreter's.
fn set(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    if let Err(e) = check_set(&a) {
        return crate::namespaces::steps::ready(Err(e));
    }
    let route = &SET;
    Box::pin(async move { routes::run(&k, a, route).await })
}

fn check_set(a: &Args) -> Result<()> {
    if !is_secret_key(&a.string(1, "key")?) {
        return Err(a.error("`key` must match ^[A-Z_][A-Z0-9_]{0,127}$ (upper-case letters, digits and '_')"));
    }
    // The value is the secret: never quoted, not even its size.
    if a.string(2, "value")?.len() > MAX_VALUE_BYTES {
        return Err(a.error("`value` must be at most 4096 UTF-8 bytes"));
    }
    Ok(())
}

/// `^[A-Z_][A-Z0-9_]{0,127}$`.
fn is_secret_key(key: &str) -> bool {
    let b = key.as_bytes();
    (1..=128).contains(&b.len())
        && !b[0].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

fn list(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    crate::namespaces::steps::route_then(k, a, &LIST, listed)
}

/// `{secrets: [...]}` from the gateway's list (a bare array, or under `secrets`).
fn listed(body: Val) -> Val {
    let found = match &body {
        Val::Json(j) if matches!(j.shape(), Shape::Array(_)) => Some(j.clone()),
        Val::Json(j) => j.field("secrets"),
        _ => None,
    };
    Val::object().with("secrets", Val::Arr(found.map(|list| summaries(&list)).unwrap_or_default()))
}

/// `{key, created_at?, updated_at?}` for each entry with a string key; other
/// entries and fields are dropped (no value can slip through).
fn summaries(list: &Json) -> Vec<Val> {
    let mut out = Vec::new();
    let Shape::Array(n) = list.shape() else { return out };
    for i in 0..n {
        let Some(item) = list.item(i) else { continue };
        let Some(key) = item.str_field("key") else { continue };
        let mut summary = Val::object().with("key", key);
        for name in ["created_at", "updated_at"] {
            if let Some(time) = item.str_field(name) {
                summary = summary.with(name, time);
            }
        }
        out.push(summary);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::is_secret_key;

    #[test]
    fn secret_keys_follow_the_gateways_pattern() {
        for good in ["A", "_", "OPENAI_API_KEY", "X1", "__", &"K".repeat(128)] {
            assert!(is_secret_key(good), "{good:?} refused");
        }
        for bad in ["", "1A", "a", "OPENAI-KEY", "KEY ", "KÉY", &"K".repeat(129)] {
            assert!(!is_secret_key(bad), "{bad:?} accepted");
        }
    }
}
