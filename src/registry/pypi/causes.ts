import type { Finding, Location } from '../../core/finding.js';
import { groupCauses, MAX_RELATED } from '../../core/group-causes.js';
import type { PackageNode } from '../../core/records.js';
import { redactUrls } from '../../deps/checks/finding.js';
import type { PackageOutcome } from '../../verify/pypi/check-package.js';

/** What the stage knows of one package once asked: the package, the index it was asked, the outcome. */
export interface AskedPackage {
  readonly pkg: PackageNode;
  readonly client: { readonly indexUrl: string };
  readonly out: PackageOutcome;
}

/** The per-index causes that leave packages unchecked, each one finding per index with the count. */
const PER_INDEX: readonly { ruleId: string; has: (o: PackageOutcome) => boolean; says: string; todo: string }[] = [
  {
    ruleId: 'CPP090',
    has: (o) => o.unhashed !== undefined,
    says: 'lists their locked files without a hash in an algorithm the lockfile pins, so nothing says the pinned hashes are what it serves',
    todo: 'Use an index that publishes sha256 digests on its simple pages.',
  },
  {
    ruleId: 'CPP092',
    has: (o) => o.unattested !== undefined,
    says: 'lists PEP 740 provenance for their locked files but does not serve it from its Integrity API (/integrity/…/provenance), so the attestations were not checked',
    todo: 'Verify against an index that serves the attestations it lists (PyPI does), or ask the mirror to proxy /integrity/.',
  },
];

/** CPP090 / CPP092: one finding per cause and index, with the count. */
export function perIndexFindings(outcomes: readonly AskedPackage[]): Finding[] {
  return PER_INDEX.flatMap((cause) => {
    const byIndex = new Map<string, PackageNode[]>();
    for (const o of outcomes) {
      if (!cause.has(o.out)) continue;
      const list = byIndex.get(o.client.indexUrl) ?? [];
      list.push(o.pkg);
      byIndex.set(o.client.indexUrl, list);
    }
    return [...byIndex]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([index, pkgs]): Finding => {
        const first = pkgs[0]!;
        const n = pkgs.length;
        return {
          ruleId: cause.ruleId,
          message: redactUrls(
            `${n} Python package${n === 1 ? ' was' : 's were'} not checked: the index ${index} ${cause.says}. ${cause.todo}`,
          ),
          location: { path: first.lockfile, line: first.line },
          artifact: { kind: 'file', path: first.lockfile },
          evidence: { ecosystem: 'pypi', index: redactUrls(index), count: n, packages: names(pkgs) },
        };
      });
  });
}

/**
 * CPP091: an index that answered "no such project" for every package it was asked about (two or more) has a wrong
 * URL, or hides its projects from these credentials (Nexus and Artifactory answer 404 without read access): one
 * finding per lockfile and index, the CPP051s of its packages as members, as CPD158 does for npm registries.
 */
export function groupMissingProjects(findings: Finding[], outcomes: readonly AskedPackage[]): Finding[] {
  const asked = new Map<string, { all: number; missing: number }>();
  for (const o of outcomes) {
    const e = asked.get(o.client.indexUrl) ?? { all: 0, missing: 0 };
    e.all++;
    if (o.out.findings.some((f) => f.ruleId === 'CPP051')) e.missing++;
    asked.set(o.client.indexUrl, e);
  }
  const none = new Set([...asked].filter(([, e]) => e.missing === e.all).map(([index]) => index));
  if (none.size === 0) return findings;
  const causeOf = (f: Finding) => {
    const index = f.evidence?.index;
    return f.ruleId === 'CPP051' && typeof index === 'string' && none.has(index)
      ? `${f.location.path}\0${index}`
      : undefined;
  };
  return groupCauses(findings, causeOf, () => 2, summariseMissing) ?? findings;
}

function summariseMissing(list: readonly Finding[]): Finding {
  const sorted = [...list].sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0));
  const first = sorted[0]!;
  const index = String(first.evidence?.index);
  const n = sorted.length;
  const specs = sorted.map((f) => (f.artifact?.kind === 'package' ? `${f.artifact.name}==${f.artifact.version}` : ''));
  const related: Location[] = sorted.slice(0, MAX_RELATED).map((f) => f.location);
  return {
    ruleId: 'CPP091',
    message: redactUrls(
      `The index ${index} has none of the ${n} Python packages of ${first.location.path} it was asked for: its URL is wrong (a simple index ends in /simple/), or it hides them from these credentials. pip would not install them from there; fix the index configuration.`,
    ),
    location: first.location,
    artifact: { kind: 'file', path: first.location.path },
    evidence: { ecosystem: 'pypi', index, count: n, packages: specs.slice(0, 100).join(' ') },
    related,
    members: sorted,
  };
}

/** The `name==version` list of evidence: sorted, unique, at most 100. */
export function names(pkgs: readonly PackageNode[]): string {
  return [...new Set(pkgs.map((p) => `${p.name}==${p.version}`))].sort().slice(0, 100).join(' ');
}
