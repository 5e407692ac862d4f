//! The 402 → pay → resend loop, natively, with a scripted gateway.

use serde_json::{json, Value};

use super::*;
use crate::credentials::ProviderMethod;
use crate::error::ErrorKind;
use crate::testing::{self, block_on, body_text, header, to_serde, Answer};
use crate::wallet::codec::{base64, unbase64};
use crate::wallet::eip3009::Authorization;
use crate::wallet::eip712::Domain;
use crate::wallet::key::PrivateKey;
use crate::wallet::{address::Address, codec::unhex, u256};

const KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const ADDRESS: &str = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23";
const PAYEE: &str = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
const SEPOLIA_USDC: &str = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";

fn requirement(amount: &str) -> Value {
    json!({"scheme": "exact", "network": "eip155:84532", "amount": amount, "asset": SEPOLIA_USDC, "payTo": PAYEE,
           "maxTimeoutSeconds": 300, "extra": {"name": "USDC", "version": "2"}})
}

fn v2_402(amount: &str) -> Answer {
    let doc = json!({"x402Version": 2, "error": "payment required", "resource": {"url": "https://api.test/projects/v1"}, "accepts": [requirement(amount)]});
    Answer::json(402, json!({"message": "pay"})).header("PAYMENT-REQUIRED", &base64(doc.to_string().as_bytes()))
}

fn decode_header(v: &str) -> Value {
    serde_json::from_slice(&unbase64(v).unwrap()).unwrap()
}

fn with_allowance() -> (alloc::rc::Rc<Kernel>, testing::MockTransport, testing::MockCredentials) {
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::ReadAllowance, json!({"address": ADDRESS, "privateKey": KEY}));
    (k, t, c)
}

fn paid_call() -> Call {
    Call::post("/projects/v1", "provisioning project").json(Val::object()).paid(None)
}

/// Recovers the signer of an authorization the way a verifier would.
fn recover(payload: &Value) -> Address {
    let a = &payload["payload"]["authorization"];
    let auth = Authorization {
        from: Address::parse(a["from"].as_str().unwrap()).unwrap(),
        to: Address::parse(a["to"].as_str().unwrap()).unwrap(),
        value: u256::parse_decimal(a["value"].as_str().unwrap()).unwrap(),
        valid_after: a["validAfter"].as_str().unwrap().parse().unwrap(),
        valid_before: a["validBefore"].as_str().unwrap().parse().unwrap(),
        nonce: unhex::<32>(a["nonce"].as_str().unwrap()).unwrap(),
    };
    let domain = Domain { name: "USDC".into(), version: "2".into(), chain_id: 84532, verifying_contract: Address::parse(SEPOLIA_USDC).unwrap() };
    let sig = unhex::<65>(payload["payload"]["signature"].as_str().unwrap()).unwrap();
    let rs = k256::ecdsa::Signature::from_slice(&sig[..64]).unwrap();
    let id = k256::ecdsa::RecoveryId::from_byte(sig[64] - 27).unwrap();
    let vk = k256::ecdsa::VerifyingKey::recover_from_prehash(&auth.digest(&domain), &rs, id).unwrap();
    let point = vk.to_encoded_point(false);
    let mut xy = [0u8; 64];
    xy.copy_from_slice(&point.as_bytes()[1..]);
    Address::from_public_key(&xy)
}

