//! Wallet sign-in (`SIGN-IN-WITH-X`): an EIP-4361 message signed with
//! EIP-191, sent as base64 of a JSON payload whose key order the gateway
//! expects (contract §5).

use crate::prelude::*;
use super::codec::{base64, hex, hex0x};
use super::key::PrivateKey;
use super::personal_message_hash;

/// The statement every Run402 sign-in carries.
pub const STATEMENT: &str = "Sign in to Run402";
/// Base Sepolia, as the payload names it: the chain the gateway's sign-in names.
pub const CHAIN_ID: &str = "eip155:84532";
/// How long a sign-in stays valid.
pub const LIFETIME_MS: u64 = 5 * 60 * 1000;

/// One sign-in, before signing.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub domain: String,
    pub uri: String,
    /// 32 lower-case hex characters.
    pub nonce: String,
    pub issued_at_ms: u64,
}

impl SignIn {
    /// For a request to `url` (the API base plus the request path and query).
    pub fn for_url(url: &str, nonce: &[u8; 16], now_ms: u64) -> Option<SignIn> {
        Some(SignIn { domain: hostname(url)?.to_string(), uri: url.to_string(), nonce: hex(nonce), issued_at_ms: now_ms })
    }

    /// The EIP-4361 message text (lines joined by \n, no trailing newline).
    pub fn message(&self, address: &str) -> String {
        self.as_message(|m| m.text(address))
    }

    /// The `SIGN-IN-WITH-X` header value.
    pub fn header(&self, key: &PrivateKey) -> Result<String, &'static str> {
        self.as_message(|m| m.header(key))
    }

    /// This sign-in as a general [`Message`]: Run402's statement and chain,
    /// valid for [`LIFETIME_MS`], no resources.
    fn as_message<R>(&self, f: impl FnOnce(&Message<'_>) -> R) -> R {
        let (issued, expires) = (iso8601(self.issued_at_ms), iso8601(self.issued_at_ms + LIFETIME_MS));
        f(&Message {
            domain: &self.domain,
            uri: &self.uri,
            statement: STATEMENT,
            chain_id: CHAIN_ID,
            nonce: &self.nonce,
            issued_at: &issued,
            expiration_time: &expires,
            resources: None,
        })
    }
}

/// Any SIWX message the SDK signs: a sign-in ([`SignIn`]) or a statement
/// with resources, such as a CI delegation. Times are the ISO-8601 texts as
/// they go into the message and the payload.
pub struct Message<'a> {
    pub domain: &'a str,
    pub uri: &'a str,
    pub statement: &'a str,
    /// As the payload carries it (`eip155:84532`); the message line names
    /// the number alone when it has that form.
    pub chain_id: &'a str,
    pub nonce: &'a str,
    pub issued_at: &'a str,
    pub expiration_time: &'a str,
    /// A `Resources:` list in the message and `resources` in the payload.
    pub resources: Option<&'a [&'a str]>,
}

impl Message<'_> {
    /// The EIP-4361 message text (lines joined by \n, no trailing newline).
    pub fn text(&self, address: &str) -> String {
        let mut out = format!(
            "{domain} wants you to sign in with your Ethereum account:\n{address}\n\n{statement}\n\nURI: {uri}\nVersion: 1\nChain ID: {chain}\nNonce: {nonce}\nIssued At: {issued}\nExpiration Time: {expires}",
            domain = self.domain,
            statement = self.statement,
            uri = self.uri,
            chain = message_chain_id(self.chain_id),
            nonce = self.nonce,
            issued = self.issued_at,
            expires = self.expiration_time,
        );
        if let Some(list) = self.resources.filter(|r| !r.is_empty()) {
            out.push_str("\nResources:");
            for r in list {
                out.push_str("\n- ");
                out.push_str(r);
            }
        }
        out
    }

    /// The `SIGN-IN-WITH-X` header value: base64 of the payload JSON, keys
    /// in the gateway's order, `resources` last and only when given.
    pub fn header(&self, key: &PrivateKey) -> Result<String, &'static str> {
        let address = key.address().checksummed();
        let signature = key.sign_digest(&personal_message_hash(self.text(&address).as_bytes()))?;
        let mut json = format!(
            "{{\"domain\":{},\"address\":{},\"statement\":{},\"uri\":{},\"version\":\"1\",\"chainId\":{},\"type\":\"eip191\",\"nonce\":{},\"issuedAt\":{},\"expirationTime\":{},\"signature\":{}",
            json_string(self.domain),
            json_string(&address),
            json_string(self.statement),
            json_string(self.uri),
            json_string(self.chain_id),
            json_string(self.nonce),
            json_string(self.issued_at),
            json_string(self.expiration_time),
            json_string(&hex0x(&signature)),
        );
        if let Some(list) = self.resources {
            let items: Vec<String> = list.iter().map(|r| json_string(r)).collect();
            json.push_str(",\"resources\":[");
            json.push_str(&items.join(","));
            json.push(']');
        }
        json.push('}');
        Ok(base64(json.as_bytes()))
    }
}

/// `eip155:N` → `N` for the message's `Chain ID:` line; other forms as given.
fn message_chain_id(chain_id: &str) -> &str {
    match chain_id.strip_prefix("eip155:") {
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => chain_id,
    }
}

/// The host name of an http(s) URL, as `new URL(url).hostname` gives it
/// (no port, no user info, IPv6 kept in brackets).
pub fn hostname(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if host_port.starts_with('[') {
        host_port.split_inclusive(']').next()?
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

/// A JSON string literal, escaped as `JSON.stringify` does.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `Date.prototype.toISOString()` for a Unix time in milliseconds.
pub fn iso8601(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3600, rem % 3600 / 60, rem % 60, ms % 1000)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
