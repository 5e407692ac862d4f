//! `r.allowance`: the local wallet that pays and signs in. Keys are made in
//! wasm from the runtime's CSPRNG when the provider does not make its own.

use crate::prelude::*;
use zeroize::Zeroize;

use crate::args::Args;
use alloc::rc::Rc;

use crate::credentials::{self, LocalFuture, ProviderMethod};
use crate::error::{Error, Result};
use crate::json::{JsonExt, Shape};
use crate::kernel::{Kernel, Reply};
use crate::namespaces::steps::{self, Got, Steps, Waits};
use crate::surface::{opt, Method, Namespace, Run, Scope};
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
            generics: crate::ts!(""),
            params: &[],
            returns: crate::ts!("AllowanceStatusResult"),
            scope: Scope::Global,
            context: "checking allowance",
            doc: crate::ts!("Local: whether an allowance is configured, and its address."),
            http: crate::ts!("local (provider only, no request)"),
            run: Run::Code(status),
        },
        Method {
            name: "create",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[],
            returns: crate::ts!("AllowanceCreateResult"),
            scope: Scope::Global,
            context: "creating allowance",
            doc: crate::ts!("Local: makes a new wallet (the provider's createAllowance, else a key from the CSPRNG) and saves it with saveAllowance."),
            http: crate::ts!("local (provider only, no request)"),
            run: Run::Code(create),
        },
        Method {
            name: "export",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[],
            returns: crate::ts!("string"),
            scope: Scope::Global,
            context: "exporting allowance",
            doc: crate::ts!("Local: the allowance's address (never the key)."),
            http: crate::ts!("local (provider only, no request)"),
            run: Run::Code(export),
        },
        Method {
            name: "faucet",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[opt("address", "string")],
            returns: crate::ts!("FaucetResult"),
            scope: Scope::Global,
            context: "requesting faucet funds",
            doc: crate::ts!("POST /faucet/v1: testnet USDC for the address (default: the allowance's)."),
            http: crate::ts!("POST /faucet/v1 · no auth · free (testnet USDC, once per IP per 24 h)"),
            run: Run::Code(faucet),
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

// The four members are one state machine run by the shared driver
// ([`steps`]): what to ask next, and every check, is plain code in [`next`].

#[derive(Clone, Copy, PartialEq, Eq)]
enum Job {
    Status,
    Create,
    Export,
    Faucet,
}

/// What the member last asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Begin,
    /// `readAllowance`.
    Read,
    /// `getAllowancePath`, for the result.
    Path,
    /// `getAllowancePath`, for the "already exists" error.
    Exists,
    /// `createAllowance`.
    Make,
    /// `saveAllowance` of the new allowance.
    Save,
    /// The faucet request.
    Sent,
    /// `readAllowance` after the faucet, best effort.
    Reread,
    /// `saveAllowance` after the faucet, best effort.
    Resave,
}

/// A member's progress.
struct St {
    job: Job,
    phase: Phase,
    /// The result as far as it is built.
    out: Val,
    /// `created` of a new allowance.
    created: String,
}

fn status(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, Job::Status)
}

fn create(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, Job::Create)
}

fn export(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, Job::Export)
}

fn faucet(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    go(k, a, Job::Faucet)
}

fn go(k: Rc<Kernel>, a: Args, job: Job) -> LocalFuture<'static, Result<Val>> {
    steps::start(k, a, Box::new(St { job, phase: Phase::Begin, out: Val::Undefined, created: String::new() }))
}

impl Steps for St {
    fn next(&mut self, k: &Kernel, a: &mut Args, _: usize, got: Result<Got>, ops: &mut Waits) -> Result<Option<Val>> {
        next(k, a, self, got, ops)
    }
}

