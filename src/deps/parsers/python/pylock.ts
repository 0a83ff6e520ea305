import { normalizeName } from './pep508.js';
import { assertStringsBounded, isTable, namedTables, parseToml, strOf } from './toml.js';
import { fullCommit, toDistribution, toDistributions, lockedEntry } from './dist.js';
import { lineOfKey } from './uv.js';
import type { AttestationIdentity, PyPackage, PySource, PythonLock } from './types.js';
import { PyLockError } from './types.js';

/** uv reads a pylock file's `path` beside its `url` (newer releases take the path first). */
const PYLOCK_FILES = { pathWithUrl: true } as const;

/**
 * pylock.toml (PEP 751, `lock-version = "1.0"`): `[[packages]]` with `version`, `index`, `sdist`, `wheels` (url,
 * size, `hashes` table), or one of `vcs`, `directory`, `archive`. PEP 751 says a tool must refuse a major version it
 * does not know; a `directory` with `editable = true` at the lock's own folder is the project.
 */
export function parsePylock(file: string, text: string): PythonLock {
  assertStringsBounded(file, text);
  const doc = parseToml(file, text);
  const lockVersion = strOf(doc['lock-version']) ?? '';
  if (!/^1\.\d+$/.test(lockVersion)) {
    throw new PyLockError(
      'LOCKFILE_UNSUPPORTED',
      file,
      `pylock lock-version "${lockVersion.slice(0, 20)}" is not one chainproof reads (1.x)`,
      lineOfKey(text, 'lock-version'),
    );
  }
  const packages: PyPackage[] = [];
  const projects: string[] = [];
  namedTables(file, text, doc, 'packages').forEach(({ entry, name, line }) => {
    const dir = isTable(entry.directory) ? entry.directory : undefined;
    if (dir && dir.editable === true && (dir.path === '.' || dir.path === './')) {
      projects.push(normalizeName(name));
      return;
    }
    const [source, url] = sourceOf(entry);
    const archive = toDistribution(entry.archive, PYLOCK_FILES);
    // PEP 751: `[packages.vcs] commit-id` is the exact commit installed; `requested-revision` is only what was asked.
    const commit = isTable(entry.vcs) ? fullCommit(strOf(entry.vcs['commit-id'])) : undefined;
    const identities = attestationIdentities(entry['attestation-identities']);
    packages.push({
      ...lockedEntry({ name, version: strOf(entry.version), file, line, source, url, commit }),
      distributions: [
        ...toDistributions(
          [entry.sdist, ...(Array.isArray(entry.wheels) ? (entry.wheels as unknown[]) : [])],
          PYLOCK_FILES,
        ),
        ...(archive ? [archive] : []),
      ],
      ...(strOf(entry.marker) !== undefined ? { markers: strOf(entry.marker)! } : {}),
      ...(dir?.editable === true ? { editable: true } : {}),
      ...(identities.length > 0 ? { attestationIdentities: identities } : {}),
      dev: false,
      optional: false,
    });
  });
  return {
    file,
    kind: 'pylock',
    formatVersion: lockVersion,
    packages,
    projects,
    indexes: [],
    requireHashes: false,
    problems: [],
    ...(strOf(doc['requires-python']) !== undefined ? { requiresPython: strOf(doc['requires-python'])! } : {}),
  };
}

/** At most this many identities per package are kept (a project has a handful of Trusted Publishers). */
const MAX_IDENTITIES = 16;

/**
 * PEP 751 `[[packages.attestation-identities]]`: tables whose required `kind` names the PEP 740 publisher type and
 * whose other keys are that publisher's fields (GitHub `repository` / `workflow` / `environment`, GitLab
 * `repository` / `workflow_filepath` / `environment`, Google `email`). Only string fields are kept; a table without a
 * string `kind` is no identity.
 */
function attestationIdentities(value: unknown): AttestationIdentity[] {
  if (!Array.isArray(value)) return [];
  const out: AttestationIdentity[] = [];
  for (const t of value.slice(0, MAX_IDENTITIES)) {
    if (!isTable(t) || typeof t.kind !== 'string') continue;
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(t)) if (typeof v === 'string') fields[k] = v;
    out.push({ ...fields, kind: t.kind });
  }
  return out;
}

function sourceOf(entry: Record<string, unknown>): [PySource, string | undefined] {
  if (isTable(entry.vcs)) return ['vcs', strOf(entry.vcs.url) ?? strOf(entry.vcs.path)];
  if (isTable(entry.directory)) return ['directory', strOf(entry.directory.path)];
  if (isTable(entry.archive)) {
    const url = strOf(entry.archive.url);
    return url !== undefined ? ['url', url] : ['path', strOf(entry.archive.path)];
  }
  return ['index', strOf(entry.index)];
}
