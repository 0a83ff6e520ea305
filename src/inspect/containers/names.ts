/** A member name that would escape the extraction folder: `..` segments, absolute paths, drive letters, backslashes. */
export function unsafeMemberName(name: string): boolean {
  if (name.includes('\\')) return true;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return true;
  return name.split('/').some((seg) => seg === '..');
}
