import type { Stats } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, rm, stat, statfs, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { IoError } from '../core/errors.js';

/** Pieces are gathered into writes of this many bytes: few syscalls, little held at once. */
const WRITE_BATCH = 1 << 20;

/**
 * Write via a temp file and rename, so a reader never sees half a report. `content` may be the whole text or
 * pieces (a streamed report), written in batches as they come.
 */
export async function writeOutput(file: string, content: string | Iterable<string>): Promise<void> {
  try {
    await writeReplacing(path.resolve(file), content);
  } catch (err) {
    // A report the system would not let us write (a directory, no permission, a full disk) is the job failing, not
    // a bug: exit 3. Anything else (a reporter that threw) stays what it was.
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code !== 'string') throw err;
    throw new IoError(file, `cannot write ${file} (${code})`, { cause: err, code: 'IO_WRITE_FAILED' });
  }
}

async function writeReplacing(requested: string, content: string | Iterable<string>): Promise<void> {
  // A symlink is written through, as a shell's `>` writes: the rename would replace the link itself. Run as root,
  // `-o /dev/stdout` with standard output sent to a file made /dev/stdout a regular file for every process.
  const abs = await realpath(requested).catch(() => requested);
  await makeFolders(path.dirname(abs));
  const tmp = `${abs}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    try {
      for (const batch of batches(content)) await writeAll(fh, batch);
    } finally {
      await fh.close();
    }
    // The rename replaces whatever has the name: run as root, `-o /dev/null` made /dev/null a regular file for every
    // process on the machine. Commands refuse such a path before the scan (outputPathProblem); this is the last guard.
    const st = await stat(abs).catch(() => undefined);
    if (st !== undefined && !st.isFile())
      throw Object.assign(new Error(`${abs} is not a regular file`), { code: 'ENOTREG' });
    await rename(tmp, abs);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * The missing folders of `dir`, made one at a time from the nearest that exists. Node 20's `mkdir(…, { recursive:
 * true })` never settles for a path under /proc (`/proc/x/y`: the kernel answers ENOENT to the parent, and libuv's
 * recursive walk retries it forever at 100 % CPU); a plain mkdir there fails at once.
 */
export async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    if ((await lstat(d).catch(() => undefined)) !== undefined || path.dirname(d) === d) break;
    missing.push(d);
  }
  for (const d of missing.reverse()) {
    await mkdir(d).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    });
  }
}

/**
 * Kernel file systems that only look like folders (linux/magic.h): procfs, sysfs, cgroup and cgroup2, debugfs,
 * tracefs, securityfs, bpf, configfs, pstore, efivarfs. A report can never be written there.
 */
const PSEUDO_FS: ReadonlySet<number> = new Set([
  0x9fa0, 0x62656572, 0x27e0eb, 0x63677270, 0x64626720, 0x74726163, 0x73636673, 0xcafe4a11, 0x62656570, 0x6165676c,
  0xde5e81e4,
]);

const KINDS: readonly [string, (s: Stats) => boolean][] = [
  ['a directory', (s) => s.isDirectory()],
  ['a character device', (s) => s.isCharacterDevice()],
  ['a block device', (s) => s.isBlockDevice()],
  ['a named pipe', (s) => s.isFIFO()],
  ['a socket', (s) => s.isSocket()],
];

/**
 * Why `file` cannot take a report, or undefined when it can: a report is written to a temp file beside it and renamed
 * onto it, so the name must be a regular file or nothing yet, in a folder that is (or can be made) on a real file
 * system. Checked before a scan, so a wrong path is a usage error at once (exit 2) rather than a failure after the
 * whole scan, a hang, or a device replaced by a file.
 */
export async function outputPathProblem(file: string): Promise<string | undefined> {
  const abs = path.resolve(file);
  const st = await stat(abs).catch(() => undefined);
  if (st !== undefined && !st.isFile()) {
    const kind = KINDS.find(([, is]) => is(st))?.[0] ?? 'not a regular file';
    return `is ${kind}; name a regular file${kind === 'a directory' ? '' : " (or '-' for standard output)"}`;
  }
  let d = path.dirname(abs);
  let above = await stat(d).catch(() => undefined);
  while (above === undefined && path.dirname(d) !== d) {
    d = path.dirname(d);
    above = await stat(d).catch(() => undefined);
  }
  if (above !== undefined && !above.isDirectory()) return `cannot be made: ${d} is not a directory`;
  const fs = await statfs(d).catch(() => undefined);
  if (fs !== undefined && PSEUDO_FS.has(fs.type))
    return `is on a kernel pseudo file system (${d}); name a regular file`;
  return undefined;
}

/** A write may take fewer bytes than given: go on until all are written. */
async function writeAll(fh: FileHandle, chunk: string | Uint8Array): Promise<void> {
  const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  for (let at = 0; at < bytes.length;) at += (await fh.write(bytes, at, bytes.length - at)).bytesWritten;
}

/** Standard output, batch by batch, waiting for the pipe to drain so a slow reader does not make us buffer it all. */
export async function writeStdout(content: string | Iterable<string>): Promise<void> {
  // Text, not bytes: whoever stands in for stdout (a test's capture, a wrapper) gets what it got before.
  for (const batch of textBatches(content)) {
    if (!process.stdout.write(batch)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}

/**
 * Pieces encoded straight into 1 MiB buffers (no joined string, no second copy for the write); each buffer is new,
 * as a stream may still hold the last one. Whole text passes through as it is.
 */
function* batches(content: string | Iterable<string>): Generator<string | Uint8Array> {
  if (typeof content === 'string') {
    yield content;
    return;
  }
  let buf = Buffer.allocUnsafe(WRITE_BATCH);
  let used = 0;
  for (const piece of content) {
    // A UTF-16 unit never takes more than 3 bytes in UTF-8: flush first when the piece might not fit.
    if (used + piece.length * 3 > WRITE_BATCH) {
      if (used > 0) yield buf.subarray(0, used);
      buf = Buffer.allocUnsafe(WRITE_BATCH);
      used = 0;
      if (piece.length * 3 > WRITE_BATCH) {
        yield piece;
        continue;
      }
    }
    used += buf.write(piece, used);
  }
  if (used > 0) yield buf.subarray(0, used);
}

/** Pieces joined into strings of about a batch's length. */
function* textBatches(content: string | Iterable<string>): Generator<string> {
  if (typeof content === 'string') {
    yield content;
    return;
  }
  let pending: string[] = [];
  let size = 0;
  for (const piece of content) {
    pending.push(piece);
    size += piece.length;
    if (size >= WRITE_BATCH) {
      yield pending.join('');
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield pending.join('');
}
