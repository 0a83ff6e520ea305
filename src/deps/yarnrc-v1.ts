import { readYarnV1, YarnSyntaxError } from './parsers/yarn-v1-syntax.js';

/** A `.yarnrc` read: each top-level setting's value and the line that set it last, or why yarn refuses the file. */
export type YarnrcV1 =
  | { readonly settings: Map<string, string>; readonly lines: Map<string, number> }
  | { readonly error: string; readonly line: number };

/**
 * yarn 1's `.yarnrc`: its top-level `key value` settings, read with the syntax of yarn's lockfile `parse` (which
 * rc.js and `YarnRegistry.loadConfig` read it with; yarn-v1-syntax.ts follows it). The last line for a key wins, as
 * in its object. A file that syntax refuses stops yarn with the parse error, so none of its settings count.
 */
export function readYarnrcV1(text: string): YarnrcV1 {
  const settings = new Map<string, string>();
  const lines = new Map<string, number>();
  try {
    readYarnV1(text, {
      value(depth, keys, value, line) {
        if (depth === 0)
          for (const key of keys) {
            settings.set(key, String(value));
            lines.set(key, line);
          }
      },
      open() {},
    });
  } catch (err) {
    if (err instanceof YarnSyntaxError) return { error: err.message, line: err.line };
    throw err;
  }
  return { settings, lines };
}

/** The settings of {@link readYarnrcV1}, none for a file yarn refuses. */
export function parseYarnrcV1(text: string): Map<string, string> {
  const read = readYarnrcV1(text);
  return 'settings' in read ? read.settings : new Map<string, string>();
}