/// The next step of a member, given what the last one got.
fn next(k: &Kernel, a: &Args, st: &mut St, answer: Result<Got>, ops: &mut Waits) -> Result<Option<Val>> {
    let c = k.credentials.as_ref();
    let ctx = a.context;
    let reads = c.has(ProviderMethod::ReadAllowance);
    let phase = st.phase;
    st.phase = Phase::Read;
    // Only the faucet's record of its transfer is best effort.
    let answer = match answer {
        Err(e) if !matches!(phase, Phase::Reread | Phase::Resave) => return Err(e),
        answer => answer,
    };
    match (st.job, phase, answer) {
        (Job::Status, Phase::Begin, _) if !reads => Ok(Some(unconfigured())),
        (Job::Create, Phase::Begin, _) if !c.has(ProviderMethod::SaveAllowance) => {
            Err(credentials::missing(ProviderMethod::SaveAllowance, ctx, "allowance.create() needs to keep the new key"))
        }
        (Job::Create, Phase::Begin, _) if !reads => make(k, a, st, ops),
        (Job::Export, Phase::Begin, _) if !reads => Err(credentials::missing(ProviderMethod::ReadAllowance, ctx, "allowance.export() reads")),
        (Job::Faucet, Phase::Begin, _) => match a.opt_string(0, "address")? {
            Some(address) => faucet_call(a, st, address, ops),
            None if !reads => {
                Err(credentials::missing(ProviderMethod::ReadAllowance, ctx, "allowance.faucet() needs without an address"))
            }
            None => Ok(ops.allowance(0, ctx)),
        },
        (_, Phase::Begin, _) => Ok(ops.allowance(0, ctx)),
        (Job::Status, Phase::Read, Ok(Got::Allowance(r))) => {
            let Some(allowance) = r else { return Ok(Some(unconfigured())) };
            let raw = &allowance.raw;
            let mut out = Val::object().with("address", allowance.address.clone());
            if let Some(created) = raw.str_field("created") {
                out = out.with("created", created);
            }
            out = out.with("faucet_used", raw.field("funded").is_some_and(|f| !matches!(f.shape(), Shape::Bool(false) | Shape::Null)));
            if let Some(last) = raw.str_field("lastFaucet") {
                out = out.with("lastFaucet", last);
            }
            st.out = out;
            path(c, ctx, st, Phase::Path, ops)
        }
        (Job::Create, Phase::Read, Ok(Got::Allowance(r))) => match r {
            Some(_) => path(c, ctx, st, Phase::Exists, ops),
            None => make(k, a, st, ops),
        },
        (Job::Create, Phase::Make, Ok(Got::Json(made))) => {
            let address = made.str_field("address").ok_or_else(|| Error::local(ctx, "credentials.createAllowance() returned no address"))?;
            save(st, ctx, address, Val::Json(made), ops)
        }
        (Job::Create, Phase::Save, Ok(Got::Json(_))) => path(c, ctx, st, Phase::Path, ops),
        (_, Phase::Path | Phase::Exists, Ok(Got::Json(p))) => {
            st.phase = phase;
            after_path(st, ctx, p.as_string())
        }
        (Job::Export, Phase::Read, Ok(Got::Allowance(r))) => match r {
            Some(allowance) => Ok(Some(Val::Str(allowance.address))),
            None => Err(Error::local(ctx, "No allowance is configured")),
        },
        (Job::Faucet, Phase::Read, Ok(Got::Allowance(r))) => {
            let address = r.ok_or_else(|| Error::local(ctx, "No address given and no allowance is configured"))?.address;
            faucet_call(a, st, address, ops)
        }
        (Job::Faucet, Phase::Sent, Ok(Got::Reply(reply))) => {
            st.out = faucet_result(ctx, reply)?;
            // Best effort: the transfer happened even if the provider cannot record it.
            if reads && c.has(ProviderMethod::SaveAllowance) {
                st.phase = Phase::Reread;
                return Ok(ops.allowance(0, ctx));
            }
            Ok(Some(core::mem::replace(&mut st.out, Val::Undefined)))
        }
        (Job::Faucet, Phase::Reread, Ok(Got::Allowance(Some(allowance)))) => {
            let now = iso8601(k.transport.now_ms().max(0.0) as u64);
            let record = Val::object().spread(&allowance.raw).with("funded", true).with("lastFaucet", now);
            st.phase = Phase::Resave;
            Ok(ops.invoke(0, ProviderMethod::SaveAllowance, vec![record], a.context))
        }
        _ => Ok(Some(core::mem::replace(&mut st.out, Val::Undefined))),
    }
}

