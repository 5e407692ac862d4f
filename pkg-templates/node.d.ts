// `@run402/sdk-wasm/node`: everything the main entry exports, plus a
// `run402()` that needs no options and a provider over the run402 CLI's files.
import type { CiDelegationValues, CredentialsProvider, Run402, Run402Options, SignCiDelegationOptions } from "./index.js";

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
export declare function run402(opts?: NodeRun402Options): Run402;

/**
 * signCiDelegation with the CLI's defaults: the wallet in allowance.json
 * (or `allowancePath`) unless `allowance` is given, the gateway from
 * RUN402_API_BASE unless `apiBase` is.
 */
export declare function signCiDelegation(values: CiDelegationValues, opts?: SignCiDelegationOptions & { allowancePath?: string }): string;
