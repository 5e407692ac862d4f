//! Unsigned 256-bit decimal amounts as EIP-712 `uint256` words.

/// Parses a decimal string ("100000") into a big-endian 32-byte word.
/// Refuses signs, spaces, empty strings and values over 2^256 - 1.
pub fn parse_decimal(s: &str) -> Option<[u8; 32]> {
    if s.is_empty() || s.len() > 78 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut word = [0u8; 32];
    for digit in s.bytes() {
        // word = word * 10 + digit, from the least significant byte up.
        let mut carry = u32::from(digit - b'0');
        for byte in word.iter_mut().rev() {
            let v = u32::from(*byte) * 10 + carry;
            *byte = (v & 0xff) as u8;
            carry = v >> 8;
        }
        if carry != 0 {
            return None;
        }
    }
    Some(word)
}

/// The value as u128 when it fits (amounts compared against caps).
pub fn to_u128(word: &[u8; 32]) -> Option<u128> {
    if word[..16].iter().any(|b| *b != 0) {
        return None;
    }
    let mut low = [0u8; 16];
    low.copy_from_slice(&word[16..]);
    Some(u128::from_be_bytes(low))
}

/// A u64 as a word.
pub fn from_u64(n: u64) -> [u8; 32] {
    let mut word = [0u8; 32];
    word[24..].copy_from_slice(&n.to_be_bytes());
    word
}
