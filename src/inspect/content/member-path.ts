/**
 * A member path as the file system resolves it once extracted under a folder (`posixpath.normpath`; Java
 * `new File(dest, name)`): empty and `.` parts dropped, `..` taking back the part before it (a leading `..` stays:
 * that member lands outside the folder).
 */
export function extractedPath(member: string): string {
  const parts: string[] = [];
  for (const p of member.split('/')) {
    if (p === '..' && parts.length > 0 && parts.at(-1) !== '..') parts.pop();
    else if (p !== '' && p !== '.') parts.push(p);
  }
  return parts.join('/');
}
