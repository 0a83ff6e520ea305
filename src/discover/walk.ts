import { lstat, readdir, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { MODEL_FORMATS, type DiscoveredFile, type SkippedFile } from '../core/files.js';
import type { Finding } from '../core/finding.js';
import { errorMessage } from '../core/errors.js';
import { detectFormat, SNIFF_BYTES } from './detect.js';
import { readZipNames } from './formats/zip-names.js';
import { NotRegularFileError, openRegularFile } from '../io/open-regular.js';
import { unreachable } from './walk-findings.js';

export interface WalkOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Folder names skipped anywhere unless an include glob names them. */
  readonly skipDirs: readonly string[];
  /**
   * Files whose whole bytes the caller will read anyway (the refs stage's source files): the walk, which opens every
   * file to sniff its head, keeps them when small (`DiscoveredFile.content`) so they are not opened twice. Asked
   * first by path (read it whole?), then with the bytes read (keep them?); bytes it declines are dropped and the
   * file marked `contentDeclined`, so it is not read again either.
   */
  readonly keepContent?: (rel: string, bytes?: Buffer) => boolean;
  /** Bytes kept in all (default KEEP_BUDGET); past it files are read again by whoever needs them. */
  readonly keepBudget?: number;
}

/**
 * A file read whole is at most this large, and all kept files together at most KEEP_BUDGET: memory stays bounded.
 * Large enough for nearly all hand-written source (the walk reads one file at a time, and bytes the caller declines
 * are dropped at once), so the refs stage seldom opens a source file a second time.
 */
export const KEEP_FILE_MAX = 256 * 1024;
export const KEEP_BUDGET = 16 * 1024 * 1024;

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
  let keepLeft = opts.keepBudget ?? KEEP_BUDGET;
  // One read buffer for the whole walk (it reads one file at a time): a file's bytes are copied out only when kept,
  // so the thousands of source files the caller declines allocate nothing (bench `refs`: 23 MB of source).
  const scratch = new ScratchBuffer();
  const keeps = (rel: string, size: number): boolean =>
    size <= KEEP_FILE_MAX && size <= keepLeft && opts.keepContent !== undefined && opts.keepContent(rel);

  const skip = (rel: string, reason: SkippedFile['reason'], detail: string, ruleId: string, message: string) => {
    out.skipped.push({ path: rel, reason, detail });
    out.findings.push({ ruleId, message, location: { path: rel }, evidence: { reason } });
  };

  async function visitDir(absDir: string, relDir: string): Promise<void> {
    let entries;
    try {
      const real = await realpath(absDir);
      if (visitedDirs.has(real)) return;
      visitedDirs.add(real);
      entries = await readdir(absDir, { withFileTypes: true });
    } catch (err) {
      const rel = relDir || '.';
      // The root itself must be readable (the caller checked); below it, a failure is a finding, never an abort.
      if (relDir === '') throw err;
      const u = unreachable(rel, 'Directory', codeOf(err), 'nothing inside it was checked');
      skip(rel, u.reason, u.detail, u.ruleId, u.message);
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
          if (target.detail === 'ENAMETOOLONG') {
            const u = unreachable(rel, 'Symbolic link', target.detail, 'it was not checked');
            skip(rel, u.reason, u.detail, u.ruleId, u.message);
          } else
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
        const file = await describeFile(abs, rel, !entry.isSymbolicLink(), keeps, opts.keepContent, scratch);
        if ('reason' in file) {
          const u = unreachable(rel, 'File', file.detail, 'it was not checked');
          skip(rel, u.reason, u.detail, u.ruleId, u.message);
        } else {
          if (file.content) keepLeft -= file.content.length;
          out.files.push(file);
          if (file.size === 0 && (MODEL_FORMATS.has(file.claimed ?? file.format) || EMPTY_MODEL_NAME.test(rel)))
            out.findings.push({
              ruleId: 'CPX023',
              message: `Model file ${rel} is empty (0 bytes); there is nothing to check and nothing a loader can use. Fetch the real file (e.g. git lfs pull) or remove it.`,
              location: { path: rel },
              artifact: { kind: 'file', path: rel },
              evidence: { size: 0 },
            });
        }
      } else if (!(include && !include(rel))) {
        const u = unreachable(rel, 'Path', await specialKind(abs), 'it was not read');
        skip(rel, u.reason, u.detail, u.ruleId, u.message);
      }
    }
  }

  await visitDir(realRoot, '');
  return out;
}

