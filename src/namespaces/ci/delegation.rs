//! The CI delegation a wallet signs to let GitHub Actions deploy a project
//! (contract §1.20, §5): its values checked and put in canonical order, the
//! SIWX statement and Resource URI the gateway rebuilds and compares byte
//! for byte, and the signed `SIGN-IN-WITH-X` payload that carries both.
//! `ci.createBinding` sends the same canonical values, so the binding and
//! its delegation cannot disagree.

use crate::prelude::*;

use crate::json::{Json, JsonExt, Shape};
use crate::kernel::encode::encode_uri_component;
use crate::wallet::key::PrivateKey;
use crate::wallet::siwx::Message;

/// The only OIDC issuer v1 federates.
pub const ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The audience GitHub's token must name: Run402's API.
pub const AUDIENCE: &str = "https://api.run402.com";
/// The only action a v1 binding grants.
pub const ACTION: &str = "deploy";

const MAX_SUBJECT_CHARS: usize = 256;
const MAX_URI_BYTES: usize = 4096;
const MAX_STATEMENT_BYTES: usize = 8192;
const MAX_ROUTE_SCOPES: usize = 100;
const MAX_ROUTE_SCOPE_BYTES: usize = 256;

/// Delegation values after the checks: lists deduplicated and sorted, the
/// defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Delegation {
    pub project_id: String,
    pub issuer: String,
    pub audience: String,
    pub subject_match: String,
    pub allowed_events: Vec<String>,
    pub route_scopes: Vec<String>,
    pub expires_at: Option<String>,
    pub github_repository_id: Option<String>,
    pub nonce: String,
}

/// Why values were refused, in words for a `LocalError`.
pub type Refusal = String;

/// Checks `values` (a `CiDelegationValues` object) in the reference's order,
/// so the first problem reported is the same one.
pub fn normalize(values: &Json) -> Result<Delegation, Refusal> {
    if !values.is_object() {
        return Err(refusal("CI delegation values must be an object"));
    }
    let project_id = text(values, "project_id")?.filter(|s| !s.is_empty()).ok_or_else(|| refusal("CI delegation `project_id` is required"))?;
    let subject_match = subject_match(values.field("subject_match"))?;
    let nonce = nonce(values.field("nonce"))?;
    let actions = sorted_set(values.field("allowed_actions"), "allowed_actions")?;
    if actions.len() != 1 || actions[0] != ACTION {
        return Err(refusal("CI delegation `allowed_actions` must be exactly [\"deploy\"] in v1"));
    }
    let allowed_events = sorted_set(values.field("allowed_events"), "allowed_events")?;
    let route_scopes = route_scopes(values.field("route_scopes"))?;
    if allowed_events.is_empty() {
        return Err(refusal("CI delegation `allowed_events` must name at least one event"));
    }
    Ok(Delegation {
        project_id,
        issuer: text(values, "issuer")?.unwrap_or_else(|| ISSUER.into()),
        audience: text(values, "audience")?.unwrap_or_else(|| AUDIENCE.into()),
        subject_match,
        allowed_events,
        route_scopes,
        expires_at: text(values, "expires_at")?,
        github_repository_id: text(values, "github_repository_id")?,
        nonce,
    })
}

/// A fixed refusal, copied out in one place rather than at every site.
#[inline(never)]
fn refusal(message: &str) -> Refusal {
    message.into()
}

/// "CI delegation `name` ..." (built without the formatting machinery).
fn field_error(name: &str, rest: &str) -> Refusal {
    ["CI delegation `", name, rest].concat()
}

/// An optional string field (`undefined` and `null` are absent).
fn text(values: &Json, name: &str) -> Result<Option<String>, Refusal> {
    match values.field(name) {
        None => Ok(None),
        Some(v) if v.is_nullish() => Ok(None),
        Some(v) => v.as_string().map(Some).ok_or_else(|| field_error(name, "` must be a string or null")),
    }
}

