//! The public surface as data: every namespace and method with its
//! parameters, TypeScript types, scoping rule and aliases.
//!
//! This table is the single source for three things: dispatch (the wasm
//! layer calls [`dispatch`] with a method id), project-scoped clients (the
//! [`Scope`] rule says how a scoped call supplies the project), and the
//! generated `index.d.ts` ([`crate::typings`]). A namespace added here is
//! callable, scoped and typed with no further code. What a call hands back
//! (a promise, an operation with events, or a value: [`Run`]), where a
//! namespace sits (nested by path, hidden aliases) and what scoped clients
//! call ([`Scope`], including a declaration of their own) are data too.

use crate::prelude::*;
use alloc::rc::Rc;

use crate::args::Args;
use crate::credentials::LocalFuture;
use crate::error::{Error, Result};
use crate::json::{Json, JsonExt, Native};
use crate::kernel::Kernel;
use crate::namespaces;
use crate::value::Val;

/// Text that only the typings need (docs, TypeScript declarations): kept in
/// native builds, where the declarations are generated, and compiled out of
/// the wasm, where it would only add size.
#[macro_export]
#[cfg(not(target_arch = "wasm32"))]
macro_rules! ts {
    ($text:expr) => {
        $text
    };
}
#[macro_export]
#[cfg(target_arch = "wasm32")]
macro_rules! ts {
    ($text:expr) => {
        $crate::surface::TsText
    };
}

/// Text only the typings and the agent reference read (TypeScript types,
/// docs, wire summaries): the text natively; in wasm a zero-sized value, so
/// the shipped table holds no pointer and length for it.
#[cfg(not(target_arch = "wasm32"))]
pub type TsText = &'static str;
/// See the native definition: nothing, in wasm.
#[cfg(target_arch = "wasm32")]
#[derive(Debug, Clone, Copy)]
pub struct TsText;

/// A method's implementation: plain async Rust over the kernel.
pub type Handler = fn(Rc<Kernel>, Args) -> LocalFuture<'static, Result<Val>>;

/// Wraps `async fn(&Kernel, Args) -> Result<Val>` as a [`Handler`].
#[macro_export]
macro_rules! handler {
    ($f:path) => {{
        fn run(
            k: ::alloc::rc::Rc<$crate::kernel::Kernel>,
            a: $crate::args::Args,
        ) -> $crate::credentials::LocalFuture<'static, $crate::error::Result<$crate::value::Val>> {
            ::alloc::boxed::Box::pin(async move { $f(&k, a).await })
        }
        $crate::surface::Run::Code(run as $crate::surface::Handler)
    }};
}

/// Where an operation's events go: each call hands one value to the
/// caller's `events()` iterator, waiting while a reader is attached and the
/// queue is full (see [`crate::driver::events`]). The wasm layer supplies
/// it; native tests collect.
pub type Events = Rc<dyn Fn(Val) -> LocalFuture<'static, ()>>;

/// A sink that drops every event, for callers that run no operation.
pub fn no_events() -> Events {
    Rc::new(|_| Box::pin(async {}))
}

/// An operation's implementation: async Rust that may emit events.
pub type OperationHandler = fn(Rc<Kernel>, Args, Events) -> LocalFuture<'static, Result<Val>>;

/// A synchronous method's implementation: runs to completion, never waits.
pub type SyncHandler = fn(&Kernel, Args) -> Result<Val>;

/// Wraps `async fn(&Kernel, Args, Events) -> Result<Val>` as an operation.
#[macro_export]
macro_rules! operation {
    ($f:path) => {{
        fn run(
            k: ::alloc::rc::Rc<$crate::kernel::Kernel>,
            a: $crate::args::Args,
            e: $crate::surface::Events,
        ) -> $crate::credentials::LocalFuture<'static, $crate::error::Result<$crate::value::Val>> {
            ::alloc::boxed::Box::pin(async move { $f(&k, a, e).await })
        }
        $crate::surface::Run::Operation(run as $crate::surface::OperationHandler)
    }};
}

