/**
 * One base error with a typed code; the CLI maps codes to exit codes in one place (cli/exit-codes.ts).
 * Findings are never errors: these are for "could not do the job at all".
 */
export type ErrorCode = 'USAGE' | 'CONFIG' | 'OPERATIONAL' | 'INTERNAL';

export class ChainproofError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChainproofError';
    this.code = code;
  }
}

/** A bad flag or argument. Exit 2. */
export class UsageError extends ChainproofError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
    this.name = 'UsageError';
  }
}

/** A malformed policy, registry or option file: the message names the file and the line or field. Exit 2. */
export class ConfigError extends ChainproofError {
  readonly file: string | undefined;
  constructor(message: string, file?: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
    this.name = 'ConfigError';
    this.file = file;
  }
}

/** The job could not be done: e.g. a registry unreachable under a fail-closed policy. Exit 3. */
export class OperationalError extends ChainproofError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OPERATIONAL', message, options);
    this.name = 'OperationalError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
