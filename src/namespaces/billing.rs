//! `r.billing`: prepaid billing accounts, found by wallet or email, their
//! history, and the Stripe checkouts that fund them (balance top-ups, tiers,
//! email packs). Every member is one unauthenticated request (contract
//! §1.14, the v1.69.7 wire; 3.3.3 moved billing to `/orgs/v1`).

use crate::args::Args;
use crate::error::Result;
use crate::json::{Json, JsonExt, Shape};
use crate::routes::{field, route, Kind, Out, Route, RouteBody, Src, PUBLIC_GET};
use crate::surface::{opt, req, Method, Namespace, Scope};
use crate::value::Val;

/// The identifier every account lookup takes: a wallet (`0x…`, sent
/// lower-cased) or an email.
const IDENTIFIER: crate::surface::Param = req("identifier", "BillingAccountIdentifier");

/// `GET /billing/v1/accounts/{identifier}`, shared by the two names the reference gives it.
const ACCOUNT: Route = Route { path: "/billing/v1/accounts/{0:0x}", ..PUBLIC_GET };

/// `GET …/history[?limit=N]`, likewise.
const HISTORY: Route = Route {
    path: "/billing/v1/accounts/{0:0x}/history",
    query: &[field("limit", Src::Arg(1), Kind::OptPosInt)],
    ..PUBLIC_GET
};

/// A POST with no credentials.
const POST: Route = Route { verb: "POST", ..PUBLIC_GET };

/// `{wallet}` or `{email}` from the identifier at argument 1 (exactly one).
const ONE_IDENTIFIER: &[crate::routes::Field] =
    &[field("wallet", Src::Arg(1), Kind::Rule(identifier_wallet)), field("email", Src::Arg(1), Kind::Rule(identifier_email))];

