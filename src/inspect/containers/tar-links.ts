/**
 * Whether a tar link member would point outside the extraction folder. Python's `tarfile` `data_filter`
 * (3.12+, `_get_filtered_attrs`) refuses the same cases: an absolute target, and a target that leaves the
 * destination once resolved — relative to the link's own folder for a symlink, to the archive root for a hard
 * link (`tarfile.TarFile._find_link_target` looks hard links up by member name).
 */
export function escapingLinkTarget(name: string, target: string, kind: 'symlink' | 'hardlink'): boolean {
  if (target === '') return false;
  if (target.includes('\\') || target.startsWith('/') || /^[A-Za-z]:/.test(target)) return true;
  const base = kind === 'symlink' ? folderSegments(name) : [];
  return climbsOut(base, target.split('/'));
}

function folderSegments(name: string): string[] {
  const segs = name.split('/').filter((s) => s !== '' && s !== '.');
  segs.pop();
  return segs;
}

/** Walk the segments from `base`; leaving the root at any point escapes (`a/../../x` does). */
function climbsOut(base: readonly string[], segs: readonly string[]): boolean {
  let depth = base.length;
  for (const seg of segs) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      depth--;
      if (depth < 0) return true;
    } else depth++;
  }
  return false;
}

/** `os.path.normpath` for POSIX names: no empty or `.` segments, `..` folded where it can be (kept at the start). */
export function normPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (seg !== '..' || !p.startsWith('/')) out.push(seg);
  }
  const body = out.join('/');
  return p.startsWith('/') ? `/${body}` : body || '.';
}

/**
 * The member each hard link (type '1') stands for, as `tarfile.TarFile._find_link_target` finds it: the last member
 * before the link whose normalised name is the link's normalised target (`_getmember(linkname, tarinfo=link,
 * normalize=True)`). `extract` writes that member's bytes in the link's place when the target was not extracted.
 * One pass over the members, so a tar of many links costs no more than one of many files.
 */
export function hardLinkTargets<T extends { readonly name: string; readonly type: string; readonly linkName?: string }>(
  entries: readonly T[],
): Map<T, T> {
  const lastNamed = new Map<string, T>();
  const out = new Map<T, T>();
  for (const e of entries) {
    const target = e.type === '1' && e.linkName !== undefined ? lastNamed.get(normPath(e.linkName)) : undefined;
    if (target) out.set(e, target);
    lastNamed.set(normPath(e.name), e);
  }
  return out;
}

/** Linux's PATH_MAX, in bytes (UTF-16 units here, at most as many). */
const PATH_MAX = 4096;

/** Symlinks followed at most in one path: Linux's MAXSYMLINKS, past which the OS fails with ELOOP. */
const MAX_LINK_HOPS = 40;

/** Where a path lands once extracted: its folders (segments under the root), outside the root, or a symlink loop. */
export type Landing = readonly string[] | 'outside' | 'loop';

/**
 * `rest` walked from the folder `from` as the OS resolves a path (realpath): each component that is a symlink
 * (`symlinkAt` of its extracted path gives the target) is replaced by its target, read from the symlink's own folder,
 * and `..` climbs from where the path really is — so `e -> d/..` with `d -> ../..` climbs out though `e/x` reads as
 * inside. The last component is followed only when `followLast`: extraction replaces a symlink member, it writes
 * through anything else.
 */
export function landingOf(
  symlinkAt: (path: string) => string | undefined,
  from: readonly string[],
  rest: readonly string[],
  followLast: boolean,
): Landing {
  const resolved = [...from];
  // A stack, next component last: a hostile PAX name of many thousand segments costs one pass, not a shift each.
  const pending = [...rest].reverse();
  const lastLeft = (): boolean => pending.every((p) => p === '' || p === '.');
  for (let hops = 0; pending.length > 0;) {
    const part = pending.pop()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (resolved.pop() === undefined) return 'outside';
      continue;
    }
    resolved.push(part);
    const target = symlinkAt(resolved.join('/'));
    if (target === undefined || (!followLast && lastLeft())) continue;
    if (++hops > MAX_LINK_HOPS) return 'loop';
    if (target.startsWith('/') || target.includes('\\') || /^[A-Za-z]:/.test(target)) return 'outside';
    resolved.pop();
    for (const seg of target.split('/').reverse()) pending.push(seg);
  }
  return resolved;
}

/**
 * Symlinks whose target leaves the extraction folder only once the other symlinks `tarfile.extractall` makes (no
 * filter: Python before 3.14) are followed, as the OS follows them whenever the path is used — whichever was made
 * first: what a check of the target as written misses. A member written through such a link lands outside; one
 * finding for the link says so. A link whose target leaves the folder as written is `escapingLinkTarget`'s, and
 * nothing is followed through it (what is written through it is that cause, not another).
 */
export function symlinksEscapingThroughOthers<
  T extends { readonly name: string; readonly type: string; readonly linkName?: string },
>(entries: readonly T[]): ReadonlySet<T> {
  // Linux refuses a path or a symlink target past PATH_MAX (ENAMETOOLONG): no such link is made. Also keeps each
  // resolution below a few hundred thousand steps however long a hostile PAX name is.
  const candidates = entries.filter(
    (e): e is T & { readonly linkName: string } =>
      e.type === '2' &&
      e.linkName !== undefined &&
      e.name.length <= PATH_MAX &&
      e.linkName.length <= PATH_MAX &&
      !escapingLinkTarget(e.name, e.linkName, 'symlink'),
  );
  if (candidates.length < 2) return new Set();
  // Where each is made, its folders read as written (they are resolved below, when it is followed).
  const symlinks = new Map<string, string>();
  for (const e of candidates) {
    const at = landingOf(() => undefined, [], e.name.split('/'), false);
    if (typeof at !== 'string') symlinks.set(at.join('/'), e.linkName);
  }
  const symlinkAt = (p: string): string | undefined => symlinks.get(p);
  const out = new Set<T>();
  for (const e of candidates) {
    // Extraction replaces a symlink member: only its folders are followed to find where it is made.
    const at = landingOf(symlinkAt, [], e.name.split('/'), false);
    if (typeof at === 'string') continue;
    if (landingOf(symlinkAt, at.slice(0, -1), e.linkName.split('/'), true) === 'outside') out.add(e);
  }
  return out;
}
