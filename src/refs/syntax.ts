import type { SyntaxNode, Tree } from '@lezer/common';
import type { Resolved } from './calls.js';
import type { ImportedValue } from './types.js';
import type { EnvRead } from './python-env.js';
import { bodyAt } from './python-lines-native.js';
import { isLineTerminator } from '../core/linear-text.js';
import { HF_FILE_SYSTEMS } from './python-hf-paths.js';

/**
 * What both language front ends share over a lezer tree: one iterative walk (no recursion over attacker-controlled
 * nesting), the children of a node without comments, a file's string constants, callee resolution through imports,
 * and `+` / parentheses over values already known.
 */
export function walkTree(tree: Tree, visit: Readonly<Record<string, (n: SyntaxNode) => void>>): void {
  const cursor = tree.cursor();
  // `cursor.node` allocates a SyntaxNode: only for the few node types a visitor wants, not for every token.
  do {
    const fn = visit[cursor.name];
    if (fn) fn(cursor.node);
  } while (cursor.next());
}

const COMMENTS = new Set(['Comment', 'LineComment', 'BlockComment']);

/** `X[key]` (lezer's MemberExpression with brackets) with one expression between them: no slice, no tuple. */
export function subscriptOf(n: SyntaxNode): { object: SyntaxNode; key: SyntaxNode } | undefined {
  if (n.name !== 'MemberExpression') return undefined;
  const [object, open, key, close, ...rest] = childrenOf(n);
  return object && open?.name === '[' && key && close?.name === ']' && rest.length === 0 ? { object, key } : undefined;
}

export function childrenOf(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (!COMMENTS.has(c.name)) out.push(c);
  return out;
}

/** A ParamList's or ArgList's items (Python or JavaScript), each the nodes between its commas (brackets left out). */
export function argumentGroups(list: SyntaxNode): SyntaxNode[][] {
  const groups: SyntaxNode[][] = [[]];
  for (const k of childrenOf(list)) {
    if (k.name === '(' || k.name === ')') continue;
    if (k.name === ',') groups.push([]);
    else groups.at(-1)!.push(k);
  }
  return groups.filter((g) => g.length > 0);
}

/** String constants assigned in a file; a name assigned two different values is a run-time choice (undefined). */
export class Constants {
  private readonly values = new Map<string, string | null>();

  set(name: string, value: string | undefined): void {
    const old = this.values.get(name);
    this.values.set(name, old === undefined || old === value ? (value ?? null) : null);
  }

  get(name: string): string | undefined {
    return this.values.get(name) ?? undefined;
  }

  /** The name's value from now on, whatever it was (a binding that reads and refines the one before it). */
  replace(name: string, value: string | undefined): void {
    this.values.set(name, value ?? null);
  }

  /** Every name set, in the order first set. */
  names(): IterableIterator<string> {
    return this.values.keys();
  }
}

/**
 * Names every plain assignment in the file binds to a loader call's result (`model = AutoModel.from_pretrained(…)`);
 * a name also bound to anything else is unknown.
 */
export class BuiltNames {
  private readonly values = new Map<string, boolean>();

  set(name: string, built: boolean): void {
    this.values.set(name, (this.values.get(name) ?? true) && built);
  }

  has(name: string): boolean {
    return this.values.get(name) === true;
  }
}

/** `M.from_pretrained` with `M` imported as `transformers.AutoModel` → `transformers.AutoModel.from_pretrained`. */
export function resolveCallee(imports: ReadonlyMap<string, string>, written: string): string {
  const head = written.split('.')[0]!;
  const target = imports.get(head);
  return target !== undefined ? target + written.slice(head.length) : written;
}

/**
 * Classes whose methods are loaders (calls.ts `shapeOf` reads them as the module's functions): huggingface_hub
 * hf_api.py `HfApi.hf_hub_download` / `HfApi.snapshot_download` take the same arguments as the functions.
 */
const LOADER_CLASSES: ReadonlySet<string> = new Set([
  'huggingface_hub.HfApi',
  'huggingface_hub.hf_api.HfApi',
  // huggingface_hub hf_file_system.py: HfFileSystem reads a repository's files by path (python-hf-paths.ts).
  ...HF_FILE_SYSTEMS,
  // ollama-python _client.py: the module's functions are a default Client's methods.
  'ollama.Client',
  'ollama.AsyncClient',
]);

/**
 * The names LOADER_CLASSES go by in a call that constructs one (`HfFileSystem()`, `ollama.Client(…)`):
 * python-snippet.ts keeps the statements that name an instance so bound.
 */
