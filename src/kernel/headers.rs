//! Header merge rules (the published SDK's, which replaced v1.69.7's
//! case-sensitive merge): the request's own headers always win, compared
//! case-insensitively; and a request that sets any header of the auth family
//! owns its credentials, so no provider header of that family is added.

use crate::prelude::*;

/// Header names that carry credentials.
const AUTH_FAMILY: &[&str] = &["authorization", "sign-in-with-x", "x-run402-write-auth"];

/// Every header whose value is a secret: the auth family, project keys and
/// signed payments. Never sent to an absolute URL, redacted from failures.
pub const CREDENTIALS: &[&str] =
    &["authorization", "apikey", "sign-in-with-x", "payment-signature", "x-payment", "x-run402-write-auth"];

/// The media type `table` gives a file extension, compared ASCII
/// case-insensitively (each caller has the contract's table for its kind of
/// upload: blobs §4.1, deploy files §3.2).
pub fn media_type_of(ext: &str, table: &[(&str, &'static str)]) -> Option<&'static str> {
    table.iter().find(|(e, _)| e.eq_ignore_ascii_case(ext)).map(|(_, t)| *t)
}

/// Whether a header carries a secret (see [`CREDENTIALS`]).
pub fn is_credential(name: &str) -> bool {
    CREDENTIALS.iter().any(|c| c.eq_ignore_ascii_case(name))
}

/// Whether `headers` has `name`, ignoring case.
pub fn has(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
}

fn is_auth(name: &str) -> bool {
    AUTH_FAMILY.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// Adds the provider's headers to the request's under the rules above.
pub fn merge_provider(headers: &mut Vec<(String, String)>, provider: Vec<(String, String)>) {
    let request_owns_auth = headers.iter().any(|(k, _)| is_auth(k));
    for (name, value) in provider {
        if has(headers, &name) || (request_owns_auth && is_auth(&name)) {
            continue;
        }
        headers.push((name, value));
    }
}

/// The first header that cannot go on the wire as given: a name that is not
/// an HTTP token, or a value with CR, LF or NUL (which would let a value
/// smuggle in extra headers). Values are never echoed: they may be keys.
pub fn invalid(headers: &[(String, String)]) -> Option<String> {
    let token = |c: u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c);
    headers.iter().find_map(|(name, value)| {
        if name.is_empty() || !name.bytes().all(token) {
            Some(format!("header name \"{name}\" is not a valid HTTP token"))
        } else if value.bytes().any(|c| c == b'\r' || c == b'\n' || c == 0) {
            Some(format!("header {name} has a value containing a line break or NUL"))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn explicit_headers_win_case_insensitively() {
        let mut req = h(&[("apikey", "A")]);
        merge_provider(&mut req, h(&[("APIKEY", "P"), ("X-Extra", "1")]));
        assert_eq!(req, h(&[("apikey", "A"), ("X-Extra", "1")]));
    }

    #[test]
    fn request_owning_one_auth_header_blocks_the_whole_family() {
        let mut req = h(&[("Authorization", "Bearer svc")]);
        merge_provider(&mut req, h(&[("SIGN-IN-WITH-X", "siwx"), ("x-run402-write-auth", "w"), ("X-Trace", "t")]));
        assert_eq!(req, h(&[("Authorization", "Bearer svc"), ("X-Trace", "t")]));
    }

    #[test]
    fn headers_that_could_inject_are_refused_without_echoing_values() {
        assert_eq!(invalid(&h(&[("apikey", "abc"), ("X-Ok", "a: b")])), None);
        let bad = invalid(&h(&[("Authorization", "Bearer secret\r\nX-Evil: 1")])).unwrap();
        assert!(bad.contains("Authorization") && !bad.contains("secret"));
        assert!(invalid(&h(&[("Bad Name", "v")])).is_some());
        assert!(invalid(&h(&[("", "v")])).is_some());
    }

    #[test]
    fn provider_auth_is_added_when_request_has_none() {
        let mut req = h(&[("X-Admin-Mode", "1")]);
        merge_provider(&mut req, h(&[("SIGN-IN-WITH-X", "siwx")]));
        assert_eq!(req, h(&[("X-Admin-Mode", "1"), ("SIGN-IN-WITH-X", "siwx")]));
    }
}
