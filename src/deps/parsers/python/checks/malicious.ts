import { compare, valid } from '@renovatebot/pep440';
import { samePep440Version } from '../../../../core/package-key.js';
import type { Finding } from '../../../../core/finding.js';
import type { PypiMaliciousPackage } from '../../../../core/trusted-registry.js';
import type { PythonLock } from '../types.js';
import type { PythonCheckPolicy } from './context.js';
import { pyPackageFinding } from './finding.js';

/** CPP021: a locked or pinned release on the known-malicious list, versions compared by PEP 440. */
export function checkMalicious(lock: PythonLock, policy: PythonCheckPolicy): Finding[] {
  const out: Finding[] = [];
  for (const p of lock.packages) {
    for (const adv of policy.malicious.get(p.name) ?? []) {
      const hit = matchPypiAdvisory(p.version, adv);
      if (hit === undefined) continue;
      out.push(
        pyPackageFinding(
          'CPP021',
          p,
          `is known malicious (${adv.id}${adv.summary !== undefined ? `: ${adv.summary.slice(0, 200)}` : ''})`,
          'Remove it or move to a version outside the advisory, re-lock, and treat machines that installed it as compromised.',
          { advisory: adv.id, matched: hit, registryFile: adv.file },
        ),
      );
    }
  }
  return out;
}

/**
 * The version or range of `adv` covering `version`, if any. OSV ECOSYSTEM ranges for PyPI are ordered by PEP 440
 * (so `1.0rc1 < 1.0 < 1.0.post1`); pre-releases are inside a range like any other version, and listed versions match
 * by PEP 440 equality. An unpinned requirement (version '') cannot be matched offline. A version PEP 440 cannot parse
 * matches only an exact listed version.
 */
export function matchPypiAdvisory(version: string, adv: PypiMaliciousPackage): string | undefined {
  if (version === '') return undefined;
  // A listed version is the release pip installs for any PEP 440-equal spelling (`==1.0.0` installs `1.0`,
  // `==1.0-alpha1` installs `1.0a1`): packaging's `Version.__eq__`, not string equality (package-key.ts).
  if (adv.versions.some((v) => samePep440Version(v, version))) return version;
  if (valid(version) === null) return undefined;
  for (const r of adv.ranges) {
    const lowerOk = r.introduced === '0' || (valid(r.introduced) !== null && compare(version, r.introduced) >= 0);
    if (!lowerOk) continue;
    if (r.fixed !== undefined) {
      if (valid(r.fixed) !== null && compare(version, r.fixed) < 0) return `>=${r.introduced},<${r.fixed}`;
    } else if (r.lastAffected !== undefined) {
      if (valid(r.lastAffected) !== null && compare(version, r.lastAffected) <= 0) {
        return `>=${r.introduced},<=${r.lastAffected}`;
      }
    } else {
      return `>=${r.introduced}`;
    }
  }
  return undefined;
}
