//! x402 `exact` payments on EVM: reading what a 402 asks for (v2 header or
//! v1 body), and building the signed payment header.

use crate::prelude::*;
use super::address::Address;
use super::codec::hex0x;
use super::eip3009::Authorization;
use super::eip712::Domain;
use super::key::PrivateKey;
use super::u256;
use crate::json::{Json, JsonExt, Shape};
use crate::value::Val;

/// USDC contracts on the networks Run402 uses.
pub const USDC_BASE: &str = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
pub const USDC_BASE_SEPOLIA: &str = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";

/// A network this SDK can pay on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    Base,
    BaseSepolia,
}

impl Network {
    /// From a CAIP-2 id (v2) or a v1 name.
    pub fn parse(s: &str) -> Option<Network> {
        match s {
            "eip155:8453" | "base" => Some(Network::Base),
            "eip155:84532" | "base-sepolia" => Some(Network::BaseSepolia),
            _ => None,
        }
    }
    pub fn chain_id(self) -> u64 {
        match self {
            Network::Base => 8453,
            Network::BaseSepolia => 84532,
        }
    }
    pub fn caip2(self) -> &'static str {
        match self {
            Network::Base => "eip155:8453",
            Network::BaseSepolia => "eip155:84532",
        }
    }
    /// The USDC contract on this network.
    pub fn usdc(self) -> Address {
        let s = match self {
            Network::Base => USDC_BASE,
            Network::BaseSepolia => USDC_BASE_SEPOLIA,
        };
        Address::parse(s).unwrap_or(Address([0; 20]))
    }
}

/// One entry of `accepts` we could pay.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// The entry as the server sent it (echoed back as `accepted` in v2).
    pub raw: Json,
    /// The network string as sent (CAIP-2 or v1 name).
    pub network_name: String,
    pub network: Network,
    /// Base units, as the decimal text the server sent and as a word.
    pub amount_text: String,
    pub amount: [u8; 32],
    pub asset: Address,
    pub pay_to: Address,
    pub max_timeout_seconds: u64,
    pub token_name: String,
    pub token_version: String,
}

impl Requirement {
    /// The amount when it fits in u128 (anything larger is refused by any cap).
    pub fn amount_u128(&self) -> Option<u128> {
        u256::to_u128(&self.amount)
    }
}

/// What a 402 offers.
#[derive(Debug, Clone)]
pub struct Offer {
    /// 1 or 2: which header to answer with.
    pub version: u8,
    /// Every `accepts` entry, as sent (for the caller's error).
    pub accepts: Json,
    /// Entries this SDK can pay, in the server's order, and why others cannot.
    pub payable: Vec<Requirement>,
    pub unpayable: Vec<String>,
    pub resource: Option<Json>,
    pub extensions: Option<Json>,
    /// The server's `error` text, if any (a refusal reason after paying).
    pub error: Option<String>,
}

/// Reads an offer from a parsed v2 `PAYMENT-REQUIRED` header or a v1 body.
/// `None` when the value is not an x402 offer at all.
pub fn read_offer(doc: &Json, from_header: bool) -> Result<Option<Offer>, String> {
    if !doc.is_object() {
        return if from_header { Err("the PAYMENT-REQUIRED header is not a JSON object".into()) } else { Ok(None) };
    }
    let Some(accepts) = doc.field("accepts") else {
        return if from_header { Err("the PAYMENT-REQUIRED header has no `accepts`".into()) } else { Ok(None) };
    };
    let Shape::Array(n) = accepts.shape() else { return Err("`accepts` is not an array".into()) };
    let version = match doc.field("x402Version").map(|v| v.shape()) {
        Some(Shape::Number(2.0)) => 2,
        Some(Shape::Number(1.0)) => 1,
        None if !from_header => 1,
        _ => return Err("unsupported x402Version".into()),
    };
    let (mut payable, mut unpayable) = (Vec::new(), Vec::new());
    for i in 0..n.min(64) {
        let Some(entry) = accepts.item(i) else { continue };
        match requirement(&entry, version) {
            Ok(r) => payable.push(r),
            Err(why) => unpayable.push(why),
        }
    }
    Ok(Some(Offer {
        version,
        accepts,
        payable,
        unpayable,
        resource: doc.field("resource"),
        extensions: doc.field("extensions"),
        error: doc.str_field("error").filter(|e| !e.is_empty()),
    }))
}

