//! A `serde::Deserializer` over the [`JsonValue`] view: the same derived
//! `Deserialize` impls read a caller's JS objects in wasm and `serde_json`
//! values natively, with one code path. It tracks the JSON path as it
//! descends, so every error names where it happened
//! (`spec.site.replace["index.html"].contentType`).
//!
//! Values are read only through the view, whose wasm implementation catches
//! everything on the JS side: a revoked Proxy or a throwing getter becomes a
//! shape or an absent field here, never an exception through wasm.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Expected, IntoDeserializer, MapAccess, SeqAccess, Unexpected, Visitor};

use crate::json::{type_name, Json, Shape};
use crate::kernel::{BodyInfo, HostBody};

/// Deeper than any spec needs (a `{data}` wrapper inside a file map inside a
/// function is depth 6); stops a cyclic object before the stack does.
const MAX_DEPTH: usize = 32;

/// `Number.MAX_SAFE_INTEGER`: larger integers are not exact in JSON numbers.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// Newtype-struct name by which [`Raw`] asks for the value itself.
pub(super) const RAW: &str = "\0run402.raw";
/// Newtype-struct name by which a content source asks for host bytes.
pub(super) const BYTES: &str = "\0run402.bytes";

thread_local! {
    // The value a capture hands over: set by the deserializer right before
    // it calls `visit_unit` on a capturing visitor, taken by that visitor.
    static CAPTURED: RefCell<Option<Captured>> = const { RefCell::new(None) };
}

pub(super) enum Captured {
    Raw(Json),
    Bytes(HostBody),
}

pub(super) fn take_captured() -> Option<Captured> {
    CAPTURED.with(|c| c.try_borrow_mut().ok()?.take())
}

fn put_captured(v: Captured) {
    CAPTURED.with(|c| {
        if let Ok(mut slot) = c.try_borrow_mut() {
            *slot = Some(v);
        }
    });
}

/// One step of a JSON path.
#[derive(Clone, Copy)]
enum Seg<'a> {
    Root(&'a str),
    Key(&'a str),
    Index(usize),
}

/// A path as a list that borrows its parent: descending costs nothing until
/// an error renders it.
#[derive(Clone, Copy)]
pub(super) struct Path<'a> {
    up: Option<&'a Path<'a>>,
    seg: Seg<'a>,
    depth: usize,
}

impl<'a> Path<'a> {
    pub(super) fn root(name: &'a str) -> Path<'a> {
        Path { up: None, seg: Seg::Root(name), depth: 0 }
    }
    fn key(&'a self, key: &'a str) -> Path<'a> {
        Path { up: Some(self), seg: Seg::Key(key), depth: self.depth + 1 }
    }
    fn index(&'a self, i: usize) -> Path<'a> {
        Path { up: Some(self), seg: Seg::Index(i), depth: self.depth + 1 }
    }
    pub(super) fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
    fn write(&self, out: &mut String) {
        if let Some(up) = self.up {
            up.write(out);
        }
        match self.seg {
            Seg::Root(name) => out.push_str(name),
            Seg::Key(k) => push_key(out, k),
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
}

/// `.name` for identifier-like keys, `["key"]` (JSON-quoted) for the rest.
pub(super) fn push_key(out: &mut String, k: &str) {
    let ident = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        out.push('.');
        out.push_str(k);
        return;
    }
    out.push_str("[\"");
    for c in k.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push_str("\"]");
}

/// A deserialization failure: what went wrong and, once known, where.
#[derive(Debug)]
pub struct DeError {
    /// The rendered path, filled in by the innermost deserializer it passes.
    pub path: Option<String>,
    pub problem: String,
    /// Set for a missing field: its path is the object's path plus this key.
    missing: Option<&'static str>,
    /// Set for an unknown field: the key, so a hint can be looked up.
    pub unknown: Option<String>,
    /// For an unknown field: the path of the object that has it.
    pub parent: Option<String>,
}

impl DeError {
    fn problem(problem: String) -> DeError {
        DeError { path: None, problem, missing: None, unknown: None, parent: None }
    }
    fn at(mut self, path: &Path<'_>) -> DeError {
        if self.path.is_none() {
            let mut p = path.render();
            if let Some(field) = self.missing {
                push_key(&mut p, field);
            }
            self.path = Some(p);
        }
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{p}: {}", self.problem),
            None => f.write_str(&self.problem),
        }
    }
}

impl std::error::Error for DeError {}

/// What a visitor was given, without its value: contents can be large, and
/// error messages never echo caller data beyond short names.
fn unexpected_name(u: &Unexpected<'_>) -> &'static str {
    match u {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) | Unexpected::Float(_) => "a number",
        Unexpected::Char(_) | Unexpected::Str(_) => "a string",
        Unexpected::Bytes(_) => "bytes",
        Unexpected::Unit | Unexpected::Option => "null",
        Unexpected::Seq => "an array",
        Unexpected::Map => "an object",
        _ => "a non-JSON value",
    }
}

/// A caller's short string for a message, cut so a huge value cannot flood it.
pub(super) fn quoted(s: &str) -> String {
    let cut: String = s.chars().take(64).collect();
    let mut q = String::new();
    push_key(&mut q, &cut);
    // push_key gave `.x` or `["x"]`; a quoted form reads better inline.
    match q.strip_prefix('.') {
        Some(ident) => format!("\"{ident}\""),
        None => q[1..q.len() - 1].to_string(),
    }
}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> DeError {
        DeError::problem(msg.to_string())
    }
    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> DeError {
        DeError::problem(format!("expected {exp}, got {}", unexpected_name(&unexp)))
    }
    fn invalid_value(_unexp: Unexpected<'_>, exp: &dyn Expected) -> DeError {
        DeError::problem(format!("expected {exp}"))
    }
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> DeError {
        DeError::problem(format!("{} is not one of {}", quoted(variant), expected.join(", ")))
    }
    fn unknown_field(field: &str, expected: &'static [&'static str]) -> DeError {
        let mut e = DeError::problem(format!("unknown field (allowed: {})", expected.join(", ")));
        e.unknown = Some(field.to_string());
        e
    }
    fn missing_field(field: &'static str) -> DeError {
        DeError { missing: Some(field), ..DeError::problem("is required".to_string()) }
    }
}