pub const NAMESPACE: Namespace = Namespace {
    name: "billing",
    ts_name: "Billing",
    doc: crate::ts!("Prepaid billing accounts by wallet or email: balance, history, Stripe checkouts, email packs, auto-recharge. No auth."),
    scoped: false,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "checkBalance",
            aliases: &["balance"],
            generics: crate::ts!(""),
            params: &[IDENTIFIER],
            returns: crate::ts!("BillingBalance"),
            scope: Scope::Global,
            context: "checking balance",
            doc: crate::ts!("The billing account of a wallet or an email: available balance, email credits, tier, auto-recharge. Same as getAccount."),
            http: crate::ts!(""),
            run: route(ACCOUNT),
        },
        Method {
            name: "getAccount",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[IDENTIFIER],
            returns: crate::ts!("BillingBalance"),
            scope: Scope::Global,
            context: "checking balance",
            doc: crate::ts!("The billing account of a wallet or an email (a `0x…` wallet is sent lower-cased)."),
            http: crate::ts!(""),
            run: route(ACCOUNT),
        },
        Method {
            name: "history",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[IDENTIFIER, opt("limit", "number")],
            returns: crate::ts!("BillingHistoryResult"),
            scope: Scope::Global,
            context: "fetching billing history",
            doc: crate::ts!("The account's ledger, newest first: top-ups, x402 payments, fees. Same as getHistory."),
            http: crate::ts!(""),
            run: route(HISTORY),
        },
        Method {
            name: "getHistory",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[IDENTIFIER, opt("limit", "number")],
            returns: crate::ts!("BillingHistoryResult"),
            scope: Scope::Global,
            context: "fetching billing history",
            doc: crate::ts!("The account's ledger, newest first; `limit` is a positive whole number."),
            http: crate::ts!(""),
            run: route(HISTORY),
        },
        Method {
            name: "createCheckout",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("wallet", "string"), req("amountUsdMicros", "number")],
            returns: crate::ts!("CreateCheckoutResult"),
            scope: Scope::Global,
            context: "creating checkout",
            doc: crate::ts!("A Stripe checkout that tops up a wallet's balance by `amountUsdMicros` (1 USD = 1,000,000): a URL for your human and the top-up id."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/billing/v1/checkouts",
                body: RouteBody::Fields(&[
                    field("wallet", Src::Arg(0), Kind::Rule(lower_case)),
                    field("amount_usd_micros", Src::Arg(1), Kind::PosInt),
                ]),
                ..POST
            }),
        },
        Method {
            name: "createEmailAccount",
            aliases: &["createEmail"],
            generics: crate::ts!(""),
            params: &[req("email", "string")],
            returns: crate::ts!("EmailBillingAccount"),
            scope: Scope::Global,
            context: "creating email billing account",
            doc: crate::ts!("An email-only billing account (no wallet); a verification email is sent."),
            http: crate::ts!(""),
            run: route(Route { path: "/billing/v1/accounts", body: RouteBody::Strings(&[("email", 0)]), ..POST }),
        },
        Method {
            name: "linkWallet",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("billingAccountId", "string"), req("wallet", "string")],
            returns: crate::ts!("void"),
            scope: Scope::Global,
            context: "linking wallet",
            doc: crate::ts!("Link a wallet to an email billing account, so x402 and Stripe share one balance."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/billing/v1/accounts/{0:raw}/link-wallet",
                body: RouteBody::Strings(&[("wallet", 1)]),
                result: Out::Void,
                ..POST
            }),
        },
        Method {
            name: "tierCheckout",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("tier", "TierName"), req("identifier", "AccountIdentifier")],
            returns: crate::ts!("CreateCheckoutResult"),
            scope: Scope::Global,
            context: "creating tier checkout",
            doc: crate::ts!("A Stripe checkout for a tier (subscribe, renew, upgrade) for exactly one of `wallet` or `email`."),
            http: crate::ts!(""),
            run: route(Route { path: "/billing/v1/tiers/{0:raw}/checkout", body: RouteBody::Fields(ONE_IDENTIFIER), ..POST }),
        },
        Method {
            name: "buyEmailPack",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("identifier", "AccountIdentifier")],
            returns: crate::ts!("CreateCheckoutResult"),
            scope: Scope::Global,
            context: "creating email pack checkout",
            doc: crate::ts!("A Stripe checkout for a $5 email pack (10,000 emails) for exactly one of `wallet` or `email`."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/billing/v1/email-packs/checkout",
                body: RouteBody::Fields(&[
                    field("wallet", Src::Arg(0), Kind::Rule(identifier_wallet)),
                    field("email", Src::Arg(0), Kind::Rule(identifier_email)),
                ]),
                ..POST
            }),
        },
        Method {
            name: "setAutoRecharge",
            aliases: &["autoRecharge"],
            generics: crate::ts!(""),
            params: &[req("opts", "AutoRechargeOptions")],
            returns: crate::ts!("void"),
            scope: Scope::Global,
            context: "setting auto-recharge",
            doc: crate::ts!("Switch email-pack auto-recharge on or off; `threshold` is the email credit count that triggers it."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/billing/v1/email-packs/auto-recharge",
                body: RouteBody::Fields(&[
                    field("billing_account_id", Src::Opt(0, "billingAccountId"), Kind::Str),
                    field("enabled", Src::Opt(0, "enabled"), Kind::Bool),
                    field("threshold", Src::Opt(0, "threshold"), Kind::Rule(non_negative_int)),
                ]),
                result: Out::Void,
                ..POST
            }),
        },
    ],
};

/// A non-blank string, sent lower-cased (the checkout's wallet, as the reference sends it).
fn lower_case(a: &Args, name: &'static str, v: Option<Json>) -> Result<Option<Val>> {
    match v.and_then(|v| v.as_string()).filter(|s| !s.trim().is_empty()) {
        Some(text) => Ok(Some(Val::Str(text.to_ascii_lowercase()))),
        None => Err(a.error(format!("`{name}` must be a wallet address"))),
    }
}

/// An optional whole number from 0 to 2^53 - 1.
fn non_negative_int(a: &Args, name: &'static str, v: Option<Json>) -> Result<Option<Val>> {
    match v.as_ref().map(|v| v.shape()) {
        None => Ok(None),
        // A cast round trip rather than `fract`, which needs std (libm).
        Some(Shape::Number(n)) if (0.0..=9_007_199_254_740_991.0).contains(&n) && n == (n as u64) as f64 => Ok(v.map(Val::Json)),
        Some(_) => Err(a.error(format!("`{name}` must be a non-negative whole number"))),
    }
}

/// The wallet of an `{wallet} | {email}` identifier, when it is the one given.
fn identifier_wallet(a: &Args, _: &'static str, v: Option<Json>) -> Result<Option<Val>> {
    pick(a, v, true)
}

/// The email of an `{wallet} | {email}` identifier, when it is the one given.
fn identifier_email(a: &Args, _: &'static str, v: Option<Json>) -> Result<Option<Val>> {
    pick(a, v, false)
}

