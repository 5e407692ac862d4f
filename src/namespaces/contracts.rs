//! `r.contracts`: a project's KMS contract wallets (provision, inspect,
//! recovery address, low-balance alert, drain, delete) and the contract
//! calls they sign; `read` is a free view call. Every member is one request
//! (contract §1.17, the v1.69.7 wire; 3.3.3 renamed wallets to signers).
//! Addresses and wei amounts are checked here, before anything is sent.

use crate::args::Args;
use crate::error::Result;
use crate::json::{Json, JsonExt, Shape};
use crate::routes::{field, route, Field, Kind, Out, Route, RouteBody, Src, PUBLIC, SERVICE_GET};
use crate::surface::{req, req_call_opts, Method, Namespace, Param, Scope, PROJECT_ID};
use crate::value::Val;

/// The chains a contract wallet lives on.
const CHAINS: &[&str] = &["base-mainnet", "base-sepolia"];

const WALLET_ID: Param = req("walletId", "string");

/// A service-key POST (argument 0 is the project id).
const POST: Route = Route { verb: "POST", ..SERVICE_GET };

/// `/contracts/v1/wallets/{walletId}` and what hangs under it.
const WALLET: Route = Route { path: "/contracts/v1/wallets/{1}", ..SERVICE_GET };

/// The call description both `call` and `read` send, from the options at
/// argument N (`to`, `abi` and `fn` are accepted for the long names).
macro_rules! call_fields {
    ($n:literal) => {
        [
            field("chain", Src::Opt($n, "chain"), Kind::OneOf(CHAINS)),
            field("contract_address", Src::Arg($n), Kind::Rule(contract_address)),
            field("abi_fragment", Src::Arg($n), Kind::Rule(abi_fragment)),
            field("function_name", Src::Arg($n), Kind::Rule(function_name)),
            field("args", Src::Opt($n, "args"), Kind::OptJson),
        ]
    };
}

const CALL_BODY: &[Field] = &{
    let [chain, to, abi, name, args] = call_fields!(1);
    [
        field("wallet_id", Src::Opt(1, "walletId"), Kind::Str),
        chain,
        to,
        abi,
        name,
        args,
        field("value", Src::Opt(1, "value"), Kind::Rule(optional_wei)),
    ]
};

const READ_BODY: &[Field] = &call_fields!(0);

