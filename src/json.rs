//! A read-only view over JSON-like values owned by the host.
//!
//! In wasm the values are the runtime's own objects (parsed by the runtime's
//! `JSON.parse`, or passed in by the caller), so the SDK can hand them back
//! untouched, with every field the gateway sent. Natively they are
//! `serde_json` values. The kernel and namespaces only ever read through
//! this trait, which keeps them testable without a JS engine.

use crate::prelude::*;
use core::any::Any;
use alloc::fmt;
use alloc::rc::Rc;

/// A shared handle to a host-owned JSON value.
pub type Json = Rc<dyn JsonValue>;

/// What a value is, with scalars carried inline.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    /// A string; read it with [`JsonValue::string`] (copying it is not free).
    String,
    /// A host string that is not well-formed UTF-16 (it holds a lone
    /// surrogate): as Rust text it would change (to U+FFFD), so it is never
    /// read as a string and checks refuse it like any other wrong type.
    BadText,
    /// An array of this length.
    Array(usize),
    /// A plain object (not an array, not null).
    Object,
    /// A plain object with a key that is not well-formed text or holds a
    /// newline: its keys cannot be listed faithfully, so it is refused
    /// wherever an object is read rather than read with a key missing.
    BadKeys,
    /// Anything else the host can hold (functions, symbols, class instances
    /// that are not plain data).
    Other,
}

/// Read access to one host value.
pub trait JsonValue {
    /// The value's shape.
    fn shape(&self) -> Shape;
    /// An own property of an object; `None` when absent, `undefined`, or when
    /// this is not an object.
    fn field(&self, key: &str) -> Option<Json>;
    /// Whether an object has this own property, even if its value is `undefined`.
    fn has_field(&self, key: &str) -> bool;
    /// The string value, copied out, if this is a string.
    fn string(&self) -> Option<String>;
    /// An object's own enumerable keys, in insertion order.
    fn keys(&self) -> Vec<String>;
    /// An array element.
    fn item(&self, index: usize) -> Option<Json>;
    /// A number as the host writes it (`String(n)` in JS), so query strings
    /// match the reference byte for byte without float formatting in wasm.
    fn number_text(&self) -> Option<String>;
    /// For the host layer to recover its concrete type.
    fn as_any(&self) -> &dyn Any;
}

/// Convenience readers over any [`JsonValue`].
pub trait JsonExt {
    /// A string field, if present and a string.
    fn str_field(&self, key: &str) -> Option<String>;
    /// A boolean field, if present and a boolean.
    fn bool_field(&self, key: &str) -> Option<bool>;
    /// True for plain objects.
    fn is_object(&self) -> bool;
    /// The string value, if this is a string.
    fn as_string(&self) -> Option<String>;
    /// True for `undefined` and `null`.
    fn is_nullish(&self) -> bool;
    /// An array's elements; none for anything else.
    fn items(&self) -> Vec<Json>;
}

impl<T: JsonValue + ?Sized> JsonExt for T {
    fn str_field(&self, key: &str) -> Option<String> {
        self.field(key).and_then(|v| v.as_string())
    }
    fn bool_field(&self, key: &str) -> Option<bool> {
        match self.field(key)?.shape() {
            Shape::Bool(b) => Some(b),
            _ => None,
        }
    }
    fn is_object(&self) -> bool {
        self.shape() == Shape::Object
    }
    fn as_string(&self) -> Option<String> {
        self.string()
    }
    fn is_nullish(&self) -> bool {
        matches!(self.shape(), Shape::Undefined | Shape::Null)
    }
    fn items(&self) -> Vec<Json> {
        match self.shape() {
            Shape::Array(n) => (0..n).filter_map(|i| self.item(i)).collect(),
            _ => Vec::new(),
        }
    }
}

/// A short, secret-free description of a value's type for error messages.
pub fn type_name(shape: &Shape) -> &'static str {
    match shape {
        Shape::Undefined => "undefined",
        Shape::Null => "null",
        Shape::Bool(_) => "a boolean",
        Shape::Number(_) => "a number",
        Shape::String => "a string",
        Shape::BadText => "a string with a lone surrogate (not well-formed Unicode)",
        Shape::Array(_) => "an array",
        Shape::Object => "an object",
        Shape::BadKeys => "an object with a key holding a newline or a lone surrogate",
        Shape::Other => "a non-JSON value",
    }
}

// Host values can hold keys, so Debug names the shape only. Implemented on
// the trait object rather than required of every implementation: a
// supertrait would put each implementation's `fmt` in the vtable and link
// the formatting code into wasm, where nothing prints a value.
impl fmt::Debug for dyn JsonValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Json").field(&self.shape()).finish()
    }
}

/// JSON values the SDK makes itself and hands to code that reads [`Json`]:
/// a scoped client's project id, or a caller's options object with the
/// scope's project filled in. The host layer copies them out field by field.
pub enum Native {
    Undefined,
    Str(String),
    /// `base`'s fields with `extra` laid over them.
    Overlay { base: Option<Json>, extra: Vec<(String, Json)> },
}

impl Native {
    pub fn string(s: impl Into<String>) -> Json {
        Rc::new(Native::Str(s.into()))
    }
    pub fn undefined() -> Json {
        Rc::new(Native::Undefined)
    }
}

impl JsonValue for Native {
    fn shape(&self) -> Shape {
        match self {
            Native::Undefined => Shape::Undefined,
            Native::Str(_) => Shape::String,
            Native::Overlay { .. } => Shape::Object,
        }
    }
    fn field(&self, key: &str) -> Option<Json> {
        match self {
            Native::Overlay { base, extra } => extra
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .or_else(|| base.as_ref()?.field(key)),
            _ => None,
        }
    }
    fn has_field(&self, key: &str) -> bool {
        match self {
            Native::Overlay { base, extra } => {
                extra.iter().any(|(k, _)| k == key) || base.as_ref().is_some_and(|b| b.has_field(key))
            }
            _ => false,
        }
    }
    fn keys(&self) -> Vec<String> {
        match self {
            Native::Overlay { base, extra } => {
                let mut keys = base.as_ref().map(|b| b.keys()).unwrap_or_default();
                for (k, _) in extra {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
                keys
            }
            _ => Vec::new(),
        }
    }
    fn item(&self, _index: usize) -> Option<Json> {
        None
    }
    fn string(&self) -> Option<String> {
        match self {
            Native::Str(s) => Some(s.clone()),
            _ => None,
        }
    }
    fn number_text(&self) -> Option<String> {
        None
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
