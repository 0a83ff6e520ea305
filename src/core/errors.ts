/**
 * One base error with a typed code; the CLI maps codes to exit codes in one place (cli/exit-codes.ts).
 * Findings are never errors: these are for "could not do the job at all". As in sigstore-js, one generic class
 * carries a `code` and a `cause`, and each area narrows it; tests and callers match on the code, not the text.
 */

/** What kind of failure: the first word of every code, and what the exit code follows. */
export type ErrorArea = 'USAGE' | 'CONFIG' | 'IO' | 'OPERATIONAL' | 'INPUT' | 'INTERNAL';

export type UsageCode = 'USAGE' | 'USAGE_BAD_ARGUMENT' | 'USAGE_NOT_A_DIRECTORY';
export type ConfigCode =
  | 'CONFIG'
  | 'CONFIG_POLICY_INVALID'
  | 'CONFIG_REGISTRY_INVALID'
  | 'CONFIG_TRUSTED_ROOT_INVALID'
  | 'CONFIG_KEY_INVALID'
  | 'CONFIG_FILE_UNREADABLE';
export type IoCode = 'IO' | 'IO_READ_FAILED' | 'IO_WRITE_FAILED';
export type OperationalCode = 'OPERATIONAL' | 'OPERATIONAL_ABORTED' | 'OPERATIONAL_REGISTRY_UNREACHABLE';
/** Scanned content that is malformed: always caught and turned into a finding; escaping is a bug. */
export type InputCode =
  'INPUT_BUNDLE_INVALID' | 'INPUT_STATEMENT_INVALID' | 'INPUT_MANIFEST_INVALID' | 'INPUT_KEY_INVALID';
export type InternalCode = 'INTERNAL' | 'INTERNAL_BUG';

export type ErrorCode = UsageCode | ConfigCode | IoCode | OperationalCode | InputCode | InternalCode;

export function errorArea(code: ErrorCode): ErrorArea {
  return code.split('_')[0] as ErrorArea;
}

export class ChainproofError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChainproofError';
    this.code = code;
  }

  get area(): ErrorArea {
    return errorArea(this.code);
  }
}

/** A bad flag or argument. Exit 2. */
export class UsageError extends ChainproofError {
  constructor(message: string, options?: { cause?: unknown; code?: UsageCode }) {
    super(options?.code ?? 'USAGE', message, options);
    this.name = 'UsageError';
  }
}

/** A malformed policy, registry or option file: the message names the file and the line or field. Exit 2. */
export class ConfigError extends ChainproofError {
  readonly file: string | undefined;
  constructor(message: string, file?: string, options?: { cause?: unknown; code?: ConfigCode }) {
    super(options?.code ?? 'CONFIG', message, options);
    this.name = 'ConfigError';
    this.file = file;
  }
}

/** A file the job needs (not scanned content) could not be read or written. Exit 3. */
export class IoError extends ChainproofError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown; code?: IoCode }) {
    super(options?.code ?? 'IO', message, options);
    this.name = 'IoError';
    this.path = path;
  }
}

/** The job could not be done: e.g. a registry unreachable under a fail-closed policy. Exit 3. */
export class OperationalError extends ChainproofError {
  constructor(message: string, options?: { cause?: unknown; code?: OperationalCode }) {
    super(options?.code ?? 'OPERATIONAL', message, options);
    this.name = 'OperationalError';
  }
}

/** Scanned content that cannot be parsed; the stage that reads it turns it into a finding. */
export class InputError extends ChainproofError {
  constructor(code: InputCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'InputError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