pub const NAMESPACE: Namespace = Namespace {
    name: "contracts",
    ts_name: "Contracts",
    doc: crate::ts!("KMS-backed contract wallets of a project and the smart-contract calls they sign ($0.04/day, $0.000005 per call); free view reads."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "provisionWallet",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("opts", "ProvisionWalletOptions")],
            returns: crate::ts!("ProvisionWalletResult"),
            scope: Scope::Project,
            context: "provisioning KMS contract wallet",
            doc: crate::ts!("A new KMS-backed wallet on a chain; needs $1.20 of prepaid billing credit."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/contracts/v1/wallets",
                body: RouteBody::Fields(&[
                    field("chain", Src::Opt(1, "chain"), Kind::OneOf(CHAINS)),
                    field("recovery_address", Src::Opt(1, "recoveryAddress"), Kind::Rule(optional_address)),
                ]),
                ..POST
            }),
        },
        Method {
            name: "getWallet",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, WALLET_ID],
            returns: crate::ts!("ContractWalletSummary"),
            scope: Scope::Project,
            context: "fetching wallet",
            doc: crate::ts!("A wallet's metadata and live native balance."),
            http: crate::ts!(""),
            run: route(WALLET),
        },
        Method {
            name: "listWallets",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID],
            returns: crate::ts!("ListWalletsResult"),
            scope: Scope::Project,
            context: "listing wallets",
            doc: crate::ts!("Every wallet of the project, deleted ones included."),
            http: crate::ts!(""),
            run: route(Route { path: "/contracts/v1/wallets", ..SERVICE_GET }),
        },
        Method {
            name: "setRecovery",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, WALLET_ID, req("recoveryAddress", "string | null")],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "setting recovery address",
            doc: crate::ts!("Set (or clear with null) the address the balance is drained to when the wallet is deleted."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "POST",
                path: "/contracts/v1/wallets/{1}/recovery-address",
                body: RouteBody::Fields(&[field("recovery_address", Src::Arg(2), Kind::Rule(recovery_address))]),
                result: Out::Void,
                ..WALLET
            }),
        },
        Method {
            name: "setLowBalanceAlert",
            aliases: &["setAlert"],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, WALLET_ID, req("thresholdWei", "string")],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "setting low-balance threshold",
            doc: crate::ts!("Email an alert when the wallet's balance falls below `thresholdWei` (a decimal string)."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "POST",
                path: "/contracts/v1/wallets/{1}/alert",
                body: RouteBody::Fields(&[field("threshold_wei", Src::Arg(2), Kind::Rule(wei))]),
                result: Out::Void,
                ..WALLET
            }),
        },
        Method {
            name: "call",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req_call_opts("opts", "ContractCallOptions & CallOptions")],
            returns: crate::ts!("ContractCallResult"),
            scope: Scope::Project,
            context: "submitting contract call",
            doc: crate::ts!("Sign and submit a contract write; `idempotencyKey` (sent as Idempotency-Key) makes a retry return the first call."),
            http: crate::ts!(""),
            run: route(Route {
                path: "/contracts/v1/call",
                body: RouteBody::Fields(CALL_BODY),
                headers: &[("Idempotency-Key", Src::Opt(1, "idempotencyKey"))],
                ..POST
            }),
        },
        Method {
            name: "read",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req_call_opts("opts", "ContractReadOptions & CallOptions")],
            returns: crate::ts!("ContractReadResult"),
            scope: Scope::Global,
            context: "reading contract",
            doc: crate::ts!("A view/pure call: no auth, no gas, no billing; `result` is the decoded return value."),
            http: crate::ts!(""),
            run: route(Route { path: "/contracts/v1/read", auth: PUBLIC, body: RouteBody::Fields(READ_BODY), ..POST }),
        },
        Method {
            name: "callStatus",
            aliases: &["status"],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("callId", "string")],
            returns: crate::ts!("ContractCallResult"),
            scope: Scope::Project,
            context: "fetching call status",
            doc: crate::ts!("A submitted call: submitted, confirmed (with gas and receipt) or failed."),
            http: crate::ts!(""),
            run: route(Route { path: "/contracts/v1/calls/{1}", ..SERVICE_GET }),
        },
        Method {
            name: "drain",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, WALLET_ID, req("destinationAddress", "string")],
            returns: crate::ts!("DrainResult"),
            scope: Scope::Project,
            context: "draining wallet",
            doc: crate::ts!("Send the wallet's whole native balance to an address (works on suspended wallets); confirmed with X-Confirm-Drain."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "POST",
                path: "/contracts/v1/wallets/{1}/drain",
                body: RouteBody::Fields(&[field("destination_address", Src::Arg(2), Kind::Rule(address))]),
                headers: &[("X-Confirm-Drain", Src::Arg(1))],
                ..WALLET
            }),
        },
        Method {
            name: "deleteWallet",
            aliases: &["delete"],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, WALLET_ID],
            returns: crate::ts!("DeleteWalletResult"),
            scope: Scope::Project,
            context: "deleting wallet",
            doc: crate::ts!("Schedule the wallet's KMS key for deletion (refused while it holds a balance: drain first); confirmed with X-Confirm-Delete."),
            http: crate::ts!(""),
            run: route(Route { verb: "DELETE", headers: &[("X-Confirm-Delete", Src::Arg(1))], ..WALLET }),
        },
    ],
};

/// `0x` and 40 hex digits.
fn is_address(text: &str) -> bool {
    text.len() == 42 && text.starts_with("0x") && text.bytes().skip(2).all(|b| b.is_ascii_hexdigit())
}

/// A string that `ok` accepts, else the LocalError saying it must be
/// `what` (as the reference says it, without echoing the value): the one
/// check behind every address, wei amount and function name.
fn matching(a: &Args, name: &str, v: Option<Json>, what: &str, ok: fn(&str) -> bool) -> Result<Option<Val>> {
    match v.and_then(|v| v.as_string()).filter(|s| ok(s)) {
        Some(s) => Ok(Some(Val::Str(s))),
        None => Err(a.error(format!("`{name}` must be {what}"))),
    }
}

