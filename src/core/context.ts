import type { ScanDigests } from './digests.js';
import type { FileOpener } from './file-source.js';
import type { Policy } from './policy.js';
import type { TrustMaterial } from './trust-material.js';
import type { TrustedRegistry } from './trusted-registry.js';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {} };

export interface ScanOptions {
  /** Make no network request at all. */
  readonly offline: boolean;
  readonly concurrency: number;
  /** Download tarballs and check them (issue: registry verification). */
  readonly verifyTarballs: boolean;
  /** Directory for the digest and registry caches; undefined = no cache. */
  readonly cacheDir: string | undefined;
  /** Registry URL override (`--registry`). */
  readonly registry: string | undefined;
  /** `i/n`: this job handles shard i of n (1-based). */
  readonly shard: { readonly index: number; readonly count: number } | undefined;
  /** Environment the scan may read (`.npmrc` expansion, tokens). Never printed. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Search source code and config for model references (the refs stage); absent = yes. `--no-refs` turns it off. */
  readonly references?: boolean;
}

/** Options of an offline scan with no cache: what `init`'s survey and `registry add --from-refs` run. */
export function offlineScanOptions(env: ScanOptions['env']): ScanOptions {
  return {
    offline: true,
    concurrency: 4,
    verifyTarballs: false,
    cacheDir: undefined,
    registry: undefined,
    shard: undefined,
    env,
  };
}

/** Progress of long stages; the CLI draws a bar from it on a TTY. */
export interface Progress {
  start(stage: string, total: number): void;
  tick(n?: number): void;
  done(): void;
}

export const noProgress: Progress = { start() {}, tick() {}, done() {} };

/** Everything a stage may use. Trust material is loaded once before the scan and frozen. */
export interface ScanContext {
  /** Absolute scan root. */
  readonly root: string;
  /**
   * Whether the walk left a repository path out by choice (an exclude glob, an include glob it does not match, a
   * skipped folder such as node_modules): a file there is not missing, only not scanned. Absent: nothing left out.
   */
  readonly leftOut?: (path: string) => boolean;
  /**
   * The folders the walk skips by name (`.git`, `node_modules`) that it met and did not enter, repo-relative: what
   * is in them is unknown, not absent. Absent: none, or not walked by this scan.
   */
  readonly unwalkedDirs?: readonly string[];
  /** Policy, trusted registry, Sigstore root and signer keys: loaded once, frozen; stages read no config files. */
  readonly trust: TrustMaterial;
  /** Same as `trust.policy`. */
  readonly policy: Policy;
  /** Same as `trust.registry`. */
  readonly registry: TrustedRegistry;
  readonly options: ScanOptions;
  readonly logger: Logger;
  readonly progress: Progress;
  readonly signal: AbortSignal;
  /** Bounded concurrency shared by all stages. */
  readonly limit: <T>(fn: () => Promise<T>) => Promise<T>;
  /** The I/O edge: stages open file contents through it, so a scan's opens and bytes are counted. */
  readonly files: FileOpener;
  /** The scan's one hasher: whole-file digests for every stage, read once per file and kept in the digest cache. */
  readonly digests: ScanDigests;
  /**
   * Called by the pipeline after each stage (src/io/heap.ts: garbage of a huge input collected before the next), and
   * once more with `beforeReports` when the findings are resolved and sorted.
   */
  readonly afterStage?: (beforeReports?: boolean) => void;
}
