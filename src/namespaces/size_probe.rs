//! Synthetic declared methods, compiled only with the `size-probe` feature:
//! `bench/size-variants.mjs` builds with and without it to report what one
//! declared method costs in the package (the issue's "about 150 bytes
//! gzipped"). Each probe has its own name, context, path and body field, as
//! real members do, so no two share their strings.

use crate::routes::{route, Out, Route, RouteBody, SERVICE_KEY, ProjectFrom};
use crate::surface::{req, Method, Namespace, Scope};

/// One synthetic member per literal (the count must match PROBE_METHODS in
/// bench/size-variants.mjs).
macro_rules! probes {
    ($($n:literal)*) => {
        &[$(Method {
            name: concat!("probeMethod", $n),
            aliases: &[],
            generics: crate::ts!(""),
            params: &[req("id", "string"), req("name", "string")],
            returns: crate::ts!("unknown"),
            scope: Scope::Project,
            context: concat!("probing declared method ", $n),
            doc: crate::ts!("A synthetic route for measuring size."),
            http: crate::ts!(""),
            run: route(Route {
                verb: "POST",
                path: concat!("/probe/v1/{id}/things", $n, "/{1}"),
                auth: SERVICE_KEY,
                body: RouteBody::Strings(&[(concat!("name", $n), 1)]),
                query: &[],
                headers: &[],
                result: Out::Body,
                paid: false,
                project: ProjectFrom::Arg0,
            }),
        }),*]
    };
}

pub const NAMESPACE: Namespace = Namespace {
    name: "sizeProbe",
    ts_name: "SizeProbe",
    doc: crate::ts!("Synthetic routes (size measurement only)."),
    scoped: true,
    internal: true,
    hidden_aliases: &[],
    types: crate::ts!(""),
    methods: probes!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31),
};