export const LOADER_CLASS_NAMES: ReadonlySet<string> = new Set(
  [...LOADER_CLASSES].map((c) => c.slice(c.lastIndexOf('.') + 1)),
);

/** The loader class a call constructs (`HfApi(token=…)`, through the file's imports), or undefined. */
export function loaderClassOf(resolvedCallee: string | undefined): string | undefined {
  return resolvedCallee !== undefined && LOADER_CLASSES.has(resolvedCallee) ? resolvedCallee : undefined;
}

/**
 * A method called on a loader class's instance: `HfApi().snapshot_download` (`called` is the class the call in the
 * callee constructs) or `api.snapshot_download` with `api` only ever bound to one → `huggingface_hub.HfApi.…`.
 */
export function resolveMethod(
  imports: ReadonlyMap<string, string>,
  instances: Constants,
  written: string,
  called: string | undefined,
): string {
  if (written.startsWith('().')) return called !== undefined ? called + written.slice(2) : written;
  const head = written.split('.')[0]!;
  const cls = head !== written ? instances.get(head) : undefined;
  return cls !== undefined ? cls + written.slice(head.length) : resolveCallee(imports, written);
}

/** `a + b` over two known strings, and `( x )`; anything else is unknown. */
export function evaluateShared(
  n: SyntaxNode,
  src: (n: SyntaxNode) => string,
  evaluate: (n: SyntaxNode) => string | undefined,
): string | undefined {
  if (n.name === 'BinaryExpression') {
    const [a, op, b] = childrenOf(n);
    if (!a || !b || !op || src(op) !== '+') return undefined;
    const l = evaluate(a);
    const r = evaluate(b);
    return l !== undefined && r !== undefined ? l + r : undefined;
  }
  if (n.name === 'ParenthesizedExpression') {
    const inner = childrenOf(n).filter((c) => c.name !== '(' && c.name !== ')');
    return inner.length === 1 ? evaluate(inner[0]!) : undefined;
  }
  return undefined;
}

/**
 * A dict literal (`{"revision": "…"}`) or `dict(revision=…)` as far as the file alone can tell: its string keys, and
 * whether keys it cannot name may be in it too (`**other`, a computed key, `dict(mapping)`).
 */
export interface DictValue {
  readonly entries: ReadonlyMap<string, Resolved>;
  readonly open: boolean;
}

/** Dicts assigned to a name in a file; a name assigned twice (or to anything else as well) is a run-time choice. */
export class DictConstants {
  private readonly values = new Map<string, DictValue | null>();
  /** trust_remote_code as some binding of the name gives it, when that turns it on. */
  private readonly remoteCode = new Map<string, Resolved>();

  /**
   * `changeable(name)`: the file may change the dict in place (python-dict-uses.ts); its keys are then unknown.
   * `turnsOnRemoteCode(name)`: a statement of the file turns trust_remote_code on in it
   * (python-remote-code-writes.ts).
   */
  constructor(
    private readonly changeable: (name: string) => boolean = () => false,
    private readonly turnsOnRemoteCode: (name: string) => boolean = () => false,
  ) {}

  set(name: string, value: DictValue | undefined): void {
    // Two assignments may differ in any key: unknown unless the name was never bound before.
    const known = !this.values.has(name) && value !== undefined && !this.changeable(name);
    this.values.set(name, known ? value : null);
    const trust = value?.entries.get('trust_remote_code');
    if (trust && (trust.value === 'True' || (trust.isString && trust.value !== ''))) this.remoteCode.set(name, trust);
  }

  get(name: string): DictValue | undefined {
    return this.values.get(name) ?? undefined;
  }

  /**
   * What `**name` passes: the dict as bound when the file decides it. One it does not decide (changed in place,
   * bound twice, a parameter) or only in part (open) passes keys no one can name, but one a binding or a write
   * turned trust_remote_code on in still runs the repository's code (`if has_remote_code and trust_remote_code:`):
   * that key stays, the rest is open.
   */
  spread(name: string): DictValue | undefined {
    const known = this.get(name);
    if (known && (!known.open || known.entries.has('trust_remote_code'))) return known;
    const trust =
      this.remoteCode.get(name) ?? (this.turnsOnRemoteCode(name) ? { value: 'True', isString: false } : undefined);
    if (!trust) return known;
    // An open dict (`dict([("trust_remote_code", True)])`) keeps what it names.
    return { entries: new Map([...(known?.entries ?? []), ['trust_remote_code', trust]]), open: true };
  }
}

/**
 * `Constants` of any value, told apart by a key: a name bound twice to values of different keys is unknown. Each
 * value is kept by its key, so `get` gives back what was bound.
 */
export class KeyedConstants<T> {
  private readonly keys = new Constants();
  private readonly byKey = new Map<string, T>();