/** Weights whose extension alone (`.bin`) does not say "model", named as the Hugging Face libraries save them. */
const EMPTY_MODEL_NAME = /(^|\/)(pytorch_model|model|diffusion_pytorch_model)(-\d+-of-\d+)?\.bin$/i;

type Resolved =
  | { kind: 'inside'; isDir: boolean; isFile: boolean }
  | { kind: 'outside'; detail: string }
  | { kind: 'broken'; detail: string };

async function resolveInside(abs: string, realRoot: string): Promise<Resolved> {
  let target: string;
  try {
    target = await realpath(abs);
  } catch (err) {
    // An unresolvable link whose own target already leaves the root (`/dev/stdin` → a pipe) is "outside".
    const literal = await readlink(abs).catch(() => undefined);
    const first = literal !== undefined ? path.relative(realRoot, path.resolve(path.dirname(abs), literal)) : '';
    if (first.startsWith('..') || path.isAbsolute(first)) return { kind: 'outside', detail: 'target outside root' };
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
  noFollow: boolean,
  keeps: (rel: string, size: number) => boolean,
  accepts: WalkOptions['keepContent'],
  scratch: ScratchBuffer,
): Promise<DiscoveredFile | { reason: 'unreadable'; detail: string }> {
  try {
    // Non-blocking and re-checked on the handle: the entry may have become a FIFO or a symlink since readdir.
    const { fh, stats: st } = await openRegularFile(abs, { noFollow });
    let detected: ReturnType<typeof detectFormat>;
    let content: Buffer | undefined;
    let declined = false;
    try {
      const whole = keeps(rel, st.size);
      // Only the bytes read are ever looked at: the scratch buffer's tail holds an earlier file's.
      const buf = scratch.get(whole ? st.size : Math.min(SNIFF_BYTES, st.size));
      const bytesRead = whole ? await readFull(fh, buf) : (await fh.read(buf, 0, buf.length, 0)).bytesRead;
      const head = buf.subarray(0, Math.min(bytesRead, SNIFF_BYTES));
      detected = detectFormat(head, rel, st.size);
      // Kept only when read whole and nothing else claims it (the refs stage reads only `other` files).
      if (whole && bytesRead === st.size && detected.format === 'other') {
        if (accepts?.(rel, buf) === false) declined = true;
        else content = Buffer.from(buf);
      }
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
      ...(content !== undefined ? { content } : {}),
      ...(declined ? { contentDeclined: true as const } : {}),
    };
  } catch (err) {
    return { reason: 'unreadable', detail: err instanceof NotRegularFileError ? err.kind : codeOf(err) };
  }
}

/** A buffer reused for every read of one walk, grown to the largest read (at most KEEP_FILE_MAX). */
class ScratchBuffer {
  private buf = Buffer.allocUnsafe(SNIFF_BYTES);
  /** A view of exactly `size` bytes; valid until the next call. */
  get(size: number): Buffer {
    if (size > this.buf.length)
      this.buf = Buffer.allocUnsafe(Math.max(size, Math.min(2 * this.buf.length, KEEP_FILE_MAX)));
    return this.buf.subarray(0, size);
  }
}

/** Fill `buf` from the start of the file; fewer bytes only when the file shrank since fstat. */
async function readFull(fh: FileHandle, buf: Buffer): Promise<number> {
  let n = 0;
  while (n < buf.length) {
    const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return n;
}

/** What a non-regular, non-directory entry is, for the finding (lstat never blocks, even on a FIFO). */
async function specialKind(abs: string): Promise<string> {
  try {
    const st = await stat(abs);
    return st.isFIFO()
      ? 'FIFO'
      : st.isSocket()
        ? 'socket'
        : st.isCharacterDevice() || st.isBlockDevice()
          ? 'device'
          : 'special file';
  } catch (err) {
    return codeOf(err);
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