/// How a method runs, which also decides what the facade returns.
#[derive(Clone, Copy)]
pub enum Run {
    /// One gateway request described as data, run by [`crate::routes`];
    /// returns a promise.
    Route(crate::routes::Route),
    /// Async Rust over the kernel, for members with real behaviour;
    /// returns a promise.
    Code(Handler),
    /// Async Rust that emits events while it runs: returns an operation
    /// object at once (`events()` async iterator, `result()` promise), typed
    /// as the method's `returns` verbatim.
    Operation(OperationHandler),
    /// Rust that runs to completion without waiting: returns its value or
    /// throws its typed error synchronously, typed `returns` verbatim. It
    /// takes no `signal`/`timeoutMs` (nothing to interrupt).
    Sync(SyncHandler),
    /// An operation the facade hands out through the named adapter of
    /// js/adapters.js, as a promise of `returns`: for members whose JS shape
    /// is not the plain operation object (deploy's `apply` forwards events
    /// to `opts.onEvent` and resolves to the result; `start` resolves to an
    /// operation object once the plan is made).
    Adapted(&'static str, OperationHandler),
}

/// How the facade hands a method's outcome back (see [`Run`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Promise,
    Operation,
    Sync,
    Adapted,
}

impl Run {
    pub fn kind(&self) -> Kind {
        match self {
            Run::Route(_) | Run::Code(_) => Kind::Promise,
            Run::Operation(_) => Kind::Operation,
            Run::Sync(_) => Kind::Sync,
            Run::Adapted(..) => Kind::Adapted,
        }
    }

    /// The JS adapter of an [`Run::Adapted`] method.
    pub fn adapter(&self) -> Option<&'static str> {
        match self {
            Run::Adapted(name, _) => Some(name),
            _ => None,
        }
    }
}

/// How a method behaves on a project-scoped client (`r.project(id)`).
#[derive(Clone, Copy)]
pub enum Scope {
    /// The first parameter is the project id; the scoped client drops it.
    Project,
    /// The project goes in an options object at this argument index under
    /// the first of these keys, unless the caller set any of them.
    OptionField { index: usize, keys: &'static [&'static str] },
    /// Takes no project; the scoped client passes it through unchanged.
    Global,
    /// Not offered on scoped clients.
    RootOnly,
    /// Scoped clients offer this declaration instead: its own parameters,
    /// result and implementation (same name, docs and aliases rules), whose
    /// own `scope` says how the project is supplied. For members whose
    /// scoped signature is not the root's minus the project, e.g. root
    /// `getRelease({ project, releaseId })`, scoped `getRelease(releaseId)`.
    Variant(&'static Method),
}

impl Scope {
    /// The facade's and the typings' name for the rule.
    pub fn label(&self) -> &'static str {
        match self {
            Scope::Project => "project",
            Scope::OptionField { .. } => "option",
            Scope::Global => "global",
            Scope::RootOnly => "root",
            Scope::Variant(_) => "variant",
        }
    }
}

/// One parameter, for the typings.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub ts: TsText,
    pub optional: bool,
    /// The method's options object, which also carries the per-call
    /// `signal` and `timeoutMs` (read by the facade).
    pub call_options: bool,
}

/// A required parameter. (Types only serve the typings, so the wasm build
/// drops their text; names stay, for the errors declared routes raise.)
pub const fn req(name: &'static str, ts: &'static str) -> Param {
    Param { name, ts: typings_text(ts), optional: false, call_options: false }
}

/// A project id as argument 0, the way most project members take it.
pub const PROJECT_ID: Param = req("projectId", "string");

/// An optional parameter.
pub const fn opt(name: &'static str, ts: &'static str) -> Param {
    Param { name, ts: typings_text(ts), optional: true, call_options: false }
}

