import type { DependencyGraph } from '../../core/records.js';
import { LOCKFILE_FORMATS, entryOf, formatFromName } from '../../discover/catalogue/index.js';
import type { ParseOptions, ParsedLockfile } from '../types.js';
import { LockfileError } from '../types.js';

export type LockfileParse = (file: string, text: string, options: ParseOptions) => ParsedLockfile;

/**
 * A lockfile parser. The format catalogue routes a file to it (its entry's `readBy` names the parser); `matches` is
 * a cheap filter on the text for parsers that share a file name (yarn 1 and berry). `load` imports the parser and
 * its libraries (yaml, @yarnpkg/parsers, jsonc-parser…) only when a lockfile of that format is parsed: a scan pays
 * start-up for the formats the repository holds, not for all of them.
 */
export interface LockfileParser {
  readonly name: string;
  readonly kind: DependencyGraph['kind'];
  matches?(text: string): boolean;
  load(): Promise<LockfileParse>;
}
/**
 * Berry files carry a top-level `__metadata` key; yarn 1 files never do. Berry's writer puts it first, but its reader
 * takes it anywhere (Project `setupResolutions`: `parseSyml(content)`, then `if (parsed.__metadata)`), so the whole
 * text is searched: a berry lockfile whose `__metadata` sits past the first lines, read with yarn 1's grammar, had
 * its `resolution` fields (what berry fetches) ignored. yarn 1 ignores a lockfile with `__metadata` altogether
 * (`Lockfile.fromDirectory`), so the file is no yarn 1 lockfile either way.
 */
const isBerry = (text: string) => /^(?:__metadata|"__metadata"|'__metadata')[ \t]*:/m.test(text);

/** Every parser, in match order. Adding a format is one catalogue entry, one parser file and one line here. */
export const LOCKFILE_PARSERS: readonly LockfileParser[] = [
  {
    name: 'npm-package-lock',
    kind: 'npm',
    load: async () => (await import('./npm-lock.js')).parseNpmLock,
  },
  {
    name: 'yarn-berry',
    kind: 'yarn-berry',
    matches: (text) => isBerry(text),
    load: async () => {
      const { parseYarnBerry } = await import('./yarn-berry.js');
      return (file, text, options) => parseYarnBerry(file, text, options.manifests, options.enableScripts);
    },
  },
  {
    name: 'yarn-classic',
    kind: 'yarn-classic',
    load: async () => {
      const { parseYarnClassic } = await import('./yarn-classic.js');
      return (file, text, options) => parseYarnClassic(file, text, options.manifests);
    },
  },
  {
    name: 'pnpm',
    kind: 'pnpm',
    load: async () => {
      const { parsePnpm } = await import('./pnpm.js');
      return (file, text, options) => parsePnpm(file, text, options);
    },
  },
  {
    name: 'bun',
    kind: 'bun',
    load: async () => {
      const { parseBun } = await import('./bun.js');
      return (file, text, options) => parseBun(file, text, options);
    },
  },
];

const loaded = new Map<LockfileParser, LockfileParse>();

/** The parser's function, imported on first use and kept. */
export async function loadLockfileParser(parser: LockfileParser): Promise<LockfileParse> {
  let parse = loaded.get(parser);
  if (!parse) loaded.set(parser, (parse = await parser.load()));
  return parse;
}

/** The parser's function if `loadLockfileParser` has imported it. */
export function loadedLockfileParser(parser: LockfileParser): LockfileParse | undefined {
  return loaded.get(parser);
}

/**
 * The parser for `path` (its file name picks the format, the catalogue's `readBy` the candidates) and the text it
 * reads (without a byte-order mark). Throws LOCKFILE_UNSUPPORTED when no parser takes it.
 */
export function selectLockfileParser(path: string, text: string): { parser: LockfileParser; body: string } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const format = formatFromName(path);
  const readers = format !== undefined && LOCKFILE_FORMATS.has(format) ? (entryOf(format).readBy ?? []) : [];
  const parser = LOCKFILE_PARSERS.find((p) => readers.includes(p.name) && (p.matches?.(body) ?? true));
  if (!parser) {
    const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
    throw new LockfileError('LOCKFILE_UNSUPPORTED', path, `no lockfile parser for ${base}`);
  }
  return { parser, body };
}

/** Parse a lockfile, importing only its format's parser (the scan's path: src/deps/stage.ts). */
export async function parseLockfileOnDemand(
  path: string,
  text: string,
  options: ParseOptions = {},
): Promise<ParsedLockfile> {
  const { parser, body } = selectLockfileParser(path, text);
  return (await loadLockfileParser(parser))(path, body, options);
}
