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

/** JSON.stringify with 2-space indent, shifted right by `indent` (strings hold no raw newline, so this is safe). */
function whole(value: unknown, indent: string): string | undefined {
  const text = JSON.stringify(value, null, 2) as string | undefined;
  if (text === undefined || indent === '' || !text.includes('\n')) return text;
  return text.replace(/\n/g, `\n${indent}`);
}
