import type { Finding } from '../../../../core/finding.js';
import { normalizePrefix } from '../../../checks/context.js';
import type { PyProject } from '../pyproject.js';
import type { PythonLock } from '../types.js';
import { pyPackageFinding } from './finding.js';

/**
 * CPP078: pyproject.toml pins a package to a named index (Poetry `source = "corp"`, uv `[tool.uv.sources] pkg =
 * { index = "corp" }`) but the lockfile beside it resolves the package from elsewhere. The installer follows the
 * lock, not the manifest: `poetry install` downloads from the source the lock's `[package.source]` names (no source =
 * PyPI, or the first source when PyPI is off: `poetry-pool.ts`) once the content-hash matches, and `uv sync --frozen` from the locked registry URL. A lock edited this way sends an
 * internal package to a public index while the reviewed manifest still reads right.
 */
export function checkPinnedIndexes(lock: PythonLock, project: PyProject | undefined): Finding[] {
  if (!project || (lock.kind !== 'poetry' && lock.kind !== 'uv')) return [];
  const cfg = project.indexConfig;
  const tool = lock.kind;
  const urlOf = new Map(cfg.indexes.filter((i) => i.tool === tool).map((i) => [i.name, i.url]));
  const out: Finding[] = [];
  for (const p of lock.packages) {
    // A pin that holds only for an extra, a group or a marker leaves the other locked entries on the default index.
    const pins = cfg.pinnedAlways.get(p.name)?.filter((name) => urlOf.has(name));
    if (!pins || pins.length === 0 || p.source !== 'index') continue;
    const locked = tool === 'poetry' ? (p.indexName ?? 'PyPI') : (p.url ?? 'https://pypi.org/simple');
    const agrees = pins.some(
      (name) =>
        sameUrl(urlOf.get(name)!, p.url) ||
        (tool === 'poetry' &&
          (name === p.indexName ||
            // Poetry writes no [package.source] for a package from PyPI, pinned to it or not.
            (name.toLowerCase() === 'pypi' && p.indexName === undefined && p.url === undefined))),
    );
    if (agrees) continue;
    out.push(
      pyPackageFinding(
        'CPP078',
        p,
        `is pinned to index ${pins.map((n) => `"${n}"`).join(' / ')} in ${project.file}, but the lockfile resolves it from ${locked}`,
        'The installer follows the lockfile: treat the lock as tampered with until explained, and re-lock from the manifest.',
        { pinnedTo: pins.join(' '), locked, manifest: project.file },
      ),
    );
  }
  return out;
}

function sameUrl(a: string, b: string | undefined): boolean {
  return b !== undefined && a !== '' && normalizePrefix(a) === normalizePrefix(b);
}
