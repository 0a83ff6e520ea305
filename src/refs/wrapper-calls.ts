import { lineIndex } from './text.js';
import type { FileReferences } from './types.js';

/**
 * The rewriting both wrapper passes share (python-wrappers.ts, javascript-wrappers.ts): a caller's calls of wrappers
 * replaced in place by the loader calls they make, on the same lines, the loaders' imports appended.
 */

/**
 * A wrapper call read: its place in the caller (`line`, `column`) and in the rewritten text (`rewritten`), where an
 * earlier call on the same line rewritten longer or shorter has moved its column.
 */
export interface WrapperCall<W> {
  readonly line: number;
  readonly column: number;
  readonly rewritten: { readonly line: number; readonly column: number };
  readonly wrapper: W;
}

/** A caller's text with its wrapper calls rewritten; `unread`: wrappers it uses otherwise than by a call read here. */
export interface ExpandedWrapperCalls<W> {
  readonly text: string;
  readonly calls: readonly WrapperCall<W>[];
  readonly unread: ReadonlySet<W>;
}

/** One call to rewrite: the caller's text from..to becomes `call` (the loader call, one line or more). */
export interface CallEdit<W> {
  readonly from: number;
  readonly to: number;
  readonly call: string;
  readonly wrapper: W;
}

const lineCount = (s: string) => s.split('\n').length - 1;

/** `call` padded to the lines of `written` (every later reference keeps its line), or undefined if it has more. */
export function sameLines(written: string, call: string): string | undefined {
  const pad = lineCount(written) - lineCount(call);
  return pad < 0 ? undefined : call.slice(0, -1) + '\n'.repeat(pad) + ')';
}

/**
 * `text` with `edits` made and each wrapper's import appended; `uses`: every use of a wrapper by where it starts, of
 * which a call rewritten here takes its own out. A call inside another's arguments goes with the outer one, unread.
 */
export function rewriteCalls<W extends { readonly importStatement: string }>(
  text: string,
  edits: readonly CallEdit<W>[],
  uses: Map<number, W>,
): ExpandedWrapperCalls<W> | undefined {
  if (edits.length === 0 && uses.size === 0) return undefined;
  let out = '';
  let at = 0;
  const done: (CallEdit<W> & { outFrom: number })[] = [];
  for (const e of [...edits].sort((a, b) => a.from - b.from)) {
    if (e.from < at) continue;
    out += text.slice(at, e.from);
    done.push({ ...e, outFrom: out.length });
    out += e.call;
    at = e.to;
    uses.delete(e.from);
  }
  const imports = [...new Set(done.map((e) => e.wrapper.importStatement))].sort();
  out += `${text.slice(at)}\n${imports.join('\n')}\n`;
  const place = lineIndex(text);
  const placeOut = lineIndex(out);
  return {
    text: out,
    calls: done.map((e) => ({ ...place(e.from), rewritten: placeOut(e.outFrom), wrapper: e.wrapper })),
    unread: new Set(uses.values()),
  };
}

/**
 * What the finder found in the rewritten text at the wrapper calls only (the rest the first reading found), placed back
 * at each call in the caller, the wrapper's module among the modules that decided it (`definedIn`).
 */
export function atWrapperCalls<W extends { readonly module: string }>(
  refs: FileReferences,
  calls: readonly WrapperCall<W>[],
): FileReferences {
  const at = new Map(calls.map((c) => [`${c.rewritten.line}:${c.rewritten.column}`, c]));
  const callAt = (r: { line: number; column: number }) => at.get(`${r.line}:${r.column}`);
  return {
    references: refs.references.flatMap((r) => {
      const c = callAt(r);
      if (!c) return [];
      const modules = new Set([c.wrapper.module, ...(r.definedIn?.split(', ') ?? [])]);
      return [{ ...r, line: c.line, column: c.column, definedIn: [...modules].sort().join(', ') }];
    }),
    dynamic: refs.dynamic.flatMap((d) => {
      const c = callAt(d);
      return c ? [{ ...d, line: c.line, column: c.column }] : [];
    }),
  };
}
