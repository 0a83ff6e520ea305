import { createHash } from 'node:crypto';
import { isTable } from './toml.js';

/** The `[tool.poetry]` keys whose content Poetry hashes; the first four are written even when absent (as null). */
const LEGACY_KEYS = ['dependencies', 'source', 'extras', 'dev-dependencies'];
const RELEVANT_KEYS = [...LEGACY_KEYS, 'group'];

/**
 * The `content-hash` Poetry writes into poetry.lock for this pyproject.toml, as `Locker._get_content_hash` computes
 * it for a project configured in `[tool.poetry]` only: sha256 of `json.dumps(relevant, sort_keys=True)` over
 * the relevant `[tool.poetry]` keys. A pyproject.toml with a PEP 621 `[project]` table or `[dependency-groups]` is
 * hashed differently by Poetry 2 and is not judged (undefined), nor is one holding TOML floats or dates, whose
 * Python `json.dumps` spelling this does not reproduce.
 */
export function poetryContentHash(doc: Record<string, unknown>): string | undefined {
  if (doc.project !== undefined || doc['dependency-groups'] !== undefined) return undefined;
  const poetry = isTable(doc.tool) && isTable(doc.tool.poetry) ? doc.tool.poetry : undefined;
  if (!poetry) return undefined;
  const relevant: Record<string, unknown> = {};
  for (const key of RELEVANT_KEYS) {
    const value = poetry[key];
    if (value === undefined && !LEGACY_KEYS.includes(key)) continue;
    relevant[key] = value ?? null;
  }
  const json = pythonJsonDumps(relevant);
  return json === undefined ? undefined : createHash('sha256').update(json, 'utf8').digest('hex');
}

/**
 * Python's `json.dumps(value, sort_keys=True)` with its defaults (or the `separators` given): `", "` and `": "`, keys sorted by code
 * point, `ensure_ascii` (every non-ASCII UTF-16 unit as `\uXXXX`). Undefined for a value it cannot spell the same.
 */
export function pythonJsonDumps(value: unknown, itemSep = ', ', keySep = ': '): string | undefined {
  const dumps = (v: unknown) => pythonJsonDumps(v, itemSep, keySep);
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
  if (Array.isArray(value)) {
    const parts = value.map(dumps);
    return parts.includes(undefined) ? undefined : `[${parts.join(itemSep)}]`;
  }
  if (isTable(value)) {
    const keys = Object.keys(value).sort(byCodePoint);
    const parts: string[] = [];
    for (const k of keys) {
      const v = dumps(value[k]);
      if (v === undefined) return undefined;
      parts.push(`${pyString(k)}${keySep}${v}`);
    }
    return `{${parts.join(itemSep)}}`;
  }
  return undefined;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const code = s.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function byCodePoint(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
