import path from 'node:path';
import picomatch from 'picomatch';
import type { Finding } from '../../core/finding.js';
import { MAX_RELATED } from '../../core/group-causes.js';
import type { InstallFileChange } from './install-files.js';
import { isInstallInput } from './install-files.js';
import { isReviewInput } from './snapshot.js';

/**
 * Attributes that keep a file's changes out of the diff a reviewer reads: git's `-diff` / `binary` ("Binary files
 * differ"), a `diff=<driver>` (a textconv or external diff of the reader's own config, if any), and GitHub's
 * `linguist-generated` (the file's diff collapsed in the pull request). chainproof reads the blobs either way; the
 * person skimming the pull request does not.
 */
function hidingAttribute(attr: string): boolean {
  return (
    attr === '-diff' ||
    attr === 'binary' ||
    attr.startsWith('diff=') ||
    attr === 'linguist-generated' ||
    attr === 'linguist-generated=true'
  );
}

interface HidingLine {
  readonly line: number;
  readonly key: string;
  readonly matches: (p: string) => boolean;
}

/**
 * The hiding lines of one .gitattributes at `dir`, matched as git's attr.c does (path_matches): a pattern without a
 * slash matches the basename at any depth below `dir` (match_basename), one with a slash the path relative to `dir`
 * (match_pathname, `*` not crossing `/`); a pattern for a folder (trailing `/`) matches no file. Quoted patterns
 * and macros other than `binary` are left out.
 */
function hidingLines(text: string | undefined, dir: string): HidingLine[] {
  const out: HidingLine[] = [];
  (text ?? '').split('\n').forEach((raw, i) => {
    const [pattern = '', ...attrs] = raw.trim().split(/[ \t]+/);
    const hides = attrs.filter(hidingAttribute);
    if (pattern === '' || pattern.startsWith('#') || pattern.startsWith('"') || pattern.endsWith('/')) return;
    if (hides.length === 0) return;
    const anchored = pattern.includes('/');
    const glob = picomatch(anchored ? pattern.replace(/^\//, '') : pattern, { dot: true });
    const prefix = dir === '.' ? '' : `${dir}/`;
    out.push({
      line: i + 1,
      key: `${pattern} ${hides.sort().join(' ')}`,
      matches: (p) => p.startsWith(prefix) && glob(anchored ? p.slice(prefix.length) : path.posix.basename(p)),
    });
  });
  return out;
}

/**
 * CPU035: a .gitattributes the change edits now hides the diff of a lockfile, manifest, package-manager config,
 * policy or workflow at the head. A line the base already had is not this change's doing.
 */
export function hiddenDiffFindings(changes: readonly InstallFileChange[], headPaths: readonly string[]): Finding[] {
  const watched = headPaths.filter((p) => isReviewInput(p) || isInstallInput(p));
  const out: Finding[] = [];
  for (const c of changes) {
    if (path.posix.basename(c.path) !== '.gitattributes' || c.unread !== undefined) continue;
    const dir = path.posix.dirname(c.path);
    const before = new Set(hidingLines(c.base, dir).map((l) => l.key));
    for (const l of hidingLines(c.head, dir)) {
      if (before.has(l.key)) continue;
      const hidden = watched.filter(l.matches);
      if (hidden.length === 0) continue;
      out.push({
        ruleId: 'CPU035',
        message: `${c.path}:${l.line} (\`${l.key}\`) hides the diff of ${hidden.length} file(s) a reviewer must read (first: ${hidden[0]!}): git shows them as binary or through a driver, GitHub collapses generated files. chainproof compared their contents; read them yourself (\`git diff --text\`) or drop the attribute in a change of its own.`,
        location: { path: c.path, line: l.line },
        evidence: { attribute: l.key, count: hidden.length, files: hidden.slice(0, 50).join(' ') },
        // The files it hides are the places of one cause: their count and names stay out of its fingerprint.
        related: hidden.slice(0, MAX_RELATED).map((p) => ({ path: p })),
      });
    }
  }
  return out;
}
