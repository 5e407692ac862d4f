//! Renders `llms-sdk.txt`, the package's reference for agents and people
//! who read text rather than types: every public namespace and method with
//! its signature, result type, HTTP route, auth and cost. Generated from
//! [`crate::surface`] like the typings (a declared route's wire is read from
//! the route itself), shipped in the package, and snapshot-tested.

use alloc::fmt::Write;

use crate::routes::{Field, Guard, Key, Out, ProjectFrom, Route, RouteBody, Src};
use crate::surface::{Method, Run, Scope, NAMESPACES};

/// Whether a call hands back a promise (adapted members all do).
fn promised(m: &Method) -> bool {
    matches!(m.run.kind(), crate::surface::Kind::Promise | crate::surface::Kind::Adapted)
}

/// The complete reference text.
pub fn render() -> String {
    let mut out = String::from(HEADER);
    let all_async = NAMESPACES.iter().flat_map(|ns| ns.methods).all(|m| promised(m) && promised(m.scoped()));
    out.push_str(if all_async { EVERY_METHOD_ASYNC } else { SOME_METHODS_NOT_ASYNC });
    out.push_str(HEADER_REST);
    for ns in NAMESPACES.iter().filter(|ns| !ns.internal) {
        let _ = write!(out, "\n## r.{}\n\n{}\n", ns.name, ns.doc);
        for alias in ns.hidden_aliases {
            let _ = writeln!(out, "Also reachable as `r.{alias}` (the same object; not enumerable).");
        }
        if ns.scoped {
            out.push_str("Also on project-scoped clients (`r.project(id)`), where the leading project id is dropped.\n");
        }
        for m in ns.methods {
            method(&mut out, ns.name, m);
        }
    }
    out
}

fn params(m: &Method, skip: usize) -> String {
    let params: Vec<String> = m.params.iter().skip(skip).map(|p| format!("{}{}: {}", p.name, if p.optional { "?" } else { "" }, p.ts)).collect();
    params.join(", ")
}

fn scope_text(scope: Scope) -> &'static str {
    match scope {
        Scope::Project => "the first argument is the project id",
        Scope::OptionField { .. } => "a scoped client supplies the project in the options",
        Scope::Global => "takes no project",
        Scope::RootOnly => "root client only",
        Scope::Variant(_) => "project-scoped clients have their own signature",
    }
}

fn method(out: &mut String, ns: &str, m: &'static Method) {
    let _ = write!(out, "\n### r.{ns}.{}{}({}) → {}\n\n", m.name, m.generics, params(m, 0), m.returns);
    let _ = writeln!(out, "{}", m.doc);
    match m.run.kind() {
        crate::surface::Kind::Promise => {}
        crate::surface::Kind::Sync => out.push_str("- synchronous: returns the value (or throws its error) directly, no Promise\n"),
        crate::surface::Kind::Operation => out.push_str("- operation: returns at once an object whose `events()` is an async iterator of its events and `result()` a Promise of the result\n"),
        crate::surface::Kind::Adapted => {}
    }
    if !m.aliases.is_empty() {
        let names: Vec<String> = m.aliases.iter().map(|a| format!("r.{ns}.{a}")).collect();
        let _ = writeln!(out, "- aliases: {} (the same function)", names.join(", "));
    }
    match &m.run {
        Run::Route(r) => route(out, r, m.params),
        Run::Code(_) | Run::Operation(_) | Run::Sync(_) | Run::Adapted(..) => {
            let _ = writeln!(out, "- wire: {}", m.http);
        }
    }
    let _ = writeln!(out, "- scope: {}", scope_text(m.scope));
    if let Scope::Variant(v) = m.scope {
        let skip = usize::from(matches!(v.scope, Scope::Project));
        let _ = writeln!(out, "- on project-scoped clients: {}{}({}) → {} ({}; {})", v.name, v.generics, params(v, skip), v.returns, v.doc, scope_text(v.scope));
    }
    if m.params.iter().any(|p| p.call_options) {
        out.push_str("- per call: `signal` (AbortSignal) and `timeoutMs` in the options object\n");
    }
    let _ = writeln!(out, "- errors say: \"... while {}\"", m.context);
}

