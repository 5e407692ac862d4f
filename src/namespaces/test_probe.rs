//! `r.probe`: a test-only namespace (cargo feature `test-hooks`, built into
//! `pkg-test/`, never into `pkg/`) whose members use each kind of entry the
//! method table can express (only the synchronous one is used by no public
//! member yet): a synchronous
//! method, an operation that emits events, a nested namespace
//! (`r.probe.inner`), a hidden alias (`r.probeAlias`) and a scoped
//! signature that differs from the root's (`release`). They run for real,
//! locally (no request), so tests/js/table.test.mjs can prove the facade
//! and the typings through the built package.

use crate::prelude::*;
use crate::args::Args;
use crate::error::Result;
use crate::json::Shape;
use crate::kernel::Kernel;
use crate::surface::{call_opts, opt, req, Events, Method, Namespace, Run, Scope};
use crate::value::Val;
use crate::{handler, operation};

pub const NAMESPACE: Namespace = Namespace {
    name: "probe",
    ts_name: "Probe",
    doc: crate::ts!("Test-only members, one per kind of method table entry (pkg-test/ only)."),
    scoped: true,
    internal: false,
    hidden_aliases: &["probeAlias"],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "escape",
            aliases: &["esc"],
            generics: crate::ts!(""),
            params: &[req("text", "string")],
            returns: crate::ts!("string"),
            scope: Scope::Global,
            context: "escaping probe text",
            doc: crate::ts!("Synchronous: the text with & \" < > escaped for HTML."),
            http: crate::ts!("local (synchronous)"),
            run: Run::Sync(escape),
        },
        Method {
            name: "count",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("n", "number"), call_opts("opts", "CallOptions")],
            returns: crate::ts!("ProbeOperation<number, ProbeCountResult>"),
            scope: Scope::Global,
            context: "counting probe events",
            doc: crate::ts!("An operation: emits 0..n-1 as events, then resolves to { count: n }."),
            http: crate::ts!("local (operation)"),
            run: operation!(count),
        },
        Method {
            name: "release",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("opts", "{ project: string; releaseId: string }")],
            returns: crate::ts!("ProbeRelease"),
            scope: Scope::Variant(&SCOPED_RELEASE),
            context: "reading probe release",
            doc: crate::ts!("Root takes one object; scoped clients take the release id first."),
            http: crate::ts!("local"),
            run: handler!(release),
        },
    ],
};

/// `release` on a scoped client: positional, a different result type.
const SCOPED_RELEASE: Method = Method {
    name: "release",
    aliases: &[],
    generics: crate::ts!(""),
    params: &[req("id", "string"), req("releaseId", "string"), opt("opts", "{ note?: string }")],
    returns: crate::ts!("ProbeScopedRelease"),
    scope: Scope::Project,
    context: "reading probe release",
    doc: crate::ts!("The scoped client's project, with the release id first."),
    http: crate::ts!("local"),
    run: handler!(scoped_release),
};

/// `r.probe.inner`: a nested namespace, also on scoped clients.
pub const INNER: Namespace = Namespace {
    name: "probe.inner",
    ts_name: "ProbeInner",
    doc: crate::ts!("A nested test-only namespace."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(INNER_TYPES),
    methods: &[
        Method {
            name: "whoami",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("id", "string")],
            returns: crate::ts!("ProbeWhoami"),
            scope: Scope::Project,
            context: "asking the nested probe",
            doc: crate::ts!("The project and the method's path, as the Rust side saw them."),
            http: crate::ts!("local"),
            run: handler!(whoami),
        },
        Method {
            name: "label",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("id", "string"), req("text", "string")],
            returns: crate::ts!("string"),
            scope: Scope::Project,
            context: "labelling probe text",
            doc: crate::ts!("Synchronous and project-scoped: \"<project>:<text>\"."),
            http: crate::ts!("local (synchronous)"),
            run: Run::Sync(label),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export interface ProbeOperation<E, R> {
  events(): AsyncIterable<E>;
  result(): Promise<R>;
}

export interface ProbeCountResult {
  count: number;
}

export interface ProbeRelease {
  project: string;
  releaseId: string;
  form: "object";
}

export interface ProbeScopedRelease {
  project: string;
  releaseId: string;
  form: "positional";
  note: string | null;
}
"#;

#[cfg(not(target_arch = "wasm32"))]
const INNER_TYPES: &str = r#"export interface ProbeWhoami {
  project: string;
  method: string;
}
"#;

/// The most events one call may ask for (a test needs a few hundred).
const MAX_COUNT: f64 = 10_000.0;

fn escape(_: &Kernel, a: Args) -> Result<Val> {
    let text = a.string(0, "text")?;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    Ok(Val::Str(out))
}

fn label(_: &Kernel, a: Args) -> Result<Val> {
    let project = a.project_id(0)?;
    Ok(Val::Str(format!("{project}:{}", a.string(1, "text")?)))
}

async fn count(_: &Kernel, a: Args, events: Events) -> Result<Val> {
    let n = match a.get(0).map(|v| v.shape()) {
        Some(Shape::Number(n)) if crate::num::is_whole(n) && (0.0..=MAX_COUNT).contains(&n) => n,
        _ => return Err(a.error("`n` must be a whole number from 0 to 10000")),
    };
    let mut i = 0.0;
    while i < n {
        events(Val::Num(i)).await;
        i += 1.0;
    }
    Ok(Val::Obj(vec![("count".into(), Val::Num(n))]))
}

async fn release(_: &Kernel, a: Args) -> Result<Val> {
    let Some(opts) = a.opt_object(0, "opts")? else {
        return Err(a.error("`opts` must be an object: { project, releaseId }"));
    };
    let field = |name: &str| a.opt_field_string(&opts, name)?.ok_or_else(|| a.error(format!("`opts.{name}` is required")));
    Ok(Val::Obj(vec![
        ("project".into(), Val::Str(field("project")?)),
        ("releaseId".into(), Val::Str(field("releaseId")?)),
        ("form".into(), Val::Str("object".into())),
    ]))
}

async fn scoped_release(_: &Kernel, a: Args) -> Result<Val> {
    let project = a.project_id(0)?;
    let release_id = a.non_empty(1, "releaseId")?;
    let note = match a.opt_object(2, "opts")? {
        Some(o) => a.opt_field_string(&o, "note")?,
        None => None,
    };
    Ok(Val::Obj(vec![
        ("project".into(), Val::Str(project)),
        ("releaseId".into(), Val::Str(release_id)),
        ("form".into(), Val::Str("positional".into())),
        ("note".into(), note.map_or(Val::Null, Val::Str)),
    ]))
}

async fn whoami(_: &Kernel, a: Args) -> Result<Val> {
    let project = a.project_id(0)?;
    Ok(Val::Obj(vec![
        ("project".into(), Val::Str(project)),
        ("method".into(), Val::Str(format!("{}.{}", a.namespace, a.method))),
    ]))
}