/// An optional options object that also takes `signal` and `timeoutMs`.
pub const fn call_opts(name: &'static str, ts: &'static str) -> Param {
    Param { name, ts: typings_text(ts), optional: true, call_options: true }
}

/// A required options object that also takes `signal` and `timeoutMs`.
pub const fn req_call_opts(name: &'static str, ts: &'static str) -> Param {
    Param { name, ts: typings_text(ts), optional: false, call_options: true }
}

/// `text` in native builds; "" in wasm, so the literal is not linked in.
#[cfg(not(target_arch = "wasm32"))]
const fn typings_text(text: &'static str) -> TsText {
    text
}
#[cfg(target_arch = "wasm32")]
const fn typings_text(_: &'static str) -> TsText {
    TsText
}

/// One public method.
#[derive(Clone, Copy)]
// Declaration order (repr C): it packs the table a little tighter for
// gzip than the compiler's own order (-29 B).
#[repr(C)]
pub struct Method {
    pub name: &'static str,
    /// CLI-style names bound to this same method (root client only).
    pub aliases: &'static [&'static str],
    /// TypeScript type parameters, e.g. `<T = any>` (typings only).
    pub generics: TsText,
    pub params: &'static [Param],
    /// The TypeScript type of the resolved value.
    pub returns: TsText,
    pub scope: Scope,
    /// The verb phrase every error from this method carries.
    pub context: &'static str,
    /// One-line summary for the typings.
    pub doc: TsText,
    /// What a code method sends ("VERB /path · auth · cost"), or "local ..."
    /// for one that makes no request; "" for a declared route, whose wire
    /// is read from the route itself (agent reference only).
    pub http: TsText,
    pub run: Run,
}

/// One namespace (`r.projects`, `r.service`, ...).
pub struct Namespace {
    /// Property path on the client: `email.webhooks` is the `webhooks`
    /// property of `r.email` (a nested namespace; its parent must come
    /// earlier in [`NAMESPACES`]).
    pub name: &'static str,
    /// TypeScript interface name; scoped clients use `Scoped` + this.
    pub ts_name: &'static str,
    pub doc: TsText,
    /// Present on project-scoped clients.
    pub scoped: bool,
    /// TypeScript declarations of the shapes its methods take and return.
    pub types: TsText,
    pub methods: &'static [Method],
    /// Internal namespaces back the JS facade and are not typed as such.
    pub internal: bool,
    /// More property names for this same namespace object on the root
    /// client, left out of `Object.keys(r)` (CLI-style names such as
    /// `image` for `ai`).
    pub hidden_aliases: &'static [&'static str],
}

impl Namespace {
    /// The property under its parent (`webhooks` for `email.webhooks`).
    pub fn property(&self) -> &'static str {
        self.name.rsplit('.').next().unwrap_or(self.name)
    }

    /// The parent namespace's path, for a nested one.
    pub fn parent(&self) -> Option<&'static str> {
        self.name.rsplit_once('.').map(|(parent, _)| parent)
    }
}

