import { Constants } from './syntax.js';

/**
 * `os.environ.get("X", "main")` / `os.getenv("X")`: a value read from the environment at run time, with the default
 * the file gives. Both Python readers (python.ts over lezer, python-fast.ts without a parser) read it the same way.
 */
export interface EnvRead {
  readonly variable: string;
  /** The default when the variable is unset; none: `None`, which a loader's `revision` takes as its default branch. */
  readonly fallback?: string;
}

/** CPython os.py: `getenv(key, default=None)` is `environ.get(key, default)`. */
const ENV_READERS: ReadonlySet<string> = new Set(['os.environ.get', 'os.getenv']);

/**
 * The env read a call makes, given its callee with imports resolved and its arguments' string values (undefined
 * for an argument whose value the file does not decide, or when any argument is not positional). A default the file
 * does not decide (`None`, a name chosen at run time) is no read: the revision stays a run-time choice.
 */
export function envRead(resolved: string, args: readonly (string | undefined)[] | undefined): EnvRead | undefined {
  if (!ENV_READERS.has(resolved) || !args || args.length < 1 || args.length > 2) return undefined;
  const [variable, fallback] = args;
  if (variable === undefined || (args.length === 2 && fallback === undefined)) return undefined;
  return fallback === undefined ? { variable } : { variable, fallback };
}

/** Names assigned an env read (`REVISION = os.getenv("MODEL_REVISION", "main")`); assigned twice differently: unknown. */
export class EnvConstants {
  private readonly values = new Constants();

  set(name: string, read: EnvRead | undefined): void {
    this.values.set(name, read && JSON.stringify([read.variable, read.fallback ?? null]));
  }

  get(name: string): EnvRead | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    const [variable, fallback] = JSON.parse(v) as [string, string | null];
    return fallback === null ? { variable } : { variable, fallback };
  }
}
