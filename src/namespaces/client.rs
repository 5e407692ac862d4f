//! Internal methods behind the JS facade's `r.project(id?)` and
//! `r.useProject(id)`: they resolve the project a scoped client binds to.
//! Not a public namespace; the typings declare the facade methods instead.

use alloc::rc::Rc;

use crate::args::Args;
use crate::credentials::LocalFuture;
use crate::error::Result;
use crate::kernel::Kernel;
use crate::namespaces::projects;
use crate::surface::{opt, req, Method, Namespace, Run, Scope};
use crate::value::Val;

pub const NAMESPACE: Namespace = Namespace {
    name: "client",
    ts_name: "Client",
    doc: crate::ts!(""),
    scoped: false,
    internal: true,
    hidden_aliases: &[],
    types: crate::ts!(""),
    methods: &[
        Method {
            name: "resolveProject",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[opt("id", "string")],
            returns: crate::ts!("string"),
            scope: Scope::RootOnly,
            context: "scoping client to project",
            doc: crate::ts!(""),
            http: crate::ts!(""),
            run: Run::Code(resolve_project),
        },
        Method {
            name: "useProject",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("id", "string")],
            returns: crate::ts!("string"),
            scope: Scope::RootOnly,
            context: "setting active project",
            doc: crate::ts!(""),
            http: crate::ts!(""),
            run: Run::Code(use_project),
        },
    ],
};

/// The given id, or the provider's active project.
fn resolve_project(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    if a.get(0).is_some() {
        return crate::namespaces::steps::ready(a.project_id(0).map(Val::Str));
    }
    projects::resolve_active(k, a)
}

/// `projects.use(id)`, then the id for the scoped client.
fn use_project(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    projects::use_for_client(k, a)
}
