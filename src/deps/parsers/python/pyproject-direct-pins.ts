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
    const pin = pinOf(strOf(spec.git), strOf(spec.rev), strOf(spec.url));
    if (pin) out.set(normalizeName(name), pin);
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
      const file = strOf(spec.file);
      const pin = pinOf(
        strOf(spec.git),
        strOf(spec.ref),
        file !== undefined && /^https?:\/\//i.test(file) ? file : undefined,
      );
      if (pin) out.set(normalizeName(name), pin);
    }
  }
  return out;
}

/** A git repository (at a full commit, when `ref` is one) before an archive URL; none without either. */
function pinOf(git: string | undefined, ref: string | undefined, url: string | undefined): DirectPin | undefined {
  if (git !== undefined) {
    const commit = fullCommit(ref);
    return { kind: 'git', url: git, ...(commit ? { commit } : {}) };
  }
  return url !== undefined ? { kind: 'url', url } : undefined;
}
