import { normalizePrefix } from '../../checks/context.js';
import { DEFAULT_PYPI_INDEX } from '../../../registry/pypi/config.js';
import type { IndexConfig } from './pyproject-indexes.js';
import type { PyPackage, PythonLock } from './types.js';

/**
 * Whether `uv sync` (without `--locked` / `--frozen`) resolves again instead of installing uv.lock as it stands
 * (uvUnconfiguredPackages finds a package).
 */
export function uvLockReresolves(lock: PythonLock, config: IndexConfig): boolean {
  return uvUnconfiguredPackages(lock, config).length > 0;
}

/**
 * The locked index packages that make `uv sync` resolve again: `Lock::satisfies` answers `MissingRemoteIndex` for a
 * package locked from a registry URL that none of the configured indexes is — the project's `[[tool.uv.index]]`
 * (explicit ones too), `[tool.uv] index-url` / `extra-index-url`, and PyPI unless one of them is the default
 * (`IndexLocations::allowed_indexes`) — and `ValidatedLock::validate` then keeps the lock as a preference only: what
 * is installed is resolved from the project's indexes. With no index configured at all (`IndexLocations::is_none`)
 * uv skips the comparison ("we assume that the user wants to reuse the existing distributions") and installs the
 * lock as it stands: none.
 */
export function uvUnconfiguredPackages(lock: PythonLock, config: IndexConfig): PyPackage[] {
  const declared = config.indexes.filter((i) => i.tool === 'uv');
  if (declared.length === 0) return [];
  // Compared as uv compares them: without credentials (`UrlString` of `without_credentials`).
  const remotes = new Set(declared.map((i) => normalizePrefix(i.url)));
  if (!declared.some((i) => i.priority === 'default')) remotes.add(normalizePrefix(DEFAULT_PYPI_INDEX));
  return lock.packages.filter(
    (p) =>
      p.source === 'index' && p.url !== undefined && /^https?:/i.test(p.url) && !remotes.has(normalizePrefix(p.url)),
  );
}
