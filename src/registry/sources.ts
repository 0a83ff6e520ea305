import type { TrustedRoot } from '@sigstore/protobuf-specs';
import type { Verifier } from '@sigstore/verify';
import type { RegistryClient, FetchOutcome, KeptPart, UnavailableCause } from './client.js';
import { keptOfPackument, toPackument, type Packument } from './packument.js';
import { inspectTarball, type TarballBounds, type TarballFacts } from './tarball.js';
import { parseRegistryKeys, tufRegistryKeys, type RegistryKey } from '../verify/npm/keys.js';
import { createAttestationVerifier, type VerifierThresholds } from '../verify/npm/trust.js';
import type { SriAlgorithm } from '../verify/npm/sri.js';
import { encodeUriComponent } from '../core/uri-component.js';

export type KeysOutcome =
  | { readonly kind: 'keys'; readonly keys: readonly RegistryKey[]; readonly source: 'registry' | 'embedded' }
  /** The registry publishes no keys (404), or nothing usable: no signature can be checked against it. */
  | { readonly kind: 'none'; readonly cause: 'no-keys' | 'keys-unusable'; readonly reason: string }
  | { readonly kind: 'unavailable'; readonly reason: string; readonly cause: UnavailableCause };

/** pacote's Accept for installs (lib/registry.js `corgiDoc`): the abbreviated packument, else the full one. */
export const ABBREVIATED_ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
const FULL_ACCEPT = 'application/json';
/** Packuments are cached as the part the checks read (`keptOfPackument`); bump the id when that part grows. */
export const KEPT_PACKUMENT: KeptPart = { id: 'packument-checks-2', of: keptOfPackument };

/**
 * Everything fetched from registries, each asked once per scan (memoised promises): packuments, signing keys,
 * attestations, tarball inspections, and one attestation verifier per registry.
 */
export class RegistrySources {
  private readonly packuments = new Map<string, Promise<FetchOutcome<Packument>>>();
  private readonly keys = new Map<string, Promise<KeysOutcome>>();
  private readonly attestations = new Map<string, Promise<FetchOutcome<unknown>>>();
  private readonly tarballs = new Map<string, Promise<FetchOutcome<TarballFacts>>>();
  private readonly verifiers = new Map<string, Verifier>();
  private readonly corgiProbes = new Map<string, Promise<boolean>>();

  constructor(
    private readonly client: RegistryClient,
    /** Read when a signature is first verified: an offline scan never builds the Sigstore root. */
    private readonly trustedRoot: () => TrustedRoot,
    private readonly thresholds: VerifierThresholds,
    private readonly bounds: TarballBounds,
  ) {}

  /**
   * The packument npm installs from: the abbreviated document (pacote's "corgi" Accept header, which also takes
   * the full one from a registry that has no abbreviated form). It lacks publish times; `completePackument`
   * fetches the full document for the few checks that need one. As pacote does, a registry that answers 404 to
   * the abbreviated request is asked for the full document before the package counts as missing.
   */
  packument(registry: string, name: string): Promise<FetchOutcome<Packument>> {
    const refused = this.client.offlineRefusal();
    if (refused) return Promise.resolve(refused);
    return memo(this.packuments, `corgi\0${registry}\0${name}`, async () => {
      const out = await this.fetchPackument(registry, name, ABBREVIATED_ACCEPT);
      return out.kind === 'not-found' ? this.fullPackument(registry, name) : out;
    });
  }

  /** The full packument (with `time`), asked at most once per package and scan. */
  fullPackument(registry: string, name: string): Promise<FetchOutcome<Packument>> {
    const refused = this.client.offlineRefusal();
    if (refused) return Promise.resolve(refused);
    return memo(this.packuments, `full\0${registry}\0${name}`, () => this.fetchPackument(registry, name, FULL_ACCEPT));
  }

  /** `packument` when it already has publish times, else the full document. */
  async completePackument(registry: string, name: string, have: Packument): Promise<FetchOutcome<Packument>> {
    return have.hasPublishTimes ? { kind: 'ok', value: have } : this.fullPackument(registry, name);
  }

