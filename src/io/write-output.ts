import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Write via a temp file and rename, so a reader never sees half a report. */
export async function writeOutput(file: string, text: string): Promise<void> {
  const abs = path.resolve(file);
  await mkdir(path.dirname(abs), { recursive: true });
  const tmp = `${abs}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, abs);
}
