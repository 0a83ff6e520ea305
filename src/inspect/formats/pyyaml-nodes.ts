import type { Document, Node, Pair, YAMLMap } from 'yaml';
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, visit } from 'yaml';
import type { Level } from '../../core/finding.js';
import { listedWithMore } from '../../core/plural.js';
import { deepYamlMessage, MAX_YAML_DEPTH, parseShallowYaml, type DeepYaml } from '../../core/yaml-depth.js';
import type { Findings } from './report.js';
import { FormatError } from './source.js';

/** Pairs one lookup may gather through merge keys; PyYAML would build the same lists, so past this it is a bomb. */
const MAX_MERGED_PAIRS = 100_000;
/** Merge keys followed into merge keys at most this deep (a recursive anchor makes PyYAML itself fail). */
const MAX_MERGE_DEPTH = 64;

/**
 * Read a YAML document the way PyYAML's `yaml.safe_load` resolves it, without building it: the `yaml` package reads
 * YAML 1.2, where `<<` is an ordinary key, and hands back an alias as an `Alias` node. PyYAML (YAML 1.1) composes an
 * alias as the anchored node itself, `SafeConstructor.flatten_mapping` puts the pairs of a `<<` map (or of each map in
 * a `<<` sequence, the first one winning) before the map's own pairs, and `construct_mapping` lets the last pair of a
 * key win. So `loader_module: *x`, `<<: *defaults` and a repeated key all mean what they mean to the loader.
 * Parse the document with `uniqueKeys: false` to keep repeated keys.
 */
export class PyYamlView {
  private readonly flattened = new WeakMap<YAMLMap, readonly Pair[]>();
  private pairs = 0;

  constructor(private readonly doc: Document) {}

  /** The node an alias stands for (the node itself otherwise). */
  deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  /** The value PyYAML's dict would hold for `key` in the mapping `node`, or undefined. */
  get(node: unknown, key: string): Node | undefined {
    const map = this.deref(node);
    if (!isMap(map)) return undefined;
    const pairs = this.flatten(map, 0);
    for (let i = pairs.length - 1; i >= 0; i--) {
      const k = this.deref(pairs[i]!.key);
      if (isScalar(k) && k.value === key) return this.deref(pairs[i]!.value) as Node | undefined;
    }
    return undefined;
  }

  /** The string keys of PyYAML's dict for the mapping `node`, in the dict's order (a repeated key keeps its first place). */
  keys(node: unknown): string[] {
    const map = this.deref(node);
    if (!isMap(map)) return [];
    const seen = new Set<string>();
    for (const pair of this.flatten(map, 0)) {
      const k = this.deref(pair.key);
      if (isScalar(k) && typeof k.value === 'string') seen.add(k.value);
    }
    return [...seen];
  }

  /** The mapping's pairs after `flatten_mapping`: merged pairs first, in PyYAML's order, then its own. */
  private flatten(map: YAMLMap, depth: number): readonly Pair[] {
    const done = this.flattened.get(map);
    if (done) return done;
    if (depth > MAX_MERGE_DEPTH) throw new FormatError('has merge keys nested too deep', map.range?.[0] ?? 0, 'limit');
    const merged: Pair[] = [];
    const own: Pair[] = [];
    for (const pair of map.items) {
      const key = this.deref(pair.key);
      if (!(isScalar(key) && key.type === 'PLAIN' && key.value === '<<')) {
        own.push(pair);
        continue;
      }
      const value = this.deref(pair.value);
      if (isMap(value)) merged.push(...this.flatten(value, depth + 1));
      else if (isSeq(value))
        // PyYAML reverses the sequence so that the first map's pairs come last and win.
        for (const item of [...value.items].reverse()) {
          const m = this.deref(item);
          if (isMap(m)) merged.push(...this.flatten(m, depth + 1));
        }
      this.pairs += merged.length;
      if (this.pairs > MAX_MERGED_PAIRS)
        throw new FormatError('has merge keys that expand past the limit', map.range?.[0] ?? 0, 'limit');
    }
    const all = merged.length === 0 ? own : [...merged, ...own];
    this.flattened.set(map, all);
    return all;
  }
}

/** What a Python loader does with a YAML file too deep to read, for `unreadDeepYaml`'s message. */
export type UnreadYaml = DeepYaml;

/**
 * A config a Python loader reads that `parseShallowYaml` refused for its nesting (RESOURCE_EXHAUSTION: past
 * MAX_YAML_DEPTH, or past `yaml`'s own stack). The pure-Python YAML composers recurse per level until Python's
 * recursion limit (PyYAML's `safe_load` reads about 400 levels on 3.11), and the loaders act on the keys beside the
 * deep part, so the unread file is CPI051 at error, never a parse warning a default gate lets through. True when it
 * was reported.
 */
