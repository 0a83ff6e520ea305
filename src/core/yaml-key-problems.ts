import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';

/** What makes js-yaml refuse a file, or `yaml` spend quadratic time on it, found in one linear walk. */
export type YamlKeyProblem =
  /** A mapping repeats a key: js-yaml's `load` throws "duplicated mapping key". */
  | { readonly kind: 'duplicate-key'; readonly key: string; readonly offset: number }
  /** More anchors and aliases than `limit`: `yaml` resolves each alias by scanning every one of them. */
  | { readonly kind: 'too-many-anchors'; readonly limit: number; readonly offset: number }
  /** A merge key (`<<`) whose value is no mapping or list of mappings: js-yaml throws "cannot merge mappings". */
  | { readonly kind: 'bad-merge'; readonly offset: number };

type Frame = { readonly node: unknown } | { readonly pair: Pair; readonly seen: Set<string> };

/**
 * The first problem of `doc` in document order. The document must be parsed with `uniqueKeys: false`: `yaml`'s own
 * duplicate check compares each key with every earlier one, quadratic in a mapping's size (a 50k-package
 * pnpm-lock.yaml took minutes); a Set per mapping keeps this linear. Keys compare as js-yaml stores them (`String()`
 * of the value, so `1` and `'1'` repeat). The walk is iterative and never expands an alias.
 */
export function findYamlKeyProblem(doc: Document, maxAnchors: number): YamlKeyProblem | undefined {
  const anchors = new Map<string, unknown>();
  let anchorsAndAliases = 0;
  const stack: Frame[] = [{ node: doc.contents }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if ('pair' in frame) {
      if (isMergeKey(frame.pair.key)) {
        // js-yaml's `storeMappingPair` stores no `<<` key: it copies the source's keys in (`mergeMappings`), so a
        // second merge, or an explicit key after one, is no duplicate there.
        if (!mergeable(anchors, frame.pair.value))
          return { kind: 'bad-merge', offset: offsetOf(frame.pair.key) ?? offsetOf(frame.pair.value) ?? 0 };
        stack.push({ node: frame.pair.value });
        continue;
      }
      const key = keyString(anchors, frame.pair.key);
      if (frame.seen.has(key))
        return { kind: 'duplicate-key', key, offset: offsetOf(frame.pair.key) ?? offsetOf(frame.pair.value) ?? 0 };
      frame.seen.add(key);
      stack.push({ node: frame.pair.value }, { node: frame.pair.key });
      continue;
    }
    const { node } = frame;
    if (isAlias(node) || (node as Node | null | undefined)?.anchor !== undefined) {
      if (++anchorsAndAliases > maxAnchors)
        return { kind: 'too-many-anchors', limit: maxAnchors, offset: offsetOf(node) ?? 0 };
      if (!isAlias(node)) anchors.set((node as Node).anchor!, node);
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ pair: node.items[i]!, seen });
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i] });
    } else if (isPair(node)) {
      // A single-pair flow map inside a sequence (`[a: 1]`).
      stack.push({ node: node.value }, { node: node.key });
    }
  }
  return undefined;
}

/**
 * A `<<` key `yaml` reads as a merge (only when parsed with `merge: true`, as js-yaml's DEFAULT_SCHEMA always does):
 * its value is then a symbol, never a string.
 */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol';
}

/** js-yaml merges a mapping, or a sequence of mappings (each may be an alias); anything else it refuses. */
function mergeable(anchors: ReadonlyMap<string, unknown>, value: unknown): boolean {
  const node = isAlias(value) ? anchors.get(value.source) : value;
  if (isMap(node)) return true;
  return isSeq(node) && node.items.every((item) => isMap(isAlias(item) ? anchors.get(item.source) : item));
}

/** `storeMappingPair` in js-yaml: a map key is "[object Object]", a sequence key its items joined by commas. */
function keyString(anchors: ReadonlyMap<string, unknown>, key: unknown): string {
  // An alias stands for the last node anchored with its name before it; the walk is in document order.
  const node = isAlias(key) ? anchors.get(key.source) : key;
  if (isScalar(node)) return String(node.value);
  if (isSeq(node)) return node.items.map((item) => (isScalar(item) ? String(item.value) : '[object Object]')).join();
  if (node === null || node === undefined) return 'null';
  return '[object Object]';
}

function offsetOf(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
