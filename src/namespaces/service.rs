//! `r.service`: gateway status and health. No auth, no setup.

use crate::routes::{route, Route, PUBLIC_GET};
use crate::surface::{Method, Namespace, Scope};

pub const NAMESPACE: Namespace = Namespace {
    name: "service",
    ts_name: "Service",
    doc: crate::ts!("Gateway status and health (no auth, works on a fresh install)."),
    scoped: false,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "status",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[],
            returns: crate::ts!("ServiceStatusPayload"),
            scope: Scope::Global,
            context: "fetching service status",
            doc: crate::ts!("GET /status: version, uptime, capabilities, operator."),
            http: crate::ts!(""),
            run: route(Route { path: "/status", ..PUBLIC_GET }),
        },
        Method {
            name: "health",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[],
            returns: crate::ts!("ServiceHealthPayload"),
            scope: Scope::Global,
            context: "fetching service health",
            doc: crate::ts!("GET /health: overall status and per-dependency checks."),
            http: crate::ts!(""),
            run: route(Route { path: "/health", ..PUBLIC_GET }),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export interface ServiceStatusPayload {
  status: string;
  uptime_seconds: number;
  deployment: { version: string };
  capabilities: string[];
  operator: { name: string; contact: string };
  [key: string]: unknown;
}

export interface ServiceHealthPayload {
  status: string;
  checks: Record<string, string>;
  version: string;
  [key: string]: unknown;
}
"#;