  constructor(private readonly keyOf: (value: T) => string) {}

  set(name: string, value: T | undefined): void {
    this.keys.set(name, this.key(value));
  }

  /** `Constants.replace`: the name's value from now on. */
  replace(name: string, value: T | undefined): void {
    this.keys.replace(name, this.key(value));
  }

  get(name: string): T | undefined {
    const k = this.keys.get(name);
    return k === undefined ? undefined : this.byKey.get(k);
  }

  private key(value: T | undefined): string | undefined {
    if (value === undefined) return undefined;
    const k = this.keyOf(value);
    if (!this.byKey.has(k)) this.byKey.set(k, value);
    return k;
  }
}

/**
 * Names bound to one of a known set of strings (`name = "org/a" if big else "org/b"`); bound twice differently:
 * unknown (as `Constants`).
 */
export class CandidateConstants extends KeyedConstants<readonly string[]> {
  constructor() {
    super((candidates) => JSON.stringify(candidates));
  }
}

/**
 * One of a known set of strings where no single value is known, over either lezer tree: a name bound to one
 * (`choices`), parentheses around one, a conditional expression whose two values are each a string or a set, an item
 * of a container constant by a key the file does not decide (`containerValues` of the container's name: every
 * value, or undefined when the container may give others).
 */
export function candidatesIn(
  n: SyntaxNode,
  the: {
    readonly src: (n: SyntaxNode) => string;
    readonly evaluate: (n: SyntaxNode) => string | undefined;
    readonly choices: CandidateConstants;
    /** Where a ConditionalExpression's two values are among its children: Python `a if c else b`, JS `c ? a : b`. */
    readonly branches: readonly [number, number];
    readonly containerValues: (name: string) => readonly string[] | undefined;
  },
): readonly string[] | undefined {
  if (n.name === 'VariableName') return the.choices.get(the.src(n));
  const kids = childrenOf(n);
  if (n.name === 'ParenthesizedExpression' && kids.length === 3) return candidatesIn(kids[1]!, the);
  if (n.name === 'ConditionalExpression' && kids.length === 5)
    return choiceCandidates(the.branches.map((i) => the.evaluate(kids[i]!) ?? candidatesIn(kids[i]!, the)));
  const item = subscriptOf(n);
  if (item?.object.name !== 'VariableName' || the.evaluate(item.key) !== undefined) return undefined;
  return the.containerValues(the.src(item.object));
}

/**
 * The most models one call is read to choose among: a call over a longer list, dict or loop is a run-time choice (a
 * note). A file's thousands of calls, each over a list of thousands, would otherwise be millions of references (a
 * hostile file of a few megabytes, quadratic in time and memory); real choices are a handful.
 */
export const MAX_ONE_OF = 64;

/** Every value a dict constant may give for a key chosen at run time: undefined when any is unknown. */
export function dictCandidates(d: DictValue | undefined): string[] | undefined {
  if (!d || d.open || d.entries.size === 0 || d.entries.size > MAX_ONE_OF) return undefined;
  const values = [...d.entries.values()].map((r) => r.value);
  const known = values.filter((v) => v !== undefined);
  return known.length === values.length ? unique(known) : undefined;
}

/** The options of `a if c else b`, each a value or a set of candidates; undefined when any is unknown. */
export function choiceCandidates(options: readonly (string | readonly string[] | undefined)[]): string[] | undefined {
  const out: string[] = [];
  for (const o of options) {
    if (o === undefined) return undefined;
    if (typeof o === 'string') out.push(o);
    else out.push(...o);
  }
  const got = unique(out);
  return got.length > MAX_ONE_OF ? undefined : got;
}

const unique = (xs: readonly string[]) => [...new Set(xs)];

/**
 * `d.get(key)` / `d.get(key, default)` of a dict constant (python.ts and python-fast.ts `dictGet`): the key's value
 * when the dict has it; the default (None without one) when it cannot have it (no `**spread` or computed key);
 * undefined when the file does not decide it.
 */
export function dictItemOrDefault(
  d: DictValue | undefined,
  key: string,
  hasDefault: boolean,
  fallback: string | undefined,
): string | undefined {
  if (!d) return undefined;
  if (d.entries.has(key)) return d.entries.get(key)!.value;
  return d.open || !hasDefault ? undefined : fallback;
}

/** huggingface_hub's `hf_hub_url`, as the package and its module export it (python.ts and python-fast.ts `hubUrl`). */
export const HF_HUB_URL_CALLS: ReadonlySet<string> = new Set([
  'huggingface_hub.hf_hub_url',
  'huggingface_hub.file_download.hf_hub_url',
]);

