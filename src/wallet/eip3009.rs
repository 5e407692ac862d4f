//! EIP-3009 `TransferWithAuthorization`: what an x402 `exact` EVM payment signs.

use super::address::Address;
use super::eip712::{hash_words, signing_hash, Domain};
use super::key::PrivateKey;
use super::keccak256;

const TYPE: &[u8] =
    b"TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)";

/// The authorization fields, as words ready for hashing.
#[derive(Debug, Clone)]
pub struct Authorization {
    pub from: Address,
    pub to: Address,
    /// uint256 value in the asset's base units.
    pub value: [u8; 32],
    pub valid_after: u64,
    pub valid_before: u64,
    pub nonce: [u8; 32],
}

impl Authorization {
    /// hashStruct(message).
    pub fn struct_hash(&self) -> [u8; 32] {
        hash_words(&[
            keccak256(TYPE),
            self.from.word(),
            self.to.word(),
            self.value,
            super::u256::from_u64(self.valid_after),
            super::u256::from_u64(self.valid_before),
            self.nonce,
        ])
    }

    /// The EIP-712 digest under `domain`.
    pub fn digest(&self, domain: &Domain) -> [u8; 32] {
        signing_hash(&domain.separator(), &self.struct_hash())
    }

    /// Signs with `key` (which must be `from`).
    pub fn sign(&self, domain: &Domain, key: &PrivateKey) -> Result<[u8; 65], &'static str> {
        if key.address() != self.from {
            return Err("the signing key is not the authorization's `from`");
        }
        key.sign_digest(&self.digest(domain))
    }
}
