import { LineCounter, isMap, isPair, isScalar, parseDocument } from 'yaml';
import { findConfigReferencesFast, mappingReferences } from './config-fast.js';
import type { FileReferences } from './types.js';

/** A config deeper or larger than this is not a hand-written config: stop walking (bounded, never recursive). */
const MAX_NODES = 200_000;

export { mentionsModelKey } from './prefilter.js';

/**
 * Model ids named in a YAML or JSON config (JSON is read as YAML 1.2, which it is), with their lines: plain block
 * YAML without the `yaml` library (config-fast.ts), the rest with it.
 */
export function findConfigReferences(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
): FileReferences {
  return findConfigReferencesFast(path, text, existsLocally) ?? findConfigReferencesWithYaml(path, text, existsLocally);
}

/** The same search over `yaml`'s document (the scan's stage tries config-fast.ts first, without loading `yaml`). */
export function findConfigReferencesWithYaml(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
): FileReferences {
  const out: FileReferences = { references: [], dynamic: [] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0) return out;
  const stack: unknown[] = [doc.contents];
  let budget = MAX_NODES;
  while (stack.length > 0 && budget-- > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const scalars = new Map<string, { value: string; at: number }>();
      for (const item of node.items) {
        if (!isPair(item) || !isScalar(item.key)) continue;
        const key = String(item.key.value);
        if (isScalar(item.value) && typeof item.value.value === 'string')
          scalars.set(key, { value: item.value.value, at: item.value.range?.[0] ?? 0 });
        else stack.push(item.value);
      }
      const trust = node.items.some(
        (i) =>
          isPair(i) &&
          isScalar(i.key) &&
          i.key.value === 'trust_remote_code' &&
          isScalar(i.value) &&
          i.value.value === true,
      );
      mappingReferences(out, path, scalars, trust, existsLocally, (at) => {
        const pos = lines.linePos(at);
        return { line: pos.line, column: pos.col };
      });
    } else if (node && typeof node === 'object' && 'items' in node) {
      for (const item of (node as { items: unknown[] }).items) stack.push(isPair(item) ? item.value : item);
    }
  }
  return out;
}
