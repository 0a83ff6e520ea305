import type { Token } from './shell-words.js';

/*
 * Docker Compose's interpolation of a service's values (the Compose specification's "Interpolation"): `$VAR` and
 * `${VAR}` take the variable's value, `${VAR:-default}` the default when it is unset or empty, `${VAR-default}` when
 * it is unset, `$$` is a dollar sign. Compose takes each variable from the shell that runs it, else from the `.env`
 * file of the project directory (the compose file's folder): a value `.env` gives, else the file's default, is what
 * loads when the shell sets none, and the finding names the variable. Anything else — no value, `:?`, `:+`, a
 * default that interpolates again — is the run time's.
 */

/**
 * One `${…}` or `$NAME` a value holds. An operand stops at a `$` (a default that interpolates again is not read, and
 * no search runs past the next expansion: linear in the value, whatever it holds).
 */
const EXPANSION = /\$(?:\{([A-Za-z_]\w*)(?:(:?)([-?+])([^}$]*))?\}|([A-Za-z_]\w*)|(\$))/g;
const FIRST_VARIABLE = /(?<!\$)\$\{?([A-Za-z_]\w*)/;

/**
 * A token of a Compose value with its variables interpolated: the text with every expansion replaced, `variable`
 * the first variable it reads; still `expands` when one cannot be decided here.
 */
export function interpolate(token: Token, env: ReadonlyMap<string, string>): Token {
  if (!token.text.includes('$')) return token;
  // The variable named in the finding: the first the value reads, as written (the outer one of a nested default).
  const variable = FIRST_VARIABLE.exec(token.text)?.[1];
  let decided = true;
  const text = token.text.replace(EXPANSION, (all, braced, colon, op, operand, bare, dollar) => {
    if (dollar !== undefined) return '$';
    const name = (braced ?? bare) as string;
    const value = env.get(name);
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
