//! Wallet cryptography in pure Rust, with no JS types: secp256k1 keys,
//! Ethereum addresses (EIP-55), personal_sign (EIP-191), EIP-712 hashing
//! for EIP-3009 `TransferWithAuthorization`, sign-in messages (EIP-4361 /
//! SIWX) and the x402 payment payloads built from them.
//!
//! Secrets: [`key::PrivateKey`] zeroizes its bytes on drop and never prints
//! them; no function here puts key material in an error message.

pub mod address;
pub mod codec;
pub mod eip3009;
pub mod eip712;
pub mod key;
pub mod siwx;
pub mod u256;
pub mod x402;

use crate::prelude::*;
use sha3::{Digest, Keccak256};

/// Keccak-256 (Ethereum's hash, not NIST SHA3-256).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// EIP-191 `personal_sign` hash: keccak256("\x19Ethereum Signed Message:\n" + len + message).
pub fn personal_message_hash(message: &[u8]) -> [u8; 32] {
    let mut h = Keccak256::new();
    h.update(b"\x19Ethereum Signed Message:\n");
    h.update(message.len().to_string().as_bytes());
    h.update(message);
    h.finalize().into()
}

#[cfg(test)]
mod tests;
