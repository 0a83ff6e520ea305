import type { DraftEdge, DraftImporter, DraftNode, EdgeKind, Manifest, ParsedLockfile } from '../types.js';
import { LockfileError, splitDescriptor, str, strMap } from '../types.js';
import { classifyResolved, classifySpec } from '../source.js';
import { DEP_FIELDS, parseAlias } from './npm-common.js';
import { readYarnV1, YarnSyntaxError, type YarnScalar, type YarnV1Sink } from './yarn-v1-syntax.js';
import { MAX_YAML_LOCKFILE, readYarnYaml } from './yarn-v1-yaml.js';
import { Entry, EntryCollector, PlainValue, type DepList } from './yarn-classic-entries.js';

/**
 * yarn.lock v1 (yarn classic), read with yarn 1's grammar in linear time (yarn-v1-syntax.ts) straight into the
 * fields each entry needs (yarn-classic-entries.ts). One entry can carry several descriptors
 * (`a@^1.0.0, a@^1.2.0:`); they share one object, so entries are counted by identity. A file yarn's grammar
 * rejects is read as YAML, as yarn 1 falls back to (`readEntries`), and a key whose value names another pattern
 * shares that pattern's entry (`PointedEntries`).
 * Root dependencies are not in the file: they come from the package.json files when given.
 */
export function parseYarnClassic(
  file: string,
  text: string,
  manifests: Readonly<Record<string, Manifest>> | undefined,
): ParsedLockfile {
  const variants = hasMergeConflicts(text) ? conflictVariants(text) : undefined;
  let collected = new EntryCollector();
  let readAsYaml: ParsedLockfile['readAsYaml'];
  let reading: Variant | undefined;
  try {
    if (variants === undefined) ({ collected, readAsYaml } = readEntries(text, undefined));
    // Object.assign({}, parse(ours), parse(theirs)): keys in first-seen order, each with the later side's entry.
    else
      for (reading of variants.sides) {
        const side = readEntries(reading.text, reading.lines);
        collected.assign(side.collected);
        readAsYaml ??= side.readAsYaml;
      }
  } catch (err) {
    if (!(err instanceof YarnSyntaxError)) throw err;
    // A side yarn's parser throws on makes parseWithConflict return an empty lockfile: everything resolves afresh.
    // The error's line is given with the finding, mapped to the file's for a conflict side.
    const reason = withoutLine(err);
    const why =
      variants === undefined
        ? `not a valid yarn.lock v1: ${reason}`
        : `contains merge-conflict markers, and one side is not a valid yarn.lock v1 (${reason}); where yarn 1's parser throws, it ignores the whole lockfile (parseWithConflict) and resolves every dependency afresh`;
    const line = reading === undefined ? err.line : (reading.lines[err.line - 1] ?? err.line);
    throw new LockfileError('LOCKFILE_SYNTAX', file, why, line, { cause: err });
  }
  const metadata = collected.keys.get('__metadata');
  // parsers/index.ts sends a file with a `__metadata` line to the berry parser; this one wrote the key otherwise.
  if (metadata !== undefined)
    throw new LockfileError(
      'LOCKFILE_SHAPE',
      file,
      'has a top-level __metadata key in a form berry does not write: yarn 1 ignores such a lockfile (Lockfile.fromDirectory) and yarn berry reads it as its own, so it is read as neither',
      metadata.line,
    );
  const byDescriptor = new Map<string, number>();
  const groups: Entry[] = [];
  const pointers: string[] = [];
  for (const [descriptor, value] of collected.ordered()) {
    if (!(value instanceof Entry)) {
      pointers.push(descriptor);
      continue;
    }
    if (value.index < 0) {
      value.index = groups.length;
      value.first = descriptor;
      groups.push(value);
    } else (value.more ??= []).push(descriptor);
    byDescriptor.set(descriptor, value.index);
  }
  // A descriptor pointing at another pattern's entry is one more descriptor of that entry, as yarn installs it.
  const pointed = new PointedEntries(file, collected.keys);
  for (const descriptor of pointers) {
    const entry = pointed.of(descriptor);
    if (entry === undefined) continue;
    (entry.more ??= []).push(descriptor);
    byDescriptor.set(descriptor, entry.index);
  }
  const nodes = toDraftNodes(groups, byDescriptor);

  const importers = importersFrom(manifests, byDescriptor, nodes);
  return {
    kind: 'yarn-classic',
    formatVersion: '1',
    nodes,
    importers,
    ...(manifests && Object.keys(manifests).length > 0 ? {} : { importersInferred: true as const }),
    ...(collected.duplicates.length > 0 ? { duplicateKeys: collected.duplicates } : {}),
    ...(variants !== undefined ? { mergeConflictLine: variants.start } : {}),
    ...(readAsYaml !== undefined ? { readAsYaml } : {}),
    resolveDeclared: (_importer, name, spec) => {
      const hit = byDescriptor.get(`${name}@${spec}`);
      if (hit !== undefined) return hit;
      // yarn rewrites some specs (git shorthands, tags); only a plain registry range must match verbatim.
      return classifySpec(spec) === 'registry' && !/^[a-z]/i.test(spec) ? undefined : 'unknown';
    },
  };
}

