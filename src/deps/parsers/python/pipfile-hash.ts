import { createHash } from 'node:crypto';
import { pythonJsonDumps } from './poetry-content-hash.js';
import { isTable, parseToml } from './toml.js';

/** Pipfile sections that are not hashed as themselves (plette `PIPFILE_SECTIONS` and the names pipenv reserves). */
const NOT_HASHED_AS_IS = new Set([
  'source',
  'requires',
  'packages',
  'dev-packages',
  'scripts',
  'pipenv',
  'default',
  'develop',
]);

/**
 * The `_meta.hash.sha256` pipenv writes for a Pipfile: plette's `Pipfile.get_hash` — sha256 of
 * `json.dumps({_meta: {sources, requires}, default: packages, develop: dev-packages, <other categories>},
 * sort_keys=True, separators=(",", ":"))`. Undefined when the Pipfile does not parse or holds a value this cannot
 * spell as Python does. Reproduces the lock of the corpus' real Pipfile.
 */
export function pipfileHash(file: string, text: string): string | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(file, text);
  } catch {
    return undefined;
  }
  // pipenv fills in a default source when the Pipfile names none; that case is not reproduced here.
  if (!Array.isArray(doc.source)) return undefined;
  const data: Record<string, unknown> = {
    _meta: { sources: doc.source, requires: isTable(doc.requires) ? doc.requires : {} },
    default: isTable(doc.packages) ? doc.packages : {},
    develop: isTable(doc['dev-packages']) ? doc['dev-packages'] : {},
  };
  for (const [category, values] of Object.entries(doc)) if (!NOT_HASHED_AS_IS.has(category)) data[category] = values;
  const json = pythonJsonDumps(data, ',', ':');
  return json === undefined ? undefined : createHash('sha256').update(json, 'utf8').digest('hex');
}