/**
 * huggingface_hub file_download.py `hf_hub_url(repo_id, filename, *, subfolder=None, repo_type=None, revision=None,
 * endpoint=None)` (releases before 0.12 also took the last three by position): `{ENDPOINT}/{repo_id}/resolve/
 * {quote(revision, safe="")}/{quote(filename)}`, the file under `subfolder/` when one is given, a dataset's or Space's
 * id after `datasets/` or `spaces/` (`REPO_TYPES_URL_PREFIXES`), and the revision `main` (`DEFAULT_REVISION`) when
 * none is. The URL a loader given it then fetches, as text; undefined when an argument is not a string the file
 * decides, another `endpoint` is given, or the repo type is none it knows (a ValueError). The endpoint is the
 * default huggingface.co: an `HF_ENDPOINT` the run sets is not the file's.
 */
export function pythonHubUrl(
  positional: readonly (string | undefined)[],
  keywords: ReadonlyMap<string, string | undefined>,
): string | undefined {
  const arg = (name: string, at: number) => (keywords.has(name) ? keywords.get(name) : positional[at]);
  const given = (name: string, at: number) => keywords.has(name) || at < positional.length;
  if (positional.length > 5 || given('endpoint', 5)) return undefined;
  const repoId = arg('repo_id', 0);
  const filename = arg('filename', 1);
  const subfolder = arg('subfolder', 2);
  const repoType = arg('repo_type', 3);
  const revision = arg('revision', 4);
  if (repoId === undefined || filename === undefined) return undefined;
  if (given('subfolder', 2) && subfolder === undefined) return undefined;
  if (given('repo_type', 3) && repoType === undefined) return undefined;
  if (given('revision', 4) && revision === undefined) return undefined;
  const prefix = repoType === undefined || repoType === 'model' ? '' : HUB_URL_PREFIXES.get(repoType);
  if (prefix === undefined) return undefined;
  const file = subfolder ? `${subfolder}/${filename}` : filename;
  return `https://huggingface.co/${prefix}${repoId}/resolve/${pythonQuote(revision ?? 'main', '')}/${pythonQuote(file, '/')}`;
}

/** huggingface_hub constants.py `REPO_TYPES_URL_PREFIXES`. */
const HUB_URL_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['dataset', 'datasets/'],
  ['space', 'spaces/'],
]);

/** urllib.parse `quote(text, safe)`: every UTF-8 byte but ASCII letters, digits, `_.-~` and `safe` as `%XX`. */
function pythonQuote(text: string, safe: string): string {
  let out = '';
  for (const ch of text) {
    if (/[A-Za-z0-9_.~-]/.test(ch) || safe.includes(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Python's `"org/{}".format(name)` of a template the file decides (python.ts and python-fast.ts `formatCall`): `{}`
 * numbered in order, `{0}`, `{name}` of a keyword argument, `{{` and `}}`; undefined for any other field (a format
 * spec, a conversion, an attribute or an item of an argument), a mix of `{}` and `{0}` (a ValueError), a field past
 * the arguments, or an argument the file does not decide.
 */
export function pythonFormat(
  template: string,
  positional: readonly (string | undefined)[],
  keywords: ReadonlyMap<string, string | undefined>,
): string | undefined {
  let out = '';
  let next = 0;
  let numbering: 'auto' | 'manual' | undefined;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '}') {
      if (template[i + 1] !== '}') return undefined;
      out += '}';
      i++;
    } else if (c !== '{') out += c;
    else if (template[i + 1] === '{') {
      out += '{';
      i++;
    } else {
      const close = template.indexOf('}', i);
      if (close < 0) return undefined;
      const field = template.slice(i + 1, close);
      let value: string | undefined;
      if (field === '' || /^\d+$/.test(field)) {
        const mode = field === '' ? 'auto' : 'manual';
        if (numbering !== undefined && numbering !== mode) return undefined;
        numbering = mode;
        const k = field === '' ? next++ : Number(field);
        value = k < positional.length ? positional[k] : undefined;
      } else if (/^[A-Za-z_]\w*$/.test(field)) value = keywords.get(field);
      if (value === undefined) return undefined;
      out += value;
      i = close;
    }
  }
  return out;
}

/**
 * Python's `"org/%s" % NAME` / `"%s/%s" % (ORG, NAME)` (python.ts and python-fast.ts `percentFormat`): each `%s` takes
 * the next value and `%%` is `%`; undefined for any other conversion, a width or a key (`%d`, `%r`, `%10s`,
 * `%(name)s`), a count of values other than the `%s`s' (a TypeError), or a value the file does not decide.
 */
export function pythonPercent(template: string, values: readonly (string | undefined)[]): string | undefined {
  let out = '';
  let next = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '%') out += c;
    else if (template[i + 1] === '%') {
      out += '%';
      i++;
    } else if (template[i + 1] === 's' && next < values.length) {
      const v = values[next++];
      if (v === undefined) return undefined;
      out += v;
      i++;
    } else return undefined;
  }
  return next === values.length ? out : undefined;
}