/// The OIDC subject pattern: at most one `*`, and only as its last character.
fn subject_match(v: Option<Json>) -> Result<String, Refusal> {
    let s = v.and_then(|v| v.as_string()).filter(|s| !s.is_empty()).ok_or_else(|| refusal("CI `subject_match` must be a non-empty string"))?;
    // The reference counts UTF-16 code units (`String.length`).
    if s.encode_utf16().count() > MAX_SUBJECT_CHARS {
        return Err(refusal("CI `subject_match` must be at most 256 characters"));
    }
    // Control characters are ASCII, so bytes tell (no UTF-8 decoding).
    if s.bytes().any(|c| c < b' ' || c == 0x7f) {
        return Err(refusal("CI `subject_match` must not contain control characters"));
    }
    if s == "*" {
        return Err(refusal("CI `subject_match` cannot be a bare `*`"));
    }
    if let Some(i) = s.find('*') {
        if i != s.len() - 1 {
            return Err(refusal("CI `subject_match` may use `*` only as its last character"));
        }
    }
    Ok(s)
}

/// 16 to 64 lower-case hex digits.
fn nonce(v: Option<Json>) -> Result<String, Refusal> {
    match v.and_then(|v| v.as_string()) {
        Some(n) if (16..=64).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) => Ok(n),
        _ => Err(refusal("CI delegation `nonce` must be 16 to 64 lower-case hex digits")),
    }
}

/// An array of non-empty strings, deduplicated and sorted as JS's default
/// `sort()` orders strings (by UTF-16 code units).
fn sorted_set(v: Option<Json>, name: &str) -> Result<Vec<String>, Refusal> {
    let mut out = Vec::new();
    for s in strings(v, name, usize::MAX)? {
        insert_sorted(&mut out, s);
    }
    Ok(out)
}

/// Inserts `s` into the sorted `list` unless it is there already (then
/// false). Lists are short (at most 100 route scopes), and a linear insert
/// is a few dozen bytes of wasm where `sort` links a whole sorting library.
fn insert_sorted(list: &mut Vec<String>, s: String) -> bool {
    let at = list.iter().position(|x| !x.encode_utf16().lt(s.encode_utf16())).unwrap_or(list.len());
    if list.get(at) == Some(&s) {
        return false;
    }
    list.insert(at, s);
    true
}

/// An array of non-empty strings of at most `max` elements, copied out.
/// A plain loop: collecting into a `Result<Vec<_>>` links an adapter.
fn strings(v: Option<Json>, name: &str, max: usize) -> Result<Vec<String>, Refusal> {
    let Some((v, n)) = v.and_then(|v| match v.shape() {
        Shape::Array(n) => Some((v, n)),
        _ => None,
    }) else {
        return Err(field_error(name, "` must be an array"));
    };
    if n > max {
        return Err(field_error(name, "` has too many entries (at most 100)"));
    }
    let mut out = Vec::new();
    for i in 0..n {
        match v.item(i).and_then(|s| s.as_string()).filter(|s| !s.is_empty()) {
            Some(s) => out.push(s),
            None => return Err(field_error(name, "` must hold only non-empty strings")),
        }
    }
    Ok(out)
}

/// Public path scopes for route declarations: `/exact` or `/prefix/*`, each
/// at most 256 bytes, no query, valid percent-encoding; no two the same
/// after dropping an exact scope's trailing slash. Sorted.
fn route_scopes(v: Option<Json>) -> Result<Vec<String>, Refusal> {
    if v.as_ref().is_none_or(|v| v.is_nullish()) {
        return Ok(Vec::new());
    }
    let list = strings(v, "route_scopes", MAX_ROUTE_SCOPES)?;
    let mut out: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    // Duplicates by identity are refused above, so the insert never drops one.
    for (i, scope) in list.into_iter().enumerate() {
        let scope = route_scope(scope, i)?;
        // `/api` and `/api/` are the same exact scope; `/api/*` is a prefix.
        let exact = if scope.len() > 1 { scope.strip_suffix('/').unwrap_or(&scope) } else { &scope };
        let identity = if scope.ends_with("/*") { scope.clone() } else { ["=", exact].concat() };
        if seen.contains(&identity) {
            return Err(["CI delegation `route_scopes` has ", &scope, " twice (after normalization)"].concat());
        }
        seen.push(identity);
        insert_sorted(&mut out, scope);
    }
    Ok(out)
}

