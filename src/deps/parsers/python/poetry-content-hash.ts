import { createHash } from 'node:crypto';
import { isTable } from './toml.js';

/** The `[tool.poetry]` keys whose content Poetry hashes; the first four are written even when absent (as null). */
const LEGACY_KEYS = ['dependencies', 'source', 'extras', 'dev-dependencies'];
const RELEVANT_KEYS = [...LEGACY_KEYS, 'group'];
/** The PEP 621 `[project]` keys Poetry 2 hashes (`Locker._relevant_project_keys`). */
const PROJECT_KEYS = ['requires-python', 'dependencies', 'optional-dependencies'];

/** The content hashes Poetry versions write for one pyproject.toml; a lock is fresh for one when it records it. */
export interface PoetryContentHashes {
  /** Poetry 1.x: only `[tool.poetry]`, legacy keys at top level (`null` when absent). */
  readonly poetry1: string;
  /** Poetry 2.0–2.2: `[project]` keys beside `[tool.poetry]` once `[project]` has any. */
  readonly poetry2: string;
  /** Poetry 2.3+: also the PEP 735 `[dependency-groups]` table. */
  readonly poetry23: string;
}

/**
 * The `content-hash` Poetry writes into poetry.lock for this pyproject.toml, as `Locker._get_content_hash` computes
 * it in each line of releases: sha256 of `json.dumps(relevant, sort_keys=True)`. Poetry 1 hashes the relevant
 * `[tool.poetry]` keys with the legacy ones as null; Poetry 2.0 hashes `{"project": {…}, "tool": {"poetry": {…}}}`
 * once the PEP 621 `[project]` table has `requires-python`, `dependencies` or `optional-dependencies` (legacy keys
 * then only when set); Poetry 2.3 (python-poetry/poetry#10621) adds the top-level `dependency-groups`. Undefined when
 * the file holds TOML floats or dates there, whose Python `json.dumps` spelling this does not reproduce.
 */
export function poetryContentHashes(doc: Record<string, unknown>): PoetryContentHashes | undefined {
  // Poetry 2 reads a project from `[project]` alone; the missing `[tool.poetry]` is then `{}`.
  const poetry = isTable(doc.tool) && isTable(doc.tool.poetry) ? doc.tool.poetry : {};
  const project = isTable(doc.project) ? doc.project : {};
  const relevantProject: Record<string, unknown> = {};
  for (const key of PROJECT_KEYS) if (project[key] !== undefined) relevantProject[key] = project[key];
  const groups = doc['dependency-groups'];
  const hasGroups = isTable(groups) && Object.keys(groups).length > 0;
  const hasProject = Object.keys(relevantProject).length > 0;
  const poetryKeys = (withLegacyNulls: boolean) => {
    const out: Record<string, unknown> = {};
    for (const key of RELEVANT_KEYS) {
      const value = poetry[key];
      if (value === undefined && (!withLegacyNulls || !LEGACY_KEYS.includes(key))) continue;
      out[key] = value ?? null;
    }
    return out;
  };
  const legacy = poetryKeys(true);
  const poetry1 = sha256Json(legacy);
  const poetry2 = sha256Json(hasProject ? { project: relevantProject, tool: { poetry: poetryKeys(false) } } : legacy);
  const poetry23 = sha256Json(
    hasProject || hasGroups
      ? {
          ...(hasProject ? { project: relevantProject } : {}),
          ...(hasGroups ? { 'dependency-groups': groups } : {}),
          tool: { poetry: poetryKeys(false) },
        }
      : legacy,
  );
  if (poetry1 === undefined || poetry2 === undefined || poetry23 === undefined) return undefined;
  return { poetry1, poetry2, poetry23 };
}

function sha256Json(value: unknown): string | undefined {
  const json = pythonJsonDumps(value);
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
