import { compare, valid } from '@renovatebot/pep440';
import type { Verifier } from '@sigstore/verify';
import type { Finding } from '../../core/finding.js';
import type { PythonPublisherRequirement } from '../../core/policy.js';
import type { PackageNode, VerificationStatus } from '../../core/records.js';
import type { PypiClient } from '../../registry/pypi/client.js';
import { listedWithMore } from '../../core/plural.js';
import { pyFinding } from './finding.js';
import type { IndexFile } from './index-files.js';
import { parseProjectPage } from './index-files.js';
import { samePep440Version } from '../../core/package-key.js';
import { provenanceWanted, verifyProvenance } from './check-provenance.js';
import { yankedRelease } from './yanked.js';
import { sourceOnlyRelease } from './builds.js';

export interface PackageOutcome {
  readonly findings: Finding[];
  readonly status: VerificationStatus;
  readonly detail: string;
  /** Set when the index could not be asked: a systemic cause, reported once per index. */
  readonly unreachable?: string;
  /** The index refused the scan's credentials (401/403 on the project page), as it would refuse pip's. */
  readonly refused?: true;
  /** The index does not list the project or the release: another index the installer searches may (CPP051/052). */
  readonly absent?: true;
  /** Locked files (or `alg:hash` pins) the index lists without a digest to compare: one cause per index (CPP090). */
  readonly unhashed?: readonly string[];
  /** Locked files the index lists as attested whose attestations it did not serve: one cause per index (CPP092). */
  readonly unattested?: readonly string[];
}

export interface PackageCheck {
  readonly client: PypiClient;
  readonly verifier: Verifier;
  /** Publishers the policy allows for this project; undefined = provenance not required. */
  readonly required: PythonPublisherRequirement['publishers'] | undefined;
  /** The policy lets this package run code on install (`dependencies.allowInstallScripts`); default none. */
  readonly buildAllowed?: (name: string) => boolean;
}

/**
 * Check one locked package against its index: the project and release exist, every locked file is published and
 * every locked hash is one the index publishes (a requirements `--hash` may be for any file of the release), then the
 * PEP 740 attestations of each locked file, and a provenance downgrade against the previous release.
 */
