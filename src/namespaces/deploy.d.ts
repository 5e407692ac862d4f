/** A file on disk, read by the Node entry's file reader (`fileSetFromDir` makes these). */
export interface FsFileSource {
  readonly __source: "fs-file";
  readonly path: string;
  readonly contentType?: string;
}

/** Content already uploaded: passed through by its hash. */
export interface ContentRef {
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
  /** Bytes. */
  size: number;
  contentType?: string;
  integrity?: string;
}

/** Bytes for a file, a function source or a migration: hashed once, uploaded only if the gateway lacks them. */
export type ContentSource =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | FsFileSource
  | { data: ContentSource; contentType?: string }
  | ContentRef;

/** Files by path (relative, `/`-separated). */
export type FileSet = Record<string, ContentSource>;

/** One deploy: everything a release should become. Only `project` is required; at least one deployable section is. */
export interface ReleaseSpec {
  project: string;
  /** What the release builds on: the live one (default), nothing, or a release by id. */
  base?: { release: "current" | "empty" } | { release_id: string };
  database?: DatabaseSpec;
  secrets?: SecretsSpec;
  functions?: FunctionsSpec;
  site?: SiteSpec;
  subdomains?: SubdomainsSpec;
  routes?: ReleaseRoutesSpec;
  checks?: SmokeCheck[];
}

export interface DatabaseSpec {
  migrations?: MigrationSpec[];
  expose?: ExposeManifest;
  zero_downtime?: boolean;
}

export interface MigrationSpec {
  id: string;
  /** Defaults to the SQL's SHA-256. */
  checksum?: string;
  sql?: string;
  sql_ref?: ContentRef;
  transaction?: "required" | "none";
}

/** Secret names the release needs or drops (values are set with `secrets.set`, never in a spec). */
export interface SecretsSpec {
  require?: string[];
  delete?: string[];
}

export interface FunctionsSpec {
  replace?: Record<string, FunctionSpec>;
  patch?: { set?: Record<string, FunctionSpec>; delete?: string[] };
}

export interface FunctionSpec {
  runtime?: "node22";
  source?: ContentSource;
  files?: FileSet;
  entrypoint?: string;
  config?: { timeoutSeconds?: number; memoryMb?: number };
  /** A cron expression; `null` clears the schedule. */
  schedule?: string | null;
}

export type StaticCacheClass = "html" | "immutable_versioned" | "revalidating_asset" | (string & {});

export interface PublicStaticPathSpec {
  asset: string;
  cache_class?: StaticCacheClass;
}

export type SitePublicPathsSpec =
  | { mode: "implicit"; replace?: never }
  | { mode: "explicit"; replace: Record<string, PublicStaticPathSpec> };

export type SiteSpec =
  | { replace: FileSet; patch?: never; public_paths?: SitePublicPathsSpec }
  | { patch: { put?: FileSet; delete?: string[] }; replace?: never; public_paths?: SitePublicPathsSpec }
  | { public_paths: SitePublicPathsSpec; replace?: never; patch?: never };

export interface SubdomainsSpec {
  /** At most one name. */
  set?: string[];
  add?: string[];
  remove?: string[];
}

export type RouteHttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

export interface FunctionRouteTarget {
  type: "function";
  name: string;
}

export interface StaticRouteTarget {
  type: "static";
  /** A site file, relative, no leading `/`. */
  file: string;
}

export type RouteTarget = FunctionRouteTarget | StaticRouteTarget;

export interface RouteSpec {
  pattern: string;
  methods?: RouteHttpMethod[];
  target: RouteTarget;
  acknowledge_readonly?: boolean;
}

/** `null` removes every route. */
export type ReleaseRoutesSpec = null | { replace: RouteSpec[] };

export interface SmokeCheck {
  path?: string;
  [key: string]: unknown;
}

/** A plan warning. */
export interface WarningEntry {
  code: string;
  severity: "info" | "warn" | "high" | (string & {});
  requires_confirmation: boolean;
  message: string;
  affected?: string[];
  details?: Record<string, unknown>;
  confidence?: string;
}

export interface PaymentRequiredHint {
  amount: string;
  asset: string;
  payTo: string;
  reason: string;
}

/** Content the plan references: `present` if the gateway already holds it. */
export interface MissingContent {
  sha256: string;
  size: number;
  present: boolean;
  [key: string]: unknown;
}