/// Tells host byte sources (`Uint8Array`, `ArrayBuffer`, `Blob`,
/// `ReadableStream`) from other non-JSON values: the transport's brand
/// check (`Transport::body_kind`), so spec and upload agree.
pub type ByteProbe<'a> = &'a dyn Fn(&Json) -> Option<BodyInfo>;

/// Deserializes one host value at `path`.
pub(super) struct HostDe<'a> {
    pub value: Json,
    pub path: &'a Path<'a>,
    pub bytes: ByteProbe<'a>,
}

impl<'a> HostDe<'a> {
    fn fail(&self, what: &str) -> DeError {
        DeError::problem(format!("expected {what}, got {}", type_name(&self.value.shape()))).at(self.path)
    }
    fn deep(&self) -> Result<(), DeError> {
        if self.path.depth > MAX_DEPTH {
            return Err(DeError::problem("is nested too deeply".to_string()).at(self.path));
        }
        Ok(())
    }
    /// A JSON number that is an exact non-negative integer.
    fn whole(&self) -> Result<u64, DeError> {
        match self.value.shape() {
            Shape::Number(n) if n.fract() == 0.0 && (0.0..=MAX_SAFE).contains(&n) => Ok(n as u64),
            Shape::Number(_) => Err(DeError::problem("expected a non-negative safe integer".to_string()).at(self.path)),
            _ => Err(self.fail("an integer")),
        }
    }
}

macro_rules! integers {
    ($($method:ident => $ty:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            let n = self.whole()?;
            let n = <$ty>::try_from(n).map_err(|_| DeError::problem("is too large".to_string()).at(self.path))?;
            visitor.visit_u64(u64::from(n)).map_err(|e: DeError| e.at(self.path))
        }
    )*};
}

