//! Methods as data. Most SDK members are one gateway request: a verb, a path
//! template, an auth rule, a body made from the arguments, and a rule for
//! the result. Such a member declares a [`Route`] in the method table and
//! this one interpreter runs it, so a new endpoint costs a few bytes of data
//! instead of its own compiled future. Members with real behaviour (paying,
//! polling, uploads, provider bookkeeping) stay code ([`crate::surface::Run::Code`]).
//!
//! Order of work, as in every hand-written method: validate every argument
//! (no request on bad input), then resolve the project's keys, then send one
//! request, then shape the result.

use crate::prelude::*;
use crate::args::Args;
use crate::error::Result;
use crate::json::{type_name, Json, JsonExt, Shape};
use crate::kernel::encode::{encode_segments, encode_uri_component, form_encode};
use crate::kernel::{Call, Kernel};
use crate::value::Val;

/// One declared request.
#[derive(Debug, Clone, Copy)]
// Declaration order (repr C): it packs the table a little tighter for
// gzip than the compiler's own order (-29 B).
#[repr(C)]
pub struct Route {
    pub verb: &'static str,
    /// The path. `{id}` is the project id (argument 0), checked so it cannot
    /// change the path and inserted as is, like the reference; `{N}` is
    /// string argument N, non-empty, percent-encoded as a path segment;
    /// `{N.name}` is the same from field `name` of the options object at
    /// argument N; `{N:raw}` is argument N inserted unencoded (the
    /// reference's raw ids), checked like a project id; `{N/}` is string
    /// argument N encoded segment by segment, its slashes kept (blob keys).
    pub path: &'static str,
    pub auth: Auth,
    /// Query parameters, in order; absent optional ones are left out.
    pub query: &'static [Field],
    pub body: RouteBody,
    /// Extra headers: fixed values, or from the arguments.
    pub headers: &'static [(&'static str, Src)],
    pub result: Out,
    /// A priced endpoint: a 402 is paid within the spend policy, and the
    /// request carries an `Idempotency-Key` (the caller's `idempotencyKey`
    /// in the method's options, else the `withRetry` scope's, else fresh).
    pub paid: bool,
    /// Where the project whose keys the route sends comes from.
    pub project: ProjectFrom,
}

/// Where a route's project comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectFrom {
    /// Argument 0, required whenever the auth or the path needs it.
    Arg0,
    /// `projectId` of the options object at argument N (an empty one counts
    /// as none, as in the reference); without it, the provider's active
    /// project when `or_active` (a LocalError if there is none either),
    /// else no project: the keys are left out and only the provider's
    /// headers go (`domains.remove`).
    Option { index: usize, or_active: bool },
    /// Field `name` of the options object at argument N, taken as is: it
    /// only selects the keys (never `{id}`). An empty one counts as none;
    /// `required`: then a LocalError.
    /// `or_string`: argument N may be the project id itself instead
    /// (`deploy.list(projectOrOpts)`).
    Field { index: usize, name: &'static str, required: bool, or_string: bool },
}

/// Which credentials the request carries (contract §1 "auth" column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Auth {
    /// `apikey: <key>`.
    pub apikey: Key,
    /// `Authorization: Bearer <key>`.
    pub bearer: Key,
    /// Merge the provider's `getAuth` headers (`+P`), under the kernel's
    /// precedence rules: a request that sets Authorization owns it.
    pub provider: bool,
}

/// A credential a route sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    None,
    /// The anon key of the project in argument 0.
    Anon,
    /// The service key of the project in argument 0.
    Service,
    /// A caller-supplied token (a user's access token), a non-empty string.
    Token(Src),
    /// The project's anon key when the provider knows the project and the
    /// client is not a CI session, else nothing (deploy's reads).
    AnonIfKnown,
}

/// The base most routes are written over (`Route { path, ..SERVICE_GET }`):
/// a GET with the service key of the project in argument 0 (SK+P), no
/// query, body or extra headers, resolving to the response body.
pub const SERVICE_GET: Route = Route {
    verb: "GET",
    path: "",
    auth: SERVICE_KEY,
    query: &[],
    body: RouteBody::None,
    headers: &[],
    result: Out::Body,
    paid: false,
    project: ProjectFrom::Arg0,
};

/// The same with no credentials at all (`none`).
pub const PUBLIC_GET: Route = Route { auth: PUBLIC, ..SERVICE_GET };