/**
 * A Python integer literal as an index: decimal digits, `_` between them (`1_0`), no leading zero but in `0`, `00`;
 * undefined for anything else (hex, a float, a name). What python.ts and python-fast.ts read in `LIST[0]`.
 */
export function pythonInteger(text: string): number | undefined {
  return /^(?:0(?:_?0)*|[1-9](?:_?\d)*)$/.test(text) ? Number(text.replaceAll('_', '')) : undefined;
}

/**
 * `LIST[i]` of a list or tuple display's items, as Python indexes (`-1` the last): the item, or undefined past
 * either end (an IndexError: nothing loads).
 */
export function itemAt<T>(items: readonly T[], i: number): T | undefined {
  const at = i < 0 ? items.length + i : i;
  return at >= 0 && at < items.length ? items[at] : undefined;
}

/**
 * The items of container constants (Python lists and tuples, JavaScript arrays) read by value, for each reader:
 * `LIST[i]` (`item`, counted from the end when negative, as Python indexes and `Array.prototype.at` do) and, for an
 * index chosen at run time, one of them (`candidates`). Nothing is read before `know` (every binding known); a list
 * that holds itself (`M = [M[0]]`) gives nothing; once `settle`d (the loops' names bound too), each list's
 * candidates are kept, so thousands of reads of a list of thousands stay linear.
 */
export class ListConstants<N> {
  private lookup: ((list: string) => readonly (N | undefined)[] | undefined) | undefined;
  private readonly reading = new Set<string>();
  private readonly kept = new Map<string, readonly string[] | undefined>();
  private settled = false;

  constructor(
    private readonly valueOf: (n: N) => string | undefined,
    private readonly candidatesOf: (n: N) => readonly string[] | undefined = () => undefined,
  ) {}

  /** From now on lists are read: `lookup` gives a list's items (holes undefined), undefined for no such list. */
  know(lookup: (list: string) => readonly (N | undefined)[] | undefined): void {
    this.lookup = lookup;
  }

  /** Every binding, the loops' names among them, is known: candidates are kept from here on. */
  settle(): void {
    this.settled = true;
  }

  /** Item `i` of the list by value; undefined past either end, for a hole, or before `know`. */
  item(list: string, i: number): string | undefined {
    const items = this.reading.has(list) ? undefined : this.lookup?.(list);
    const n = items && itemAt(items, i);
    return n === undefined ? undefined : this.inside(list, () => this.valueOf(n));
  }

  /** One of the list's items (`loopChoices`), for an index the program computes. */
  candidates(list: string): readonly string[] | undefined {
    const keep = this.settled && this.reading.size === 0;
    if (keep && this.kept.has(list)) return this.kept.get(list);
    const items = this.reading.has(list) ? undefined : this.lookup?.(list);
    if (!items) return undefined;
    const got = this.inside(list, () =>
      loopChoices(items, (n) => (n === undefined ? undefined : (this.valueOf(n) ?? this.candidatesOf(n)))),
    );
    if (keep) this.kept.set(list, got);
    return got;
  }

  private inside<T>(list: string, read: () => T): T {
    this.reading.add(list);
    try {
      return read();
    } finally {
      this.reading.delete(list);
    }
  }
}

/**
 * `for name in ["org/a", "org/b"]:` — the models a loop's name takes, one per turn (`choiceCandidates` of the items),
 * when every item is a string the file decides; undefined otherwise (an empty display included).
 */
export function loopChoices<T>(
  items: readonly T[],
  valueOf: (item: T) => string | readonly string[] | undefined,
): string[] | undefined {
  return items.length === 0 || items.length > MAX_ONE_OF ? undefined : choiceCandidates(items.map(valueOf));
}

/**
 * `f(a, **options)`: the keywords a known dict adds to a call (Python refuses a keyword given twice, so none
 * overrides another). Returns whether keywords the file cannot name may still come in.
 */
export function spreadKeywords(keywords: Map<string, Resolved>, dict: DictValue | undefined): boolean {
  if (!dict) return true;
  for (const [k, v] of dict.entries) if (!keywords.has(k)) keywords.set(k, v);
  return dict.open;
}

