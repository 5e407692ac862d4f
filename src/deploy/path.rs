//! JSON paths for spec errors (`spec.site.replace["index.html"].contentType`).

use crate::prelude::*;

/// One step of a path.
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
    pub(super) depth: usize,
}

impl<'a> Path<'a> {
    pub(super) fn root(name: &'a str) -> Path<'a> {
        Path { up: None, seg: Seg::Root(name), depth: 0 }
    }
    pub(super) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path { up: Some(self), seg: Seg::Key(key), depth: self.depth + 1 }
    }
    pub(super) fn index(&'a self, i: usize) -> Path<'a> {
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
