//! The `ReleaseSpec` family's shape as data (contract §3.10, §3.2): per
//! object its fields, each field's type and whether it is required. One
//! walker ([`super::check`]) reads any caller value against it, so adding a
//! field is a table row, not code. Field order is the order the reference
//! lists them in (the "allowed" list of an unknown-field error). What a type
//! cannot say (either-or fields, route targets, secret key syntax) is a
//! per-object rule in [`super::rules`], run once the object's fields passed.
//!
//! Field names are the reference's at v1.69.7 (camelCase `contentType`,
//! `timeoutSeconds`, `memoryMb`; snake_case elsewhere).

use super::path::Path;
use super::rules;
use super::SpecError;
use crate::json::Json;

/// What a field holds.
pub(super) enum Ty {
    Str,
    /// A non-empty string; the message says what it names.
    Name(&'static str),
    /// A JSON number that is an exact integer in `0..=2^53-1`.
    Int,
    /// An [`Ty::Int`] of at least 1.
    Positive,
    Bool,
    /// One of these strings.
    Enum(&'static [&'static str]),
    Obj(&'static Schema),
    /// Any plain object, passed to the gateway as written (smoke checks,
    /// the expose manifest: the gateway validates those).
    AnyObj,
    /// An object keyed by caller names (file paths, function names).
    Map(&'static Ty),
    Arr(&'static Ty),
    /// Bytes for a file, a function source: a string, a host byte value,
    /// `{ data, contentType? }`, an fs-file marker or a ContentRef.
    Content,
}

pub(super) struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

/// A check on a whole object, after its fields have their types; `given`
/// says which fields are there and not `null`, without asking the host again.
pub(super) type Rule = fn(&Json, &Given<'_>, &Path<'_>) -> Result<(), SpecError>;

/// Which of an object's fields the caller gave (present and not `null`),
/// one bit per field in table order (every schema has far fewer than 64).
pub(super) struct Given<'s> {
    pub fields: &'s [Field],
    pub mask: u64,
}

impl Given<'_> {
    pub(super) fn has(&self, name: &str) -> bool {
        self.fields.iter().position(|f| f.name == name).is_some_and(|i| self.mask & (1 << i) != 0)
    }
}

/// An object's fields; any other field is refused.
pub(super) struct Schema {
    pub fields: &'static [Field],
    pub rule: Option<Rule>,
}

const fn opt(name: &'static str, ty: Ty) -> Field {
    Field { name, ty, required: false }
}

const fn req(name: &'static str, ty: Ty) -> Field {
    Field { name, ty, required: true }
}

const STRINGS: Ty = Ty::Arr(&Ty::Str);

pub(super) const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// A whole release, or the parts of it that change. `routes: null` keeps
/// the current routes, like leaving it out; `null` anywhere else optional
/// reads as absent too, as the reference's normalizer treats it.
pub(super) static RELEASE_SPEC: Schema = Schema {
    fields: &[
        req("project", Ty::Name("must be a non-empty project id")),
        opt("base", Ty::Obj(&BASE)),
        opt("database", Ty::Obj(&DATABASE)),
        opt("secrets", Ty::Obj(&SECRETS)),
        opt("functions", Ty::Obj(&FUNCTIONS)),
        opt("site", Ty::Obj(&SITE)),
        opt("subdomains", Ty::Obj(&SUBDOMAINS)),
        opt("routes", Ty::Obj(&ROUTES)),
        opt("checks", Ty::Arr(&Ty::AnyObj)),
    ],
    rule: Some(rules::release_spec),
};

/// The release the new one is diffed against.
static BASE: Schema = Schema {
    fields: &[opt("release", Ty::Enum(&["current", "empty"])), opt("release_id", Ty::Str)],
    rule: Some(rules::base),
};

static DATABASE: Schema = Schema {
    fields: &[
        opt("migrations", Ty::Arr(&Ty::Obj(&MIGRATION))),
        opt("expose", Ty::AnyObj),
        opt("zero_downtime", Ty::Bool),
    ],
    rule: None,
};

static MIGRATION: Schema = Schema {
    fields: &[
        req("id", Ty::Name("must be a non-empty migration id")),
        opt("checksum", Ty::Str),
        opt("sql", Ty::Str),
        opt("sql_ref", Ty::Obj(&CONTENT_REF)),
        opt("transaction", Ty::Enum(&["required", "none"])),
    ],
    rule: Some(rules::migration),
};

/// Value-free: values are set with `secrets.set` before the deploy.
static SECRETS: Schema = Schema { fields: &[opt("require", STRINGS), opt("delete", STRINGS)], rule: Some(rules::secrets) };

static FUNCTIONS: Schema = Schema {
    fields: &[opt("replace", Ty::Map(&Ty::Obj(&FUNCTION))), opt("patch", Ty::Obj(&FUNCTIONS_PATCH))],
    rule: None,
};

static FUNCTIONS_PATCH: Schema = Schema {
    fields: &[opt("set", Ty::Map(&Ty::Obj(&FUNCTION))), opt("delete", STRINGS)],
    rule: None,
};

static FUNCTION: Schema = Schema {
    fields: &[
        opt("runtime", Ty::Enum(&["node22"])),
        opt("source", Ty::Content),
        opt("files", Ty::Map(&Ty::Content)),
        opt("entrypoint", Ty::Str),
        opt("config", Ty::Obj(&FUNCTION_CONFIG)),
        // A cron expression; `null` removes the schedule.
        opt("schedule", Ty::Str),
    ],
    rule: None,
};

static FUNCTION_CONFIG: Schema = Schema {
    fields: &[opt("timeoutSeconds", Ty::Positive), opt("memoryMb", Ty::Positive)],
    rule: None,
};

static SITE: Schema = Schema {
    fields: &[
        // The whole site: paths absent here are removed.
        opt("replace", Ty::Map(&Ty::Content)),
        opt("patch", Ty::Obj(&SITE_PATCH)),
        opt("public_paths", Ty::Obj(&PUBLIC_PATHS)),
    ],
    rule: Some(rules::site),
};

static SITE_PATCH: Schema = Schema { fields: &[opt("put", Ty::Map(&Ty::Content)), opt("delete", STRINGS)], rule: None };

static PUBLIC_PATHS: Schema = Schema {
    fields: &[req("mode", Ty::Enum(&["implicit", "explicit"])), opt("replace", Ty::Map(&Ty::Obj(&PUBLIC_PATH)))],
    rule: Some(rules::public_paths),
};

static PUBLIC_PATH: Schema = Schema {
    fields: &[req("asset", Ty::Name("must be a non-empty release asset path")), opt("cache_class", Ty::Str)],
    rule: None,
};

static SUBDOMAINS: Schema = Schema {
    fields: &[opt("set", STRINGS), opt("add", STRINGS), opt("remove", STRINGS)],
    rule: Some(rules::subdomains),
};

static ROUTES: Schema = Schema { fields: &[req("replace", Ty::Arr(&Ty::Obj(&ROUTE)))], rule: None };

static ROUTE: Schema = Schema {
    fields: &[req("pattern", Ty::Name("must be a non-empty string")), opt("methods", Ty::Arr(&Ty::Enum(METHODS))), req("target", Ty::Obj(&ROUTE_TARGET))],
    rule: Some(rules::route),
};

/// `{ type: "function", name }` or `{ type: "static", file }` (the route rule).
static ROUTE_TARGET: Schema = Schema {
    fields: &[req("type", Ty::Enum(&["function", "static"])), opt("name", Ty::Str), opt("file", Ty::Str)],
    rule: None,
};

/// A content-addressed object the gateway may already hold.
static CONTENT_REF: Schema = Schema {
    fields: &[req("sha256", Ty::Str), req("size", Ty::Int), opt("contentType", Ty::Str), opt("integrity", Ty::Str)],
    rule: Some(rules::content_ref),
};

/// Every field an object content source may have; which form it is depends
/// on which are present (`rules::content_form`).
pub(super) static CONTENT_OBJECT: Schema = Schema {
    fields: &[
        opt("data", Ty::Content),
        opt("contentType", Ty::Str),
        opt("__source", Ty::Enum(&["fs-file"])),
        opt("path", Ty::Str),
        opt("sha256", Ty::Str),
        opt("size", Ty::Int),
        opt("integrity", Ty::Str),
    ],
    rule: None,
};
