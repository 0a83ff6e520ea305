import type { Token } from './shell-words.js';

/*
 * Docker Compose's interpolation of a service's values (the Compose specification's "Interpolation"): `$VAR` and
 * `${VAR}` take the variable's value, `${VAR:-default}` the default when it is unset or empty, `${VAR-default}` when
 * it is unset, `$$` is a dollar sign. Compose takes each variable from the shell that runs it, else from the `.env`
 * file of the project directory (the compose file's folder): a value `.env` gives, else the file's default, is what
 * loads when the shell sets none, and the finding names the variable. Anything else — no value, `:?`, `:+`, a
 * default that interpolates again — is the run time's.
 */

/** One `${…}` or `$NAME` a value holds, and where it ends. */
const EXPANSION = /\$(?:\{([A-Za-z_]\w*)(?:(:?)([-?+])([^}]*))?\}|([A-Za-z_]\w*)|(\$))/g;

/**
 * A token of a Compose value with its variables interpolated: the text with every expansion replaced, `variable`
 * the first variable it reads; still `expands` when one cannot be decided here.
 */
export function interpolate(token: Token, env: ReadonlyMap<string, string>): Token {
  if (!token.text.includes('$')) return token;
  let variable: string | undefined;
  let decided = true;
  const text = token.text.replace(EXPANSION, (all, braced, colon, op, operand, bare, dollar) => {
    if (dollar !== undefined) return '$';
    const name = (braced ?? bare) as string;
    variable ??= name;
    const value = env.get(name);
    if (op === '-' && !(operand as string).includes('$')) {
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
