//! `r.domains`: custom domains mapped to a project's subdomains, with the
//! DNS records the owner must add and the verification status. All declared
//! routes; `remove` sends the service key of `opts.projectId` when given,
//! else only the provider's headers.

use crate::routes::{route, ProjectFrom, Route, RouteBody, SERVICE_GET};
use crate::surface::{call_opts, req, Method, Namespace, Scope, PROJECT_ID};

pub const NAMESPACE: Namespace = Namespace {
    name: "domains",
    ts_name: "Domains",
    doc: crate::ts!("Custom domains pointing at a project's subdomains: DNS instructions and verification status."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "add",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("domain", "string"), req("subdomainName", "string")],
            returns: crate::ts!("CustomDomainAddResult"),
            scope: Scope::Project,
            context: "registering custom domain",
            doc: crate::ts!("Registers a custom domain for one of the project's subdomains; returns the DNS records to add."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "POST",
                body: RouteBody::Strings(&[("domain", 1), ("subdomain_name", 2)]),
                ..LIST
            }),
        },
        Method {
            name: "list",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID],
            returns: crate::ts!("CustomDomainListResult"),
            scope: Scope::Project,
            context: "listing custom domains",
            doc: crate::ts!("The project's custom domains."),
            http: crate::ts!(""),
            run: route(LIST),
        },
        Method {
            name: "status",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("domain", "string")],
            returns: crate::ts!("CustomDomainStatusResult"),
            scope: Scope::Project,
            context: "checking domain status",
            doc: crate::ts!("A custom domain's verification status and its DNS instructions (null once nothing is left to add)."),
            http: crate::ts!(""),
            run: route(Route { path: "/domains/v1/{1}", ..LIST }),
        },
        Method {
            name: "remove",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("domain", "string"), call_opts("opts", "CustomDomainRemoveOptions")],
            returns: crate::ts!("CustomDomainRemoveResult"),
            scope: Scope::OptionField { index: 1, keys: &["projectId"] },
            context: "removing custom domain",
            doc: crate::ts!("Releases a custom domain: with opts.projectId as that project (service key), else with the provider's headers only."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "DELETE",
                path: "/domains/v1/{0}",
                project: ProjectFrom::Option { index: 1, or_active: false },
                ..crate::namespaces::subdomains::BY_OPTION
            }),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export interface DnsInstructions {
  cname_target?: string;
  txt_name?: string;
  txt_value?: string;
}

export interface CustomDomainAddResult {
  domain: string;
  subdomain_name: string;
  url: string;
  subdomain_url: string;
  status: string;
  dns_instructions: DnsInstructions | null;
  project_id: string | null;
  created_at: string;
  [key: string]: unknown;
}

export interface CustomDomainSummary {
  domain: string;
  subdomain_name: string;
  url: string;
  subdomain_url: string;
  status: string;
  created_at: string;
  [key: string]: unknown;
}

export interface CustomDomainListResult {
  domains: CustomDomainSummary[];
  [key: string]: unknown;
}

export interface CustomDomainStatusResult {
  domain: string;
  subdomain_name: string;
  url: string;
  subdomain_url: string;
  status: string;
  dns_instructions: DnsInstructions | null;
  created_at: string;
  [key: string]: unknown;
}

export interface CustomDomainRemoveOptions extends CallOptions {
  /** Remove as this project (its service key); without it only the provider's headers are sent. */
  projectId?: string;
}

export interface CustomDomainRemoveResult {
  status: string;
  domain: string;
  [key: string]: unknown;
}
"#;

const LIST: Route = Route { path: "/domains/v1", ..SERVICE_GET };

