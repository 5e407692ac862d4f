//! Internal methods behind the JS facade's `r.project(id?)` and
//! `r.useProject(id)`: they resolve the project a scoped client binds to.
//! Not a public namespace; the typings declare the facade methods instead.

use crate::args::Args;
use crate::credentials;
use crate::error::{Error, Result};
use crate::handler;
use crate::kernel::Kernel;
use crate::namespaces::projects;
use crate::surface::{opt, req, Method, Namespace, Scope};
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
            run: handler!(resolve_project),
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
            run: handler!(use_project),
        },
    ],
};

/// The given id, or the provider's active project.
async fn resolve_project(k: &Kernel, a: Args) -> Result<Val> {
    if a.get(0).is_some() {
        return Ok(Val::Str(a.project_id(0)?));
    }
    let c = k.credentials.as_ref();
    if !c.has(credentials::ProviderMethod::GetActiveProject) {
        return Err(credentials::missing(
            credentials::ProviderMethod::GetActiveProject,
            a.context,
            "r.project() needs when called without an id; pass an explicit project id",
        ));
    }
    match credentials::get_active_project(c, a.context).await? {
        Some(id) => Ok(Val::Str(id)),
        None => Err(Error::local(
            a.context,
            "No active project is set: call r.projects.use(id) first, or pass an id to r.project(id)",
        )),
    }
}

/// `projects.use(id)`, then the id for the scoped client.
async fn use_project(k: &Kernel, a: Args) -> Result<Val> {
    let id = a.project_id(0)?;
    projects::set_active(k, &id, a.context).await?;
    Ok(Val::Str(id))
}
