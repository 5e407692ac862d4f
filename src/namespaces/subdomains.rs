//! `r.subdomains`: `<name>.run402.com` claims pointing at deployments, all
//! declared routes. `claim` and `delete` name their project in an options
//! object (`projectId`), else the provider's active project.

use crate::routes::{route, Out, ProjectFrom, Route, RouteBody, SERVICE_KEY, SERVICE_GET};
use crate::surface::{call_opts, req, Method, Namespace, Scope, PROJECT_ID};

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
            generics: crate::ts!(""),
            params: &[req("name", "string"), req("deploymentId", "string"), call_opts("opts", "SubdomainClaimOptions")],
            returns: crate::ts!("SubdomainClaimResult"),
            scope: Scope::OptionField { index: 2, keys: &["projectId"] },
            context: "claiming subdomain",
            doc: crate::ts!("Claims a subdomain (or points it at another deployment) for opts.projectId, else the active project."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "POST",
                path: "/subdomains/v1",
                body: RouteBody::Strings(&[("name", 0), ("deployment_id", 1)]),
                project: ProjectFrom::Option { index: 2, or_active: true },
                ..BY_OPTION
            }),
        },
        Method {
            name: "delete",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("name", "string"), call_opts("opts", "SubdomainClaimOptions")],
            returns: crate::ts!("SubdomainDeleteResult"),
            scope: Scope::OptionField { index: 1, keys: &["projectId"] },
            context: "deleting subdomain",
            doc: crate::ts!("Releases a subdomain of opts.projectId, else of the active project."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "DELETE",
                path: "/subdomains/v1/{0}",
                project: ProjectFrom::Option { index: 1, or_active: true },
                ..BY_OPTION
            }),
        },
        Method {
            name: "list",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID],
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
                project: ProjectFrom::Arg0,
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

/// A request with the service key of the project in `opts.projectId`
/// (`project` says which argument and whether the active project stands in).
pub const BY_OPTION: Route = Route { project: ProjectFrom::Option { index: 1, or_active: true }, ..SERVICE_GET };

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::credentials::ProviderMethod;
    use crate::error::ErrorKind;
    use crate::testing::{self, header};

    fn call(k: &alloc::rc::Rc<crate::kernel::Kernel>, ns: &str, name: &str, args: Vec<Value>) -> crate::error::Result<crate::value::Val> {
        testing::call_method(k, ns, name, None, args)
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
    fn a_scoped_client_fills_a_null_project_id_with_its_own() {
        let (k, t, c) = testing::kernel();
        c.on(ProviderMethod::GetProject, json!({"anon_key": "a", "service_key": "svc"}));
        c.on(ProviderMethod::GetActiveProject, json!("prj_active"));
        testing::call_method(&k, "subdomains", "claim", Some("prj_scoped"), vec![json!("app"), json!("dpl_1"), json!({"projectId": null})]).unwrap();
        assert_eq!(c.calls_to(ProviderMethod::GetProject), vec![json!(["prj_scoped"])]);
        assert_eq!(t.sent.borrow().len(), 1);
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
