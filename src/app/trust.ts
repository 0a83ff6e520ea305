import path from 'node:path';
import type { Policy } from '../core/policy.js';
import type { NamedSigner, TrustMaterial } from '../core/trust-material.js';
import type { TrustedRegistry } from '../core/trusted-registry.js';
import { readPolicy } from '../trust/policy/load.js';
import type { PolicyFiles } from '../trust/policy/resolve-files.js';
import { loadTrustedRegistry } from '../trust/registry/load.js';
import { loadTrustedRoot } from '../trust/sigstore/root.js';
import { loadSigners, sortedSignerEntries, toNamedSigner } from '../trust/sigstore/signers.js';

/**
 * Load everything the scan trusts once, before any scanning: policy, trusted registry, Sigstore trusted root and
 * signer keys. The policy loader has already read (and checked) the files the policy names; they are not read again.
 * A half-read policy never scans: any problem throws a ConfigError.
 */
export async function loadTrust(
  root: string,
  policyFile: string | undefined,
  registryFiles: readonly string[],
): Promise<TrustMaterial> {
  const loaded = await readPolicy(policyFile, root);
  const registry = await loadTrustedRegistry(root, registryFiles.length > 0 ? [...registryFiles] : undefined);
  return fromLoadedFiles(loaded.policy, registry, loaded.files);
}

/**
 * Trust material for a policy built in code (tests, embedders): the trusted root and key files it names are read
 * here, once, relative to the policy's folder (the scan root for a policy that has no file).
 */
export async function buildTrustMaterial(
  policy: Policy,
  registry: TrustedRegistry,
  root: string,
): Promise<TrustMaterial> {
  const sig = policy.signatures;
  const base = policy.source.startsWith('<') ? root : path.dirname(path.resolve(root, policy.source));
  const sigstore = await loadTrustedRoot(
    sig.trustedRoot !== undefined ? path.resolve(base, sig.trustedRoot) : undefined,
  );
  const signers = await loadSigners(sig.signers, base, policy.source);
  return freezeMaterial({ policy, registry, sigstore, signers });
}

async function fromLoadedFiles(policy: Policy, registry: TrustedRegistry, files: PolicyFiles): Promise<TrustMaterial> {
  const sigstore = files.trustRoot ?? (await loadTrustedRoot(undefined));
  const signers: NamedSigner[] = sortedSignerEntries(policy.signatures.signers).map(([name, spec]) =>
    toNamedSigner(name, spec, files.pem.get(name), policy.source),
  );
  return freezeMaterial({ policy, registry, sigstore, signers });
}

function freezeMaterial(m: TrustMaterial): TrustMaterial {
  // The policy and registry are deep-frozen by their loaders; key objects and parsed roots are not plain data.
  return Object.freeze({ ...m, signers: deepFreezeList(m.signers) });
}

function deepFreezeList<T>(list: readonly T[]): readonly T[] {
  return Object.freeze(list.map((s) => Object.freeze(s)));
}