  private async fetchPackument(registry: string, name: string, accept: string): Promise<FetchOutcome<Packument>> {
    const url = new URL(encodeName(name), registry).toString();
    const out = await this.client.getJson(url, registry, { accept, keep: KEPT_PACKUMENT });
    if (out.kind !== 'ok') return out;
    const p = toPackument(out.value);
    return p
      ? { kind: 'ok', value: p }
      : {
          kind: 'unavailable',
          reason: 'the registry answered with a document that is not a packument',
          cause: 'invalid-answer',
        };
  }

  /**
   * The keys a registry's signatures and publish attestations are checked with, as npm's `audit signatures` takes
   * them (lib/utils/verify-signatures.js `setKeys`): from Sigstore's TUF repository when it has a target for the
   * registry (`${host}${pathname}/keys.json`: registry.npmjs.org's keys), and from the registry's own
   * `/-/npm/v1/keys` only when TUF has none (`TUF_FIND_TARGET_ERROR`). For registry.npmjs.org the endpoint is never
   * asked: a proxy that intercepts TLS, or a poisoned cache, could list a key of its own there and sign what it
   * serves. chainproof has no online TUF client, so the target is the one `@sigstore/tuf` embeds (`tufRegistryKeys`).
   */
  registryKeys(registry: string): Promise<KeysOutcome> {
    return memo(this.keys, registry, async () => {
      const tuf = tufRegistryKeys(registry);
      if (tuf !== undefined) return { kind: 'keys', keys: tuf, source: 'embedded' };
      // npm's `setKeys` reads E404 and E400 alike as "this registry has no keys": a registry without the endpoint
      // may answer either, and neither is a registry in trouble.
      const out = await this.client.getJson(new URL('-/npm/v1/keys', registry).toString(), registry, {
        absent: [400],
      });
      if (out.kind === 'ok') {
        const keys = parseRegistryKeys(out.value);
        if (keys.length > 0) return { kind: 'keys', keys, source: 'registry' };
      }
      if (out.kind === 'unavailable') return out;
      // A 404, a body of the wrong shape or only key types we cannot use: nothing can be verified, never a pass.
      if (out.kind === 'not-found') return { kind: 'none', cause: 'no-keys', reason: `HTTP ${out.status}` };
      return { kind: 'none', cause: 'keys-unusable', reason: describeUnusableKeys(out.value) };
    });
  }

  /**
   * Whether this registry's abbreviated packuments drop signatures its full ones carry, decided once per registry on
   * the first version found unsigned (one full document, not one per package: a mirror that strips signatures from
   * both would otherwise cost a full, often multi-megabyte, packument for every package).
   */
  corgiDropsSignatures(registry: string, name: string, version: string): Promise<boolean> {
    return memo(this.corgiProbes, registry, async () => {
      const full = await this.fullPackument(registry, name);
      return full.kind === 'ok' && (full.value.version(version)?.signatures.length ?? 0) > 0;
    });
  }

  attestationsFor(url: string, registry: string): Promise<FetchOutcome<unknown>> {
    return memo(this.attestations, url, () =>
      this.client.getJson(url, registry, { immutable: true, lane: 'attestations' }),
    );
  }

  tarball(url: string, registry: string, algorithm: SriAlgorithm): Promise<FetchOutcome<TarballFacts>> {
    return memo(this.tarballs, `${algorithm}\0${url}`, () =>
      this.client.getStream(url, registry, (body) => inspectTarball(body, algorithm, this.bounds)),
    );
  }

  verifier(registry: string, keys: readonly RegistryKey[]): Verifier {
    let v = this.verifiers.get(registry);
    if (!v) {
      v = createAttestationVerifier(this.trustedRoot(), keys, this.thresholds);
      this.verifiers.set(registry, v);
    }
    return v;
  }
}

function describeUnusableKeys(body: unknown): string {
  const list = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) return 'the answer is not a key list';
  if (list.length === 0) return 'the key list is empty';
  return 'no key of a supported type (ecdsa-sha2-nistp256)';
}

/** `@scope/name` → `@scope%2fname`, as npm requests scoped packuments. */
function encodeName(name: string): string {
  return name.startsWith('@') ? `@${encodeUriComponent(name.slice(1))}` : encodeUriComponent(name);
}

function memo<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = make();
    map.set(key, p);
  }
  return p;
}
