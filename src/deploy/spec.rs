//! The `ReleaseSpec` family (contract §3.10, §3.2), as the caller writes it:
//! `r.deploy.apply(spec)`, `plan`, `start`. Shapes and field names are the
//! reference's at v1.69.7 (camelCase `contentType`, `timeoutSeconds`,
//! `memoryMb`; snake_case elsewhere). Every struct rejects unknown fields;
//! the rules serde cannot say (either-or fields, route targets, secret key
//! syntax) are in [`super::rules`].

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::de::{take_captured, Captured, BYTES, RAW};
use crate::json::{Json, Shape};
use crate::kernel::HostBody;

/// What a content position accepts, for messages.
pub(super) const CONTENT_SOURCE: &str =
    "a string, Uint8Array, ArrayBuffer, Blob, ReadableStream, { data, contentType } or a ContentRef";

/// A whole release, or the parts of it that change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseSpec {
    pub project: String,
    pub base: Option<Base>,
    pub database: Option<Database>,
    pub secrets: Option<Secrets>,
    pub functions: Option<Functions>,
    pub site: Option<Site>,
    pub subdomains: Option<Subdomains>,
    /// Absent: routes carry forward; `null` too (the key is still sent).
    #[serde(default)]
    pub routes: Nullable<Routes>,
    /// Smoke checks, passed to the gateway as written.
    pub checks: Option<Vec<JsonObject>>,
}

/// The release the new one is diffed against.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Base {
    pub release: Option<BaseRelease>,
    pub release_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaseRelease {
    Current,
    Empty,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub migrations: Option<Vec<Migration>>,
    /// The authorization manifest: the gateway validates its schema.
    pub expose: Option<JsonObject>,
    pub zero_downtime: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Migration {
    pub id: String,
    pub checksum: Option<String>,
    pub sql: Option<String>,
    pub sql_ref: Option<ContentRef>,
    pub transaction: Option<Transaction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transaction {
    Required,
    None,
}

/// Value-free: values are set with `secrets.set` before the deploy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    pub require: Option<Vec<String>>,
    pub delete: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Functions {
    pub replace: Option<Entries<Function>>,
    pub patch: Option<FunctionsPatch>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionsPatch {
    pub set: Option<Entries<Function>>,
    pub delete: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    pub runtime: Option<Runtime>,
    pub source: Option<ContentSource>,
    pub files: Option<Entries<ContentSource>>,
    pub entrypoint: Option<String>,
    pub config: Option<FunctionConfig>,
    /// A cron expression; `null` removes the schedule.
    #[serde(default)]
    pub schedule: Nullable<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Runtime {
    #[serde(rename = "node22")]
    Node22,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionConfig {
    #[serde(rename = "timeoutSeconds")]
    pub timeout_seconds: Option<u64>,
    #[serde(rename = "memoryMb")]
    pub memory_mb: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// The whole site: paths absent here are removed.
    pub replace: Option<Entries<ContentSource>>,
    pub patch: Option<SitePatch>,
    pub public_paths: Option<PublicPaths>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SitePatch {
    pub put: Option<Entries<ContentSource>>,
    pub delete: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicPaths {
    pub mode: PublicPathsMode,
    pub replace: Option<Entries<PublicPath>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PublicPathsMode {
    Implicit,
    Explicit,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicPath {
    pub asset: String,
    pub cache_class: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subdomains {
    pub set: Option<Vec<String>>,
    pub add: Option<Vec<String>>,
    pub remove: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routes {
    pub replace: Vec<Route>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub pattern: String,
    pub methods: Option<Vec<Method>>,
    pub target: RouteTarget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Method {
    GET,
    HEAD,
    POST,
    PUT,
    PATCH,
    DELETE,
    OPTIONS,
}

/// `{ type: "function", name }` or `{ type: "static", file }`; one struct
/// rather than a tagged enum, which serde would buffer (losing the path).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteTarget {
    #[serde(rename = "type")]
    pub kind: TargetKind,
    pub name: Option<String>,
    pub file: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Function,
    Static,
}

/// A content-addressed object the gateway may already hold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentRef {
    pub sha256: String,
    pub size: u64,
    #[serde(rename = "contentType")]
    pub content_type: Option<String>,
    pub integrity: Option<String>,
}

/// Bytes for a file, a function source or a migration (contract §3.2).
#[derive(Debug)]
pub enum ContentSource {
    /// UTF-8 text.
    Text(String),
    /// A `Uint8Array` (any byte view), `ArrayBuffer`, `Blob` or
    /// `ReadableStream`: the host value itself, never copied into wasm.
    Bytes(HostBody),
    /// `{ data, contentType? }`: `contentType` overrides the inner one.
    Wrapped { data: Box<ContentSource>, content_type: Option<String> },
    /// `{ __source: "fs-file", path, contentType? }` from the Node entry's
    /// `fileSetFromDir` (only Node can read it).
    FsFile { path: String, content_type: Option<String> },
    /// Already uploaded: passed through.
    Ref(ContentRef),
}

/// The fields any object form of a content source may have; which form it
/// is depends on which are present (see [`super::rules`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ContentObject {
    pub data: Option<Box<ContentSource>>,
    #[serde(rename = "contentType")]
    pub content_type: Option<String>,
    #[serde(rename = "__source")]
    pub source: Option<FsMarker>,
    pub path: Option<String>,
    pub sha256: Option<String>,
    pub size: Option<u64>,
    pub integrity: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(super) enum FsMarker {
    #[serde(rename = "fs-file")]
    FsFile,
}

/// A field whose `null` means something (clear it), apart from absent.
#[derive(Debug, Default)]
pub enum Nullable<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // An own field that reads as undefined never reaches here (it is
        // skipped), so `None` is null.
        Ok(match Option::<T>::deserialize(d)? {
            None => Nullable::Null,
            Some(v) => Nullable::Value(v),
        })
    }
}

/// Path-keyed entries in the caller's order (file maps, function maps).
#[derive(Debug)]
pub struct Entries<T>(pub Vec<(String, T)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Entries<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, T>()? {
                    out.push(entry);
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A host object kept as is (smoke checks, the expose manifest).
#[derive(Debug)]
pub struct JsonObject(pub Json);

impl<'de> Deserialize<'de> for JsonObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JsonObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_unit<E: de::Error>(self) -> Result<JsonObject, E> {
                match take_captured() {
                    Some(Captured::Raw(j)) if j.shape() == Shape::Object => Ok(JsonObject(j)),
                    Some(Captured::Raw(j)) => {
                        Err(E::custom(format!("expected an object, got {}", crate::json::type_name(&j.shape()))))
                    }
                    _ => Err(E::custom("expected an object")),
                }
            }
        }
        d.deserialize_newtype_struct(RAW, V)
    }
}

impl<'de> Deserialize<'de> for ContentSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ContentSource;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(CONTENT_SOURCE)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ContentSource, E> {
                Ok(ContentSource::Text(s.to_string()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<ContentSource, E> {
                Ok(ContentSource::Text(s))
            }
            fn visit_unit<E: de::Error>(self) -> Result<ContentSource, E> {
                match take_captured() {
                    Some(Captured::Bytes(body)) => Ok(ContentSource::Bytes(body)),
                    _ => Err(E::custom(format!("expected {CONTENT_SOURCE}"))),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ContentSource, A::Error> {
                let obj = ContentObject::deserialize(de::value::MapAccessDeserializer::new(map))?;
                super::rules::content_object(obj).map_err(de::Error::custom)
            }
        }
        d.deserialize_newtype_struct(BYTES, V)
    }
}
