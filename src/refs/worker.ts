import { closeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openRegularFileSync, readFullSync } from '../io/open-regular.js';
import { LocalPaths, SourceSearcher } from './search-file.js';
import type { WorkerInput, WorkerOutput, WorkerResult } from './worker-protocol.js';

/**
 * The refs worker (remote.ts starts it): reads and searches the source files the walk did not keep, on a thread of
 * its own, while the scan's thread runs the other stages. The same search as the stage's (search-file.ts), the same
 * opens as the scan's I/O edge (openRegularFile: non-blocking, a regular file on the descriptor), one file at a time
 * into one reused buffer. Nothing here executes what it reads.
 */
async function main(input: WorkerInput): Promise<WorkerOutput> {
  const searcher = new SourceSearcher();
  const local = new LocalPaths(input.paths);
  const results: WorkerResult[] = [];
  let buf = Buffer.allocUnsafe(64 * 1024);
  let opens = 0;
  let bytesRead = 0;
  for (const file of input.files) {
    let bytes: Buffer;
    try {
      const { fd, stats } = openRegularFileSync(file.abs);
      opens++;
      try {
        const want = Math.min(stats.size, file.size, input.maxBytes);
        if (want > buf.length) buf = Buffer.allocUnsafe(Math.max(want, 2 * buf.length));
        const n = readFullSync(fd, buf.subarray(0, want));
        bytesRead += n;
        bytes = buf.subarray(0, n);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      results.push({ path: file.path, unreadable: typeof code === 'string' ? code : 'EIO' });
      continue;
    }
    // `search` decodes the bytes before it awaits anything: the buffer is free for the next file once it returns.
    results.push({ path: file.path, outcome: await searcher.search(file.path, bytes, false, local.exists) });
  }
  return { results, opens, bytesRead };
}

if (parentPort) {
  const port = parentPort;
  main(workerData as WorkerInput).then(
    (out) => port.postMessage(out),
    (err: unknown) => {
      throw err;
    },
  );
}
