/** Git LFS pointer files (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). */

/** The spec caps pointers well below this; anything larger is not a pointer. */
export const MAX_POINTER_BYTES = 1024;

export type LfsPointer =
  { readonly ok: true; readonly oid: string; readonly size: number } | { readonly ok: false; readonly reason: string };

/**
 * Parse a pointer: `version` first, then `key value` lines with keys in sorted order, `oid sha256:<64 hex>` and
 * a decimal `size`. Strict, like git-lfs itself: a malformed pointer is reported, not guessed at.
 */
export function parseLfsPointer(text: Buffer | string): LfsPointer {
  const s = typeof text === 'string' ? text : text.toString('utf8');
  if (s.length > MAX_POINTER_BYTES) return { ok: false, reason: `larger than ${MAX_POINTER_BYTES} bytes` };
  const lines = s.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const first = lines.shift();
  if (
    first === undefined ||
    !/^version https:\/\/git-lfs\.github\.com\/spec\/v1$|^version https:\/\/hawser\.github\.com\/spec\/v1$/.test(first)
  )
    return { ok: false, reason: 'first line is not a supported `version`' };
  let oid: string | undefined;
  let size: number | undefined;
  let lastKey = '';
  for (const line of lines) {
    const m = /^([a-z0-9.-]+) (.*)$/.exec(line);
    if (!m) return { ok: false, reason: `malformed line ${JSON.stringify(line.slice(0, 80))}` };
    const [, key, value] = m as unknown as [string, string, string];
    if (key <= lastKey) return { ok: false, reason: `keys out of order at ${key}` };
    lastKey = key;
    if (key === 'oid') {
      const o = /^sha256:([0-9a-f]{64})$/.exec(value);
      if (!o) return { ok: false, reason: 'oid is not sha256:<64 lowercase hex>' };
      oid = o[1];
    } else if (key === 'size') {
      if (!/^(0|[1-9]\d{0,15})$/.test(value)) return { ok: false, reason: 'size is not a decimal integer' };
      size = Number(value);
    }
  }
  if (oid === undefined) return { ok: false, reason: 'no oid line' };
  if (size === undefined) return { ok: false, reason: 'no size line' };
  return { ok: true, oid, size };
}
