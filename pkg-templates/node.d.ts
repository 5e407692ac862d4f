// `@run402/sdk-wasm/node`: everything the main entry exports, plus a
// `run402()` that needs no options, a provider over the run402 CLI's files,
// `fileSetFromDir` and `sites.deployDir`.
import type { CallOptions, CiDelegationValues, CredentialsProvider, DeployEvent, FsFileSource, Run402, Run402Options, SignCiDelegationOptions, SiteDeployResult, Sites } from "./index.js";

export * from "./index.js";

/** Where fileCredentials keeps its files; each defaults as the CLI does. */
export interface FileCredentialsOptions {
  /**
   * The directory holding projects.json and allowance.json. Default:
   * RUN402_CONFIG_DIR (a RUN402_WALLET / RUN402_PROFILE wallet under its
   * profiles/), else ~/.config/run402. Set here, it also overrides
   * RUN402_ALLOWANCE_PATH.
   */
  configDir?: string;
  /** The keystore file. Default: <configDir>/projects.json. */
  keystorePath?: string;
  /** The wallet file. Default: RUN402_ALLOWANCE_PATH, else <configDir>/allowance.json. */
  allowancePath?: string;
}

/** Options for run402(): any Run402 option (each optional) and where the files are. */
export interface NodeRun402Options extends Partial<Run402Options>, FileCredentialsOptions {}

/** A provider with every method the SDK can use, backed by the CLI's files. */
export type FileCredentialsProvider = Required<Omit<CredentialsProvider, "createAllowance">>;

/**
 * The CLI's keystore (projects.json: keys, active project) and allowance
 * (allowance.json: the wallet that signs in and pays), read and written as
 * the CLI does: 0600 files replaced atomically, keystore writes under its
 * lock directory, a legacy wallet.json renamed, the legacy array form read.
 */
export declare function fileCredentials(opts?: FileCredentialsOptions): FileCredentialsProvider;

/**
 * A client with the CLI's defaults: apiBase from RUN402_API_BASE (else
 * https://api.run402.com), credentials from fileCredentials(opts).
 */
export declare function run402(opts?: NodeRun402Options): NodeRun402;

/** A client from run402(): its `sites` has `deployDir`. */
export type NodeRun402 = Run402 & { readonly sites: NodeSites };

/** `sites` on a client from run402(). */
export interface NodeSites extends Sites {
  /**
   * Deploys every file under `dir` as the project's whole site
   * (`fileSetFromDir(dir)`, then `deploy.apply({ project, site: { replace } })`):
   * only bytes the gateway lacks are uploaded, and files are read from disk
   * as they are hashed and uploaded.
   */
  deployDir(opts: DeployDirOptions): Promise<SiteDeployResult>;
}

export interface DeployDirOptions extends CallOptions {
  /** The project to deploy to. */
  project: string;
  /** The directory to deploy; its relative paths become the site's paths. */
  dir: string;
  /** @deprecated Deploy v2 has no target labels: passing one is a LocalError rather than being ignored. */
  target?: string;
  /** Each deploy event as it happens (the events of deploy.apply); an exception it throws is ignored. */
  onEvent?: (event: DeployEvent) => void;
}

export interface FileSetFromDirOptions {
  /** More file or directory names to skip at any depth. */
  ignore?: Iterable<string>;
  /**
   * Also take the files skipped by default as credentials: `.env`, `.env.*`,
   * `.envrc`, `.npmrc`, `.pnpmrc`, `.yarnrc`, `.netrc`, `.pypirc`, `id_rsa`
   * and other SSH keys, `*.key`, `*.pem`, `*.p12`, `*.pfx`. Default false.
   */
  includeSensitive?: boolean;
}

/**
 * Every file under `dir`, keyed by its POSIX path relative to `dir`, as an
 * fs-file source (absolute path; nothing is read yet). Skips `.git`,
 * `node_modules`, `.DS_Store`, the `ignore` names and, unless
 * `includeSensitive`, credential files. Rejects with LocalError on a
 * symlink (naming it), a missing or non-directory `dir`, or no files left.
 */
export declare function fileSetFromDir(dir: string, opts?: FileSetFromDirOptions): Promise<Record<string, FsFileSource>>;

/**
 * signCiDelegation with the CLI's defaults: the wallet in allowance.json
 * (or `allowancePath`) unless `allowance` is given, the gateway from
 * RUN402_API_BASE unless `apiBase` is.
 */
export declare function signCiDelegation(values: CiDelegationValues, opts?: SignCiDelegationOptions & { allowancePath?: string }): string;