fn requirement(entry: &Json, version: u8) -> Result<Requirement, String> {
    let text = |k: &str| entry.str_field(k).ok_or_else(|| format!("an offer lacks a string `{k}`"));
    let scheme = text("scheme")?;
    if scheme != "exact" {
        return Err(format!("scheme \"{scheme}\" is not supported (only \"exact\")"));
    }
    let network_name = text("network")?;
    let network = Network::parse(&network_name).ok_or_else(|| format!("network \"{network_name}\" is not supported"))?;
    let amount_text = text(if version == 2 { "amount" } else { "maxAmountRequired" })?;
    let amount = u256::parse_decimal(&amount_text).ok_or_else(|| "an offer's amount is not a uint256".to_string())?;
    let asset = Address::parse(&text("asset")?).map_err(|e| format!("asset: {e}"))?;
    let pay_to = Address::parse(&text("payTo")?).map_err(|e| format!("payTo: {e}"))?;
    let max_timeout_seconds = match entry.field("maxTimeoutSeconds").map(|v| v.shape()) {
        Some(Shape::Number(s)) if (1.0..=86_400.0).contains(&s) && crate::num::is_whole(s) => s as u64,
        _ => return Err("maxTimeoutSeconds must be a whole number of seconds up to a day".into()),
    };
    let extra = entry.field("extra").ok_or("an offer lacks `extra` (the token's EIP-712 name and version)")?;
    let token_name = extra.str_field("name").ok_or("extra.name is missing")?;
    let token_version = extra.str_field("version").ok_or("extra.version is missing")?;
    Ok(Requirement {
        raw: entry.clone(),
        network_name,
        network,
        amount_text,
        amount,
        asset,
        pay_to,
        max_timeout_seconds,
        token_name,
        token_version,
    })
}

/// A signed payment, ready to be serialized into its header.
pub struct Payment {
    pub header_name: &'static str,
    /// The payload; serialize with the host's JSON, then base64.
    pub payload: Val,
}

/// Signs `req` with `key`: validBefore = now + maxTimeoutSeconds; validAfter
/// is 0 for v2 and now − 600 s for v1, as the reference x402 clients do (so a
/// server checking either way accepts it despite some clock skew).
pub fn sign(offer: &Offer, req: &Requirement, key: &PrivateKey, nonce: [u8; 32], now_s: u64) -> Result<Payment, &'static str> {
    let auth = Authorization {
        from: key.address(),
        to: req.pay_to,
        value: req.amount,
        valid_after: if offer.version == 1 { now_s.saturating_sub(600) } else { 0 },
        valid_before: now_s + req.max_timeout_seconds,
        nonce,
    };
    let domain = Domain {
        name: req.token_name.clone(),
        version: req.token_version.clone(),
        chain_id: req.network.chain_id(),
        verifying_contract: req.asset,
    };
    let signature = auth.sign(&domain, key)?;
    let authorization = Val::object()
        .with("from", auth.from.checksummed())
        .with("to", auth.to.checksummed())
        .with("value", req.amount_text.clone())
        .with("validAfter", auth.valid_after.to_string())
        .with("validBefore", auth.valid_before.to_string())
        .with("nonce", hex0x(&auth.nonce));
    let payload = Val::object().with("authorization", authorization).with("signature", hex0x(&signature));
    Ok(if offer.version == 2 {
        let mut body = Val::object().with("x402Version", Val::Num(2.0)).with("payload", payload);
        if let Some(ext) = &offer.extensions {
            body = body.with("extensions", Val::Json(ext.clone()));
        }
        if let Some(resource) = &offer.resource {
            body = body.with("resource", Val::Json(resource.clone()));
        }
        Payment { header_name: "PAYMENT-SIGNATURE", payload: body.with("accepted", Val::Json(req.raw.clone())) }
    } else {
        Payment {
            header_name: "X-PAYMENT",
            payload: Val::object()
                .with("x402Version", Val::Num(1.0))
                .with("scheme", "exact")
                .with("network", req.network_name.clone())
                .with("payload", payload),
        }
    })
}