/**
 * yarn 1's `parse` (src/lockfile/parse.js), for a whole file or one side of a conflict (`lines`: the file's line of
 * each of the side's): its own grammar, and where that throws, the text again as YAML (yarn-v1-yaml.ts), saying
 * where and why the grammar stopped; when both fail, the grammar's error, as yarn throws it. Each reading fills its
 * own collector, so nothing the failed one read is kept.
 */
function readEntries(
  text: string,
  lines: readonly number[] | undefined,
): { collected: EntryCollector; readAsYaml?: ParsedLockfile['readAsYaml'] } {
  const sinkOf = (c: EntryCollector): YarnV1Sink => (lines === undefined ? c : new LineMapped(c, lines));
  const collected = new EntryCollector();
  try {
    readYarnV1(text, sinkOf(collected));
    return { collected };
  } catch (err) {
    if (!(err instanceof YarnSyntaxError)) throw err;
    if (text.length > MAX_YAML_LOCKFILE)
      throw new YarnSyntaxError(
        `${withoutLine(err)}; yarn 1 would then read the file as YAML, not done here past ${MAX_YAML_LOCKFILE} characters`,
        err.line,
      );
    const again = new EntryCollector();
    if (!readYarnYaml(text, sinkOf(again))) throw err;
    return { collected: again, readAsYaml: { line: lines?.[err.line - 1] ?? err.line, reason: withoutLine(err) } };
  }
}

/** A YarnSyntaxError's message without its `(line n)`, which the finding gives as its location. */
const withoutLine = (err: YarnSyntaxError): string => err.message.replace(/ \(line \d+\)$/, '');

/**
 * yarn 1's `Lockfile.getLocked`: a top-level key whose value is a string uses the entry of the pattern that string
 * names, followed from pointer to pointer. A pattern with no entry, or a `false` / `0` value, leaves the descriptor
 * unlocked: yarn resolves it on the registry, `--frozen-lockfile` included (yarn 1.22.22, checked). A loop recurses
 * until yarn's stack overflows, and any other value makes `explodeEntry` throw: no install can read such a file.
 * Each key is followed once (`memo`), so a long chain of pointers costs its length, not its square.
 */
class PointedEntries {
  private readonly memo = new Map<string, Entry | undefined>();

  constructor(
    private readonly file: string,
    private readonly keys: ReadonlyMap<string, Entry | PlainValue>,
  ) {}

  of(descriptor: string): Entry | undefined {
    const path: string[] = [];
    const onPath = new Set<string>();
    let key = descriptor;
    let found: Entry | undefined;
    for (;;) {
      if (this.memo.has(key)) {
        found = this.memo.get(key);
        break;
      }
      const value = this.keys.get(key);
      if (!(value instanceof PlainValue)) {
        found = value;
        break;
      }
      if (onPath.has(key)) throw this.refused(descriptor, 'points at itself through a loop of patterns', value);
      path.push(key);
      onPath.add(key);
      if (value.value === false || value.value === 0) break;
      if (typeof value.value !== 'string')
        throw this.refused(key, `is ${String(value.value)}, no map of fields`, value);
      key = value.value;
    }
    for (const k of path) this.memo.set(k, found);
    return found;
  }

  private refused(descriptor: string, why: string, at: PlainValue): LockfileError {
    return new LockfileError(
      'LOCKFILE_SHAPE',
      this.file,
      `entry ${JSON.stringify(descriptor.slice(0, 200))} ${why}: yarn 1 fails on it (Lockfile.getLocked), so no install reads this lockfile`,
      at.line,
    );
  }
}

/**
 * Entries in order as draft nodes; names and ranges repeat across 175k entries, so each is kept once.
 *
 * Kept strings stay V8 slices of the lockfile text, which keeps the text alive as long as the graph: descriptors,
 * `resolved` and `integrity` are about 70 % of a yarn.lock's bytes, so copying them out costs more than the text
 * (measured on the 50 MB bench file: 169 MiB retained with copies made by concatenation, 132 MiB with slices, and
 * 0.8 s more CPU).
 */
function toDraftNodes(groups: readonly Entry[], byDescriptor: ReadonlyMap<string, number>): DraftNode[] {
  const interned = new Map<string, string>();
  const intern = (s: string): string => {
    const kept = interned.get(s);
    if (kept !== undefined) return kept;
    interned.set(s, s);
    return s;
  };
  return groups.map((entry) => toDraftNode(entry, byDescriptor, intern));
}

