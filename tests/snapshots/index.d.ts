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
  validateExpose(manifest: ExposeManifest | string, opts?: ValidateExposeOptions): Promise<ExposeManifestValidationResult>;
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
  claim(name: string, deploymentId: string, opts?: SubdomainClaimOptions): Promise<SubdomainClaimResult>;
  /** Releases a subdomain of opts.projectId, else of the active project. */
  delete(name: string, opts?: SubdomainClaimOptions): Promise<SubdomainDeleteResult>;
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
  remove(domain: string, opts?: CustomDomainRemoveOptions): Promise<CustomDomainRemoveResult>;
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
  /** POST /tiers/v1/{tier}: subscribe, renew, upgrade or downgrade (paid). */
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
  readonly secrets: Secrets;
  readonly subdomains: Subdomains;
  readonly domains: Domains;
  readonly service: Service;
  readonly tier: Tier;
  readonly allowance: Allowance;
  readonly ai: Ai;
  /** Alias of ai (not enumerable). */
  readonly image: Ai;
  readonly senderDomain: SenderDomain;
  readonly admin: Admin;
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
  readonly secrets: ScopedSecrets;
  readonly subdomains: ScopedSubdomains;
  readonly domains: ScopedDomains;
  readonly ai: ScopedAi;
  readonly senderDomain: ScopedSenderDomain;
}

/** Same as new Run402(opts). */
export declare function run402(opts: Run402Options): Run402;
