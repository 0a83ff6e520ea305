import path from 'node:path';
import { parseShallowYamlValue as parseYaml } from '../../core/yaml-depth.js';
import { readRegularFile } from '../../io/open-regular.js';

/**
 * A .yarnrc.yml as berry reads it (Configuration.ts → @yarnpkg/parsers `parseSyml`, whose js-yaml `load` runs with
 * FAILSAFE_SCHEMA and `json: true`): every scalar a string; a duplicate key is no error, the last one written wins
 * (js-yaml `storeMappingPair` checks duplicates only without `json`); `<<` is a plain key, since the failsafe schema
 * has no merge type. Throws on text yarn cannot read either; aliases past 100 expansions are refused.
 */
export function parseYarnrcYml(text: string): unknown {
  return parseYaml(text, { schema: 'failsafe', uniqueKeys: false, maxAliasCount: 100 });
}

/**
 * A top-level string setting of a package.json (`json`) or a .yarnrc.yml (parseYarnrcYml); undefined when
 * absent, not a string, or the text does not parse (yarn refuses such a file; the settings review reports it).
 */
export function topLevelString(text: string | undefined, key: string, json = false): string | undefined {
  if (text === undefined) return undefined;
  try {
    const data: unknown = json ? JSON.parse(text) : parseYarnrcYml(text);
    const v = data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A yarn folder setting (`cacheFolder`, `pnpUnpluggedFolder`) for the project in `folder`, repo-relative: from the
 * nearest `.yarnrc.yml` at or above it that sets it (yarn's `Configuration.find` reads them all, the closest
 * winning), relative to that file's folder, else `fallback` relative to the project. Undefined when it lies outside
 * the repository, is absolute or home-relative, or names an environment variable.
 */
export function yarnFolder(
  text: (p: string) => string | undefined,
  folder: string,
  key: string,
  fallback: string,
): string | undefined {
  for (const d of foldersUp(folder)) {
    const value = topLevelString(text(path.posix.join(d, '.yarnrc.yml')), key);
    if (value !== undefined && value !== '') return relativeFolder(d, value);
  }
  return relativeFolder(folder, fallback);
}

/** The `.yarnrc.yml` paths `yarnFolder` reads for a project folder, nearest first. */
export function yarnrcPaths(folder: string): string[] {
  return foldersUp(folder).map((d) => path.posix.join(d, '.yarnrc.yml'));
}

function foldersUp(folder: string): string[] {
  const out: string[] = [];
  for (let d = folder; ; d = path.posix.dirname(d)) {
    out.push(d);
    if (d === '.' || d === '' || d === '/') return out;
  }
}

function relativeFolder(from: string, value: string): string | undefined {
  if (value.includes('${') || path.posix.isAbsolute(value) || value.startsWith('~')) return undefined;
  const f = path.posix.normalize(path.posix.join(from, value)).replace(/\/$/, '');
  return f === '..' || f.startsWith('../') ? undefined : f;
}

/**
 * A work-tree file as text, or undefined: absent, a symbolic link (never followed), not a regular file, unreadable,
 * or over `max` bytes.
 */
export async function workTreeText(root: string, rel: string, max: number): Promise<string | undefined> {
  const abs = path.join(root, ...rel.split('/'));
  const buf = await readRegularFile(abs, max, { noFollow: true }).catch(() => undefined);
  return buf?.toString('utf8');
}
