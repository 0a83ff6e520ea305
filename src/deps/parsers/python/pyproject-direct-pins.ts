import { normalizeName } from './pep508.js';
import { fullCommit } from './dist.js';
import { isTable, strOf } from './toml.js';

/** A dependency pyproject.toml ties to one git repository or one archive URL, whatever the platform. */
export interface DirectPin {
  readonly kind: 'git' | 'url';
  readonly url: string;
  /** A full commit id the manifest asks for (Poetry `rev`, uv `rev`), lower-cased. */
  readonly commit?: string;
}

/** Keys that make a uv source apply only sometimes: the other cases fall back to the index. */
const UV_CONDITIONS = ['marker', 'extra', 'group'];

/**
 * Poetry's `{ git = …, rev = … }` / `{ url = … }` dependency tables (main, `dev-dependencies`, groups) and uv's
 * `[tool.uv.sources]` `{ git = … }` / `{ url = … }` tables without a marker, extra or group. A list of constraint
 * tables (chosen by marker) pins nothing here. Normalised name → pin.
 */
export function directPins(doc: Record<string, unknown>): Map<string, DirectPin> {
  const tool = isTable(doc.tool) ? doc.tool : {};
  const poetry = isTable(tool.poetry) ? tool.poetry : {};
  const uv = isTable(tool.uv) ? tool.uv : {};
  const out = new Map<string, DirectPin>();
  const add = (name: string, spec: unknown, conditions: readonly string[]) => {
    if (!isTable(spec) || conditions.some((c) => spec[c] !== undefined)) return;
    const git = strOf(spec.git);
    const url = strOf(spec.url);
    const commit = fullCommit(strOf(spec.rev));
    if (git !== undefined) out.set(normalizeName(name), { kind: 'git', url: git, ...(commit ? { commit } : {}) });
    else if (url !== undefined) out.set(normalizeName(name), { kind: 'url', url });
  };
  const fromPoetry = (table: unknown) => {
    if (isTable(table)) for (const [name, spec] of Object.entries(table)) add(name, spec, []);
  };
  fromPoetry(poetry.dependencies);
  fromPoetry(poetry['dev-dependencies']);
  if (isTable(poetry.group)) for (const g of Object.values(poetry.group)) if (isTable(g)) fromPoetry(g.dependencies);
  if (isTable(uv.sources)) for (const [name, spec] of Object.entries(uv.sources)) add(name, spec, UV_CONDITIONS);
  return out;
}

/**
 * A Pipfile's `{ git = …, ref = … }` and `{ file = "https://…" }` entries of `[packages]` / `[dev-packages]` (pipenv
 * installs `git+<git>@<ref>` and the file URL as written). Normalised name → pin.
 */
export function pipfileDirectPins(doc: Record<string, unknown>): Map<string, DirectPin> {
  const out = new Map<string, DirectPin>();
  for (const section of [doc.packages, doc['dev-packages']]) {
    if (!isTable(section)) continue;
    for (const [name, spec] of Object.entries(section)) {
      if (!isTable(spec)) continue;
      const git = strOf(spec.git);
      const file = strOf(spec.file);
      const commit = fullCommit(strOf(spec.ref));
      if (git !== undefined) out.set(normalizeName(name), { kind: 'git', url: git, ...(commit ? { commit } : {}) });
      else if (file !== undefined && /^https?:\/\//i.test(file))
        out.set(normalizeName(name), { kind: 'url', url: file });
    }
  }
  return out;
}