#[test]
fn pays_a_v2_402_once_and_records_the_settlement() {
    let (k, t, c) = with_allowance();
    let settlement = json!({"success": true, "transaction": "0xabc", "network": "eip155:84532", "payer": ADDRESS});
    t.answers.borrow_mut().push_back(v2_402("100000"));
    t.answers.borrow_mut().push_back(
        Answer::json(201, json!({"project_id": "prj_1"})).header("PAYMENT-RESPONSE", &base64(settlement.to_string().as_bytes())),
    );
    let reply = block_on(k.send(paid_call())).unwrap();
    assert_eq!(to_serde(&reply.body), json!({"project_id": "prj_1"}));
    let sent = t.sent.borrow();
    assert_eq!(sent.len(), 2, "exactly one payment attempt");
    let key1 = header(&sent[0], "idempotency-key").unwrap();
    assert_eq!(header(&sent[1], "idempotency-key"), Some(key1), "the paid resend reuses the key");
    assert_eq!(key1.len(), 32);
    assert_eq!(body_text(&sent[0]), body_text(&sent[1]));
    assert!(header(&sent[0], "payment-signature").is_none());
    let payload = decode_header(header(&sent[1], "payment-signature").unwrap());
    assert_eq!(payload["x402Version"], 2);
    assert_eq!(payload["accepted"], requirement("100000"), "the chosen requirement is echoed");
    assert_eq!(payload["resource"]["url"], "https://api.test/projects/v1");
    let auth = &payload["payload"]["authorization"];
    assert_eq!(auth["from"], ADDRESS);
    assert_eq!(auth["to"], PAYEE);
    assert_eq!(auth["value"], "100000");
    assert_eq!(auth["validAfter"], "0");
    assert_eq!(auth["validBefore"], (1_700_000_000u64 + 300).to_string());
    assert_eq!(auth["nonce"].as_str().unwrap().len(), 66);
    assert_eq!(recover(&payload).checksummed(), ADDRESS, "the signature recovers to `from`");
    assert_eq!((k.ledger.spent(), k.ledger.count()), (100_000, 1));
    assert_eq!(c.calls_to(ProviderMethod::GetAuth).len(), 2, "a fresh sign-in for the resend: they are single-use");
    let receipt = to_serde(&k.ledger.receipts()[0]);
    assert_eq!(receipt["settlement"], settlement);
    assert_eq!(receipt["amount"], "100000");
}

#[test]
fn pays_a_v1_body_with_x_payment() {
    let (k, t, _) = with_allowance();
    let body = json!({"x402Version": 1, "error": "X-PAYMENT header is required", "accepts": [{
        "scheme": "exact", "network": "base-sepolia", "maxAmountRequired": "30000", "asset": SEPOLIA_USDC, "payTo": PAYEE,
        "maxTimeoutSeconds": 60, "resource": "https://api.test/generate-image/v1", "extra": {"name": "USDC", "version": "2"}}]});
    t.answers.borrow_mut().push_back(Answer::json(402, body));
    t.answers.borrow_mut().push_back(Answer::json(200, json!({"ok": true})));
    block_on(k.send(paid_call())).unwrap();
    let sent = t.sent.borrow();
    let payload = decode_header(header(&sent[1], "x-payment").unwrap());
    assert_eq!((payload["x402Version"].clone(), payload["scheme"].clone(), payload["network"].clone()), (json!(1), json!("exact"), json!("base-sepolia")));
    assert_eq!(payload["payload"]["authorization"]["value"], "30000");
    assert!(header(&sent[1], "payment-signature").is_none());
}

#[test]
fn no_allowance_means_payment_required_with_the_requirements() {
    let (k, t, _) = testing::kernel();
    t.answers.borrow_mut().push_back(v2_402("100000"));
    let e = block_on(k.send(paid_call())).unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::PaymentRequired, Some(402)));
    assert!(e.message.contains("no allowance") && e.message.ends_with("while provisioning project"), "{}", e.message);
    let extra: Vec<&str> = e.extra.iter().map(|(k, _)| *k).collect();
    assert_eq!(extra, ["reason", "requirements"]);
    assert_eq!(to_serde(&e.extra[1].1), json!([requirement("100000")]));
    assert_eq!(t.sent.borrow().len(), 1);
}

#[test]
fn the_spend_policy_refuses_before_anything_is_signed() {
    let (k, t, _) = with_allowance();
    t.answers.borrow_mut().push_back(v2_402("25000000"));
    let e = block_on(k.send(paid_call())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::PaymentRequired);
    assert!(e.message.contains("spend policy") && e.message.contains("$25.00"), "{}", e.message);
    assert_eq!(t.sent.borrow().len(), 1, "nothing was signed or resent");
    assert_eq!(t.random_counter.get(), 16, "only the idempotency key drew randomness: no nonce was made");
    assert_eq!(k.ledger.spent(), 0);
}

