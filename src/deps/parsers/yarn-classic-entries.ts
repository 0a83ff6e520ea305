import type { YarnScalar, YarnV1Sink } from './yarn-v1-syntax.js';

/**
 * The fields of yarn.lock v1 entries that chainproof reads, collected while the syntax is read (yarn-v1-syntax.ts)
 * instead of from a tree of every object in the file. Assignment follows what yarn's parser builds — plain objects
 * filled with `obj[key] = value` — so a key given twice keeps its first position and its last value, and keys that
 * are array indices come first in ascending order (`Object.keys` order), exactly as reading that tree did.
 */

/**
 * A top-level key given a plain value (`"a@^1" "b@1.0.0"`): yarn 1's `Lockfile.getLocked` reads a string as the
 * pattern whose entry this one uses; any other value is no entry.
 */
export class PlainValue {
  constructor(
    readonly value: YarnScalar,
    readonly line: number,
  ) {}
}

/** The dependency map of an entry (`dependencies:` / `optionalDependencies:`), name → spec. */
export class DepList {
  private readonly names: string[] = [];
  /** As `str()` reads the value: undefined for a boolean or a nested object, which no edge is made from. */
  private readonly specs: (string | undefined)[] = [];
  /** Position of each name, built only once names stop arriving in ascending order (yarn writes them sorted). */
  private positions: Map<string, number> | undefined;
  private hasIndexKey = false;

  set(name: string, spec: string | undefined): void {
    const n = this.names.length;
    if (this.positions === undefined && (n === 0 || name > this.names[n - 1]!)) {
      // Strictly ascending so far: the name cannot be a repeat.
    } else {
      this.positions ??= new Map(this.names.map((k, i) => [k, i]));
      const at = this.positions.get(name);
      if (at !== undefined) {
        this.specs[at] = spec;
        return;
      }
      this.positions.set(name, n);
    }
    if (isArrayIndex(name)) this.hasIndexKey = true;
    this.names.push(name);
    this.specs.push(spec);
  }

  /** Each name with a string spec, in `Object.keys` order. */
  forEach(each: (name: string, spec: string) => void): void {
    const order = this.hasIndexKey ? keysOrder(this.names) : undefined;
    for (let j = 0; j < this.names.length; j++) {
      const i = order ? order[j]! : j;
      const spec = this.specs[i];
      if (spec !== undefined) each(this.names[i]!, spec);
    }
  }
}

/** One object of the top level: the descriptors of its header share it. */
export class Entry {
  /** Node index, set when entries are grouped. */
  index = -1;
  /** The first descriptor that names this entry once the whole file is read, in key order. */
  first: string | undefined;
  /** The descriptors after the first (most entries have one: no array for them). */
  more: string[] | undefined;
  version: YarnScalar | undefined;
  resolved: YarnScalar | undefined;
  integrity: YarnScalar | undefined;
  dependencies: DepList | undefined;
  optionalDependencies: DepList | undefined;
  constructor(readonly line: number) {}
}

/** A YarnV1Sink that keeps the top-level keys and, of each entry, the fields the lockfile model reads. */
export class EntryCollector implements YarnV1Sink {
  /** Every top-level key (descriptor) and what it names last. */
  readonly keys = new Map<string, Entry | PlainValue>();
  private hasIndexKey = false;
  private entry: Entry | undefined;
  /** The dependency map open at depth 1, if the object opened there is one. */
  private deps: DepList | undefined;

  value(depth: number, keys: readonly string[], value: YarnScalar, line: number): void {
    if (depth === 0) {
      const plain = new PlainValue(value, line);
      for (const k of keys) this.setKey(k, plain);
      this.entry = undefined;
    } else if (depth === 1) {
      if (this.entry) for (const k of keys) setField(this.entry, k, value, undefined);
    } else if (depth === 2) {
      const spec = typeof value === 'boolean' ? undefined : String(value);
      if (this.deps) for (const k of keys) this.deps.set(k, spec);
    }
  }

  open(depth: number, keys: readonly string[], line: number): void {
    if (depth === 0) {
      const entry = new Entry(line);
      for (const k of keys) this.setKey(k, entry);
      this.entry = entry;
      this.deps = undefined;
    } else if (depth === 1) {
      let deps: DepList | undefined;
      for (const k of keys) if (k === 'dependencies' || k === 'optionalDependencies') deps ??= new DepList();
      if (this.entry) for (const k of keys) setField(this.entry, k, undefined, deps);
      this.deps = deps;
    } else if (depth === 2) {
      // A nested object is no spec, but it still replaces what the name had.
      if (this.deps) for (const k of keys) this.deps.set(k, undefined);
    }
  }

  /** The top-level keys and what they name, in `Object.keys` order. */
  ordered(): Iterable<[string, Entry | PlainValue]> {
    if (!this.hasIndexKey) return this.keys.entries();
    const pairs = [...this.keys.entries()];
    return keysOrder(pairs.map(([k]) => k)).map((i) => pairs[i]!);
  }

  /** Top-level keys written again, at the line of the later copy (the one yarn's `parse` keeps). */
  readonly duplicates: { key: string; line: number }[] = [];

  /** `Object.assign(this, other)`: other's keys after this one's, each with other's value; both count as twice. */
  assign(other: EntryCollector): void {
    this.duplicates.push(...other.duplicates);
    for (const [k, v] of other.ordered()) this.setKey(k, v);
  }

  private setKey(k: string, v: Entry | PlainValue): void {
    if (this.keys.has(k)) this.duplicates.push({ key: k, line: v.line });
    this.keys.set(k, v);
    if (isArrayIndex(k)) this.hasIndexKey = true;
  }
}

/** `entry[field] = value`; an object assigned is `deps` when it is a dependency map, else no value. */
function setField(entry: Entry, field: string, value: YarnScalar | undefined, deps: DepList | undefined): void {
  switch (field) {
    case 'version':
      entry.version = value;
      break;
    case 'resolved':
      entry.resolved = value;
      break;
    case 'integrity':
      entry.integrity = value;
      break;
    case 'dependencies':
      entry.dependencies = deps;
      break;
    case 'optionalDependencies':
      entry.optionalDependencies = deps;
      break;
  }
}

/** A canonical array index ("0", "17", not "017" nor 2^32 - 1): V8 orders such keys first, ascending. */
export function isArrayIndex(k: string): boolean {
  const c = k.charCodeAt(0);
  if (c < 0x30 || c > 0x39 || k.length > 10) return false;
  if (!/^(0|[1-9][0-9]*)$/.test(k)) return false;
  return Number(k) < 2 ** 32 - 1;
}

/** Positions of `keys` in `Object.keys` order: array indices ascending, then the rest as inserted. */
function keysOrder(keys: readonly string[]): number[] {
  const order = keys.map((_, i) => i);
  const indices = order.filter((i) => isArrayIndex(keys[i]!)).sort((a, b) => Number(keys[a]) - Number(keys[b]));
  return [...indices, ...order.filter((i) => !isArrayIndex(keys[i]!))];
}