const AN_ADDRESS: &str = "a 0x-prefixed 20-byte EVM address";
const A_WEI_AMOUNT: &str = "a decimal string of wei";

fn is_wei(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A required address.
fn address(a: &Args, name: &'static str, v: Option<Json>) -> Result<Option<Val>> {
    matching(a, name, v, AN_ADDRESS, is_address)
}

/// An address sent only when given (an empty one counts as none, as in the reference).
fn optional_address(a: &Args, name: &'static str, v: Option<Json>) -> Result<Option<Val>> {
    if v.as_ref().is_none_or(|v| v.as_string().is_some_and(|s| s.is_empty())) {
        return Ok(None);
    }
    address(a, name, v)
}

/// `setRecovery`'s third argument: an address, or `null` (sent) to clear it.
fn recovery_address(a: &Args, name: &'static str, v: Option<Json>) -> Result<Option<Val>> {
    if v.is_none() && a.is_null(2) {
        return Ok(Some(Val::Null));
    }
    address(a, name, v)
}

/// A wei amount: decimal digits only.
fn wei(a: &Args, name: &'static str, v: Option<Json>) -> Result<Option<Val>> {
    matching(a, name, v, A_WEI_AMOUNT, is_wei)
}

/// A wei amount sent only when given.
fn optional_wei(a: &Args, name: &'static str, v: Option<Json>) -> Result<Option<Val>> {
    if v.is_none() {
        return Ok(None);
    }
    wei(a, name, v)
}

/// `opts[long] ?? opts[short]` of the options object `v` and the name it
/// was found under, or the LocalError saying the call needs one of them.
fn aliased(a: &Args, v: Option<Json>, long: &'static str, short: &'static str) -> Result<(Json, &'static str)> {
    for key in [long, short] {
        if let Some(found) = v.as_ref().and_then(|o| o.field(key)).filter(|f| !f.is_nullish()) {
            return Ok((found, key));
        }
    }
    Err(a.error(format!("`{long}` (or `{short}`) is required")))
}

fn contract_address(a: &Args, _: &'static str, v: Option<Json>) -> Result<Option<Val>> {
    let (found, key) = aliased(a, v, "contractAddress", "to")?;
    address(a, key, Some(found))
}

/// The ABI the function is encoded with: an array of fragments.
fn abi_fragment(a: &Args, _: &'static str, v: Option<Json>) -> Result<Option<Val>> {
    let (found, key) = aliased(a, v, "abiFragment", "abi")?;
    if !matches!(found.shape(), Shape::Array(_)) {
        return Err(a.error(format!("`{key}` must be an array (the ABI)")));
    }
    Ok(Some(Val::Json(found)))
}

fn function_name(a: &Args, _: &'static str, v: Option<Json>) -> Result<Option<Val>> {
    let (found, key) = aliased(a, v, "functionName", "fn")?;
    matching(a, key, Some(found), "a function name", |s| !s.trim().is_empty())
}

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export type EvmChain = "base-mainnet" | "base-sepolia";
export type ContractWalletStatus = "active" | "suspended" | "deleted";
export type ContractCallStatus = "submitted" | "confirmed" | "failed";

export interface ContractWalletSummary {
  wallet_id: string;
  address: string;
  chain: EvmChain;
  status: ContractWalletStatus;
  /** The live native balance, a decimal string of wei. */
  balance_wei: string;
  threshold_wei: string | null;
  recovery_address: string | null;
  created_at: string;
  [key: string]: unknown;
}

export interface ListWalletsResult {
  wallets: ContractWalletSummary[];
  [key: string]: unknown;
}

export interface ProvisionWalletResult {
  wallet_id: string;
  address: string;
  chain: EvmChain;
  status?: ContractWalletStatus;
  balance_wei?: string;
  threshold_wei?: string | null;
  recovery_address?: string | null;
  created_at?: string;
  [key: string]: unknown;
}

export interface ContractCallResult {
  call_id: string;
  status: ContractCallStatus;
  tx_hash: string | null;
  gas_used?: string | null;
  gas_cost_usd_micros?: string | null;
  receipt?: unknown;
  [key: string]: unknown;
}

export interface ContractReadResult {
  /** The decoded return value (integers as decimal strings). */
  result: unknown;
  [key: string]: unknown;
}

export interface DrainResult {
  call_id: string;
  status: ContractCallStatus;
  tx_hash: string | null;
  [key: string]: unknown;
}

export interface DeleteWalletResult {
  wallet_id: string;
  deleted_at?: string;
  scheduled_deletion_at?: string;
  [key: string]: unknown;
}

export interface ProvisionWalletOptions {
  chain: EvmChain;
  /** Where the balance goes if the wallet is deleted (a 0x address). */
  recoveryAddress?: string;
}

export interface ContractCallOptions {
  walletId: string;
  chain: EvmChain;
  /** The contract (or `to`). */
  contractAddress?: string;
  to?: string;
  /** The ABI fragments that declare the function (or `abi`). */
  abiFragment?: unknown[];
  abi?: unknown[];
  /** The function to call (or `fn`). */
  functionName?: string;
  fn?: string;
  args: unknown[];
  /** Native value to send, a decimal string of wei. */
  value?: string;
  /** Sent as Idempotency-Key: a retry with the same key returns the first call. */
  idempotencyKey?: string;
}

export interface ContractReadOptions {
  chain: EvmChain;
  contractAddress?: string;
  to?: string;
  abiFragment?: unknown[];
  abi?: unknown[];
  functionName?: string;
  fn?: string;
  args: unknown[];
}
"#;

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use serde_json::{json, Value};

    use crate::credentials::ProviderMethod;
    use crate::error::{ErrorKind, Result};
    use crate::kernel::Kernel;
    use crate::testing::{self, body_text, header, Answer, MockTransport};
    use crate::value::Val;

    const ADDR: &str = "0x00000000000000000000000000000000000000aB";
    const ERC20: &str = r#"[{"type":"function","name":"transfer","inputs":[{"name":"to","type":"address"},{"name":"amount","type":"uint256"}],"outputs":[{"type":"bool"}],"stateMutability":"nonpayable"}]"#;

    fn setup() -> (Rc<Kernel>, MockTransport) {
        let (k, t, c) = testing::kernel();
        c.on(ProviderMethod::GetProject, json!({"anon_key": "anon-k", "service_key": "svc-k"}));
        (k, t)
    }

    fn call_as(k: &Rc<Kernel>, name: &str, scope: Option<&str>, args: Vec<Value>) -> Result<Val> {
        testing::call_method(k, "contracts", name, scope, args)
    }

    fn call(k: &Rc<Kernel>, name: &str, args: Vec<Value>) -> Result<Val> {
        call_as(k, name, None, args)
    }

    use testing::last_sent as last;

    fn abi() -> Value {
        serde_json::from_str(ERC20).unwrap()
    }

    #[test]
    fn wallet_members_send_the_service_key_and_their_confirmation_headers() {
        let (k, t) = setup();
        let cases = [
            ("provisionWallet", vec![json!("prj_1"), json!({"chain": "base-sepolia", "recoveryAddress": ADDR})], "POST", "/contracts/v1/wallets", Some(format!(r#"{{"chain":"base-sepolia","recovery_address":"{ADDR}"}}"#))),
            ("provisionWallet", vec![json!("prj_1"), json!({"chain": "base-mainnet", "recoveryAddress": ""})], "POST", "/contracts/v1/wallets", Some(r#"{"chain":"base-mainnet"}"#.into())),
            ("getWallet", vec![json!("prj_1"), json!("cwlt/1")], "GET", "/contracts/v1/wallets/cwlt%2F1", None),
            ("listWallets", vec![json!("prj_1")], "GET", "/contracts/v1/wallets", None),
            ("setRecovery", vec![json!("prj_1"), json!("w1"), json!(null)], "POST", "/contracts/v1/wallets/w1/recovery-address", Some(r#"{"recovery_address":null}"#.into())),
            ("setRecovery", vec![json!("prj_1"), json!("w1"), json!(ADDR)], "POST", "/contracts/v1/wallets/w1/recovery-address", Some(format!(r#"{{"recovery_address":"{ADDR}"}}"#))),
            ("setLowBalanceAlert", vec![json!("prj_1"), json!("w1"), json!("1000")], "POST", "/contracts/v1/wallets/w1/alert", Some(r#"{"threshold_wei":"1000"}"#.into())),
            ("callStatus", vec![json!("prj_1"), json!("call 1")], "GET", "/contracts/v1/calls/call%201", None),
            ("drain", vec![json!("prj_1"), json!("w1"), json!(ADDR)], "POST", "/contracts/v1/wallets/w1/drain", Some(format!(r#"{{"destination_address":"{ADDR}"}}"#))),
            ("deleteWallet", vec![json!("prj_1"), json!("w1")], "DELETE", "/contracts/v1/wallets/w1", None),
        ];
        for (name, args, verb, path, body) in cases {
            t.answers.borrow_mut().push_back(Answer::json(200, json!({})));
            call(&k, name, args).unwrap();
            let req = last(&t);
            assert_eq!((req.method.as_str(), req.url.as_str()), (verb, &*format!("https://api.test{path}")), "{name}");
            assert_eq!(header(&req, "authorization"), Some("Bearer svc-k"), "{name}");
            assert_eq!(body_text(&req), body, "{name}");
        }
        let sent = t.sent.borrow();
        assert_eq!(header(&sent[8], "x-confirm-drain"), Some("w1"));
        assert_eq!(header(&sent[9], "x-confirm-delete"), Some("w1"));
        assert_eq!(header(&sent[8], "x-confirm-delete"), None);
    }

    #[test]
    fn call_and_read_accept_the_short_names_and_send_the_long_ones() {
        let (k, t) = setup();
        let opts = json!({"walletId": "w1", "chain": "base-sepolia", "to": ADDR, "abi": abi(), "fn": "transfer", "args": [ADDR, "5"], "value": "0", "idempotencyKey": "k-1"});
        call(&k, "call", vec![json!("prj_1"), opts]).unwrap();
        let req = last(&t);
        assert_eq!((req.method.as_str(), req.url.as_str()), ("POST", "https://api.test/contracts/v1/call"));
        assert_eq!(header(&req, "idempotency-key"), Some("k-1"));
        let expected = format!(r#"{{"wallet_id":"w1","chain":"base-sepolia","contract_address":"{ADDR}","abi_fragment":{ERC20},"function_name":"transfer","args":["{ADDR}","5"],"value":"0"}}"#);
        assert_eq!(body_text(&req).map(|b| serde_json::from_str::<Value>(&b).unwrap()), Some(serde_json::from_str(&expected).unwrap()));
        assert!(body_text(&req).unwrap().starts_with(r#"{"wallet_id":"w1","chain":"base-sepolia","contract_address""#));

        // The long name wins over the short one, as `??` does; no key, no header.
        let opts = json!({"walletId": "w1", "chain": "base-sepolia", "contractAddress": ADDR, "to": "nope", "abiFragment": abi(), "functionName": "transfer", "args": []});
        call(&k, "call", vec![json!("prj_1"), opts]).unwrap();
        assert_eq!(header(&last(&t), "idempotency-key"), None);
        assert!(body_text(&last(&t)).unwrap().contains(&format!(r#""contract_address":"{ADDR}""#)));

        let read = json!({"chain": "base-mainnet", "to": ADDR, "abi": abi(), "fn": "balanceOf", "args": [ADDR]});
        call(&k, "read", vec![read.clone()]).unwrap();
        let req = last(&t);
        assert_eq!((req.method.as_str(), req.url.as_str()), ("POST", "https://api.test/contracts/v1/read"));
        assert_eq!(header(&req, "authorization"), None);
        let expected = format!(r#"{{"chain":"base-mainnet","contract_address":"{ADDR}","abi_fragment":{ERC20},"function_name":"balanceOf","args":["{ADDR}"]}}"#);
        assert_eq!(body_text(&req).map(|b| serde_json::from_str::<Value>(&b).unwrap()), Some(serde_json::from_str(&expected).unwrap()));
        // Scoped: the project goes first; read passes through.
        call_as(&k, "read", Some("prj_9"), vec![read]).unwrap();
        assert_eq!(last(&t).url, "https://api.test/contracts/v1/read");
        call_as(&k, "deleteWallet", Some("prj_9"), vec![json!("w2")]).unwrap();
        assert_eq!((last(&t).url.as_str(), header(&last(&t), "x-confirm-delete")), ("https://api.test/contracts/v1/wallets/w2", Some("w2")));
    }

    #[test]
    fn bad_addresses_and_amounts_fail_locally_before_any_request() {
        let (k, t) = setup();
        let good = || json!({"walletId": "w1", "chain": "base-sepolia", "to": ADDR, "abi": abi(), "fn": "transfer", "args": []});
        let with = |key: &str, v: Value| {
            let mut o = good();
            o[key] = v;
            o
        };
        let cases = [
            ("provisionWallet", vec![json!("prj_1"), json!({"chain": "ethereum"})], "`chain` must be one of base-mainnet, base-sepolia"),
            ("provisionWallet", vec![json!("prj_1"), json!({"chain": "base-sepolia", "recoveryAddress": "0x12"})], "`recoveryAddress` must be a 0x-prefixed 20-byte EVM address"),
            ("setRecovery", vec![json!("prj_1"), json!("w1")], "`recoveryAddress` must be a 0x-prefixed 20-byte EVM address"),
            ("setRecovery", vec![json!("prj_1"), json!("w1"), json!(ADDR.replace("0x", "0X"))], "`recoveryAddress` must be a 0x-prefixed"),
            ("setLowBalanceAlert", vec![json!("prj_1"), json!("w1"), json!("1e18")], "`thresholdWei` must be a decimal string of wei"),
            ("setLowBalanceAlert", vec![json!("prj_1"), json!("w1"), json!(1000)], "`thresholdWei` must be a decimal string of wei"),
            ("setLowBalanceAlert", vec![json!("prj_1"), json!("w1"), json!("")], "`thresholdWei` must be a decimal string of wei"),
            ("drain", vec![json!("prj_1"), json!("w1"), json!("0xzz00000000000000000000000000000000000000")], "`destinationAddress` must be a 0x-prefixed"),
            ("drain", vec![json!("prj_1"), json!(""), json!(ADDR)], "`walletId` must not be empty"),
            ("getWallet", vec![json!("prj_1")], "`walletId` must be a string, got undefined"),
            // A path segment of megabytes would be copied into the URL and the confirmation header.
            ("deleteWallet", vec![json!("prj_1"), json!("w".repeat(2049))], "`walletId` is too long for a URL path (at most 2048 bytes)"),
            ("call", vec![json!("prj_1"), with("to", json!(null))], "`contractAddress` (or `to`) is required"),
            ("call", vec![json!("prj_1"), with("to", json!("0xabc"))], "`to` must be a 0x-prefixed 20-byte EVM address"),
            ("call", vec![json!("prj_1"), with("abi", json!({"type": "function"}))], "`abi` must be an array (the ABI)"),
            ("call", vec![json!("prj_1"), with("fn", json!(""))], "`fn` must be a function name"),
            ("call", vec![json!("prj_1"), with("value", json!("-1"))], "`value` must be a decimal string of wei"),
            ("call", vec![json!("prj_1"), with("walletId", json!(7))], "`walletId` must be a string, got a number"),
            ("call", vec![json!("prj_1"), with("chain", json!("base"))], "`chain` must be one of"),
            ("call", vec![json!("prj_1"), json!("transfer")], "`opts` must be an object"),
            ("read", vec![json!({"chain": "base-sepolia", "abi": abi(), "fn": "x"})], "`contractAddress` (or `to`) is required"),
            ("read", vec![], "`chain` must be a string, got undefined"),
        ];
        for (name, args, message) in cases {
            let e = call(&k, name, args).unwrap_err();
            assert_eq!(e.kind, ErrorKind::LocalError, "{name}: {}", e.message);
            assert!(e.message.contains(message), "{name}: {} (wanted {message})", e.message);
        }
        assert!(t.sent.borrow().is_empty());
    }
}
