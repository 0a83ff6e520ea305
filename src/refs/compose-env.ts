import type { Token } from './shell-words.js';

/**
 * A variable a shell script or Dockerfile sets (shell-variables.ts): its value, and the variable whose setting at run
 * time decides it — named in the finding — or none when the file alone decides it (`MODEL=org/x`).
 */
export interface ShellValue {
  readonly value: string;
  readonly from?: string;
  /**
   * The value is the run time's, `from` naming what decides it rather than an environment variable (a `for` loop's
   * variable over a list the file does not decide: shell-scope.ts `openLoop`).
   */
  readonly runTime?: true;
}

/**
 * One `${…}` or `$NAME` a value holds (or a GitHub Actions `${{ env.NAME }}`, which the runner replaces before the
 * shell runs). An operand stops at a `$` (a default that interpolates again is not read, and
 * no search runs past the next expansion: linear in the value, whatever it holds).
 */
const EXPANSION =
  /\$(?:\{([A-Za-z_]\w*)(?:(:?)([-?+])([^}$]*))?\}|([A-Za-z_]\w*)|(\$)|\{\{\s*env\.([A-Za-z_]\w*)\s*\}\})/g;
const FIRST_VARIABLE = /(?<!\$)\$(?:\{\{\s*env\.|\{?)([A-Za-z_]\w*)/;

/**
 * A token of a Compose value (or a Makefile recipe's) with its variables interpolated, as the Compose
 * specification's "Interpolation" reads them: `$VAR` and `${VAR}` take the variable's value, `${VAR:-default}` the
 * default when it is unset or empty, `${VAR-default}` when it is unset, `$$` is a dollar sign. Compose takes each
 * variable from the shell that runs it, else from the project's `.env` (`env`): that value, else the file's default,
 * is what loads when the shell sets none, and `variable` — the first the value reads — is named in the finding.
 * Anything else (no value, `:?`, `:+`, a default that interpolates again) leaves the token `expands`: the run time's.
 * A shell script's own variables (`ShellValue`) are read the same way, the finding naming the variable that decides
 * each (none for one the file fixes).
 */
export function interpolate(token: Token, env: ReadonlyMap<string, string | ShellValue>): Token {
  if (!token.text.includes('$')) return token;
  // The variable named in the finding: the first the value reads, as written (the outer one of a nested default) —
  // or, for a variable the script set, the one its value came from.
  const first = FIRST_VARIABLE.exec(token.text)?.[1];
  const bound = first === undefined ? undefined : env.get(first);
  const variable = typeof bound === 'object' ? bound.from : first;
  let decided = true;
  const text = token.text.replace(EXPANSION, (all, braced, colon, op, operand, bare, dollar, actions) => {
    if (dollar !== undefined) return '$';
    const name = (braced ?? bare ?? actions) as string;
    const got = env.get(name);
    const value = typeof got === 'object' ? (got.runTime ? undefined : got.value) : got;
    if (op === '-') {
      if (value !== undefined && !(colon === ':' && value === '')) return value;
      return operand as string;
    }
    if ((op === undefined || op === '?') && value !== undefined) return value;
    decided = false;
    return all;
  });
  // A `$` no form above took (`${VAR/x/y}`, `${1}`): Compose reads it some way this does not.
  const unread = token.text.replace(EXPANSION, '').includes('$');
  return { ...token, text, expands: !decided || unread, ...(variable ? { variable } : {}) };
}
