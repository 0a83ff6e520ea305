import type { ResolvedFinding } from '../../core/finding.js';
import { withoutSaidOnce } from './said-once.js';

/**
 * The head scan's CPP070 for an index a pip.conf / uv.toml / pyproject.toml sets (python/checks/config-indexes.ts)
 * when the review's CPU025 (install-settings.ts) already reports the change pointing that same file at that host, at
 * the CPP070's level or higher: one cause — the change repointing the installer — said once, by the finding that shows
 * the setting at both revisions. A host the CPU025 does not name (another setting of the file, one the change did not
 * touch) keeps its CPP070.
 */
export function withoutRepointedIndexes(
  introduced: readonly ResolvedFinding[],
  reported: readonly ResolvedFinding[],
): ResolvedFinding[] {
  return withoutSaidOnce(
    introduced,
    reported,
    (f) => (f.ruleId === 'CPU025' ? hostsOf(f).map((host) => `${f.location.path}\0${host}`) : []),
    (f) => (f.ruleId === 'CPP070' ? `${f.location.path}\0${String(f.evidence?.['host'] ?? '')}` : undefined),
  );
}

/** The hosts a CPU025 sets (install-settings.ts `evidence.hosts`, space-separated, lower-cased as CPP070's `host`). */
function hostsOf(f: ResolvedFinding): string[] {
  return String(f.evidence?.['hosts'] ?? '')
    .split(' ')
    .filter((h) => h !== '');
}
