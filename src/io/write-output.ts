import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Pieces are gathered into writes of about this many characters: few syscalls, little held at once. */
const WRITE_BATCH = 1 << 20;

/**
 * Write via a temp file and rename, so a reader never sees half a report. `content` may be the whole text or
 * pieces (a streamed report), written in batches as they come.
 */
export async function writeOutput(file: string, content: string | Iterable<string>): Promise<void> {
  const abs = path.resolve(file);
  await mkdir(path.dirname(abs), { recursive: true });
  const tmp = `${abs}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    try {
      for (const batch of batches(content)) await fh.write(batch);
    } finally {
      await fh.close();
    }
    await rename(tmp, abs);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Standard output, batch by batch, waiting for the pipe to drain so a slow reader does not make us buffer it all. */
export async function writeStdout(content: string | Iterable<string>): Promise<void> {
  for (const batch of batches(content)) {
    if (!process.stdout.write(batch)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}

function* batches(content: string | Iterable<string>): Generator<string> {
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
  if (size > 0 || pending.length > 0) yield pending.join('');
}
