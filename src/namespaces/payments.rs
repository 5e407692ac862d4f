//! `r.payments`: what this client has paid and the policy it pays under.
//! Local: no requests.

use crate::prelude::*;
use alloc::rc::Rc;

use crate::args::Args;
use crate::credentials::LocalFuture;
use crate::error::Result;
use crate::kernel::pay::format_usd;
use crate::kernel::Kernel;
use crate::namespaces::steps::ready;
use crate::surface::{Method, Namespace, Run, Scope};
use crate::value::Val;

pub const NAMESPACE: Namespace = Namespace {
    name: "payments",
    ts_name: "Payments",
    doc: crate::ts!("x402 payments made by this client, and its spend policy (local, no requests)."),
    scoped: false,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "spent",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[],
            returns: crate::ts!("PaymentTotals"),
            scope: Scope::Global,
            context: "reading payments",
            doc: crate::ts!("Total paid (or reserved for payments in flight) by this client."),
            http: crate::ts!("local (this client, no request)"),
            run: Run::Code(spent),
        },
        Method {
            name: "receipts",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[],
            returns: crate::ts!("PaymentReceipt[]"),
            scope: Scope::Global,
            context: "reading payments",
            doc: crate::ts!("One receipt per settled payment, with the server's settlement."),
            http: crate::ts!("local (this client, no request)"),
            run: Run::Code(receipts),
        },
        Method {
            name: "policy",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[],
            returns: crate::ts!("SpendPolicy"),
            scope: Scope::Global,
            context: "reading payments",
            doc: crate::ts!("The spend policy in force (defaults filled in)."),
            http: crate::ts!("local (this client, no request)"),
            run: Run::Code(policy),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"/** Spend limits, in decimal USD (USDC, 6 decimals). */
export interface PaymentOptions {
  /** Largest single payment, default "20" (Run402's priciest tier, team, is $20). */
  maxPerRequest?: number | string;
  /** Cap on everything this client pays, default "50". */
  maxTotal?: number | string;
  /** CAIP-2 ids or v1 names; default Base mainnet and Base Sepolia. */
  networks?: Array<"eip155:8453" | "eip155:84532" | "base" | "base-sepolia">;
  /** Token contracts allowed besides USDC on an allowed network. */
  assets?: string[];
}

export interface SpendPolicy {
  maxPerRequest: string;
  maxTotal: string;
  networks: string[];
  assets: string[];
}

export interface PaymentTotals {
  /** Decimal USD, e.g. "0.10". */
  total: string;
  /** USDC base units (millionths of a dollar). */
  baseUnits: string;
  count: number;
}

export interface PaymentReceipt {
  network: string;
  asset: string;
  /** Base units, as the server asked. */
  amount: string;
  payTo: string;
  path: string;
  status: number;
  /** The decoded PAYMENT-RESPONSE (or X-PAYMENT-RESPONSE) header, if sent. */
  settlement: { success?: boolean; transaction?: string; network?: string; payer?: string; [key: string]: unknown } | null;
}
"#;

// Answers the ledger and the policy hold: known at once, a finished future each.

fn spent(k: Rc<Kernel>, _a: Args) -> LocalFuture<'static, Result<Val>> {
    let units = k.ledger.spent();
    ready(Ok(Val::object()
        .with("total", format_usd(units))
        .with("baseUnits", units.to_string())
        .with("count", Val::Num(f64::from(k.ledger.count())))))
}

fn receipts(k: Rc<Kernel>, _a: Args) -> LocalFuture<'static, Result<Val>> {
    ready(Ok(Val::Arr(k.ledger.receipts())))
}

fn policy(k: Rc<Kernel>, _a: Args) -> LocalFuture<'static, Result<Val>> {
    let p = &k.policy;
    let (mut networks, mut assets) = (Vec::new(), Vec::new());
    for n in &p.networks {
        networks.push(Val::from(n.caip2()));
        assets.push(Val::from(n.usdc().checksummed()));
    }
    for a in &p.extra_assets {
        assets.push(Val::from(a.checksummed()));
    }
    ready(Ok(Val::object()
        .with("maxPerRequest", format_usd(p.max_per_request))
        .with("maxTotal", format_usd(p.max_total))
        .with("networks", Val::Arr(networks))
        .with("assets", Val::Arr(assets))))
}
