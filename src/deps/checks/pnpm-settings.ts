import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { redactUrls } from './finding.js';

/**
 * CPD026: a pnpm lockfile resolved with other overrides, patches or package extensions than the configuration has
 * now (parsers/pnpm-settings.ts). One cause — the lockfile is stale against its settings — so one finding per
 * lockfile naming every field. pnpm's frozen install refuses it (ERR_PNPM_LOCKFILE_CONFIG_MISMATCH); a plain
 * install re-resolves, so the packages checked here are not what installs. Matching edits to both sides are no
 * mismatch: the lockfile then shows the forced versions and the other rules judge them.
 */
export function checkPnpmSettings(graph: DependencyGraph, parsed: ParsedLockfile): Finding[] {
  const list = parsed.pnpmSettingMismatches ?? [];
  const first = list[0];
  if (first === undefined) return [];
  const fields = list.map((m) => m.field).join(', ');
  return [
    {
      ruleId: 'CPD026',
      message: redactUrls(
        `${graph.lockfile} was resolved with other ${fields} than the package.json / pnpm-workspace.yaml configure now (${list.map((m) => `${m.field}: ${m.detail.slice(0, 300)}`).join('; ')}). \`pnpm install --frozen-lockfile\` stops with ERR_PNPM_LOCKFILE_CONFIG_MISMATCH, and a plain \`pnpm install\` re-resolves every dependency, so the packages this lockfile pins (and that were checked) are not what installs. Run \`pnpm install\`, review the lockfile diff and commit it with the configuration change.`,
      ),
      location: { path: graph.lockfile, line: first.line },
      artifact: { kind: 'file', path: graph.lockfile },
      evidence: {
        fields,
        detail: redactUrls(
          list
            .map((m) => `${m.field}: ${m.detail}`)
            .join('; ')
            .slice(0, 1000),
        ),
      },
      ...(list.length > 1 ? { related: list.slice(1).map((m) => ({ path: graph.lockfile, line: m.line })) } : {}),
    },
  ];
}
