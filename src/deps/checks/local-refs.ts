import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';

/**
 * CPD017 for paths that are no package entry: a pnpm importer `link:` (a workspace link, or an `overrides` value)
 * and a pnpm or bun `patchedDependencies` patch file. The package manager reads them where they point on the
 * installing machine; inside the repository they are reviewed code, outside they are not. One finding per distinct
 * path.
 */
export function checkLocalRefs(graph: DependencyGraph, parsed: ParsedLockfile): Finding[] {
  const root = path.posix.dirname(graph.lockfile);
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const ref of parsed.localRefs ?? []) {
    const target = outside(root, ref.path);
    if (target === undefined || seen.has(target)) continue;
    seen.add(target);
    const where = `${graph.lockfile}:${ref.line}`;
    out.push({
      ruleId: 'CPD017',
      message:
        ref.kind === 'link'
          ? `${ref.name} is linked from ${ref.path}, outside the repository, at ${where}. Move the package into the repository (a workspace) or depend on a published version: what is installed from outside the tree is not reviewed.`
          : `${ref.name} is patched at install time with ${ref.path}, a file outside the repository, at ${where}. Keep patches in the repository (${graph.kind === 'bun' ? 'bun patch --commit' : 'pnpm patch-commit'} writes them under patches/) and re-run ${graph.kind === 'bun' ? 'bun' : 'pnpm'} install.`,
      location: { path: graph.lockfile, line: ref.line },
      artifact: { kind: 'file', path: graph.lockfile },
      evidence: {
        [ref.kind === 'link' ? 'path' : 'patch']: ref.path.slice(0, 300),
        dependency: ref.name.slice(0, 200),
      },
    });
  }
  return out;
}

function outside(root: string, local: string): string | undefined {
  const p = local.replace(/\\/g, '/');
  if (p.startsWith('/') || p.startsWith('~') || /^[a-z]:\//i.test(p)) return p;
  const joined = path.posix.normalize(path.posix.join(root, p));
  return joined === '..' || joined.startsWith('../') ? joined : undefined;
}