impl<'de, 'a> de::Deserializer<'de> for HostDe<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deep()?;
        let path = self.path;
        let out = match self.value.shape() {
            Shape::Undefined | Shape::Null => visitor.visit_none(),
            Shape::Bool(b) => visitor.visit_bool(b),
            Shape::Number(n) => visitor.visit_f64(n),
            Shape::String => visitor.visit_string(self.value.string().unwrap_or_default()),
            Shape::Array(len) => visitor.visit_seq(Items { value: self.value.clone(), len, next: 0, path, bytes: self.bytes }),
            Shape::Object => visitor.visit_map(Fields::new(&self)),
            Shape::Other => return Err(self.fail("a JSON value")),
        };
        out.map_err(|e: DeError| e.at(path))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value.shape() {
            Shape::Bool(b) => visitor.visit_bool(b).map_err(|e: DeError| e.at(self.path)),
            _ => Err(self.fail("a boolean")),
        }
    }

    integers!(deserialize_u8 => u8, deserialize_u16 => u16, deserialize_u32 => u32, deserialize_u64 => u64);

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value.string() {
            Some(s) => visitor.visit_string(s).map_err(|e: DeError| e.at(self.path)),
            None => Err(self.fail("a string")),
        }
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    /// `undefined` and `null` are both "nothing" for an optional field, as
    /// `JSON.stringify` and the reference's normalizer treat them.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value.shape() {
            Shape::Undefined | Shape::Null => visitor.visit_none().map_err(|e: DeError| e.at(self.path)),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deep()?;
        match self.value.shape() {
            Shape::Array(len) => visitor
                .visit_seq(Items { value: self.value.clone(), len, next: 0, path: self.path, bytes: self.bytes })
                .map_err(|e: DeError| e.at(self.path)),
            _ => Err(self.fail("an array")),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deep()?;
        match self.value.shape() {
            Shape::Object => visitor.visit_map(Fields::new(&self)).map_err(|e: DeError| e.at(self.path)),
            _ => Err(self.fail("an object")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    /// Only unit variants (string enums) are used in specs.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.value.string() {
            Some(s) => visitor.visit_enum(s.into_deserializer()).map_err(|e: DeError| e.at(self.path)),
            None => Err(self.fail("a string")),
        }
    }

    /// The two capture names hand the host value itself to the visitor
    /// (see [`Captured`]); any other newtype is transparent.
    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        if name == RAW {
            put_captured(Captured::Raw(self.value.clone()));
            return visitor.visit_unit().map_err(|e: DeError| e.at(self.path));
        }
        if name == BYTES {
            if self.value.shape() == Shape::Other {
                return match (self.bytes)(&self.value) {
                    Some(info) => {
                        put_captured(Captured::Bytes(HostBody { value: self.value.clone(), info }));
                        visitor.visit_unit().map_err(|e: DeError| e.at(self.path))
                    }
                    None => Err(self.fail(super::spec::CONTENT_SOURCE)),
                };
            }
            return self.deserialize_any(visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u128 f32 f64 char bytes byte_buf unit unit_struct tuple tuple_struct ignored_any
    }
}

/// An array's items, each at `path[i]`.
struct Items<'a> {
    value: Json,
    len: usize,
    next: usize,
    path: &'a Path<'a>,
    bytes: ByteProbe<'a>,
}

impl<'de, 'a> SeqAccess<'de> for Items<'a> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        if self.next >= self.len {
            return Ok(None);
        }
        let i = self.next;
        self.next += 1;
        let path = self.path.index(i);
        let value = self.value.item(i).unwrap_or_else(crate::json::Native::undefined);
        seed.deserialize(HostDe { value, path: &path, bytes: self.bytes }).map(Some).map_err(|e| e.at(&path))
    }
    fn size_hint(&self) -> Option<usize> {
        // Never trust a host length for preallocation (a Proxy can claim 2^32).
        Some((self.len - self.next).min(64))
    }
}

/// An object's own enumerable fields, each at `path.key`. Fields whose value
/// reads as `undefined` are skipped, as `JSON.stringify` skips them.
struct Fields<'a> {
    value: Json,
    keys: std::vec::IntoIter<String>,
    current: Option<(String, Json)>,
    path: &'a Path<'a>,
    bytes: ByteProbe<'a>,
}

impl<'a> Fields<'a> {
    fn new(de: &HostDe<'a>) -> Fields<'a> {
        Fields { value: de.value.clone(), keys: de.value.keys().into_iter(), current: None, path: de.path, bytes: de.bytes }
    }
}

impl<'de, 'a> MapAccess<'de> for Fields<'a> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        for key in self.keys.by_ref() {
            let Some(v) = self.value.field(&key) else { continue };
            let path = self.path.key(&key);
            let k = seed.deserialize(KeyDe(&key)).map_err(|mut e| {
                if e.unknown.is_some() {
                    e.parent = Some(self.path.render());
                }
                e.at(&path)
            })?;
            self.current = Some((key, v));
            return Ok(Some(k));
        }
        Ok(None)
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, DeError> {
        let Some((key, value)) = self.current.take() else {
            return Err(DeError::problem("value without a key".to_string()).at(self.path));
        };
        let path = self.path.key(&key);
        seed.deserialize(HostDe { value, path: &path, bytes: self.bytes }).map_err(|e| e.at(&path))
    }
}

/// An object key, read as a field name or a map key.
struct KeyDe<'k>(&'k str);

impl<'de, 'k> de::Deserializer<'de> for KeyDe<'k> {
    type Error = DeError;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_str(self.0)
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}
