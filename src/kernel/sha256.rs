//! SHA-256 in Rust (the `sha2` crate): for bytes the SDK made itself, and
//! the fallback for host bytes where the runtime has no WebCrypto (a
//! browser page on an insecure origin). Bulk content is hashed by the
//! host's `crypto.subtle` whenever it exists ([`super::Transport::sha256`]).

use sha2::Digest;

/// An incremental hasher, for bytes that arrive in chunks.
#[derive(Default)]
pub struct Sha256(sha2::Sha256);

impl Sha256 {
    pub fn update(&mut self, chunk: &[u8]) {
        self.0.update(chunk);
    }
    pub fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

/// An incremental SHA-256 of host bytes, made by the transport
/// ([`super::Transport::hasher`]): the runtime's own where it has one
/// (`Host`: the bytes never enter wasm), else this crate's.
pub enum Hasher {
    Rust(Sha256),
    Host(crate::json::Json),
}

/// The digest of `bytes`.
pub fn digest(bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::default();
    h.update(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wallet::codec::hex;

    // FIPS 180-4 examples (NIST CSRC "SHA256.pdf") and the empty string.
    #[test]
    fn nist_vectors() {
        assert_eq!(hex(&digest(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex(&digest(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            hex(&digest(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        let million_a = vec![b'a'; 1_000_000];
        assert_eq!(hex(&digest(&million_a)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }

    #[test]
    fn chunked_equals_whole() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 + 3) as u8).collect();
        let mut h = Sha256::default();
        for chunk in data.chunks(333) {
            h.update(chunk);
        }
        assert_eq!(h.finish(), digest(&data));
    }
}