/// The wallet (or the email) of an identifier object with exactly one of
/// them set, when that is the one set; empty strings count as unset, as in
/// the reference.
fn pick(a: &Args, v: Option<Json>, wallet: bool) -> Result<Option<Val>> {
    let given = |key| v.as_ref().and_then(|o| o.str_field(key)).filter(|s| !s.is_empty());
    match (given("wallet"), given("email")) {
        (Some(_), Some(_)) => Err(a.error("give `wallet` or `email` in `identifier`, not both")),
        (None, None) => Err(a.error("`identifier` needs a `wallet` or an `email` string")),
        (w, e) => Ok(if wallet { w } else { e }.map(Val::Str)),
    }
}

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"/** A wallet address (`0x…`, case-insensitive) or an email. */
export type BillingAccountIdentifier = string;

export interface BillingBalance {
  identifier_type: "wallet" | "email";
  /** Prepaid balance in USD micros (1 USD = 1,000,000). */
  available_usd_micros: number;
  email_credits_remaining: number;
  tier: TierName | null;
  lease_expires_at: string | null;
  auto_recharge_enabled: boolean;
  auto_recharge_threshold: number;
  [key: string]: unknown;
}

export interface BillingHistoryEntry {
  id: string;
  direction: "credit" | "debit";
  kind: string;
  amount_usd_micros: number;
  balance_after_available: number;
  balance_after_held: number;
  reference_type: string | null;
  reference_id: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  [key: string]: unknown;
}

export interface BillingHistoryResult {
  identifier: string;
  identifier_type: "wallet" | "email";
  entries: BillingHistoryEntry[];
  [key: string]: unknown;
}

export interface CreateCheckoutResult {
  /** The Stripe checkout page to send your human to. */
  checkout_url: string;
  topup_id: string;
  [key: string]: unknown;
}

export interface EmailBillingAccount {
  /** The billing account id (for linkWallet and setAutoRecharge). */
  id: string;
  email: string;
  email_credits_remaining: number;
  verification_sent: boolean;
  [key: string]: unknown;
}

/** Exactly one of the two. */
export interface AccountIdentifier {
  email?: string;
  wallet?: string;
}