export async function checkPypiPackage(pkg: PackageNode, check: PackageCheck): Promise<PackageOutcome> {
  const page = await check.client.project(pkg.name);
  if (page.kind === 'error')
    return {
      findings: [],
      status: 'unverifiable',
      detail: page.reason,
      unreachable: page.reason,
      ...(page.refused === true ? { refused: true as const } : {}),
    };
  if (page.kind === 'not-found') {
    const f = pyFinding(
      'CPP051',
      pkg,
      `is not a project on ${check.client.indexUrl}`,
      'Check where it comes from and re-lock against the right index.',
      { index: check.client.indexUrl },
    );
    return { findings: [f], status: 'failed', detail: 'project not on the index', absent: true };
  }
  const files = parseProjectPage(page.json);
  if (!files) {
    const reason = 'the project page is not a simple API page (PEP 503 HTML or PEP 691 JSON)';
    return { findings: [], status: 'unverifiable', detail: reason, unreachable: reason };
  }
  const release = files.filter((f) => samePep440Version(f.version, pkg.version));
  if (release.length === 0) {
    const f = pyFinding(
      'CPP052',
      pkg,
      `is not a release the index still publishes`,
      'Move to a published version and re-lock.',
      {
        index: check.client.indexUrl,
      },
    );
    return { findings: [f], status: 'failed', detail: 'release not on the index', absent: true };
  }
  const findings: Finding[] = [];
  const attestable: IndexFile[] = [];
  // What the index gives nothing to compare with: neither verified nor failed (pip --require-hashes would hash the
  // download itself; chainproof downloads nothing, so it can only say it did not check).
  const unhashed: string[] = [];
  const unpinned = unpinnedFiles(pkg);
  for (const dist of pkg.distributions ?? []) {
    if (dist.filename !== undefined) {
      const published = release.find((f) => f.filename === dist.filename);
      if (!published) {
        findings.push(
          pyFinding(
            'CPP053',
            pkg,
            `pins ${dist.filename}, which the index does not publish`,
            'Re-lock against the index.',
            { filename: dist.filename },
          ),
        );
        continue;
      }
      if (!comparable(dist.hashes, published.hashes)) {
        unhashed.push(dist.filename);
        continue;
      }
      const bad = mismatchedHash(dist.hashes, published.hashes);
      if (bad) {
        findings.push(
          pyFinding(
            'CPP054',
            pkg,
            `pins ${bad.alg}:${bad.locked} for ${dist.filename}, but the index publishes ${bad.alg}:${bad.published}`,
            'Treat as tampering until explained; re-lock from a trusted machine.',
            {
              filename: dist.filename,
              expected: `${bad.alg}:${bad.published}`,
              actual: `${bad.alg}:${bad.locked}`,
            },
          ),
        );
        continue;
      }
      attestable.push(published);
    } else {
      for (const [alg, hex] of Object.entries(dist.hashes)) {
        if (!release.some((f) => f.hashes[alg] !== undefined)) {
          unhashed.push(`${alg}:${hex}`);
          continue;
        }
        const matching = release.filter((f) => f.hashes[alg] === hex.toLowerCase());
        // pip installs the file whose digest is the pinned one (--require-hashes): that file's attestations count.
        for (const f of matching) if (!attestable.includes(f)) attestable.push(f);
        if (matching.length === 0) {
          findings.push(
            pyFinding(
              'CPP054',
              pkg,
              `pins ${alg}:${hex}, which the index publishes for no file of this release`,
              'Treat as tampering until explained; regenerate the hashes from the index.',
              {
                actual: `${alg}:${hex}`,
              },
            ),
          );
        }
      }
    }
  }
  const prov = await verifyProvenance(pkg, attestable, check);
  findings.push(...prov.findings);
  const downgrade =
    provenanceDowngrade(pkg, files, release) ??
    (provenanceWanted(pkg, check) === undefined
      ? partialProvenance(pkg, attestable, release, prov.unattested)
      : undefined);
  if (downgrade) findings.push(downgrade);
  const yanked = yankedRelease(pkg, release);
  if (yanked) findings.push(yanked);
  const builds = sourceOnlyRelease(pkg, release, check.buildAllowed ?? (() => false));
  if (builds) findings.push(builds);
  // A downgrade, a yank or a source build is a warning about the release; the locked files still match the index.
  const failed = findings.some((f) => !WARNINGS_ONLY.has(f.ruleId));
  if (failed) return { findings, status: 'failed', detail: findings.map((f) => f.ruleId).join(' ') };
  if (unhashed.length > 0)
    return { findings, status: 'unverifiable', detail: 'the index publishes no hash to compare', unhashed };
  if (unpinned !== undefined) return { findings, status: 'unverifiable', detail: unpinned };
  if (prov.unanswered !== undefined)
    return { findings, status: 'unverifiable', detail: prov.unanswered, unreachable: prov.unanswered };
  if (prov.unfetched.length > 0)
    return {
      findings,
      status: 'unverifiable',
      detail: 'the index lists attestations it does not serve',
      unattested: prov.unfetched,
    };
  return { findings, status: 'verified', detail: prov.summary };
}

/**
 * Why nothing holds the bytes pip or uv would install for this entry, if so: the lockfile pins no hash at all (a
 * requirements file outside hash-checking mode: pip `Hashes` is empty and installs whatever the index serves), or
 * some locked file has none (uv since PR #17157 and pylock check each file against its own hashes only). The release
 * and its files being on the index says nothing about the bytes installed, so this is not "verified", as an npm entry
 * without an integrity is not (registry/check.ts `checkIntegrity`). No finding of its own: where pip's hash mode or
 * the lock format makes the missing hash a risk, the offline CPP011 reports it; a whole file without hashes is the
 * status of each of its packages, not a finding per package.
 */
