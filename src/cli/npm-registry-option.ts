import { UsageError } from '../core/errors.js';

/**
 * `--npm-registry` (or the Action's `npm-registry` input, `name` in the message) checked before any work: an http(s) URL with a host, else a usage error (exit 2). Unchecked, a
 * bad value failed the registry stage mid-scan (exit 4) or, offline or without a lockfile, was silently accepted,
 * and `file:` URLs were taken. The value may carry credentials (`https://user:token@host/`): the message never
 * shows them.
 */
export function parseNpmRegistry(raw: string | undefined, name = '--npm-registry'): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '')
    throw new UsageError(`${name}: expected an http(s) URL, got ${JSON.stringify(withoutUserinfo(raw))}`);
  return raw;
}

/**
 * The value with anything before the last `@` of its authority replaced by `***`. Not a URL parser's reading (the
 * value is not a valid URL, and its scheme may not be one either: `ht!tp://user:token@host`): the authority starts
 * after the first run of slashes that follows a `:` (else at the start, where everything up to the `@` could be a
 * token) and ends at `/`, `?` or `#`.
 */
function withoutUserinfo(raw: string): string {
  const scheme = /^[^:/?#@\s]*:\/+/.exec(raw)?.[0] ?? '';
  const rest = raw.slice(scheme.length);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  const shown = at < 0 ? raw : `${scheme}***${rest.slice(at)}`;
  // A hostile value is echoed in one line, never a screenful.
  return shown.length > 200 ? `${shown.slice(0, 200)}…` : shown;
}