export interface AutoRechargeOptions {
  billingAccountId: string;
  enabled: boolean;
  /** Buy a pack when email credits fall below this (a non-negative whole number). */
  threshold?: number;
}
"#;

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use serde_json::{json, Value};

    use crate::credentials::ProviderMethod;
    use crate::error::{ErrorKind, Result};
    use crate::kernel::Kernel;
    use crate::surface::NAMESPACES;
    use crate::testing::{self, body_text, to_serde, Answer, MockTransport};
    use crate::value::Val;

    fn setup() -> (Rc<Kernel>, MockTransport, testing::MockCredentials) {
        testing::kernel()
    }

    fn call(k: &Rc<Kernel>, name: &str, args: Vec<Value>) -> Result<Val> {
        testing::call_method(k, "billing", name, None, args)
    }

    use testing::last_sent as last;

    #[test]
    fn identifiers_are_lower_cased_when_they_are_addresses_then_encoded() {
        let (k, t, c) = setup();
        for (name, args, url) in [
            ("getAccount", vec![json!("0xABCdef0000000000000000000000000000000001")], "/billing/v1/accounts/0xabcdef0000000000000000000000000000000001"),
            ("checkBalance", vec![json!("0XAB")], "/billing/v1/accounts/0xab"),
            ("getAccount", vec![json!("Ann+Bills@Example.com")], "/billing/v1/accounts/Ann%2BBills%40Example.com"),
            ("history", vec![json!("a/b c")], "/billing/v1/accounts/a%2Fb%20c/history"),
            ("getHistory", vec![json!("0xAA"), json!(20)], "/billing/v1/accounts/0xaa/history?limit=20"),
        ] {
            t.answers.borrow_mut().push_back(Answer::json(200, json!({"ok": true})));
            call(&k, name, args).unwrap();
            let req = last(&t);
            assert_eq!((req.method.as_str(), req.url.as_str()), ("GET", &*format!("https://api.test{url}")));
            assert!(req.headers.is_empty(), "{name}: no credentials, no headers: {:?}", req.headers);
        }
        assert!(c.calls_to(ProviderMethod::GetAuth).is_empty(), "billing never asks the provider");
    }

    #[test]
    fn bodies_follow_the_reference() {
        let (k, t, _) = setup();
        let cases = [
            ("createCheckout", vec![json!("0xABC"), json!(5_000_000)], "/billing/v1/checkouts", r#"{"wallet":"0xabc","amount_usd_micros":5000000}"#),
            ("createEmailAccount", vec![json!("a@b.co")], "/billing/v1/accounts", r#"{"email":"a@b.co"}"#),
            ("linkWallet", vec![json!("ba_1"), json!("0xABC")], "/billing/v1/accounts/ba_1/link-wallet", r#"{"wallet":"0xABC"}"#),
            ("tierCheckout", vec![json!("hobby"), json!({"wallet": "0xW", "email": ""})], "/billing/v1/tiers/hobby/checkout", r#"{"wallet":"0xW"}"#),
            ("tierCheckout", vec![json!("team"), json!({"email": "a@b.co"})], "/billing/v1/tiers/team/checkout", r#"{"email":"a@b.co"}"#),
            ("buyEmailPack", vec![json!({"email": "a@b.co", "wallet": null})], "/billing/v1/email-packs/checkout", r#"{"email":"a@b.co"}"#),
            ("setAutoRecharge", vec![json!({"billingAccountId": "ba_1", "enabled": true, "threshold": 0})], "/billing/v1/email-packs/auto-recharge", r#"{"billing_account_id":"ba_1","enabled":true,"threshold":0}"#),
            ("setAutoRecharge", vec![json!({"billingAccountId": "ba_1", "enabled": false})], "/billing/v1/email-packs/auto-recharge", r#"{"billing_account_id":"ba_1","enabled":false}"#),
        ];
        for (name, args, path, body) in cases {
            t.answers.borrow_mut().push_back(Answer::json(200, json!({"checkout_url": "u", "topup_id": "t"})));
            let out = call(&k, name, args).unwrap();
            let req = last(&t);
            assert_eq!((req.method.as_str(), req.url.as_str()), ("POST", &*format!("https://api.test{path}")), "{name}");
            assert_eq!(body_text(&req).as_deref(), Some(body), "{name}");
            let void = matches!(name, "linkWallet" | "setAutoRecharge");
            assert_eq!(to_serde(&out), if void { Value::Null } else { json!({"checkout_url": "u", "topup_id": "t"}) }, "{name}");
        }
    }

    #[test]
    fn bad_input_fails_locally_before_any_request() {
        let (k, t, _) = setup();
        let cases = [
            ("getAccount", vec![], "`identifier` must be a string, got undefined"),
            ("getAccount", vec![json!("")], "`identifier` must not be empty"),
            ("getHistory", vec![json!("0xa"), json!(0)], "`limit` must be a positive whole number, got a number"),
            ("getHistory", vec![json!("0xa"), json!("5")], "`limit` must be a positive whole number, got a string"),
            ("createCheckout", vec![json!(7), json!(1)], "`wallet` must be a wallet address"),
            ("createCheckout", vec![json!("0xa"), json!(1.5)], "`amountUsdMicros` must be a positive whole number"),
            ("createEmailAccount", vec![json!(" ")], "`email` must not be empty"),
            ("linkWallet", vec![json!("../x"), json!("0xa")], "`billingAccountId` contains '/'"),
            ("tierCheckout", vec![json!("hobby"), json!({"wallet": "0xa", "email": "a@b.co"})], "give `wallet` or `email` in `identifier`, not both"),
            ("tierCheckout", vec![json!("hobby"), json!({})], "`identifier` needs a `wallet` or an `email` string"),
            ("tierCheckout", vec![json!("hobby"), json!("0xa")], "`identifier` needs a `wallet` or an `email` string"),
            ("tierCheckout", vec![json!("a/b"), json!({"wallet": "0xa"})], "`tier` contains '/'"),
            ("buyEmailPack", vec![json!({"wallet": 5})], "`identifier` needs a `wallet` or an `email` string"),
            ("setAutoRecharge", vec![json!({"enabled": true})], "`billingAccountId` must be a string"),
            ("setAutoRecharge", vec![json!({"billingAccountId": "b", "enabled": "yes"})], "`enabled` must be a boolean, got a string"),
            ("setAutoRecharge", vec![json!({"billingAccountId": "b", "enabled": true, "threshold": -1})], "`threshold` must be a non-negative whole number"),
        ];
        for (name, args, message) in cases {
            let e = call(&k, name, args).unwrap_err();
            assert_eq!(e.kind, ErrorKind::LocalError, "{name}: {}", e.message);
            assert!(e.message.contains(message), "{name}: {}", e.message);
            assert_eq!(Some(e.context.as_str()), NAMESPACES.iter().find(|n| n.name == "billing").and_then(|n| n.methods.iter().find(|m| m.name == name)).map(|m| m.context));
        }
        assert!(t.sent.borrow().is_empty());
    }
}
