//! `r.apps`: the app marketplace. Browse and inspect published apps (no
//! auth), fork one into a project of your own (paid like provisioning, its
//! keys then kept like `projects.provision`'s), and publish a project's
//! versions with the service key. All declared routes but `fork`.
//!
//! Left out: the seed's `bundleDeploy` legacy shim, which routes through
//! `deploy.apply` (not built yet).

// Compiled for its tests only until `deploy.apply` lands (then bundleDeploy runs it).
#[cfg(test)]
mod bundle;

use crate::prelude::*;
use alloc::rc::Rc;

use crate::args::Args;
use crate::credentials::LocalFuture;
use crate::error::Result;
use crate::kernel::{Call, Kernel};
use crate::routes::{field, route, Field, Kind, Out, Route, RouteBody, Src, PUBLIC_GET, SERVICE_GET};
use crate::surface::{call_opts, opt, req, req_call_opts, Method, Namespace, Run, Scope, PROJECT_ID};
use crate::value::Val;

pub const NAMESPACE: Namespace = Namespace {
    name: "apps",
    ts_name: "Apps",
    doc: crate::ts!("The app marketplace: browse, inspect and fork published apps; publish a project's versions."),
    scoped: true,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[
        Method {
            name: "browse",
            aliases: &[],
            generics: "",
            params: &[opt("tags", "string[]")],
            returns: crate::ts!("BrowseAppsResult"),
            scope: Scope::Global,
            context: "browsing apps",
            doc: crate::ts!("Public forkable apps, optionally those with any of `tags` (no auth)."),
            http: crate::ts!(""),
            run: route(Route { path: "/apps/v1", query: &[field("tag", Src::Arg(0), Kind::OptStrList)], ..PUBLIC_GET }),
        },
        Method {
            name: "getApp",
            aliases: &[],
            generics: "",
            params: &[req("versionId", "string")],
            returns: crate::ts!("AppDetails"),
            scope: Scope::Global,
            context: "fetching app details",
            doc: crate::ts!("A published app version: what it contains, what a fork needs (secrets, actions), its price (no auth)."),
            http: crate::ts!(""),
            run: route(Route { path: "/apps/v1/{0:raw}", ..PUBLIC_GET }),
        },
        Method {
            name: "fork",
            aliases: &[],
            generics: "",
            params: &[req_call_opts("opts", "ForkAppOptions")],
            returns: crate::ts!("ForkAppResult"),
            scope: Scope::Global,
            context: "forking app",
            doc: crate::ts!("Forks a published version into a new, independent project (paid like provisioning the app's tier). Saves the keys and makes the project active when the provider supports it."),
            http: crate::ts!("POST /fork/v1 · wallet sign-in (provider) · paid: the app's tier price via x402"),
            run: Run::Code(fork),
        },
        Method {
            name: "publish",
            aliases: &[],
            generics: "",
            params: &[PROJECT_ID, call_opts("opts", "PublishAppOptions")],
            returns: crate::ts!("PublishedVersion"),
            scope: Scope::Project,
            context: "publishing app",
            doc: crate::ts!("Publishes the project as a new app version: a snapshot of its schema, functions, site files and secret names (never values)."),
            http: crate::ts!(""),
            run: route(Route { verb: "POST", path: "/projects/v1/admin/{id}/publish", body: RouteBody::Fields(&PUBLISH_FIELDS), ..SERVICE_GET }),
        },
        Method {
            name: "listVersions",
            aliases: &[],
            generics: "",
            params: &[PROJECT_ID],
            returns: crate::ts!("ListVersionsResult"),
            scope: Scope::Project,
            context: "listing versions",
            doc: crate::ts!("The project's published versions."),
            http: crate::ts!(""),
            run: route(VERSIONS),
        },
        Method {
            name: "updateVersion",
            aliases: &[],
            generics: "",
            params: &[PROJECT_ID, req("versionId", "string"), req_call_opts("opts", "UpdateVersionOptions")],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "updating version",
            doc: crate::ts!("Changes a published version's description, tags, visibility or fork_allowed."),
            http: crate::ts!(""),
            run: route(Route { verb: "PATCH", body: RouteBody::Fields(&UPDATE_FIELDS), ..VERSION }),
        },
        Method {
            name: "deleteVersion",
            aliases: &[],
            generics: "",
            params: &[PROJECT_ID, req("versionId", "string")],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "deleting version",
            doc: crate::ts!("Deletes a published version (forks made from it stay)."),
            http: crate::ts!(""),
            run: route(Route { verb: "DELETE", ..VERSION }),
        },
    ],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"export type AppVisibility = "public" | "unlisted" | "private";

export interface AppSummary {
  id: string;
  project_id: string;
  version: number;
  name: string;
  description: string | null;
  visibility: AppVisibility;
  fork_allowed: boolean;
  /** Tier → price of a fork into it. */
  fork_pricing?: Record<string, string>;
  min_tier: ProjectTier;
  derived_min_tier: ProjectTier;
  status: "published" | "draft" | "archived";
  table_count: number;
  function_count: number;
  site_file_count: number;
  site_total_bytes: number;
  /** Secrets a fork must set (names only: values are never published). */
  required_secrets: Array<{ key: string; description?: string }>;
  required_actions: Array<{ action: string; description?: string }>;
  tags: string[];
  live_url: string | null;
  bootstrap_variables: unknown[] | null;
  created_at: string;
  compatibility_warnings: string[];
  [key: string]: unknown;
}

export type AppDetails = AppSummary;
export type PublishedVersion = AppSummary;

export interface BrowseAppsResult {
  apps: AppSummary[];
  total: number;
}

export interface ForkAppOptions extends CallOptions {
  versionId: string;
  /** The new project's name. */
  name: string;
  /** Claim this subdomain for the fork's site. */
  subdomain?: string;
  /** Sent as Idempotency-Key (not in the body); default: one per withRetry scope, else random. */
  idempotencyKey?: string;
}

export interface ForkAppResult {
  project_id: string;
  anon_key: string;
  service_key: string;
  schema_slot: string;
  site_url?: string;
  subdomain_url?: string;
  functions?: Array<{ name: string; url: string }>;
  /** "ready", "configuration_required" (set the required secrets) or "manual_setup_required". */
  readiness?: string;
  [key: string]: unknown;
}

export interface PublishAppOptions extends CallOptions {
  description?: string;
  tags?: string[];
  visibility?: AppVisibility;
  fork_allowed?: boolean;
}

export type UpdateVersionOptions = PublishAppOptions;

export interface VersionSummary {
  id: string;
  description: string | null;
  tags: string[];
  visibility: AppVisibility;
  fork_allowed: boolean;
  created_at: string;
  [key: string]: unknown;
}

export interface ListVersionsResult {
  versions: VersionSummary[];
}
"#;

/// A version's editable fields, each sent only when given, from the
/// options at argument `i` (`publish`: 1, `updateVersion`: 2).
const fn version_fields(i: usize) -> [Field; 4] {
    [
        // Any value, as the reference sends it (an empty description clears it).
        field("description", Src::Opt(i, "description"), Kind::OptJson),
        field("tags", Src::Opt(i, "tags"), Kind::OptStrList),
        field("visibility", Src::Opt(i, "visibility"), Kind::OptStr),
        field("fork_allowed", Src::Opt(i, "fork_allowed"), Kind::OptBool),
    ]
}
static PUBLISH_FIELDS: [Field; 4] = version_fields(1);
static UPDATE_FIELDS: [Field; 4] = version_fields(2);

const VERSIONS: Route = Route { path: "/projects/v1/admin/{id}/versions", ..SERVICE_GET };
const VERSION: Route = Route { path: "/projects/v1/admin/{id}/versions/{1:raw}", result: Out::Void, ..VERSIONS };

/// Pays for the fork like a provision, then keeps the new project's keys.
fn fork(k: Rc<Kernel>, a: Args) -> LocalFuture<'static, Result<Val>> {
    let call = fork_call(&a);
    Box::pin(async move {
        let reply = k.send(call?).await?;
        crate::namespaces::projects::keep_new_project(&k, reply, a.context).await
    })
}

/// `POST /fork/v1 {version_id, name, subdomain?}`, paid.
fn fork_call(a: &Args) -> Result<Call> {
    let opts = a.opt_object(0, "opts")?.ok_or_else(|| a.error("`opts` must be an object"))?;
    let mut body = Val::object();
    for (wire, key) in [("version_id", "versionId"), ("name", "name"), ("subdomain", "subdomain")] {
        match a.opt_field_string(&opts, key)? {
            Some(v) if !v.trim().is_empty() => body = body.with(wire, v),
            _ if key == "subdomain" => {}
            _ => return Err(a.error(["`", key, "` is required"].concat())),
        }
    }
    Ok(a.paid_post("/fork/v1", Some(&opts))?.json(body))
}
