import type { DependencyGraph } from '../../core/records.js';
import type { ParseOptions, ParsedLockfile } from '../types.js';
import { LockfileError, isRecord } from '../types.js';
import { jsonErrorAt } from '../lines.js';
import { parseBun } from './bun.js';
import { parseNpmPackages } from './npm.js';
import { parseNpmV1 } from './npm-v1.js';
import { parsePnpm } from './pnpm.js';
import { parseYarnBerry } from './yarn-berry.js';
import { parseYarnClassic } from './yarn-classic.js';
import { jsonNestingDepth } from '../../core/json-depth.js';

/** npm v1 lockfiles nest a level per dependency depth; real trees stay far below this. */
const MAX_LOCKFILE_DEPTH = 1000;

/**
 * A lockfile parser. The format catalogue routes a file to it (its entry's `readBy` names the parser); `matches` is
 * a cheap filter on the text for parsers that share a file name (yarn 1 and berry).
 */
export interface LockfileParser {
  readonly name: string;
  readonly kind: DependencyGraph['kind'];
  matches?(text: string): boolean;
  parse(file: string, text: string, options: ParseOptions): ParsedLockfile;
}
/** Berry files carry `__metadata:` near the top; yarn 1 files never do. */
const isBerry = (text: string) => /^__metadata:/m.test(text.slice(0, 4096));

/** Every parser, in match order. Adding a format is one catalogue entry, one parser file and one line here. */
export const LOCKFILE_PARSERS: readonly LockfileParser[] = [
  {
    name: 'npm-package-lock',
    kind: 'npm',
    parse: (file, text, options) => {
      const data = parseJson(file, text);
      if (isRecord(data.packages) && data.lockfileVersion !== 1) return parseNpmPackages(file, data, text);
      if (isRecord(data.dependencies) || data.lockfileVersion === 1)
        return parseNpmV1(data, text, options.manifests?.['']);
      throw new LockfileError(
        'LOCKFILE_SHAPE',
        file,
        'JSON without "packages" or "dependencies": not an npm lockfile',
        1,
      );
    },
  },
  {
    name: 'yarn-berry',
    kind: 'yarn-berry',
    matches: (text) => isBerry(text),
    parse: (file, text, options) => parseYarnBerry(file, text, options.manifests),
  },
  {
    name: 'yarn-classic',
    kind: 'yarn-classic',
    parse: (file, text, options) => parseYarnClassic(file, text, options.manifests),
  },
  {
    name: 'pnpm',
    kind: 'pnpm',
    parse: (file, text) => parsePnpm(file, text),
  },
  { name: 'bun', kind: 'bun', parse: (file, text) => parseBun(file, text) },
];

function parseJson(file: string, text: string): Record<string, unknown> {
  let data: unknown;
  // jsonc-parser's line finder and the readers after it recurse over the tree: refuse absurd depth first.
  if (jsonNestingDepth(text, MAX_LOCKFILE_DEPTH) > MAX_LOCKFILE_DEPTH)
    throw new LockfileError('LOCKFILE_SHAPE', file, `nests deeper than ${MAX_LOCKFILE_DEPTH} levels`, 1);
  try {
    data = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorAt(text);
    throw new LockfileError('LOCKFILE_SYNTAX', file, `not valid JSON: ${at.reason}`, at.line, { cause: err });
  }
  if (!isRecord(data)) throw new LockfileError('LOCKFILE_SHAPE', file, 'the top level is not a JSON object', 1);
  return data;
}
