//! [`Val`]: the values the SDK builds itself (request bodies, SDK-shaped
//! results). Host values are embedded as [`Val::Json`] so that caller input
//! and gateway output pass through without a copy.

use crate::prelude::*;
use alloc::fmt;

use zeroize::Zeroizing;

use crate::json::Json;

/// A secret string (a private key being exported): zeroized when dropped,
/// never printed.
#[derive(Clone)]
pub struct Secret(pub Zeroizing<String>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// A JSON-like tree built by the SDK.
#[derive(Debug, Clone)]
pub enum Val {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Val>),
    /// Object entries in output order.
    Obj(Vec<(String, Val)>),
    /// A host-owned value, passed through as is.
    Json(Json),
    /// A string that must not outlive its use in wasm memory.
    Secret(Secret),
}

impl Val {
    /// An empty object, for building with [`Val::with`].
    pub fn object() -> Val {
        Val::Obj(Vec::new())
    }

    /// Adds (or replaces) a field on an object; no-op on other variants.
    pub fn with(mut self, key: &str, value: impl Into<Val>) -> Val {
        if let Val::Obj(entries) = &mut self {
            let value = value.into();
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => entries.push((key.to_string(), value)),
            }
        }
        self
    }

    /// Adds a host object's own fields, like `{ ...obj }` at this point:
    /// later fields replace earlier ones of the same name.
    pub fn spread(mut self, obj: &Json) -> Val {
        let Val::Obj(entries) = &mut self else { return self };
        // A host object's own keys are unique, so each only needs comparing
        // with the fields that were there before the spread: linear in the
        // object's size, not quadratic (provider records can be large).
        let before = entries.len();
        for key in obj.keys() {
            let Some(v) = obj.field(&key) else { continue };
            match entries[..before].iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = Val::Json(v),
                None => entries.push((key, Val::Json(v))),
            }
        }
        self
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// An object field built by the SDK (not a host value's field).
    pub fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Str(s.to_string())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Str(s)
    }
}
impl From<bool> for Val {
    fn from(b: bool) -> Val {
        Val::Bool(b)
    }
}
impl From<u16> for Val {
    fn from(n: u16) -> Val {
        Val::Num(f64::from(n))
    }
}
impl From<Zeroizing<String>> for Val {
    fn from(s: Zeroizing<String>) -> Val {
        Val::Secret(Secret(s))
    }
}
impl From<Json> for Val {
    fn from(j: Json) -> Val {
        Val::Json(j)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(o: Option<T>) -> Val {
        o.map_or(Val::Null, Into::into)
    }
}
