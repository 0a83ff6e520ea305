import { readYarnV1, YarnSyntaxError } from './parsers/yarn-v1-syntax.js';

/**
 * yarn 1's `.yarnrc`: its top-level `key value` settings, read with the syntax of yarn's lockfile `parse` (which
 * rc.js and `YarnRegistry.loadConfig` read it with; yarn-v1-syntax.ts follows it). The last line for a key wins, as
 * in its object. A file that syntax refuses stops yarn with the parse error, so none of its settings count.
 */
export function parseYarnrcV1(text: string): Map<string, string> {
  const out = new Map<string, string>();
  try {
    readYarnV1(text, {
      value(depth, keys, value) {
        if (depth === 0) for (const key of keys) out.set(key, String(value));
      },
      open() {},
    });
  } catch (err) {
    if (err instanceof YarnSyntaxError) return new Map();
    throw err;
  }
  return out;
}
