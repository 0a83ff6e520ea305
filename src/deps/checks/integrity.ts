import type { Evidence, Finding } from '../../core/finding.js';
import { isSriAlgorithm, parseSri, SRI_DIGEST_BYTES } from '../../core/sri.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import type { ParsedLockfile } from '../types.js';
import { packageFinding } from './finding.js';
import { ssriVerdict, type SsriVerdict } from './ssri-verdict.js';

/** Sources whose bytes are downloaded as an archive and must be pinned by a hash: what CPD002/CPD004 judge. */
export function needsIntegrity(node: PackageNode): boolean {
  // Tarball URLs: a missing integrity is part of CPD008 (sources.ts), at the level policy gives tarballs.
  return node.source === 'registry' && node.bundled !== true;
}

/** CPD002's evidence, read from the node when reported: one function for every finding, not an object each. */
function missingEvidence(node: PackageNode): Evidence {
  return { source: node.source, ...(node.resolved !== undefined ? { resolved: node.resolved } : {}) };
}

/**
 * A berry entry with `conditions` and no checksum. Project.resolveEverything (@yarnpkg/core) makes a package with
 * `conditions` a conditional locator only when it is in `optionalBuilds` (reached through optional dependencies
 * alone, as the graph's `optional` flag is computed); only those are skipped off-platform (`disabledLocators`,
 * `supportedArchitectures`) and never checksummed (Cache.fetchPackageFromCache `validateFile` returns no hash for
 * `unstablePackages`, so yarn itself writes none). Any other package is fetched on every platform and its checksum
 * checked like one without `conditions`: a missing one there is CPD002.
 */
function conditionalWithoutChecksum(node: PackageNode, conditions: string): Finding {
  return packageFinding(
    'CPD002',
    node,
    `has no integrity hash; its \`conditions: ${conditions.slice(0, 200)}\` do not exempt it, because it is not reached through optional dependencies only, so yarn fetches and installs it unverified on every platform`,
    'Delete the entry and reinstall so yarn records its checksum (and drops the conditions); review who edited the lockfile.',
    (n) => ({ ...missingEvidence(n), conditions: conditions.slice(0, 200) }),
  );
}

/**
 * CPD002 missing, CPD003 SHA-1 (npm, yarn 1: or MD5) only, CPD004 not valid SRI (yarn berry: not a valid checksum), CPD016 not enforced,
 * CPD166 several digests of the algorithm npm checks.
 */
export function checkIntegrity(graph: DependencyGraph, parsed: ParsedLockfile): Finding[] {
  const out: Finding[] = [];
  for (const [i, node] of graph.packages.entries()) {
    const notEnforced = parsed.nodes[i]?.integrityNotEnforced;
    if (notEnforced !== undefined) {
      out.push(
        packageFinding(
          'CPD016',
          node,
          `records an integrity the package manager does not check: ${notEnforced}`,
          'Delete the entry and reinstall so the package manager writes a value it checks; review who edited the lockfile.',
          { actual: (node.integrity ?? '').slice(0, 200) },
        ),
      );
    }
    if (!needsIntegrity(node)) continue;
    const value = node.integrity;
    if (value === undefined || value.trim() === '') {
      const conditions = parsed.nodes[i]?.conditions;
      if (conditions === undefined) {
        out.push(
          packageFinding(
            'CPD002',
            node,
            'has no integrity hash',
            'Delete the entry and reinstall so the package manager records one.',
            missingEvidence,
          ),
        );
      } else if (!node.optional) out.push(conditionalWithoutChecksum(node, conditions));
      continue;
    }
    const verdict = integrityVerdict(graph.kind, value);
    if (verdict.kind === 'invalid') {
      out.push(
        packageFinding(
          'CPD004',
          node,
          'has an integrity value that is not valid',
          'Regenerate the entry and review who edited it.',
          {
            actual: value.slice(0, 200),
            expected: graph.kind === 'yarn-berry' ? '<cacheKey>/<128 hex>' : 'sha512-<base64> (SRI)',
          },
        ),
      );
    } else if (verdict.kind === 'weak') {
      out.push(
        packageFinding(
          'CPD003',
          node,
          `is pinned by a ${verdict.algorithm === 'sha1' ? 'SHA-1' : verdict.algorithm} hash only`,
          'Refresh the entry so a sha512 integrity is recorded.',
          {
            actual: value.slice(0, 200),
            expected: 'sha512',
          },
        ),
      );
    } else if (verdict.kind === 'several') {
      out.push(
        packageFinding(
          'CPD166',
          node,
          `has an integrity with ${verdict.count} different ${verdict.algorithm} digests: the package manager installs a download matching any one of them`,
          'A package manager writes one digest per algorithm. Treat the extra digest as lockfile injection: delete the entry, regenerate it from the registry and review who edited it.',
          { actual: value.slice(0, 200), count: verdict.count },
        ),
      );
    }
  }
  return out;
}

/**
 * npm and yarn 1 read `integrity` with ssri (ssri-verdict.ts): only the strongest algorithm is checked. pnpm
 * (`parseIntegrity`: one `algo-base64` token, else ERR_PNPM_INVALID_INTEGRITY) and Bun (parsers/bun.ts: several
 * hashes are CPD016, not enforced) keep the strict reading; yarn berry has its own checksum. The registry check asks it
 * too, so an entry CPD004 reports is not also a CPD130 there (registry/check.ts checkIntegrity).
 */
export function integrityVerdict(kind: DependencyGraph['kind'], value: string): SsriVerdict {
  if (kind === 'npm' || kind === 'yarn-classic') return ssriVerdict(value);
  const verdict = kind === 'yarn-berry' ? checkBerryChecksum(value) : checkSri(value);
  return verdict === 'weak' ? { kind: 'weak', algorithm: 'sha1' } : { kind: verdict };
}

/**
 * Strict SRI (core/sri.ts): every whitespace-separated token is `<alg>-<base64 digest>[?opts]` with a known algorithm
 * and a digest of that algorithm's length; one refused token makes the value invalid. 'weak' when the strongest
 * algorithm present is sha1.
 */
export function checkSri(value: string): 'ok' | 'weak' | 'invalid' {
  const { hashes, rejected } = parseSri(value, 'strict');
  if (rejected.length > 0 || hashes.length === 0) return 'invalid';
  let strongest = 0;
  for (const { algorithm } of hashes) {
    if (isSriAlgorithm(algorithm)) strongest = Math.max(strongest, SRI_DIGEST_BYTES[algorithm]);
  }
  return strongest <= SRI_DIGEST_BYTES.sha1 ? 'weak' : 'ok';
}

/** yarn berry `checksum`: optional cache key, slash, sha512 hex. */
export function checkBerryChecksum(value: string): 'ok' | 'invalid' {
  return /^([0-9a-z]+\/)?[0-9a-f]{128}$/.test(value) ? 'ok' : 'invalid';
}
