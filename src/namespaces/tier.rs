//! `r.tier`: the wallet's subscription tier (status; set, which is paid).

use crate::args::Args;
use crate::error::Result;
use crate::routes::{route, Guard, Out, Route, RouteBody, PROVIDER};
use crate::surface::{call_opts, req, Method, Namespace, Scope};

pub const NAMESPACE: Namespace = Namespace {
    name: "tier",
    ts_name: "Tier",
    doc: crate::ts!("The wallet's tier: status, and set (paid with x402)."),
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
            returns: crate::ts!("TierStatusResult"),
            scope: Scope::Global,
            context: "checking tier status",
            doc: crate::ts!("GET /tiers/v1/status (wallet sign-in)."),
            http: crate::ts!(""),
            run: route(STATUS),
        },
        Method {
            name: "set",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("tier", "TierName"), call_opts("opts", "{ idempotencyKey?: string } & CallOptions")],
            returns: crate::ts!("TierSetResult"),
            scope: Scope::Global,
            context: "setting tier",
            doc: crate::ts!("POST /tiers/v1/{tier}: subscribe, renew, upgrade or downgrade (paid: the tier price, prototype $0.10, hobby $5, team $20)."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "POST",
                path: "/tiers/v1/{0}",
                body: RouteBody::Empty,
                result: Out::Guarded(&SET_TIER),
                paid: true,
                ..STATUS
            }),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export type TierName = "prototype" | "hobby" | "team";

export interface TierStatusResult {
  wallet: string;
  tier: string | null;
  lease_started_at: string | null;
  lease_expires_at: string | null;
  active: boolean;
  pool_usage: {
    projects: number;
    total_api_calls: number;
    total_storage_bytes: number;
    api_calls_limit: number;
    storage_bytes_limit: number;
  };
  [key: string]: unknown;
}

export interface TierSetResult {
  wallet: string;
  action: string;
  tier: string;
  previous_tier: string | null;
  lease_started_at: string;
  lease_expires_at: string;
  allowance_remaining_usd_micros: number;
  [key: string]: unknown;
}
"#;

/// `GET /tiers/v1/status` with the wallet's sign-in; `set` varies it.
const STATUS: Route = Route { path: "/tiers/v1/status", auth: PROVIDER, ..crate::routes::PUBLIC_GET };

/// Run402's tiers, the one list both `tier.set` and `projects.provision` check.
const TIERS: &[&str] = &["prototype", "hobby", "team"];

/// `LocalError` unless `tier` is one of [`TIERS`].
pub fn check_tier(a: &Args, tier: &str) -> Result<()> {
    if TIERS.contains(&tier) {
        Ok(())
    } else {
        Err(a.error(format!("`tier` must be one of {}, got \"{tier}\"", TIERS.join(", "))))
    }
}

/// `tier.set`'s own check, before the route reads anything: a known tier
/// (the path takes it as is).
const SET_TIER: Guard = Guard { check: checked_tier, error: None };

fn checked_tier(a: &Args) -> Result<()> {
    check_tier(a, &a.string(0, "tier")?)
}
