//! The payment side of the kernel: the spend policy that decides whether a
//! 402 may be paid, and the record of what was paid.

use crate::prelude::*;
use core::cell::{Cell, RefCell};

use zeroize::Zeroizing;

use super::{Exchange, Kernel, Reply};
use crate::credentials::AllowanceRecord;
use crate::error::{Error, ErrorKind, Result};
use crate::json::{type_name, Json, JsonExt, Native, Shape};
use crate::value::Val;
use crate::wallet::address::Address;
use crate::wallet::codec::{base64, unbase64};
use crate::wallet::key::PrivateKey;
use crate::wallet::x402::{self, Network, Offer, Requirement};

/// USDC has 6 decimals: policy amounts in USD become base units with this.
const USD: u128 = 1_000_000;

/// Limits checked before anything is signed. Amounts are USDC base units
/// (millionths of a dollar); options give them in decimal USD.
#[derive(Debug, Clone, PartialEq)]
pub struct SpendPolicy {
    pub max_per_request: u128,
    pub max_total: u128,
    pub networks: Vec<Network>,
    /// Assets allowed besides USDC on an allowed network.
    pub extra_assets: Vec<Address>,
}

impl Default for SpendPolicy {
    /// $20 per request covers Run402's priciest tier (team, $20.00); $50 in
    /// total per client bounds what a misbehaving server could take. Base
    /// mainnet and Base Sepolia, USDC only.
    fn default() -> SpendPolicy {
        SpendPolicy {
            max_per_request: 20 * USD,
            max_total: 50 * USD,
            networks: vec![Network::Base, Network::BaseSepolia],
            extra_assets: Vec::new(),
        }
    }
}

impl SpendPolicy {
    /// From the client's `payments` option: `{ maxPerRequest?, maxTotal?,
    /// networks?, assets? }`, amounts as decimal USD (number or string).
    pub fn from_options(opts: Option<&Json>) -> Result<SpendPolicy, String> {
        let mut policy = SpendPolicy::default();
        let Some(o) = opts.filter(|o| !o.is_nullish()) else { return Ok(policy) };
        if !o.is_object() {
            return Err(format!("opts.payments must be an object, got {}", type_name(&o.shape())));
        }
        if let Some(v) = o.field("maxPerRequest") {
            policy.max_per_request = usd(&v).map_err(|e| format!("opts.payments.maxPerRequest {e}"))?;
        }
        if let Some(v) = o.field("maxTotal") {
            policy.max_total = usd(&v).map_err(|e| format!("opts.payments.maxTotal {e}"))?;
        }
        if let Some(v) = o.field("networks") {
            policy.networks = Vec::new();
            for n in strings(&v, "networks")? {
                let network = Network::parse(&n).ok_or_else(|| format!("opts.payments.networks: unknown network \"{n}\" (use eip155:8453 or eip155:84532)"))?;
                policy.networks.push(network);
            }
        }
        if let Some(v) = o.field("assets") {
            for a in strings(&v, "assets")? {
                policy.extra_assets.push(Address::parse(&a).map_err(|e| format!("opts.payments.assets: {e}"))?);
            }
        }
        Ok(policy)
    }

    fn allows_asset(&self, r: &Requirement) -> bool {
        r.asset == r.network.usdc() || self.extra_assets.contains(&r.asset)
    }
}

fn strings(v: &Json, name: &str) -> Result<Vec<String>, String> {
    if let Shape::Array(n) = v.shape() {
        let mut out = Vec::new();
        for i in 0..n {
            match v.item(i).and_then(|x| x.as_string()) {
                Some(s) => out.push(s),
                None => break,
            }
        }
        if out.len() == n {
            return Ok(out);
        }
    }
    Err(format!("opts.payments.{name} must be an array of strings"))
}

