import { NotRegularFileError, openRegularFile } from '../../io/open-regular.js';

export type BoundedRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

/**
 * Read a configuration file (policy, registry, trusted root, key) as UTF-8, refusing anything that is not a regular
 * file or is larger than `max` bytes before reading it: config files are small, and an unbounded read of a
 * path a pull request controls (`/dev/zero`, a 10 GB file) would stall the scan. Opened non-blocking and checked on
 * the descriptor (io/open-regular.ts), so a FIFO is refused instead of hanging the scan. `shown` names it.
 */
export async function readBoundedText(abs: string, max: number, shown: string): Promise<BoundedRead> {
  const opened = await openConfigFile(abs, shown);
  if (!opened.ok) return opened;
  const { fh, stats } = opened;
  try {
    if (stats.size > max) return { ok: false, error: `${shown} is larger than ${max} bytes` };
    return { ok: true, text: await fh.readFile('utf8') };
  } finally {
    await fh.close();
  }
}

/** Open a configuration file only if it is a regular file; otherwise why not, in a message naming it as `shown`. */
export async function openConfigFile(
  abs: string,
  shown: string,
): Promise<(Awaited<ReturnType<typeof openRegularFile>> & { ok: true }) | { ok: false; error: string }> {
  try {
    return { ok: true, ...(await openRegularFile(abs)) };
  } catch (err) {
    if (err instanceof NotRegularFileError) return { ok: false, error: `${shown} is not a file (${err.kind})` };
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      error: code === 'ENOENT' ? `${shown} does not exist` : `${shown} cannot be read (${code ?? 'error'})`,
    };
  }
}
