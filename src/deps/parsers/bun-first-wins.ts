import { parseTree, type Node } from 'jsonc-parser';
import { LockfileError } from '../types.js';

/** What parseBun reads from a bun.lock that writes some key twice, the way Bun reads it. */
export interface FirstWinsRead {
  readonly data: Record<string, unknown>;
  /** `\0<top-level key>`, `packages\0<key>`, `workspaces\0<key>` → 1-based line of the copy Bun reads. */
  readonly lines: Map<string, number>;
  /** Top-level keys written again: Bun never reads the later copy. */
  readonly duplicateKeys: { key: string; line: number }[];
}

/** The sections whose keys Bun puts in a map and refuses to see twice (bun.lock.zig `parseIntoBinaryLockfile`). */
const REFUSED = new Map([
  ['packages', 'Duplicate package path'],
  ['workspaces', 'Duplicate root package / workspace name'],
]);

/**
 * Bun's JSON reader keeps every property of an object, repeated ones included (json.zig only warns "Duplicate key"),
 * and `Expr.get` / `asProperty` return the first: a second top-level `packages` section is never read. Within
 * `packages` and `workspaces` the parser walks every property and stops at a key it has seen (`pkg_map.getOrPut`:
 * "Duplicate package path"; "Duplicate root package"), so Bun refuses the lockfile: `--frozen-lockfile` fails and a
 * plain install resolves everything afresh. Only called when the fast line scan saw a repeated key.
 */
export function readBunFirstWins(file: string, text: string): FirstWinsRead {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const lineOf = lineFinder(text);
  const data: Record<string, unknown> = {};
  const lines = new Map<string, number>();
  const duplicateKeys: { key: string; line: number }[] = [];
  for (const [key, keyNode, value] of properties(root)) {
    const line = lineOf(keyNode.offset);
    if (Object.hasOwn(data, key)) {
      duplicateKeys.push({ key: `top-level "${key}"`, line });
      continue;
    }
    lines.set(`\0${key}`, line);
    define(data, key, toValue(value));
    const refusal = REFUSED.get(key);
    if (refusal === undefined || value?.type !== 'object') continue;
    for (const [entry, entryNode] of properties(value)) {
      const at = lineOf(entryNode.offset);
      if (lines.has(`${key}\0${entry}`))
        throw new LockfileError(
          'LOCKFILE_SHAPE',
          file,
          `"${key}" writes "${entry.slice(0, 200)}" twice; Bun refuses such a lockfile ("${refusal}"), so a frozen install stops and a plain one resolves every dependency afresh`,
          at,
        );
      lines.set(`${key}\0${entry}`, at);
    }
  }
  return { data, lines, duplicateKeys };
}

function* properties(node: Node | undefined): Generator<[string, Node, Node | undefined]> {
  if (node?.type !== 'object') return;
  for (const prop of node.children ?? []) {
    const [keyNode, value] = prop.children ?? [];
    if (keyNode !== undefined && typeof keyNode.value === 'string') yield [keyNode.value, keyNode, value];
  }
}

/** A node as Bun's `get` sees it: the first copy of a repeated key. No deeper than the parse that already ran. */
function toValue(node: Node | undefined): unknown {
  if (node === undefined) return undefined;
  if (node.type === 'array') return (node.children ?? []).map(toValue);
  if (node.type !== 'object') return node.value as unknown;
  const out: Record<string, unknown> = {};
  for (const [key, , value] of properties(node)) if (!Object.hasOwn(out, key)) define(out, key, toValue(value));
  return out;
}

/** An own property even for `__proto__` (attacker-chosen keys never reach a prototype). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Offset → 1-based line by binary search over the newline positions, found once. */
function lineFinder(text: string): (offset: number) => number {
  const newlines: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) newlines.push(i);
  return (offset) => {
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newlines[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}