function toDraftNode(
  entry: Entry,
  byDescriptor: ReadonlyMap<string, number>,
  intern: (s: string) => string,
): DraftNode {
  const first = entry.first!;
  const [keyName, range] = splitDescriptor(first);
  // yarn 1 applies a `resolutions` alias (`"lodash": "npm:evil-lodash@1.0.0"`) by adding its pattern to the entry
  // the original ranges share (PackageResolver's resolution map; written `lodash@^4.17.21, "lodash@npm:evil-lodash@1.0.0"`):
  // the entry holds the aliased package even when its first descriptor is a plain range.
  const alias = parseAlias(range) ?? aliasOfMore(keyName, entry.more);
  const version = str(entry.version) ?? '';
  const rawResolved = str(entry.resolved);
  // Classified once: it parses the URL, and a 50 MB lockfile has 175k entries.
  const resolvedSource =
    rawResolved !== undefined && isPlainRegistryTarball(rawResolved) ? 'registry' : yarnResolvedSource(rawResolved);
  const gitLike = resolvedSource === 'git';
  const { resolved, sha1 } = splitFragment(rawResolved, gitLike);
  const rawIntegrity = str(entry.integrity);
  const integrity =
    rawIntegrity !== undefined
      ? rawIntegrity
      : sha1 !== undefined
        ? `sha1-${Buffer.from(sha1, 'hex').toString('base64')}`
        : undefined;
  const edges: DraftEdge[] = [];
  const addEdges = (deps: DepList | undefined, kind: EdgeKind) =>
    deps?.forEach((name, spec) =>
      edges.push({ name: intern(name), spec: intern(spec), kind, target: byDescriptor.get(`${name}@${spec}`) }),
    );
  addEdges(entry.dependencies, 'prod');
  addEdges(entry.optionalDependencies, 'optional');
  return {
    name: intern(alias ? alias[0] : keyName),
    version,
    key: entry.more ? [first, ...entry.more].join(', ') : first,
    line: entry.line,
    ...(rawResolved !== undefined ? { resolved: gitLike ? rawResolved : resolved! } : {}),
    ...(integrity !== undefined ? { integrity } : {}),
    source: resolvedSource ?? classifySpec(alias ? alias[1] : range),
    ...(alias ? { alias: keyName } : {}),
    edges,
  };
}

/** The `npm:other@…` target of a later descriptor of the same name, as a resolution alias writes it. */
function aliasOfMore(keyName: string, more: readonly string[] | undefined): [string, string] | undefined {
  for (const d of more ?? []) {
    const [name, range] = splitDescriptor(d);
    const alias = name === keyName ? parseAlias(range) : undefined;
    if (alias !== undefined) return alias;
  }
  return undefined;
}

function importersFrom(
  manifests: Readonly<Record<string, Manifest>> | undefined,
  byDescriptor: ReadonlyMap<string, number>,
  nodes: readonly DraftNode[],
): DraftImporter[] {
  if (manifests && Object.keys(manifests).length > 0) {
    return Object.entries(manifests).map(([path, m]) => {
      const declared: Record<string, string> = {};
      const edges: DraftEdge[] = [];
      for (const [field, kind] of DEP_FIELDS as (readonly [string, EdgeKind])[]) {
        for (const [name, spec] of Object.entries(strMap((m as Record<string, unknown>)[field]))) {
          if (!(name in declared)) declared[name] = spec;
          edges.push({ name, spec, kind, target: byDescriptor.get(`${name}@${spec}`) });
        }
      }
      return { path, declared, edges };
    });
  }
  // Without package.json: entries nothing else depends on are the roots.
  const required = new Set<number>();
  for (const n of nodes) for (const e of n.edges) if (e.target !== undefined) required.add(e.target);
  const edges: DraftEdge[] = [];
  nodes.forEach((n, i) => {
    if (!required.has(i)) edges.push({ name: n.alias ?? n.name, spec: n.version, kind: 'prod', target: i });
  });
  return [{ path: '', declared: {}, edges }];
}

/**
 * `https://registry.yarnpkg.com/<name>/-/<file>.tgz`, in characters the WHATWG URL parser keeps as they are (no
 * percent sign, no dot segment): what `classifyResolved` calls 'registry' for such a URL, without building a URL
 * object for each of 175k entries. Anything else takes the full path.
 */
