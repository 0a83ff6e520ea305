import { ConfigError } from '../../core/errors.js';

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
  | 'conflict';

/** One mistake in a policy file, located by line/column and by JSON path. */
export interface PolicyProblem {
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

export function formatProblem(file: string, p: PolicyProblem): string {
  return `${file}:${p.line}:${p.col}: ${formatJsonPath(p.path)}: ${p.message}`;
}

export function sortProblems(problems: readonly PolicyProblem[]): PolicyProblem[] {
  return [...problems].sort(
    (a, b) =>
      a.line - b.line ||
      a.col - b.col ||
      formatJsonPath(a.path).localeCompare(formatJsonPath(b.path)) ||
      a.message.localeCompare(b.message),
  );
}

/** Every problem of one policy file in one error: nothing is scanned with a half-read policy. Exit 2. */
export class PolicyError extends ConfigError {
  readonly problems: readonly PolicyProblem[];
  constructor(file: string, problems: readonly PolicyProblem[]) {
    const sorted = sortProblems(problems);
    const n = sorted.length;
    const header = `policy ${file} is invalid (${n} problem${n === 1 ? '' : 's'}):`;
    super([header, ...sorted.map((p) => `  ${formatProblem(file, p)}`)].join('\n'), file);
    this.name = 'PolicyError';
    this.problems = sorted;
  }
}
