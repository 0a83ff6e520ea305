import { findYamlKeyProblem } from '../../core/yaml-key-problems.js';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';
import type { ConfigProblem } from './problems.js';
import { parseShallowYaml } from '../../core/yaml-depth.js';

/** Bounds alias expansion ("billion laughs"). */
const MAX_ALIAS_COUNT = 100;
/** Anchors and aliases a policy or registry file may hold at most: yaml resolves each alias by scanning them all. */
const MAX_ANCHORS = 1000;

export interface Position {
  readonly line: number;
  readonly col: number;
}

/** A parsed YAML (or JSON, which is YAML 1.2) file that can say where any JSON path was written. */
export interface SourceDocument {
  readonly value: unknown;
  /** Position of the value at `path`; with `key`, of the key that names it. Falls back to the nearest parent. */
  locate(path: readonly (string | number)[], opts?: { key?: boolean }): Position;
  /** True when the file itself writes `path` (as opposed to inheriting it). */
  has(path: readonly (string | number)[]): boolean;
}

export type ParseResult = { ok: true; doc: SourceDocument } | { ok: false; problems: ConfigProblem[] };

/**
 * THE configuration reader for policy and trusted registry: YAML 1.2 core schema (dates stay strings, JSON is
 * accepted), duplicate keys refused (one key, one meaning), alias expansion bounded, positions kept so every
 * problem names its line and column. Syntax errors come back as problems; `what` names the file kind in them.
 */
export function parseConfigYaml(text: string, limits: { maxBytes: number; what: string }): ParseResult {
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    return {
      ok: false,
      problems: [problem('too-large', `expected a ${limits.what} file under ${limits.maxBytes} bytes`)],
    };
  }
  const lineCounter = new LineCounter();
  // `uniqueKeys: true` compares each key with every earlier one: a policy of 100k keys took minutes (a pull request
  // can bring its own .chainproof/policy.yml). Repeated keys and a flood of anchors are found in one walk instead.
  const doc = parseShallowYaml(text, { lineCounter, prettyErrors: false, uniqueKeys: false, version: '1.2' });
  const keyProblem = doc.errors.length === 0 ? findYamlKeyProblem(doc, MAX_ANCHORS) : undefined;
  if (keyProblem !== undefined) {
    const { line, col } = lineCounter.linePos(keyProblem.offset);
    const message =
      keyProblem.kind === 'too-many-anchors'
        ? `YAML could not be read: more than ${keyProblem.limit} anchors and aliases`
        : // Read without merge keys (YAML 1.2), so no `bad-merge`: a repeated key.
          'YAML syntax error: Map keys must be unique';
    return { ok: false, problems: [{ code: 'yaml-syntax', path: [], line, col, message }] };
  }
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const offset = e.pos[0];
        const { line, col } = lineCounter.linePos(offset);
        return { code: 'yaml-syntax', path: [], line, col, message: `YAML syntax error: ${firstLine(e.message)}` };
      }),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, problems: [problem('yaml-syntax', `YAML could not be read: ${firstLine(message)}`)] };
  }
  return { ok: true, doc: sourceDocument(doc, lineCounter, value) };
}

function sourceDocument(doc: Document.Parsed, lc: LineCounter, value: unknown): SourceDocument {
  const find = (path: readonly (string | number)[], key: boolean): { node: Node | null; found: boolean } => {
    let node: unknown = doc.contents;
    let last: Node | null = doc.contents;
    for (let i = 0; i < path.length; i++) {
      if (isAlias(node)) node = node.resolve(doc);
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return { node: last, found: false };
        const keyNode = pair.key as Node;
        if (i === path.length - 1 && key) return { node: keyNode, found: true };
        node = pair.value ?? keyNode;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        node = node.items[seg];
      } else {
        return { node: last, found: false };
      }
      if (isScalar(node) || isMap(node) || isSeq(node) || isAlias(node)) last = node;
    }
    return { node: last, found: true };
  };
  return {
    value,
    locate(path, opts = {}) {
      const { node } = find(path, opts.key === true);
      const offset = node?.range?.[0] ?? 0;
      return lc.linePos(offset);
    },
    has(path) {
      return find(path, true).found;
    },
  };
}

function problem(code: ConfigProblem['code'], message: string): ConfigProblem {
  return { code, path: [], line: 1, col: 1, message };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
