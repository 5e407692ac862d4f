//! Methods as data. Most SDK members are one gateway request: a verb, a path
//! template, an auth rule, a body made from the arguments, and a rule for
//! the result. Such a member declares a [`Route`] in the method table and
//! this one interpreter runs it, so a new endpoint costs a few bytes of data
//! instead of its own compiled future. Members with real behaviour (paying,
//! polling, uploads, provider bookkeeping) stay code ([`crate::surface::Run::Code`]).
//!
//! Order of work, as in every hand-written method: validate every argument
//! (no request on bad input), then resolve the project's keys, then send one
//! request, then shape the result.

use crate::args::Args;
use crate::error::Result;
use crate::kernel::encode::encode_uri_component;
use crate::kernel::Kernel;
use crate::value::Val;

/// One declared request.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub verb: &'static str,
    /// The path. `{id}` is the project id (argument 0), checked so it cannot
    /// change the path and inserted as is, like the reference; `{N}` is
    /// string argument N, non-empty, percent-encoded as a path segment.
    pub path: &'static str,
    pub auth: Auth,
    pub body: RouteBody,
    /// Fixed extra headers.
    pub headers: &'static [(&'static str, &'static str)],
    pub result: Out,
}

/// Which credentials the request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// None at all (public endpoints): the provider's `getAuth` is not asked.
    Public,
    /// The provider's `getAuth` headers (wallet sign-in, say).
    Provider,
    /// `Authorization: Bearer <service_key>` of the project in argument 0.
    ServiceKey,
}

/// The request body.
#[derive(Debug, Clone, Copy)]
pub enum RouteBody {
    None,
    /// `{}`.
    Empty,
    /// Argument N, a plain object, sent as its JSON.
    Object(usize),
    /// A JSON object of required non-empty string arguments: `(field, N)`.
    Strings(&'static [(&'static str, usize)]),
}

/// What the call resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Out {
    /// The decoded body, untouched.
    Body,
    /// `undefined`.
    Void,
}

/// A placeholder of a path template.
enum Slot {
    ProjectId,
    Arg(usize),
}

/// Splits `path` at its first placeholder: (literal before, slot, rest).
fn next_slot(path: &str) -> Option<(&str, Slot, &str)> {
    let open = path.find('{')?;
    let close = open + path[open..].find('}')?;
    let name = &path[open + 1..close];
    let slot = match name {
        "id" => Slot::ProjectId,
        n => Slot::Arg(n.parse().ok()?),
    };
    Some((&path[..open], slot, &path[close + 1..]))
}

/// Whether the template has `{id}` (a byte scan: no substring searcher set
/// up on every call).
fn has_project_slot(path: &str) -> bool {
    path.as_bytes().windows(4).any(|w| w == b"{id}")
}

/// The path with every placeholder filled from the arguments; `project` is
/// the checked project id when the route uses one.
fn expand(a: &Args, template: &str, project: Option<&str>) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some((literal, slot, tail)) = next_slot(rest) {
        out.push_str(literal);
        match slot {
            // `run` checks the id whenever the template has `{id}`.
            Slot::ProjectId => out.push_str(project.unwrap_or_default()),
            Slot::Arg(i) => out.push_str(&encode_uri_component(&a.non_empty(i, a.param_name(i))?)),
        }
        rest = tail;
    }
    out.push_str(rest);
    Ok(out)
}

fn body(a: &Args, rule: RouteBody) -> Result<Option<Val>> {
    Ok(match rule {
        RouteBody::None => None,
        RouteBody::Empty => Some(Val::object()),
        RouteBody::Object(i) => {
            let name = a.param_name(i);
            let obj = a.opt_object(i, name)?.ok_or_else(|| a.error(format!("`{name}` must be an object")))?;
            Some(Val::Json(obj))
        }
        RouteBody::Strings(fields) => {
            let mut out = Val::object();
            for (field, i) in fields {
                out = out.with(field, a.non_empty(*i, a.param_name(*i))?);
            }
            Some(out)
        }
    })
}

/// A method table entry for a declared route.
pub const fn route(r: Route) -> crate::surface::Run {
    crate::surface::Run::Route(r)
}

/// Runs a declared route for one call.
pub async fn run(k: &Kernel, a: Args, route: &'static Route) -> Result<Val> {
    // Checked once, before the other arguments, for the path and the keys.
    let project = if route.auth == Auth::ServiceKey || has_project_slot(route.path) { Some(a.project_id(0)?) } else { None };
    let path = expand(&a, route.path, project.as_deref())?;
    let payload = body(&a, route.body)?;
    let mut call = a.call(route.verb, path);
    for (name, value) in route.headers {
        call = call.header(name, *value);
    }
    match route.auth {
        Auth::Public => call = call.no_auth(),
        Auth::Provider => {}
        Auth::ServiceKey => {
            let id = project.as_deref().unwrap_or_default();
            call = call.bearer(&k.project_keys(id, a.context).await?.service_key);
        }
    }
    if let Some(v) = payload {
        call = call.json(v);
    }
    let reply = k.send(call).await?;
    Ok(match route.result {
        Out::Body => reply.body,
        Out::Void => Val::Undefined,
    })
}