/// `none`: no credentials at all; the provider is not asked.
pub const PUBLIC: Auth = Auth { apikey: Key::None, bearer: Key::None, provider: false };
/// `P`: the provider's headers (a wallet sign-in).
pub const PROVIDER: Auth = Auth { apikey: Key::None, bearer: Key::None, provider: true };
/// `SK+P`: the project's service key as bearer, provider headers merged.
pub const SERVICE_KEY: Auth = Auth { apikey: Key::None, bearer: Key::Service, provider: true };
/// `AK(anon)+AB(anon)+P`: what a signed-out app user sends.
pub const ANON: Auth = Auth { apikey: Key::Anon, bearer: Key::Anon, provider: true };
/// `AK(anon)+SK+P`: project-admin auth calls.
pub const ANON_SERVICE: Auth = Auth { apikey: Key::Anon, bearer: Key::Service, provider: true };

/// `AK(anon)+UT+P`: a signed-in user's own calls, the token taken from `src`.
pub const fn user_token(src: Src) -> Auth {
    Auth { apikey: Key::Anon, bearer: Key::Token(src), provider: true }
}

impl Auth {
    /// Whether the route needs the project's keys from the provider.
    fn needs_keys(&self) -> bool {
        matches!(self.apikey, Key::Anon | Key::Service) || matches!(self.bearer, Key::Anon | Key::Service)
    }
}

/// Where a value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Src {
    /// Argument N.
    Arg(usize),
    /// Field `name` of the options object at argument N.
    Opt(usize, &'static str),
    /// A fixed text.
    Const(&'static str),
}

/// How a value is checked and written. Optional kinds leave the field out
/// when it is absent (`undefined` or `null`).
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string that is not empty or blank.
    Str,
    /// An optional string, left out when empty (the reference's "if truthy").
    OptStr,
    /// An optional string sent as given, "" too (the reference's `!== undefined`).
    OptText,
    /// `true` or `false`.
    Bool,
    OptBool,
    /// A whole number from 1 to 2^53 - 1.
    PosInt,
    OptPosInt,
    /// A string, or `null` sent as `null` (clearing a setting); required.
    StrOrNull,
    /// Any caller value, sent as its JSON (arrays, nested objects).
    OptJson,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// One of these strings, or absent.
    OptOneOf(&'static [&'static str]),
    /// One of these strings; the given default when absent.
    OneOfOr(&'static [&'static str], &'static str),
    /// An array of strings. In a query, one `name=value` per item, each
    /// value percent-encoded as a URI component (the reference's repeated
    /// `tag=`); none for an empty array.
    OptStrList,
    /// A namespace's own rule, for values the kinds above cannot express
    /// (an EVM address, a wei amount, a field with an alias).
    Rule(Rule),
}

/// Checks and shapes one value: given the caller's value at the field's
/// source (`None` when absent), returns what goes on the wire (`None`
/// leaves the field out) or the LocalError; `name` is the field's name for
/// messages. Plain code outside the call's future, like the other kinds.
pub type Rule = fn(&Args, &'static str, Option<Json>) -> Result<Option<Val>>;

/// One query parameter or body field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The wire name.
    pub name: &'static str,
    pub from: Src,
    pub kind: Kind,
}

/// A body or query field (`{name, from, kind}` in the table).
pub const fn field(name: &'static str, from: Src, kind: Kind) -> Field {
    Field { name, from, kind }
}

