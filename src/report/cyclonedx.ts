import { createHash } from 'node:crypto';
import { digestBytes, parseSri } from '../core/sri.js';
import { publicHttpUrl } from '../core/url.js';
import { encodeUriComponent } from '../core/uri-component.js';
import { ecosystemOf, fileKey, packageKey } from '../core/package-key.js';
import type { Ecosystem } from '../core/package-key.js';
import type { ModelProvenance, PackageNode, VerificationStatus } from '../core/records.js';
import type { ScanResult } from '../core/result.js';
import { referenceComponents } from './cyclonedx-refs.js';
import { redactResult } from './redact.js';

/** The subset of CycloneDX 1.6 JSON chainproof writes. */
export interface CycloneDxBom {
  readonly bomFormat: 'CycloneDX';
  readonly specVersion: '1.6';
  readonly serialNumber: string;
  readonly version: 1;
  readonly metadata: {
    readonly tools: { readonly components: readonly CdxComponent[] };
    readonly properties: readonly CdxProperty[];
  };
  readonly components: readonly CdxComponent[];
}

export interface CdxHash {
  readonly alg: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512' | 'MD5';
  readonly content: string;
}

export interface CdxProperty {
  readonly name: string;
  readonly value: string;
}

export interface CdxComponent {
  readonly type: 'library' | 'machine-learning-model' | 'application';
  readonly 'bom-ref'?: string;
  readonly name: string;
  readonly group?: string;
  readonly version?: string;
  readonly scope?: 'required' | 'optional';
  readonly purl?: string;
  readonly hashes?: readonly CdxHash[];
  readonly externalReferences?: readonly CdxReference[];
  readonly properties?: readonly CdxProperty[];
}

export interface CdxReference {
  readonly type: 'distribution' | 'vcs';
  readonly url: string;
  readonly comment?: string;
  readonly hashes?: readonly CdxHash[];
}

export interface CycloneDxOptions {
  readonly toolVersion: string;
}

/** Digest byte lengths by algorithm: an SRI whose length does not match is not a hash, whatever it claims. */
const SRI_ALGS: Readonly<Record<string, { alg: CdxHash['alg']; bytes: number }>> = {
  sha1: { alg: 'SHA-1', bytes: 20 },
  sha256: { alg: 'SHA-256', bytes: 32 },
  sha384: { alg: 'SHA-384', bytes: 48 },
  sha512: { alg: 'SHA-512', bytes: 64 },
};

/** A fixed namespace so the serial number is a UUIDv5 of the BOM's content: same scan, same serial. */
const SERIAL_NAMESPACE = '8c1b3b0e-5f7a-4a43-9f0e-6b1f9ad2c3a1';

/**
 * CycloneDX 1.6: every locked package as a `library` (purl, hashes from its integrity) and every model file as a
 * `machine-learning-model` (its digests, format, verification state and findings count). Deterministic: no
 * timestamp, sorted components, content-derived serial number.
 */
