//! `r.senderDomain`: a project's custom email sending domain (DKIM records,
//! verification status) and inbound mail on it. Every member is one
//! service-key request.

use crate::routes::{field, route, Kind, Out, Route, RouteBody, Src, SERVICE_GET};
use crate::surface::{req, Method, Namespace, Param, Scope, PROJECT_ID};

const DOMAIN: Param = req("domain", "string");

/// The one path every member but the inbound pair uses.
const DOMAINS: Route = Route { path: "/email/v1/domains", ..SERVICE_GET };

/// `{domain}` from argument 1, checked before anything is sent.
const DOMAIN_BODY: RouteBody = RouteBody::Fields(&[field("domain", Src::Arg(1), Kind::Str)]);

pub const NAMESPACE: Namespace = Namespace {
    name: "senderDomain",
    ts_name: "SenderDomain",
    doc: crate::ts!("Custom email sending domains: DKIM/SPF/DMARC records, verification status, inbound mail."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "register",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, DOMAIN],
            returns: crate::ts!("SenderDomainRegisterResult"),
            scope: Scope::Project,
            context: "registering sender domain",
            doc: crate::ts!("Register a custom sending domain; returns the DNS records to publish."),
            http: crate::ts!(""),
            run: route(Route { verb: "POST", body: DOMAIN_BODY, ..DOMAINS }),
        },
        Method {
            name: "status",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID],
            returns: crate::ts!("SenderDomainStatusResult"),
            scope: Scope::Project,
            context: "checking sender domain status",
            doc: crate::ts!("The project's sender domain and its verification status (`domain: null` when none)."),
            http: crate::ts!(""),
            run: route(DOMAINS),
        },
        Method {
            name: "remove",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "removing sender domain",
            doc: crate::ts!("Remove the custom sender domain; mail goes out from the default domain again."),
            http: crate::ts!(""),
            run: route(Route { verb: "DELETE", result: Out::Void, ..DOMAINS }),
        },
        Method {
            name: "enableInbound",
            aliases: &["inboundEnable"],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, DOMAIN],
            returns: crate::ts!("InboundEnableResult"),
            scope: Scope::Project,
            context: "enabling inbound email",
            doc: crate::ts!("Enable inbound email on a verified sender domain; returns the MX record to publish."),
            http: crate::ts!(""),
            run: route(Route { verb: "POST", path: "/email/v1/domains/inbound", body: DOMAIN_BODY, ..DOMAINS }),
        },
        Method {
            name: "disableInbound",
            aliases: &["inboundDisable"],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, DOMAIN],
            returns: crate::ts!("DisableInboundResult"),
            scope: Scope::Project,
            context: "disabling inbound email",
            doc: crate::ts!("Disable inbound email on a sender domain (a DELETE with a JSON body)."),
            http: crate::ts!(""),
            run: route(Route { verb: "DELETE", path: "/email/v1/domains/inbound", body: DOMAIN_BODY, ..DOMAINS }),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export interface DnsRecord {
  type: string;
  name: string;
  value: string;
}

export interface SenderDomainRegisterResult {
  domain: string;
  status: string;
  dns_records: DnsRecord[];
  instructions: string;
  [key: string]: unknown;
}

export interface SenderDomainStatusResult {
  domain: string | null;
  status?: string;
  verified_at?: string;
  [key: string]: unknown;
}

export interface InboundEnableResult {
  status: string;
  mx_record?: string;
  [key: string]: unknown;
}

export interface DisableInboundResult {
  status: string;
  [key: string]: unknown;
}
"#;
