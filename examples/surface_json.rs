//! Prints the method table with parameter names and TypeScript types as JSON
//! (native builds keep that text; the wasm build compiles it out). The
//! hostile-input suite (tests/js/hostile.test.mjs) generates its cases from
//! this, so every parameter of every method is attacked without a hand list,
//! and tests/js/typings-reality.test.mjs reads each method's `returns` type
//! (and its type parameters) to check what the simulator answered against it.
use run402_sdk_wasm::surface::{Run, Scope, NAMESPACES};

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

fn main() {
    let namespaces: Vec<String> = NAMESPACES
        .iter()
        .map(|ns| {
            let methods: Vec<String> = ns
                .methods
                .iter()
                .map(|m| {
                    let params: Vec<String> = m
                        .params
                        .iter()
                        .map(|p| format!("{{\"name\":{},\"ts\":{},\"optional\":{}}}", quote(p.name), quote(p.ts), p.optional))
                        .collect();
                    let scope = match m.scope {
                        Scope::Project => "project",
                        Scope::OptionField { .. } => "option",
                        Scope::Global => "global",
                        Scope::RootOnly => "root",
                    };
                    let declared = matches!(m.run, Run::Route(_));
                    format!(
                        "{{\"name\":{},\"scope\":\"{scope}\",\"context\":{},\"declared\":{declared},\"params\":[{}],\"returns\":{},\"generics\":{}}}",
                        quote(m.name),
                        quote(m.context),
                        params.join(","),
                        quote(m.returns),
                        quote(m.generics)
                    )
                })
                .collect();
            format!(
                "{{\"name\":{},\"scoped\":{},\"internal\":{},\"methods\":[{}]}}",
                quote(ns.name),
                ns.scoped,
                ns.internal,
                methods.join(",")
            )
        })
        .collect();
    println!("{{\"namespaces\":[{}]}}", namespaces.join(","));
}
