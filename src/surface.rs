//! The public surface as data: every namespace and method with its
//! parameters, TypeScript types, scoping rule and aliases.
//!
//! This table is the single source for three things: dispatch (the wasm
//! layer calls [`dispatch`] with a method id), project-scoped clients (the
//! [`Scope`] rule says how a scoped call supplies the project), and the
//! generated `index.d.ts` ([`crate::typings`]). A namespace added here is
//! callable, scoped and typed with no further code.

use std::rc::Rc;

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
        ""
    };
}

/// A method's implementation: plain async Rust over the kernel.
pub type Handler = fn(Rc<Kernel>, Args) -> LocalFuture<'static, Result<Val>>;

/// Wraps `async fn(&Kernel, Args) -> Result<Val>` as a [`Handler`].
#[macro_export]
macro_rules! handler {
    ($f:path) => {{
        fn run(
            k: ::std::rc::Rc<$crate::kernel::Kernel>,
            a: $crate::args::Args,
        ) -> $crate::credentials::LocalFuture<'static, $crate::error::Result<$crate::value::Val>> {
            ::std::boxed::Box::pin(async move { $f(&k, a).await })
        }
        $crate::surface::Run::Code(run as $crate::surface::Handler)
    }};
}

/// How a method runs: a declared request (most members), or code.
#[derive(Clone, Copy)]
pub enum Run {
    /// One gateway request described as data, run by [`crate::routes`].
    Route(crate::routes::Route),
    /// Async Rust over the kernel, for members with real behaviour.
    Code(Handler),
}

/// How a method behaves on a project-scoped client (`r.project(id)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// One parameter, for the typings.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub ts: &'static str,
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

/// An optional parameter.
pub const fn opt(name: &'static str, ts: &'static str) -> Param {
    Param { name, ts: typings_text(ts), optional: true, call_options: false }
}

/// An optional options object that also takes `signal` and `timeoutMs`.
pub const fn call_opts(name: &'static str, ts: &'static str) -> Param {
    Param { name, ts: typings_text(ts), optional: true, call_options: true }
}

/// `text` in native builds; "" in wasm, so the literal is not linked in.
const fn typings_text(text: &'static str) -> &'static str {
    if cfg!(target_arch = "wasm32") {
        ""
    } else {
        text
    }
}

/// One public method.
#[derive(Clone, Copy)]
pub struct Method {
    pub name: &'static str,
    /// CLI-style names bound to this same method (root client only).
    pub aliases: &'static [&'static str],
    /// TypeScript type parameters, e.g. `<T = any>` (typings only).
    pub generics: &'static str,
    pub params: &'static [Param],
    /// The TypeScript type of the resolved value.
    pub returns: &'static str,
    pub scope: Scope,
    /// The verb phrase every error from this method carries.
    pub context: &'static str,
    /// One-line summary for the typings.
    pub doc: &'static str,
    /// What a code method sends ("VERB /path · auth · cost"), or "local ..."
    /// for one that makes no request; "" for a declared route, whose wire
    /// is read from the route itself (agent reference only).
    pub http: &'static str,
    pub run: Run,
}

/// One namespace (`r.projects`, `r.service`, ...).
pub struct Namespace {
    /// Property name on the client.
    pub name: &'static str,
    /// TypeScript interface name; scoped clients use `Scoped` + this.
    pub ts_name: &'static str,
    pub doc: &'static str,
    /// Present on project-scoped clients.
    pub scoped: bool,
    /// TypeScript declarations of the shapes its methods take and return.
    pub types: &'static str,
    pub methods: &'static [Method],
    /// Internal namespaces back the JS facade and are not typed as such.
    pub internal: bool,
}

/// Every namespace, in client property order.
pub const NAMESPACES: &[&Namespace] = &[
    #[cfg(not(feature = "omit-projects"))]
    &namespaces::projects::NAMESPACE,
    #[cfg(not(feature = "omit-service"))]
    &namespaces::service::NAMESPACE,
    #[cfg(not(feature = "omit-tier"))]
    &namespaces::tier::NAMESPACE,
    #[cfg(not(feature = "omit-allowance"))]
    &namespaces::allowance::NAMESPACE,
    #[cfg(not(feature = "omit-payments"))]
    &namespaces::payments::NAMESPACE,
    &namespaces::client::NAMESPACE,
    #[cfg(feature = "size-probe")]
    &namespaces::size_probe::NAMESPACE,
];

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
/// scoped client, applied according to the method's [`Scope`].
pub fn dispatch(
    kernel: Rc<Kernel>,
    id: u32,
    scope: Option<String>,
    mut items: Vec<Json>,
    retry_key: Option<String>,
) -> LocalFuture<'static, Result<Val>> {
    let Some((ns, m)) = method(id) else {
        return Box::pin(async move { Err(Error::local("calling the SDK", format!("unknown method id {id}"))) });
    };
    if let Some(project) = scope {
        match m.scope {
            Scope::Project => items.insert(0, Native::string(project)),
            Scope::OptionField { index, keys } => inject_project(&mut items, index, keys, project),
            Scope::Global => {}
            Scope::RootOnly => {
                let msg = format!("{}.{} is not available on a project-scoped client", ns.name, m.name);
                return Box::pin(async move { Err(Error::local(m.context, msg)) });
            }
        }
    }
    let mut args = Args::new(ns.name, m.name, m.context, items);
    args.params = m.params;
    args.retry_key = retry_key;
    match &m.run {
        Run::Code(handler) => handler(kernel, args),
        Run::Route(route) => Box::pin(async move { crate::routes::run(&kernel, args, route).await }),
    }
}

/// Sets `keys[0] = project` in the options argument unless the caller
/// already named a project there: the caller's choice wins.
fn inject_project(items: &mut Vec<Json>, index: usize, keys: &[&str], project: String) {
    let base = items.get(index).filter(|v| v.is_object()).cloned();
    if base.as_ref().is_some_and(|b| keys.iter().any(|k| b.field(k).is_some())) {
        return;
    }
    let Some(key) = keys.first() else { return };
    let overlay: Json = Rc::new(Native::Overlay { base, extra: vec![(key.to_string(), Native::string(project))] });
    while items.len() <= index {
        items.push(Native::undefined());
    }
    items[index] = overlay;
}
