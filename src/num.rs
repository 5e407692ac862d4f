//! The few float operations the SDK needs, written without `std`: `floor`,
//! `round` and `fract` are std methods (they call libm), which the `no_std`
//! wasm build does not have. Every caller has a bounded, non-negative range
//! (timestamps, amounts, limits), where a cast is exact.

/// True for a whole number in `0..=2^53` (the range every caller checks).
pub fn is_whole(n: f64) -> bool {
    (0.0..=9_007_199_254_740_992.0).contains(&n) && n == (n as u64) as f64
}

/// `n` rounded half up to a whole number; negative and NaN give 0.
pub fn round_non_negative(n: f64) -> u64 {
    let whole = n as u64; // truncates; NaN and negatives saturate to 0
    if n - whole as f64 >= 0.5 {
        whole + 1
    } else {
        whole
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers() {
        for n in [0.0, 1.0, 86_400.0, 9_007_199_254_740_991.0] {
            assert!(is_whole(n), "{n}");
        }
        for n in [0.5, 1.000001, -1.0, f64::NAN, f64::INFINITY, 1e300] {
            assert!(!is_whole(n), "{n}");
        }
    }

    #[test]
    fn rounding_matches_std() {
        for n in [0.0, 0.49, 0.5, 0.51, 1.5, 2.5, 12_345.499, 12_345.5, 1e15 + 0.5] {
            assert_eq!(round_non_negative(n), n.round() as u64, "{n}");
        }
        assert_eq!(round_non_negative(0.49999999999999994), 0);
        assert_eq!(round_non_negative(-3.7), 0);
        assert_eq!(round_non_negative(f64::NAN), 0);
    }
}
