import { assertStringsBounded, isTable, namedTables, parseToml, strOf } from './toml.js';
import { fullCommit, toDistributions, lockedEntry } from './dist.js';
import { lineOfKey } from './uv.js';
import type { PyEdge, PyPackage, PySource, PythonLock } from './types.js';
import { normalizeName, parseRequirement } from './pep508.js';
import { PyLockError } from './types.js';

/** The VCS keys PDM writes for a VCS requirement (`VcsRequirement.vcs`). */
const VCS = ['git', 'hg', 'svn', 'bzr'] as const;

/**
 * PDM's lockfile (`[metadata] lock_version` 4.x): `[[package]]` tables written by `Candidate.as_lockfile_entry` —
 * `name`, `version`, `files = [{file|url, hash}]`, `groups`, and for a non-index source one of `git`/`hg`/`svn`/`bzr`
 * (with `ref` as asked and `revision`, the commit PDM checks out), `url` (a direct archive) or `path` (with
 * `editable`). Indexes are not recorded: PDM installs from the sources pyproject.toml names. A major version other
 * than 4 is refused, as PDM refuses it (`FLAG_…` / `lockfile.compatibility()`).
 */
export function parsePdmLock(file: string, text: string): PythonLock {
  assertStringsBounded(file, text);
  const doc = parseToml(file, text);
  const meta = isTable(doc.metadata) ? doc.metadata : {};
  const lockVersion = strOf(meta.lock_version) ?? '';
  if (!/^4\.\d+(\.\d+)?$/.test(lockVersion)) {
    throw new PyLockError(
      'LOCKFILE_UNSUPPORTED',
      file,
      `PDM lock_version "${lockVersion.slice(0, 20)}" is not one chainproof reads (4.x)`,
      lineOfKey(text, 'lock_version') ?? lineOfKey(text, '\\[metadata\\]'),
    );
  }
  const edges: PyEdge[] = [];
  const packages: PyPackage[] = namedTables(file, text, doc, 'package').map(({ entry, name, line }): PyPackage => {
    edges.push(...pdmEdges(entry, name));
    const [source, url] = sourceOf(entry);
    const commit = source === 'vcs' ? fullCommit(strOf(entry.revision)) : undefined;
    const groups = Array.isArray(entry.groups) ? entry.groups.filter((g) => typeof g === 'string') : undefined;
    return {
      ...lockedEntry({ name, version: strOf(entry.version), file, line, source, url, commit }),
      distributions: toDistributions(Array.isArray(entry.files) ? entry.files : []),
      ...(strOf(entry.marker) !== undefined ? { markers: strOf(entry.marker)! } : {}),
      ...(entry.editable === true ? { editable: true } : {}),
      dev: groups !== undefined && groups.length > 0 && !groups.includes('default'),
      optional: false,
    };
  });
  const requiresPython = lockedPython(meta);
  return {
    file,
    kind: 'pdm',
    formatVersion: lockVersion,
    packages,
    projects: [],
    edges,
    indexes: [],
    requireHashes: false,
    problems: [],
    ...(requiresPython !== undefined ? { requiresPython } : {}),
  };
}

/**
 * The Pythons the lock is for: `[[metadata.targets]]` `requires_python` (lock_version 4.5, `pdm lock --python`; PDM's
 * `LockTargets`), a PEP 440 specifier. Several targets (`--append`) are a union PEP 440 cannot write: undefined, every
 * CPython 3 minor in range. A lock without targets was resolved for pyproject.toml's `requires-python`, which the
 * stage reads beside it (stage.ts `scanPythonFile`).
 */
function lockedPython(meta: Record<string, unknown>): string | undefined {
  const targets = Array.isArray(meta.targets) ? meta.targets : [];
  const only = targets.length === 1 && isTable(targets[0]) ? targets[0] : undefined;
  return strOf(only?.requires_python)?.trim() || undefined;
}

/**
 * The edges of one pdm.lock `[[package]]`: `dependencies`, the PEP 508 strings `Candidate.as_lockfile_entry` writes
 * from the candidate's requirements. An entry with `extras` is the package with those extras (PDM locks `name[extra]`
 * as an entry of its own whose dependencies are the extra's), so its edges are the extra's.
 */
function pdmEdges(entry: Record<string, unknown>, name: string): PyEdge[] {
  const from = normalizeName(name);
  const fromVersion = strOf(entry.version);
  const extras = Array.isArray(entry.extras) ? entry.extras.filter((e) => typeof e === 'string') : [];
  const out: PyEdge[] = [];
  for (const r of Array.isArray(entry.dependencies) ? entry.dependencies : []) {
    const req = typeof r === 'string' ? parseRequirement(r) : undefined;
    if (!req || normalizeName(req.name) === from) continue;
    out.push({
      from,
      ...(fromVersion !== undefined ? { fromVersion } : {}),
      to: normalizeName(req.name),
      ...(extras.length > 0 ? { extra: extras.map(normalizeName).join(',') } : {}),
    });
  }
  return out;
}

function sourceOf(entry: Record<string, unknown>): [PySource, string | undefined] {
  for (const vcs of VCS) {
    const repo = strOf(entry[vcs]);
    if (repo !== undefined) {
      const ref = strOf(entry.revision) ?? strOf(entry.ref);
      return ['vcs', `${vcs}+${repo.replace(/^[a-z]+\+/i, '')}${ref !== undefined ? `@${ref}` : ''}`];
    }
  }
  if (strOf(entry.url) !== undefined) {
    const url = strOf(entry.url)!;
    return [/^file:/i.test(url) ? 'path' : 'url', url];
  }
  if (strOf(entry.path) !== undefined) return ['path', strOf(entry.path)];
  return ['index', undefined];
}