function unpinnedFiles(pkg: PackageNode): string | undefined {
  const dists = pkg.distributions ?? [];
  const hashed = (d: (typeof dists)[number]) => Object.keys(d.hashes).length > 0;
  if (!dists.some(hashed)) return 'the lockfile pins no hash: the bytes installed are whatever the index serves';
  const bare = dists.filter((d) => !hashed(d) && d.filename !== undefined).map((d) => d.filename!);
  if (bare.length === 0) return undefined;
  return `the lockfile pins no hash for ${listedWithMore(bare, 3)}: those bytes are whatever the index serves`;
}

/** The index publishes a digest in at least one algorithm the lockfile pins. */
function comparable(locked: Readonly<Record<string, string>>, published: Readonly<Record<string, string>>): boolean {
  const algs = Object.keys(locked);
  return algs.length === 0 || algs.some((alg) => published[alg.toLowerCase()] !== undefined);
}

const WARNINGS_ONLY = new Set(['CPP066', 'CPP074', 'CPP076']);

function mismatchedHash(
  locked: Readonly<Record<string, string>>,
  published: Readonly<Record<string, string>>,
): { alg: string; locked: string; published: string } | undefined {
  for (const [alg, hex] of Object.entries(locked)) {
    const p = published[alg];
    if (p !== undefined && p !== hex.toLowerCase()) return { alg, locked: hex, published: p };
  }
  return undefined;
}

/**
 * Locked files the index publishes without attestations (`provenance: null`) in a release whose other files have
 * them: the file was uploaded outside the pipeline that attested its siblings (a stolen token can add a wheel to a
 * published release). With provenance required this is CPP065 (verifyProvenance); otherwise the downgrade warning.
 */
function partialProvenance(
  pkg: PackageNode,
  locked: readonly IndexFile[],
  release: readonly IndexFile[],
  unattested: readonly string[],
): Finding | undefined {
  const sibling = release.find((f) => typeof f.provenance === 'string');
  if (sibling === undefined) return undefined;
  const bare = locked.filter((f) => f.provenance === null && unattested.includes(f.filename)).map((f) => f.filename);
  if (bare.length === 0) return undefined;
  return pyFinding(
    'CPP066',
    pkg,
    `locks ${bare.slice(0, 2).join(', ')}${bare.length > 2 ? ', …' : ''}, which the index publishes without PEP 740 attestations although ${sibling.filename} of the same release has them`,
    'Verify the file with the project before installing it; pin only the attested files (or a release whose files all are).',
    { files: bare.slice(0, 10).join(' '), attested: sibling.filename },
  );
}

/** The previous release (highest PEP 440 version below this one) had attestations; this one has none. */
function provenanceDowngrade(
  pkg: PackageNode,
  files: readonly IndexFile[],
  release: readonly IndexFile[],
): Finding | undefined {
  if (release.some((f) => f.provenance !== null && f.provenance !== undefined)) return undefined;
  if (!release.every((f) => f.provenance === null) || valid(pkg.version) === null) return undefined;
  let previous: string | undefined;
  for (const f of files) {
    if (valid(f.version) === null || compare(f.version, pkg.version) >= 0) continue;
    if (previous === undefined || compare(f.version, previous) > 0) previous = f.version;
  }
  if (previous === undefined) return undefined;
  const prevFiles = files.filter((f) => samePep440Version(f.version, previous));
  if (!prevFiles.some((f) => typeof f.provenance === 'string')) return undefined;
  return pyFinding(
    'CPP066',
    pkg,
    `has no PEP 740 attestations although ${previous} had them`,
    'Verify the release with the project before installing; pin the previous release meanwhile.',
    {
      previous,
    },
  );
}
