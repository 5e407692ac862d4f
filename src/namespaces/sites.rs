//! `r.sites`: static sites. Empty in every runtime, as the reference's
//! isomorphic `Sites` is (contract §1.7): a site is deployed with
//! `r.deploy.apply({ project, site })`. The Node entry
//! (`@run402/sdk-wasm/node`, js/node.js) adds `sites.deployDir`, which walks
//! a directory and deploys it through `deploy.apply`.
//!
//! Also carries the declarations of the root `files()` helper and of
//! `installFileReader`, which belong to no namespace.

use crate::surface::Namespace;

pub const NAMESPACE: Namespace = Namespace {
    name: "sites",
    ts_name: "Sites",
    doc: crate::ts!("Static sites: deploy them with deploy.apply({ project, site }); the Node entry adds deployDir."),
    scoped: false,
    internal: false,
    hidden_aliases: &[],
    types: crate::ts!(TYPES),
    methods: &[],
};

#[cfg(not(target_arch = "wasm32"))]
const TYPES: &str = r#"/** What `sites.deployDir` (from `@run402/sdk-wasm/node`) resolves to. */
export interface SiteDeployResult {
  /** `urls.deployment_id` of the release, else its release id. */
  deployment_id: string;
  /** The live project URL (`urls.project`, else `urls.site`, else ""). */
  url: string;
  /** Bytes across the site's files, when the gateway reports them. */
  bytes_total?: number;
  /** Bytes uploaded by this deploy (0 when every file was already there), when reported. */
  bytes_uploaded?: number;
}

/**
 * Returns `record` unchanged: a typed way to write a site's file set,
 * path → content, for `deploy.apply({ project, site: { replace: files({...}) } })`.
 */
export declare function files<T extends FileSet>(record: T): T;

/**
 * Sets how fs-file sources (`{ __source: "fs-file", path }`, as
 * `fileSetFromDir` makes them) are read when a deploy hashes and uploads
 * them. Importing `@run402/sdk-wasm/node` installs a reader over `node:fs`;
 * `undefined` removes the reader, after which such a source is a LocalError.
 */
export declare function installFileReader(read: ((path: string) => Promise<Uint8Array>) | undefined): void;
"#;
