import type { FileOpener } from '../core/file-source.js';
import { posix } from 'node:path';
import picomatch from 'picomatch';
import type { DiscoveredFile } from '../core/files.js';
import { jsonPropertyLines } from './lines.js';
import type { LoadedManifest } from './checks/sync.js';
import type { Manifest } from './types.js';
import { isRecord } from './types.js';
import { jsonNestingDepth } from '../core/json-depth.js';
import { trimEndRun } from '../core/linear-text.js';

/** Hostile-input bounds: a lockfile or manifest past these is a finding, not a read. */
export const MAX_LOCKFILE_BYTES = 64 * 1024 * 1024;
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_NPMRC_BYTES = 256 * 1024;

/** Read a discovered file as UTF-8 if it is within `max` bytes; undefined when larger. */
export async function readBounded(files: FileOpener, file: DiscoveredFile, max: number): Promise<string | undefined> {
  return (await readBoundedBytes(files, file, max))?.toString('utf8');
}

/** The bytes of a discovered file if it is within `max` bytes (for formats with their own decoding rules). */
export async function readBoundedBytes(
  files: FileOpener,
  file: DiscoveredFile,
  max: number,
): Promise<Buffer | undefined> {
  if (file.size > max) return undefined;
  const src = await files.open(file.abs, file.path, file);
  try {
    // One byte past the limit tells a file that grew since the walk from one that is exactly `max` bytes.
    const buf = await src.read(0, max + 1);
    return buf.length > max ? undefined : buf;
  } finally {
    await src.close();
  }
}

/** Folder of a repo-relative path: 'a/b/yarn.lock' → 'a/b', 'yarn.lock' → ''. */
export function dirOf(path: string): string {
  const d = posix.dirname(path);
  return d === '.' ? '' : d;
}

export function joinRel(dir: string, rel: string): string {
  const joined = posix.normalize(dir === '' ? rel : `${dir}/${rel}`).replace(/^\.\//, '');
  return joined === '.' ? '' : joined;
}

/** The workspace globs of a package.json (`workspaces: [...]` or `workspaces: { packages: [...] }`). */
export function workspaceGlobs(m: Manifest | undefined): string[] {
  const w: unknown = m?.workspaces;
  const list: unknown[] = Array.isArray(w) ? w : isRecord(w) && Array.isArray(w.packages) ? w.packages : [];
  return list.filter((x): x is string => typeof x === 'string').map((g) => trimEndRun(g.replace(/^\.\//, ''), '/'));
}

/** Parse a package.json defensively and index the lines of its dependency declarations. */
export function toLoadedManifest(importer: string, file: string, text: string): LoadedManifest | undefined {
  let data: unknown;
  // jsonPropertyLines recurses over the tree: a manifest nested absurdly deep is treated as unreadable.
  if (jsonNestingDepth(text, 1000) > 1000) return undefined;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
  if (!isRecord(data)) return undefined;
  const fields = new Set(['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']);
  const lines = jsonPropertyLines(text, (path, prop) =>
    path.length === 1 && fields.has(String(path[0])) ? `${String(path[0])}\0${prop}` : undefined,
  );
  return { importer, file, data: data, lines };
}

/**
 * Whether a folder (relative to the workspace root) is one of the workspaces `globs` list: some glob matches it and
 * no `!` glob does (arborist's `#mapWorkspaces` and pnpm's `packages` both take `!` as an exclusion). The globs are
 * read as @npmcli/map-workspaces `appendNegatedPatterns` does: an odd run of `!` negates, an even one is positive
 * (`!!a` is `a`), and a positive glob drops the exclusions before it that match it (`['p/**', '!p/b/**', 'p/b/a']`
 * keeps p/b/a).
 */
export function workspaceMatcher(globs: readonly string[]): (rel: string) => boolean {
  const yes: string[] = [];
  let no: string[] = [];
  for (const glob of globs) {
    const bangs = /^!*/.exec(glob)![0].length;
    const pattern = trimEndRun(glob.slice(bangs).replace(/^\.?\/+/, ''), '/');
    if (bangs % 2 === 1) {
      no.push(pattern);
      continue;
    }
    no = no.filter((n) => !picomatch.isMatch(pattern, n));
    yes.push(pattern);
  }
  if (yes.length === 0) return () => false;
  const listed = picomatch(yes);
  const excluded = no.length > 0 ? picomatch(no) : () => false;
  return (rel) => rel !== '' && !rel.split('/').includes('node_modules') && listed(rel) && !excluded(rel);
}

/** Folders (relative to `dir`) of discovered package.json files matching the workspace globs. */
export function workspaceDirs(
  dir: string,
  globs: readonly string[],
  manifests: ReadonlyMap<string, DiscoveredFile>,
): string[] {
  if (globs.length === 0) return [];
  // A `!` glob excludes (@npmcli/map-workspaces `appendNegatedPatterns`); picomatch alone reads `!packages/legacy`
  // as "every other folder".
  const isMatch = workspaceMatcher(globs);
  const out: string[] = [];
  for (const path of manifests.keys()) {
    const d = dirOf(path);
    const rel = dir === '' ? d : d.startsWith(`${dir}/`) ? d.slice(dir.length + 1) : undefined;
    if (rel !== undefined && isMatch(rel)) out.push(rel);
  }
  return out.sort();
}
