//! `r.service`: gateway status and health. No auth, no setup.

use crate::args::Args;
use crate::error::Result;
use crate::handler;
use crate::kernel::Kernel;
use crate::surface::{Method, Namespace, Scope};
use crate::value::Val;

pub const NAMESPACE: Namespace = Namespace {
    name: "service",
    ts_name: "Service",
    doc: crate::ts!("Gateway status and health (no auth, works on a fresh install)."),
    scoped: false,
    internal: false,
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "status",
            aliases: &[],
            params: &[],
            returns: crate::ts!("ServiceStatusPayload"),
            scope: Scope::Global,
            context: "fetching service status",
            doc: crate::ts!("GET /status: version, uptime, capabilities, operator."),
            run: handler!(status),
        },
        Method {
            name: "health",
            aliases: &[],
            params: &[],
            returns: crate::ts!("ServiceHealthPayload"),
            scope: Scope::Global,
            context: "fetching service health",
            doc: crate::ts!("GET /health: overall status and per-dependency checks."),
            run: handler!(health),
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

async fn status(k: &Kernel, a: Args) -> Result<Val> {
    Ok(k.send(a.call("GET", "/status").no_auth()).await?.body)
}

async fn health(k: &Kernel, a: Args) -> Result<Val> {
    Ok(k.send(a.call("GET", "/health").no_auth()).await?.body)
}