const PLAIN_REGISTRY_TARBALL =
  /^https:\/\/registry\.(yarnpkg\.com|npmjs\.org)\/(@[\w~-][\w.~-]*\/)?[\w~-][\w.~-]*\/-\/[\w~-][\w.~-]*\.tgz(#[0-9a-f]*)?$/;
const isPlainRegistryTarball = (resolved: string): boolean => PLAIN_REGISTRY_TARBALL.test(resolved);

/**
 * yarn 1's TarballFetcher `_fetch` ("legacy support for local paths in yarn.lock entries"): a `resolved` without a
 * protocol whose path starts with `/`, `./`, `../` or `\`, or whose protocol is one letter (a drive), is read from the
 * disk with `fetchFromLocal`, relative to the project, and only checked against the entry's integrity. Such an entry
 * installs a local tarball, not a registry package: 'file', which local-paths.ts follows out of the repository.
 * Any other value without a protocol goes to `fetchFromExternal`, whose `NpmRegistry.request` → `getRequestUrl`
 * resolves it against the package's registry (`url.resolve(registry + '/', path)`): a download from the registry at
 * that path, 'registry' — checks/sources.ts reads the package it names there. With yarn 1.22.22 and a loopback
 * registry, `resolved "evil/-/evil-1.0.0.tgz"` on a left-pad entry installed evil as left-pad.
 */
function yarnResolvedSource(resolved: string | undefined): ReturnType<typeof classifyResolved> {
  const source = classifyResolved(resolved);
  if (source !== 'unknown' || resolved === undefined) return source;
  if (/^(?:\.{1,2})?[\\/]|^[a-z]:/i.test(resolved)) return 'file';
  return /^[a-z][a-z0-9+.-]*:/i.test(resolved) ? source : 'registry';
}

/**
 * yarn 1 appends the tarball's sha1 as a URL fragment: `…/a-1.0.0.tgz#<40 hex>`. For git sources the fragment is
 * the commit, part of the identity: kept.
 */
function splitFragment(resolved: string | undefined, gitLike: boolean): { resolved?: string; sha1?: string } {
  if (resolved === undefined) return {};
  const hash = resolved.indexOf('#');
  if (hash < 0) return { resolved };
  const frag = resolved.slice(hash + 1);
  return /^[0-9a-f]{40}$/i.test(frag) && !gitLike ? { resolved: resolved.slice(0, hash), sha1: frag } : { resolved };
}

/** yarn 1's lockfile `hasMergeConflicts`: all three markers anywhere in the text. */
function hasMergeConflicts(text: string): boolean {
  return text.includes('<<<<<<<') && text.includes('=======') && text.includes('>>>>>>>');
}

/** One side of a conflicted yarn.lock: its text and, for each of its lines, the file's line. */
interface Variant {
  readonly text: string;
  readonly lines: readonly number[];
}

/**
 * yarn 1's `extractConflictVariants` (src/lockfile/parse.js), keeping where each line came from: outside a conflict a
 * line goes to both sides; after `<<<<<<<` lines go to the first side up to a line that is exactly `=======` (from a
 * `|||||||` ancestor section on, nowhere), then to the second side up to a line starting `>>>>>>>`. Lines split on
 * `\r?\n` and joined with `\n`, as yarn does. `start` is the line of the first `<<<<<<<`.
 */
function conflictVariants(text: string): { start: number; sides: readonly Variant[] } {
  const texts: [string[], string[]] = [[], []];
  const lines: [number[], number[]] = [[], []];
  const push = (side: 0 | 1, i: number) => {
    texts[side].push(all[i]!);
    lines[side].push(i + 1);
  };
  const all = text.split(/\r?\n/);
  let start = 0;
  for (let i = 0; i < all.length; i++) {
    if (!all[i]!.startsWith('<<<<<<<')) {
      push(0, i);
      push(1, i);
      continue;
    }
    if (start === 0) start = i + 1;
    let skip = false;
    for (i++; i < all.length && all[i] !== '======='; i++) {
      skip ||= all[i]!.startsWith('|||||||');
      if (!skip) push(0, i);
    }
    for (i++; i < all.length && !all[i]!.startsWith('>>>>>>>'); i++) push(1, i);
  }
  return {
    start,
    sides: [0, 1].map((k) => ({ text: texts[k as 0 | 1].join('\n'), lines: lines[k as 0 | 1] })),
  };
}

/** A sink that reports each assignment at the conflicted file's line instead of the side's. */
class LineMapped implements YarnV1Sink {
  constructor(
    private readonly sink: YarnV1Sink,
    private readonly lines: readonly number[],
  ) {}

  private at(line: number): number {
    return this.lines[line - 1] ?? line;
  }

  value(depth: number, keys: readonly string[], value: YarnScalar, line: number): void {
    this.sink.value(depth, keys, value, this.at(line));
  }

  open(depth: number, keys: readonly string[], line: number): void {
    this.sink.open(depth, keys, this.at(line));
  }
}
