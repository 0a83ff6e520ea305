import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
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

async function writeReplacing(abs: string, content: string | Iterable<string>): Promise<void> {
  await mkdir(path.dirname(abs), { recursive: true });
  const tmp = `${abs}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    try {
      for (const batch of batches(content)) await writeAll(fh, batch);
    } finally {
      await fh.close();
    }
    await rename(tmp, abs);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
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
