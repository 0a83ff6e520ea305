import { entryOf } from '../../discover/catalogue/index.js';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import { locatorHash, locatorHashOf, lockedEntries } from './cache-archives.js';
import { hashWorkingFiles } from './git.js';
import type { InstallFileChange } from './install-files.js';
import type { Snapshot } from './snapshot.js';
import { topLevelString, workTreeText, yarnFolder } from './yarn-settings.js';
import { listedWithMore } from '../../core/plural.js';
import { isLineTerminator } from '../../core/linear-text.js';

/** yarn's lockfile name (the catalogue's), which the map beside it is read against. */
const YARN_LOCK = entryOf('yarn-lockfile').names.basenames![0]!;

/** No real Plug'n'Play loader comes near this (a monorepo of thousands of packages writes a few MB). */
const MAX_PNP_BYTES = 64 * 1024 * 1024;

/** The file name of a package map kept apart from its loader (`Filename.pnpData`). */
const PNP_DATA = '.pnp.data.json';

/**
 * yarn's Plug'n'Play files: the CommonJS loader with the package map, the ESM loader (code only), and the package map
 * alone when `pnpEnableInlining: false` (plugin-pnp `generateSplitScript`: the loader's `$$SETUP_STATE` then reads
 * `.pnp.data.json` beside it, `JSON.parse(fs.readFileSync(…))`, instead of its RAW_RUNTIME_STATE literal).
 */
const PNP_FILES: ReadonlySet<string> = new Set(['.pnp.cjs', '.pnp.loader.mjs', PNP_DATA]);

/** A Plug'n'Play file yarn writes and node runs or reads (symlinked-inputs.ts watches them too). */
export function isPnpFile(p: string): boolean {
  return PNP_FILES.has(base(p)) && !p.split('/').includes('node_modules');
}

interface PnpRequest {
  readonly dir: string;
  readonly base: Snapshot;
  readonly head: Snapshot | undefined;
  readonly headPaths: readonly string[];
  readonly headText: (p: string) => string | undefined;
  /** The install inputs the change touched (package.json, .yarnrc.yml…), with both texts. */
  readonly changes: readonly InstallFileChange[];
}

/**
 * CPU036: a Plug'n'Play loader whose code, not its package map, the change rewrote while no yarn release changed.
 * `node -r ./.pnp.cjs` runs it before anything else, and yarn puts that `--require` into the NODE_OPTIONS of every
 * script and binary it starts (`yarn run`, `yarn node`, lifecycle scripts): with Zero-Installs nothing regenerates it
 * before it runs. yarn writes the file from its release's template (plugin-pnp `generateInlinedScript`: a header,
 * `const RAW_RUNTIME_STATE = '<the package map as JSON>';`, then the runtime), so one release writes the same code
 * for every dependency change and only the quoted state moves; `.pnp.loader.mjs` is the template alone. The state is a
 * string literal, data the runtime parses, so the comparison leaves it out and holds everything else to the base.
 * The package map, inlined or in `.pnp.data.json`, is held to the cache. A changed file this review cannot read
 * (over MAX_PNP_BYTES, not a regular file, a git object missing) is a finding too: node reads it all the same.
 */
