import { isSecret } from './compose-dotenv.js';

/**
 * A `docker run --env-file` file as the docker CLI reads it (docker/cli opts/file.go `parseKeyValueFile`): each line
 * with its leading blanks trimmed; a blank line or one that starts with `#` is skipped; `NAME=value` sets NAME to the
 * value exactly as written (no quotes removed, nothing expanded, trailing blanks kept); `NAME` alone passes the host's
 * value (null here: the run time's). A name that holds a blank, or a line with no name, makes docker refuse the file
 * (undefined: nothing this file decides). A secret is never taken (compose-dotenv.ts `isSecret`). Never run.
 */
export function dockerEnvFile(text: string): DockerEnvFile | undefined {
  const out = new Map<string, string | null>();
  // bufio.Scanner's ScanLines: a line ends at `\n`, a `\r` before it dropped; the first line's UTF-8 BOM is no text.
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = raw.replace(/\r$/, '').replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line : line.slice(0, eq);
    if (name === '' || /\s/.test(name)) return undefined;
    const value = eq < 0 ? null : line.slice(eq + 1);
    if (value === null || !isSecret(name, value)) out.set(name, value);
  }
  return out;
}

/** The `--env-file` files a script's `docker run` lines name, by the path as written there (undefined: not held). */
export type DockerEnvFiles = ReadonlyMap<string, DockerEnvFile | undefined>;

/** One env file's variables (null: the host's value). */
export type DockerEnvFile = ReadonlyMap<string, string | null>;
