//! secp256k1 private keys: parse, derive the address, sign prehashed
//! messages as Ethereum does (r ‖ s ‖ v, v = 27 + recovery id, low s).

use crate::prelude::*;
use alloc::fmt;

use k256::ecdsa::SigningKey;
use zeroize::{Zeroize, Zeroizing};

use super::address::Address;
use super::codec::unhex;

/// A private key. Its bytes live only inside k256's `SigningKey`, which
/// zeroizes them on drop; `Debug` prints the address, never the key.
pub struct PrivateKey {
    key: SigningKey,
    address: Address,
}

/// Why a key was refused (never includes the key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    Format,
    OutOfRange,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyError::Format => "a private key is 0x followed by 64 hex digits",
            KeyError::OutOfRange => "the private key is zero or not below the curve order",
        })
    }
}

impl PrivateKey {
    /// Parses `0x` + 64 hex digits. The temporary copy is zeroized.
    pub fn parse(hex: &str) -> Result<PrivateKey, KeyError> {
        let mut bytes = unhex::<32>(hex).map_err(|_| KeyError::Format)?;
        let key = PrivateKey::from_bytes(&bytes);
        bytes.zeroize();
        key
    }

    /// From 32 raw bytes (the caller zeroizes its copy).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<PrivateKey, KeyError> {
        let key = SigningKey::from_slice(bytes).map_err(|_| KeyError::OutOfRange)?;
        let point = key.verifying_key().to_encoded_point(false);
        let mut xy = [0u8; 64];
        xy.copy_from_slice(&point.as_bytes()[1..]);
        Ok(PrivateKey { address: Address::from_public_key(&xy), key })
    }

    pub fn address(&self) -> Address {
        self.address
    }

    /// The key as `0x` hex, for exporting a freshly created allowance;
    /// zeroized when dropped.
    pub fn to_hex(&self) -> Zeroizing<String> {
        let mut bytes = self.key.to_bytes();
        let s = Zeroizing::new(super::codec::hex0x(&bytes));
        bytes.zeroize();
        s
    }

    /// Signs a 32-byte digest: RFC 6979 deterministic nonce, low-s,
    /// 65 bytes r ‖ s ‖ v with v = 27 or 28.
    pub fn sign_digest(&self, digest: &[u8; 32]) -> Result<[u8; 65], &'static str> {
        let (sig, recid) = self.key.sign_prehash_recoverable(digest).map_err(|_| "signing failed")?;
        let (sig, recid) = match sig.normalize_s() {
            // Flipping s to the low half flips the parity of R's y.
            Some(low) => (low, k256::ecdsa::RecoveryId::new(!recid.is_y_odd(), recid.is_x_reduced())),
            None => (sig, recid),
        };
        let mut out = [0u8; 65];
        out[..64].copy_from_slice(&sig.to_bytes());
        out[64] = 27 + recid.to_byte();
        Ok(out)
    }
}

/// Overwrites the 16 KiB of stack below the caller's frame with zeros. In
/// wasm the stack is linear memory that outlives the call: signing leaves
/// copies of key material in dead frames (k256 and RFC 6979 temporaries)
/// that later calls may never overwrite. Called right after each signature,
/// from the frame that started it.
#[inline(never)]
pub fn scrub_stack() {
    let mut area = [0u8; 16 * 1024];
    area.zeroize();
    core::hint::black_box(&area);
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({:?}, secret hidden)", self.address)
    }
}
