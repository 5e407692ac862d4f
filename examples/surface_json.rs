//! Prints the method table with parameter names, TypeScript types, kinds
//! (promise, operation, sync), nesting, hidden aliases and scoped variants as JSON
//! (native builds keep that text; the wasm build compiles it out). The
//! hostile-input suite (tests/js/hostile.test.mjs) generates its cases from
//! this, so every parameter of every method is attacked without a hand list,
//! and tests/js/typings-reality.test.mjs reads each method's `returns` type
//! (and its type parameters) to check what the simulator answered against it.
use run402_sdk_wasm::surface::{Kind, Method, Run, Scope, NAMESPACES};

/// A JSON string literal (the table holds identifiers and type text only,
/// but quotes and backslashes in type text must still be escaped).
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A list of JSON string literals.
fn names(list: &[&str]) -> String {
    let quoted: Vec<String> = list.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(","))
}

/// One declaration: what the facade calls and what the typings say.
fn method(m: &'static Method) -> String {
    let params: Vec<String> = m
        .params
        .iter()
        .map(|p| format!("{{\"name\":{},\"ts\":{},\"optional\":{}}}", quote(p.name), quote(p.ts), p.optional))
        .collect();
    let declared = matches!(m.run, Run::Route(_));
    let kind = match m.run.kind() {
        Kind::Promise => "promise",
        Kind::Operation => "operation",
        Kind::Sync => "sync",
        // Every adapter (js/adapters.js) hands back a promise.
        Kind::Adapted => "promise",
    };
    let variant = match m.scope {
        Scope::Variant(v) => format!(",\"variant\":{}", method(v)),
        _ => String::new(),
    };
    format!(
        "{{\"name\":{},\"aliases\":{},\"scope\":\"{}\",\"kind\":\"{kind}\",\"context\":{},\"declared\":{declared},\"params\":[{}],\"returns\":{},\"generics\":{}{variant}}}",
        quote(m.name),
        names(m.aliases),
        m.scope.label(),
        quote(m.context),
        params.join(","),
        quote(m.returns),
        quote(m.generics)
    )
}

fn main() {
    let namespaces: Vec<String> = NAMESPACES
        .iter()
        .map(|ns| {
            let methods: Vec<String> = ns.methods.iter().map(method).collect();
            format!(
                "{{\"name\":{},\"scoped\":{},\"internal\":{},\"hiddenAliases\":{},\"methods\":[{}]}}",
                quote(ns.name),
                ns.scoped,
                ns.internal,
                names(ns.hidden_aliases),
                methods.join(",")
            )
        })
        .collect();
    println!("{{\"namespaces\":[{}]}}", namespaces.join(","));
}
