//! Header merge rules (the published SDK's, which replaced v1.69.7's
//! case-sensitive merge): the request's own headers always win, compared
//! case-insensitively; and a request that sets any header of the auth family
//! owns its credentials, so no provider header of that family is added.

/// Header names that carry credentials.
const AUTH_FAMILY: &[&str] = &["authorization", "sign-in-with-x", "x-run402-write-auth"];

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
    fn provider_auth_is_added_when_request_has_none() {
        let mut req = h(&[("X-Admin-Mode", "1")]);
        merge_provider(&mut req, h(&[("SIGN-IN-WITH-X", "siwx")]));
        assert_eq!(req, h(&[("X-Admin-Mode", "1"), ("SIGN-IN-WITH-X", "siwx")]));
    }
}
