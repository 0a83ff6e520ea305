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
