/**
 * An http(s) URL with credentials, query and fragment removed, or undefined when it is not http(s) or not a URL.
 * Lockfiles and `.npmrc` can hold tokenised URLs; only this form may reach output.
 */
export function publicHttpUrl(raw: string): URL | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  return u;
}
