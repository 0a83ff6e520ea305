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
