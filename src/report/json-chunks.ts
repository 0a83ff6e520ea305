/**
 * `JSON.stringify(value, null, 2) + '\n'`, produced piece by piece. A report of 300,000 findings is a 250 MB
 * string, and writing it needs a Buffer of the same size again: streaming the top levels (the report object, its
 * arrays, their items) keeps only one item's text alive at a time. Values below `streamDepth` are stringified
 * whole, re-indented to their place; reports are plain data (no toJSON, no cycles), so the pieces join to exactly
 * what JSON.stringify writes — test/report/json-chunks.test.ts compares them.
 */
export function* jsonChunks(value: unknown, streamDepth = 2): Generator<string> {
  yield* pieces(value, '', streamDepth);
  yield '\n';
}

function* pieces(value: unknown, indent: string, depth: number): Generator<string> {
  if (depth <= 0 || value === null || typeof value !== 'object') {
    yield whole(value, indent) ?? 'null';
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i === 0 ? '' : ','}\n${inner}`;
      // JSON.stringify writes null for array items it cannot represent.
      if (skipped(value[i])) yield 'null';
      else yield* pieces(value[i], inner, depth - 1);
    }
    yield `\n${indent}]`;
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
