import { readYarnV1, YarnSyntaxError } from './parsers/yarn-v1-syntax.js';
import type { YarnScalar } from './parsers/yarn-v1-syntax.js';

/**
 * A `.yarnrc` read: each top-level setting's value as text, as yarn typed it (an unquoted `true` is a boolean, a
 * quoted one a string) and the line that set it last, or why yarn refuses the file.
 */
export type YarnrcV1 =
  | {
      readonly settings: Map<string, string>;
      readonly values: Map<string, YarnScalar>;
      readonly lines: Map<string, number>;
    }
  | { readonly error: string; readonly line: number };

/**
 * yarn 1's `.yarnrc`: its top-level `key value` settings, read with the syntax of yarn's lockfile `parse` (which
 * rc.js and `YarnRegistry.loadConfig` read it with; yarn-v1-syntax.ts follows it). The last line for a key wins, as
 * in its object. A file that syntax refuses stops yarn with the parse error, so none of its settings count.
 */
export function readYarnrcV1(text: string): YarnrcV1 {
  const settings = new Map<string, string>();
  const values = new Map<string, YarnScalar>();
  const lines = new Map<string, number>();
  try {
    readYarnV1(text, {
      value(depth, keys, value, line) {
        if (depth === 0)
          for (const key of keys) {
            settings.set(key, String(value));
            values.set(key, value);
            lines.set(key, line);
          }
      },
      open() {},
    });
  } catch (err) {
    if (err instanceof YarnSyntaxError) return { error: err.message, line: err.line };
    throw err;
  }
  return { settings, values, lines };
}

/** The settings of {@link readYarnrcV1}, none for a file yarn refuses. */
export function parseYarnrcV1(text: string): Map<string, string> {
  const read = readYarnrcV1(text);
  return 'settings' in read ? read.settings : new Map<string, string>();
}

/**
 * Whether yarn 1 runs no lifecycle script for this project. `Config.init` sets `ignoreScripts` from the
 * `--ignore-scripts` flag or `Boolean(getOption('ignore-scripts'))`, and `Install` skips the build step under it:
 * - a `--ignore-scripts` / `--install.ignore-scripts` line (rc.js `buildRcArgs`, the nearest file setting the key
 *   wins) becomes the flag only when its value is an unquoted `true`;
 * - `ignore-scripts` comes from `YARN_IGNORE_SCRIPTS` (`BaseRegistry.mergeEnv`, over every file), else the first
 *   `.yarnrc` that sets it (`YarnRegistry.loadConfig`: the project's, then the user's, then the parent folders', so
 *   only the project's is certain). `YarnRegistry` fills in its default (`false`) before `getOption` would ask npm, so
 *   `.npmrc` and `npm_config_ignore_scripts` are never read for it.
 * `files` is nearest first and starts with the project's `.yarnrc` when `projectHasOne`.
 */
export function yarnV1IgnoresScripts(
  files: readonly ReadonlyMap<string, YarnScalar>[],
  projectHasOne: boolean,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const nearest = (key: string) => files.find((f) => f.has(key))?.get(key);
  if (nearest('--ignore-scripts') === true || nearest('--install.ignore-scripts') === true) return true;
  return yarnV1EnvIgnoresScripts(env) ?? (projectHasOne && Boolean(files[0]?.get('ignore-scripts')));
}

/**
 * `ignore-scripts` as `YARN_IGNORE_SCRIPTS` sets it (`BaseRegistry.mergeEnv`), undefined when unset. It is the one
 * form that also reaches the preparation of a git dependency with a `prepare` script: GitFetcher
 * `fetchFromInstallAndPack` clones it into yarn's temp folder and runs `install` (its preinstall, install,
 * postinstall and prepare) under a `Config.create` of its own, which reads neither the command line nor the
 * project's `.yarnrc`. Checked with yarn 1.22.22: `--ignore-scripts`, `.yarnrc` `ignore-scripts true` and
 * `--ignore-scripts true` all ran such a dependency's postinstall and prepare; `YARN_IGNORE_SCRIPTS=true` ran neither.
 */
export function yarnV1EnvIgnoresScripts(env: Readonly<Record<string, string | undefined>>): boolean | undefined {
  const fromEnv = Object.entries(env).find(([k]) => k.toLowerCase() === 'yarn_ignore_scripts')?.[1];
  // `normalizeConfigOption` turns 'false' into false; any other non-empty text is truthy to `Boolean`.
  return fromEnv === undefined ? undefined : fromEnv !== '' && fromEnv !== 'false';
}