/// Decimal USD ("0.10", 5, "20") to base units; at most 6 decimals.
pub fn usd(v: &Json) -> Result<u128, String> {
    let text = match v.shape() {
        Shape::String => v.as_string().unwrap_or_default(),
        Shape::Number(n) if n.is_finite() && n >= 0.0 => v.number_text().unwrap_or_default(),
        other => return Err(format!("must be a non-negative USD amount, got {}", type_name(&other))),
    };
    parse_usd(&text).ok_or_else(|| format!("must be a USD amount like \"5\" or \"0.10\", got \"{text}\""))
}

fn parse_usd(s: &str) -> Option<u128> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 6 || whole.len() > 15 {
        return None;
    }
    if !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let w: u128 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let f: u128 = if frac.is_empty() { 0 } else { format!("{frac:0<6}").parse().ok()? };
    Some(w * USD + f)
}

/// `base units` as a decimal USD string with 2 to 6 decimals.
pub fn format_usd(units: u128) -> String {
    let frac = format!("{:06}", units % USD);
    let frac = frac.trim_end_matches('0');
    format!("{}.{:0<2}", units / USD, frac)
}

/// What this client has paid.
#[derive(Default)]
pub struct Ledger {
    spent: Cell<u128>,
    count: Cell<u32>,
    receipts: RefCell<Vec<Val>>,
}

impl Ledger {
    pub fn spent(&self) -> u128 {
        self.spent.get()
    }
    pub fn count(&self) -> u32 {
        self.count.get()
    }
    /// Every receipt so far (cloned; the borrow ends here).
    pub fn receipts(&self) -> Vec<Val> {
        self.receipts.borrow().clone()
    }
    /// Reserves `amount` before signing, so concurrent payments cannot
    /// together pass the total cap.
    pub fn reserve(&self, amount: u128) {
        self.spent.set(self.spent.get().saturating_add(amount));
        self.count.set(self.count.get().saturating_add(1));
    }
    /// Gives a reservation back when the server refused the payment.
    pub fn release(&self, amount: u128) {
        self.spent.set(self.spent.get().saturating_sub(amount));
        self.count.set(self.count.get().saturating_sub(1));
    }
    pub fn record(&self, receipt: Val) {
        self.receipts.borrow_mut().push(receipt);
    }
}

/// A spend reserved in the ledger; released on drop unless `kept`.
struct Reservation<'a> {
    ledger: &'a Ledger,
    amount: u128,
    kept: bool,
}

impl Reservation<'_> {
    fn new(ledger: &Ledger, amount: u128) -> Reservation<'_> {
        ledger.reserve(amount);
        Reservation { ledger, amount, kept: false }
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if !self.kept {
            self.ledger.release(self.amount);
        }
    }
}

/// The requirement to pay under `policy`, or why none qualifies. Picks the
/// cheapest acceptable entry; the server's order breaks ties.
pub fn choose(offer: &Offer, policy: &SpendPolicy, spent: u128) -> Result<usize, String> {
    let mut reasons: Vec<String> = offer.unpayable.clone();
    let mut best: Option<(usize, u128)> = None;
    for (i, r) in offer.payable.iter().enumerate() {
        let Some(amount) = r.amount_u128() else {
            reasons.push("the amount is absurdly large".into());
            continue;
        };
        let reason = if !policy.networks.contains(&r.network) {
            Some(format!("network {} is not allowed by the spend policy", r.network.caip2()))
        } else if !policy.allows_asset(r) {
            Some(format!("asset {} on {} is not USDC and not listed in payments.assets", r.asset.checksummed(), r.network.caip2()))
        } else if amount > policy.max_per_request {
            Some(format!("${} is over the per-request cap of ${}", format_usd(amount), format_usd(policy.max_per_request)))
        } else if spent.saturating_add(amount) > policy.max_total {
            Some(format!(
                "${} would bring the total to ${}, over the cap of ${}",
                format_usd(amount),
                format_usd(spent.saturating_add(amount)),
                format_usd(policy.max_total)
            ))
        } else {
            None
        };
        match reason {
            Some(why) => reasons.push(why),
            None if best.is_none_or(|(_, a)| amount < a) => best = Some((i, amount)),
            None => {}
        }
    }
    match best {
        Some((i, _)) => Ok(i),
        None if reasons.is_empty() => Err("the server offered no payment options".into()),
        None => Err(reasons.join("; ")),
    }
}