impl Method {
    /// The declaration scoped clients use: the variant, or this one.
    pub fn scoped(&'static self) -> &'static Method {
        match self.scope {
            Scope::Variant(v) => v,
            _ => self,
        }
    }
}

/// Every namespace, in client property order.
pub const NAMESPACES: &[&Namespace] = &[
    #[cfg(not(feature = "omit-projects"))]
    &namespaces::projects::NAMESPACE,
    #[cfg(not(feature = "omit-blobs"))]
    &namespaces::blobs::NAMESPACE,
    #[cfg(not(feature = "omit-functions"))]
    &namespaces::functions::NAMESPACE,
    &namespaces::secrets::NAMESPACE,
    &namespaces::subdomains::NAMESPACE,
    &namespaces::domains::NAMESPACE,
    &namespaces::sites::NAMESPACE,
    #[cfg(not(feature = "omit-service"))]
    &namespaces::service::NAMESPACE,
    #[cfg(not(feature = "omit-tier"))]
    &namespaces::tier::NAMESPACE,
    #[cfg(not(feature = "omit-allowance"))]
    &namespaces::allowance::NAMESPACE,
    #[cfg(not(feature = "omit-ai"))]
    &namespaces::ai::NAMESPACE,
    #[cfg(not(feature = "omit-auth"))]
    &namespaces::auth::NAMESPACE,
    &namespaces::sender_domain::NAMESPACE,
    #[cfg(not(feature = "omit-billing"))]
    &namespaces::billing::NAMESPACE,
    #[cfg(not(feature = "omit-apps"))]
    &namespaces::apps::NAMESPACE,
    #[cfg(not(feature = "omit-email"))]
    &namespaces::email::NAMESPACE,
    #[cfg(not(feature = "omit-email"))]
    &namespaces::email::WEBHOOKS_NAMESPACE,
    #[cfg(not(feature = "omit-contracts"))]
    &namespaces::contracts::NAMESPACE,
    &namespaces::admin::NAMESPACE,
    #[cfg(not(feature = "omit-deploy"))]
    &namespaces::deploy::NAMESPACE,
    #[cfg(not(feature = "omit-ci"))]
    &namespaces::ci::NAMESPACE,
    #[cfg(not(feature = "omit-payments"))]
    &namespaces::payments::NAMESPACE,
    &namespaces::client::NAMESPACE,
    #[cfg(feature = "size-probe")]
    &namespaces::size_probe::NAMESPACE,
    #[cfg(feature = "test-hooks")]
    &namespaces::test_probe::NAMESPACE,
    #[cfg(feature = "test-hooks")]
    &namespaces::test_probe::INNER,
];

/// Whether any declaration is an operation. Without one, the wasm layer
/// hands out [`no_events`] instead of its event sink, so the event queue's
/// code (about 700 B gzip) is left out of builds that cannot use it.
pub const HAS_OPERATIONS: bool = has_operations();

const fn has_operations() -> bool {
    let mut i = 0;
    while i < NAMESPACES.len() {
        let methods = NAMESPACES[i].methods;
        let mut j = 0;
        while j < methods.len() {
            let m = &methods[j];
            let variant = match m.scope {
                Scope::Variant(v) => matches!(v.run, Run::Operation(_) | Run::Adapted(..)),
                _ => false,
            };
            if variant || matches!(m.run, Run::Operation(_) | Run::Adapted(..)) {
                return true;
            }
            j += 1;
        }
        i += 1;
    }
    false
}

/// A method's id: namespace index × 256 + method index.
pub fn method_id(ns: usize, method: usize) -> u32 {
    u32::try_from(ns * 256 + method).unwrap_or(u32::MAX)
}

/// Looks a method up by id.
pub fn method(id: u32) -> Option<(&'static Namespace, &'static Method)> {
    let ns = NAMESPACES.get(usize::try_from(id / 256).ok()?)?;
    Some((ns, ns.methods.get(usize::try_from(id % 256).ok()?)?))
}

/// Runs method `id` with the caller's arguments. `scope` is the project of a
/// scoped client, applied according to the method's [`Scope`]. `events`
/// makes the sink of an operation (called only for one).
pub fn dispatch(
    kernel: Rc<Kernel>,
    id: u32,
    scope: Option<String>,
    items: Vec<Json>,
    retry_key: Option<String>,
    events: &dyn Fn() -> Events,
) -> LocalFuture<'static, Result<Val>> {
    let (m, mut args) = match prepare(id, scope, items) {
        Ok(found) => found,
        Err(e) => return Box::pin(async move { Err(e) }),
    };
    args.retry_key = retry_key;
    match &m.run {
        Run::Code(handler) => handler(kernel, args),
        Run::Route(route) => Box::pin(async move { crate::routes::run(&kernel, args, route).await }),
        Run::Operation(handler) | Run::Adapted(_, handler) => handler(kernel, args, events()),
        // Ready at once: the task ends in its first poll, so the facade
        // takes its outcome synchronously (js/driver.js `runSync`).
        Run::Sync(handler) => {
            let out = handler(&kernel, args);
            Box::pin(async move { out })
        }
    }
}