export async function pnpRuntimeFindings(req: PnpRequest): Promise<Finding[]> {
  const loaders = req.headPaths.filter(isPnpFile);
  if (loaders.length === 0) return [];
  const out: Finding[] = [];
  for (const p of loaders.sort()) {
    const before = req.base.entries.get(p);
    // A loader new to the change (PnP turned on, Zero-Installs committed) has no code to compare with; its package
    // map, and a map new in .pnp.data.json, are still held to the cache.
    if (before === undefined && base(p) === '.pnp.loader.mjs') continue;
    const after = req.head?.entries.get(p);
    if (before !== undefined && after?.oid === before.oid) continue;
    if (req.head === undefined && (await isWorkTreeLink(req.dir, p))) continue; // symlinked-inputs.ts reports it
    const [was, now] = await Promise.all([
      before !== undefined ? readBlob(req.base, before.oid) : Promise.resolve(''),
      after !== undefined ? readBlob(req.base, after.oid) : workTreeText(req.dir, p, MAX_PNP_BYTES),
    ]);
    if (was === undefined || now === undefined) {
      out.push(unchecked(p, was === undefined ? 'base' : 'head', before?.oid, after?.oid));
      continue;
    }
    if (was === now) continue;
    if (base(p) === PNP_DATA || before === undefined) {
      const baseMap = base(p) === PNP_DATA ? (mapOfData(was) ?? (await inlinedMapBeside(req.base, p))) : undefined;
      out.push(...movedMappings(p, baseMap, now, req.headText, await lockedBeside(req, p)));
      continue;
    }
    const code = codeOf(was).code;
    const headCode = codeOf(now);
    // A new yarn release may write new loader code; the package map is held to the cache either way.
    if (code === headCode.code || (await yarnReleaseMoved(req, p))) {
      out.push(...movedMappings(p, packageMap(was), now, req.headText, await lockedBeside(req, p)));
      continue;
    }
    // `pnpEnableInlining` toggled: the same release's other setup block, the rest of the code unchanged. Split, the
    // map is .pnp.data.json's (judged as that file); inlined again, it is held to the base's .pnp.data.json.
    const toggled = setupToggled(code, headCode.code);
    if (toggled === 'split') {
      out.push(...(await unchangedDataMap(req, p, packageMap(was))));
      continue;
    }
    if (toggled === 'inline') {
      out.push(...movedMappings(p, await dataMapBeside(req.base, p), now, req.headText, await lockedBeside(req, p)));
      continue;
    }
    out.push({
      ruleId: 'CPU036',
      message: `${p} changed outside its package map while the yarn release did not: one yarn release writes the same loader code for every dependency change, and node runs this file before any script yarn starts (yarn run, yarn node, node -r ./.pnp.cjs), with Zero-Installs without an install that would rewrite it. Restore it from the base revision (or run \`yarn install\`) and read the difference before merging.`,
      location: { path: p, line: firstDifference(code, headCode) },
      artifact: { kind: 'file', path: p },
      evidence: { before: before?.oid ?? '', after: after?.oid ?? '(work tree)' },
    });
  }
  return out;
}

/** A blob as text; undefined when it cannot be read (over MAX_PNP_BYTES, missing from the clone). */
function readBlob(snap: Snapshot, oid: string): Promise<string | undefined> {
  return snap.blobs.one(oid, MAX_PNP_BYTES).then(
    (b) => b.toString('utf8'),
    () => undefined,
  );
}

async function isWorkTreeLink(root: string, rel: string): Promise<boolean> {
  return (await lstat(path.join(root, ...rel.split('/'))).catch(() => undefined))?.isSymbolicLink() === true;
}

/** CPU036: a Plug'n'Play file the change touched that could not be read, so neither its code nor its map was compared. */
function unchecked(p: string, side: 'base' | 'head', before?: string, after?: string): Finding {
  return {
    ruleId: 'CPU036',
    message: `${p} changed, and its ${side} version could not be read (over ${MAX_PNP_BYTES / 1024 / 1024} MiB, not a regular file, or missing from the clone), so what node loads through it was not compared: a real Plug'n'Play file is a few MB at most. Restore it from the base revision (or run \`yarn install\`) and read the difference before merging.`,
    location: { path: p, line: 1 },
    artifact: { kind: 'file', path: p },
    evidence: { unread: side, before: before ?? '', after: after ?? '(work tree)' },
  };
}

const base = (p: string) => path.posix.basename(p);

/**
 * A loader's code: the file with the package map's string literal (`RAW_RUNTIME_STATE = '…'`) cut out, with the line
 * the cut starts on and the line breaks it removed (to give a head line number).
 */
function codeOf(text: string): { code: string; cutLine: number; cutBreaks: number } {
  const m = /\bconst RAW_RUNTIME_STATE\s*=\s*'/.exec(text);
  if (m === null) return { code: text, cutLine: Infinity, cutBreaks: 0 };
  const from = m.index + m[0].length;
  // The literal ends at the first quote no backslash escapes (yarn escapes every quote and line end in the JSON).
  let to = from;
  while (to < text.length && text[to] !== "'") to += text[to] === '\\' ? 2 : 1;
  const breaks = (t: string) => t.split('\n').length - 1;
  return {
    code: text.slice(0, from) + text.slice(to),
    cutLine: breaks(text.slice(0, from)),
    cutBreaks: breaks(text.slice(from, to)),
  };
}

/**
 * The two `$$SETUP_STATE` blocks one yarn release writes (@yarnpkg/pnp generatePnpScript.ts: `generateInlinedSetup`
 * with `pnpEnableInlining: true`, the default, and `generateSplitSetup` with false), each followed by the same
 * runtime template (`generateLoader`). The inlined one as {@link codeOf} leaves it, its string literal cut out.
 * Older releases wrote other blocks (`require(dataLocation)`): a toggle there still reads as a code change.
 */