/// A `PaymentRequired` for a 402 we did not (or could not) pay.
fn payment_required(body: Val, ctx: &str, reason: &str, offer: Option<&Offer>) -> Error {
    let mut e = Error::from_status(402, body, ctx);
    e.message = format!("{reason} while {ctx}");
    let e = e.with("reason", reason.to_string());
    match offer {
        Some(o) => e.with("requirements", Val::Json(o.accepts.clone())),
        None => e,
    }
}

/// Decodes a base64 JSON header (`PAYMENT-REQUIRED`, `PAYMENT-RESPONSE`).
fn header_json(k: &Kernel, value: &str) -> core::result::Result<Json, String> {
    let bytes = unbase64(value.trim()).map_err(|e| format!("{e} in the header"))?;
    let text = String::from_utf8(bytes).map_err(|_| "the header is not UTF-8".to_string())?;
    k.transport.parse_json(&Native::string(text)).map_err(|e| format!("the header is not JSON ({e})"))
}

impl Kernel {
    /// The offer in a 402: the v2 header if present, else a v1 body.
    fn read_offer(&self, answer: &Exchange) -> core::result::Result<Option<Offer>, String> {
        if let Some(header) = answer.response.header("payment-required") {
            let doc = header_json(self, &header).map_err(|e| format!("PAYMENT-REQUIRED: {e}"))?;
            return x402::read_offer(&doc, true);
        }
        match &answer.body {
            Val::Json(body) => x402::read_offer(body, false),
            _ => Ok(None),
        }
    }

    /// The offer in a first 402, with its body (for the errors that may
    /// follow). A 402 without x402 terms (lease expired, quota) is the
    /// error: nothing to pay.
    pub(super) fn offer_of(&self, first: Exchange, ctx: &str) -> Result<(Offer, Val)> {
        match self.read_offer(&first) {
            Ok(Some(offer)) => Ok((offer, first.body)),
            Ok(None) => Err(Error::from_status(402, first.body, ctx)),
            Err(why) => Err(payment_required(first.body, ctx, &format!("Unreadable payment requirements ({why})"), None)),
        }
    }

