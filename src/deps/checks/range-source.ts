import semver from 'semver';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { strMap } from '../types.js';
import { redactUrls } from './finding.js';
import { overridesOf } from './overrides.js';
import type { LoadedManifest } from './sync.js';

const FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/**
 * The sources a range never resolves to, in the message's words. A local path counts too: npm ci installs a range's
 * entry whose `resolved` is a bare path or `file:` URL (checked with npm 11: depValid passes, pacote extracts the
 * file), but `npm install` resolves a range from the registry only.
 */
const FROM = { git: 'git', tarball: 'a tarball URL', file: 'a local path' } as const;

/**
 * CPD020: package.json asks for a registry version range (`^1.0.0`) and the lockfile installs that name from git or a
 * tarball URL or a local path. npm accepts it — arborist's `depValid` checks only that the entry's version satisfies the range, not
 * where it comes from — and yarn 1 / pnpm / bun install whatever the entry resolves to; but none of them writes such
 * an entry for a range without an override. It is an edited lockfile that keeps the version so nothing looks out of
 * sync. Workspaces (a range satisfied by a linked workspace) are normal and not reported.
 */
export function checkRangeSources(
  graph: DependencyGraph,
  parsed: ParsedLockfile,
  manifests: readonly LoadedManifest[],
): Finding[] {
  const overrides = overridesOf(manifests.find((m) => m.importer === '')?.data);
  const out: Finding[] = [];
  const seen = new Set<number>();
  for (const m of manifests) {
    for (const field of FIELDS) {
      for (const [name, spec] of Object.entries(strMap((m.data as Record<string, unknown>)[field]))) {
        if (overrides.has(name) || semver.validRange(spec, { loose: true }) === null) continue;
        const target = parsed.resolveDeclared(m.importer, name, spec);
        if (typeof target !== 'number' || seen.has(target)) continue;
        const node = graph.packages[target];
        if (node === undefined || !Object.hasOwn(FROM, node.source)) continue;
        seen.add(target);
        const line = m.lines.get(`${field}\0${name}`);
        out.push({
          ruleId: 'CPD020',
          message: `${m.file}${line !== undefined ? `:${line}` : ''} asks for ${name}@${spec} from the registry, but ${graph.lockfile}:${node.line} installs it from ${FROM[node.source as keyof typeof FROM]} (${redactUrls((node.resolved ?? '').slice(0, 200))}). The package manager accepts the entry because its version fits the range; it never writes one like it. Treat it as lockfile injection: delete the entry and reinstall from the registry.`,
          location: { path: graph.lockfile, line: node.line },
          artifact: { kind: 'package', name: node.name, version: node.version },
          evidence: {
            declared: spec,
            manifest: m.file,
            source: node.source,
            resolved: redactUrls((node.resolved ?? '').slice(0, 300)),
          },
        });
      }
    }
  }
  return out;
}