const INLINED_SETUP =
  "const RAW_RUNTIME_STATE =\n'';\n\n" +
  'function $$SETUP_STATE(hydrateRuntimeState, basePath) {\n' +
  '  return hydrateRuntimeState(JSON.parse(RAW_RUNTIME_STATE), {basePath: basePath || __dirname});\n' +
  '}\n';
const SPLIT_SETUP =
  'function $$SETUP_STATE(hydrateRuntimeState, basePath) {\n' +
  "  const fs = require('fs');\n" +
  "  const path = require('path');\n" +
  '  const pnpDataFilepath = path.resolve(__dirname, ".pnp.data.json");\n' +
  "  return hydrateRuntimeState(JSON.parse(fs.readFileSync(pnpDataFilepath, 'utf8')), {basePath: basePath || __dirname});\n" +
  '}\n';

/**
 * Whether the head loader's code is the base's with its setup block swapped for the other one, and nothing else
 * changed: `split` when the map moved out to .pnp.data.json, `inline` when it moved back in.
 */
function setupToggled(was: string, now: string): 'split' | 'inline' | undefined {
  const swaps = [
    [INLINED_SETUP, SPLIT_SETUP, 'split'],
    [SPLIT_SETUP, INLINED_SETUP, 'inline'],
  ] as const;
  for (const [from, to, kind] of swaps) {
    const at = was.indexOf(from);
    if (at >= 0 && now === was.slice(0, at) + to + was.slice(at + from.length)) return kind;
  }
  return undefined;
}

/**
 * A loader turned split reads the .pnp.data.json beside it. When the change did not touch that file (an old one the
 * base kept beside its inlined loader), nothing above judges it: its map is held to the one the loader had inlined.
 */
async function unchangedDataMap(req: PnpRequest, loader: string, inlined: Map<string, Mapping> | undefined) {
  const dataPath = path.posix.join(path.posix.dirname(loader), PNP_DATA);
  const before = req.base.entries.get(dataPath);
  if (req.head === undefined || before === undefined || req.head.entries.get(dataPath)?.oid !== before.oid) return [];
  const text = await readBlob(req.base, before.oid);
  if (text === undefined) return [unchecked(dataPath, 'base', before.oid, before.oid)];
  return movedMappings(dataPath, inlined, text, req.headText, await lockedBeside(req, dataPath));
}

/** The map of the base's .pnp.data.json beside a loader, when the change moved it back into the loader. */
async function dataMapBeside(snap: Snapshot, loader: string): Promise<Map<string, Mapping> | undefined> {
  const data = snap.entries.get(path.posix.join(path.posix.dirname(loader), PNP_DATA));
  const text = data !== undefined ? await readBlob(snap, data.oid) : undefined;
  return text !== undefined ? mapOfData(text) : undefined;
}

/** 1-based head line of the first line of code that differs. */
function firstDifference(was: string, now: { code: string; cutLine: number; cutBreaks: number }): number {
  const a = was.split('\n');
  const b = now.code.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i + 1 + (i > now.cutLine ? now.cutBreaks : 0);
}

/** At most this many package mappings are named in a message; the evidence carries the count. */
const NAMED = 5;

/**
 * CPU036 for the package map: a package the head loader now maps to a folder that is not its own archive in the
 * cache (or its unplugged copy). The runtime (`makeApi` → `getPackageInformation`) loads a package from whatever
 * `packageLocation` says: pointed at `./vendor/left-pad/`, `require("left-pad")` ran the code committed there while
 * the archive, the lockfile and the loader's code were unchanged. yarn writes each location from the locator:
 * `<cacheFolder>/<slug>-<locatorHash:10>-….zip/node_modules/<name>/` (through `.yarn/__virtual__/<x>/<depth>/` for a
 * package with peers) or `<pnpUnpluggedFolder>/<slug>-<locatorHash:10>/node_modules/<name>/`. Only mappings the
 * change moved or added are judged.
 */