export function toCycloneDx(scanned: ScanResult, opts: CycloneDxOptions): CycloneDxBom {
  const result = redactResult(scanned);
  const status = new Map(result.verifications.map((v) => [v.key, v.status]));
  const findingsByKey = new Map<string, number>();
  const bump = (k: string) => findingsByKey.set(k, (findingsByKey.get(k) ?? 0) + 1);
  // A finding about a model counts on the model's component wherever it is located: a signature's failure sits at
  // the `.sig` file, about the model it signs. Any other finding counts where it sits (a folder-wide one at a file).
  const modelPaths = new Set(result.models.map((m) => m.path));
  for (const f of result.findings) {
    const about = f.artifact;
    if (about?.kind === 'package') bump(packageKey(about.ecosystem, about.name, about.version));
    else bump(fileKey(about !== undefined && modelPaths.has(about.path) ? about.path : f.location.path));
  }

  const libraries = new Map<string, CdxComponent>();
  for (const g of result.graphs) {
    const ecosystem = ecosystemOf(g);
    for (const p of g.packages) {
      const key = packageKey(ecosystem, p.name, p.version);
      const c = toLibrary(p, status.get(key), findingsByKey.get(key) ?? 0, ecosystem);
      const ref = c['bom-ref']!;
      const old = libraries.get(ref);
      // The same package in two lockfiles is one component; a runtime use anywhere makes it required.
      if (!old || (old.scope === 'optional' && c.scope === 'required')) libraries.set(ref, withReferencesOf(c, old));
      else libraries.set(ref, withReferencesOf(old, c));
    }
  }
  const models = result.models.map((m): CdxComponent => {
    const key = fileKey(m.path);
    const hashes = Object.entries(m.digests)
      .map(([alg, hex]) => toHash(alg, hex))
      .filter((h): h is CdxHash => h !== undefined)
      .sort((a, b) => cmp(a.alg, b.alg));
    return {
      type: 'machine-learning-model',
      'bom-ref': `model:${m.path}`,
      name: m.path,
      ...(hashes.length > 0 ? { hashes } : {}),
      ...(m.provenance ? { externalReferences: [provenanceReference(m.provenance)] } : {}),
      properties: [
        { name: 'chainproof:path', value: m.path },
        { name: 'chainproof:format', value: m.format },
        { name: 'chainproof:size', value: String(m.size) },
        { name: 'chainproof:verification', value: status.get(key) ?? 'unchecked' },
        { name: 'chainproof:findings', value: String(findingsByKey.get(key) ?? 0) },
        ...(m.registryEntry !== undefined ? [{ name: 'chainproof:registry-entry', value: m.registryEntry }] : []),
        ...(m.lfs ? [{ name: 'chainproof:lfs-oid', value: m.lfs.oid }] : []),
        ...(m.provenance ? provenanceProperties(m.provenance) : []),
      ],
    };
  });
  const components = [
    ...[...libraries.values()].sort((a, b) => cmp(a['bom-ref']!, b['bom-ref']!)),
    ...models,
    ...referenceComponents(result.references ?? []),
  ];
  const body = {
    metadata: {
      tools: { components: [{ type: 'application' as const, name: 'chainproof', version: opts.toolVersion }] },
      properties: [
        { name: 'chainproof:complete', value: String(result.complete) },
        { name: 'chainproof:policy', value: result.policySource },
        ...(result.shard ? [{ name: 'chainproof:shard', value: `${result.shard.index}/${result.shard.count}` }] : []),
      ],
    },
    components,
  };
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuidV5(SERIAL_NAMESPACE, JSON.stringify(body))}`,
    version: 1,
    ...body,
  };
}

function toLibrary(
  p: PackageNode,
  verification: VerificationStatus | undefined,
  findings: number,
  ecosystem: Ecosystem,
): CdxComponent {
  const local = p.source === 'workspace' || p.source === 'link' || p.source === 'file';
  const pypi = ecosystem === 'pypi';
  const purl = packageKey(ecosystem, p.name, p.version);
  const url = p.resolved !== undefined ? publicUrl(p.resolved) : undefined;
  const references = pypi
    ? distributionReferences(p, url)
    : url !== undefined
      ? [{ type: 'distribution' as const, url }]
      : [];
  const hashes = !pypi && p.integrity !== undefined ? sriToHashes(p.integrity) : [];
  const slash = p.name.startsWith('@') ? p.name.indexOf('/') : -1;
  return {
    type: 'library',
    'bom-ref': local ? `local:${p.lockfile}:${p.key}` : purl,
    ...(slash > 0 ? { group: p.name.slice(0, slash), name: p.name.slice(slash + 1) } : { name: p.name }),
    // An unpinned requirement has no version: CycloneDX's is optional, and an empty one names nothing.
    ...(p.version !== '' ? { version: p.version } : {}),
    scope: p.dev || p.optional ? 'optional' : 'required',
    ...(local ? {} : { purl }),
    ...(hashes.length > 0 ? { hashes } : {}),
    ...(references.length > 0 ? { externalReferences: references } : {}),
    properties: [
      { name: 'chainproof:lockfile', value: p.lockfile },
      { name: 'chainproof:source', value: p.source },
      { name: 'chainproof:verification', value: verification ?? 'unchecked' },
      { name: 'chainproof:findings', value: String(findings) },
      ...(p.dev && !pypi ? [{ name: 'cdx:npm:package:development', value: 'true' }] : []),
      ...(p.hasInstallScript === true ? [{ name: 'chainproof:install-script', value: 'true' }] : []),
    ],
  };
}

/**
 * A Python release's files as `distribution` references, each with its own digests, as cyclonedx-py writes a lockfile
 * (`__extrefs4lock`: one reference per sdist and wheel). A release has a file per platform, and a component's `hashes`
 * name one artifact: the 24 SHA-256 of torch's wheels listed there each contradicted the others. A file the lockfile
 * names without a URL (poetry.lock `files`) is `<index>/<name>/#<file>`, as cyclonedx-py's `__extrefs4lock_legacy`
 * writes it; digests of no named file (a requirements line's `--hash` options) go on `<index>/<name>/`, its "implicit
 * dist url". The index is the package's, else pip's default (PyPI).
 */
function distributionReferences(p: PackageNode, index: string | undefined): CdxReference[] {
  const project = `${(index ?? PYPI_SIMPLE).replace(/\/+$/, '')}/${encodeUriComponent(p.name)}/`;
  const byUrl = new Map<string, CdxHash[]>(index !== undefined ? [[index, []]] : []);
  for (const d of p.distributions ?? []) {
    const named = d.filename !== undefined ? `${project}#${encodeUriComponent(d.filename)}` : project;
    const url = (d.url !== undefined ? publicUrl(d.url) : undefined) ?? named;
    const hashes = Object.entries(d.hashes).flatMap(([alg, hex]) => toHash(alg, hex) ?? []);
    byUrl.set(url, [...(byUrl.get(url) ?? []), ...hashes]);
  }
  return [...byUrl].map(([url, hashes]) => toReference(url, hashes));
}

const PYPI_SIMPLE = 'https://pypi.org/simple';

function toReference(url: string, hashes: readonly CdxHash[]): CdxReference {
  const unique = uniqueHashes(hashes);
  return { type: 'distribution', url, ...(unique.length > 0 ? { hashes: unique } : {}) };
}

function uniqueHashes(hashes: readonly CdxHash[]): CdxHash[] {
  const byKey = new Map(hashes.map((h) => [`${h.alg}:${h.content}`, h]));
  return [...byKey.keys()].sort(cmp).map((k) => byKey.get(k)!);
}

/**
 * `kept` with the references of `other`, the same package found again (in another lockfile, or a release locked from
 * two indexes: torch 2.9.1 from PyPI and from download.pytorch.org share a purl), so no file's digest is dropped.
 */
function withReferencesOf(kept: CdxComponent, other: CdxComponent | undefined): CdxComponent {
  if (other?.externalReferences === undefined) return kept;
  const byPlace = new Map<string, CdxReference[]>();
  for (const r of [...(kept.externalReferences ?? []), ...other.externalReferences]) {
    const place = `${r.type}\0${r.url}`;
    byPlace.set(place, [...(byPlace.get(place) ?? []), r]);
  }
  const merged = [...byPlace.keys()].sort(cmp).map((place) => {
    const refs = byPlace.get(place)!;
    const hashes = uniqueHashes(refs.flatMap((r) => r.hashes ?? []));
    return { ...refs[0]!, ...(hashes.length > 0 ? { hashes } : {}) };
  });
  return { ...kept, externalReferences: merged };
}

/** SRI (`sha512-<base64> sha1-<base64>`) → hex hashes; entries of unknown algorithm or wrong length are dropped. */
export function sriToHashes(integrity: string): CdxHash[] {
  const out: CdxHash[] = [];
  for (const { algorithm, digest } of parseSri(integrity, 'lenient').hashes) {
    const spec = SRI_ALGS[algorithm];
    const bytes = digestBytes(algorithm, digest);
    if (!spec || !bytes) continue;
    const hash = { alg: spec.alg, content: bytes.toString('hex') };
    if (!out.some((h) => h.alg === hash.alg && h.content === hash.content)) out.push(hash);
  }
  return out;
}

function toHash(alg: string, hex: string): CdxHash | undefined {
  const spec = SRI_ALGS[alg.toLowerCase().replace('-', '')];
  if (!spec || !new RegExp(`^[0-9a-f]{${spec.bytes * 2}}$`).test(hex.toLowerCase())) return undefined;
  return { alg: spec.alg, content: hex.toLowerCase() };
}

/** A distribution URL without credentials or query (a lockfile can hold a tokenised URL; it never leaves). */
function publicUrl(raw: string): string | undefined {
  return publicHttpUrl(raw)?.toString();
}

/** RFC 4122 version-5 UUID (SHA-1 of namespace + name). */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Verified build provenance: the source repository as a `vcs` reference, the commit it was built from with it. */
function provenanceReference(p: ModelProvenance): NonNullable<CdxComponent['externalReferences']>[number] {
  return { type: 'vcs', url: p.repository, comment: `built from commit ${p.commit}` };
}

function provenanceProperties(p: ModelProvenance): CdxProperty[] {
  return [
    { name: 'chainproof:provenance-commit', value: p.commit },
    { name: 'chainproof:provenance-builder', value: p.builder },
    ...(p.ref !== undefined ? [{ name: 'chainproof:provenance-ref', value: p.ref }] : []),
  ];
}