/** A deploy plan, normalized: the buckets of a `plan_response` are folded into `diff`. */
export interface PlanResponse {
  kind?: "plan_response" | (string & {});
  schema_version?: string;
  /** Null for a dry run. */
  plan_id: string | null;
  /** Null for a dry run. */
  operation_id: string | null;
  base_release_id: string | null;
  manifest_digest: string;
  is_noop?: boolean;
  summary?: unknown;
  expected_events?: unknown[];
  missing_content: MissingContent[];
  diff: Record<string, unknown>;
  warnings: WarningEntry[];
  payment_required?: PaymentRequiredHint | null;
  [key: string]: unknown;
}

/** Reads one content's bytes (what `plan` returns per sha256; `upload` accepts your own). */
export interface ByteReader {
  (): Promise<Uint8Array>;
  label?: string;
  contentType?: string;
}

/** The live URLs of a release, by kind (site, subdomains, functions). */
export type DeployUrls = Record<string, unknown>;

/** What `apply`, `commit` and `resume` resolve to. */
export interface DeployResult {
  release_id: string;
  operation_id: string;
  urls: DeployUrls;
  /** The plan's diff (`{}` from `commit` and `resume`). */
  diff: Record<string, unknown>;
  /** The plan's warnings (`[]` from `commit` and `resume`). */
  warnings: WarningEntry[];
}

export type DeployPhase = "validate" | "stage" | "migrate-gate" | "migrate" | "schema-settle" | "activate" | "ready";

/** Every event a deploy emits (`onEvent`, `DeployOperation.events()`), told apart by `type`. */
export type DeployEvent =
  | { type: "plan.started" }
  | { type: "plan.diff"; diff: Record<string, unknown> }
  | { type: "plan.warnings"; warnings: WarningEntry[] }
  | { type: "payment.required"; amount: string; asset: string; payTo: string; reason: string }
  | { type: "payment.paid"; tx?: string }
  | {
    type: "deploy.retry";
    attempt: number;
    nextAttempt: number;
    maxAttempts: number;
    delayMs: number;
    code: string;
    phase: string | null;
    resource: string | null;
    operationId: string | null;
    planId: string | null;
    message: string;
  }
  | { type: "content.upload.skipped"; label: string; sha256: string; reason: "present" | "satisfied_by_plan" }
  | { type: "content.upload.progress"; label: string; sha256: string; done: number; total: number }
  | { type: "commit.phase"; phase: DeployPhase; status: "started" | "done" | "failed" }
  | { type: "log"; resource: string; stream: "stdout" | "stderr"; line: string }
  | { type: "ready"; releaseId: string; urls: DeployUrls };

export type OperationStatus =
  | "planning" | "uploading" | "committing" | "staging" | "gating" | "migrating" | "schema_settling"
  | "activating" | "activation_pending" | "needs_repair" | "ready" | "failed" | "rolled_back";

/** The gateway's structured deploy error (an operation's `error`). */
export interface GatewayDeployError {
  code: string;
  phase?: string;
  resource?: string;
  message?: string;
  retryable?: boolean;
  safe_to_retry?: boolean;
  fix?: Record<string, unknown>;
  logs?: string[];
  rolled_back?: boolean;
  [key: string]: unknown;
}

/** One look at a deploy operation. */
export interface OperationSnapshot {
  operation_id: string;
  project_id: string;
  plan_id: string | null;
  status: OperationStatus;
  base_release_id: string | null;
  target_release_id: string | null;
  release_id: string | null;
  urls: DeployUrls | null;
  payment_required: PaymentRequiredHint | null;
  error: GatewayDeployError | null;
  activate_attempts: number;
  last_activate_attempt_at: string | null;
  created_at: string;
  updated_at: string;
  [key: string]: unknown;
}

/** A running deploy, from `start`. */
export interface DeployOperation {
  /** The operation id (`op_…`); null only for a plan that cannot be committed. */
  readonly id: string | null;
  /** The events so far, then live ones; ends after `ready` or when the deploy settles. */
  events(): AsyncIterable<DeployEvent>;
  result(): Promise<DeployResult>;
  /** The operation now (cached once terminal). */
  snapshot(): Promise<OperationSnapshot>;
}