/**
 * A dict constant another module of the repository binds, as python-fast.ts and python.ts bind an imported one
 * (`ImportedValue.dict`): its string items, then its others (a bool, or a value that module leaves to run time).
 */
export function importedDict(dict: NonNullable<ImportedValue['dict']>): DictValue {
  const entries = new Map<string, Resolved>(dict.items.map(([k, v]) => [k, { value: v, isString: true }]));
  for (const [k, v] of dict.others ?? [])
    entries.set(k, v === undefined ? { value: undefined, isString: false } : { value: v, isString: false });
  return { entries, open: dict.open };
}

/** What a module's file decides of a name it binds, as another file imports it; undefined when it decides nothing. */
/** A callee resolved to a member of a module of the repository (`./ml.js.pipeline`, `../lib/hub.snapshotDownload`). */
export const fromRepository = (resolved: string) => resolved.startsWith('./') || resolved.startsWith('../');

export function importedValue(
  value: string | undefined,
  env: EnvRead | undefined,
  dict?: ImportedValue['dict'],
): ImportedValue | undefined {
  if (value === undefined && !env && !dict) return undefined;
  return { ...(value !== undefined ? { value } : {}), ...(env ? { env } : {}), ...(dict ? { dict } : {}) };
}

/** A dict constant's items as `ImportedValue.dict` keeps them; undefined when any item is no string the file decides. */
/**
 * Calls whose keyword arguments are read as a dict's items (python.ts `evaluateDict`, python-fast.ts `dict`): `dict(…)`,
 * and SpeechBrain's `FetchConfig(revision=…)` (speechbrain/utils/fetching.py, a dataclass of keyword fields), which
 * its loaders take as `fetch_config`.
 */
export const KEYWORD_RECORDS: ReadonlySet<string> = new Set(['dict', 'FetchConfig']);

export function exportedDict(d: DictValue | undefined): ImportedValue['dict'] {
  if (!d) return undefined;
  const items: [string, string][] = [];
  const others: [string, 'True' | 'False' | undefined][] = [];
  for (const [k, r] of d.entries) {
    if (r.value !== undefined && r.isString) items.push([k, r.value]);
    // A bool the module writes (`"trust_remote_code": True`) goes with the dict: dropping the dict for it would
    // lose the switch (and the pin beside it). Anything else is a key whose value the module does not decide.
    else others.push([k, !r.isString && (r.value === 'True' || r.value === 'False') ? r.value : undefined]);
  }
  return { items, ...(others.length > 0 ? { others } : {}), open: d.open };
}

/** Builds a DictValue in source order: `key: value` items, `**other` merges. */
export class DictBuilder {
  private readonly entries = new Map<string, Resolved>();
  private open = false;

  item(key: string | undefined, value: Resolved): void {
    if (key === undefined) this.open = true;
    else this.entries.set(key, value);
  }

  spread(other: DictValue | undefined): void {
    if (!other) {
      this.open = true;
      return;
    }
    for (const [k, v] of other.entries) this.entries.set(k, v);
    if (other.open) this.open = true;
  }

  unknown(): void {
    this.open = true;
  }

  build(): DictValue {
    return { entries: this.entries, open: this.open };
  }
}

/** One token of an import statement, as both Python readers see it. */
export interface ImportPart {
  readonly kind: 'name' | 'punct';
  readonly text: string;
}

/**
 * The names a Python import binds, `[bound name, what it stands for]`, as the interpreter binds them:
 * `from a.b import c as d` binds d to `a.b.c` (the whole dotted module, not its first part); `import a.b` binds `a`
 * to `a`; `import a.b as c` binds `c` to `a.b`.
 */
export function importBindings(parts: readonly ImportPart[]): [string, string][] {
  const out: [string, string][] = [];
  const importAt = parts.findIndex((p) => p.kind === 'name' && p.text === 'import');
  if (importAt < 0) return out;
  const fromForm = parts[0]?.kind === 'name' && parts[0].text === 'from';
  const module = fromForm
    ? parts
        .slice(1, importAt)
        .map((p) => p.text)
        .join('')
    : undefined;
  // Dotted names after `import`, each with an optional `as alias`, separated by commas (parentheses ignored).
  let dotted: string[] = [];
  let alias: string | undefined;
  let expectAlias = false;
  const flush = () => {
    if (dotted.length > 0) {
      const full = dotted.join('.');
      if (module !== undefined) out.push([alias ?? full, `${module}.${full}`]);
      else out.push(alias !== undefined ? [alias, full] : [dotted[0]!, dotted[0]!]);
    }
    dotted = [];
    alias = undefined;
    expectAlias = false;
  };
  for (const p of parts.slice(importAt + 1)) {
    if (p.kind === 'name' && p.text === 'as') expectAlias = true;
    else if (p.kind === 'name') {
      if (expectAlias) alias = p.text;
      else dotted.push(p.text);
    } else if (p.text === ',') flush();
  }
  flush();
  return out;
}

