//! `r.apps`: the app marketplace. Browse and inspect published apps (no
//! auth), fork one into a project of your own (paid like provisioning, its
//! keys then kept like `projects.provision`'s), and publish a project's
//! versions with the service key. All declared routes but `fork`.
//!
//! Also the seed's legacy `bundleDeploy`, translated in JS and run as a
//! `deploy.apply` ([`bundle`]).

// `omit-deploy` leaves bundleDeploy out too: it runs the deploy engine, so
// the engine's bytes are deploy's cost, not apps'.
#[cfg(not(feature = "omit-deploy"))]
mod bundle;

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
            generics: crate::ts!(""),
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
            generics: crate::ts!(""),
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
            generics: crate::ts!(""),
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
            generics: crate::ts!(""),
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
            generics: crate::ts!(""),
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
            generics: crate::ts!(""),
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
            generics: crate::ts!(""),
            params: &[PROJECT_ID, req("versionId", "string")],
            returns: crate::ts!("void"),
            scope: Scope::Project,
            context: "deleting version",
            doc: crate::ts!("Deletes a published version (forks made from it stay)."),
            http: crate::ts!(""),
            run: route(Route { verb: "DELETE", ..VERSION }),
        },
        #[cfg(not(feature = "omit-deploy"))]
        Method {
            name: "bundleDeploy",
            aliases: &[],
            generics: crate::ts!(""),
            params: &[PROJECT_ID, call_opts("opts", "BundleDeployOptions")],
            returns: crate::ts!("BundleDeployResult"),
            scope: Scope::Project,
            context: "deploying bundle",
            doc: crate::ts!("Legacy one-call deploy, run as deploy.apply: migrations (id bundle_legacy_<sha256 prefix>), rls as an expose manifest, functions, site files (base64 ones that are not text as bytes) and a subdomain become one release; secret values are written first with secrets.set and only their keys go in the spec. `inherit` is ignored (deploy a site patch instead)."),
            http: crate::ts!("POST /projects/v1/admin/{id}/secrets per secret · service key; then deploy.apply (POST /deploy/v2/plans, content upload, POST /deploy/v2/plans/{plan}/commit, polling) · P"),
            run: Run::Adapted("bundle", bundle::step),
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

export type BundleRlsTemplate = "user_owns_rows" | "public_read_authenticated_write" | "public_read_write_UNRESTRICTED";

export interface BundleRlsOptions {
  template: BundleRlsTemplate;
  /** `owner_column` is the column holding the owning user's id (for user_owns_rows). */
  tables: Array<{ table: string; owner_column?: string }>;
  /** Required to expose tables under public_read_write_UNRESTRICTED. */
  i_understand_this_is_unrestricted?: boolean;
}

export interface BundleFunctionSpec {
  name: string;
  /** The function's ES module source. */
  code: string;
  /** Seconds and MB. */
  config?: { timeout?: number; memory?: number };
  /** A 5-field cron expression, or null for none. */
  schedule?: string | null;
}

export interface BundleSiteFile {
  /** Path in the site, e.g. "index.html", "assets/app.js". */
  file: string;
  /** The file's text, or base64 with `encoding: "base64"` (any bytes). */
  data: string;
  encoding?: "utf-8" | "base64";
}

export interface BundleDeployOptions extends CallOptions {
  /** SQL run as one migration, identified by its hash (re-sending the same SQL is a no-op). */
  migrations?: string;
  rls?: BundleRlsOptions;
  /** Written with secrets.set before the deploy (not atomically with it); the release requires their keys. */
  secrets?: Array<{ key: string; value: string }>;
  functions?: BundleFunctionSpec[];
  /** The whole site: it replaces the live one. */
  files?: BundleSiteFile[];
  subdomain?: string;
  /** Ignored (deploy a site patch with deploy.apply to keep earlier files). */
  inherit?: boolean;
}

export interface BundleDeployResult {
  project_id: string;
  site_url?: string;
  deployment_id?: string;
  functions?: Array<{ name: string; url: string; schedule?: string | null }>;
  subdomain_url?: string;
  /** The plan's warnings, when there were any. */
  warnings?: WarningEntry[];
}
"#;

/// A version's editable fields, each sent only when given, from the
/// options at argument `i` (`publish`: 1, `updateVersion`: 2).
const fn version_fields(i: usize) -> [Field; 4] {
    [
        // Any value, as the reference sends it (an empty description clears it).
        field("description", Src::Opt(i, "description"), Kind::OptJson),
        field("tags", Src::Opt(i, "tags"), Kind::OptStrList),
        field("visibility", Src::Opt(i, "visibility"), Kind::OptText),
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
    crate::namespaces::projects::create_project(k, a, call)
}

/// `POST /fork/v1 {version_id, name, subdomain?}`, paid.
fn fork_call(a: &Args) -> Result<Call> {
    let opts = a.opt_object(0, "opts")?.ok_or_else(|| a.error("`opts` must be an object"))?;
    let mut body = Val::object();
    for (wire, key) in [("version_id", "versionId"), ("name", "name"), ("subdomain", "subdomain")] {
        match a.opt_field_string(&opts, key)? {
            // The reference sends any subdomain string it is given, "" too.
            Some(v) if key == "subdomain" || !v.trim().is_empty() => body = body.with(wire, v),
            _ if key == "subdomain" => {}
            _ => return Err(a.error(["`", key, "` is required"].concat())),
        }
    }
    Ok(a.paid_post("/fork/v1", Some(&opts))?.json(body))
}
