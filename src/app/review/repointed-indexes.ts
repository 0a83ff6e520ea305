import { levelRank, type ResolvedFinding } from '../../core/finding.js';
import { hostOf } from '../../deps/parsers/python/checks/indexes.js';

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
  const said = new Map<string, number>();
  for (const f of reported) {
    if (f.ruleId !== 'CPU025') continue;
    for (const host of hostsIn(String(f.evidence?.['after'] ?? ''))) {
      const key = `${f.location.path}\0${host}`;
      said.set(key, Math.max(said.get(key) ?? 0, levelRank(f.level)));
    }
  }
  if (said.size === 0) return [...introduced];
  return introduced.filter(
    (f) =>
      f.ruleId !== 'CPP070' ||
      (said.get(`${f.location.path}\0${String(f.evidence?.['host'] ?? '')}`) ?? 0) < levelRank(f.level),
  );
}

/**
 * The hosts of the URLs in a CPU025's `after` evidence (`key=value` pairs, space-separated; a pip list value holds
 * several URLs separated by white space), lower-cased as CPP070's `host` is.
 */
function hostsIn(after: string): Set<string> {
  const out = new Set<string>();
  for (const token of after.split(/\s+/)) {
    // A setting's name (`global.index-url=`, `tool.uv.index.0.url=`) before its first value; a URL has a `:` first.
    const value = token.replace(/^[\w.-]+=/, '');
    if (/^https?:\/\//i.test(value)) out.add(hostOf(value));
  }
  return out;
}
