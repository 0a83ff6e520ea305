import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TreeEntry } from './git.js';
import { run, type BlobCache } from './git.js';
import type { Snapshot } from './snapshot.js';
import { isRequirementsName } from './named-inputs.js';
import { isBuildScript } from './workflow-installs.js';

/** Files that decide what an install on CI does besides the lockfiles: read at both revisions to compare. */
const INSTALL_INPUTS: ReadonlySet<string> = new Set([
  '.npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  'bunfig.toml',
  'pip.conf',
  'pip.ini',
  'uv.toml',
  'pyproject.toml',
  'package.json',
  'pnpm-workspace.yaml',
  // Not an install input: what hides a lockfile's diff from the reviewer (hidden-diffs.ts).
  '.gitattributes',
]);
const WORKFLOW = /^\.github\/workflows\/[^/]+\.ya?ml$/;
/** No real configuration file, manifest or workflow comes near this; a larger one is reported, not read. */
export const MAX_INSTALL_FILE_BYTES = 1024 * 1024;

export function isInstallInput(p: string): boolean {
  if (WORKFLOW.test(p) || (isBuildScript(p) && !p.split('/').includes('node_modules'))) return true;
  const parts = p.split('/');
  // A requirements file's options are settings too (`--no-binary`: install-settings.ts).
  return (INSTALL_INPUTS.has(parts[parts.length - 1]!) || isRequirementsName(p)) && !parts.includes('node_modules');
}

/** One install input the change touched: its text at each side (absent = no such file), or why a side was not read. */
export interface InstallFileChange {
  readonly path: string;
  readonly base?: string;
  readonly head?: string;
  readonly unread?: string;
}

/** The install inputs a change touched, with every path at the head and a reader of any install input's head text. */
export interface InstallFiles {
  readonly changes: InstallFileChange[];
  readonly headPaths: readonly string[];
  readonly headText: (p: string) => string | undefined;
}

/**
 * The install inputs whose text differs between the revisions. Both sides come from git objects, or the head from the
 * work tree (regular files only: a symlink is never followed out of the scan root).
 */
export async function changedInstallFiles(
  dir: string,
  base: Snapshot,
  head: Snapshot | undefined,
): Promise<InstallFiles> {
  const baseTexts = await blobTexts(base.blobs, base.entries);
  const tree = head ? undefined : await workTreeTexts(dir);
  const headTexts = head ? await blobTexts(head.blobs, head.entries, base.entries) : tree!.texts;
  const headPaths = head ? [...head.entries.keys()] : tree!.paths;
  // At a commit head an unchanged input is not read again: its base text is its head text.
  const headText = (p: string) =>
    headTexts.get(p)?.text ??
    (head && head.entries.get(p)?.oid === base.entries.get(p)?.oid ? baseTexts.get(p)?.text : undefined);
  return { changes: changedOf(baseTexts, headTexts, base, head), headPaths, headText };
}

function changedOf(
  baseTexts: ReadonlyMap<string, Read>,
  headTexts: ReadonlyMap<string, Read>,
  base: Snapshot,
  head: Snapshot | undefined,
): InstallFileChange[] {
  const out: InstallFileChange[] = [];
  for (const p of [...new Set([...baseTexts.keys(), ...headTexts.keys()])].sort()) {
    const b = baseTexts.get(p);
    const h = headTexts.get(p);
    // Unchanged at a commit head: not read twice (`blobTexts` skips an unchanged object).
    if (head && h === undefined && head.entries.get(p)?.oid === base.entries.get(p)?.oid) continue;
    const unread = b?.unread ?? h?.unread;
    out.push({
      path: p,
      ...(b?.text !== undefined ? { base: b.text } : {}),
      ...(h?.text !== undefined ? { head: h.text } : {}),
      ...(unread !== undefined ? { unread } : {}),
    });
  }
  return out.filter((c) => c.unread !== undefined || c.base !== c.head);
}

type Read = { readonly text?: string; readonly unread?: string };

async function blobTexts(
  blobs: BlobCache,
  entries: ReadonlyMap<string, TreeEntry>,
  same?: ReadonlyMap<string, TreeEntry>,
): Promise<Map<string, Read>> {
  const wanted = await blobs.sized(
    [...entries.values()].filter((e) => isInstallInput(e.path) && same?.get(e.path)?.oid !== e.oid),
  );
  const small = wanted.filter((e) => e.size <= MAX_INSTALL_FILE_BYTES);
  const read = await blobs.read(small, MAX_INSTALL_FILE_BYTES);
  return new Map(
    wanted.map((e) => {
      const bytes = read.get(e.oid);
      return [e.path, bytes ? { text: bytes.toString('utf8') } : { unread: tooLarge(e.size) }];
    }),
  );
}

async function workTreeTexts(dir: string): Promise<{ texts: Map<string, Read>; paths: string[] }> {
  const paths = [
    ...new Set(
      (await run(dir, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']))
        .toString('utf8')
        .split('\0')
        .filter((p) => p !== ''),
    ),
  ];
  const out = new Map<string, Read>();
  for (const p of paths.filter(isInstallInput)) {
    const abs = path.join(dir, ...p.split('/'));
    const st = await lstat(abs).catch(() => undefined);
    if (!st?.isFile()) continue;
    if (st.size > MAX_INSTALL_FILE_BYTES) out.set(p, { unread: tooLarge(st.size) });
    else out.set(p, { text: await readFile(abs, 'utf8') });
  }
  return { texts: out, paths };
}

const tooLarge = (size: number) => `${size} bytes, over the ${MAX_INSTALL_FILE_BYTES}-byte bound for this kind of file`;
