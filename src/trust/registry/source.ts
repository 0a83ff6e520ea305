import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/** Registry files are reviewed by people; anything larger is a mistake or an attack on the parser. */
export const MAX_REGISTRY_FILE_BYTES = 16 * 1024 * 1024;
/** Bounds alias expansion ("billion laughs"). */
const MAX_ALIAS_COUNT = 100;

export type JsonPath = readonly (string | number)[];

/** A parsed registry file that can say on which line any JSON path was written. */
export interface RegistrySource {
  readonly value: unknown;
  lineOf(path: JsonPath): number;
}

export type ParsedSource = { ok: true; source: RegistrySource } | { ok: false; line: number; message: string };

/** Parse YAML or JSON (JSON is YAML 1.2) keeping positions. Duplicate keys are errors: one key, one meaning. */
export function parseRegistrySource(text: string): ParsedSource {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  const err = doc.errors[0];
  if (err)
    return {
      ok: false,
      line: lc.linePos(err.pos[0]).line,
      message: `YAML syntax error: ${err.message.split('\n')[0] ?? ''}`,
    };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    return { ok: false, line: 1, message: `YAML could not be read: ${e instanceof Error ? e.message : String(e)}` };
  }
  const lineOf = (path: JsonPath): number => {
    let node: unknown = doc.contents;
    let last: Node | null = doc.contents;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        node = node.items[seg];
      } else break;
      if (isScalar(node) || isMap(node) || isSeq(node)) last = node;
    }
    return lc.linePos(last?.range?.[0] ?? 0).line;
  };
  return { ok: true, source: { value, lineOf } };
}

/** `models[0].files[1].sha256` */
export function formatPath(path: JsonPath): string {
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return s === '' ? '(top level)' : s;
}