/**
 * The plain names (not `self.x`) a file assigns exactly once: only those are aliases or partial bindings, as for
 * constants — which of several bindings a call sees is decided at run time.
 */
export function boundOnce(names: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const again = new Set<string>();
  for (const n of names) (seen.has(n) ? again : seen).add(n);
  return new Set([...seen].filter((n) => !again.has(n) && !n.includes('.')));
}

/**
 * `load = AutoModel.from_pretrained` (or `dl = hf_hub_download`): calling the name calls what the dotted name
 * resolves to, as an import alias does (Python binds the function object; `load("org/x")` is
 * `AutoModel.from_pretrained("org/x")`). `bindings` are the file's plain `name = value` assignments in order, each
 * value's dotted text when it is a bare name or attribute chain; only the names in `once` (boundOnce) are aliased.
 */
export function bindAliases(
  imports: Map<string, string>,
  bindings: readonly (readonly [name: string, dotted: string | undefined])[],
  once: ReadonlySet<string>,
): void {
  for (const [name, dotted] of bindings) {
    if (dotted === undefined || !once.has(name)) continue;
    const head = dotted.split('.')[0]!;
    // Only names that lead somewhere else: an import-bound head or an attribute chain (`x = y` of a plain local is
    // no loader either way).
    if (head === name || (!dotted.includes('.') && !imports.has(head))) continue;
    imports.set(name, resolveCallee(imports, dotted));
  }
}

/** What `functools.partial(loader, *args, **keywords)` bound: the loader's dotted name as written and its arguments. */
export interface PartialBinding {
  readonly target: string;
  readonly positional: readonly Resolved[];
  readonly keywords: ReadonlyMap<string, Resolved>;
  readonly splat: boolean;
}

export const PARTIAL = 'functools.partial';

/**
 * The callee's last part when a module's member is picked at run time — `models.__dict__[args.arch](…)` (the PyTorch
 * ImageNet example's), `getattr(models, name)(…)` — as both Python readers write it: `models.<chosen>`.
 */
export const CHOSEN_MEMBER = '<chosen>';

/** An argument whose value this file does not show: a run-time choice (CPR010 where it names a model). */
export const RUN_TIME: Resolved = { value: undefined, isString: false };

/**
 * A call through a name bound once to `functools.partial(f, *a, **k)`: CPython's `partial.__call__` calls
 * `f(*a, *args, **{**k, **keywords})` — the bound positionals first, the call's keywords over the bound ones.
 */
export function throughPartial<
  T extends { positional: readonly Resolved[]; keywords: ReadonlyMap<string, Resolved>; splat: boolean },
>(call: T, bound: PartialBinding): T {
  return {
    ...call,
    positional: [...bound.positional, ...call.positional],
    keywords: new Map([...bound.keywords, ...call.keywords]),
    splat: call.splat || bound.splat,
  };
}

/**
 * Whether a value reads `X.attr` of a name neither imported nor assigned in the statements read (not `self`/`cls`)
 * that may be a class the file defines (`text`): python.ts reads a class attribute through the class body
 * (`classAttribute`) over the whole file; any other such name (a `with … as x`, a loop's, a parameter) is unknown to
 * both readers alike.
 */
export function readsFreeAttribute(
  reads: ReadonlySet<string>,
  imports: ReadonlyMap<string, string>,
  assigned: readonly (readonly [string, unknown])[],
  text: string,
): boolean {
  if (reads.size === 0) return false;
  const bound = new Set(assigned.map(([name]) => name));
  for (const x of reads)
    if (x !== 'self' && x !== 'cls' && !imports.has(x) && !bound.has(x) && definesClass(text, plainKey(x))) return true;
  return false;
}

/** A reader's key without its scope mark (python-scopes.ts `plainName`). */
const plainKey = (key: string) => (key.includes('#') ? key.slice(0, key.indexOf('#')) : key);

/** Whether the file may define a class (`class NAME`) or function (`def NAME`, with `defs`) of this name. */
function definesClass(text: string, name: string, defs = false): boolean {
  if (!text.includes(name)) return false;
  const kinds = defs ? '(?:(?:async[ \\t]+)?def|class)' : 'class';
  return new RegExp(`^[ \\t]*${kinds}[ \\t]+${name}(?![\\w\\u00a1-\\uffff])`, 'm').test(text);
}

