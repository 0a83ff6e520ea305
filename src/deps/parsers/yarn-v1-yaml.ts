import { isAlias, isMap, isScalar, LineCounter, type Document, type Node, type Scalar } from 'yaml';
import { parseShallowYaml } from '../../core/yaml-depth.js';
import { MAX_YARN_DEPTH, YarnSyntaxError, type YarnV1Sink } from './yarn-v1-syntax.js';

/**
 * yarn 1's second reading of a yarn.lock (src/lockfile/parse.js `parse`): text its own grammar throws on is loaded
 * again with js-yaml's `safeLoad` and the FAILSAFE schema (every scalar a string), and when that succeeds the object
 * is the lockfile. yarn 1.22.22 `install --frozen-lockfile` installs from such a file like from any other (checked
 * with a loopback registry). Its assignments go to the sink as the v1 grammar's would, so the same entries are
 * judged. Returns false where js-yaml would throw too (a YAML error, a duplicate key — `storeMappingPair`
 * "duplicated mapping key" — or a tag the FAILSAFE schema lacks): yarn then throws its grammar's error.
 *
 * A YAML key is one string: `"a@^1, a@^2"` is not split into descriptors as the v1 grammar splits a header, so no
 * pattern finds it (`Lockfile.getLocked` looks keys up whole), as here. Shapes whose meaning differs from the v1
 * grammar's are not read (YarnSyntaxError): a `__proto__` key, which js-yaml assigns onto a plain object (its
 * entries become inherited keys `getLocked`'s `in` finds), and sequences or non-scalar keys.
 */
export function readYarnYaml(text: string, sink: YarnV1Sink): boolean {
  const lines = new LineCounter();
  // uniqueKeys off: yaml's own check is quadratic per mapping; YamlWalk finds a duplicate in linear time.
  const doc = parseShallowYaml(text, { schema: 'failsafe', uniqueKeys: false, lineCounter: lines });
  if (doc.errors.length > 0 || doc.warnings.length > 0 || !isMap(doc.contents)) return false;
  return new YamlWalk(doc, lines, sink, text.length).map(doc.contents, 0, doc.contents);
}

/**
 * A yarn.lock yarn writes is never YAML, so one only YAML reads was made by hand, and `yaml` builds a tree of about
 * 60 bytes of memory per byte of text at over a second per MB: past this size the YAML reading is not tried (a
 * 2 MiB one: 1.0 s CPU, 173 MiB RSS).
 */
export const MAX_YAML_LOCKFILE = 2 * 1024 * 1024;

class YamlWalk {
  private readonly keys: string[] = [];

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly sink: YarnV1Sink,
    /** Nodes left to visit: an alias repeats a subtree, so a hostile file could otherwise expand without bound. */
    private budget: number,
  ) {}

  /** Tell the sink the pairs of `node`; false at a duplicate key, where js-yaml throws. */
  map(node: unknown, depth: number, at: Node): boolean {
    if (!isMap(node)) throw this.refused('a sequence', at);
    const seen = new Set<string>();
    for (const { key, value } of node.items) {
      if (--this.budget < 0) throw this.refused('more aliased content than the file holds', at);
      if (!isScalar(key) || typeof key.value !== 'string') throw this.refused('a key that is not a string', at);
      if (key.value === '__proto__') throw this.refused('a __proto__ key (js-yaml makes it the prototype)', key);
      if (seen.has(key.value)) return false;
      seen.add(key.value);
      const line = this.lineOf(key);
      this.keys.length = 0;
      this.keys.push(key.value);
      const target = isAlias(value) ? value.resolve(this.doc) : value;
      // js-yaml reads an empty value as null: no value, as a missing key.
      if (target === null || target === undefined || (isScalar(target) && isEmptyPlain(target))) continue;
      if (isScalar(target)) {
        this.sink.value(depth, this.keys, String(target.value), line);
        continue;
      }
      if (depth + 1 >= MAX_YARN_DEPTH) throw this.refused(`nesting deeper than ${MAX_YARN_DEPTH} levels`, key);
      this.sink.open(depth, this.keys, line);
      if (!this.map(target, depth + 1, key)) return false;
    }
    return true;
  }

  private lineOf(node: Node): number {
    return this.lines.linePos(node.range?.[0] ?? 0).line;
  }

  private refused(what: string, at: Node): YarnSyntaxError {
    return new YarnSyntaxError(
      `yarn 1 reads this file as YAML (parse → safeLoad), and it holds ${what}`,
      this.lineOf(at),
    );
  }
}

/** A plain scalar with no text: `key:` followed by nothing. */
function isEmptyPlain(node: Scalar): boolean {
  return node.type === 'PLAIN' && node.range != null && node.range[0] === node.range[1];
}