export function unreadDeepYaml(doc: Document.Parsed, out: Findings, unread: UnreadYaml): boolean {
  const err = doc.errors[0];
  if (err?.code !== 'RESOURCE_EXHAUSTION') return false;
  out.add(
    'CPI051',
    deepYamlMessage(unread, err.pos[0]),
    { offset: err.pos[0], limit: MAX_YAML_DEPTH },
    undefined,
    'error',
    err.linePos?.[0].line,
  );
  out.incomplete = true;
  return true;
}

/**
 * The most of a YAML file of a model repository parsed (python tags, SpeechBrain hparams, chat-template candidates).
 * The `yaml` package parses many small nodes at a few hundred KB/s and about 250 bytes of memory a byte (a 3.2 MB flow
 * sequence took 23–31 s and 830 MB; 23 MB: 2 minutes and 3 GB); the configs these readers expect are a few KiB, and
 * 1 MiB keeps one file to seconds.
 */
export const MAX_PARSED_YAML = 1024 * 1024;

/** Distinct callables named in one finding's text. */
export const MAX_LISTED_TAGS = 5;

/** The tags for a finding's text, `!!` shorthand for PyYAML's own, with what each does. */
export function listedTags(uses: readonly PythonTagUse[]): string {
  return listedWithMore(
    uses.map((u) => `${u.tag.replace(/^tag:yaml\.org,2002:/, '!!')} (${u.action})`),
    MAX_LISTED_TAGS,
  );
}

/** A calling tag as a YAML file carries it: what it names, what it does with it, and the line it is on. */
export interface PythonTagUse {
  readonly kind: string;
  readonly target: string;
  /** The tag as resolved (`%TAG` handles expanded). */
  readonly tag: string;
  readonly action: string;
  readonly line: number | undefined;
}

/**
 * Every distinct tag `tagRegex` matches, keys included, as the parsed nodes carry it: `%TAG` handles and verbatim
 * `!<…>` tags resolve as PyYAML resolves them. The regex's last group is the target; its first matched group before
 * that is the kind handed to `actionOf`.
 */
export function pythonTagUses(
  doc: Document.Parsed,
  text: string,
  lines: LineCounter,
  tagRegex: RegExp,
  actionOf: (kind: string) => string,
): PythonTagUse[] {
  const uses: PythonTagUse[] = [];
  const seen = new Set<string>();
  visit(doc, {
    Node(_key, node) {
      if (!isNode(node) || node.tag === undefined || seen.has(node.tag)) return;
      const m = tagRegex.exec(node.tag);
      if (!m) return;
      seen.add(node.tag);
      const kind = m.slice(1, -1).find((g) => g !== undefined)!;
      const target = m[m.length - 1]!;
      uses.push({
        kind,
        target,
        tag: node.tag,
        action: actionOf(kind),
        line: tagLine(text, lines, target, node.range),
      });
    },
  });
  return uses;
}

/**
 * The line of a tag naming `target`. The node's range starts at its content, which for a block under the tag is the
 * next line: the target as written before it points at the tag itself (a `%TAG` shorthand still spells the dotted
 * name out); searching back from the node skips an earlier mention, in a comment or another node.
 */
function tagLine(text: string, lines: LineCounter, target: string, range: Node['range']): number | undefined {
  const at = target === '' ? -1 : text.lastIndexOf(target, range?.[0] ?? text.length);
  if (at >= 0) return lines.linePos(at).line;
  return range ? lines.linePos(range[0]).line : undefined;
}

/**
 * A YAML file past the size a caller parses (`limit`): the Python loader reads any size and builds what its tags name,
 * so the unread file is CPI051 (at `level`) and the scan is incomplete.
 */
export function unreadLargeYaml(
  size: number,
  limit: number,
  out: Findings,
  { what, reader, then, not = 'it' }: UnreadYaml,
  level: Level,
): void {
  out.add(
    'CPI051',
    `${what} is ${size} bytes, past the ${limit}-byte limit; ${reader} reads any size and ${then}. Do not load ${not} until you know why it is this large.`,
    { size, limit },
    undefined,
    level,
  );
  out.incomplete = true;
}

/** A YAML text parsed for its python tags, with its lines counted for the findings. */
export interface TaggedYaml {
  readonly text: string;
  readonly lines: LineCounter;
  readonly doc: Document.Parsed;
}

/**
 * Parse a YAML text as PyYAML reads it (repeated keys kept), shallow, custom tags warnings to the `yaml` package and
 * never errors: within MAX_PARSED_YAML, once per file (yaml-python-tags.ts, speechbrain-hparams.ts).
 */
export function parseTaggedYaml(text: string): TaggedYaml {
  const lines = new LineCounter();
  return { text, lines, doc: parseShallowYaml(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false }) };
}
