//! The credentials provider, as the kernel and namespaces see it.
//!
//! The host implements [`Credentials`] with two primitives: does the provider
//! have a method, and call it. Everything else — which methods exist, what
//! they must return, what a wrong shape means — is decided here, in plain
//! Rust, so the rules are the same in every runtime and tested natively.

use crate::prelude::*;
use alloc::fmt;
use core::future::Future;
use core::pin::Pin;

use crate::error::{Error, Result};
use crate::json::{type_name, Json, JsonExt, Shape};
use crate::value::Val;

/// A boxed, non-`Send` future (wasm is single-threaded).
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The provider methods the SDK may call. Required ones first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderMethod {
    GetAuth,
    GetProject,
    SaveProject,
    UpdateProject,
    RemoveProject,
    SetActiveProject,
    GetActiveProject,
    ReadAllowance,
    SaveAllowance,
    CreateAllowance,
    GetAllowancePath,
}

impl ProviderMethod {
    /// The two methods every provider must implement.
    pub const REQUIRED: &'static [ProviderMethod] =
        &[ProviderMethod::GetAuth, ProviderMethod::GetProject];

    /// The JS method name.
    pub fn name(self) -> &'static str {
        match self {
            ProviderMethod::GetAuth => "getAuth",
            ProviderMethod::GetProject => "getProject",
            ProviderMethod::SaveProject => "saveProject",
            ProviderMethod::UpdateProject => "updateProject",
            ProviderMethod::RemoveProject => "removeProject",
            ProviderMethod::SetActiveProject => "setActiveProject",
            ProviderMethod::GetActiveProject => "getActiveProject",
            ProviderMethod::ReadAllowance => "readAllowance",
            ProviderMethod::SaveAllowance => "saveAllowance",
            ProviderMethod::CreateAllowance => "createAllowance",
            ProviderMethod::GetAllowancePath => "getAllowancePath",
        }
    }
}

/// The host side of the bridge.
pub trait Credentials {
    /// Whether the provider implements this method.
    fn has(&self, method: ProviderMethod) -> bool;
    /// Calls the method (sync or async on the JS side) and returns its value.
    /// A throw or rejection becomes an [`Error`]: a Run402 error thrown by the
    /// provider keeps its kind, anything else becomes a `LocalError` naming
    /// the method, with the thrown value as `cause`.
    /// The future may borrow `context` (every caller awaits it at once).
    fn invoke<'a>(&'a self, method: ProviderMethod, args: Vec<Val>, context: &'a str)
        -> LocalFuture<'a, Result<Json>>;
    /// Whether the provider is a CI session's (marked with
    /// `Symbol.for("@run402/sdk/ci-session-credentials")`): deploys then
    /// send no apikey and skip what CI tokens may not do (contract §1.19).
    fn is_ci_session(&self) -> bool {
        false
    }
}

/// A project's keys as the provider returned them.
#[derive(Clone)]
pub struct ProjectKeys {
    pub anon_key: String,
    pub service_key: String,
    /// The provider's object, returned untouched by `projects.keys()`.
    pub raw: Json,
}

// Keys are secrets: Debug shows only that they are there.
impl fmt::Debug for ProjectKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProjectKeys").finish_non_exhaustive()
    }
}

fn wrong_shape(method: ProviderMethod, context: &str, expected: &str, got: &Shape) -> Error {
    Error::local(
        context,
        format!(
            "credentials.{}() returned {} but must return {expected}",
            method.name(),
            type_name(got)
        ),
    )
}

/// `Ok` when the provider has `method`, else [`missing`]'s `LocalError`.
pub fn needs(c: &dyn Credentials, method: ProviderMethod, context: &str, why: &str) -> Result<()> {
    if c.has(method) { Ok(()) } else { Err(missing(method, context, why)) }
}

/// `LocalError` for a namespace method that needs an optional provider method.
pub fn missing(method: ProviderMethod, context: &str, why: &str) -> Error {
    Error::local(
        context,
        format!(
            "This credentials provider does not implement {}(), which {why}",
            method.name()
        ),
    )
}

