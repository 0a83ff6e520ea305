import { createHash } from 'node:crypto';
import { pythonJsonDumps } from './poetry-content-hash.js';
import { pythonTruth } from './python-truth.js';
import { isTable, parseToml } from './toml.js';
import type { DirectPin } from './pyproject-direct-pins.js';
import { pipfileDirectPins } from './pyproject-direct-pins.js';
import type { InstallArgument } from './install-arguments.js';

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
  const doc = parsePipfile(file, text);
  return doc === undefined ? undefined : hashOf(doc);
}

/** What chainproof reads from a Pipfile beside Pipfile.lock; undefined when it is not TOML. */
export interface PipfileFacts {
  readonly hash: string | undefined;
  /**
   * `[pipenv] install_search_all_sources`, as pipenv's `batch_install` reads `project.settings.get(…, False)`: by
   * Python truth. False (the default) installs each package from the one source its lock entry names, else the first.
   */
  readonly searchAllSources: boolean;
  /** Packages the Pipfile takes from one git repository or file URL (`pipfileDirectPins`). */
  readonly directPins: ReadonlyMap<string, DirectPin>;
}

export function readPipfile(file: string, text: string): PipfileFacts | undefined {
  const doc = parsePipfile(file, text);
  if (doc === undefined) return undefined;
  const settings = isTable(doc.pipenv) ? doc.pipenv : {};
  return {
    hash: hashOf(doc),
    searchAllSources: pythonTruth(settings.install_search_all_sources),
    directPins: pipfileDirectPins(doc),
  };
}

function parsePipfile(file: string, text: string): Record<string, unknown> | undefined {
  try {
    return parseToml(file, text);
  } catch {
    return undefined;
  }
}

function hashOf(doc: Record<string, unknown>): string | undefined {
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

/**
 * The `[packages]` / `[dev-packages]` entries of a Pipfile that install from a repository or a URL, as the requirement
 * lines pipenv hands pip (`Requirement.as_line`: `name @ git+<git>@<ref>`, `name @ <file>`; `editable = true` as
 * `-e git+<git>@<ref>#egg=<name>`), each at its line; none when the Pipfile is not TOML.
 */
export function pipfileRequirements(file: string, text: string): InstallArgument[] {
  const doc = parsePipfile(file, text);
  if (doc === undefined) return [];
  const lines = text.split('\n');
  const out: InstallArgument[] = [];
  for (const sectionName of ['packages', 'dev-packages']) {
    const section = doc[sectionName];
    if (!isTable(section)) continue;
    const header = lines.findIndex((l) => l.trim() === `[${sectionName}]`);
    for (const [name, spec] of Object.entries(section)) {
      if (!isTable(spec)) continue;
      const git = typeof spec.git === 'string' ? spec.git : undefined;
      const url = typeof spec.file === 'string' ? spec.file : undefined;
      const ref = typeof spec.ref === 'string' && spec.ref !== '' ? `@${spec.ref}` : '';
      const editable = spec.editable === true;
      const vcs = git === undefined ? undefined : `${git.startsWith('git+') ? git : `git+${git}`}${ref}`;
      // An editable VCS line is `-e git+<url>@<ref>#egg=<name>` (as_line): pip takes no `name @` after -e.
      const written =
        vcs !== undefined
          ? editable
            ? `${vcs}#egg=${name}`
            : `${name} @ ${vcs}`
          : url !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(url)
            ? `${name} @ ${url}`
            : undefined;
      if (written === undefined) continue;
      const at = lines.findIndex((l, i) => i > header && new RegExp(`^\\s*["']?${escapeRe(name)}["']?\\s*=`).test(l));
      out.push({ written, line: at + 1 || 1, editable });
    }
  }
  return out;
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
