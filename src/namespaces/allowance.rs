//! `r.allowance`: the local wallet that pays and signs in. Keys are made in
//! wasm from the runtime's CSPRNG when the provider does not make its own.

use crate::prelude::*;
use zeroize::Zeroize;

use crate::args::Args;
use crate::credentials::{self, ProviderMethod};
use crate::error::{Error, Result};
use crate::handler;
use crate::json::{JsonExt, Shape};
use crate::kernel::Kernel;
use crate::surface::{opt, Method, Namespace, Scope};
use crate::value::Val;
use crate::wallet::key::PrivateKey;
use crate::wallet::siwx::iso8601;

pub const NAMESPACE: Namespace = Namespace {
    name: "allowance",
    ts_name: "Allowance",
    doc: crate::ts!("The local wallet (allowance): status, create, export, faucet."),
    scoped: false,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "status",
            aliases: &[],
            generics: "",
            params: &[],
            returns: crate::ts!("AllowanceStatusResult"),
            scope: Scope::Global,
            context: "checking allowance",
            doc: crate::ts!("Local: whether an allowance is configured, and its address."),
            http: crate::ts!("local (provider only, no request)"),
            run: handler!(status),
        },
        Method {
            name: "create",
            aliases: &[],
            generics: "",
            params: &[],
            returns: crate::ts!("AllowanceCreateResult"),
            scope: Scope::Global,
            context: "creating allowance",
            doc: crate::ts!("Local: makes a new wallet (the provider's createAllowance, else a key from the CSPRNG) and saves it with saveAllowance."),
            http: crate::ts!("local (provider only, no request)"),
            run: handler!(create),
        },
        Method {
            name: "export",
            aliases: &[],
            generics: "",
            params: &[],
            returns: crate::ts!("string"),
            scope: Scope::Global,
            context: "exporting allowance",
            doc: crate::ts!("Local: the allowance's address (never the key)."),
            http: crate::ts!("local (provider only, no request)"),
            run: handler!(export),
        },
        Method {
            name: "faucet",
            aliases: &[],
            generics: "",
            params: &[opt("address", "string")],
            returns: crate::ts!("FaucetResult"),
            scope: Scope::Global,
            context: "requesting faucet funds",
            doc: crate::ts!("POST /faucet/v1: testnet USDC for the address (default: the allowance's)."),
            http: crate::ts!("POST /faucet/v1 · no auth · free (testnet USDC, once per IP per 24 h)"),
            run: handler!(faucet),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export interface AllowanceStatusResult {
  address: string;
  created?: string;
  faucet_used?: boolean;
  lastFaucet?: string;
  path?: string;
  configured: boolean;
}

export interface AllowanceCreateResult {
  address: string;
  created: string;
  path?: string;
}

/** The faucet's answer in camelCase. A field the gateway left out is null. */
export interface FaucetResult {
  transactionHash: string | null;
  /** Decimal USD with 2 decimals, e.g. "0.25". */
  amount: string;
  amountUsdMicros: number;
  token: string | null;
  network: string | null;
}
"#;

async fn path(k: &Kernel, ctx: &str) -> Result<Option<String>> {
    let c = k.credentials.as_ref();
    if !c.has(ProviderMethod::GetAllowancePath) {
        return Ok(None);
    }
    Ok(c.invoke(ProviderMethod::GetAllowancePath, Vec::new(), ctx).await?.as_string())
}

async fn status(k: &Kernel, a: Args) -> Result<Val> {
    let c = k.credentials.as_ref();
    let unconfigured = Val::object().with("address", "").with("configured", false);
    if !c.has(ProviderMethod::ReadAllowance) {
        return Ok(unconfigured);
    }
    let Some(allowance) = credentials::read_allowance(c, a.context).await? else { return Ok(unconfigured) };
    let raw = &allowance.raw;
    let mut out = Val::object().with("address", allowance.address.clone());
    if let Some(created) = raw.str_field("created") {
        out = out.with("created", created);
    }
    out = out.with("faucet_used", raw.field("funded").is_some_and(|f| !matches!(f.shape(), Shape::Bool(false) | Shape::Null)));
    if let Some(last) = raw.str_field("lastFaucet") {
        out = out.with("lastFaucet", last);
    }
    if let Some(p) = path(k, a.context).await? {
        out = out.with("path", p);
    }
    Ok(out.with("configured", true))
}

async fn create(k: &Kernel, a: Args) -> Result<Val> {
    let c = k.credentials.as_ref();
    if !c.has(ProviderMethod::SaveAllowance) {
        return Err(credentials::missing(ProviderMethod::SaveAllowance, a.context, "allowance.create() needs to keep the new key"));
    }
    if c.has(ProviderMethod::ReadAllowance) && credentials::read_allowance(c, a.context).await?.is_some() {
        let at = path(k, a.context).await?.unwrap_or_else(|| "the provider".into());
        return Err(Error::local(a.context, format!("An allowance already exists ({at}); remove it first to make a new one")));
    }
    let created = iso8601(k.transport.now_ms().max(0.0) as u64);
    let (address, data) = if c.has(ProviderMethod::CreateAllowance) {
        let made = c.invoke(ProviderMethod::CreateAllowance, Vec::new(), a.context).await?;
        let address = made.str_field("address").ok_or_else(|| Error::local(a.context, "credentials.createAllowance() returned no address"))?;
        (address, Val::Json(made))
    } else {
        let key = fresh_key(k, a.context)?;
        let address = key.address().lower();
        let data = Val::object()
            .with("address", address.clone())
            .with("privateKey", key.to_hex())
            .with("created", created.clone())
            .with("funded", false);
        (address, data)
    };
    crate::wallet::key::scrub_stack();
    c.invoke(ProviderMethod::SaveAllowance, vec![data], a.context).await?;
    let mut out = Val::object().with("address", address).with("created", created);
    if let Some(p) = path(k, a.context).await? {
        out = out.with("path", p);
    }
    Ok(out)
}

/// A key from 32 CSPRNG bytes (a draw outside the curve order, odds about
/// 2^-128, is simply drawn again).
fn fresh_key(k: &Kernel, ctx: &str) -> Result<PrivateKey> {
    for _ in 0..4 {
        let mut bytes = k.random::<32>(ctx)?;
        let key = PrivateKey::from_bytes(&bytes);
        bytes.zeroize();
        if let Ok(key) = key {
            return Ok(key);
        }
    }
    Err(Error::local(ctx, "the random source produced no valid key"))
}

async fn export(k: &Kernel, a: Args) -> Result<Val> {
    let c = k.credentials.as_ref();
    if !c.has(ProviderMethod::ReadAllowance) {
        return Err(credentials::missing(ProviderMethod::ReadAllowance, a.context, "allowance.export() reads"));
    }
    match credentials::read_allowance(c, a.context).await? {
        Some(allowance) => Ok(Val::Str(allowance.address)),
        None => Err(Error::local(a.context, "No allowance is configured")),
    }
}

async fn faucet(k: &Kernel, a: Args) -> Result<Val> {
    let c = k.credentials.as_ref();
    let address = match a.opt_string(0, "address")? {
        Some(addr) => addr,
        None => {
            if !c.has(ProviderMethod::ReadAllowance) {
                return Err(credentials::missing(ProviderMethod::ReadAllowance, a.context, "allowance.faucet() needs without an address"));
            }
            credentials::read_allowance(c, a.context)
                .await?
                .ok_or_else(|| Error::local(a.context, "No address given and no allowance is configured"))?
                .address
        }
    };
    if crate::wallet::address::Address::parse(&address).is_err() {
        return Err(a.error(format!("`address` must be a 0x-prefixed 20-byte hex address, got \"{address}\"")));
    }
    let reply = k.send(a.call("POST", "/faucet/v1").no_auth().json(Val::object().with("address", address))).await?;
    let wire = reply.json().filter(|j| j.is_object()).cloned();
    let Some(wire) = wire else {
        return Err(Error::bad_response(reply.status, reply.body, a.context, "The faucet's answer is not an object"));
    };
    let micros = match wire.field("amount_usd_micros").map(|v| v.shape()) {
        Some(Shape::Number(n)) => n,
        _ => return Err(Error::bad_response(reply.status, reply.body, a.context, "The faucet's answer lacks amount_usd_micros")),
    };
    // Best effort: the transfer happened even if the provider cannot record it.
    if c.has(ProviderMethod::ReadAllowance) && c.has(ProviderMethod::SaveAllowance) {
        if let Ok(Some(allowance)) = credentials::read_allowance(c, a.context).await {
            let now = iso8601(k.transport.now_ms().max(0.0) as u64);
            let record = Val::object().spread(&allowance.raw).with("funded", true).with("lastFaucet", now);
            let _ = c.invoke(ProviderMethod::SaveAllowance, vec![record], a.context).await;
        }
    }
    Ok(Val::object()
        .with("transactionHash", wire.str_field("transaction_hash").map_or(Val::Null, Val::Str))
        .with("amountUsdMicros", Val::Num(micros))
        .with("amount", cents(micros))
        .with("token", wire.str_field("token").map_or(Val::Null, Val::Str))
        .with("network", wire.str_field("network").map_or(Val::Null, Val::Str)))
}

/// micros / 1e6 with 2 decimals, as `toFixed(2)` prints it for whole cents.
fn cents(micros: f64) -> String {
    let c = crate::num::round_non_negative(micros / 10_000.0);
    format!("{}.{:02}", c / 100, c % 100)
}
