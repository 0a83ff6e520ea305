import path from 'node:path';
import type { Policy } from '../core/policy.js';
import type { NamedSigner, TrustMaterial, TrustRoot } from '../core/trust-material.js';
import { EMPTY_REGISTRY, type TrustedRegistry } from '../core/trusted-registry.js';
import { DEFAULT_POLICY } from '../trust/policy/default.js';
import { findPolicyFile } from '../trust/policy/find.js';
import type { PolicyFiles } from '../trust/policy/resolve-files.js';
import { listRegistryFiles } from '../trust/registry/files.js';
import { sortedSignerEntries, toNamedSigner } from '../trust/sigstore/signers.js';
import { resolveRegistrySigners } from '../trust/registry/signers.js';

const NO_FILES: PolicyFiles = { trustRoot: undefined, pem: new Map() };

/**
 * Load everything the scan trusts once, before any scanning: policy, trusted registry, Sigstore trusted root and
 * signer keys. The policy loader has already read (and checked) the files the policy names; they are not read again.
 * A half-read policy never scans: any problem throws a ConfigError.
 *
 * Under the embedded default policy with no trusted registry (an empty scan) no YAML, schema or Sigstore code is
 * loaded: the default is parsed at build time, and the loaders are imported only when there is a file to read.
 */
export async function loadTrust(
  root: string,
  policyFile: string | undefined,
  registryFiles: readonly string[],
): Promise<TrustMaterial> {
  const found = policyFile ?? (await findPolicyFile(root));
  const loaded =
    found === undefined
      ? { policy: DEFAULT_POLICY, files: NO_FILES }
      : await (await import('../trust/policy/load.js')).readPolicy(found, root);
  const list = registryFiles.length > 0 ? [...registryFiles] : await listRegistryFiles(path.resolve(root));
  const registry =
    list.length === 0
      ? EMPTY_REGISTRY
      : await (await import('../trust/registry/load.js')).loadTrustedRegistry(root, list);
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
  const { loadTrustedRoot } = await import('../trust/sigstore/root.js');
  const { loadSigners } = await import('../trust/sigstore/signers.js');
  const sigstore = await loadTrustedRoot(
    sig.trustedRoot !== undefined ? path.resolve(base, sig.trustedRoot) : undefined,
  );
  const signers = await loadSigners(sig.signers, base, policy.source);
  return freezeMaterial(withRegistrySigners(policy, registry, signers), sigstore);
}

function fromLoadedFiles(policy: Policy, registry: TrustedRegistry, files: PolicyFiles): TrustMaterial {
  const signers: NamedSigner[] = sortedSignerEntries(policy.signatures.signers).map(([name, spec]) =>
    toNamedSigner(name, spec, files.pem.get(name), policy.source),
  );
  return freezeMaterial(withRegistrySigners(policy, registry, signers), files.trustRoot);
}

/**
 * The registry entries' `signer` fields resolved against the policy's signers, which only now are both known: an
 * unknown signer is a registry error (exit 2) before anything is scanned.
 */
function withRegistrySigners(
  policy: Policy,
  registry: TrustedRegistry,
  signers: readonly NamedSigner[],
): Omit<TrustMaterial, 'sigstore' | 'prepareSigstore'> {
  return { policy, registry, signers, registrySigners: resolveRegistrySigners(registry, signers, policy.source) };
}

/**
 * Freeze the material. With no root given, `sigstore` is the embedded public-good root, built on first read once
 * `prepareSigstore` has loaded its code (@sigstore/verify and the protobuf types are the bulk of a scan's start-up).
 */
function freezeMaterial(
  m: Omit<TrustMaterial, 'sigstore' | 'prepareSigstore'>,
  given: TrustRoot | undefined,
): TrustMaterial {
  // The policy and registry are deep-frozen by their loaders; key objects and parsed roots are not plain data.
  const out = { ...m, signers: deepFreezeList(m.signers), registrySigners: deepFreezeList(m.registrySigners) };
  if (given !== undefined) return Object.freeze({ ...out, sigstore: given });
  let build: (() => TrustRoot) | undefined;
  let root: TrustRoot | undefined;
  Object.defineProperty(out, 'sigstore', {
    enumerable: true,
    get(): TrustRoot {
      if (root) return root;
      if (!build) throw new Error('the Sigstore trusted root was read before prepareSigstore() loaded it');
      return (root = build());
    },
  });
  Object.defineProperty(out, 'prepareSigstore', {
    enumerable: false,
    value: async (): Promise<void> => {
      build ??= (await import('../trust/sigstore/root.js')).publicGoodTrustedRoot;
    },
  });
  return Object.freeze(out) as TrustMaterial;
}

function deepFreezeList<T>(list: readonly T[]): readonly T[] {
  return Object.freeze(list.map((s) => Object.freeze(s)));
}
