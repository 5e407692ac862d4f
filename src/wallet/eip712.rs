//! EIP-712 typed-data hashing, for the few structs x402 needs.

use crate::prelude::*;
use super::address::Address;
use super::keccak256;

/// An EIP-712 domain with name, version, chainId and verifyingContract.
#[derive(Debug, Clone)]
pub struct Domain {
    pub name: String,
    pub version: String,
    pub chain_id: u64,
    pub verifying_contract: Address,
}

const DOMAIN_TYPE: &[u8] = b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

impl Domain {
    /// hashStruct(domain).
    pub fn separator(&self) -> [u8; 32] {
        hash_words(&[
            keccak256(DOMAIN_TYPE),
            keccak256(self.name.as_bytes()),
            keccak256(self.version.as_bytes()),
            super::u256::from_u64(self.chain_id),
            self.verifying_contract.word(),
        ])
    }
}

/// keccak256 of concatenated 32-byte words (hashStruct's encodeData).
pub fn hash_words(words: &[[u8; 32]]) -> [u8; 32] {
    let mut buf = Vec::with_capacity(words.len() * 32);
    for w in words {
        buf.extend_from_slice(w);
    }
    keccak256(&buf)
}

/// The digest a wallet signs: keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message)).
pub fn signing_hash(domain_separator: &[u8; 32], struct_hash: &[u8; 32]) -> [u8; 32] {
    let mut buf = [0u8; 66];
    buf[0] = 0x19;
    buf[1] = 0x01;
    buf[2..34].copy_from_slice(domain_separator);
    buf[34..].copy_from_slice(struct_hash);
    keccak256(&buf)
}
