// Generated from the Rust definitions (src/surface.rs, src/namespaces/*, src/error.rs).
// Do not edit: run the build, which regenerates it.

/** Stable discriminator on every Run402Error. */
export type Run402ErrorKind = "payment_required" | "project_not_found" | "unauthorized" | "api_error" | "network_error" | "local_error" | "deploy_error";

/** Base class of every error the SDK throws. Branch with the is* guards, not instanceof. */
export declare abstract class Run402Error extends Error {
  readonly isRun402Error: true;
  abstract readonly kind: Run402ErrorKind;
  /** HTTP status, or null when no response was received. */
  readonly status: number | null;
  /** The decoded response body (JSON value or text), or null. */
  readonly body: unknown;
  /** Short verb phrase naming the attempted operation, e.g. "provisioning project". */
  readonly context: string;
  readonly code?: string;
  readonly category?: string;
  readonly retryable?: boolean;
  readonly safeToRetry?: boolean;
  readonly mutationState?: string;
  readonly traceId?: string;
  readonly details?: unknown;
  readonly nextActions?: unknown[];
  constructor(message: string, status: number | null, body: unknown, context: string);
  /** The canonical envelope, so JSON.stringify(e) keeps every structured field. */
  toJSON(): Record<string, unknown>;
}

export declare class PaymentRequired extends Run402Error {
  readonly kind: "payment_required";
  /** Why the SDK did not pay, e.g. no allowance, or the spend policy refused. */
  readonly reason?: string;
  /** The server's x402 `accepts` array as it sent it (v2 header or v1 body): the offers the SDK saw. */
  readonly requirements?: unknown[];
}

export declare class ProjectNotFound extends Run402Error {
  readonly kind: "project_not_found";
  readonly projectId: string;
  constructor(projectId: string, context: string, status?: number | null, body?: unknown);
}

export declare class Unauthorized extends Run402Error {
  readonly kind: "unauthorized";
}

export declare class ApiError extends Run402Error {
  readonly kind: "api_error";
}

export declare class NetworkError extends Run402Error {
  readonly kind: "network_error";
  readonly cause: unknown;
  constructor(message: string, cause: unknown, context: string);
}

export declare class LocalError extends Run402Error {
  readonly kind: "local_error";
  readonly cause?: unknown;
  constructor(message: string, context: string, cause?: unknown);
}

export declare class Run402DeployError extends Run402Error {
  readonly kind: "deploy_error";
  readonly code: string;
  readonly phase: string | null;
  readonly resource: string | null;
  readonly retryable: boolean;
  readonly operationId: string | null;
  readonly planId: string | null;
  readonly fix: { action: string; path?: string; [key: string]: unknown } | null;
  readonly logs: string[] | null;
  readonly rolledBack: boolean;
  readonly attempts?: number;
  readonly maxRetries?: number;
  readonly lastRetryCode?: string;
  constructor(message: string, init: {
    code: string;
    phase?: string | null;
    resource?: string | null;
    retryable?: boolean;
    operationId?: string | null;
    planId?: string | null;
    fix?: { action: string; path?: string; [key: string]: unknown } | null;
    logs?: string[] | null;
    rolledBack?: boolean;
    attempts?: number;
    maxRetries?: number;
    lastRetryCode?: string;
    status?: number | null;
    body?: unknown;
    context: string;
  });
}

/** Brand check: true for any Run402 error, from any copy of any Run402 SDK. */
export declare function isRun402Error(e: unknown): e is Run402Error;
export declare function isPaymentRequired(e: unknown): e is PaymentRequired;
export declare function isProjectNotFound(e: unknown): e is ProjectNotFound;
export declare function isUnauthorized(e: unknown): e is Unauthorized;
export declare function isApiError(e: unknown): e is ApiError;
export declare function isNetworkError(e: unknown): e is NetworkError;
export declare function isLocalError(e: unknown): e is LocalError;
export declare function isDeployError(e: unknown): e is Run402DeployError;
/** The retry policy withRetry uses by default: 408/425/429/5xx, network errors, gateway-flagged retryable. */
export declare function isRetryableRun402Error(e: unknown): boolean;