#[test]
fn a_second_402_after_paying_is_final_and_the_reservation_is_released() {
    let (k, t, _) = with_allowance();
    t.answers.borrow_mut().push_back(v2_402("100000"));
    let refusal = json!({"x402Version": 2, "error": "invalid_exact_evm_payload_authorization_nonce", "accepts": [requirement("100000")]});
    t.answers.borrow_mut().push_back(Answer::json(402, json!({})).header("PAYMENT-REQUIRED", &base64(refusal.to_string().as_bytes())));
    let e = block_on(k.send(paid_call())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::PaymentRequired);
    assert!(e.message.contains("refused the payment (invalid_exact_evm_payload_authorization_nonce)"), "{}", e.message);
    assert_eq!(t.sent.borrow().len(), 2, "no second payment");
    assert_eq!((k.ledger.spent(), k.ledger.count()), (0, 0));
}

#[test]
fn hostile_payment_required_headers_are_typed_errors() {
    let garbage = [
        "%%%not base64%%%".to_string(),
        base64(b"not json"),
        base64(b"[1,2,3]"),
        base64(json!({"x402Version": 2}).to_string().as_bytes()),
        base64(json!({"x402Version": 7, "accepts": []}).to_string().as_bytes()),
        base64(json!({"x402Version": 2, "accepts": [{"scheme": "exact"}]}).to_string().as_bytes()),
        base64(json!({"x402Version": 2, "accepts": [{"scheme": "exact", "network": "eip155:84532", "amount": "9".repeat(100),
            "asset": SEPOLIA_USDC, "payTo": PAYEE, "maxTimeoutSeconds": 60, "extra": {"name": "USDC", "version": "2"}}]}).to_string().as_bytes()),
        base64(json!({"x402Version": 2, "accepts": [requirement("1").as_object().unwrap().clone().into_iter()
            .map(|(k, v)| if k == "maxTimeoutSeconds" { (k, json!(-5)) } else { (k, v) }).collect::<serde_json::Map<_, _>>()]}).to_string().as_bytes()),
    ];
    for value in garbage {
        let (k, t, _) = with_allowance();
        t.answers.borrow_mut().push_back(Answer::json(402, json!({})).header("PAYMENT-REQUIRED", &value));
        let e = block_on(k.send(paid_call())).unwrap_err();
        assert_eq!(e.kind, ErrorKind::PaymentRequired, "{value}");
        assert_eq!(t.sent.borrow().len(), 1, "nothing paid for {value}");
    }
}

#[test]
fn a_402_without_terms_is_plain_payment_required() {
    let (k, t, _) = with_allowance();
    t.answers.borrow_mut().push_back(Answer::json(402, json!({"message": "Lease expired", "lifecycle_state": "frozen"})));
    let e = block_on(k.send(Call::get("/x", "reading"))).unwrap_err();
    assert_eq!((e.kind, e.message.as_str()), (ErrorKind::PaymentRequired, "Lease expired while reading"));
    assert_eq!(t.sent.borrow().len(), 1);
}

#[test]
fn an_allowance_whose_key_does_not_match_its_address_is_refused() {
    let (k, t, c) = testing::kernel();
    c.on(ProviderMethod::ReadAllowance, json!({"address": PAYEE, "privateKey": KEY}));
    t.answers.borrow_mut().push_back(v2_402("1"));
    let e = block_on(k.send(paid_call())).unwrap_err();
    assert_eq!(e.kind, ErrorKind::LocalError);
    assert!(!e.message.contains("4c0883a6"), "the key never appears in errors");
    c.on(ProviderMethod::ReadAllowance, json!({"address": ADDRESS, "privateKey": "0xnot-a-key"}));
    t.answers.borrow_mut().push_back(v2_402("1"));
    let e = block_on(k.send(paid_call())).unwrap_err();
    assert!(e.message.contains("privateKey is invalid") && !e.message.contains("not-a-key"), "{}", e.message);
}

#[test]
fn callers_idempotency_key_is_used_as_given() {
    let (k, t, _) = with_allowance();
    block_on(k.send(Call::post("/projects/v1", "x").json(Val::object()).paid(Some("my-key-1".into())))).unwrap();
    assert_eq!(header(&t.sent.borrow()[0], "idempotency-key"), Some("my-key-1"));
    let _ = PrivateKey::parse(KEY).unwrap();
}
