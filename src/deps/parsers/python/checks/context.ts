import { projectMatcher } from '../pep508.js';
import type { Level } from '../../../../core/finding.js';
import type { Policy, RuleSetting } from '../../../../core/policy.js';
import type { PypiMaliciousPackage, TrustedRegistry } from '../../../../core/trusted-registry.js';
import { isUnder, normalizePrefix } from '../../../checks/context.js';
import { DEFAULT_POLICY_DOCUMENT } from '../../../../trust/policy/default-document.js';

/** What the offline Python checks need, prepared once per scan. Pure data. */
export interface PythonCheckPolicy {
  readonly sources: { readonly git: RuleSetting; readonly tarball: RuleSetting; readonly file: RuleSetting };
  /** Policy demands a hash on every package (pip `--require-hashes` for the whole repository). */
  readonly requireHashes: boolean;
  /**
   * Index URL prefixes (normalised, trailing slash) packages may come from: PyPI, the policy's registries and
   * mirrors, and the CI's own pip / uv configuration from the environment — never what the scanned tree says.
   */
  readonly allowedIndexes: readonly string[];
  /** Known-malicious PyPI releases by PEP 503 name. */
  readonly malicious: ReadonlyMap<string, readonly PypiMaliciousPackage[]>;
  /** A package `dependencies.allowInstallScripts` names (compared PEP 503 normalised): it may build on install. */
  readonly buildAllowed: (name: string) => boolean;
}

/** PyPI's simple index under both of its names; its files are served from files.pythonhosted.org. */
export const PYPI_INDEXES: readonly string[] = ['https://pypi.org/simple/', 'https://pypi.python.org/simple/'];

/** Environment variables the CI sets to choose pip's / uv's index (space-separated lists; uv `UV_INDEX` as name=url). */
const INDEX_ENV = ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_FIND_LINKS', 'UV_INDEX_URL', 'UV_EXTRA_INDEX_URL'];
const INDEX_ENV_NAMED = ['UV_INDEX', 'UV_DEFAULT_INDEX'];

export function toPythonCheckPolicy(
  policy: Policy,
  registry: TrustedRegistry,
  env: Readonly<Record<string, string | undefined>> = {},
): PythonCheckPolicy {
  const malicious = new Map<string, PypiMaliciousPackage[]>();
  for (const m of registry.pypiMalicious ?? []) malicious.set(m.name, [...(malicious.get(m.name) ?? []), m]);
  const allowedIndexes = allowedPythonIndexes(policy, env);
  const buildAllowed = projectMatcher(policy.dependencies.allowInstallScripts);
  return {
    buildAllowed,
    sources: policy.dependencies.sources,
    allowedIndexes,
    requireHashes: policy.dependencies.python?.requireHashes === true,
    malicious,
  };
}

/**
 * The one list of index URL prefixes (normalised, trailing slash, no userinfo) Python packages may come from:
 * PyPI, the policy's Python indexes (the default names project-run public ones such as download.pytorch.org), its
 * registries and mirrors, and the CI's own pip / uv index settings from the environment. The
 * offline index rule (CPP070) and the online verification (which index a lockfile's own URL may send it to) both
 * read it, so a host one accepts the other follows.
 */
export function allowedPythonIndexes(
  policy: Policy,
  env: Readonly<Record<string, string | undefined>> = {},
): readonly string[] {
  const all = [...PYPI_INDEXES, ...policyIndexes(policy), ...envIndexes(env)].map((u) =>
    normalizePrefix(stripUserinfo(u)),
  );
  return [...new Set(all)];
}

/**
 * The index URL prefixes the user named themselves: the CI's pip / uv index variables and the policy's Python
 * indexes, registries and mirrors, less the public ones any scan trusts by default (PyPI, files.pythonhosted.org,
 * the default policy's entries). Only these may receive credentials a scanned file writes as `${VAR}`: a tree under
 * review must not make the scanner send a runner secret to a host the user did not name.
 */
export function userPythonIndexes(
  policy: Policy,
  env: Readonly<Record<string, string | undefined>> = {},
  /** Further indexes the runner's own configuration chose (pip.conf's index-url). */
  configured: readonly string[] = [],
): readonly string[] {
  const byDefault = new Set([...PYPI_INDEXES, ...DEFAULT_INDEXES].map((u) => normalizePrefix(u)));
  const named = [...policyIndexes(policy), ...envIndexes(env), ...configured]
    .map((u) => normalizePrefix(stripUserinfo(u)))
    .filter((u) => !byDefault.has(u) && !isPublicPypi(u));
  return [...new Set(named)];
}

/** PyPI's own hosts: trusted by every scan, never the user's choice. */
function isPublicPypi(url: string): boolean {
  const host = /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]+)/i.exec(url)?.[1]?.toLowerCase();
  return host === 'pypi.org' || host === 'pypi.python.org' || host === 'files.pythonhosted.org';
}

/** The default policy's Python indexes, registries and mirrors: trusted without the user naming them. */
const DEFAULT_INDEXES: readonly string[] = (() => {
  const deps = DEFAULT_POLICY_DOCUMENT['dependencies'] as Record<string, unknown>;
  const python = deps['python'] as Record<string, unknown> | undefined;
  return [python?.['indexes'], deps['allowedRegistries'], deps['trustedMirrors']].flatMap((v) =>
    Array.isArray(v) ? v.filter((u): u is string => typeof u === 'string') : [],
  );
})();

function policyIndexes(policy: Policy): string[] {
  return [
    ...(policy.dependencies.python?.indexes ?? []),
    ...policy.dependencies.allowedRegistries,
    ...(policy.dependencies.trustedMirrors ?? []),
  ];
}

function envIndexes(env: Readonly<Record<string, string | undefined>>): string[] {
  return [
    ...INDEX_ENV.flatMap((k) => (env[k] ?? '').split(/\s+/)),
    ...INDEX_ENV_NAMED.flatMap((k) => (env[k] ?? '').split(/\s+/).map((v) => v.replace(/^[A-Za-z0-9_.-]+=/, ''))),
  ].filter((u) => /^https?:\/\//i.test(u));
}

/**
 * Whether an index URL lies under one of the allowed prefixes (allowedPythonIndexes): the one test the scan's CPP070
 * (a lockfile's or a configuration file's index) and the review's CPU025 level share.
 */
export function isAllowedIndex(url: string, allowed: readonly string[]): boolean {
  return isUnder(normalizePrefix(url), allowed);
}

function stripUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}

export function levelOf(setting: RuleSetting): Level | undefined {
  return setting === 'off' ? undefined : setting;
}