fn unconfigured() -> Val {
    Val::object().with("address", "").with("configured", false)
}

/// Asks for the allowance's path when the provider can tell it.
fn path(c: &dyn credentials::Credentials, ctx: &'static str, st: &mut St, phase: Phase, ops: &mut Waits) -> Result<Option<Val>> {
    st.phase = phase;
    if !c.has(ProviderMethod::GetAllowancePath) {
        return after_path(st, ctx, None);
    }
    Ok(ops.invoke(0, ProviderMethod::GetAllowancePath, Vec::new(), ctx))
}

fn after_path(st: &mut St, ctx: &str, path: Option<String>) -> Result<Option<Val>> {
    if st.phase == Phase::Exists {
        let at = path.unwrap_or_else(|| "the provider".into());
        return Err(Error::local(ctx, format!("An allowance already exists ({at}); remove it first to make a new one")));
    }
    let mut out = core::mem::replace(&mut st.out, Val::Undefined);
    if let Some(p) = path {
        out = out.with("path", p);
    }
    if st.job == Job::Status {
        out = out.with("configured", true);
    }
    Ok(Some(out))
}

/// A new allowance: the provider's `createAllowance`, else a key made here.
fn make(k: &Kernel, a: &Args, st: &mut St, ops: &mut Waits) -> Result<Option<Val>> {
    st.created = iso8601(k.transport.now_ms().max(0.0) as u64);
    if k.credentials.has(ProviderMethod::CreateAllowance) {
        st.phase = Phase::Make;
        return Ok(ops.invoke(0, ProviderMethod::CreateAllowance, Vec::new(), a.context));
    }
    let key = fresh_key(k, a.context)?;
    let address = key.address().lower();
    let data = Val::object()
        .with("address", address.clone())
        .with("privateKey", key.to_hex())
        .with("created", st.created.clone())
        .with("funded", false);
    drop(key);
    save(st, a.context, address, data, ops)
}

/// Saves the new allowance with `saveAllowance`.
fn save(st: &mut St, ctx: &'static str, address: String, data: Val, ops: &mut Waits) -> Result<Option<Val>> {
    crate::wallet::key::scrub_stack();
    st.out = Val::object().with("address", address).with("created", st.created.clone());
    st.phase = Phase::Save;
    Ok(ops.invoke(0, ProviderMethod::SaveAllowance, vec![data], ctx))
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

/// The faucet request for a checked address.
fn faucet_call(a: &Args, st: &mut St, address: String, ops: &mut Waits) -> Result<Option<Val>> {
    if crate::wallet::address::Address::parse(&address).is_err() {
        return Err(a.error(["`address` must be a 0x-prefixed 20-byte hex address, got \"", &address, "\""].concat()));
    }
    st.phase = Phase::Sent;
    Ok(ops.send(0, a.call("POST", "/faucet/v1").no_auth().json(Val::object().with("address", address))))
}

/// The faucet's answer in camelCase.
fn faucet_result(ctx: &str, reply: Reply) -> Result<Val> {
    let wire = reply.json().filter(|j| j.is_object()).cloned();
    let Some(wire) = wire else {
        return Err(Error::bad_response(reply.status, reply.body, ctx, "The faucet's answer is not an object"));
    };
    let micros = match wire.field("amount_usd_micros").map(|v| v.shape()) {
        Some(Shape::Number(n)) => n,
        _ => return Err(Error::bad_response(reply.status, reply.body, ctx, "The faucet's answer lacks amount_usd_micros")),
    };
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