function movedMappings(
  loader: string,
  readable: Map<string, Mapping> | undefined,
  now: string,
  headText: (p: string) => string | undefined,
  locked: ReadonlySet<string> | undefined,
): Finding[] {
  const before = readable ?? new Map<string, Mapping>();
  const after = base(loader) === PNP_DATA ? mapOfData(now) : packageMap(now);
  const folder = path.posix.dirname(loader);
  // A loader without a map (`.pnp.loader.mjs`, one that reads .pnp.data.json) has nothing to hold to the cache.
  if (after === undefined)
    return readable === undefined
      ? []
      : [
          {
            ruleId: 'CPU036',
            message: `${loader}: its package map (${base(loader) === PNP_DATA ? 'the file' : 'RAW_RUNTIME_STATE'}) no longer reads as the JSON yarn writes, so where it loads each package from cannot be checked. Restore it from the base revision (or run \`yarn install\`) before merging.`,
            location: { path: loader, line: 1 },
            artifact: { kind: 'file', path: loader },
          },
        ];
  const cache = yarnFolder(headText, folder, 'cacheFolder', './.yarn/cache');
  const unplugged = yarnFolder(headText, folder, 'pnpUnpluggedFolder', './.yarn/unplugged');
  const wrong: string[] = [];
  const unlocked: string[] = [];
  for (const [key, m] of after) {
    if (before.get(key)?.location === m.location) continue;
    const at = resolveVirtual(path.posix.normalize(path.posix.join(folder, m.location)));
    const soft = softTarget(m.reference);
    if (!m.hard && soft !== undefined) {
      // A workspace is its own folder; a link or portal names a folder of the project by design (package.json says so).
      if (soft !== 'workspace' || bare(at) === bare(path.posix.join(folder, workspaceOf(m.reference)))) continue;
      wrong.push(`${m.name}@${m.reference} → ${m.location}`);
      continue;
    }
    // Outside the repository: yarn's global cache on the machine that installed; no change can put files there.
    if (at === '..' || at.startsWith('../')) continue;
    const hash = locatorHash(`${m.name}@${devirtualized(m.reference)}`).slice(0, 10);
    const tail = `/node_modules/${m.name}/`;
    const inside = (root: string | undefined, ok: (segment: string) => boolean) => {
      if (root === undefined || !at.startsWith(`${root}/`)) return false;
      const rest = at.slice(root.length + 1);
      const slash = rest.indexOf('/');
      return slash > 0 && ok(rest.slice(0, slash)) && `${rest.slice(slash)}/`.replace(/\/+$/, '/') === tail;
    };
    const own =
      inside(cache, (zip) => zip.endsWith('.zip') && locatorHashOf(zip) === hash) ||
      inside(unplugged, (dir) => dir.endsWith(`-${hash}`));
    if (!own) wrong.push(`${m.name}@${m.reference} → ${m.location}`);
    else if (locked !== undefined && !locked.has(hash)) unlocked.push(`${m.name}@${devirtualized(m.reference)}`);
  }
  return [
    ...(wrong.length > 0 ? [elsewhere(loader, wrong, cache)] : []),
    ...(unlocked.length > 0 ? [notLocked(loader, unlocked)] : []),
  ];
}

function elsewhere(loader: string, wrong: readonly string[], cache: string | undefined): Finding {
  const listed = listedWithMore(wrong, NAMED);
  return {
    ruleId: 'CPU036',
    message: `${loader} now loads ${wrong.length === 1 ? 'a package' : `${wrong.length} packages`} from a folder that is not ${wrong.length === 1 ? 'its' : 'their'} archive in ${cache ?? 'the cache'} (${listed}): node runs the code found there whatever yarn.lock locks. Restore the loader from the base revision (or run \`yarn install\`) and read what the folder holds before merging.`,
    location: { path: loader, line: 1 },
    artifact: { kind: 'file', path: loader },
    evidence: { count: wrong.length, mappings: wrong.join(' ').slice(0, 400) },
    // One cause in the loader's one map string (its mappings have no line of their own): an empty list keeps the
    // count and the names out of the fingerprint, so a later push that moves another package keeps the alert.
    related: [],
  };
}

/**
 * CPU036: a package the map now loads from its own archive, but which the yarn.lock beside the loader does not lock.
 * `require` follows the map (a dependency re-pointed at it, `packageDependencies`), and with Zero-Installs no install
 * runs to check the archive against a checksum or to drop it: the archive's code runs though no lockfile names it.
 */
