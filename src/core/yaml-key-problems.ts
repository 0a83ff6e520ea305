import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';

/** What makes js-yaml refuse a file, or `yaml` spend quadratic time on it, found in one linear walk. */
export type YamlKeyProblem =
  /** A mapping repeats a key: js-yaml's `load` throws "duplicated mapping key". */
  | { readonly kind: 'duplicate-key'; readonly key: string; readonly offset: number }
  /** More anchors and aliases than `limit`: `yaml` resolves each alias by scanning every one of them. */
  | { readonly kind: 'too-many-anchors'; readonly limit: number; readonly offset: number };

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
