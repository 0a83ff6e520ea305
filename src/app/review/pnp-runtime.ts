import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import { locatorHash, locatorHashOf } from './cache-archives.js';
import { hashWorkingFiles } from './git.js';
import type { InstallFileChange } from './install-files.js';
import type { Snapshot } from './snapshot.js';
import { topLevelString, workTreeText, yarnFolder } from './yarn-settings.js';
import { listedWithMore } from '../../core/plural.js';

/** No real Plug'n'Play loader comes near this (a monorepo of thousands of packages writes a few MB). */
const MAX_PNP_BYTES = 64 * 1024 * 1024;

/** yarn's Plug'n'Play files: the CommonJS loader with the package map, and the ESM loader (code only). */
const PNP_FILES: ReadonlySet<string> = new Set(['.pnp.cjs', '.pnp.loader.mjs']);

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
 */
export async function pnpRuntimeFindings(req: PnpRequest): Promise<Finding[]> {
  const loaders = req.headPaths.filter((p) => PNP_FILES.has(base(p)) && !p.split('/').includes('node_modules'));
  if (loaders.length === 0) return [];
  const out: Finding[] = [];
  for (const p of loaders.sort()) {
    const before = req.base.entries.get(p);
    if (before === undefined) continue; // PnP turned on: the nodeLinker setting's change, not a rewritten loader
    const after = req.head?.entries.get(p);
    if (after?.oid === before.oid) continue;
    const [was, now] = await Promise.all([
      req.base.blobs.one(before.oid, MAX_PNP_BYTES).then((b) => b.toString('utf8')),
      after !== undefined
        ? req.base.blobs.one(after.oid, MAX_PNP_BYTES).then((b) => b.toString('utf8'))
        : workTreeText(req.dir, p, MAX_PNP_BYTES),
    ]).catch(() => [undefined, undefined]);
    if (was === undefined || now === undefined || was === now) continue;
    const code = codeOf(was).code;
    const headCode = codeOf(now);
    // A new yarn release may write new loader code; the package map is held to the cache either way.
    if (code === headCode.code || (await yarnReleaseMoved(req, p))) {
      const moved = movedMappings(p, was, now, req.headText);
      if (moved !== undefined) out.push(moved);
      continue;
    }
    out.push({
      ruleId: 'CPU036',
      message: `${p} changed outside its package map while the yarn release did not: one yarn release writes the same loader code for every dependency change, and node runs this file before any script yarn starts (yarn run, yarn node, node -r ./.pnp.cjs), with Zero-Installs without an install that would rewrite it. Restore it from the base revision (or run \`yarn install\`) and read the difference before merging.`,
      location: { path: p, line: firstDifference(code, headCode) },
      artifact: { kind: 'file', path: p },
      evidence: { before: before.oid, after: after?.oid ?? '(work tree)' },
    });
  }
  return out;
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
  was: string,
  now: string,
  headText: (p: string) => string | undefined,
): Finding | undefined {
  const readable = packageMap(was);
  const before = readable ?? new Map<string, Mapping>();
  const after = packageMap(now);
  const folder = path.posix.dirname(loader);
  // A loader without a map (`.pnp.loader.mjs`, a map kept in .pnp.data.json) has nothing to hold to the cache.
  if (after === undefined)
    return readable === undefined
      ? undefined
      : {
          ruleId: 'CPU036',
          message: `${loader}: its package map (RAW_RUNTIME_STATE) no longer reads as the JSON yarn writes, so where it loads each package from cannot be checked. Restore it from the base revision (or run \`yarn install\`) before merging.`,
          location: { path: loader, line: 1 },
          artifact: { kind: 'file', path: loader },
        };
  const cache = yarnFolder(headText, folder, 'cacheFolder', './.yarn/cache');
  const unplugged = yarnFolder(headText, folder, 'pnpUnpluggedFolder', './.yarn/unplugged');
  const wrong: string[] = [];
  for (const [key, m] of after) {
    if (!m.hard || before.get(key)?.location === m.location) continue;
    const at = resolveVirtual(path.posix.normalize(path.posix.join(folder, m.location)));
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
  }
  if (wrong.length === 0) return undefined;
  const listed = listedWithMore(wrong, NAMED);
  return {
    ruleId: 'CPU036',
    message: `${loader} now loads ${wrong.length === 1 ? 'a package' : `${wrong.length} packages`} from a folder that is not ${wrong.length === 1 ? 'its' : 'their'} archive in ${cache ?? 'the cache'} (${listed}): node runs the code found there whatever yarn.lock locks. Restore the loader from the base revision (or run \`yarn install\`) and read what the folder holds before merging.`,
    location: { path: loader, line: 1 },
    artifact: { kind: 'file', path: loader },
    evidence: { count: wrong.length, mappings: wrong.join(' ').slice(0, 400) },
  };
}

interface Mapping {
  readonly name: string;
  readonly reference: string;
  readonly location: string;
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

/** A virtual package's reference (`virtual:<hash>#npm:1.2.0`) is its original's after the `#`. */
const devirtualized = (reference: string) =>
  reference.startsWith('virtual:') && reference.includes('#') ? reference.slice(reference.indexOf('#') + 1) : reference;

/**
 * A path through a virtual folder as yarn's VirtualFS resolves it: `<dir>/__virtual__/<x>/<depth>/<rest>` is
 * `<dir>` up `depth` folders, then `<rest>`.
 */
function resolveVirtual(p: string): string {
  const m = /^(.*?)(?:^|\/)__virtual__\/[^/]+\/(\d+)\/(.*)$/.exec(p);
  if (m === null) return p;
  let dir = m[1] ?? '';
  for (let n = Number(m[2]); n > 0; n--) dir = dir === '' || dir === '.' ? '..' : path.posix.dirname(dir);
  return path.posix.normalize(path.posix.join(dir === '' ? '.' : dir, m[3] ?? ''));
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
