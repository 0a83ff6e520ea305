import { open } from 'node:fs/promises';

export type BoundedRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

/**
 * Read a configuration file (policy, registry, trusted root, key) as UTF-8, refusing anything that is not a regular
 * file or is larger than `max` bytes before reading it: config files are small, and an unbounded read of a
 * path a pull request controls (`/dev/zero`, a 10 GB file) would stall the scan. `shown` names it in messages.
 */
export async function readBoundedText(abs: string, max: number, shown: string): Promise<BoundedRead> {
  let handle;
  try {
    handle = await open(abs, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      error: code === 'ENOENT' ? `${shown} does not exist` : `${shown} cannot be read (${code ?? 'error'})`,
    };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { ok: false, error: `${shown} is not a file` };
    if (st.size > max) return { ok: false, error: `${shown} is larger than ${max} bytes` };
    return { ok: true, text: await handle.readFile('utf8') };
  } finally {
    await handle.close();
  }
}
