//! The one walker: reads a caller's value against the schema table
//! ([`super::schema`]) through the JSON view, so host objects in wasm and
//! `serde_json` values natively take the same path and get the same
//! messages. It copies nothing it does not have to: strings are checked by
//! shape, byte sources stay host values.
//!
//! Values are read only through the view, whose wasm implementation catches
//! everything on the JS side: a revoked Proxy or a throwing getter becomes a
//! shape or an absent field here, never an exception through wasm.

use crate::prelude::*;
use super::path::{quoted, Path};
use super::schema::{Given, Schema, Ty, CONTENT_OBJECT};
use super::{hint, rules, ByteProbe, SpecError};
use crate::json::{type_name, Json, JsonExt, Native, Shape};
use crate::kernel::BodyInfo;

/// Deeper than any spec needs (a `{data}` wrapper inside a file map inside a
/// function is depth 6); stops a cyclic object before the stack does.
const MAX_DEPTH: usize = 32;

/// `Number.MAX_SAFE_INTEGER`: larger integers are not exact in JSON numbers.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// What a content position accepts, for messages.
pub(super) const CONTENT_SOURCE: &str =
    "a string, Uint8Array, ArrayBuffer, Blob, ReadableStream, { data, contentType } or a ContentRef";

/// The form of a valid content source; [`super::content`] reads its fields.
#[derive(Clone, Copy)]
pub(super) enum Form {
    Text,
    Bytes(BodyInfo),
    /// `{ data, contentType? }`
    Wrapped,
    /// `{ __source: "fs-file", path, contentType? }`
    FsFile,
    Ref,
}

pub(super) fn error(path: &Path<'_>, problem: impl Into<String>) -> SpecError {
    SpecError::invalid(path.render(), problem)
}

fn expected(v: &Json, what: &str, path: &Path<'_>) -> SpecError {
    error(path, format!("expected {what}, got {}", type_name(&v.shape())))
}

fn deep(path: &Path<'_>) -> Result<(), SpecError> {
    if path.depth > MAX_DEPTH {
        return Err(error(path, "is nested too deeply"));
    }
    Ok(())
}

/// Walks values against the table; `bytes` tells host byte sources from
/// other non-JSON values.
pub(super) struct Walker<'a> {
    pub bytes: ByteProbe<'a>,
}

impl Walker<'_> {
    pub(super) fn value(&self, v: &Json, ty: &Ty, path: &Path<'_>) -> Result<(), SpecError> {
        match ty {
            Ty::Str if v.shape() == Shape::String => Ok(()),
            Ty::Str => Err(expected(v, "a string", path)),
            Ty::Name(empty) => match v.string() {
                Some(s) if s.is_empty() => Err(error(path, *empty)),
                Some(_) => Ok(()),
                None => Err(expected(v, "a string", path)),
            },
            Ty::Bool if matches!(v.shape(), Shape::Bool(_)) => Ok(()),
            Ty::Bool => Err(expected(v, "a boolean", path)),
            Ty::Int | Ty::Positive => match v.shape() {
                Shape::Number(n) if n == 0.0 && matches!(ty, Ty::Positive) => Err(error(path, "must be a positive integer")),
                Shape::Number(n) if crate::num::is_whole(n) && (0.0..=MAX_SAFE).contains(&n) => Ok(()),
                Shape::Number(_) => Err(error(path, "expected a non-negative safe integer")),
                _ => Err(expected(v, "an integer", path)),
            },
            Ty::Enum(names) => match v.string() {
                Some(s) if names.contains(&s.as_str()) => Ok(()),
                Some(s) => Err(error(path, format!("{} is not one of {}", quoted(&s), names.join(", ")))),
                None => Err(expected(v, "a string", path)),
            },
            Ty::AnyObj if v.is_object() => Ok(()),
            Ty::AnyObj => Err(expected(v, "an object", path)),
            Ty::Obj(schema) => self.object(v, schema, path).map(drop),
            Ty::Map(item) => {
                deep(path)?;
                if !v.is_object() {
                    return Err(expected(v, "an object", path));
                }
                for key in v.keys() {
                    // An own field that reads as undefined is skipped, as
                    // `JSON.stringify` skips it.
                    if let Some(entry) = v.field(&key) {
                        self.value(&entry, item, &path.key(&key))?;
                    }
                }
                Ok(())
            }
            Ty::Arr(item) => {
                deep(path)?;
                let Shape::Array(len) = v.shape() else { return Err(expected(v, "an array", path)) };
                // Never trust a host length beyond reading: a Proxy can claim
                // 2^32 items, and the first missing one stops the walk.
                for i in 0..len {
                    let entry = v.item(i).unwrap_or_else(Native::undefined);
                    self.value(&entry, item, &path.index(i))?;
                }
                Ok(())
            }
            Ty::Content => self.content(v, path).map(drop),
        }
    }

    /// An object with exactly the schema's fields, then its rule. Unknown
    /// and mistyped fields are reported in the caller's key order, missing
    /// required ones after, in the table's order. Returns which fields were given.
    fn object<'s>(&self, v: &Json, schema: &'s Schema, path: &Path<'_>) -> Result<Given<'s>, SpecError> {
        deep(path)?;
        if !v.is_object() {
            return Err(expected(v, "an object", path));
        }
        let (mut seen, mut given) = (0u64, 0u64);
        for key in v.keys() {
            let Some(field_value) = v.field(&key) else { continue };
            let Some(i) = schema.fields.iter().position(|f| f.name == key) else {
                return Err(unknown(schema, path, &key));
            };
            seen |= 1 << i;
            let field = &schema.fields[i];
            // `null` where a field is optional means "not given".
            if !field.required && field_value.is_nullish() {
                continue;
            }
            self.value(&field_value, &field.ty, &path.key(&key))?;
            given |= 1 << i;
        }
        for (i, field) in schema.fields.iter().enumerate() {
            if field.required && seen & (1 << i) == 0 {
                return Err(error(&path.key(field.name), "is required"));
            }
        }
        let given = Given { fields: schema.fields, mask: given };
        if let Some(rule) = schema.rule {
            rule(v, &given, path)?;
        }
        Ok(given)
    }

    /// A content source (contract §3.2), and the form it was read as.
    pub(super) fn content(&self, v: &Json, path: &Path<'_>) -> Result<Form, SpecError> {
        deep(path)?;
        match v.shape() {
            Shape::String => Ok(Form::Text),
            Shape::Other => match (self.bytes)(v) {
                Some(info) => Ok(Form::Bytes(info)),
                None => Err(expected(v, CONTENT_SOURCE, path)),
            },
            Shape::Object => {
                let given = self.object(v, &CONTENT_OBJECT, path)?;
                rules::content_form(v, &given).map_err(|problem| error(path, problem))
            }
            _ => Err(expected(v, CONTENT_SOURCE, path)),
        }
    }
}

fn unknown(schema: &Schema, path: &Path<'_>, key: &str) -> SpecError {
    let mut allowed: Vec<&str> = Vec::with_capacity(schema.fields.len());
    for f in schema.fields {
        allowed.push(f.name);
    }
    let mut problem = format!("unknown field (allowed: {})", allowed.join(", "));
    if let Some(h) = hint(&path.render(), key) {
        problem.push_str("; ");
        problem.push_str(h);
    }
    error(&path.key(key), problem)
}
