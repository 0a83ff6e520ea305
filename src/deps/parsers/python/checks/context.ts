import type { Level } from '../../../../core/finding.js';
import type { Policy, RuleSetting } from '../../../../core/policy.js';
import type { PypiMaliciousPackage, TrustedRegistry } from '../../../../core/trusted-registry.js';

/** What the offline Python checks need, prepared once per scan. Pure data. */
export interface PythonCheckPolicy {
  readonly sources: { readonly git: RuleSetting; readonly tarball: RuleSetting; readonly file: RuleSetting };
  /** Policy demands a hash on every package (pip `--require-hashes` for the whole repository). */
  readonly requireHashes: boolean;
  /** Known-malicious PyPI releases by PEP 503 name. */
  readonly malicious: ReadonlyMap<string, readonly PypiMaliciousPackage[]>;
}

export function toPythonCheckPolicy(policy: Policy, registry: TrustedRegistry): PythonCheckPolicy {
  const malicious = new Map<string, PypiMaliciousPackage[]>();
  for (const m of registry.pypiMalicious ?? []) malicious.set(m.name, [...(malicious.get(m.name) ?? []), m]);
  return {
    sources: policy.dependencies.sources,
    requireHashes: policy.dependencies.python?.requireHashes === true,
    malicious,
  };
}

export function levelOf(setting: RuleSetting): Level | undefined {
  return setting === 'off' ? undefined : setting;
}
