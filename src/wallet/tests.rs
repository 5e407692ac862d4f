//! Published vectors (EIP-55, EIP-191, EIP-712) and the building blocks.
//! The same operations are cross-checked against viem, @x402/evm and siwe
//! through the built package in tests/js/.

use serde_json::json;

use super::address::Address;
use super::codec::{base64, hex, unbase64, unhex};
use super::eip712::{hash_words, signing_hash, Domain};
use super::key::{KeyError, PrivateKey};
use super::siwx::{hostname, iso8601, SignIn};
use super::x402::{read_offer, Network};
use super::*;
use crate::testing::json as sjson;

fn h32(s: &str) -> [u8; 32] {
    unhex::<32>(s).unwrap()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn eip55_vectors_from_the_eip() {
    for a in [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ] {
        let parsed = Address::parse(a).unwrap();
        assert_eq!(parsed.checksummed(), a);
        assert_eq!(Address::parse(&a.to_lowercase()).unwrap(), parsed);
    }
    assert!(Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").is_err(), "bad checksum");
    assert!(Address::parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae").is_err(), "short");
    assert!(Address::parse("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").is_err(), "no 0x");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn address_from_private_key() {
    // web3.js accounts documentation example.
    let k = PrivateKey::parse("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318").unwrap();
    assert_eq!(k.address().checksummed(), "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
    assert!(!format!("{k:?}").contains("4c0883a6"), "Debug never shows the key");
    assert_eq!(PrivateKey::parse("0x12").unwrap_err(), KeyError::Format);
    assert_eq!(PrivateKey::parse(&format!("0x{}", "0".repeat(64))).unwrap_err(), KeyError::OutOfRange);
    assert_eq!(PrivateKey::parse(&format!("0x{}", "f".repeat(64))).unwrap_err(), KeyError::OutOfRange);
    assert!(!KeyError::Format.to_string().contains("0x12"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn eip191_personal_message_hash() {
    // viem: hashMessage("hello world").
    assert_eq!(
        hex(&personal_message_hash(b"hello world")),
        "d9eba16ed0ecae432b71fe008c98cc872bb4cc214d3220a36f365326cf807d68"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn eip712_mail_example_from_the_eip() {
    let domain = Domain {
        name: "Ether Mail".into(),
        version: "1".into(),
        chain_id: 1,
        verifying_contract: Address::parse("0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC").unwrap(),
    };
    assert_eq!(hex(&domain.separator()), "f2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
    let person_type = keccak256(b"Person(string name,address wallet)");
    let person = |name: &str, wallet: &str| {
        hash_words(&[person_type, keccak256(name.as_bytes()), Address::parse(wallet).unwrap().word()])
    };
    let mail = hash_words(&[
        keccak256(b"Mail(Person from,Person to,string contents)Person(string name,address wallet)"),
        person("Cow", "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"),
        person("Bob", "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"),
        keccak256(b"Hello, Bob!"),
    ]);
    assert_eq!(hex(&mail), "c52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
    let digest = signing_hash(&domain.separator(), &mail);
    assert_eq!(hex(&digest), "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
    let key = PrivateKey::from_bytes(&keccak256(b"cow")).unwrap();
    assert_eq!(key.address().checksummed(), "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826");
    let sig = key.sign_digest(&digest).unwrap();
    assert_eq!(hex(&sig[..32]), "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d");
    assert_eq!(hex(&sig[32..64]), "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562");
    assert_eq!(sig[64], 28);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn signatures_are_low_s_with_v_27_or_28() {
    let key = PrivateKey::from_bytes(&keccak256(b"low-s")).unwrap();
    let half_n = h32("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");
    for i in 0u8..40 {
        let sig = key.sign_digest(&keccak256(&[i])).unwrap();
        assert!(sig[32..64] <= half_n[..], "s is in the lower half");
        assert!(sig[64] == 27 || sig[64] == 28);
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn u256_decimal_parsing() {
    assert_eq!(u256::to_u128(&u256::parse_decimal("100000").unwrap()), Some(100_000));
    let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    assert_eq!(u256::parse_decimal(max).unwrap(), [0xff; 32]);
    assert!(u256::parse_decimal("115792089237316195423570985008687907853269984665640564039457584007913129639936").is_none());
    for bad in ["", "-1", "1.5", " 1", "1e6", "0x10"] {
        assert!(u256::parse_decimal(bad).is_none(), "{bad}");
    }
    assert_eq!(u256::to_u128(&[0xff; 32]), None);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn base64_round_trips_and_rejects_garbage() {
    for s in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
        assert_eq!(unbase64(&base64(s.as_bytes())).unwrap(), s.as_bytes());
    }
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert!(unbase64("not base64!").is_err());
    assert!(unbase64("Z").is_err());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn iso_times_match_to_iso_string() {
    assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
    // new Date(1763732603123).toISOString()
    assert_eq!(iso8601(1_763_732_603_123), "2025-11-21T13:43:23.123Z");
    assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn hostnames_like_the_url_parser() {
    assert_eq!(hostname("https://api.run402.com/projects/v1"), Some("api.run402.com"));
    assert_eq!(hostname("http://127.0.0.1:8787/x?y=1"), Some("127.0.0.1"));
    assert_eq!(hostname("http://user@host:1"), Some("host"));
    assert_eq!(hostname("http://[::1]:9/"), Some("[::1]"));
    assert_eq!(hostname("ftp://x"), None);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn sign_in_message_layout() {
    let s = SignIn::for_url("http://127.0.0.1:8787/tiers/v1/status", &[0xab; 16], 0).unwrap();
    let msg = s.message("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
    assert_eq!(
        msg,
        "127.0.0.1 wants you to sign in with your Ethereum account:\n0x2c7536E3605D9C16a7a3D7b1898e529396a65c23\n\nSign in to Run402\n\nURI: http://127.0.0.1:8787/tiers/v1/status\nVersion: 1\nChain ID: 84532\nNonce: abababababababababababababababab\nIssued At: 1970-01-01T00:00:00.000Z\nExpiration Time: 1970-01-01T00:05:00.000Z"
    );
    let key = PrivateKey::from_bytes(&keccak256(b"siwx")).unwrap();
    let header = String::from_utf8(unbase64(&s.header(&key).unwrap()).unwrap()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&header).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["domain", "address", "statement", "uri", "version", "chainId", "type", "nonce", "issuedAt", "expirationTime", "signature"]);
    assert_eq!(v["chainId"], "eip155:84532");
    assert_eq!(v["signature"].as_str().unwrap().len(), 132);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn offers_from_v2_headers_and_v1_bodies() {
    let v2 = sjson(json!({
        "x402Version": 2, "error": "payment required", "resource": {"url": "http://x/projects/v1"},
        "accepts": [
            {"scheme": "exact", "network": "eip155:84532", "amount": "100000", "asset": "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
             "payTo": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "maxTimeoutSeconds": 300, "extra": {"name": "USDC", "version": "2"}},
            {"scheme": "upto", "network": "eip155:84532"},
            {"scheme": "exact", "network": "solana:mainnet", "amount": "1"}
        ]
    }));
    let offer = read_offer(&v2, true).unwrap().unwrap();
    assert_eq!((offer.version, offer.payable.len(), offer.unpayable.len()), (2, 1, 2));
    assert_eq!(offer.payable[0].network, Network::BaseSepolia);
    assert_eq!(offer.payable[0].amount_u128(), Some(100_000));
    assert!(offer.unpayable[0].contains("upto"));

    let v1 = sjson(json!({"x402Version": 1, "error": "X-PAYMENT header is required", "accepts": [
        {"scheme": "exact", "network": "base", "maxAmountRequired": "5000000", "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
         "payTo": "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "maxTimeoutSeconds": 60, "extra": {"name": "USD Coin", "version": "2"}}]}));
    let offer = read_offer(&v1, false).unwrap().unwrap();
    assert_eq!((offer.version, offer.payable[0].network), (1, Network::Base));

    assert!(read_offer(&sjson(json!({"message": "lease expired"})), false).unwrap().is_none(), "a plain 402 body is no offer");
    for hostile in [json!("x"), json!({"accepts": 5}), json!({"x402Version": 9, "accepts": []}), json!({})] {
        assert!(read_offer(&sjson(hostile.clone()), true).is_err(), "{hostile}");
    }
    let absurd = sjson(json!({"x402Version": 2, "accepts": [{"scheme": "exact", "network": "eip155:8453",
        "amount": "1".repeat(90), "asset": USDC, "payTo": USDC, "maxTimeoutSeconds": 60, "extra": {"name": "USDC", "version": "2"}}]}));
    assert_eq!(read_offer(&absurd, true).unwrap().unwrap().payable.len(), 0);
}

const USDC: &str = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";
