/**
 * What the CLI may draw on a stream: colour and a redrawn progress line. Decided here from the environment and
 * whether the stream is a terminal, so both are testable without one.
 */
type Env = Readonly<Record<string, string | undefined>>;

/**
 * `TERM=dumb`: a terminal that understands no escape sequence (Emacs' shell, some CI logs). supports-color
 * `_supportsColor` answers "no colour" for it unless colour is forced, and terminfo's `dumb` entry has no cursor
 * movement, so a `\r\u001b[2K` progress line would print as garbage.
 */
function dumbTerminal(env: Env): boolean {
  return env['TERM'] === 'dumb';
}

/**
 * Colour on a stream. `--color` / `--no-color` decide when given (supports-color: the flags win over TERM and the
 * stream); else only a terminal that is not dumb, and no `NO_COLOR` in the environment (no-color.org).
 */
export function colorWanted(flag: boolean | undefined, env: Env, isTTY: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  return isTTY === true && !('NO_COLOR' in env) && !dumbTerminal(env);
}

/** The progress line: asked for (not --no-progress, not --quiet), on a terminal that can move its cursor. */
export function progressWanted(asked: boolean, env: Env, isTTY: boolean | undefined): boolean {
  return asked && isTTY === true && !dumbTerminal(env);
}