    /// Pays `offer` once with the allowance the provider returned: its key
    /// checked against its address, a requirement chosen under the spend
    /// policy, the spend reserved and the authorization signed. Every
    /// refusal is a `PaymentRequired` carrying the server's requirements
    /// and the reason.
    pub(super) fn pay(&self, offer: Offer, body: Val, allowance: Option<AllowanceRecord>, ctx: &str) -> Result<Payment<'_>> {
        let Some(allowance) = allowance else {
            let why = "Payment required and no allowance is configured (credentials.readAllowance)";
            return Err(payment_required(body, ctx, why, Some(&offer)));
        };
        let secret = Zeroizing::new(allowance.raw.str_field("privateKey").ok_or_else(|| {
            Error::local(ctx, "the allowance from credentials.readAllowance() has no string privateKey")
        })?);
        let key = PrivateKey::parse(secret.as_str()).map_err(|e| Error::local(ctx, format!("the allowance's privateKey is invalid: {e}")))?;
        if !Address::parse(&allowance.address).is_ok_and(|a| a == key.address()) {
            return Err(Error::local(ctx, "the allowance's address does not belong to its privateKey"));
        }
        let pick = match choose(&offer, &self.policy, self.ledger.spent()) {
            Ok(i) => i,
            Err(why) => return Err(payment_required(body, ctx, &format!("Payment refused by the spend policy ({why})"), Some(&offer))),
        };
        let requirement = &offer.payable[pick];
        let amount = requirement.amount_u128().unwrap_or(u128::MAX);
        // Reserved in the same synchronous step as the check, before any
        // await (the resend's getAuth may be async): concurrent payments
        // cannot each pass the total cap on the same reading of `spent`.
        // Dropped unkept (an error before the request goes out, an explicit
        // refusal), the reservation is given back.
        let reservation = Reservation::new(&self.ledger, amount);
        let nonce = self.random::<32>(ctx)?;
        let now_s = (self.transport.now_ms() / 1000.0) as u64; // whole seconds; NaN or negative gives 0
        let payment = x402::sign(&offer, requirement, &key, nonce, now_s).map_err(|e| Error::local(ctx, format!("signing the payment failed: {e}")))?;
        drop(key);
        crate::wallet::key::scrub_stack();
        let payload = self.transport.stringify(&payment.payload).map_err(|e| Error::local(ctx, e))?;
        let header = base64(payload.as_string().unwrap_or_default().as_bytes());
        Ok(Payment { offer, pick, header_name: payment.header_name, header, reservation, path: String::new() })
    }

    /// Reads the answer to the paid resend: a 402 is the server refusing
    /// the payment (the reservation is given back), anything else is
    /// recorded in the ledger and judged as usual.
    pub(super) fn settle(&self, mut p: Payment<'_>, second: Exchange, ctx: &str) -> Result<Reply> {
        if second.status == 402 {
            p.reservation.kept = false;
            drop(p.reservation);
            let again = self.read_offer(&second).ok().flatten();
            let why = again
                .as_ref()
                .and_then(|o| o.error.clone())
                .or_else(|| match &second.body {
                    Val::Json(b) => b.str_field("message").or_else(|| b.str_field("error")),
                    _ => None,
                })
                .unwrap_or_else(|| "no reason given".into());
            let mut e = payment_required(second.body, ctx, &format!("The server refused the payment ({why})"), again.as_ref().or(Some(&p.offer)));
            e.kind = ErrorKind::PaymentRequired;
            return Err(e);
        }
        let settlement = second
            .response
            .header("payment-response")
            .or_else(|| second.response.header("x-payment-response"))
            .and_then(|h| header_json(self, &h).ok());
        let requirement = &p.offer.payable[p.pick];
        self.ledger.record(
            Val::object()
                .with("network", requirement.network.caip2())
                .with("asset", requirement.asset.checksummed())
                .with("amount", requirement.amount_text.clone())
                .with("payTo", requirement.pay_to.checksummed())
                .with("path", p.path)
                .with("status", second.status)
                .with("settlement", settlement.map_or(Val::Null, Val::Json)),
        );
        match second.status {
            200..=299 => Ok(second.reply()),
            status => Err(Error::from_status(status, second.body, ctx)),
        }
    }
}

/// A signed payment on its way: the offer and the requirement paid, the
/// header that carries it and the spend reserved for it.
pub(super) struct Payment<'k> {
    offer: Offer,
    /// Which of `offer.payable`.
    pick: usize,
    header_name: &'static str,
    header: String,
    reservation: Reservation<'k>,
    /// The resent request's path, for the ledger.
    path: String,
}

