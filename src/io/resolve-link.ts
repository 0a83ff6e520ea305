import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** Links followed in one resolution before giving up, as Linux does (MAXSYMLINKS, ELOOP). */
const MAX_HOPS = 40;

export type LinkResolution =
  { readonly kind: 'real'; readonly path: string } | { readonly kind: 'error'; readonly code: string };

/**
 * The real path of the entry `name` in the folder whose real path is `realDir`: what `realpath` gives, without its
 * cost. glibc's `realpath` lstats every prefix of the whole path, each lookup itself as long as the path, so a link
 * 1,000 folders down cost a million component lookups, and a tree of such links held the walk for minutes. Here the
 * folder is known to be real (no link in it), so only the link's own target is looked up, component by component;
 * `..` is then exact (the folder it leaves is real). An absolute target that lies in a folder already known real
 * (`knownReal`, e.g. the walk's folders) starts there. Paths are byte strings (latin1): a name that is not UTF-8
 * stays the file it names.
 */
export function resolveLinkFrom(realDir: string, name: string, knownReal?: ReadonlySet<string>): LinkResolution {
  let base = realDir;
  // Whether `base` is a folder: a path that goes on past a file fails there (ENOTDIR), as the kernel's lookup does.
  let baseIsDir = true;
  let rest = [name];
  let hops = 0;
  while (rest.length > 0) {
    const part = rest.shift()!;
    if (part === '' || part === '.') continue;
    if (!baseIsDir) return { kind: 'error', code: 'ENOTDIR' };
    if (part === '..') {
      base = path.posix.dirname(base);
      continue;
    }
    const next = base === '/' ? `/${part}` : `${base}/${part}`;
    const bytes = Buffer.from(next, 'latin1');
    let st;
    try {
      st = lstatSync(bytes);
    } catch (err) {
      return { kind: 'error', code: codeOf(err) };
    }
    if (!st.isSymbolicLink()) {
      base = next;
      baseIsDir = st.isDirectory();
      continue;
    }
    if (++hops > MAX_HOPS) return { kind: 'error', code: 'ELOOP' };
    let target: string;
    try {
      target = readlinkSync(bytes, { encoding: 'buffer' }).toString('latin1');
    } catch (err) {
      return { kind: 'error', code: codeOf(err) };
    }
    const parts = target.split('/');
    if (target.startsWith('/')) {
      const dir = path.posix.dirname(target);
      const known = knownReal?.has(dir) === true;
      base = known ? dir : '/';
      baseIsDir = true;
      rest = known ? [path.posix.basename(target), ...rest] : [...parts, ...rest];
    } else {
      rest = [...parts, ...rest];
    }
  }
  return { kind: 'real', path: base };
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'EIO';
}
