import semver from 'semver';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { Manifest, ParsedLockfile } from '../types.js';
import { strMap } from '../types.js';
import { parseAlias } from '../parsers/npm-common.js';
import { overridesOf } from './overrides.js';
import { packageArtifact } from '../../core/finding.js';
import { ecosystemOf } from '../../core/package-key.js';

/** A package.json read next to a lockfile, with the line of each declared dependency. */
export interface LoadedManifest {
  /** Workspace path relative to the lockfile folder ('' = root). */
  readonly importer: string;
  /** Repo-relative path of the package.json. */
  readonly file: string;
  readonly data: Manifest;
  /** `${field}\0${name}` → 1-based line. */
  readonly lines: ReadonlyMap<string, number>;
}

const CHECKED_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/** CPD014 declared but not locked; CPD015 locked outside the declared range, or under another specifier. */
export function checkSync(
  graph: DependencyGraph,
  parsed: ParsedLockfile,
  manifests: readonly LoadedManifest[],
): Finding[] {
  const out: Finding[] = [];
  // The package manager installs an overridden name by the override, not by the declared spec: check against it.
  const overrides = overridesOf(manifests.find((m) => m.importer === '')?.data, parsed.workspaceOverrides);
  for (const m of manifests) {
    const recorded = graph.importers[m.importer];
    const records = recorded !== undefined && Object.keys(recorded).length > 0;
    for (const field of CHECKED_FIELDS) {
      for (const [name, spec] of Object.entries(strMap((m.data as Record<string, unknown>)[field]))) {
        const line = m.lines.get(`${field}\0${name}`);
        const where = { path: m.file, ...(line !== undefined ? { line } : {}) };
        const base = { evidence: { declared: spec, lockfile: graph.lockfile, field } };
        const forced = overrides.get(name);
        const target =
          forced === undefined
            ? parsed.resolveDeclared(m.importer, name, spec)
            : (parsed.resolveDeclared(m.importer, name, spec) ??
              parsed.resolveDeclared(m.importer, name, forced) ??
              'unknown');
        const recordedSpec = recorded?.[name];
        if ((records && recordedSpec === undefined) || target === undefined) {
          out.push({
            ruleId: 'CPD014',
            message: `${m.file} declares ${name}@${spec} in ${field}, but ${graph.lockfile} does not lock it${m.importer !== '' ? ` for workspace ${m.importer}` : ''}. Run the package manager's install, commit the updated lockfile, and use a frozen install in CI.`,
            location: where,
            // The name for a group of them (systemic.ts CPD014).
            evidence: { ...base.evidence, dependency: `${name}@${spec}` },
          });
          continue;
        }
        const recordedAs = recordedSpec !== undefined ? normalSpec(recordedSpec, graph.kind) : undefined;
        if (
          recordedAs !== undefined &&
          recordedAs !== normalSpec(spec, graph.kind) &&
          (forced === undefined || (forced !== '*' && recordedAs !== normalSpec(forced, graph.kind)))
        ) {
          out.push({
            ruleId: 'CPD015',
            message: `${m.file} declares ${name}@${spec} in ${field}, but ${graph.lockfile} was generated for ${name}@${recordedSpec}. Re-run the install so the lockfile matches package.json, and review the diff.`,
            location: where,
            evidence: { ...base.evidence, recorded: recordedSpec ?? '' },
          });
          continue;
        }
        if (typeof target !== 'number') continue;
        const node = graph.packages[target];
        if (!node) continue;
        if (forced === '*') continue;
        // pnpm resolves `catalog:` through the catalog's range; the lockfile's `catalogs` says which it used.
        const effective = forced ?? (spec.startsWith('catalog:') ? (parsed.catalogRange?.(name, spec) ?? spec) : spec);
        const alias = parseAlias(effective);
        const range = alias ? alias[1] : effective;
        const version = semver.valid(node.version, { loose: true });
        if (version === null || semver.validRange(range, { loose: true }) === null) continue;
        if (
          !semver.satisfies(version, range, { includePrerelease: true, loose: true }) ||
          (alias && alias[0] !== node.name) ||
          // A plain range installs the package of that name; a lockfile that puts another package there (bun keys
          // by install folder and takes the package from the entry's `name@version`) swaps what the name imports.
          (!alias && node.name !== name)
        ) {
          out.push({
            ruleId: 'CPD015',
            message: `${graph.lockfile}:${node.line} locks ${name} at ${alias || node.name !== name ? `${node.name}@` : ''}${node.version}, outside ${spec} declared in ${m.file}. Re-run the install so the lockfile matches package.json, and review the diff.`,
            location: { path: graph.lockfile, line: node.line },
            artifact: packageArtifact(ecosystemOf(graph), node.name, node.version),
            evidence: { ...base.evidence, locked: node.version, manifest: m.file },
          });
        }
      }
    }
  }
  return graph.packages.length === 0 ? lockingNothing(graph, out) : out;
}

/**
 * A lockfile that locks no package at all (npm's `{}`, which arborist loads as a lockfile with empty `packages`)
 * leaves every declared dependency unlocked for one reason: one CPD014 per package.json, with the count and names,
 * instead of one per dependency.
 */
function lockingNothing(graph: DependencyGraph, findings: Finding[]): Finding[] {
  // The CPD014s by the package.json they stand in (each names its dependency in evidence).
  const byFile = new Map<string, Finding[]>();
  for (const f of findings)
    if (f.ruleId === 'CPD014') byFile.set(f.location.path, [...(byFile.get(f.location.path) ?? []), f]);
  const grouped = new Set([...byFile].filter(([, list]) => list.length > 1).map(([file]) => file));
  const out = findings.filter((f) => f.ruleId !== 'CPD014' || !grouped.has(f.location.path));
  for (const file of grouped) {
    const list = byFile.get(file) ?? [];
    const names = list.map((f) => String(f.evidence?.['dependency']));
    out.push({
      ruleId: 'CPD014',
      message: `${graph.lockfile} locks no package, so none of the ${list.length} dependencies ${file} declares (${names.slice(0, 20).join(', ')}${list.length > 20 ? ', …' : ''}) is locked: a frozen install stops and a plain install resolves every one at build time. Run the package manager's install, commit the lockfile it writes, and use a frozen install in CI.`,
      location: list[0]?.location ?? { path: file },
      evidence: { count: list.length, lockfile: graph.lockfile, dependencies: names.join(', ').slice(0, 1000) },
    });
  }
  return out;
}

/** yarn berry records plain ranges with the `npm:` protocol. */
function normalSpec(spec: string, kind: DependencyGraph['kind']): string {
  return kind === 'yarn-berry' && !/^[a-z]+:/i.test(spec) ? `npm:${spec}` : spec;
}