export interface RetryOptions {
  /** Total attempts including the first: a positive integer (default 3); anything else is a LocalError. */
  attempts?: number;
  /** Delay before the first retry in ms (default 250); doubles each time. */
  baseDelayMs?: number;
  /** Cap on any one delay in ms (default 5000). */
  maxDelayMs?: number;
  /** Whether to retry after this error (default isRetryableRun402Error). */
  retryIf?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait; exceptions it throws are ignored. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs fn, retrying with exponential backoff; re-throws the last error unchanged. */
export declare function withRetry<T>(fn: () => Promise<T>, opts?: RetryOptions): Promise<T>;

/** A project's keys as the credentials provider stores them. */
export interface ProjectKeys {
  anon_key: string;
  service_key: string;
  site_url?: string;
  deployed_at?: string;
  last_deployment_id?: string;
  mailbox_id?: string;
  mailbox_address?: string;
}

/** A local wallet used to pay and sign in. privateKey is a secret. */
export interface AllowanceData {
  address: string;
  privateKey: string;
  created?: string;
  funded?: boolean;
  lastFaucet?: string;
  rail?: "x402" | "mpp";
}

/** Metadata passed as getAuth's second argument. */
export interface AuthRequestMeta {
  /** The SDK method making the request, e.g. "projects.provision". */
  method?: string;
  /** The full request URL (apiBase + path), e.g. for a wallet sign-in. */
  url?: string;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * Where credentials come from. getAuth and getProject are required; the rest
 * are optional and enable local state (saving keys, an active project, a
 * wallet). Every method may be sync or async.
 */
export interface CredentialsProvider {
  getAuth(path: string, meta?: AuthRequestMeta): MaybePromise<Record<string, string> | null>;
  getProject(id: string): MaybePromise<ProjectKeys | null>;
  saveProject?(id: string, project: ProjectKeys): MaybePromise<void>;
  updateProject?(id: string, patch: Partial<ProjectKeys>): MaybePromise<void>;
  removeProject?(id: string): MaybePromise<void>;
  setActiveProject?(id: string): MaybePromise<void>;
  getActiveProject?(): MaybePromise<string | null>;
  readAllowance?(): MaybePromise<AllowanceData | null>;
  saveAllowance?(data: AllowanceData): MaybePromise<void>;
  createAllowance?(): MaybePromise<AllowanceData>;
  getAllowancePath?(): string;
}

/** Where allowanceCredentials finds the wallet: the wallet itself, or a function that reads it (one is required). */
export type AllowanceSource =
  | { allowance: AllowanceData | null; readAllowance?: () => MaybePromise<AllowanceData | null> }
  | { allowance?: AllowanceData | null; readAllowance: () => MaybePromise<AllowanceData | null> };

export type AllowanceCredentialsOptions = AllowanceSource & {
  saveAllowance?: (data: AllowanceData) => MaybePromise<void>;
  /** Project keys by id (a Map or a record; provision saves into it), or a lookup. */
  projects?: Map<string, ProjectKeys> | Record<string, ProjectKeys>;
  getProject?: (id: string) => MaybePromise<ProjectKeys | null>;
};

/**
 * A provider that signs in with the wallet (SIGN-IN-WITH-X, EIP-4361 signed
 * in wasm) and pays x402 requests from it. Works in any runtime.
 */
export declare function allowanceCredentials(opts: AllowanceCredentialsOptions): CredentialsProvider;

/** EIP-712 domain of an EIP-3009 token (e.g. USDC: name "USDC" or "USD Coin", version "2"). */
export interface TransferDomain {
  name: string;
  version: string;
  chainId: number | string;
  verifyingContract: string;
}

/** EIP-3009 TransferWithAuthorization; uint256 fields as decimal strings. */
export interface TransferAuthorization {
  from: string;
  to: string;
  value: string;
  validAfter: string;
  validBefore: string;
  /** 0x + 64 hex digits. */
  nonce: string;
}

/** Signs an EIP-3009 authorization in wasm: 0x + r ‖ s ‖ v (65 bytes, v = 27/28, low s). */
export declare function signTransferAuthorization(privateKey: string, domain: TransferDomain, message: TransferAuthorization): string;

// ── projects ──

export type ProjectTier = "prototype" | "hobby" | "team";

export interface ProvisionOptions extends CallOptions {
  tier?: ProjectTier;
  name?: string;
  /** Sent as Idempotency-Key (not in the body); default: one per withRetry scope, else random. */
  idempotencyKey?: string;
}

export interface ProvisionResult {
  project_id: string;
  anon_key: string;
  service_key: string;
  schema_slot: string;
  /** When the project's lease ends (ISO 8601), as the gateway's HTTP API documents. */
  lease_expires_at?: string;
  [key: string]: unknown;
}

export interface ProjectSummary {
  id: string;
  name: string;
  tier: string;
  status: string;
  api_calls: number;
  storage_bytes: number;
  lease_expires_at?: string | null;
  created_at: string;
  [key: string]: unknown;
}

export interface ListProjectsResult {
  wallet: string;
  projects: ProjectSummary[];
}

export interface UsageReport {
  project_id: string;
  tier: string;
  api_calls: number;
  api_calls_limit: number;
  storage_bytes: number;
  storage_limit_bytes: number;
  lease_expires_at?: string | null;
  status: string;
  [key: string]: unknown;
}

export interface ColumnSchema {
  name: string;
  type: string;
  nullable: boolean;
  default_value: string | null;
}

export interface ConstraintSchema {
  name: string;
  type: string;
  definition: string;
}

export interface RlsPolicy {
  name: string;
  command: string;
  using_expression: string | null;
  check_expression: string | null;
}

export interface TableSchema {
  name: string;
  columns: ColumnSchema[];
  constraints: ConstraintSchema[];
  rls_enabled: boolean;
  policies: RlsPolicy[];
}

export interface SchemaReport {
  schema: string;
  tables: TableSchema[];
}

/** The gateway's SQL answer, passed through as sent. */
export interface SqlResult<Row = Record<string, unknown>> {
  status?: string;
  schema?: string;
  rows?: Row[];
  rowCount?: number;
  [key: string]: unknown;
}

export type ProjectRestMethod = "GET" | "POST" | "PATCH" | "DELETE";
export type ProjectRestKeyType = "anon" | "service";

export interface ProjectRestOptions extends CallOptions {
  method?: ProjectRestMethod;
  /** Query string without the leading "?", or a record encoded like URLSearchParams. */
  query?: string | Record<string, string | number | boolean>;
  body?: unknown;
  /** Which project key authenticates the request (default "anon"). */
  keyType?: ProjectRestKeyType;
}

export interface ProjectRestResponse<T = unknown> {
  status: number;
  body: T;
}

export interface ExposeManifest {
  version?: string;
  tables?: Array<Record<string, unknown>>;
  views?: Array<Record<string, unknown>>;
  rpcs?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export interface ValidateExposeOptions extends CallOptions {
  project?: string;
  project_id?: string;
  migrationSql?: string;
}

export type ExposeManifestValidationIssueType =
  | "missing-table"
  | "missing-column"
  | "missing-view-base"
  | "missing-rpc"
  | "ambiguous-rpc"
  | "unrestricted-ack-required"
  | "sensitive-column-public-write"
  | "grant-to-role-unknown"
  | "force-owner-without-owner-column"
  | "validation-inconclusive"
  | "schema-shape"
  | (string & {});

export interface ExposeManifestValidationIssue {
  type: ExposeManifestValidationIssueType;
  severity: "error" | "warning";
  detail: string;
  fix?: string;
}

export interface ExposeManifestValidationResult {
  hasErrors: boolean;
  errors: ExposeManifestValidationIssue[];
  warnings: ExposeManifestValidationIssue[];
}

export interface PinResult {
  status: string;
  project_id: string;
  message?: string;
}

export interface TierQuote {
  price: string;
  lease_days: number;
  storage_mb: number;
  api_calls: number;
  max_functions: number;
  description: string;
}

export interface QuoteResult {
  tiers: Record<string, TierQuote>;
  auth?: Record<string, unknown>;
}

export interface ProjectInfo extends ProjectKeys {
  project_id: string;
}

/** Provision, delete, list projects; SQL, REST, expose manifest; local key lookup. */
export interface Projects {
  /** POST /projects/v1 (paid). Saves the keys and makes the project active when the provider supports it. */
  provision(opts?: ProvisionOptions): Promise<ProvisionResult>;
  /** DELETE /projects/v1/{id}; then removes the project from the provider when it supports it. */
  delete(id: string): Promise<void>;
  /** Projects owned by a wallet (default: the provider's allowance address). */
  list(wallet?: string): Promise<ListProjectsResult>;
  /** API calls and storage against the tier's limits. */
  getUsage(id: string): Promise<UsageReport>;
  /** Alias of getUsage(). */
  usage(id: string): Promise<UsageReport>;
  /** Tables, columns, constraints and RLS policies. */
  getSchema(id: string): Promise<SchemaReport>;
  /** Alias of getSchema(). */
  schema(id: string): Promise<SchemaReport>;
  /** Runs SQL with the service key; non-empty params are bound as $1..$n. */
  sql<Row = Record<string, unknown>>(id: string, sql: string, params?: unknown[]): Promise<SqlResult<Row>>;
  /** PostgREST-style request to /rest/v1/{table}; resolves to the response body. */
  rest<T = any>(id: string, table: string, queryOrOptions?: string | ProjectRestOptions): Promise<T>;
  /** Like rest(), but resolves to { status, body }. */
  restResponse<T = unknown>(id: string, table: string, queryOrOptions?: string | ProjectRestOptions): Promise<ProjectRestResponse<T>>;
  /** Applies an expose manifest (which tables the REST API serves, and their RLS). */
  applyExpose(id: string, manifest: ExposeManifest): Promise<unknown>;
  /** Validates a manifest, against a project's schema when one is given. Invalid JSON text is reported locally. */
  validateExpose(manifest: ExposeManifest | string, opts?: ValidateExposeOptions): Promise<ExposeManifestValidationResult>;
  /** The project's current expose manifest. */
  getExpose(id: string): Promise<ExposeManifest>;
  /** Platform-admin only: exempts a project from lease expiry. */
  pin(id: string): Promise<PinResult>;
  /** Tier prices and limits (no auth). */
  getQuote(): Promise<QuoteResult>;
  /** Alias of getQuote(). */
  quote(): Promise<QuoteResult>;
  /** Makes a project user an admin. */
  promoteUser(id: string, email: string): Promise<void>;
  /** Removes a project user's admin role. */
  demoteUser(id: string, email: string): Promise<void>;
  /** Local: the provider's record for the project, with its id. */
  info(id: string): Promise<ProjectInfo>;
  /** Local: the provider's keys for the project. */
  keys(id: string): Promise<ProjectKeys>;
  /** Local: makes the project the provider's active one (needs setActiveProject). */
  use(id: string): Promise<void>;
  /** Local: the provider's active project id, or null. */
  active(): Promise<string | null>;
}

/** Provision, delete, list projects; SQL, REST, expose manifest; local key lookup. Bound to one project. */
export interface ScopedProjects {
  /** DELETE /projects/v1/{id}; then removes the project from the provider when it supports it. */
  delete(): Promise<void>;
  /** Projects owned by a wallet (default: the provider's allowance address). */
  list(wallet?: string): Promise<ListProjectsResult>;
  /** API calls and storage against the tier's limits. */
  getUsage(): Promise<UsageReport>;
  /** Tables, columns, constraints and RLS policies. */
  getSchema(): Promise<SchemaReport>;
  /** Runs SQL with the service key; non-empty params are bound as $1..$n. */
  sql<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<SqlResult<Row>>;
  /** PostgREST-style request to /rest/v1/{table}; resolves to the response body. */
  rest<T = any>(table: string, queryOrOptions?: string | ProjectRestOptions): Promise<T>;
  /** Like rest(), but resolves to { status, body }. */
  restResponse<T = unknown>(table: string, queryOrOptions?: string | ProjectRestOptions): Promise<ProjectRestResponse<T>>;
  /** Applies an expose manifest (which tables the REST API serves, and their RLS). */
  applyExpose(manifest: ExposeManifest): Promise<unknown>;
  /** Validates a manifest, against a project's schema when one is given. Invalid JSON text is reported locally. */
  validateExpose(manifest: ExposeManifest | string, opts?: ScopedOptions<ValidateExposeOptions, "project" | "project_id">): Promise<ExposeManifestValidationResult>;
  /** The project's current expose manifest. */
  getExpose(): Promise<ExposeManifest>;
  /** Platform-admin only: exempts a project from lease expiry. */
  pin(): Promise<PinResult>;
  /** Tier prices and limits (no auth). */
  getQuote(): Promise<QuoteResult>;
  /** Makes a project user an admin. */
  promoteUser(email: string): Promise<void>;
  /** Removes a project user's admin role. */
  demoteUser(email: string): Promise<void>;
  /** Local: the provider's record for the project, with its id. */
  info(): Promise<ProjectInfo>;
  /** Local: the provider's keys for the project. */
  keys(): Promise<ProjectKeys>;
  /** Local: the provider's active project id, or null. */
  active(): Promise<string | null>;
}

// ── blobs ──

export type BlobVisibility = "public" | "private";

/** What `put` uploads: text (at most 1 MiB), bytes, a Blob or File, or a stream (give `size`). */
export type BlobPutSource =
  | string
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | ReadableStream<Uint8Array>
  | { content: string; bytes?: undefined }
  | { bytes: Uint8Array | ArrayBuffer | Blob; content?: undefined };

export interface BlobPutOptions {
  /** Default: guessed from the key's extension, else application/octet-stream. */
  contentType?: string;
  /** Default "public". */
  visibility?: BlobVisibility;
  /** Default true: hash the content and get a content-addressed `cdnUrl` with `sri`. */
  immutable?: boolean;
  /** The length of a `ReadableStream` source in bytes (required for streams; other sources know theirs). */
  size?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface BlobUploadPart {
  part_number: number;
  url: string;
  byte_start: number;
  /** Inclusive. */
  byte_end: number;
}

export interface BlobUploadInitOptions {
  key: string;
  size_bytes: number;
  content_type?: string;
  /** Default "public". */
  visibility?: BlobVisibility;
  /** Default false. */
  immutable?: boolean;
  /** Hex SHA-256 of the whole content (64 digits, checked locally). */
  sha256?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface BlobUploadInitResult {
  upload_id: string;
  mode: "single" | "multipart";
  parts: BlobUploadPart[];
  part_count: number;
  part_size_bytes?: number;
  [key: string]: unknown;
}

export interface BlobUploadStatusResult extends Partial<BlobUploadInitResult> {
  upload_id: string;
  status: "active" | "completed" | "aborted" | "expired" | (string & {});
  key?: string;
  [key: string]: unknown;
}

export interface BlobUploadCompletedPart {
  part_number: number;
  /** The part PUT's ETag, quotes included. */
  etag: string;
  /** Hex SHA-256 of the part. */
  sha256?: string;
}

export interface BlobUploadCompleteOptions {
  parts?: BlobUploadCompletedPart[];
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** How the CDN caches a blob (also its `X-Run402-Blob-Cache-Kind` header). */
export type BlobCacheKind = "immutable" | "mutable" | "private";

export interface BlobCdnEnvelope {
  version: string;
  invalidationId: string | null;
  invalidationStatus: string | null;
  ready: boolean;
  hint: string;
}

export interface ScriptTagOptions {
  type?: "module";
  /** Default true unless `async`. */
  defer?: boolean;
  async?: boolean;
}

export interface LinkTagOptions {
  /** Default "stylesheet". */
  rel?: string;
  as?: string;
}

/** What `put` returns: the gateway's fields, camelCase aliases, integrity values and tag emitters. */
export interface AssetRef {
  key: string;
  size_bytes: number;
  sha256: string | null;
  visibility: BlobVisibility;
  url: string | null;
  immutable_url: string | null;
  size: number;
  contentSha256: string | null;
  contentType: string;
  immutableUrl: string | null;
  /** Content-addressed CDN URL (`…/_blob/<key>-<8hex>.<ext>`); null unless immutable and public. */
  cdnUrl: string | null;
  cdnMutableUrl: string | null;
  /** `"sha256-<hex>"`, quotes included. */
  etag: string | null;
  /** `sha256-<base64>` for an `integrity` attribute. */
  sri: string | null;
  /** `sha-256=:<base64>:` (RFC 9530). */
  contentDigest: string | null;
  cacheKind: BlobCacheKind;
  cdn: BlobCdnEnvelope;
  /** `<script src integrity crossorigin>`; throws LocalError without `cdnUrl` and `sri`. */
  scriptTag(opts?: ScriptTagOptions): string;
  /** `<link rel href integrity crossorigin>`; throws LocalError without `cdnUrl` and `sri`. */
  linkTag(opts?: LinkTagOptions): string;
  /** `<img src alt loading="lazy" decoding="async">`; throws LocalError without `cdnUrl`. */
  imgTag(alt?: string): string;
}

export type BlobPutResult = AssetRef;

export interface BlobLsOptions {
  prefix?: string;
  limit?: number;
  cursor?: string;
}

export interface BlobSummary {
  key: string;
  size_bytes: number;
  content_type: string | null;
  visibility: BlobVisibility;
  created_at: string;
  [key: string]: unknown;
}

export interface BlobLsResult {
  blobs: BlobSummary[];
  next_cursor: string | null;
}

export interface BlobSignOptions {
  /** 60 to 604800; default 3600. */
  ttl_seconds?: number;
}

export interface BlobSignResult {
  signed_url: string;
  expires_at: string;
  expires_in: number;
}

export interface BlobDiagnoseEnvelope {
  projectId: string;
  key: string;
  expectedSha256: string | null;
  observedSha256: string | null;
  vantage: string;
  probeMethod: string;
  acceptEncoding: string;
  observedAt: string;
  probeMayHaveWarmedCache: boolean;
  canonicalUrl: string;
  pathKind: string;
  cache: { xCache: string | null; ageSeconds: number | null; cacheKind: BlobCacheKind | null };
  invalidation: { id: string | null; status: string | null };
  hint: string;
  [key: string]: unknown;
}

export interface BlobWaitFreshOptions {
  url: string;
  /** The SHA-256 the URL should serve (any case). */
  sha256: string;
  /** Default 60000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface BlobWaitFreshResult {
  fresh: boolean;
  observedSha256: string | null;
  attempts: number;
  elapsedMs: number;
  vantage: "gateway-us-east-1";
}

/** Blob storage: uploads straight to storage (parallel parts, streams in bounded memory), content-addressed CDN URLs with SRI, downloads, listing, signed URLs, CDN freshness checks. */
export interface Blobs {
  /** Uploads `source` under `key`: starts an upload session, PUTs its parts to the presigned URLs (up to 4 at once; for a stream one at a time, the next part read and hashed meanwhile), completes it. Strings (and `{ content }`) are limited to 1 MiB; a `ReadableStream` needs `opts.size`. `immutable` (default true) hashes the content and returns the content-addressed `cdnUrl` with its `sri`. */
  put(projectId: string, key: string, source: BlobPutSource, opts?: BlobPutOptions): Promise<AssetRef>;
  /** Starts an upload session (the first step of `put`) for uploaders that manage parts themselves: presigned part URLs with their byte ranges. `visibility` defaults to public, `immutable` to false; `sha256`, if given, must be 64 hex digits. */
  initUploadSession(projectId: string, opts: BlobUploadInitOptions): Promise<BlobUploadInitResult>;
  /** An upload session's status (active, completed, aborted, expired) and its parts, for resuming. */
  getUploadSession(projectId: string, uploadId: string): Promise<BlobUploadStatusResult>;
  /** Completes an upload session (multipart: every part's number, ETag and sha256) and returns the same AssetRef as `put`; `extra.contentType` names the AssetRef's `contentType`. */
  completeUploadSession(projectId: string, uploadId: string, opts?: BlobUploadCompleteOptions, extra?: { contentType?: string }): Promise<AssetRef>;
  /** Downloads a blob: the raw `Response`, its body unread (stream it, or read `.arrayBuffer()`). Any non-2xx answer is an ApiError carrying the response text. */
  get(projectId: string, key: string): Promise<Response>;
  /** Lists blobs by key, optionally under a prefix; pass `next_cursor` back as `cursor` for the next page. */
  ls(projectId: string, opts?: BlobLsOptions): Promise<BlobLsResult>;
  /** Deletes a blob (its storage stops counting against the project). */
  rm(projectId: string, key: string): Promise<void>;
  /** A time-limited presigned GET URL for a blob (private ones included); `ttl_seconds` from 60 to 604800 (7 days), default one hour. */
  sign(projectId: string, key: string, opts?: BlobSignOptions): Promise<BlobSignResult>;
  /** What the CDN serves at one of the project's blob URLs right now (one probe, which may itself warm the cache): expected vs observed SHA-256, cache state, the latest invalidation. Another project's URL is refused with 403. */
  diagnoseUrl(projectId: string, url: string): Promise<BlobDiagnoseEnvelope>;
  /** Polls `diagnoseUrl` (100 ms doubling to 1 s apart; failed polls are retried) until the URL serves `sha256` or `timeoutMs` (default 60000) passes. Never throws for staleness: check `fresh`. */
  waitFresh(projectId: string, opts: BlobWaitFreshOptions): Promise<BlobWaitFreshResult>;
}

/** Blob storage: uploads straight to storage (parallel parts, streams in bounded memory), content-addressed CDN URLs with SRI, downloads, listing, signed URLs, CDN freshness checks. Bound to one project. */
export interface ScopedBlobs {
  /** Uploads `source` under `key`: starts an upload session, PUTs its parts to the presigned URLs (up to 4 at once; for a stream one at a time, the next part read and hashed meanwhile), completes it. Strings (and `{ content }`) are limited to 1 MiB; a `ReadableStream` needs `opts.size`. `immutable` (default true) hashes the content and returns the content-addressed `cdnUrl` with its `sri`. */
  put(key: string, source: BlobPutSource, opts?: BlobPutOptions): Promise<AssetRef>;
  /** Starts an upload session (the first step of `put`) for uploaders that manage parts themselves: presigned part URLs with their byte ranges. `visibility` defaults to public, `immutable` to false; `sha256`, if given, must be 64 hex digits. */
  initUploadSession(opts: BlobUploadInitOptions): Promise<BlobUploadInitResult>;
  /** An upload session's status (active, completed, aborted, expired) and its parts, for resuming. */
  getUploadSession(uploadId: string): Promise<BlobUploadStatusResult>;
  /** Completes an upload session (multipart: every part's number, ETag and sha256) and returns the same AssetRef as `put`; `extra.contentType` names the AssetRef's `contentType`. */
  completeUploadSession(uploadId: string, opts?: BlobUploadCompleteOptions, extra?: { contentType?: string }): Promise<AssetRef>;
  /** Downloads a blob: the raw `Response`, its body unread (stream it, or read `.arrayBuffer()`). Any non-2xx answer is an ApiError carrying the response text. */
  get(key: string): Promise<Response>;
  /** Lists blobs by key, optionally under a prefix; pass `next_cursor` back as `cursor` for the next page. */
  ls(opts?: BlobLsOptions): Promise<BlobLsResult>;
  /** Deletes a blob (its storage stops counting against the project). */
  rm(key: string): Promise<void>;
  /** A time-limited presigned GET URL for a blob (private ones included); `ttl_seconds` from 60 to 604800 (7 days), default one hour. */
  sign(key: string, opts?: BlobSignOptions): Promise<BlobSignResult>;
  /** What the CDN serves at one of the project's blob URLs right now (one probe, which may itself warm the cache): expected vs observed SHA-256, cache state, the latest invalidation. Another project's URL is refused with 403. */
  diagnoseUrl(url: string): Promise<BlobDiagnoseEnvelope>;
  /** Polls `diagnoseUrl` (100 ms doubling to 1 s apart; failed polls are retried) until the URL serves `sha256` or `timeoutMs` (default 60000) passes. Never throws for staleness: check `fresh`. */
  waitFresh(opts: BlobWaitFreshOptions): Promise<BlobWaitFreshResult>;
}

// ── functions ──

export interface FunctionConfig {
  /** Seconds; the tier's limit applies (prototype 10, hobby 30, team 60). */
  timeout?: number;
  /** MB; the tier's limit applies (prototype 128, hobby 256, team 512). */
  memory?: number;
}

export interface FunctionDeployOptions extends CallOptions {
  /** Lower-case URL-safe slug, the invoke path's last segment. */
  name: string;
  /** An ES module: `export default async (req: Request) => Response`. */
  code: string;
  config?: FunctionConfig;
  /** npm specs to bundle: "lodash", "lodash@4.17.21", "date-fns@^3.0.0". */
  deps?: string[];
  /** A 5-field cron expression; null for none. */
  schedule?: string | null;
}

export interface FunctionDeployResult {
  name: string;
  url: string;
  status: string;
  runtime: string;
  timeout: number;
  memory: number;
  schedule?: string | null;
  created_at: string;
  runtime_version?: string | null;
  /** Dependency name → the version installed. */
  deps_resolved?: Record<string, string> | null;
  warnings?: string[];
  [key: string]: unknown;
}

export interface FunctionInvokeOptions extends CallOptions {
  /** HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS, any case); default POST. */
  method?: string;
  /** A string is sent as is (no Content-Type added); anything else as JSON. */
  body?: string | Record<string, unknown> | unknown[];
  /** Sent after the apikey header, so they may replace it. */
  headers?: Record<string, string>;
}

export interface FunctionInvokeResult {
  status: number;
  /** Parsed JSON when the function answered JSON, else its text. */
  body: unknown;
  duration_ms: number;
}

export interface FunctionLogEntry {
  timestamp: string;
  message: string;
  event_id?: string;
  log_stream_name?: string;
  ingestion_time?: string;
  request_id?: string;
  [key: string]: unknown;
}

export interface FunctionLogsOptions extends CallOptions {
  /** How many of the latest lines, 1 to 1000; default 50. */
  tail?: number;
  /** Epoch milliseconds (a number or its digits), or an ISO 8601 date (UTC) or date-time ending in Z or a ±HH:MM / ±HHMM offset (a date-time without a zone is refused). */
  since?: string | number;
  /** Only the lines of this request (req_ and 4 to 128 of A-Z a-z 0-9 _ -). */
  requestId?: string;
}

export interface FunctionLogsResult {
  logs: FunctionLogEntry[];
}

export interface FunctionScheduleMeta {
  last_run_at?: string;
  last_status?: number;
  next_run_at?: string;
  run_count?: number;
  last_error?: string | null;
  [key: string]: unknown;
}

export interface FunctionSummary {
  name: string;
  url: string;
  runtime: string;
  timeout: number;
  memory: number;
  schedule?: string | null;
  schedule_meta?: FunctionScheduleMeta | null;
  created_at: string;
  updated_at: string;
  runtime_version?: string | null;
  deps_resolved?: Record<string, string> | null;
  [key: string]: unknown;
}

export interface FunctionListResult {
  functions: FunctionSummary[];
}

export interface DeleteFunctionResult {
  status: string;
  name: string;
  [key: string]: unknown;
}

export interface FunctionUpdateOptions extends CallOptions {
  /** A 5-field cron expression; null removes the schedule; absent leaves it. */
  schedule?: string | null;
  timeout?: number;
  memory?: number;
}

export interface FunctionUpdateResult {
  name: string;
  runtime: string;
  timeout: number;
  memory: number;
  schedule: string | null;
  schedule_meta: FunctionScheduleMeta | null;
  updated_at: string;
  runtime_version?: string | null;
  deps_resolved?: Record<string, string> | null;
  [key: string]: unknown;
}

/** Serverless functions: deploy, invoke, logs, list, update (schedule, timeout, memory), delete. */
export interface Functions {
  /** Deploys (or replaces) a function: an ES module whose default export takes a Request and returns a Response. Checked locally first: name ^[a-z0-9][a-z0-9_-]{0,127}$, non-blank code, config.timeout/memory positive whole numbers, at most 30 deps of at most 200 characters without whitespace (not @run402/functions, run402-functions, sharp, canvas or bcrypt), schedule a 5-field cron string or null. */
  deploy(projectId: string, opts: FunctionDeployOptions): Promise<FunctionDeployResult>;
  /** Calls a deployed function at /functions/v1/{name} with the service key as apikey (your headers may override it). A string body goes as is, anything else as JSON; GET and HEAD take no body. Resolves to { status: 200, body (parsed JSON or text), duration_ms }; a non-2xx answer rejects. */
  invoke(projectId: string, name: string, opts?: FunctionInvokeOptions): Promise<FunctionInvokeResult>;
  /** Recent log lines: the last `tail` (default 50, at most 1000), optionally only those at or after `since` (epoch ms, or an ISO 8601 date (UTC) or date-time ending in Z or a ±HH:MM / ±HHMM offset) or of one request (`requestId`, req_...). */
  logs(projectId: string, name: string, opts?: FunctionLogsOptions): Promise<FunctionLogsResult>;
  /** The project's functions with their settings and schedule state. */
  list(projectId: string): Promise<FunctionListResult>;
  /** Deletes a function (and its schedule). */
  delete(projectId: string, name: string): Promise<DeleteFunctionResult>;
  /** Changes a function's schedule (null removes it), timeout or memory without redeploying; at least one is required. */
  update(projectId: string, name: string, opts: FunctionUpdateOptions): Promise<FunctionUpdateResult>;
}

/** Serverless functions: deploy, invoke, logs, list, update (schedule, timeout, memory), delete. Bound to one project. */
export interface ScopedFunctions {
  /** Deploys (or replaces) a function: an ES module whose default export takes a Request and returns a Response. Checked locally first: name ^[a-z0-9][a-z0-9_-]{0,127}$, non-blank code, config.timeout/memory positive whole numbers, at most 30 deps of at most 200 characters without whitespace (not @run402/functions, run402-functions, sharp, canvas or bcrypt), schedule a 5-field cron string or null. */
  deploy(opts: FunctionDeployOptions): Promise<FunctionDeployResult>;
  /** Calls a deployed function at /functions/v1/{name} with the service key as apikey (your headers may override it). A string body goes as is, anything else as JSON; GET and HEAD take no body. Resolves to { status: 200, body (parsed JSON or text), duration_ms }; a non-2xx answer rejects. */
  invoke(name: string, opts?: FunctionInvokeOptions): Promise<FunctionInvokeResult>;
  /** Recent log lines: the last `tail` (default 50, at most 1000), optionally only those at or after `since` (epoch ms, or an ISO 8601 date (UTC) or date-time ending in Z or a ±HH:MM / ±HHMM offset) or of one request (`requestId`, req_...). */
  logs(name: string, opts?: FunctionLogsOptions): Promise<FunctionLogsResult>;
  /** The project's functions with their settings and schedule state. */
  list(): Promise<FunctionListResult>;
  /** Deletes a function (and its schedule). */
  delete(name: string): Promise<DeleteFunctionResult>;
  /** Changes a function's schedule (null removes it), timeout or memory without redeploying; at least one is required. */
  update(name: string, opts: FunctionUpdateOptions): Promise<FunctionUpdateResult>;
}

// ── secrets ──

export interface SecretSummary {
  key: string;
  created_at?: string;
  updated_at?: string;
}

export interface SecretListResult {
  secrets: SecretSummary[];
}

export interface DeleteSecretResult {
  status: string;
  key: string;
  [key: string]: unknown;
}

/** Project secrets: environment variables for functions (service key). Values are never returned. */
export interface Secrets {
  /** Sets or overwrites a secret (key ^[A-Z_][A-Z0-9_]{0,127}$, value at most 4096 UTF-8 bytes, both checked locally). */
  set(projectId: string, key: string, value: string): Promise<void>;
  /** The project's secret keys with their timestamps (a bare array from the gateway is accepted too). */
  list(projectId: string): Promise<SecretListResult>;
  /** Deletes a secret. */
  delete(projectId: string, key: string): Promise<DeleteSecretResult>;
}

/** Project secrets: environment variables for functions (service key). Values are never returned. Bound to one project. */
export interface ScopedSecrets {
  /** Sets or overwrites a secret (key ^[A-Z_][A-Z0-9_]{0,127}$, value at most 4096 UTF-8 bytes, both checked locally). */
  set(key: string, value: string): Promise<void>;
  /** The project's secret keys with their timestamps (a bare array from the gateway is accepted too). */
  list(): Promise<SecretListResult>;
  /** Deletes a secret. */
  delete(key: string): Promise<DeleteSecretResult>;
}

// ── subdomains ──

export interface SubdomainClaimOptions extends CallOptions {
  /** The project that owns the claim; default: the provider's active project. */
  projectId?: string;
}

export interface SubdomainClaimResult {
  name: string;
  deployment_id: string;
  url: string;
  deployment_url: string;
  project_id: string | null;
  created_at: string;
  updated_at: string;
  [key: string]: unknown;
}

export interface SubdomainSummary {
  name: string;
  url: string;
  deployment_id: string;
  deployment_url: string;
  project_id: string;
  created_at: string;
  updated_at: string;
  [key: string]: unknown;
}

export interface SubdomainDeleteResult {
  name: string;
  deployment_id: string;
  project_id: string;
  deleted_at: string;
  [key: string]: unknown;
}

/** Subdomain claims (<name>.run402.com) pointing at deployments (service key). */
export interface Subdomains {
  /** Claims a subdomain (or points it at another deployment) for opts.projectId, else the active project. */
  claim(name: string, deploymentId: string, opts?: SubdomainClaimOptions): Promise<SubdomainClaimResult>;
  /** Releases a subdomain of opts.projectId, else of the active project. */
  delete(name: string, opts?: SubdomainClaimOptions): Promise<SubdomainDeleteResult>;
  /** The project's subdomains (the gateway's `subdomains` array; [] when absent). */
  list(projectId: string): Promise<SubdomainSummary[]>;
}

/** Subdomain claims (<name>.run402.com) pointing at deployments (service key). Bound to one project. */
export interface ScopedSubdomains {
  /** Claims a subdomain (or points it at another deployment) for opts.projectId, else the active project. */
  claim(name: string, deploymentId: string, opts?: ScopedOptions<SubdomainClaimOptions, "projectId">): Promise<SubdomainClaimResult>;
  /** Releases a subdomain of opts.projectId, else of the active project. */
  delete(name: string, opts?: ScopedOptions<SubdomainClaimOptions, "projectId">): Promise<SubdomainDeleteResult>;
  /** The project's subdomains (the gateway's `subdomains` array; [] when absent). */
  list(): Promise<SubdomainSummary[]>;
}

// ── domains ──

export interface DnsInstructions {
  cname_target?: string;
  txt_name?: string;
  txt_value?: string;
}

export interface CustomDomainAddResult {
  domain: string;
  subdomain_name: string;
  url: string;
  subdomain_url: string;
  status: string;
  dns_instructions: DnsInstructions | null;
  project_id: string | null;
  created_at: string;
  [key: string]: unknown;
}

export interface CustomDomainSummary {
  domain: string;
  subdomain_name: string;
  url: string;
  subdomain_url: string;
  status: string;
  created_at: string;
  [key: string]: unknown;
}

export interface CustomDomainListResult {
  domains: CustomDomainSummary[];
  [key: string]: unknown;
}

export interface CustomDomainStatusResult {
  domain: string;
  subdomain_name: string;
  url: string;
  subdomain_url: string;
  status: string;
  dns_instructions: DnsInstructions | null;
  created_at: string;
  [key: string]: unknown;
}

export interface CustomDomainRemoveOptions extends CallOptions {
  /** Remove as this project (its service key); without it only the provider's headers are sent. */
  projectId?: string;
}

export interface CustomDomainRemoveResult {
  status: string;
  domain: string;
  [key: string]: unknown;
}

/** Custom domains pointing at a project's subdomains: DNS instructions and verification status. */
export interface Domains {
  /** Registers a custom domain for one of the project's subdomains; returns the DNS records to add. */
  add(projectId: string, domain: string, subdomainName: string): Promise<CustomDomainAddResult>;
  /** The project's custom domains. */
  list(projectId: string): Promise<CustomDomainListResult>;
  /** A custom domain's verification status and its DNS instructions (null once nothing is left to add). */
  status(projectId: string, domain: string): Promise<CustomDomainStatusResult>;
  /** Releases a custom domain: with opts.projectId as that project (service key), else with the provider's headers only. */
  remove(domain: string, opts?: CustomDomainRemoveOptions): Promise<CustomDomainRemoveResult>;
}

/** Custom domains pointing at a project's subdomains: DNS instructions and verification status. Bound to one project. */
export interface ScopedDomains {
  /** Registers a custom domain for one of the project's subdomains; returns the DNS records to add. */
  add(domain: string, subdomainName: string): Promise<CustomDomainAddResult>;
  /** The project's custom domains. */
  list(): Promise<CustomDomainListResult>;
  /** A custom domain's verification status and its DNS instructions (null once nothing is left to add). */
  status(domain: string): Promise<CustomDomainStatusResult>;
  /** Releases a custom domain: with opts.projectId as that project (service key), else with the provider's headers only. */
  remove(domain: string, opts?: ScopedOptions<CustomDomainRemoveOptions, "projectId">): Promise<CustomDomainRemoveResult>;
}

// ── sites ──

/** What `sites.deployDir` (from `@run402/sdk-wasm/node`) resolves to. */
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

/** Static sites: deploy them with deploy.apply({ project, site }); the Node entry adds deployDir. */
export interface Sites {
}

// ── service ──

export interface ServiceStatusPayload {
  status: string;
  uptime_seconds: number;
  deployment: { version: string };
  capabilities: string[];
  operator: { name: string; contact: string };
  [key: string]: unknown;
}

export interface ServiceHealthPayload {
  status: string;
  checks: Record<string, string>;
  version: string;
  [key: string]: unknown;
}

/** Gateway status and health (no auth, works on a fresh install). */
export interface Service {
  /** GET /status: version, uptime, capabilities, operator. */
  status(): Promise<ServiceStatusPayload>;
  /** GET /health: overall status and per-dependency checks. */
  health(): Promise<ServiceHealthPayload>;
}

// ── tier ──

export type TierName = "prototype" | "hobby" | "team";

export interface TierStatusResult {
  wallet: string;
  tier: string | null;
  lease_started_at: string | null;
  lease_expires_at: string | null;
  active: boolean;
  pool_usage: {
    projects: number;
    total_api_calls: number;
    total_storage_bytes: number;
    api_calls_limit: number;
    storage_bytes_limit: number;
  };
  [key: string]: unknown;
}

export interface TierSetResult {
  wallet: string;
  action: string;
  tier: string;
  previous_tier: string | null;
  lease_started_at: string;
  lease_expires_at: string;
  allowance_remaining_usd_micros: number;
  [key: string]: unknown;
}

/** The wallet's tier: status, and set (paid with x402). */
export interface Tier {
  /** GET /tiers/v1/status (wallet sign-in). */
  status(): Promise<TierStatusResult>;
  /** POST /tiers/v1/{tier}: subscribe, renew, upgrade or downgrade (paid: the tier price, prototype $0.10, hobby $5, team $20). */
  set(tier: TierName, opts?: { idempotencyKey?: string } & CallOptions): Promise<TierSetResult>;
}

// ── allowance ──

export interface AllowanceStatusResult {
  address: string;
  created?: string;
  faucet_used?: boolean;
  lastFaucet?: string;
  path?: string;
  configured: boolean;
}

export interface AllowanceCreateResult {
  address: string;
  created: string;
  path?: string;
}

/** The faucet's answer in camelCase. A field the gateway left out is null. */
export interface FaucetResult {
  transactionHash: string | null;
  /** Decimal USD with 2 decimals, e.g. "0.25". */
  amount: string;
  amountUsdMicros: number;
  token: string | null;
  network: string | null;
}

/** The local wallet (allowance): status, create, export, faucet. */
export interface Allowance {
  /** Local: whether an allowance is configured, and its address. */
  status(): Promise<AllowanceStatusResult>;
  /** Local: makes a new wallet (the provider's createAllowance, else a key from the CSPRNG) and saves it with saveAllowance. */
  create(): Promise<AllowanceCreateResult>;
  /** Local: the allowance's address (never the key). */
  export(): Promise<string>;
  /** POST /faucet/v1: testnet USDC for the address (default: the allowance's). */
  faucet(address?: string): Promise<FaucetResult>;
}

// ── ai ──

export interface TranslateOptions {
  text: string;
  /** Target language, an ISO 639-1 code ("es"). */
  to: string;
  /** Source language; detected when left out. */
  from?: string;
  /** A hint for tone and register ("formal business email"), at most 200 characters. */
  context?: string;
}

export interface TranslateResult {
  text: string;
  from: string;
  to: string;
  [key: string]: unknown;
}

export interface ModerateResult {
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
  [key: string]: unknown;
}

export interface AiUsageResult {
  translation: {
    active: boolean;
    used_words: number;
    included_words: number;
    remaining_words: number;
    billing_cycle_start: string;
  };
  [key: string]: unknown;
}

export type ImageAspect = "square" | "landscape" | "portrait";

export interface GenerateImageOptions {
  /** What to draw. */
  prompt: string;
  /** Default "square". */
  aspect?: ImageAspect;
  /** Sent as Idempotency-Key; default: one per withRetry scope, else random. */
  idempotencyKey?: string;
}

export interface GenerateImageResult {
  /** The image bytes, base64. */
  image: string;
  content_type: string;
  aspect: ImageAspect;
  [key: string]: unknown;
}

/** AI add-ons of a project (translate, moderate, usage) and paid image generation. */
export interface Ai {
  /** POST /ai/v1/translate (service key). Needs the project's AI Translation add-on; PaymentRequired (402, not an x402 price) without it or when the cycle's words are used up. */
  translate(projectId: string, opts: TranslateOptions & CallOptions): Promise<TranslateResult>;
  /** POST /ai/v1/moderate (service key, free): whether the text is flagged, per category and score. */
  moderate(projectId: string, text: string): Promise<ModerateResult>;
  /** GET /ai/v1/usage (service key): translation words used and left in the billing cycle. */
  usage(projectId: string): Promise<AiUsageResult>;
  /** POST /generate-image/v1 (paid, $0.03 via x402): a PNG from a prompt, base64 in `image`. */
  generateImage(opts: GenerateImageOptions & CallOptions): Promise<GenerateImageResult>;
}

/** AI add-ons of a project (translate, moderate, usage) and paid image generation. Bound to one project. */
export interface ScopedAi {
  /** POST /ai/v1/translate (service key). Needs the project's AI Translation add-on; PaymentRequired (402, not an x402 price) without it or when the cycle's words are used up. */
  translate(opts: TranslateOptions & CallOptions): Promise<TranslateResult>;
  /** POST /ai/v1/moderate (service key, free): whether the text is flagged, per category and score. */
  moderate(text: string): Promise<ModerateResult>;
  /** GET /ai/v1/usage (service key): translation words used and left in the billing cycle. */
  usage(): Promise<AiUsageResult>;
  /** POST /generate-image/v1 (paid, $0.03 via x402): a PNG from a prompt, base64 in `image`. */
  generateImage(opts: GenerateImageOptions & CallOptions): Promise<GenerateImageResult>;
}

// ── auth ──

export type MagicLinkIntent = "signin" | "invite" | "claim" | "recovery";

export interface MagicLinkOptions extends CallOptions {
  email: string;
  /** Where the emailed link points; the gateway appends the token. */
  redirectUrl: string;
  /** Default "signin". "invite" is sent with the service key. */
  intent?: MagicLinkIntent;
  /** Opaque app state echoed back by verifyMagicLink (trusted only on invites). */
  clientState?: unknown;
}

export interface MagicLinkUser {
  id: string;
  email: string;
}

export interface MagicLinkVerifyResult {
  access_token: string;
  refresh_token: string;
  token_type: string;
  /** Seconds until access_token expires (3600). */
  expires_in: number;
  user: MagicLinkUser;
  magic_link?: {
    intent: MagicLinkIntent;
    client_state: string | null;
    state_source: "anonymous" | "service_key";
    state_trusted: boolean;
  };
  [key: string]: unknown;
}

export interface SetPasswordOptions extends CallOptions {
  /** The user's access token (the request's bearer). */
  accessToken: string;
  newPassword: string;
  /** Required to change an existing password; omit for an initial set or a reset after a magic link. */
  currentPassword?: string;
}

export type SignInMethod = "password" | "magic_link" | "oauth_google" | "passkey";
export type PublicSignupPolicy = "open" | "known_email" | "invite_only";

export interface AuthSettings {
  allow_password_set?: boolean;
  preferred_sign_in_method?: SignInMethod | null;
  /** "open": anyone may sign up; "known_email": only emails the project created; "invite_only": no self sign-up. */
  public_signup?: PublicSignupPolicy;
  require_passkey_for_project_admin?: boolean;
  /** Email domains allowed for hosted Google sign-in; [] clears the restriction. */
  allowed_email_domains?: string[];
}

export interface AuthSettingsResult {
  allow_password_set: boolean;
  preferred_sign_in_method: SignInMethod | null;
  public_signup: PublicSignupPolicy;
  require_passkey_for_project_admin: boolean;
  allowed_email_domains: string[];
  [key: string]: unknown;
}

export interface CreateAuthUserOptions extends CallOptions {
  email: string;
  isAdmin?: boolean;
  sendInvite?: boolean;
  redirectUrl?: string;
  clientState?: unknown;
}

export type InviteAuthUserOptions = Omit<CreateAuthUserOptions, "sendInvite">;

export interface AuthUserAdminResult {
  id: string;
  email: string;
  is_admin: boolean;
  email_verified_at: string | null;
  /** false when a user with this email already existed (and was updated). */
  created: boolean;
  invite_sent: boolean;
  [key: string]: unknown;
}

export interface AuthSessionResult extends MagicLinkVerifyResult {
  /** An admin signed in without a passkey where the project requires one: the session is a plain user's. */
  elevation_required?: boolean;
  required_method?: "passkey";
  effective_role?: "authenticated";
  intended_role?: "project_admin";
}

export interface PasskeyOptionsResult {
  challenge_id: string;
  /** WebAuthn options JSON (challenge and ids base64url). */
  options: unknown;
  [key: string]: unknown;
}

export interface PasskeyRecord {
  id: string;
  rp_id: string;
  created_origin: string;
  last_used_origin?: string | null;
  transports: string[];
  label: string | null;
  credential_device_type: string | null;
  credential_backed_up: boolean | null;
  created_at: string;
  last_used_at: string | null;
  [key: string]: unknown;
}

export interface PasskeyListResult {
  passkeys: PasskeyRecord[];
  [key: string]: unknown;
}

export interface PasskeyRegistrationOptions extends CallOptions {
  accessToken: string;
  /** The page's origin, e.g. "https://app.example.com"; its host is the relying party id. */
  appOrigin: string;
}

export interface PasskeyRegistrationVerifyOptions extends CallOptions {
  accessToken: string;
  challengeId: string;
  /** The PublicKeyCredential from navigator.credentials.create, as JSON (toJSON()). */
  response: unknown;
  label?: string;
}

export interface PasskeyLoginOptions extends CallOptions {
  appOrigin: string;
  email?: string;
}

export interface PasskeyLoginVerifyOptions extends CallOptions {
  challengeId: string;
  /** The PublicKeyCredential from navigator.credentials.get, as JSON (toJSON()). */
  response: unknown;
}

export interface PasskeyListOptions extends CallOptions {
  accessToken: string;
}

export interface PasskeyDeleteOptions extends CallOptions {
  accessToken: string;
  passkeyId: string;
}

/** A project's end users: magic links, passwords, passkeys (anon key or the user's access token); settings, users and roles (service key). */
export interface Auth {
  /** Emails a one-time sign-in link (15 minutes). `intent: "invite"` is sent with the service key, so the gateway marks its `clientState` trusted; other intents use the anon key. */
  requestMagicLink(projectId: string, opts: MagicLinkOptions): Promise<void>;
  /** Alias of requestMagicLink(). */
  magicLink(projectId: string, opts: MagicLinkOptions): Promise<void>;
  /** Exchanges a magic-link token (once) for an access token (1 h) and a refresh token. */
  verifyMagicLink(projectId: string, token: string): Promise<MagicLinkVerifyResult>;
  /** Alias of verifyMagicLink(). */
  verify(projectId: string, token: string): Promise<MagicLinkVerifyResult>;
  /** Sets, changes or resets the signed-in user's password (the user's `accessToken` is the bearer). A change needs `currentPassword`; an initial set or a reset after a magic link does not. */
  setUserPassword(projectId: string, opts: SetPasswordOptions): Promise<void>;
  /** Alias of setUserPassword(). */
  setPassword(projectId: string, opts: SetPasswordOptions): Promise<void>;
  /** Updates the project's auth settings and returns all of them. The object is sent as given, after a LocalError for a field it does not know or a value of the wrong type; the gateway checks the values (domains, for one). */
  settings(projectId: string, settings: AuthSettings): Promise<AuthSettingsResult>;
  /** Creates a user, or updates the one with this email (`created` says which); `sendInvite` also emails an invite link. */
  createUser(projectId: string, opts: CreateAuthUserOptions): Promise<AuthUserAdminResult>;
  /** `createUser` with `send_invite: true`: creates or updates the user and emails a trusted invite link. */
  inviteUser(projectId: string, opts: InviteAuthUserOptions): Promise<AuthUserAdminResult>;
  /** WebAuthn creation options for the signed-in user, for `navigator.credentials.create({ publicKey: options })` on `appOrigin` (the relying party is its host). */
  createPasskeyRegistrationOptions(projectId: string, opts: PasskeyRegistrationOptions): Promise<PasskeyOptionsResult>;
  /** Verifies the browser's registration `response` against its challenge and stores the passkey. */
  verifyPasskeyRegistration(projectId: string, opts: PasskeyRegistrationVerifyOptions): Promise<PasskeyRecord>;
  /** WebAuthn request options for `navigator.credentials.get({ publicKey: options })`; with `email`, limited to that user's passkeys. */
  createPasskeyLoginOptions(projectId: string, opts: PasskeyLoginOptions): Promise<PasskeyOptionsResult>;
  /** Verifies the browser's assertion `response` and returns a session, as a password login does. */
  verifyPasskeyLogin(projectId: string, opts: PasskeyLoginVerifyOptions): Promise<AuthSessionResult>;
  /** The signed-in user's passkeys. Sends the anon key and the user's token only (no provider headers). */
  listPasskeys(projectId: string, opts: PasskeyListOptions): Promise<PasskeyListResult>;
  /** Deletes one of the signed-in user's passkeys by its id. */
  deletePasskey(projectId: string, opts: PasskeyDeleteOptions): Promise<void>;
  /** The sign-in methods the project offers. Sends the anon key only (no provider headers); the shape is the gateway's. */
  providers(projectId: string): Promise<unknown>;
  /** Makes the user with this email a `project_admin`. */
  promote(projectId: string, email: string): Promise<void>;
  /** Alias of promote(). */
  promoteUser(projectId: string, email: string): Promise<void>;
  /** Returns the user with this email from `project_admin` to the default role. */
  demote(projectId: string, email: string): Promise<void>;
  /** Alias of demote(). */
  demoteUser(projectId: string, email: string): Promise<void>;
}

/** A project's end users: magic links, passwords, passkeys (anon key or the user's access token); settings, users and roles (service key). Bound to one project. */
export interface ScopedAuth {
  /** Emails a one-time sign-in link (15 minutes). `intent: "invite"` is sent with the service key, so the gateway marks its `clientState` trusted; other intents use the anon key. */
  requestMagicLink(opts: MagicLinkOptions): Promise<void>;
  /** Exchanges a magic-link token (once) for an access token (1 h) and a refresh token. */
  verifyMagicLink(token: string): Promise<MagicLinkVerifyResult>;
  /** Sets, changes or resets the signed-in user's password (the user's `accessToken` is the bearer). A change needs `currentPassword`; an initial set or a reset after a magic link does not. */
  setUserPassword(opts: SetPasswordOptions): Promise<void>;
  /** Updates the project's auth settings and returns all of them. The object is sent as given, after a LocalError for a field it does not know or a value of the wrong type; the gateway checks the values (domains, for one). */
  settings(settings: AuthSettings): Promise<AuthSettingsResult>;
  /** Creates a user, or updates the one with this email (`created` says which); `sendInvite` also emails an invite link. */
  createUser(opts: CreateAuthUserOptions): Promise<AuthUserAdminResult>;
  /** `createUser` with `send_invite: true`: creates or updates the user and emails a trusted invite link. */
  inviteUser(opts: InviteAuthUserOptions): Promise<AuthUserAdminResult>;
  /** WebAuthn creation options for the signed-in user, for `navigator.credentials.create({ publicKey: options })` on `appOrigin` (the relying party is its host). */
  createPasskeyRegistrationOptions(opts: PasskeyRegistrationOptions): Promise<PasskeyOptionsResult>;
  /** Verifies the browser's registration `response` against its challenge and stores the passkey. */
  verifyPasskeyRegistration(opts: PasskeyRegistrationVerifyOptions): Promise<PasskeyRecord>;
  /** WebAuthn request options for `navigator.credentials.get({ publicKey: options })`; with `email`, limited to that user's passkeys. */
  createPasskeyLoginOptions(opts: PasskeyLoginOptions): Promise<PasskeyOptionsResult>;
  /** Verifies the browser's assertion `response` and returns a session, as a password login does. */
  verifyPasskeyLogin(opts: PasskeyLoginVerifyOptions): Promise<AuthSessionResult>;
  /** The signed-in user's passkeys. Sends the anon key and the user's token only (no provider headers). */
  listPasskeys(opts: PasskeyListOptions): Promise<PasskeyListResult>;
  /** Deletes one of the signed-in user's passkeys by its id. */
  deletePasskey(opts: PasskeyDeleteOptions): Promise<void>;
  /** The sign-in methods the project offers. Sends the anon key only (no provider headers); the shape is the gateway's. */
  providers(): Promise<unknown>;
  /** Makes the user with this email a `project_admin`. */
  promote(email: string): Promise<void>;
  /** Returns the user with this email from `project_admin` to the default role. */
  demote(email: string): Promise<void>;
}

// ── senderDomain ──

export interface DnsRecord {
  type: string;
  name: string;
  value: string;
}

export interface SenderDomainRegisterResult {
  domain: string;
  status: string;
  dns_records: DnsRecord[];
  instructions: string;
  [key: string]: unknown;
}

export interface SenderDomainStatusResult {
  domain: string | null;
  status?: string;
  verified_at?: string;
  [key: string]: unknown;
}

export interface InboundEnableResult {
  status: string;
  mx_record?: string;
  [key: string]: unknown;
}

export interface DisableInboundResult {
  status: string;
  [key: string]: unknown;
}

/** Custom email sending domains: DKIM/SPF/DMARC records, verification status, inbound mail. */
export interface SenderDomain {
  /** Register a custom sending domain; returns the DNS records to publish. */
  register(projectId: string, domain: string): Promise<SenderDomainRegisterResult>;
  /** The project's sender domain and its verification status (`domain: null` when none). */
  status(projectId: string): Promise<SenderDomainStatusResult>;
  /** Remove the custom sender domain; mail goes out from the default domain again. */
  remove(projectId: string): Promise<void>;
  /** Enable inbound email on a verified sender domain; returns the MX record to publish. */
  enableInbound(projectId: string, domain: string): Promise<InboundEnableResult>;
  /** Alias of enableInbound(). */
  inboundEnable(projectId: string, domain: string): Promise<InboundEnableResult>;
  /** Disable inbound email on a sender domain (a DELETE with a JSON body). */
  disableInbound(projectId: string, domain: string): Promise<DisableInboundResult>;
  /** Alias of disableInbound(). */
  inboundDisable(projectId: string, domain: string): Promise<DisableInboundResult>;
}

/** Custom email sending domains: DKIM/SPF/DMARC records, verification status, inbound mail. Bound to one project. */
export interface ScopedSenderDomain {
  /** Register a custom sending domain; returns the DNS records to publish. */
  register(domain: string): Promise<SenderDomainRegisterResult>;
  /** The project's sender domain and its verification status (`domain: null` when none). */
  status(): Promise<SenderDomainStatusResult>;
  /** Remove the custom sender domain; mail goes out from the default domain again. */
  remove(): Promise<void>;
  /** Enable inbound email on a verified sender domain; returns the MX record to publish. */
  enableInbound(domain: string): Promise<InboundEnableResult>;
  /** Disable inbound email on a sender domain (a DELETE with a JSON body). */
  disableInbound(domain: string): Promise<DisableInboundResult>;
}

// ── billing ──

/** A wallet address (`0x…`, case-insensitive) or an email. */
export type BillingAccountIdentifier = string;

export interface BillingBalance {
  identifier_type: "wallet" | "email";
  /** Prepaid balance in USD micros (1 USD = 1,000,000). */
  available_usd_micros: number;
  email_credits_remaining: number;
  tier: TierName | null;
  lease_expires_at: string | null;
  auto_recharge_enabled: boolean;
  auto_recharge_threshold: number;
  [key: string]: unknown;
}

export interface BillingHistoryEntry {
  id: string;
  direction: "credit" | "debit";
  kind: string;
  amount_usd_micros: number;
  balance_after_available: number;
  balance_after_held: number;
  reference_type: string | null;
  reference_id: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  [key: string]: unknown;
}

export interface BillingHistoryResult {
  identifier: string;
  identifier_type: "wallet" | "email";
  entries: BillingHistoryEntry[];
  [key: string]: unknown;
}

export interface CreateCheckoutResult {
  /** The Stripe checkout page to send your human to. */
  checkout_url: string;
  topup_id: string;
  [key: string]: unknown;
}

export interface EmailBillingAccount {
  /** The billing account id (for linkWallet and setAutoRecharge). */
  id: string;
  email: string;
  email_credits_remaining: number;
  verification_sent: boolean;
  [key: string]: unknown;
}

/** Exactly one of the two. */
export interface AccountIdentifier {
  email?: string;
  wallet?: string;
}

export interface AutoRechargeOptions {
  billingAccountId: string;
  enabled: boolean;
  /** Buy a pack when email credits fall below this (a non-negative whole number). */
  threshold?: number;
}

/** Prepaid billing accounts by wallet or email: balance, history, Stripe checkouts, email packs, auto-recharge. No auth. */
export interface Billing {
  /** The billing account of a wallet or an email: available balance, email credits, tier, auto-recharge. Same as getAccount. */
  checkBalance(identifier: BillingAccountIdentifier): Promise<BillingBalance>;
  /** Alias of checkBalance(). */
  balance(identifier: BillingAccountIdentifier): Promise<BillingBalance>;
  /** The billing account of a wallet or an email (a `0x…` wallet is sent lower-cased). */
  getAccount(identifier: BillingAccountIdentifier): Promise<BillingBalance>;
  /** The account's ledger, newest first: top-ups, x402 payments, fees. Same as getHistory. */
  history(identifier: BillingAccountIdentifier, limit?: number): Promise<BillingHistoryResult>;
  /** The account's ledger, newest first; `limit` is a positive whole number. */
  getHistory(identifier: BillingAccountIdentifier, limit?: number): Promise<BillingHistoryResult>;
  /** A Stripe checkout that tops up a wallet's balance by `amountUsdMicros` (1 USD = 1,000,000): a URL for your human and the top-up id. */
  createCheckout(wallet: string, amountUsdMicros: number): Promise<CreateCheckoutResult>;
  /** An email-only billing account (no wallet); a verification email is sent. */
  createEmailAccount(email: string): Promise<EmailBillingAccount>;
  /** Alias of createEmailAccount(). */
  createEmail(email: string): Promise<EmailBillingAccount>;
  /** Link a wallet to an email billing account, so x402 and Stripe share one balance. */
  linkWallet(billingAccountId: string, wallet: string): Promise<void>;
  /** A Stripe checkout for a tier (subscribe, renew, upgrade) for exactly one of `wallet` or `email`. */
  tierCheckout(tier: TierName, identifier: AccountIdentifier): Promise<CreateCheckoutResult>;
  /** A Stripe checkout for a $5 email pack (10,000 emails) for exactly one of `wallet` or `email`. */
  buyEmailPack(identifier: AccountIdentifier): Promise<CreateCheckoutResult>;
  /** Switch email-pack auto-recharge on or off; `threshold` is the email credit count that triggers it. */
  setAutoRecharge(opts: AutoRechargeOptions): Promise<void>;
  /** Alias of setAutoRecharge(). */
  autoRecharge(opts: AutoRechargeOptions): Promise<void>;
}

// ── apps ──

export type AppVisibility = "public" | "unlisted" | "private";

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

/** The app marketplace: browse, inspect and fork published apps; publish a project's versions. */
export interface Apps {
  /** Public forkable apps, optionally those with any of `tags` (no auth). */
  browse(tags?: string[]): Promise<BrowseAppsResult>;
  /** A published app version: what it contains, what a fork needs (secrets, actions), its price (no auth). */
  getApp(versionId: string): Promise<AppDetails>;
  /** Forks a published version into a new, independent project (paid like provisioning the app's tier). Saves the keys and makes the project active when the provider supports it. */
  fork(opts: ForkAppOptions): Promise<ForkAppResult>;
  /** Publishes the project as a new app version: a snapshot of its schema, functions, site files and secret names (never values). */
  publish(projectId: string, opts?: PublishAppOptions): Promise<PublishedVersion>;
  /** The project's published versions. */
  listVersions(projectId: string): Promise<ListVersionsResult>;
  /** Changes a published version's description, tags, visibility or fork_allowed. */
  updateVersion(projectId: string, versionId: string, opts: UpdateVersionOptions): Promise<void>;
  /** Deletes a published version (forks made from it stay). */
  deleteVersion(projectId: string, versionId: string): Promise<void>;
  /** Legacy one-call deploy, run as deploy.apply: migrations (id bundle_legacy_<sha256 prefix>), rls as an expose manifest, functions, site files (base64 ones that are not text as bytes) and a subdomain become one release; secret values are written first with secrets.set and only their keys go in the spec. `inherit` is ignored (deploy a site patch instead). */
  bundleDeploy(projectId: string, opts?: BundleDeployOptions): Promise<BundleDeployResult>;
}

/** The app marketplace: browse, inspect and fork published apps; publish a project's versions. Bound to one project. */
export interface ScopedApps {
  /** Public forkable apps, optionally those with any of `tags` (no auth). */
  browse(tags?: string[]): Promise<BrowseAppsResult>;
  /** A published app version: what it contains, what a fork needs (secrets, actions), its price (no auth). */
  getApp(versionId: string): Promise<AppDetails>;
  /** Forks a published version into a new, independent project (paid like provisioning the app's tier). Saves the keys and makes the project active when the provider supports it. */
  fork(opts: ForkAppOptions): Promise<ForkAppResult>;
  /** Publishes the project as a new app version: a snapshot of its schema, functions, site files and secret names (never values). */
  publish(opts?: PublishAppOptions): Promise<PublishedVersion>;
  /** The project's published versions. */
  listVersions(): Promise<ListVersionsResult>;
  /** Changes a published version's description, tags, visibility or fork_allowed. */
  updateVersion(versionId: string, opts: UpdateVersionOptions): Promise<void>;
  /** Deletes a published version (forks made from it stay). */
  deleteVersion(versionId: string): Promise<void>;
  /** Legacy one-call deploy, run as deploy.apply: migrations (id bundle_legacy_<sha256 prefix>), rls as an expose manifest, functions, site files (base64 ones that are not text as bytes) and a subdomain become one release; secret values are written first with secrets.set and only their keys go in the spec. `inherit` is ignored (deploy a site patch instead). */
  bundleDeploy(opts?: BundleDeployOptions): Promise<BundleDeployResult>;
}

// ── email ──

export interface MailboxRecord {
  mailbox_id: string;
  address: string;
  slug: string;
  project_id: string;
  status: "active" | "suspended" | "deleted";
  /** Messages sent today (UTC); the tier's daily limit applies to it. */
  sends_today: number;
  unique_recipients: number;
  created_at: string;
  updated_at: string;
  [key: string]: unknown;
}

export type CreateMailboxResult = MailboxRecord;
export type MailboxInfo = MailboxRecord;

export interface DeleteMailboxResult {
  mailbox_id: string;
  address: string;
  [key: string]: unknown;
}

export type EmailTemplate = "project_invite" | "magic_link" | "notification";

export interface SendEmailOptions {
  /** One recipient address. */
  to: string;
  /** Template mode: project_invite (project_name, invite_url), magic_link (project_name, link_url, expires_in), notification (project_name, message). */
  template?: EmailTemplate;
  variables?: Record<string, string>;
  /** Raw mode: `subject` and `html` together (plain text is made from the HTML when `text` is absent). */
  subject?: string;
  html?: string;
  text?: string;
  /** Display name on the From header, in both modes. */
  from_name?: string;
  /** The id of a received message this one answers. */
  in_reply_to?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface SendEmailResult {
  message_id: string;
  status: string;
  to: string;
  template: string | null;
  subject: string | null;
  sent_at: string;
  [key: string]: unknown;
}

export interface EmailSummary {
  id: string;
  /** Sent (`outbound`) or received (`inbound`). */
  direction?: "inbound" | "outbound";
  template: string | null;
  to: string;
  status: string;
  created_at: string;
  [key: string]: unknown;
}

export interface EmailReply {
  id: string;
  from: string;
  body: string;
  received_at: string;
}

export interface EmailDetail {
  id: string;
  direction?: "inbound" | "outbound";
  /** `null` for a raw-mode message. */
  template: string | null;
  to: string;
  status: string;
  variables: Record<string, string> | null;
  created_at: string;
  replies?: EmailReply[];
  [key: string]: unknown;
}

export interface ListEmailsOptions {
  limit?: number;
  /** A message id: list the messages after it. */
  after?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface RawEmailResult {
  content_type: string;
  bytes: Uint8Array;
}

/** The project's mailbox: send (template or raw), list, read (raw MIME too), and its webhooks. */
export interface Email {
  /** Create the project's mailbox at `<slug>@mail.run402.com` (slug 3-63 of a-z, 0-9 and single hyphens, checked locally). Idempotent: if the gateway answers 409, the existing mailbox is returned. Cached with the provider's `updateProject`. */
  createMailbox(projectId: string, slug: string): Promise<CreateMailboxResult>;
  /** Alias of createMailbox(). */
  create(projectId: string, slug: string): Promise<CreateMailboxResult>;
  /** Send one email from the project's mailbox: a template with its variables, or raw mode with `subject` + `html` (exactly one mode, checked locally). */
  send(projectId: string, opts: SendEmailOptions): Promise<SendEmailResult>;
  /** The mailbox's messages, oldest first; `limit` and the `after` cursor (a message id) page through them. */
  list(projectId: string, opts?: ListEmailsOptions): Promise<EmailSummary[]>;
  /** One message with its variables and the replies it received. */
  get(projectId: string, messageId: string): Promise<EmailDetail>;
  /** The raw RFC 822 bytes of a received message (a reply's id), with the response's content type (`message/rfc822` when it sends none). */
  getRaw(projectId: string, messageId: string): Promise<RawEmailResult>;
  /** The project's mailbox, always asked of the gateway (the cache is refreshed with `updateProject`). */
  getMailbox(projectId: string): Promise<MailboxInfo>;
  /** Alias of getMailbox(). */
  status(projectId: string): Promise<MailboxInfo>;
  /** Alias of getMailbox(). */
  info(projectId: string): Promise<MailboxInfo>;
  /** Delete a mailbox with its messages and webhooks: `mailboxId`, else the cached one, else the first listed. Clears the provider's cached mailbox fields. */
  deleteMailbox(projectId: string, mailboxId?: string): Promise<DeleteMailboxResult>;
  /** Alias of deleteMailbox(). */
  delete(projectId: string, mailboxId?: string): Promise<DeleteMailboxResult>;
  /** Webhooks for the mailbox's mail events: delivery, bounced, complained, reply_received. */
  readonly webhooks: EmailWebhooks;
}

/** The project's mailbox: send (template or raw), list, read (raw MIME too), and its webhooks. Bound to one project. */
export interface ScopedEmail {
  /** Create the project's mailbox at `<slug>@mail.run402.com` (slug 3-63 of a-z, 0-9 and single hyphens, checked locally). Idempotent: if the gateway answers 409, the existing mailbox is returned. Cached with the provider's `updateProject`. */
  createMailbox(slug: string): Promise<CreateMailboxResult>;
  /** Send one email from the project's mailbox: a template with its variables, or raw mode with `subject` + `html` (exactly one mode, checked locally). */
  send(opts: SendEmailOptions): Promise<SendEmailResult>;
  /** The mailbox's messages, oldest first; `limit` and the `after` cursor (a message id) page through them. */
  list(opts?: ListEmailsOptions): Promise<EmailSummary[]>;
  /** One message with its variables and the replies it received. */
  get(messageId: string): Promise<EmailDetail>;
  /** The raw RFC 822 bytes of a received message (a reply's id), with the response's content type (`message/rfc822` when it sends none). */
  getRaw(messageId: string): Promise<RawEmailResult>;
  /** The project's mailbox, always asked of the gateway (the cache is refreshed with `updateProject`). */
  getMailbox(): Promise<MailboxInfo>;
  /** Delete a mailbox with its messages and webhooks: `mailboxId`, else the cached one, else the first listed. Clears the provider's cached mailbox fields. */
  deleteMailbox(mailboxId?: string): Promise<DeleteMailboxResult>;
  /** Webhooks for the mailbox's mail events: delivery, bounced, complained, reply_received. */
  readonly webhooks: ScopedEmailWebhooks;
}

// ── email.webhooks ──

export type EmailWebhookEvent = "delivery" | "bounced" | "complained" | "reply_received";

export interface MailboxWebhookSummary {
  webhook_id: string;
  url: string;
  events: EmailWebhookEvent[];
  created_at: string;
  [key: string]: unknown;
}

export interface MailboxWebhooksResult {
  webhooks: MailboxWebhookSummary[];
}

export interface RegisterWebhookOptions {
  url: string;
  events: EmailWebhookEvent[];
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface UpdateWebhookOptions {
  url?: string;
  events?: EmailWebhookEvent[];
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Webhooks for the mailbox's mail events: delivery, bounced, complained, reply_received. */
export interface EmailWebhooks {
  /** Subscribe an http(s) URL to mail events (a non-empty list of delivery, bounced, complained, reply_received; checked locally). */
  register(projectId: string, opts: RegisterWebhookOptions): Promise<MailboxWebhookSummary>;
  /** The mailbox's webhooks. */
  list(projectId: string): Promise<MailboxWebhooksResult>;
  /** One webhook. */
  get(projectId: string, webhookId: string): Promise<MailboxWebhookSummary>;
  /** Change a webhook's URL and/or events (at least one, checked before anything is sent). */
  update(projectId: string, webhookId: string, opts: UpdateWebhookOptions): Promise<MailboxWebhookSummary>;
  /** Delete a webhook. */
  delete(projectId: string, webhookId: string): Promise<void>;
}

/** Webhooks for the mailbox's mail events: delivery, bounced, complained, reply_received. Bound to one project. */
export interface ScopedEmailWebhooks {
  /** Subscribe an http(s) URL to mail events (a non-empty list of delivery, bounced, complained, reply_received; checked locally). */
  register(opts: RegisterWebhookOptions): Promise<MailboxWebhookSummary>;
  /** The mailbox's webhooks. */
  list(): Promise<MailboxWebhooksResult>;
  /** One webhook. */
  get(webhookId: string): Promise<MailboxWebhookSummary>;
  /** Change a webhook's URL and/or events (at least one, checked before anything is sent). */
  update(webhookId: string, opts: UpdateWebhookOptions): Promise<MailboxWebhookSummary>;
  /** Delete a webhook. */
  delete(webhookId: string): Promise<void>;
}

// ── contracts ──

export type EvmChain = "base-mainnet" | "base-sepolia";
export type ContractWalletStatus = "active" | "suspended" | "deleted";
export type ContractCallStatus = "submitted" | "confirmed" | "failed";

export interface ContractWalletSummary {
  wallet_id: string;
  address: string;
  chain: EvmChain;
  status: ContractWalletStatus;
  /** The live native balance, a decimal string of wei. */
  balance_wei: string;
  threshold_wei: string | null;
  recovery_address: string | null;
  created_at: string;
  [key: string]: unknown;
}

export interface ListWalletsResult {
  wallets: ContractWalletSummary[];
  [key: string]: unknown;
}

export interface ProvisionWalletResult {
  wallet_id: string;
  address: string;
  chain: EvmChain;
  status?: ContractWalletStatus;
  balance_wei?: string;
  threshold_wei?: string | null;
  recovery_address?: string | null;
  created_at?: string;
  [key: string]: unknown;
}

export interface ContractCallResult {
  call_id: string;
  status: ContractCallStatus;
  tx_hash: string | null;
  gas_used?: string | null;
  gas_cost_usd_micros?: string | null;
  receipt?: unknown;
  [key: string]: unknown;
}

export interface ContractReadResult {
  /** The decoded return value (integers as decimal strings). */
  result: unknown;
  [key: string]: unknown;
}

export interface DrainResult {
  call_id: string;
  status: ContractCallStatus;
  tx_hash: string | null;
  [key: string]: unknown;
}

export interface DeleteWalletResult {
  wallet_id: string;
  deleted_at?: string;
  scheduled_deletion_at?: string;
  [key: string]: unknown;
}

export interface ProvisionWalletOptions {
  chain: EvmChain;
  /** Where the balance goes if the wallet is deleted (a 0x address). */
  recoveryAddress?: string;
}

export interface ContractCallOptions {
  walletId: string;
  chain: EvmChain;
  /** The contract (or `to`). */
  contractAddress?: string;
  to?: string;
  /** The ABI fragments that declare the function (or `abi`). */
  abiFragment?: unknown[];
  abi?: unknown[];
  /** The function to call (or `fn`). */
  functionName?: string;
  fn?: string;
  args: unknown[];
  /** Native value to send, a decimal string of wei. */
  value?: string;
  /** Sent as Idempotency-Key: a retry with the same key returns the first call. */
  idempotencyKey?: string;
}

export interface ContractReadOptions {
  chain: EvmChain;
  contractAddress?: string;
  to?: string;
  abiFragment?: unknown[];
  abi?: unknown[];
  functionName?: string;
  fn?: string;
  args: unknown[];
}

/** KMS-backed contract wallets of a project and the smart-contract calls they sign ($0.04/day, $0.000005 per call); free view reads. */
export interface Contracts {
  /** A new KMS-backed wallet on a chain; needs $1.20 of prepaid billing credit. */
  provisionWallet(projectId: string, opts: ProvisionWalletOptions): Promise<ProvisionWalletResult>;
  /** A wallet's metadata and live native balance. */
  getWallet(projectId: string, walletId: string): Promise<ContractWalletSummary>;
  /** Every wallet of the project, deleted ones included. */
  listWallets(projectId: string): Promise<ListWalletsResult>;
  /** Set (or clear with null) the address the balance is drained to when the wallet is deleted. */
  setRecovery(projectId: string, walletId: string, recoveryAddress: string | null): Promise<void>;
  /** Email an alert when the wallet's balance falls below `thresholdWei` (a decimal string). */
  setLowBalanceAlert(projectId: string, walletId: string, thresholdWei: string): Promise<void>;
  /** Alias of setLowBalanceAlert(). */
  setAlert(projectId: string, walletId: string, thresholdWei: string): Promise<void>;
  /** Sign and submit a contract write; `idempotencyKey` (sent as Idempotency-Key) makes a retry return the first call. */
  call(projectId: string, opts: ContractCallOptions & CallOptions): Promise<ContractCallResult>;
  /** A view/pure call: no auth, no gas, no billing; `result` is the decoded return value. */
  read(opts: ContractReadOptions & CallOptions): Promise<ContractReadResult>;
  /** A submitted call: submitted, confirmed (with gas and receipt) or failed. */
  callStatus(projectId: string, callId: string): Promise<ContractCallResult>;
  /** Alias of callStatus(). */
  status(projectId: string, callId: string): Promise<ContractCallResult>;
  /** Send the wallet's whole native balance to an address (works on suspended wallets); confirmed with X-Confirm-Drain. */
  drain(projectId: string, walletId: string, destinationAddress: string): Promise<DrainResult>;
  /** Schedule the wallet's KMS key for deletion (refused while it holds a balance: drain first); confirmed with X-Confirm-Delete. */
  deleteWallet(projectId: string, walletId: string): Promise<DeleteWalletResult>;
  /** Alias of deleteWallet(). */
  delete(projectId: string, walletId: string): Promise<DeleteWalletResult>;
}

/** KMS-backed contract wallets of a project and the smart-contract calls they sign ($0.04/day, $0.000005 per call); free view reads. Bound to one project. */
export interface ScopedContracts {
  /** A new KMS-backed wallet on a chain; needs $1.20 of prepaid billing credit. */
  provisionWallet(opts: ProvisionWalletOptions): Promise<ProvisionWalletResult>;
  /** A wallet's metadata and live native balance. */
  getWallet(walletId: string): Promise<ContractWalletSummary>;
  /** Every wallet of the project, deleted ones included. */
  listWallets(): Promise<ListWalletsResult>;
  /** Set (or clear with null) the address the balance is drained to when the wallet is deleted. */
  setRecovery(walletId: string, recoveryAddress: string | null): Promise<void>;
  /** Email an alert when the wallet's balance falls below `thresholdWei` (a decimal string). */
  setLowBalanceAlert(walletId: string, thresholdWei: string): Promise<void>;
  /** Sign and submit a contract write; `idempotencyKey` (sent as Idempotency-Key) makes a retry return the first call. */
  call(opts: ContractCallOptions & CallOptions): Promise<ContractCallResult>;
  /** A view/pure call: no auth, no gas, no billing; `result` is the decoded return value. */
  read(opts: ContractReadOptions & CallOptions): Promise<ContractReadResult>;
  /** A submitted call: submitted, confirmed (with gas and receipt) or failed. */
  callStatus(callId: string): Promise<ContractCallResult>;
  /** Send the wallet's whole native balance to an address (works on suspended wallets); confirmed with X-Confirm-Drain. */
  drain(walletId: string, destinationAddress: string): Promise<DrainResult>;
  /** Schedule the wallet's KMS key for deletion (refused while it holds a balance: drain first); confirmed with X-Confirm-Delete. */
  deleteWallet(walletId: string): Promise<DeleteWalletResult>;
}

// ── admin ──

export interface AgentContact {
  name: string;
  email?: string;
  webhook?: string;
}

export type AgentEmailVerificationStatus = "none" | "pending" | "verified";
export type AgentPasskeyBindingStatus = "none" | "pending" | "verified";
export type AgentAssuranceLevel = "wallet_only" | "email_pending" | "email_verified" | "passkey_pending" | "operator_passkey";

export interface AgentContactResult {
  wallet: string;
  name: string;
  email: string | null;
  webhook: string | null;
  email_verification_status: AgentEmailVerificationStatus;
  passkey_binding_status: AgentPasskeyBindingStatus;
  assurance_level: AgentAssuranceLevel;
  email_verified_at: string | null;
  email_verified_message_id: string | null;
  email_challenge_sent_at: string | null;
  passkey_bound_at: string | null;
  active_operator_passkey_id: string | null;
  updated_at: string;
  verification_retry_after_seconds?: number;
  enrollment_sent_to?: string;
  [key: string]: unknown;
}

export interface SendMessageResult {
  status: string;
  [key: string]: unknown;
}

export type AdminFinanceWindow = "24h" | "7d" | "30d" | "90d";

export interface AdminProjectFinanceOptions {
  /** The rollup window; "30d" when absent. */
  window?: AdminFinanceWindow;
  /** An admin session cookie, sent as the `Cookie` header (instead of a platform-admin wallet sign-in). */
  cookie?: string;
}

export interface AdminProjectFinanceResult {
  project_id: string;
  project_name: string;
  window: AdminFinanceWindow;
  revenue_usd_micros: number;
  direct_cost_usd_micros: number;
  direct_margin_usd_micros: number;
  revenue_breakdown: {
    tier_fees_usd_micros: number;
    email_packs_usd_micros: number;
    kms_rental_usd_micros: number;
    kms_sign_fees_usd_micros: number;
    per_call_sku_usd_micros: number;
  };
  direct_cost_breakdown: Array<{ category: string; cost_usd_micros: number }>;
  notes: string;
  [key: string]: unknown;
}

/** Messages to the developers, the agent contact and its assurance, platform-admin finance. */
export interface Admin {
  /** Send a message to the Run402 developers. Requires an active tier. */
  sendMessage(message: string): Promise<SendMessageResult>;
  /** Register the wallet's contact (name, optional email and webhook); a new email starts verification. */
  setAgentContact(contact: AgentContact): Promise<AgentContactResult>;
  /** The wallet's agent contact and its assurance level. */
  getAgentContactStatus(): Promise<AgentContactResult>;
  /** Start or resend the email reply challenge for the contact's email. */
  verifyAgentContactEmail(): Promise<AgentContactResult>;
  /** Email a passkey enrollment link to the verified operator email. */
  startOperatorPasskeyEnrollment(): Promise<AgentContactResult>;
  /** Platform-admin only: a project's revenue and direct cost over a window (default 30d). */
  getProjectFinance(projectId: string, opts?: AdminProjectFinanceOptions): Promise<AdminProjectFinanceResult>;
}

// ── deploy ──

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

/** The unified deploy engine: one ReleaseSpec (site, functions, migrations, secrets, subdomains, routes) validated locally, content hashed and uploaded only where the gateway lacks it, committed, and followed to a live release. */
export interface Deploy {
  /** Deploys `spec` end to end (contract §3.1): validates it (no request on a bad spec), hashes every byte source, plans, stops at warnings that need confirmation unless `allowWarnings`, uploads missing content (8 sessions at once, each tried 3 times), commits, and polls the operation until its release is live. `onEvent` receives every DeployEvent (its exceptions are swallowed). A `BASE_RELEASE_CONFLICT` the gateway calls safe is retried with a new plan up to `maxRetries` (default 2) times, each announced by a `deploy.retry` event. `signal` stops it; aborted mid-upload, nothing is committed. */
  apply(spec: ReleaseSpec, opts?: DeployApplyOptions): Promise<DeployResult>;
  /** Like `apply` without retries, but resolves once the plan is made (after the warning gate) to a DeployOperation: `events()` replays the events so far then streams the rest (ending after `ready` or when the deploy settles), `result()` is the DeployResult, `snapshot()` fetches the operation (cached once it is terminal). */
  start(spec: ReleaseSpec, opts?: DeployStartOptions): Promise<DeployOperation>;
  /** Resumes a stalled operation (`op_…`, else OPERATION_NOT_FOUND locally), then polls it like `apply` until its release is live; `diff` is `{}` and `warnings` `[]`. `opts.project` adds the anon apikey to the polls. */
  resume(operationId: string, opts?: DeployResumeOptions): Promise<DeployResult>;
  /** One snapshot of an operation (`op_…`). Gateway errors are Run402DeployErrors. */
  status(operationId: string, opts?: { project?: string }): Promise<OperationSnapshot>;
  /** Recent deploy operations of a project (a project id, or `{ project, limit?, cursor? }`). */
  list(projectOrOpts: string | DeployListOptions): Promise<DeployListResponse>;
  /** The events the gateway recorded for an operation (`op_…`), for inspecting a deploy after the fact. */
  events(operationId: string, opts: { project: string }): Promise<DeployEventsResponse>;
  /** A release's inventory by id: its site paths (`siteLimit` of them), functions, secrets, subdomains, routes, migrations. */
  getRelease(opts: ReleaseInventoryByIdOptions): Promise<ReleaseInventory>;
  /** The live release's inventory (`release_id` null before the first deploy). */
  getActiveRelease(opts: ReleaseInventoryOptions): Promise<ActiveReleaseInventory>;
  /** What changes between two releases: `from` is "empty", "active" or a release id, `to` "active" or a release id. */
  diff(opts: ReleaseDiffOptions): Promise<ReleaseToReleaseDiff>;
  /** The low-level first step: validates and hashes `spec` and asks for a plan (`dryRun`: a plan that cannot be committed). No warning gate. Pass the result to `upload`, then `plan.plan_id` to `commit`. */
  plan(spec: ReleaseSpec, opts?: DeployPlanOptions): Promise<{ plan: PlanResponse; byteReaders: Map<string, ByteReader> }>;
  /** Uploads the content a plan reports missing, read from `byteReaders` (the `plan` result's, or your own `() => Promise<Uint8Array>` functions). */
  upload(plan: PlanResponse, opts: DeployUploadOptions): Promise<void>;
  /** Commits a plan and polls its operation until the release is live (`diff` is `{}`, `warnings` `[]`). `opts.project` adds the anon apikey to the polls. */
  commit(planId: string, opts?: DeployCommitOptions): Promise<DeployResult>;
  /** How the live release answers a public URL (`url`) or a host and path: the match, the route or static object, authorization, fallback. `project` only selects the keys; it is not sent. */
  resolve(opts: DeployResolveOptions): Promise<DeployResolveResponse>;
}

/** The unified deploy engine: one ReleaseSpec (site, functions, migrations, secrets, subdomains, routes) validated locally, content hashed and uploaded only where the gateway lacks it, committed, and followed to a live release. Bound to one project. */
export interface ScopedDeploy {
  /** Deploys `spec` end to end (contract §3.1): validates it (no request on a bad spec), hashes every byte source, plans, stops at warnings that need confirmation unless `allowWarnings`, uploads missing content (8 sessions at once, each tried 3 times), commits, and polls the operation until its release is live. `onEvent` receives every DeployEvent (its exceptions are swallowed). A `BASE_RELEASE_CONFLICT` the gateway calls safe is retried with a new plan up to `maxRetries` (default 2) times, each announced by a `deploy.retry` event. `signal` stops it; aborted mid-upload, nothing is committed. */
  apply(spec: ScopedOptions<ReleaseSpec, "project">, opts?: DeployApplyOptions): Promise<DeployResult>;
  /** Like `apply` without retries, but resolves once the plan is made (after the warning gate) to a DeployOperation: `events()` replays the events so far then streams the rest (ending after `ready` or when the deploy settles), `result()` is the DeployResult, `snapshot()` fetches the operation (cached once it is terminal). */
  start(spec: ScopedOptions<ReleaseSpec, "project">, opts?: DeployStartOptions): Promise<DeployOperation>;
  /** Resumes a stalled operation (`op_…`, else OPERATION_NOT_FOUND locally), then polls it like `apply` until its release is live; `diff` is `{}` and `warnings` `[]`. `opts.project` adds the anon apikey to the polls. */
  resume(operationId: string, opts?: ScopedOptions<DeployResumeOptions, "project">): Promise<DeployResult>;
  /** One snapshot of an operation (`op_…`). Gateway errors are Run402DeployErrors. */
  status(operationId: string, opts?: ScopedOptions<{ project?: string }, "project">): Promise<OperationSnapshot>;
  /** Recent deploy operations of a project (a project id, or `{ project, limit?, cursor? }`). */
  list(projectOrOpts: ScopedOptions<string | DeployListOptions, "project">): Promise<DeployListResponse>;
  /** The events the gateway recorded for an operation (`op_…`), for inspecting a deploy after the fact. */
  events(operationId: string, opts: ScopedOptions<{ project: string }, "project">): Promise<DeployEventsResponse>;
  /** A release of the scoped project's, by id. */
  getRelease(releaseId: string, opts?: { siteLimit?: number }): Promise<ReleaseInventory>;
  /** The live release's inventory (`release_id` null before the first deploy). */
  getActiveRelease(opts: ScopedOptions<ReleaseInventoryOptions, "project">): Promise<ActiveReleaseInventory>;
  /** What changes between two releases: `from` is "empty", "active" or a release id, `to` "active" or a release id. */
  diff(opts: ScopedOptions<ReleaseDiffOptions, "project">): Promise<ReleaseToReleaseDiff>;
  /** The low-level first step: validates and hashes `spec` and asks for a plan (`dryRun`: a plan that cannot be committed). No warning gate. Pass the result to `upload`, then `plan.plan_id` to `commit`. */
  plan(spec: ScopedOptions<ReleaseSpec, "project">, opts?: DeployPlanOptions): Promise<{ plan: PlanResponse; byteReaders: Map<string, ByteReader> }>;
  /** Uploads the content a plan reports missing, read from `byteReaders` (the `plan` result's, or your own `() => Promise<Uint8Array>` functions). */
  upload(plan: PlanResponse, opts: ScopedOptions<DeployUploadOptions, "project">): Promise<void>;
  /** Commits a plan and polls its operation until the release is live (`diff` is `{}`, `warnings` `[]`). `opts.project` adds the anon apikey to the polls. */
  commit(planId: string, opts?: ScopedOptions<DeployCommitOptions, "project">): Promise<DeployResult>;
  /** How the live release answers a public URL (`url`) or a host and path: the match, the route or static object, authorization, fallback. `project` only selects the keys; it is not sent. */
  resolve(opts: ScopedOptions<DeployResolveOptions, "project">): Promise<DeployResolveResponse>;
}

// ── ci ──

/** The only CI provider in v1. */
export declare const CI_GITHUB_ACTIONS_PROVIDER: "github-actions";
/** What a v1 binding may do: deploy, nothing else. */
export declare const V1_CI_ALLOWED_ACTIONS: readonly ["deploy"];
/** The workflow events a binding allows unless told otherwise. */
export declare const V1_CI_ALLOWED_EVENTS_DEFAULT: readonly ["push", "workflow_dispatch"];

export type CiProvider = typeof CI_GITHUB_ACTIONS_PROVIDER;
export type CiAllowedAction = (typeof V1_CI_ALLOWED_ACTIONS)[number];
export type CiAllowedEvent = (typeof V1_CI_ALLOWED_EVENTS_DEFAULT)[number] | (string & {});

/** Error codes the gateway's /ci/v1 routes answer with (in `code`/`error` of the body). */
export type CiErrorCode =
  | "nonce_replay" | "invalid_route_scopes" | "delegation_statement_mismatch" | "delegation_resource_uri_mismatch"
  | "signer_mismatch" | "delegation_oversized" | "delegation_parse_failed" | "delegation_signature_invalid"
  | "delegation_nonce_invalid" | "duplicate"
  | "invalid_request" | "invalid_token" | "access_denied" | "event_not_allowed" | "repository_id_mismatch" | "ambiguous_binding"
  | "payment_required" | "insufficient_scope" | "forbidden_spec_field" | "CI_ROUTE_SCOPE_DENIED" | "forbidden_plan"
  | (string & {});

/** What a binding authorizes; the delegation statement and Resource URI are built from these. */
export interface CiDelegationValues {
  project_id: string;
  /** Default https://token.actions.githubusercontent.com. */
  issuer?: string;
  /** Default https://api.run402.com. */
  audience?: string;
  /** The OIDC `sub` pattern, e.g. "repo:owner/name:ref:refs/heads/main"; one `*` allowed, only at the end. */
  subject_match: string;
  /** Exactly ["deploy"] in v1. */
  allowed_actions: readonly string[];
  /** Non-empty; deduplicated and sorted. */
  allowed_events: readonly string[];
  /** Public path scopes for route declarations ("/admin", "/api/*"); sorted. */
  route_scopes?: readonly string[];
  expires_at?: string | null;
  /** GitHub's numeric repository id, as a string; null soft-binds by name only. */
  github_repository_id?: string | null;
  /** 16 to 64 lower-case hex digits, fresh per binding. */
  nonce: string;
}

export interface CiCreateBindingInput extends Omit<CiDelegationValues, "issuer" | "audience"> {
  provider: CiProvider;
  allowed_actions: readonly CiAllowedAction[];
  allowed_events: readonly CiAllowedEvent[];
  /** From signCiDelegation(values) for these same values. */
  signed_delegation: string;
}

/** The gateway's record of the verified delegation. */
export interface ParsedDelegation {
  payload: Record<string, unknown>;
  raw: string;
  signer: string;
  verified_at: string;
}

export interface CiBindingRow {
  id: string;
  project_id: string;
  issuer: string;
  subject_match: string;
  allowed_actions: string[];
  allowed_events: string[];
  route_scopes: string[];
  github_repository_id: string | null;
  /** The wallet that signed the delegation. */
  created_by: string;
  nonce: string;
  created_sig?: ParsedDelegation | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  use_count: number;
  [key: string]: unknown;
}

export interface CiListBindingsInput {
  /** The project id. */
  project: string;
}

export interface CiListBindingsResult {
  bindings: CiBindingRow[];
}

export interface CiTokenExchangeInput {
  project_id: string;
  /** The GitHub Actions OIDC token (a JWT). */
  subject_token: string;
}

export interface CiTokenExchangeResponse {
  access_token: string;
  token_type: "Bearer" | (string & {});
  /** Seconds. */
  expires_in: number;
  scope: string;
}

/** The delegation statement the wallet signs (canonical text, at most 8192 bytes). Throws LocalError on bad values. */
export declare function buildCiDelegationStatement(values: CiDelegationValues): string;
/** The delegation's Resource URI, run402-ci-delegation:v1?... (at most 4096 bytes). Throws LocalError on bad values. */
export declare function buildCiDelegationResourceUri(values: CiDelegationValues): string;

export interface SignCiDelegationOptions {
  /** The wallet that signs: the project's owner. Required from the main entry; the /node entry reads the CLI's allowance file when absent. */
  allowance?: { address?: string; privateKey: string };
  /** Whose /ci/v1/bindings the delegation is for (default https://api.run402.com). */
  apiBase?: string;
  /** Default "eip155:84532". */
  chainId?: string;
  /** ISO-8601; default now. */
  issuedAt?: string;
  /** ISO-8601; default five minutes from now. */
  expirationTime?: string;
  /** The SIWX nonce; default the first 16 characters of values.nonce. */
  nonce?: string;
}

/** Signs the delegation in wasm (EIP-4361 statement + Resource URI, EIP-191): the `signed_delegation` for ci.createBinding. */
export declare function signCiDelegation(values: CiDelegationValues, opts?: SignCiDelegationOptions): string;

export interface CiSessionCredentialsOptions {
  projectId: string;
  accessToken?: string;
  getAccessToken?: () => MaybePromise<string>;
}

/** A provider that sends `Authorization: Bearer <CI session>` and knows one project (with empty keys). */
export declare function createCiSessionCredentials(opts: CiSessionCredentialsOptions): CredentialsProvider;

export interface GithubActionsCredentialsOptions {
  projectId: string;
  /** The gateway to exchange the token with (default https://api.run402.com). */
  apiBase?: string;
  /** The audience asked of GitHub (default https://api.run402.com). */
  audience?: string;
  /** Renew the session this many seconds before it expires (default 60). */
  refreshBeforeSeconds?: number;
  fetch?: typeof globalThis.fetch;
  /** Where ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are read (default process.env where there is one). */
  env?: Record<string, string | undefined>;
}

/** CI credentials inside GitHub Actions: GitHub's OIDC token exchanged for a Run402 CI session, cached and renewed. */
export declare function githubActionsCredentials(opts: GithubActionsCredentialsOptions): CredentialsProvider;

/** GitHub Actions OIDC federation (/ci/v1/*): bindings signed by the project's wallet, and the token exchange a workflow uses. */
export interface Ci {
  /** Links a GitHub repository (an OIDC subject pattern) to a project. `signed_delegation` comes from signCiDelegation(values) for the same values; they are checked and sent in canonical form (events deduplicated and sorted, route_scopes sorted and sent only when non-empty) before any request. */
  createBinding(input: CiCreateBindingInput & CallOptions): Promise<CiBindingRow>;
  /** The project's CI bindings, revoked ones included. */
  listBindings(input: CiListBindingsInput & CallOptions): Promise<CiListBindingsResult>;
  /** One binding by id (cib_...). */
  getBinding(bindingId: string): Promise<CiBindingRow>;
  /** Revokes a binding: its sessions stop working at once. Deployed code stays deployed. */
  revokeBinding(bindingId: string): Promise<CiBindingRow>;
  /** Trades a GitHub Actions OIDC token for a Run402 CI session (RFC 8693 token exchange; sent without credentials). */
  exchangeToken(input: CiTokenExchangeInput & CallOptions): Promise<CiTokenExchangeResponse>;
}

// ── payments ──

/** Spend limits, in decimal USD (USDC, 6 decimals). */
export interface PaymentOptions {
  /** Largest single payment, default "20" (Run402's priciest tier, team, is $20). */
  maxPerRequest?: number | string;
  /** Cap on everything this client pays, default "50". */
  maxTotal?: number | string;
  /** CAIP-2 ids or v1 names; default Base mainnet and Base Sepolia. */
  networks?: Array<"eip155:8453" | "eip155:84532" | "base" | "base-sepolia">;
  /** Token contracts allowed besides USDC on an allowed network. */
  assets?: string[];
}

export interface SpendPolicy {
  maxPerRequest: string;
  maxTotal: string;
  networks: string[];
  assets: string[];
}

export interface PaymentTotals {
  /** Decimal USD, e.g. "0.10". */
  total: string;
  /** USDC base units (millionths of a dollar). */
  baseUnits: string;
  count: number;
}

export interface PaymentReceipt {
  network: string;
  asset: string;
  /** Base units, as the server asked. */
  amount: string;
  payTo: string;
  path: string;
  status: number;
  /** The decoded PAYMENT-RESPONSE (or X-PAYMENT-RESPONSE) header, if sent. */
  settlement: { success?: boolean; transaction?: string; network?: string; payer?: string; [key: string]: unknown } | null;
}

/** x402 payments made by this client, and its spend policy (local, no requests). */
export interface Payments {
  /** Total paid (or reserved for payments in flight) by this client. */
  spent(): Promise<PaymentTotals>;
  /** One receipt per settled payment, with the server's settlement. */
  receipts(): Promise<PaymentReceipt[]>;
  /** The spend policy in force (defaults filled in). */
  policy(): Promise<SpendPolicy>;
}

// ── client ──

/** An options object on a project-scoped client: the fields `K` the client fills in become optional. */
export type ScopedOptions<T, K extends PropertyKey> = T extends object ? Omit<T, K & keyof T> & { [P in K & keyof T]?: T[P] } : T;

export interface Run402Options {
  /** Gateway base URL, e.g. "https://api.run402.com" (paths are appended as is). */
  apiBase: string;
  credentials: CredentialsProvider;
  /** Transport; defaults to the runtime's global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Limits on x402 payments made from the provider's allowance. */
  payments?: PaymentOptions;
  /**
   * Milliseconds each gateway exchange (request until its body is read) and
   * each async provider call may take before the call fails with
   * NetworkError code "TIMEOUT". Default 60000; 0 disables.
   */
  timeoutMs?: number;
}

/** Per-call limits, accepted by every method that takes an options object. */
export interface CallOptions {
  /** Aborts the call: it rejects with NetworkError code "ABORTED" and its fetch is aborted. */
  signal?: AbortSignal;
  /** Overrides the client's timeoutMs for this call (0 disables). */
  timeoutMs?: number;
}

/** The Run402 client. Construction is synchronous. */
export declare class Run402 {
  constructor(opts: Run402Options);
  readonly projects: Projects;
  readonly blobs: Blobs;
  readonly functions: Functions;
  readonly secrets: Secrets;
  readonly subdomains: Subdomains;
  readonly domains: Domains;
  readonly sites: Sites;
  readonly service: Service;
  readonly tier: Tier;
  readonly allowance: Allowance;
  readonly ai: Ai;
  /** Alias of ai (not enumerable). */
  readonly image: Ai;
  readonly auth: Auth;
  readonly senderDomain: SenderDomain;
  readonly billing: Billing;
  readonly apps: Apps;
  readonly email: Email;
  readonly contracts: Contracts;
  readonly admin: Admin;
  readonly deploy: Deploy;
  readonly ci: Ci;
  readonly payments: Payments;
  /** A client bound to one project (default: the provider's active project). Does not change provider state. */
  project(id?: string): Promise<ScopedRun402>;
  /** projects.use(id), then project(id). */
  useProject(id: string): Promise<ScopedRun402>;
}

/** A client bound to one project: methods drop their leading project id. */
export interface ScopedRun402 {
  readonly projectId: string;
  readonly projects: ScopedProjects;
  readonly blobs: ScopedBlobs;
  readonly functions: ScopedFunctions;
  readonly secrets: ScopedSecrets;
  readonly subdomains: ScopedSubdomains;
  readonly domains: ScopedDomains;
  readonly ai: ScopedAi;
  readonly auth: ScopedAuth;
  readonly senderDomain: ScopedSenderDomain;
  readonly apps: ScopedApps;
  readonly email: ScopedEmail;
  readonly contracts: ScopedContracts;
  readonly deploy: ScopedDeploy;
}

/** Same as new Run402(opts). */
export declare function run402(opts: Run402Options): Run402;