/**
 * `x.attr` of a name bound to a call of a bare name the file does not import (`args = ModelArgs()`): maybe an
 * instance of a class the file defines, whose attributes python.ts reads over the whole file (`instanceAttribute`).
 */
export function readsInstanceAttribute<V>(
  reads: ReadonlySet<string>,
  imports: ReadonlyMap<string, string>,
  assigned: readonly (readonly [string, V])[],
  calleeOf: (value: V) => string | undefined,
  text: string,
): boolean {
  if (reads.size === 0) return false;
  for (const [name, value] of assigned) {
    if (!reads.has(name)) continue;
    const callee = calleeOf(value);
    // A class or a settings factory of the file (python.ts `callClass`); anything else makes no instance it reads.
    if (callee !== undefined && !imports.has(callee) && definesClass(text, plainKey(callee), true)) return true;
  }
  return false;
}

/**
 * An attribute read off a call of a function or class the file defines (`get_settings().model_id`, python.ts
 * `callObjectClass`): the whole file decides what the call makes. Builtins and imported callables (`str(x).x`,
 * `Path(p).name`) are not the file's.
 */
export function readsLocalCallAttribute(
  callees: ReadonlySet<string>,
  imports: ReadonlyMap<string, string>,
  text: string,
): boolean {
  for (const callee of callees) if (!imports.has(callee) && definesClass(text, callee, true)) return true;
  return false;
}

/**
 * A name some statement binds otherwise than a plain assignment (python.ts `reboundNames`, python-reader.ts
 * `rebound`): unknown in every table a reader keeps, whatever a plain assignment gave it.
 */
export function unbind(
  name: string,
  tables: {
    readonly values: readonly { set(name: string, value: undefined): void }[];
    readonly flags: readonly BuiltNames[];
  },
): void {
  for (const t of tables.values) t.set(name, undefined);
  for (const t of tables.flags) t.set(name, false);
}

/**
 * Whether a Python text may bind `attr` in a class body: an indented `attr = …` or `attr: T = …` that starts a
 * statement outside a function's body (python-lines-native.ts `bodyAt`, 'other' wherever it cannot tell: a
 * superset), not a keyword argument on a call's own line (`    attr=rows,`). A function's local of the name is no
 * class attribute (CPython's symtable: a class body's names are its own, a
 * method's are the method's), and in real code nearly every `self.attr` has one (`rank = …` beside `self.rank`). A
 * read of `self.attr` with no instance binding may then be the class attribute, which only the whole file decides
 * (python.ts `inheritedAttribute`).
 */
export function mayBindInClassBody(text: string, attr: string): boolean {
  if (!text.includes(attr)) return false;
  for (const at of bindingOffsets(text, attr)) if (bodyAt(text, at) === 'other') return true;
  return false;
}

/**
 * Where `text.matchAll(new RegExp(`^([ \\t]+)${attr}[ \\t]*(?::[^=\\n]*)?=(?!=)`, 'gm'))` matches, at the name (the
 * match's index plus its indent), in one pass (redos): the expression read each annotation to the next `=` or line
 * feed, past carriage returns (which start a line for `^`), so `\tattr:\r` repeated was quadratic (100 KB took
 * 1.1 s). A colon before the last such stop has the same stop.
 */
export function* bindingOffsets(text: string, attr: string): Generator<number> {
  let stop = -1;
  for (let start = 0; start < text.length;) {
    let i = start;
    while (text[i] === ' ' || text[i] === '\t') i++;
    const name = i;
    if (name > start && text.startsWith(attr, name)) {
      i += attr.length;
      while (text[i] === ' ' || text[i] === '\t') i++;
      if (text[i] === ':') {
        if (stop <= i) {
          stop = i + 1;
          while (stop < text.length && text[stop] !== '=' && text[stop] !== '\n') stop++;
        }
        i = stop;
      }
      if (text[i] === '=' && text[i + 1] !== '=') {
        yield name;
        // The global search goes on after the `=`: the next line starting there.
        start = lineAfter(text, i + 1);
        continue;
      }
    }
    start = lineAfter(text, start);
  }
}

/** Where the line after the one `from` is on begins, as the `m` flag's `^` sees lines; past the end for none. */
function lineAfter(text: string, from: number): number {
  let i = from;
  while (i < text.length && !isLineTerminator(text.charCodeAt(i))) i++;
  return i + 1;
}

/**
 * An instance attribute as the class's methods read it (`self.model_name`): both Python readers bind it from the
 * file's `self.<attr> = …` statements, every class's alike — two classes binding it differently leave it unknown.
 */
export const isSelfAttribute = (dotted: string): boolean => /^self\.[A-Za-z_]\w*$/.test(dotted);