function notLocked(loader: string, unlocked: readonly string[]): Finding {
  const lockfile = path.posix.join(path.posix.dirname(loader), YARN_LOCK);
  return {
    ruleId: 'CPU036',
    message: `${loader} now maps ${unlocked.length === 1 ? 'a package' : `${unlocked.length} packages`} that ${lockfile} does not lock (${listedWithMore(unlocked, NAMED)}): node loads ${unlocked.length === 1 ? 'it' : 'them'} from the committed cache with no checksum yarn.lock records. Restore the loader from the base revision (or run \`yarn install\`) and find where the package comes from before merging.`,
    location: { path: loader, line: 1 },
    artifact: { kind: 'file', path: loader },
    evidence: { count: unlocked.length, packages: unlocked.join(' ').slice(0, 400), lockfile },
    // As in elsewhere(): the count and the names stay out of the fingerprint.
    related: [],
  };
}

/**
 * The locator hashes (10 characters, as in cache file names) of what the head yarn.lock beside a loader locks;
 * undefined without a readable one (the lockfile review reports that), so nothing is judged unlocked for want of it.
 */
async function lockedBeside(req: PnpRequest, loader: string): Promise<Set<string> | undefined> {
  const lockfile = path.posix.join(path.posix.dirname(loader), YARN_LOCK);
  const entries = await lockedEntries(req.head?.root ?? req.dir, lockfile);
  return entries.length > 0 ? new Set(entries.map((e) => locatorHash(e.resolution).slice(0, 10))) : undefined;
}

interface Mapping {
  readonly name: string;
  readonly reference: string;
  readonly location: string;
  /** `linkType: HARD` (an archive or its unplugged copy); SOFT is a folder of the project. */
  readonly hard: boolean;
}

/**
 * The package map of a loader, by `name@reference`: the string literal unescaped as JavaScript reads it (yarn writes
 * the JSON with `\\` + line end between lines and escaped quotes and backslashes) and parsed; undefined when it is
 * not there or not JSON of yarn's shape.
 */
function packageMap(text: string): Map<string, Mapping> | undefined {
  const m = /\bconst RAW_RUNTIME_STATE\s*=\s*'/.exec(text);
  if (m === null) return undefined;
  let json = '';
  let i = m.index + m[0].length;
  for (; i < text.length && text[i] !== "'"; i++) {
    if (text[i] !== '\\') json += text[i];
    else {
      const next = text[++i];
      if (next === '\n') continue;
      json += next === 'n' ? '\n' : next === 't' ? '\t' : (next ?? '');
    }
  }
  return mapOfData(json);
}

/** The package map of yarn's serialized state (`generateSerializedState`), as JSON text; undefined when not of its shape. */
function mapOfData(json: string): Map<string, Mapping> | undefined {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return undefined;
  }
  const registry = (data as { packageRegistryData?: unknown } | null)?.packageRegistryData;
  if (!Array.isArray(registry)) return undefined;
  const out = new Map<string, Mapping>();
  for (const pkg of registry) {
    if (!Array.isArray(pkg) || typeof pkg[0] !== 'string' || !Array.isArray(pkg[1])) continue;
    for (const version of pkg[1] as unknown[]) {
      if (!Array.isArray(version) || typeof version[0] !== 'string') continue;
      const info = version[1] as { packageLocation?: unknown; linkType?: unknown } | undefined;
      if (typeof info?.packageLocation !== 'string') continue;
      out.set(`${pkg[0]}@${version[0]}`, {
        name: pkg[0],
        reference: version[0],
        location: info.packageLocation,
        hard: info.linkType === 'HARD',
      });
    }
  }
  return out;
}

/** The map the base loader beside a `.pnp.data.json` inlined, when the change moved it out of the loader. */
async function inlinedMapBeside(snap: Snapshot, data: string): Promise<Map<string, Mapping> | undefined> {
  const loader = snap.entries.get(path.posix.join(path.posix.dirname(data), '.pnp.cjs'));
  const text = loader !== undefined ? await readBlob(snap, loader.oid) : undefined;
  return text !== undefined ? packageMap(text) : undefined;
}

/**
 * The protocol of a reference yarn links SOFT (a folder of the project, not an archive): `workspace:`, `portal:`,
 * `link:`. Any other reference (`npm:`, `patch:`, a git or tarball URL) is an archive yarn fetched into its cache,
 * whatever `linkType` the map claims: the runtime (`makeApi` → `getPackageInformation`) loads from `packageLocation`
 * either way, so a SOFT flag does not excuse a registry package mapped to a vendored folder.
 */
function softTarget(reference: string): 'workspace' | 'portal' | 'link' | undefined {
  const m = /^(workspace|portal|link):/.exec(devirtualized(reference));
  return m ? (m[1] as 'workspace' | 'portal' | 'link') : undefined;
}