fn route_scope(s: String, i: usize) -> Result<String, Refusal> {
    let index = i.to_string();
    let refuse = |why: &str| Err(["CI delegation `route_scopes[", &index, "]` ", why].concat());
    if !s.starts_with('/') {
        return refuse("must start with / (for example /api or /api/*)");
    }
    if s.len() > MAX_ROUTE_SCOPE_BYTES {
        return refuse("is longer than 256 bytes");
    }
    if s.contains('?') {
        return refuse("must not have a query string");
    }
    if !valid_percent_encoding(&s) {
        return refuse("has invalid percent-encoding");
    }
    if s.contains('*') && !s.ends_with("/*") {
        return refuse("may use a wildcard only as a final /*");
    }
    if s == "/*" {
        return refuse("needs a path segment before /*");
    }
    Ok(s)
}

/// What `decodeURI` accepts: every `%` starts two hex digits, and the bytes
/// they stand for, with the literal text around them, are UTF-8.
fn valid_percent_encoding(s: &str) -> bool {
    if !s.contains('%') {
        return true;
    }
    let b = s.as_bytes();
    let mut bytes = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let digit = |j: usize| b.get(j).and_then(|c| char::from(*c).to_digit(16));
            let (Some(hi), Some(lo)) = (digit(i + 1), digit(i + 2)) else { return false };
            bytes.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            bytes.push(b[i]);
            i += 1;
        }
    }
    core::str::from_utf8(&bytes).is_ok()
}

impl Delegation {
    /// The SIWX statement the wallet signs (at most 8192 UTF-8 bytes).
    pub fn statement(&self) -> Result<String, Refusal> {
        let scoped = !self.route_scopes.is_empty();
        let scopes = self.route_scopes.join(",");
        let events = self.allowed_events.join(",");
        // Appended in place: a `Vec<&str>` grown by `extend` and joined
        // links the vector's growth paths.
        let mut out = String::new();
        let mut add = |parts: &[&str]| parts.iter().for_each(|p| out.push_str(p));
        add(&[
            "Authorize GitHub Actions workflows whose OIDC subject matches ",
            &self.subject_match,
            " to deploy to run402 project ",
            &self.project_id,
            ".\n\nThe workflows can:\n",
            CAN,
        ]);
        if scoped {
            add(&["\n  - deploy route declarations only within these public path scopes: ", &scopes, "."]);
        }
        add(&["\n\n", CANNOT_CALLS, if scoped { CANNOT_SHIP_SCOPED } else { CANNOT_SHIP }]);
        add(&["\n\nAudience: ", &self.audience, "\nAllowed events: ", &events]);
        if scoped {
            add(&["\nRoute scopes: ", &scopes]);
        }
        add(&[
            "\nRepository ID: ",
            self.github_repository_id.as_deref().unwrap_or("none-soft-bound"),
            "\nExpires: ",
            self.expires_at.as_deref().unwrap_or("never"),
            "\nNonce: ",
            &self.nonce,
            "\n\n",
            REVOKE,
        ]);
        if out.len() > MAX_STATEMENT_BYTES {
            return Err(refusal("the CI delegation statement is longer than 8192 bytes"));
        }
        Ok(out)
    }