fn route(out: &mut String, r: &Route, params: &[crate::surface::Param]) {
    let key = |k: Key| match k {
        Key::None => None,
        Key::Anon => Some("the project's anon key".to_string()),
        Key::Service => Some("the project's service key".to_string()),
        Key::Token(from) => Some(format!("the user's access token ({})", source(from))),
        Key::AnonIfKnown => Some("the project's anon key if the provider knows it (not on CI sessions)".to_string()),
    };
    let mut auth: Vec<String> = Vec::new();
    if let Some(k) = key(r.auth.apikey) {
        auth.push(format!("apikey: {k}"));
    }
    if let Some(k) = key(r.auth.bearer) {
        auth.push(if r.auth.apikey == Key::None { k } else { format!("Bearer {k}") });
    }
    if r.auth.provider {
        auth.push(if auth.is_empty() { "the provider's getAuth headers (wallet sign-in)".into() } else { "provider headers".into() });
    }
    let mut auth = if auth.is_empty() { "no auth".to_string() } else { auth.join(" + ") };
    if let ProjectFrom::Option { index, or_active } = r.project {
        let fallback = if or_active { "else of the provider's active project" } else { "else no key, only the provider's headers" };
        auth = format!("{auth}, of the project in `projectId` of argument {index} ({fallback})");
    }
    if let ProjectFrom::Field { index, name, or_string, .. } = r.project {
        let string = if or_string { format!(" (or argument {index} itself, a project id)") } else { String::new() };
        auth = format!("{auth}, of the project in `{name}` of argument {index}{string}");
    }
    let names = |fields: &[Field]| fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ");
    let query = if r.query.is_empty() { String::new() } else { format!(" · query {}", names(r.query)) };
    let body = match r.body {
        RouteBody::None => String::new(),
        RouteBody::Empty => " · body {}".to_string(),
        RouteBody::Object(_) => " · body: the object argument as JSON".to_string(),
        RouteBody::Strings(fields) => {
            let names: Vec<&str> = fields.iter().map(|(f, _)| *f).collect();
            format!(" · body {{ {} }}", names.join(", "))
        }
        RouteBody::Fields(fields) => format!(" · body {{ {} }}", names(fields)),
        RouteBody::Only(fields) => format!(" · body: the object argument as JSON, only {{ {} }}", names(fields)),
    };
    let headers: String = r.headers.iter().map(|(k, v)| format!(" · header {k}: {}", source(*v))).collect();
    let result = match r.result {
        Out::Body => "the response body".to_string(),
        Out::Void => "nothing (undefined)".to_string(),
        Out::List(field) => format!("the `{field}` array of the response ([] if missing)"),
        Out::Guarded(Guard { error: Some(_), .. }) => "the response body (errors as the namespace translates them)".to_string(),
        Out::Guarded(_) => "the response body".to_string(),
    };
    let price = if r.paid { "paid: a 402 is paid via x402 within the spend policy" } else { "free" };
    // `{0}`, `{1.field}`, `{2:raw}`, `{3/}` read better as the parameters' names.
    let mut path = r.path.to_string();
    for (i, p) in params.iter().enumerate() {
        path = path
            .replace(&format!("{{{i}:raw}}"), &format!("{{{}}}", p.name))
            .replace(&format!("{{{i}:0x}}"), &format!("{{{}}}", p.name))
            .replace(&format!("{{{i}/}}"), &format!("{{{}/}}", p.name))
            .replace(&format!("{{{i}.", ), "{")
            .replace(&format!("{{{i}}}"), &format!("{{{}}}", p.name));
    }
    let _ = writeln!(out, "- wire: {} {path}{query} · {auth}{body}{headers} · {price} · resolves to {result}", r.verb);
}

fn source(from: Src) -> String {
    match from {
        Src::Arg(i) => format!("argument {i}"),
        Src::Opt(i, field) => format!("`{field}` of argument {i}"),
        Src::Const(text) => text.to_string(),
    }
}

const HEADER: &str = "# @run402/sdk-wasm: method reference\n\n\
Generated from the Rust method table (src/surface.rs, src/namespaces/*); do not edit.\n";
const EVERY_METHOD_ASYNC: &str = "Every method returns a Promise.";
const SOME_METHODS_NOT_ASYNC: &str = "Methods return a Promise unless marked synchronous or operation.";
const HEADER_REST: &str = " Failures are Run402Error subclasses with a `kind`\n\
(payment_required, project_not_found, unauthorized, api_error, network_error, local_error,\n\
deploy_error); arguments are checked before any request. Paid calls pay x402 from the\n\
provider's allowance within the client's spend policy. Paths show `{id}` for the project id\n\
and `{N}` for argument N (percent-encoded).\n";

#[cfg(test)]
mod tests {
    /// The committed snapshot is what the package ships (regenerate with
    /// `./dev typings`).
    // The snapshot is the shipped surface; a test-hooks build adds the
    // probe namespace (src/namespaces/test_probe.rs) on purpose.
    #[cfg(not(feature = "test-hooks"))]
    #[test]
    fn reference_matches_the_committed_snapshot() {
        let snapshot = include_str!("../tests/snapshots/llms-sdk.txt");
        let rendered = super::render();
        if rendered != snapshot {
            let line = rendered.lines().zip(snapshot.lines()).position(|(a, b)| a != b);
            panic!("llms-sdk.txt differs from tests/snapshots/llms-sdk.txt (first differing line: {line:?}); run ./dev typings and review the diff");
        }
    }

    /// Every method that is not a declared route says what it sends (or
    /// that it sends nothing).
    #[test]
    fn every_code_method_declares_its_wire() {
        for ns in crate::surface::NAMESPACES.iter().filter(|ns| !ns.internal) {
            for m in ns.methods {
                if !matches!(m.run, crate::surface::Run::Route(_)) {
                    assert!(!m.http.is_empty(), "{}.{} needs an `http` text (its wire, or \"local ...\")", ns.name, m.name);
                }
            }
        }
    }
}