/** A repo-relative folder without its trailing slash, `.` for the root. */
const bare = (p: string) => path.posix.normalize(p).replace(/\/+$/, '') || '.';

/** A workspace reference's folder, relative to the project: `workspace:packages/a` → `packages/a`. */
const workspaceOf = (reference: string) => devirtualized(reference).slice('workspace:'.length);

/** A virtual package's reference (`virtual:<hash>#npm:1.2.0`) is its original's after the `#`. */
const devirtualized = (reference: string) =>
  reference.startsWith('virtual:') && reference.includes('#') ? reference.slice(reference.indexOf('#') + 1) : reference;

/**
 * A path through a virtual folder as yarn's VirtualFS resolves it: `<dir>/__virtual__/<x>/<depth>/<rest>` is
 * `<dir>` up `depth` folders, then `<rest>`.
 */
function resolveVirtual(p: string): string {
  const m = virtualParts(p);
  if (m === undefined) return p;
  let dir = m[0];
  for (let n = Number(m[1]); n > 0; n--) dir = dir === '' || dir === '.' ? '..' : path.posix.dirname(dir);
  return path.posix.normalize(path.posix.join(dir === '' ? '.' : dir, m[2]));
}

/**
 * `/^(.*?)(?:^|\/)__virtual__\/[^/]+\/(\d+)\/(.*)$/.exec(p)?.slice(1)`: the folder before the first virtual segment
 * that has a depth, the depth, and the rest. The expression read the rest of the path from every `__virtual__/` when
 * a line break kept `.*` from the end (quadratic: a 270 KB `packageLocation` took seconds, a megabyte minutes). The
 * parts around the segment are `.` runs: the first can't pass the first line terminator, the rest not the last.
 */
export function virtualParts(p: string): [string, string, string] | undefined {
  let first = 0;
  while (first < p.length && !isLineTerminator(p.charCodeAt(first))) first++;
  let last = p.length - 1;
  while (last >= 0 && !isLineTerminator(p.charCodeAt(last))) last--;
  const isDigit = (i: number) => i < p.length && p.charCodeAt(i) >= 48 && p.charCodeAt(i) <= 57;
  const mark = '__virtual__/';
  for (let at = p.indexOf(mark); at >= 0; at = p.indexOf(mark, at + 1)) {
    const prefixEnd = at === 0 ? 0 : at - 1;
    if (prefixEnd > first) break;
    if (at > 0 && p[at - 1] !== '/') continue;
    const slash = p.indexOf('/', at + mark.length);
    if (slash <= at + mark.length) continue;
    let end = slash + 1;
    while (isDigit(end)) end++;
    if (end === slash + 1 || p[end] !== '/' || end + 1 <= last) continue;
    return [p.slice(0, prefixEnd), p.slice(slash + 1, end), p.slice(end + 1)];
  }
  return undefined;
}

/**
 * Whether the change moved the yarn release that writes this loader: the `packageManager` of a package.json or the
 * `yarnPath` of a .yarnrc.yml in its folder or above, or the file that yarnPath names.
 */
async function yarnReleaseMoved(req: PnpRequest, loader: string): Promise<boolean> {
  const folder = loader.includes('/') ? loader.slice(0, loader.lastIndexOf('/') + 1) : '';
  const above = (p: string) => folder.startsWith(p.slice(0, p.lastIndexOf('/') + 1));
  for (const c of req.changes) {
    if (!above(c.path)) continue;
    if (
      base(c.path) === 'package.json' &&
      topLevelString(c.base, 'packageManager', true) !== topLevelString(c.head, 'packageManager', true)
    )
      return true;
    if (base(c.path) === '.yarnrc.yml' && topLevelString(c.base, 'yarnPath') !== topLevelString(c.head, 'yarnPath'))
      return true;
  }
  for (const rc of req.headPaths.filter((p) => base(p) === '.yarnrc.yml' && above(p))) {
    const named = topLevelString(req.headText(rc), 'yarnPath');
    if (named === undefined) continue;
    const release = path.posix.normalize(path.posix.join(path.posix.dirname(rc), named));
    const was = req.base.entries.get(release)?.oid;
    const now = req.head
      ? req.head.entries.get(release)?.oid
      : (await hashWorkingFiles(req.dir, [release]).catch(() => new Map<string, string>())).get(release);
    if (was !== now) return true;
  }
  return false;
}
