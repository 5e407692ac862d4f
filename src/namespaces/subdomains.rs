//! `r.subdomains`: `<name>.run402.com` claims pointing at deployments.
//! `list` is a declared route; `claim` and `delete` name their project in
//! an options object (`projectId`), else the provider's active project, so
//! they are code: the route vocabulary takes a project from argument 0 only.

use std::rc::Rc;

use crate::args::{check_project_id, Args};
use crate::credentials::{self, LocalFuture};
use crate::error::Result;
use crate::kernel::encode::encode_uri_component;
use crate::kernel::{Call, Kernel};
use crate::routes::{route, Out, Route, RouteBody, SERVICE_KEY};
use crate::surface::{call_opts, req, Method, Namespace, Run, Scope};
use crate::value::Val;

pub const NAMESPACE: Namespace = Namespace {
    name: "subdomains",
    ts_name: "Subdomains",
    doc: crate::ts!("Subdomain claims (<name>.run402.com) pointing at deployments (service key)."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "claim",
            aliases: &[],
            generics: "",
            params: &[req("name", "string"), req("deploymentId", "string"), call_opts("opts", "SubdomainClaimOptions")],
            returns: crate::ts!("SubdomainClaimResult"),
            scope: Scope::OptionField { index: 2, keys: &["projectId"] },
            context: "claiming subdomain",
            doc: crate::ts!("Claims a subdomain (or points it at another deployment) for opts.projectId, else the active project."),
            http: crate::ts!("POST /subdomains/v1 · service key of opts.projectId or the active project"),
            run: Run::Code(claim),
        },
        Method {
            name: "delete",
            aliases: &[],
            generics: "",
            params: &[req("name", "string"), call_opts("opts", "SubdomainClaimOptions")],
            returns: crate::ts!("SubdomainDeleteResult"),
            scope: Scope::OptionField { index: 1, keys: &["projectId"] },
            context: "deleting subdomain",
            doc: crate::ts!("Releases a subdomain of opts.projectId, else of the active project."),
            http: crate::ts!("DELETE /subdomains/v1/{name} · service key of opts.projectId or the active project"),
            run: Run::Code(delete),
        },
        Method {
            name: "list",
            aliases: &[],
            generics: "",
            params: &[req("projectId", "string")],
            returns: crate::ts!("SubdomainSummary[]"),
            scope: Scope::Project,
            context: "listing subdomains",
            doc: crate::ts!("The project's subdomains (the gateway's `subdomains` array; [] when absent)."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "GET",
                path: "/subdomains/v1",
                auth: SERVICE_KEY,
                query: &[],
                body: RouteBody::None,
                headers: &[],
                result: Out::List("subdomains"),
                paid: false,
            }),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export interface SubdomainClaimOptions extends CallOptions {
  /** The project that owns the claim; default: the provider's active project. */
  projectId?: string;
}

export interface SubdomainClaimResult {
  name: string;
  deployment_id: string;
  url: string;
  deployment_url: string;
  project_id: string | null;
  created_at: string;
  updated_at: string;
  [key: string]: unknown;
}

export interface SubdomainSummary {
  name: string;
  url: string;
  deployment_id: string;
  deployment_url: string;
  project_id: string;
  created_at: string;
  updated_at: string;
  [key: string]: unknown;
}

export interface SubdomainDeleteResult {
  name: string;
  deployment_id: string;
  project_id: string;
  deleted_at: string;
  [key: string]: unknown;
}
"#;

// The three members with an options-object project (these two and
// `domains.remove`) build their request synchronously and share one future,
// [`send_as_project`]: one state machine in the wasm instead of three.

fn claim(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    match (a.non_empty(0, "name"), a.non_empty(1, "deploymentId")) {
        (Ok(name), Ok(deployment)) => {
            let call = a.call("POST", "/subdomains/v1").json(Val::object().with("name", name).with("deployment_id", deployment));
            Box::pin(send_as_project(k, a, call, 2, true))
        }
        (Err(e), _) | (_, Err(e)) => Box::pin(std::future::ready(Err(e))),
    }
}

fn delete(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    match a.non_empty(0, "name") {
        Ok(name) => {
            let call = a.call("DELETE", ["/subdomains/v1/", &encode_uri_component(&name)].concat());
            Box::pin(send_as_project(k, a, call, 1, true))
        }
        Err(e) => Box::pin(std::future::ready(Err(e))),
    }
}

/// Sends `call` with the service key of the project named in the options
/// at `index` (`projectId`); without one, of the provider's active project
/// when `or_active`, else with no key (the provider's headers only).
pub async fn send_as_project(k: Rc<Kernel>, a: Args, mut call: Call, index: usize, or_active: bool) -> Result<Val> {
    let mut project = option_project(&a, index)?;
    if project.is_none() && or_active {
        let active = credentials::get_active_project(k.credentials.as_ref(), a.context).await?.ok_or_else(|| {
            a.error("needs `opts.projectId` or an active project (set one with r.projects.use(id), or pass it)")
        })?;
        check_project_id(&active).map_err(|m| a.error(m))?;
        project = Some(active);
    }
    if let Some(id) = project {
        call = call.bearer(&k.project_keys(&id, a.context).await?.service_key);
    }
    Ok(k.send(call).await?.body)
}

/// `projectId` of the options object at `index`, checked; `None` when it is
/// absent or empty (the reference treats an empty id as none).
fn option_project(a: &Args, index: usize) -> Result<Option<String>> {
    let Some(opts) = a.opt_object(index, a.param_name(index))? else { return Ok(None) };
    let Some(id) = a.opt_field_string(&opts, "projectId")?.filter(|id| !id.is_empty()) else { return Ok(None) };
    check_project_id(&id).map_err(|m| a.error(m))?;
    Ok(Some(id))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::credentials::ProviderMethod;
    use crate::error::ErrorKind;
    use crate::surface::{self, NAMESPACES};
    use crate::testing::{self, block_on, header};

    fn call(k: &std::rc::Rc<crate::kernel::Kernel>, ns: &str, name: &str, args: Vec<Value>) -> crate::error::Result<crate::value::Val> {
        let (i, n) = NAMESPACES.iter().enumerate().find(|(_, n)| n.name == ns).expect("namespace");
        let j = n.methods.iter().position(|m| m.name == name).expect("method");
        let items = args.into_iter().map(testing::json).collect();
        block_on(surface::dispatch(k.clone(), surface::method_id(i, j), None, items, None, &surface::no_events))
    }

    #[test]
    fn the_project_comes_from_the_options_else_the_active_one() {
        let (k, t, c) = testing::kernel();
        c.on(ProviderMethod::GetProject, json!({"anon_key": "a", "service_key": "svc"}));
        call(&k, "subdomains", "claim", vec![json!("app"), json!("dpl_1"), json!({"projectId": "prj_o"})]).unwrap();
        assert_eq!(c.calls_to(ProviderMethod::GetProject), vec![json!(["prj_o"])]);
        let sent = t.sent.borrow().last().cloned().unwrap();
        assert_eq!((sent.method.as_str(), sent.url.as_str()), ("POST", "https://api.test/subdomains/v1"));
        assert_eq!(header(&sent, "authorization"), Some("Bearer svc"));
        assert_eq!(testing::body_text(&sent).as_deref(), Some(r#"{"name":"app","deployment_id":"dpl_1"}"#));

        // No projectId and no getActiveProject: local, before any request.
        let before = t.sent.borrow().len();
        let e = call(&k, "subdomains", "delete", vec![json!("app")]).unwrap_err();
        assert_eq!((e.kind, e.context.as_str()), (ErrorKind::LocalError, "deleting subdomain"));
        c.on(ProviderMethod::GetActiveProject, json!("prj_active"));
        call(&k, "subdomains", "delete", vec![json!("a b"), json!({"projectId": ""})]).unwrap();
        assert_eq!(c.calls_to(ProviderMethod::GetProject).last(), Some(&json!(["prj_active"])));
        assert_eq!(t.sent.borrow().last().unwrap().url, "https://api.test/subdomains/v1/a%20b");
        assert_eq!(t.sent.borrow().len(), before + 1);
    }

    #[test]
    fn domains_remove_sends_a_service_key_only_for_a_named_project() {
        let (k, t, c) = testing::kernel();
        c.on(ProviderMethod::GetProject, json!({"anon_key": "a", "service_key": "svc"}));
        c.on(ProviderMethod::GetActiveProject, json!("prj_active"));
        call(&k, "domains", "remove", vec![json!("example.com")]).unwrap();
        assert_eq!(header(&t.sent.borrow().last().cloned().unwrap(), "authorization"), None);
        assert!(c.calls_to(ProviderMethod::GetProject).is_empty(), "the active project is not used");
        call(&k, "domains", "remove", vec![json!("example.com"), json!({"projectId": "prj_1"})]).unwrap();
        assert_eq!(header(&t.sent.borrow().last().cloned().unwrap(), "authorization"), Some("Bearer svc"));
    }
}