/// `getAuth`'s arguments: the request path, and `{ method, url }` with the
/// SDK method making the request (`"projects.provision"`) and the full
/// request URL, which a wallet sign-in signs. The kernel awaits the
/// provider itself (see [`crate::kernel::Kernel::send`]).
pub fn auth_args(path: &str, sdk_method: (&str, &str), url: &str) -> Vec<Val> {
    let meta = Val::object().with("method", [sdk_method.0, ".", sdk_method.1].concat()).with("url", url);
    vec![Val::from(path), meta]
}

/// The provider headers in `getAuth`'s answer `v`; `None` when it has none.
pub fn auth_headers(v: Json, context: &str) -> Result<Option<Vec<(String, String)>>> {
    match v.shape() {
        Shape::Undefined | Shape::Null => Ok(None),
        Shape::Object => {
            let mut headers = Vec::new();
            for key in v.keys() {
                let value = v.field(&key).and_then(|x| x.as_string()).ok_or_else(|| {
                    Error::local(
                        context,
                        format!("credentials.getAuth() returned a non-string value for header \"{key}\""),
                    )
                })?;
                headers.push((key, value));
            }
            Ok(Some(headers))
        }
        other => Err(wrong_shape(ProviderMethod::GetAuth, context, "an object of header strings or null", &other)),
    }
}

/// The project's keys, or `None` when the provider does not know it.
pub async fn get_project(c: &dyn Credentials, id: &str, context: &str) -> Result<Option<ProjectKeys>> {
    let m = ProviderMethod::GetProject;
    let v = c.invoke(m, vec![Val::from(id)], context).await?;
    match v.shape() {
        Shape::Undefined | Shape::Null => Ok(None),
        Shape::Object => {
            let (Some(anon_key), Some(service_key)) = (v.str_field("anon_key"), v.str_field("service_key"))
            else {
                return Err(Error::local(
                    context,
                    "credentials.getProject() returned an object without string anon_key and service_key",
                ));
            };
            Ok(Some(ProjectKeys { anon_key, service_key, raw: v }))
        }
        other => Err(wrong_shape(m, context, "{ anon_key, service_key } or null", &other)),
    }
}

/// Like [`get_project`], but a miss is `ProjectNotFound`.
pub async fn require_project(c: &dyn Credentials, id: &str, context: &str) -> Result<ProjectKeys> {
    get_project(c, id, context).await?.ok_or_else(|| Error::project_not_found(id, context))
}

/// The active project id; `None` when unset or when the provider cannot tell.
pub async fn get_active_project(c: &dyn Credentials, context: &str) -> Result<Option<String>> {
    let m = ProviderMethod::GetActiveProject;
    if !c.has(m) {
        return Ok(None);
    }
    let v = c.invoke(m, Vec::new(), context).await?;
    match v.shape() {
        Shape::Undefined | Shape::Null => Ok(None),
        Shape::String => Ok(v.as_string().filter(|s| !s.is_empty())),
        other => Err(wrong_shape(m, context, "a project id string or null", &other)),
    }
}

/// The provider's allowance record (`{ address, privateKey, ... }`), `None`
/// when it has none. Only the address is read here; the record itself is
/// never copied into errors or logs.
pub async fn read_allowance(c: &dyn Credentials, context: &str) -> Result<Option<AllowanceRecord>> {
    allowance_record(c.invoke(ProviderMethod::ReadAllowance, Vec::new(), context).await?, context)
}

/// [`read_allowance`]'s reading of the provider's answer `v`.
pub fn allowance_record(v: Json, context: &str) -> Result<Option<AllowanceRecord>> {
    match v.shape() {
        Shape::Undefined | Shape::Null => Ok(None),
        Shape::Object => match v.str_field("address") {
            Some(address) => Ok(Some(AllowanceRecord { address, raw: v })),
            None => Err(Error::local(context, "credentials.readAllowance() returned an object without a string address")),
        },
        other => Err(wrong_shape(ProviderMethod::ReadAllowance, context, "an allowance object or null", &other)),
    }
}

/// An allowance as the provider returned it.
#[derive(Clone)]
pub struct AllowanceRecord {
    pub address: String,
    /// The provider's object; it holds the private key, so it is never printed.
    pub raw: Json,
}

impl fmt::Debug for AllowanceRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AllowanceRecord").field("address", &self.address).finish_non_exhaustive()
    }
}
