/**
 * `JSON.stringify(value, null, 2) + '\n'`, produced piece by piece. A report of 300,000 findings is a 250 MB
 * string, and writing it needs a Buffer of the same size again: streaming the top levels (the report object, its
 * arrays, their items) keeps only one batch of items' text alive at a time. Values below `streamDepth` are
 * stringified whole, re-indented to their place, up to ITEMS_PER_PIECE array items in one JSON.stringify call (one
 * call per item cost a wrapper, a slice and a piece each); reports are plain data (no toJSON but MappedItems', no
 * cycles), so the pieces join to exactly what JSON.stringify writes — test/report/json-chunks.test.ts compares them.
 */
export function* jsonChunks(value: unknown, streamDepth = 2): Generator<string> {
  yield* pieces(value, '', streamDepth);
  yield '\n';
}

/**
 * Array items stringified together: enough to amortise the call, few enough that a piece of findings (about 1 KB
 * each in a flood) stays well under V8's largest young-generation object (128 KiB). A larger string is made in
 * large-object space, which only a full collection frees: at 128 items a piece, the 300k-finding JSON report grew
 * the old generation by 170 MB of dead pieces (issue 18, peak 535 -> 460 MiB at 32).
 */
export const ITEMS_PER_PIECE = 32;

/** V8's kMaxRegularHeapObjectSize: a string longer than this (in one-byte characters) is born in the old generation. */
export const YOUNG_OBJECT_LIMIT = 128 * 1024;

/**
 * An array written as `source.map(map)` without building it: jsonChunks maps one piece's items at a time, so a
 * report holds one mapped batch, not 300k mapped findings. Anywhere else (JSON.stringify) it is the mapped array.
 */
export class MappedItems<S> {
  constructor(
    readonly source: readonly S[],
    readonly map: (item: S) => unknown,
  ) {}
  toJSON(): unknown[] {
    return this.source.map((x) => this.map(x));
  }
}

function* pieces(value: unknown, indent: string, depth: number): Generator<string> {
  if (depth <= 0 || value === null || typeof value !== 'object') {
    yield whole(value, indent) ?? 'null';
    return;
  }
  const inner = `${indent}  `;
  if (value instanceof MappedItems) {
    yield* arrayPieces(value.source, value.map, indent, depth);
    return;
  }
  if (Array.isArray(value)) {
    yield* arrayPieces(value as readonly unknown[], undefined, indent, depth);
    return;
  }
  let first = true;
  for (const [key, v] of Object.entries(value)) {
    if (skipped(v)) continue; // as JSON.stringify: an undefined or function property is left out
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* pieces(v, inner, depth - 1);
  }
  yield first ? '{}' : `\n${indent}}`;
}

function* arrayPieces<S>(
  items: readonly S[],
  map: ((item: S) => unknown) | undefined,
  indent: string,
  depth: number,
): Generator<string> {
  if (items.length === 0) {
    yield '[]';
    return;
  }
  const inner = `${indent}  `;
  yield '[';
  if (depth - 1 > 0) {
    for (let i = 0; i < items.length; i++) {
      yield `${i === 0 ? '' : ','}\n${inner}`;
      const item = map ? map(items[i]!) : items[i];
      // JSON.stringify writes null for array items it cannot represent.
      if (skipped(item)) yield 'null';
      else yield* pieces(item, inner, depth - 1);
    }
  } else {
    for (let at = 0; at < items.length; at += ITEMS_PER_PIECE) {
      const batch = items.slice(at, at + ITEMS_PER_PIECE);
      // "[\n<inner>a,\n<inner>b\n<indent>]" with the brackets cut off is the items in place; JSON.stringify
      // itself writes null for the items it cannot represent.
      const text = whole(map ? batch.map(map) : batch, indent)!;
      yield `${at === 0 ? '' : ','}${text.slice(1, text.length - indent.length - 2)}`;
    }
  }
  yield `\n${indent}]`;
}

const skipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/**
 * JSON.stringify with 2-space indent, shifted right by `indent`: stringified inside as many one-item arrays as the
 * indent has levels, so JSON.stringify itself indents it, and the wrapper is sliced off (a slice shares the text).
 */
function whole(value: unknown, indent: string): string | undefined {
  // JSON.stringify's type says string, but it returns undefined for what JSON cannot hold.
  const direct: (v: unknown) => string | undefined = (v) => JSON.stringify(v, null, 2);
  if (indent === '' || value === null || typeof value !== 'object') return direct(value);
  let wrapped: unknown = value;
  for (let i = 0; i < indent.length; i += 2) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  // "[\n  [\n    " … "\n  ]\n]": each level adds its bracket, a newline and its indent at both ends.
  let head = 0;
  let tail = 0;
  for (let i = 0; i < indent.length; i += 2) {
    head += 2 + i + 2;
    tail += 2 + i;
  }
  return text.slice(head, text.length - tail);
}