impl Payment<'_> {
    /// Puts the payment on the prepared resend. From here the signed
    /// payment is out: a network failure keeps the reservation (the payment
    /// may have settled); a 402 refusal gives it back.
    pub(super) fn attach(&mut self, request: &mut super::HttpRequest, api_base: &str) {
        request.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(self.header_name));
        request.headers.push((self.header_name.to_string(), self.header.clone()));
        self.reservation.kept = true;
        self.path = request.url.strip_prefix(api_base).unwrap_or(&request.url).to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::json;
    use crate::wallet::x402::read_offer;
    use serde_json::json as j;

    fn offer(entries: serde_json::Value) -> Offer {
        read_offer(&json(j!({"x402Version": 2, "accepts": entries})), true).unwrap().unwrap()
    }

    fn entry(network: &str, amount: &str, asset: &str) -> serde_json::Value {
        j!({"scheme": "exact", "network": network, "amount": amount, "asset": asset,
            "payTo": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "maxTimeoutSeconds": 60, "extra": {"name": "USDC", "version": "2"}})
    }

    const SEPOLIA_USDC: &str = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";

    #[test]
    fn usd_amounts() {
        assert_eq!(parse_usd("20"), Some(20_000_000));
        assert_eq!(parse_usd("0.10"), Some(100_000));
        assert_eq!(parse_usd(".5"), Some(500_000));
        assert_eq!(parse_usd("0.0000001"), None);
        assert_eq!(parse_usd("-1"), None);
        assert_eq!(parse_usd("1e3"), None);
        assert_eq!(format_usd(100_000), "0.10");
        assert_eq!(format_usd(20_000_000), "20.00");
        assert_eq!(format_usd(1_234_567), "1.234567");
        let p = SpendPolicy::from_options(Some(&json(j!({"maxPerRequest": 0.5, "maxTotal": "3", "networks": ["base-sepolia"]})))).unwrap();
        assert_eq!((p.max_per_request, p.max_total, p.networks), (500_000, 3_000_000, vec![Network::BaseSepolia]));
        assert!(SpendPolicy::from_options(Some(&json(j!({"maxTotal": -1})))).is_err());
        assert!(SpendPolicy::from_options(Some(&json(j!({"networks": ["solana"]})))).is_err());
        assert!(SpendPolicy::from_options(Some(&json(j!("cheap")))).is_err());
    }

    #[test]
    fn default_policy_buys_every_tier_once_but_caps_the_total() {
        let p = SpendPolicy::default();
        for price in ["100000", "5000000", "20000000"] {
            assert!(choose(&offer(j!([entry("eip155:84532", price, SEPOLIA_USDC)])), &p, 0).is_ok(), "{price}");
        }
        let e = choose(&offer(j!([entry("eip155:84532", "20000001", SEPOLIA_USDC)])), &p, 0).unwrap_err();
        assert!(e.contains("per-request cap of $20.00"), "{e}");
        let e = choose(&offer(j!([entry("eip155:84532", "20000000", SEPOLIA_USDC)])), &p, 40_000_000).unwrap_err();
        assert!(e.contains("over the cap of $50.00"), "{e}");
    }

    #[test]
    fn network_and_asset_rules() {
        let p = SpendPolicy { networks: vec![Network::Base], ..SpendPolicy::default() };
        let e = choose(&offer(j!([entry("eip155:84532", "1", SEPOLIA_USDC)])), &p, 0).unwrap_err();
        assert!(e.contains("not allowed"), "{e}");
        let other = "0x1111111111111111111111111111111111111111";
        let e = choose(&offer(j!([entry("eip155:84532", "1", other)])), &SpendPolicy::default(), 0).unwrap_err();
        assert!(e.contains("not USDC"), "{e}");
        let listed = SpendPolicy { extra_assets: vec![Address::parse(other).unwrap()], ..SpendPolicy::default() };
        assert!(choose(&offer(j!([entry("eip155:84532", "1", other)])), &listed, 0).is_ok());
        // USDC of the wrong network is not USDC.
        let e = choose(&offer(j!([entry("eip155:8453", "1", SEPOLIA_USDC)])), &SpendPolicy::default(), 0).unwrap_err();
        assert!(e.contains("not USDC"), "{e}");
    }

    #[test]
    fn picks_the_cheapest_acceptable_offer() {
        let o = offer(j!([entry("eip155:84532", "300", SEPOLIA_USDC), entry("eip155:84532", "200", SEPOLIA_USDC)]));
        assert_eq!(o.payable[choose(&o, &SpendPolicy::default(), 0).unwrap()].amount_text, "200");
    }
}
