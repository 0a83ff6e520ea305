import { ConfigError, type ConfigCode } from '../../core/errors.js';
import { byCodePoint } from '../../core/order.js';

/** What kind of mistake a problem is; tests and tools match on it rather than on message text. */
export type ProblemCode =
  | 'yaml-syntax'
  | 'too-large'
  | 'unknown-key'
  | 'missing-key'
  | 'wrong-type'
  | 'bad-value'
  | 'bad-regex'
  | 'bad-date'
  | 'unknown-rule'
  | 'unknown-signer'
  | 'incomplete-suppression'
  | 'expired-suppression'
  | 'bad-path'
  | 'bad-key'
  | 'bad-certificate'
  | 'missing-file'
  | 'conflict'
  | 'duplicate';

/** One mistake in a configuration file (policy or trusted registry), located by line/column and by JSON path. */
export interface ConfigProblem {
  readonly code: ProblemCode;
  /** JSON path segments from the document root. */
  readonly path: readonly (string | number)[];
  readonly line: number;
  readonly col: number;
  /** What was expected (and what was found). */
  readonly message: string;
}

/** `suppressions[0].expires`, `signatures.signers["my bot"]`; the root is `(root)`. */
export function formatJsonPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out === '' ? '(root)' : out;
}

/** `file:line:col: path: expected …` — the one shape every configuration problem is printed in. */
export function formatProblem(file: string, p: ConfigProblem): string {
  return `${file}:${p.line}:${p.col}: ${formatJsonPath(p.path)}: ${p.message}`;
}

export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort(
    (a, b) =>
      a.line - b.line ||
      a.col - b.col ||
      byCodePoint(formatJsonPath(a.path), formatJsonPath(b.path)) ||
      byCodePoint(a.message, b.message),
  );
}

/** Problems listed in one message; the error still carries all of them. */
const MAX_LISTED = 20;

/**
 * Every problem of one configuration file in one error: nothing is scanned with a half-read file. Exit 2.
 * `what` names the kind of file in the header (`policy`, `trusted registry file`).
 */
export class ConfigFileError extends ConfigError {
  readonly problems: readonly ConfigProblem[];
  constructor(code: ConfigCode, what: string, file: string, problems: readonly ConfigProblem[]) {
    const sorted = sortProblems(problems);
    const n = sorted.length;
    const header = `${what} ${file} is invalid (${n} problem${n === 1 ? '' : 's'}):`;
    const lines = sorted.slice(0, MAX_LISTED).map((p) => `  ${formatProblem(file, p)}`);
    if (n > MAX_LISTED) lines.push(`  … and ${n - MAX_LISTED} more`);
    super([header, ...lines].join('\n'), file, { code });
    this.name = 'ConfigFileError';
    this.problems = sorted;
  }
}