/// The request body.
#[derive(Debug, Clone, Copy)]
pub enum RouteBody {
    None,
    /// `{}`.
    Empty,
    /// Argument N, a plain object, sent as its JSON.
    Object(usize),
    /// A JSON object of required non-empty string arguments: `(field, N)`.
    Strings(&'static [(&'static str, usize)]),
    /// A JSON object built field by field, in order.
    Fields(&'static [Field]),
    /// Argument N, a plain object sent as its JSON, which may carry only
    /// these fields, each `Src::Opt(N, its name)` checked by its kind (N
    /// read from the first): the reference refuses an unknown field
    /// locally, before any request.
    Only(&'static [Field]),
}

/// What the call resolves to.
#[derive(Debug, Clone, Copy)]
pub enum Out {
    /// The decoded body, untouched.
    Body,
    /// `undefined`.
    Void,
    /// The array in this field of the body; `[]` when it is missing.
    List(&'static str),
    /// The decoded body, with the namespace's own steps around the request.
    Guarded(&'static Guard),
}

/// A namespace's own steps around a route's request (deploy's operation
/// reads: the `op_` check, errors as Run402DeployErrors).
#[derive(Debug, Clone, Copy)]
pub struct Guard {
    /// Runs before any argument is read.
    pub check: fn(&Args) -> Result<()>,
    /// What the request's error becomes; `None` leaves it as it is.
    pub error: Option<fn(&Args, crate::error::Error) -> crate::error::Error>,
}

/// A placeholder of a path template.
enum Slot<'t> {
    ProjectId,
    /// Argument N (or field `name` of the options at N), encoded.
    Arg(usize, Option<&'t str>),
    /// Argument N inserted as is, checked like a project id.
    Raw(usize),
    /// Argument N, an account identifier (a wallet or an email), encoded;
    /// a `0x…` one lower-cased first (addresses are case-insensitive).
    Account(usize),
    /// Argument N encoded per `/`-separated segment.
    Segments(usize),
}

/// Splits `path` at its first placeholder: (literal before, slot, rest).
fn next_slot(path: &str) -> Option<(&str, Slot<'_>, &str)> {
    let (literal, rest) = path.split_once('{')?;
    let (name, tail) = rest.split_once('}')?;
    if name == "id" {
        return Some((literal, Slot::ProjectId, tail));
    }
    // An argument index (one digit: no method takes ten arguments), then
    // nothing, `.field` or `:raw`.
    let index = usize::from(name.as_bytes().first()?.checked_sub(b'0').filter(|d| *d <= 9)?);
    let slot = match name.get(1..)? {
        "" => Slot::Arg(index, None),
        ":raw" => Slot::Raw(index),
        ":0x" => Slot::Account(index),
        "/" => Slot::Segments(index),
        field => Slot::Arg(index, Some(field.strip_prefix('.')?)),
    };
    Some((literal, slot, tail))
}

/// Whether the template has `{id}` (a byte scan: no substring searcher set
/// up on every call).
fn has_project_slot(path: &str) -> bool {
    path.as_bytes().windows(4).any(|w| w == b"{id}")
}

/// The path with every placeholder filled from the arguments; `project` is
/// the checked project id when the route uses one.
fn expand(a: &Args, template: &'static str, project: Option<&str>) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some((literal, slot, tail)) = next_slot(rest) {
        out.push_str(literal);
        match slot {
            // `run` checks the id whenever the template has `{id}`.
            Slot::ProjectId => out.push_str(project.unwrap_or_default()),
            Slot::Arg(i, field) => {
                let from = field.map_or(Src::Arg(i), |f| Src::Opt(i, f));
                out.push_str(&encode_uri_component(&segment_text(a, from)?));
            }
            Slot::Segments(i) => out.push_str(&encode_segments(&required_text(a, Src::Arg(i))?)),
            Slot::Raw(i) => {
                let text = segment_text(a, Src::Arg(i))?;
                let name = a.param_name(i);
                check_path_segment(&text).map_err(|why| a.error(["`", name, "` ", &why].concat()))?;
                out.push_str(&text);
            }
            Slot::Account(i) => {
                let text = segment_text(a, Src::Arg(i))?;
                let text = if text.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x")) { text.to_ascii_lowercase() } else { text };
                out.push_str(&encode_uri_component(&text));
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    Ok(out)
}

/// The longest value a path segment takes. No gateway id or name comes
/// near it, servers refuse longer URLs (414), and a value of megabytes would
/// otherwise be copied, encoded and handed to fetch (path and headers).
const MAX_SEGMENT: usize = 2048;

/// A required non-empty string for a path segment, at most [`MAX_SEGMENT`] bytes.
fn segment_text(a: &Args, from: Src) -> Result<String> {
    let text = required_text(a, from)?;
    if text.len() > MAX_SEGMENT {
        return Err(a.error(["`", name_of(a, from), "` is too long for a URL path (at most 2048 bytes)"].concat()));
    }
    Ok(text)
}

/// What a raw path segment may not be: anything that changes the path's
/// meaning (the rules for project ids, which go in unencoded too).
fn check_path_segment(text: &str) -> core::result::Result<(), String> {
    crate::args::check_project_id(text).map_err(|m| m.strip_prefix("`projectId` ").unwrap_or(&m).to_string())
}

/// `projectId` of the options object at `index`, checked; `None` when it
/// is absent or empty.
fn option_project(a: &Args, index: usize) -> Result<Option<String>> {
    let Some(opts) = a.opt_object(index, a.param_name(index))? else { return Ok(None) };
    let Some(id) = a.opt_field_string(&opts, "projectId")?.filter(|id| !id.is_empty()) else { return Ok(None) };
    crate::args::check_project_id(&id).map_err(|m| a.error(m))?;
    Ok(Some(id))
}

/// The project of [`ProjectFrom::Field`].
fn field_project(a: &Args, index: usize, name: &'static str, required: bool, or_string: bool) -> Result<Option<String>> {
    let id = match a.get(index).and_then(|v| v.as_string()) {
        Some(id) if or_string => Some(id),
        _ => match a.opt_object(index, a.param_name(index))? {
            Some(opts) => a.opt_field_string(&opts, name)?,
            None => None,
        },
    };
    match id.filter(|id| !id.is_empty()) {
        None if required => Err(a.error(["`", name, "` is required"].concat())),
        id => Ok(id),
    }
}

/// The name errors use for a value: the parameter's, or the option field's.
fn name_of(a: &Args, from: Src) -> &'static str {
    match from {
        Src::Arg(i) => a.param_name(i),
        Src::Opt(_, field) => field,
        Src::Const(_) => "value",
    }
}

/// The caller's value at `from`, `None` when absent (`undefined`/`null`).
/// An options object that is there must be an object.
fn lookup(a: &Args, from: Src) -> Result<Option<Json>> {
    Ok(match from {
        Src::Arg(i) => a.get(i).cloned(),
        Src::Opt(i, field) => match a.opt_object(i, a.param_name(i))? {
            Some(options) => options.field(field).filter(|v| !v.is_nullish()),
            None => None,
        },
        Src::Const(text) => Some(crate::json::Native::string(text)),
    })
}

/// A required non-empty string.
fn required_text(a: &Args, from: Src) -> Result<String> {
    match checked(a, from, Kind::Str)? {
        Some(Val::Str(s)) => Ok(s),
        _ => Err(a.error(["`", name_of(a, from), "` is required"].concat())),
    }
}

/// The value at `from`, checked as `kind`; `None` for an absent optional.
fn checked(a: &Args, from: Src, kind: Kind) -> Result<Option<Val>> {
    let name = name_of(a, from);
    let value = lookup(a, from)?;
    if let Kind::Rule(rule) = kind {
        return rule(a, name, value);
    }
    let expected = |what: &str, got: &Shape| a.error(["`", name, "` must be ", what, ", got ", type_name(got)].concat());
    let Some(v) = value else {
        return match kind {
            Kind::Str => Err(expected("a string", &Shape::Undefined)),
            Kind::Bool => Err(expected("a boolean", &Shape::Undefined)),
            Kind::PosInt => Err(expected("a positive whole number", &Shape::Undefined)),
            // `null` is a value here (it clears the setting); undefined is not.
            Kind::StrOrNull => match from {
                Src::Arg(i) if a.is_null(i) => Ok(Some(Val::Null)),
                _ => Err(expected("a string or null", &Shape::Undefined)),
            },
            Kind::OneOf(_) => Err(expected("a string", &Shape::Undefined)),
            Kind::OneOfOr(_, default) => Ok(Some(Val::Str(default.to_string()))),
            Kind::OptStr | Kind::OptText | Kind::OptBool | Kind::OptPosInt | Kind::OptJson | Kind::OptStrList | Kind::OptOneOf(_) | Kind::Rule(_) => Ok(None),
        };
    };
    let shape = v.shape();
    Ok(match kind {
        Kind::Str | Kind::OptStr | Kind::OptText | Kind::StrOrNull => {
            let Some(text) = v.as_string() else {
                return Err(expected(if matches!(kind, Kind::StrOrNull) { "a string or null" } else { "a string" }, &shape));
            };
            if matches!(kind, Kind::Str) && text.trim().is_empty() {
                return Err(a.error(["`", name, "` must not be empty"].concat()));
            }
            (!matches!(kind, Kind::OptStr) || !text.is_empty()).then_some(Val::Str(text))
        }
        Kind::Bool | Kind::OptBool => match shape {
            Shape::Bool(b) => Some(Val::Bool(b)),
            // A flag fixed by the table: `Src::Const("true")` (auth.inviteUser's `send_invite`).
            Shape::String if matches!(from, Src::Const(_)) => Some(Val::Bool(v.as_string().as_deref() == Some("true"))),
            other => return Err(expected("a boolean", &other)),
        },
        Kind::PosInt | Kind::OptPosInt => match shape {
            Shape::Number(n) if (1.0..=9_007_199_254_740_991.0).contains(&n) && crate::num::is_whole(n) => Some(Val::Json(v)),
            other => return Err(expected("a positive whole number", &other)),
        },
        Kind::OptJson => Some(Val::Json(v)),
        Kind::OptStrList => match shape {
            Shape::Array(n) => match (0..n).map(|i| v.item(i).map_or(Shape::Undefined, |item| item.shape())).find(|s| *s != Shape::String) {
                None => Some(Val::Json(v)),
                Some(bad) => return Err(a.error(["`", name, "` must be an array of strings, got an array holding ", type_name(&bad)].concat())),
            },
            other => return Err(expected("an array of strings", &other)),
        },
        Kind::Rule(_) => None,
        Kind::OneOf(values) | Kind::OptOneOf(values) | Kind::OneOfOr(values, _) => {
            let Some(text) = v.as_string() else { return Err(expected("a string", &shape)) };
            if !values.contains(&text.as_str()) {
                return Err(a.error(["`", name, "` must be one of ", &values.join(", "), ", got \"", &text, "\""].concat()));
            }
            Some(Val::Str(text))
        }
    })
}

fn body(a: &Args, rule: RouteBody) -> Result<Option<Val>> {
    Ok(match rule {
        RouteBody::None => None,
        RouteBody::Empty => Some(Val::object()),
        RouteBody::Object(i) => Some(Val::Json(object_arg(a, i)?)),
        RouteBody::Only(fields) => {
            let i = match fields.first().map(|f| f.from) {
                Some(Src::Opt(i, _)) => i,
                _ => return Err(a.error("a body of known fields names no options argument")),
            };
            let obj = object_arg(a, i)?;
            if let Some(key) = obj.keys().into_iter().find(|k| !fields.iter().any(|f| f.name == k)) {
                return Err(a.error(["`", a.param_name(i), "` has no field `", &key, "`"].concat()));
            }
            for f in fields {
                checked(a, f.from, f.kind)?;
            }
            Some(Val::Json(obj))
        }
        RouteBody::Strings(fields) => {
            let mut out = Val::object();
            for (field, i) in fields {
                out = out.with(field, a.non_empty(*i, a.param_name(*i))?);
            }
            Some(out)
        }
        RouteBody::Fields(fields) => {
            let mut out = Val::object();
            for f in fields {
                if let Some(v) = checked(a, f.from, f.kind)? {
                    out = out.with(f.name, v);
                }
            }
            Some(out)
        }
    })
}

fn object_arg(a: &Args, i: usize) -> Result<Json> {
    let name = a.param_name(i);
    a.opt_object(i, name)?.ok_or_else(|| a.error(format!("`{name}` must be an object")))
}

/// `?name=value&...` as `URLSearchParams` writes it ("" when empty).
fn query(a: &Args, fields: &[Field]) -> Result<String> {
    let mut out = String::new();
    for f in fields {
        let value = checked(a, f.from, f.kind)?;
        if let (Kind::OptStrList, Some(Val::Json(list))) = (f.kind, &value) {
            let Shape::Array(n) = list.shape() else { continue };
            for item in (0..n).filter_map(|i| list.item(i)?.as_string()) {
                out.push(if out.is_empty() { '?' } else { '&' });
                out.push_str(&form_encode(f.name));
                out.push('=');
                out.push_str(&encode_uri_component(&item));
            }
            continue;
        }
        let text = match value {
            Some(Val::Str(s)) => s,
            Some(Val::Bool(b)) => (if b { "true" } else { "false" }).to_string(),
            Some(Val::Json(j)) => j.number_text().unwrap_or_default(),
            _ => continue,
        };
        out.push(if out.is_empty() { '?' } else { '&' });
        out.push_str(&form_encode(f.name));
        out.push('=');
        out.push_str(&form_encode(&text));
    }
    Ok(out)
}

/// A method table entry for a declared route.
pub const fn route(r: Route) -> crate::surface::Run {
    crate::surface::Run::Route(r)
}

/// Checks a call's arguments exactly as [`run`] will, sending nothing: for
/// a member that must look something up (the email namespace's mailbox)
/// between its checks and its request.
pub fn check(a: &Args, route: &Route) -> Result<()> {
    prepare(a, route).map(drop)
}

/// Runs a declared route for one call.
pub async fn run(k: &Kernel, a: Args, route: &'static Route) -> Result<Val> {
    // Everything but the keys and the exchange is plain code, outside the
    // future: a smaller state machine, and no request on bad input.
    let (mut call, mut project) = prepare(&a, route)?;
    if let (None, ProjectFrom::Option { or_active: true, .. }) = (&project, route.project) {
        let active = crate::credentials::get_active_project(k.credentials.as_ref(), a.context).await?.ok_or_else(|| {
            a.error("needs `opts.projectId` or an active project (set one with r.projects.use(id), or pass it)")
        })?;
        crate::args::check_project_id(&active).map_err(|m| a.error(m))?;
        project = Some(active);
    }
    // One provider lookup serves both rules (no route has both): the keys
    // the route sends, and deploy's anon key when the provider knows the
    // project. One await site, since each inlines the lookup's future.
    if let Some(id) = project {
        let if_known = route.auth.apikey == Key::AnonIfKnown && !k.credentials.is_ci_session();
        let needs_keys = route.auth.needs_keys();
        let found = if if_known || needs_keys {
            crate::credentials::get_project(k.credentials.as_ref(), &id, a.context).await?
        } else {
            None
        };
        if found.is_none() && needs_keys {
            return Err(crate::error::Error::project_not_found(&id, a.context));
        }
        if let Some(keys) = found {
            let key = |which: Key| match which {
                Key::Anon => Some(keys.anon_key.as_str()),
                Key::AnonIfKnown if if_known => Some(keys.anon_key.as_str()),
                Key::Service => Some(keys.service_key.as_str()),
                _ => None,
            };
            if let Some(apikey) = key(route.auth.apikey) {
                call = call.header("apikey", apikey);
            }
            if let Some(bearer) = key(route.auth.bearer) {
                call = call.bearer(bearer);
            }
        }
    }
    let reply = match (k.send(call).await, route.result) {
        (Err(e), Out::Guarded(Guard { error: Some(translate), .. })) => return Err(translate(&a, e)),
        (reply, _) => reply?,
    };
    Ok(match route.result {
        Out::Body | Out::Guarded(_) => reply.body,
        Out::Void => Val::Undefined,
        Out::List(name) => match reply.json().and_then(|b| b.field(name)) {
            Some(list) if matches!(list.shape(), Shape::Array(_)) => Val::Json(list),
            _ => Val::Arr(Vec::new()),
        },
    })
}

/// The request with every argument checked and placed, less the project's
/// keys; and the checked project id if the route uses one.
fn prepare(a: &Args, route: &Route) -> Result<(Call, Option<String>)> {
    let auth = route.auth;
    if let Out::Guarded(g) = route.result {
        (g.check)(a)?;
    }
    // Checked once, before the other arguments, for the path and the keys.
    let project = match route.project {
        ProjectFrom::Arg0 if auth.needs_keys() || has_project_slot(route.path) => Some(a.project_id(0)?),
        ProjectFrom::Arg0 => None,
        ProjectFrom::Option { index, .. } => option_project(a, index)?,
        ProjectFrom::Field { index, name, required, or_string } => field_project(a, index, name, required, or_string)?,
    };
    let mut path = expand(a, route.path, project.as_deref())?;
    if !route.query.is_empty() {
        path.push_str(&query(a, route.query)?);
    }
    let payload = body(a, route.body)?;
    let mut call = a.call(route.verb, path);
    if route.paid {
        let options = match a.params.iter().position(|p| p.call_options) {
            Some(i) => a.opt_object(i, a.param_name(i))?,
            None => None,
        };
        call = a.paid(call, options.as_ref())?;
    }
    for (name, from) in route.headers {
        let value = match from {
            Src::Const(text) => Some((*text).to_string()),
            Src::Arg(_) => Some(required_text(a, *from)?),
            Src::Opt(..) => match checked(a, *from, Kind::OptStr)? {
                Some(Val::Str(s)) => Some(s),
                _ => None,
            },
        };
        if let Some(value) = value {
            call = call.header(name, value);
        }
    }
    if let Key::Token(from) = auth.bearer {
        call = call.bearer(&required_text(a, from)?);
    }
    if !auth.provider {
        call = call.no_auth();
    }
    if let Some(v) = payload {
        call = call.json(v);
    }
    Ok((call, project))
}

#[cfg(test)]
mod tests;