/// The declaration to run (a scoped client's variant, if any) and its
/// arguments with the scoped client's project applied.
fn prepare(id: u32, scope: Option<String>, mut items: Vec<Json>) -> Result<(&'static Method, Args)> {
    let Some((ns, root)) = method(id) else {
        return Err(Error::local("calling the SDK", format!("unknown method id {id}")));
    };
    let mut m = root;
    if let Some(project) = scope {
        m = root.scoped();
        match m.scope {
            Scope::Project => items.insert(0, Native::string(project)),
            Scope::OptionField { index, keys } => inject_project(&mut items, index, keys, project),
            Scope::Global => {}
            Scope::RootOnly | Scope::Variant(_) => {
                return Err(Error::local(m.context, format!("{}.{} is not available on a project-scoped client", ns.name, m.name)));
            }
        }
    }
    let mut args = Args::new(ns.name, m.name, m.context, items);
    args.params = m.params;
    Ok((m, args))
}

/// Sets `keys[0] = project` in the options argument unless the caller
/// already named a project there: the caller's choice wins.
fn inject_project(items: &mut Vec<Json>, index: usize, keys: &[&str], project: String) {
    let base = items.get(index).filter(|v| v.is_object()).cloned();
    // `null` names no project, as `opts.projectId ?? scoped` does in the reference.
    if base.as_ref().is_some_and(|b| keys.iter().any(|k| b.field(k).is_some_and(|v| !v.is_nullish()))) {
        return;
    }
    let Some(key) = keys.first() else { return };
    let overlay: Json = Rc::new(Native::Overlay { base, extra: vec![(key.to_string(), Native::string(project))] });
    while items.len() <= index {
        items.push(Native::undefined());
    }
    items[index] = overlay;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the facade and the typings assume of the table, checked once
    /// here rather than at run time.
    #[test]
    fn the_table_is_consistent() {
        for (i, ns) in NAMESPACES.iter().enumerate() {
            if let Some(parent) = ns.parent() {
                let Some(p) = NAMESPACES[..i].iter().find(|p| p.name == parent) else {
                    panic!("{}: its parent {parent} must come earlier in NAMESPACES", ns.name);
                };
                assert!(!p.internal && !ns.internal, "{}: internal namespaces do not nest", ns.name);
                assert!(!ns.scoped || p.scoped, "{}: a scoped child needs a scoped parent", ns.name);
                assert!(ns.hidden_aliases.is_empty(), "{}: hidden aliases are for top-level namespaces", ns.name);
            }
            for alias in ns.hidden_aliases {
                assert!(NAMESPACES.iter().all(|other| other.name != *alias), "{}: alias {alias} is a namespace", ns.name);
            }
            for m in ns.methods {
                for d in [m, m.scoped()] {
                    if d.run.kind() == Kind::Sync {
                        assert!(!d.params.iter().any(|p| p.call_options), "{}.{}: a synchronous method takes no signal or timeoutMs", ns.name, m.name);
                    }
                }
                if let Scope::Variant(v) = m.scope {
                    assert_eq!(v.name, m.name, "{}.{}: a scoped variant keeps the name", ns.name, m.name);
                    assert!(!matches!(v.scope, Scope::Variant(_) | Scope::RootOnly), "{}.{}: a variant says how it gets the project", ns.name, m.name);
                }
            }
        }
    }

    #[test]
    fn has_operations_says_whether_the_table_has_one() {
        let emits = |k: Kind| matches!(k, Kind::Operation | Kind::Adapted);
        let any = NAMESPACES.iter().flat_map(|ns| ns.methods).any(|m| emits(m.run.kind()) || emits(m.scoped().run.kind()));
        assert_eq!(HAS_OPERATIONS, any);
    }

    #[cfg(feature = "test-hooks")]
    mod probe {
        use core::cell::RefCell;

        use serde_json::json;

        use super::super::*;
        use crate::testing::{self, block_on, to_serde};

        fn id(ns: &str, name: &str) -> u32 {
            for (i, n) in NAMESPACES.iter().enumerate() {
                if let Some(j) = n.methods.iter().position(|m| m.name == name).filter(|_| n.name == ns) {
                    return method_id(i, j);
                }
            }
            panic!("no {ns}.{name}");
        }

        /// A sync method's call, polled once: the facade relies on it
        /// being finished by then (js/driver.js `runSync`).
        fn dispatch_sync(k: &Rc<Kernel>, id: u32, scope: Option<String>, items: Vec<Json>) -> Result<Val> {
            let mut call = dispatch(k.clone(), id, scope, items, None, &no_events);
            let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
            match call.as_mut().poll(&mut cx) {
                core::task::Poll::Ready(out) => out,
                core::task::Poll::Pending => panic!("a synchronous method's call was not ready at its first poll"),
            }
        }

        fn items(v: Vec<serde_json::Value>) -> Vec<Json> {
            v.into_iter().map(testing::json).collect()
        }

        thread_local! {
            static SEEN: RefCell<Vec<serde_json::Value>> = const { RefCell::new(Vec::new()) };
        }

        fn collect() -> Events {
            Rc::new(|v| {
                SEEN.with(|s| s.borrow_mut().push(to_serde(&v)));
                Box::pin(async {})
            })
        }

        #[test]
        fn sync_methods_run_without_a_task_and_fail_typed() {
            let (k, _, _) = testing::kernel();
            let out = dispatch_sync(&k, id("probe", "escape"), None, items(vec![json!("<a href=\"x\">&</a>")]));
            assert_eq!(out.map(|v| to_serde(&v)).ok(), Some(json!("&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;")));
            let e = dispatch_sync(&k, id("probe", "escape"), None, items(vec![json!(5)])).err().map(|e| e.kind);
            assert_eq!(e, Some(crate::error::ErrorKind::LocalError));
            let scoped = dispatch_sync(&k, id("probe.inner", "label"), Some("prj_9".into()), items(vec![json!("hi")]));
            assert_eq!(scoped.map(|v| to_serde(&v)).ok(), Some(json!("prj_9:hi")));
        }

        #[test]
        fn operations_emit_through_the_sink_they_are_given() {
            let (k, _, _) = testing::kernel();
            SEEN.with(|s| s.borrow_mut().clear());
            let out = block_on(dispatch(k, id("probe", "count"), None, items(vec![json!(3)]), None, &collect));
            assert_eq!(out.map(|v| to_serde(&v)).ok(), Some(json!({"count": 3})));
            assert_eq!(SEEN.with(|s| s.borrow().clone()), vec![json!(0), json!(1), json!(2)]);
        }

        #[test]
        fn scoped_clients_call_the_variant() {
            let (k, _, _) = testing::kernel();
            let rel = id("probe", "release");
            let root = block_on(dispatch(k.clone(), rel, None, items(vec![json!({"project": "p1", "releaseId": "r1"})]), None, &no_events));
            assert_eq!(root.map(|v| to_serde(&v)).ok(), Some(json!({"project": "p1", "releaseId": "r1", "form": "object"})));
            let scoped = block_on(dispatch(k, rel, Some("prj_2".into()), items(vec![json!("r2")]), None, &no_events));
            assert_eq!(scoped.map(|v| to_serde(&v)).ok(), Some(json!({"project": "prj_2", "releaseId": "r2", "form": "positional", "note": null})));
        }
    }
}
