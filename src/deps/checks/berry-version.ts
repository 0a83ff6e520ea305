import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { packageFinding } from './finding.js';

/**
 * CPD010 for a yarn berry entry whose `version` names another version than its `resolution`: yarn fetches the
 * resolution's (Project.setupResolutions → NpmSemverFetcher.getLocatorUrl) and never writes the two apart, so the
 * entry was edited to show a reviewer one version while another installs. The package's `version` is already the
 * resolution's (parsers/yarn-berry.ts), so every other check judges what installs.
 */
export function checkBerryVersions(graph: DependencyGraph, parsed: ParsedLockfile): Finding[] {
  if (graph.kind !== 'yarn-berry') return [];
  const out: Finding[] = [];
  graph.packages.forEach((node, i) => {
    const field = parsed.nodes[i]?.versionField;
    if (field === undefined) return;
    out.push(
      packageFinding(
        'CPD010',
        node,
        `is locked with version ${field.slice(0, 100) || '(none)'}, but its resolution makes yarn fetch ${node.name}@${node.version}`,
        'Treat as lockfile injection: delete the entry and regenerate it with yarn install.',
        { expected: `${node.name}@${field}`, actual: `${node.name}@${node.version}` },
      ),
    );
  });
  return out;
}
