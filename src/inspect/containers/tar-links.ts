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
 * The member a hard link at `index` stands for, as `tarfile.TarFile._find_link_target` finds it: the last member
 * before the link whose normalised name is the link's normalised target (`_getmember(linkname, tarinfo=link,
 * normalize=True)`). `extract` writes that member's bytes in the link's place when the target was not extracted.
 */
export function hardLinkTarget<T extends { readonly name: string; readonly linkName?: string }>(
  entries: readonly T[],
  index: number,
): T | undefined {
  const link = entries[index];
  if (link?.linkName === undefined) return undefined;
  const want = normPath(link.linkName);
  for (let i = index - 1; i >= 0; i--) if (normPath(entries[i]!.name) === want) return entries[i];
  return undefined;
}
