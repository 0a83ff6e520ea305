import { open, lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import type { DiscoveredFile, SkippedFile } from '../core/files.js';
import type { Finding } from '../core/finding.js';
import { errorMessage } from '../core/errors.js';
import { detectFormat, SNIFF_BYTES } from './detect.js';
import { readZipNames } from './formats/zip-names.js';

export interface WalkOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Folder names skipped anywhere unless an include glob names them. */
  readonly skipDirs: readonly string[];
}

export const DEFAULT_SKIP_DIRS: readonly string[] = ['.git', 'node_modules'];

export interface WalkResult {
  readonly files: DiscoveredFile[];
  readonly skipped: SkippedFile[];
  readonly findings: Finding[];
}

/**
 * Walk the scan root. `.gitignore` is deliberately not honoured: weights fetched during a build sit in ignored
 * folders and they are what loads. Symlinks are resolved and followed only while they stay inside the root.
 */
export async function walkTree(root: string, opts: WalkOptions): Promise<WalkResult> {
  const realRoot = await realpath(root);
  const include = opts.include.length > 0 ? picomatch([...opts.include], { dot: true }) : undefined;
  const exclude = opts.exclude.length > 0 ? picomatch([...opts.exclude], { dot: true }) : undefined;
  const out: WalkResult = { files: [], skipped: [], findings: [] };
  const visitedDirs = new Set<string>();

  const skip = (rel: string, reason: SkippedFile['reason'], detail: string, ruleId: string, message: string) => {
    out.skipped.push({ path: rel, reason, detail });
    out.findings.push({ ruleId, message, location: { path: rel }, evidence: { reason } });
  };

  async function visitDir(absDir: string, relDir: string): Promise<void> {
    const real = await realpath(absDir);
    if (visitedDirs.has(real)) return;
    visitedDirs.add(real);
    let entries;
    try {
      entries = await readdir(absDir, { withFileTypes: true });
    } catch (err) {
      const rel = relDir || '.';
      skip(
        rel,
        'unreadable',
        errorMessage(err),
        'CPX001',
        `Directory ${rel} could not be read (${codeOf(err)}); nothing inside it was checked. Make it readable or exclude it.`,
      );
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      const abs = path.join(absDir, entry.name);
      if (exclude?.(rel)) continue;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await resolveInside(abs, realRoot);
        if (target.kind === 'outside') {
          skip(
            rel,
            'symlink-outside-root',
            target.detail,
            'CPX002',
            `Symbolic link ${rel} points outside the scan root and was not followed. A build that follows it loads a file review never saw; replace the link with the file or scan the target separately.`,
          );
          continue;
        }
        if (target.kind === 'broken') {
          skip(
            rel,
            'symlink-broken',
            target.detail,
            'CPX001',
            `Symbolic link ${rel} could not be resolved (${target.detail}); it was not checked.`,
          );
          continue;
        }
        isDir = target.isDir;
        isFile = target.isFile;
      }
      if (isDir) {
        if (opts.skipDirs.includes(entry.name) && !include?.(rel + '/x')) continue;
        await visitDir(abs, rel);
      } else if (isFile) {
        if (include && !include(rel)) continue;
        const file = await describeFile(abs, rel);
        if ('reason' in file)
          skip(
            rel,
            'unreadable',
            file.detail,
            'CPX001',
            `File ${rel} could not be read (${file.detail}); it was not checked. Make it readable or exclude it.`,
          );
        else out.files.push(file);
      } else if (!(include && !include(rel))) {
        out.skipped.push({ path: rel, reason: 'special-file', detail: 'not a regular file' });
      }
    }
  }

  await visitDir(realRoot, '');
  return out;
}

type Resolved =
  | { kind: 'inside'; isDir: boolean; isFile: boolean }
  | { kind: 'outside'; detail: string }
  | { kind: 'broken'; detail: string };

async function resolveInside(abs: string, realRoot: string): Promise<Resolved> {
  let target: string;
  try {
    target = await realpath(abs);
  } catch (err) {
    return { kind: 'broken', detail: codeOf(err) };
  }
  const relToRoot = path.relative(realRoot, target);
  if (relToRoot.startsWith('..') || path.isAbsolute(relToRoot))
    return { kind: 'outside', detail: 'target outside root' };
  const st = await stat(target);
  return { kind: 'inside', isDir: st.isDirectory(), isFile: st.isFile() };
}

async function describeFile(
  abs: string,
  rel: string,
): Promise<DiscoveredFile | { reason: 'unreadable'; detail: string }> {
  try {
    const st = await stat(abs);
    const fh = await open(abs, 'r');
    let detected: ReturnType<typeof detectFormat>;
    try {
      const buf = Buffer.alloc(Math.min(SNIFF_BYTES, st.size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const head = buf.subarray(0, bytesRead);
      detected = detectFormat(head, rel, st.size);
      // A zip is told apart (torch.save, TorchScript, .keras, .npz) by its central directory, as loaders do.
      if (detected.format === 'zip') {
        const zip = await readZipNames(fh, st.size).catch(() => undefined);
        if (zip?.ok) detected = detectFormat(head, rel, st.size, { zipNames: zip.names });
      }
    } finally {
      await fh.close();
    }
    const { format, claimed } = detected;
    return {
      path: rel,
      abs,
      size: st.size,
      dev: st.dev,
      ino: st.ino,
      mtimeMs: st.mtimeMs,
      ctimeMs: st.ctimeMs,
      format,
      ...(claimed !== undefined ? { claimed } : {}),
    };
  } catch (err) {
    return { reason: 'unreadable', detail: codeOf(err) };
  }
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : errorMessage(err);
}

/** For tests and tools that need the entry type without following it. */
export async function isSymlink(p: string): Promise<boolean> {
  return (await lstat(p)).isSymbolicLink();
}