export interface DeployApplyOptions {
  onEvent?: (event: DeployEvent) => void;
  idempotencyKey?: string;
  /** Deploy despite warnings that need confirmation. */
  allowWarnings?: boolean;
  /** New attempts after a safe BASE_RELEASE_CONFLICT (default 2). */
  maxRetries?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface DeployStartOptions {
  onEvent?: (event: DeployEvent) => void;
  idempotencyKey?: string;
  allowWarnings?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface DeployPlanOptions {
  /** A plan that is not stored and cannot be committed. */
  dryRun?: boolean;
  idempotencyKey?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface DeployUploadOptions {
  project: string;
  byteReaders: Map<string, ByteReader>;
  onEvent?: (event: DeployEvent) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface DeployCommitOptions {
  /** Adds the project's anon apikey to the polls. */
  project?: string;
  idempotencyKey?: string;
  onEvent?: (event: DeployEvent) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface DeployResumeOptions {
  project?: string;
  onEvent?: (event: DeployEvent) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface DeployListOptions {
  project: string;
  limit?: number;
  cursor?: string;
}

export interface DeployOperationSummary {
  operation_id: string;
  status: OperationStatus;
  plan_id: string | null;
  release_id: string | null;
  created_at: string;
  updated_at: string;
  [key: string]: unknown;
}

export interface DeployListResponse {
  operations: DeployOperationSummary[];
  cursor?: string | null;
  [key: string]: unknown;
}

export interface DeployEventsResponse {
  events: Array<DeployEvent | Record<string, unknown>>;
  [key: string]: unknown;
}

export interface ReleaseInventoryOptions {
  project: string;
  siteLimit?: number;
}

export interface ReleaseInventoryByIdOptions {
  project: string;
  releaseId: string;
  siteLimit?: number;
}

export interface SitePathEntry {
  path: string;
  content_sha256: string;
  content_type: string;
}

export interface ReleaseFunctionEntry {
  name: string;
  code_hash: string;
  runtime: string;
  timeout_seconds: number;
  memory_mb: number;
  schedule: string | null;
}

export interface MigrationAppliedEntry {
  migration_id: string;
  checksum_hex: string;
  applied_at: string;
}

export interface ReleaseInventoryBase<K extends string = string> {
  kind: "release_inventory";
  schema_version: "agent-deploy-observability.v1" | (string & {});
  /** Null before the first release (active inventory only). */
  release_id: string | null;
  project_id: string;
  parent_id: string | null;
  status: "active" | "superseded" | "failed" | "staged" | null;
  manifest_digest: string | null;
  created_at: string | null;
  created_by: string | null;
  activated_at: string | null;
  superseded_at: string | null;
  operation_id: string | null;
  plan_id: string | null;
  events_url: string | null;
  effective: boolean;
  state_kind: K;
  release_generation: number | null;
  static_manifest_sha256: string | null;
  static_manifest_metadata: Record<string, unknown> | null;
  site: { paths: SitePathEntry[]; totals?: { paths: number } };
  static_public_paths?: Array<Record<string, unknown>>;
  functions: ReleaseFunctionEntry[];
  secrets: { keys: string[] };
  subdomains: { names: string[] };
  routes: { manifest_sha256: string | null; entries: Array<Record<string, unknown>> };
  migrations_applied: MigrationAppliedEntry[];
  warnings?: WarningEntry[];
  [key: string]: unknown;
}

export type ActiveReleaseInventory = ReleaseInventoryBase<"current_live">;
export type ReleaseInventory = ReleaseInventoryBase<"current_live" | "effective" | "desired_manifest">;

export interface ReleaseDiffOptions {
  project: string;
  /** "empty", "active" or a release id. */
  from: string;
  /** "active" or a release id. */
  to: string;
  limit?: number;
}

export interface ReleaseToReleaseDiff {
  kind: "release_diff";
  schema_version: string;
  from_release_id: string | null;
  to_release_id: string | null;
  is_noop: boolean;
  summary: unknown;
  warnings: WarningEntry[];
  migrations: { applied_between_releases: unknown[] };
  site: Record<string, unknown>;
  functions: Record<string, unknown>;
  secrets: Record<string, unknown>;
  subdomains: Record<string, unknown>;
  routes: Record<string, unknown>;
  static_assets: Record<string, unknown>;
  [key: string]: unknown;
}

export type DeployResolveOptions =
  | { project: string; url: string; host?: never; path?: never; method?: string }
  | { project: string; host: string; path?: string; url?: never; method?: string };

export interface DeployResolveResponse {
  hostname: string;
  /** e.g. "static_exact", "static_index", "spa_fallback", "route_function", "none". */
  match: string;
  authorized: boolean;
  fallback_state: string | null;
  /** The HTTP status the request would get. */
  result: number;
  [key: string]: unknown;
}
