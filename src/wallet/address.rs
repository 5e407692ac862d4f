//! Ethereum addresses and EIP-55 mixed-case checksums.

use crate::prelude::*;
use alloc::fmt;

use super::codec::{hex, unhex};
use super::keccak256;

/// A 20-byte account address.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Address(pub [u8; 20]);

impl Address {
    /// Parses `0x` + 40 hex digits. Mixed-case input must carry a valid
    /// EIP-55 checksum; all-lower or all-upper input is accepted as is.
    pub fn parse(s: &str) -> Result<Address, &'static str> {
        let body = s.strip_prefix("0x").ok_or("an address starts with 0x")?;
        let addr = Address(unhex::<20>(body).map_err(|_| "an address is 0x followed by 40 hex digits")?);
        let mixed = body.bytes().any(|b| b.is_ascii_lowercase()) && body.bytes().any(|b| b.is_ascii_uppercase());
        if mixed && addr.checksummed() != s {
            return Err("the address's EIP-55 checksum is wrong");
        }
        Ok(addr)
    }

    /// The last 20 bytes of keccak-256 of an uncompressed public key (without its 0x04 prefix).
    pub fn from_public_key(xy: &[u8; 64]) -> Address {
        let hash = keccak256(xy);
        let mut a = [0u8; 20];
        a.copy_from_slice(&hash[12..]);
        Address(a)
    }

    /// EIP-55: hex digits upper-cased where the matching nibble of
    /// keccak256(lower-case hex) is 8 or more.
    pub fn checksummed(&self) -> String {
        let lower = hex(&self.0);
        let hash = keccak256(lower.as_bytes());
        let mut out = String::with_capacity(42);
        out.push_str("0x");
        for (i, c) in lower.chars().enumerate() {
            let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
            out.push(if nibble >= 8 { c.to_ascii_uppercase() } else { c });
        }
        out
    }

    /// Lower-case `0x` form.
    pub fn lower(&self) -> String {
        format!("0x{}", hex(&self.0))
    }

    /// As an EIP-712 `address` word (left-padded to 32 bytes).
    pub fn word(&self) -> [u8; 32] {
        let mut w = [0u8; 32];
        w[12..].copy_from_slice(&self.0);
        w
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.checksummed())
    }
}