    /// The delegation's Resource URI (at most 4096 bytes): every value
    /// RFC 3986-encoded, except route scopes, which the gateway's builder
    /// encodes with plain `encodeURIComponent` (`/admin/*` → `%2Fadmin%2F*`).
    pub fn resource_uri(&self) -> Result<String, Refusal> {
        let mut out = String::from("run402-ci-delegation:v1?");
        let mut part = |name: &str, values: &[String], encode: fn(&str) -> String| {
            if !out.ends_with('?') {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&encode(v));
            }
        };
        let one = core::slice::from_ref;
        part("project_id", one(&self.project_id), rfc3986);
        part("issuer", one(&self.issuer), rfc3986);
        part("audience", one(&self.audience), rfc3986);
        part("subject_match", one(&self.subject_match), rfc3986);
        part("allowed_actions", &[ACTION.into()], rfc3986);
        part("allowed_events", &self.allowed_events, rfc3986);
        if !self.route_scopes.is_empty() {
            part("route_scopes", &self.route_scopes, encode_uri_component);
        }
        if let Some(at) = &self.expires_at {
            part("expires_at", one(at), rfc3986);
        }
        if let Some(id) = &self.github_repository_id {
            part("github_repository_id", one(id), rfc3986);
        }
        part("nonce", one(&self.nonce), rfc3986);
        if out.len() > MAX_URI_BYTES {
            return Err(refusal("the CI delegation Resource URI is longer than 4096 bytes"));
        }
        Ok(out)
    }
}

/// Where and how a delegation is signed (`signCiDelegation`'s options, with
/// the binding URL already resolved against the API base).
pub struct Signing<'a> {
    /// Host name of the bindings URL.
    pub domain: &'a str,
    /// The bindings URL, `<origin>/ci/v1/bindings`.
    pub uri: &'a str,
    pub chain_id: &'a str,
    /// The SIWX nonce; `None`: the first 16 characters of the delegation's.
    pub nonce: Option<&'a str>,
    pub issued_at: &'a str,
    pub expiration_time: &'a str,
}

/// The `signed_delegation` for `createBinding`: a `SIGN-IN-WITH-X` value
/// whose statement and only resource are the delegation's.
pub fn sign(d: &Delegation, key: &PrivateKey, at: &Signing<'_>) -> Result<String, Refusal> {
    let statement = d.statement()?;
    let resource = d.resource_uri()?;
    let message = Message {
        domain: at.domain,
        uri: at.uri,
        statement: &statement,
        chain_id: at.chain_id,
        // The nonce is ASCII hex, so 16 bytes are 16 characters.
        nonce: at.nonce.unwrap_or_else(|| d.nonce.get(..16).unwrap_or(&d.nonce)),
        issued_at: at.issued_at,
        expiration_time: at.expiration_time,
        resources: Some(&[resource.as_str()]),
    };
    message.header(key).map_err(|e| e.to_string())
}

/// `encodeURIComponent` that also escapes `!'()*`: RFC 3986 unreserved only.
fn rfc3986(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in encode_uri_component(s).chars() {
        match c {
            '!' => out.push_str("%21"),
            '\'' => out.push_str("%27"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '*' => out.push_str("%2A"),
            c => out.push(c),
        }
    }
    out
}

// The statement's fixed lines: canonical text the gateway compares byte for
// byte, so it is written exactly as the gateway writes it.
const CAN: &str = "  - deploy function code that runs with this project's runtime authority, including the project's service-role key, the adminDb() bypass-RLS surface, and configured runtime secrets read via process.env;\n  - deploy database migrations, RLS/expose changes, and schema-altering SQL via spec.database.";
const CANNOT_CALLS: &str = "The workflows cannot directly call secrets, domain, subdomain, lifecycle, billing, contracts, or faucet endpoints.";
const CANNOT_SHIP: &str = " They cannot ship spec.secrets, spec.subdomains, spec.routes, spec.checks, or non-current spec.base.";
const CANNOT_SHIP_SCOPED: &str = " They cannot ship spec.secrets, spec.subdomains, spec.checks, non-current spec.base, or route changes outside the delegated route scopes.";
const REVOKE: &str = "Revoke at any time via the run402 CLI or POST /ci/v1/bindings/:id/revoke. Revocation stops future CI gateway requests but does not undo already-deployed code, stop in-flight deploy operations, rotate exfiltrated keys, or remove deployed functions. Recovery from a compromise: revoke the binding, then SIWE-deploy a known-good release that overwrites the malicious code, and rotate any service-role key the deployed code may have read.";
