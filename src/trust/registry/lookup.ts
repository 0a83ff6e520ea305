import picomatch from 'picomatch';
import type { ModelArtifact, RegistryFile, RevokedArtifact, TrustedRegistry } from '../../core/trusted-registry.js';

/** A file spec of an artifact, with its path matcher compiled once. */
interface IndexedSpec {
  readonly artifact: ModelArtifact;
  readonly spec: RegistryFile;
  readonly glob: boolean;
  readonly matches: (p: string) => boolean;
}

/** The registry indexed for lookups: built once per scan, then every check is a pure function. */
export interface RegistryIndex {
  readonly specs: readonly IndexedSpec[];
  readonly byPath: ReadonlyMap<string, readonly IndexedSpec[]>;
  readonly globs: readonly IndexedSpec[];
  readonly bySha256: ReadonlyMap<string, readonly IndexedSpec[]>;
  readonly revoked: ReadonlyMap<string, RevokedArtifact>;
}

/** Where a file sits in a Hugging Face cache snapshot: registry paths of that artifact are tried relative to it. */
export interface SnapshotPlace {
  readonly repoId: string;
  readonly revision: string;
  readonly file: string;
}

export interface FileFacts {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly sha512?: string;
  readonly snapshot?: SnapshotPlace;
}

export type ModelVerdict =
  | { readonly kind: 'revoked'; readonly entry: RevokedArtifact }
  | { readonly kind: 'match'; readonly artifact: ModelArtifact; readonly spec: RegistryFile; readonly byPath: boolean }
  | {
      readonly kind: 'mismatch';
      readonly artifact: ModelArtifact;
      readonly spec: RegistryFile;
      readonly field: 'sha256' | 'sha512' | 'size';
      readonly expected: string;
      readonly actual: string;
    }
  | { readonly kind: 'unknown' };

export function indexRegistry(reg: TrustedRegistry): RegistryIndex {
  const specs: IndexedSpec[] = [];
  const byPath = new Map<string, IndexedSpec[]>();
  const bySha256 = new Map<string, IndexedSpec[]>();
  const globs: IndexedSpec[] = [];
  for (const artifact of reg.models) {
    for (const spec of artifact.files) {
      const glob = picomatch.scan(spec.path).isGlob;
      const s: IndexedSpec = {
        artifact,
        spec,
        glob,
        matches: glob ? picomatch(spec.path, { dot: true }) : (p) => p === spec.path,
      };
      specs.push(s);
      if (glob) globs.push(s);
      else push(byPath, spec.path, s);
      if (spec.sha256 !== undefined) push(bySha256, spec.sha256, s);
    }
  }
  return { specs, byPath, globs, bySha256, revoked: revokedBySha256(reg) };
}

/** The registry's revocations by digest (a model file's, or a download's the refs stage judges: refs/judge.ts). */
export function revokedBySha256(reg: TrustedRegistry): Map<string, RevokedArtifact> {
  return new Map(reg.revoked.map((r) => [r.sha256, r]));
}

/** Algorithms the registry asks for at this path, beyond sha256. */
export function extraAlgorithmsFor(index: RegistryIndex, path: string, snapshot?: SnapshotPlace): 'sha512'[] {
  return candidates(index, path, snapshot).some((c) => c.spec.sha512 !== undefined) ? ['sha512'] : [];
}

/**
 * Judge one model file. Revocation wins; then entries that claim its path (exact paths before globs) must match
 * its content; a file no entry claims is still known if its content equals a registered file elsewhere.
 */
export function checkModelFile(index: RegistryIndex, f: FileFacts): ModelVerdict {
  const revoked = index.revoked.get(f.sha256);
  if (revoked) return { kind: 'revoked', entry: revoked };
  const claims = candidates(index, f.path, f.snapshot);
  const exact = claims.find((c) => sameContent(c.spec, f));
  if (exact) return { kind: 'match', artifact: exact.artifact, spec: exact.spec, byPath: true };
  const first = claims[0];
  if (first) {
    const s = first.spec;
    if (s.sha256 !== undefined && s.sha256 !== f.sha256)
      return {
        kind: 'mismatch',
        artifact: first.artifact,
        spec: s,
        field: 'sha256',
        expected: s.sha256,
        actual: f.sha256,
      };
    if (s.size !== undefined && s.size !== f.size)
      return {
        kind: 'mismatch',
        artifact: first.artifact,
        spec: s,
        field: 'size',
        expected: String(s.size),
        actual: String(f.size),
      };
    return {
      kind: 'mismatch',
      artifact: first.artifact,
      spec: s,
      field: 'sha512',
      expected: s.sha512 ?? '',
      actual: f.sha512 ?? '(not computed)',
    };
  }
  const elsewhere = (index.bySha256.get(f.sha256) ?? []).find((c) => sameContent(c.spec, f));
  if (elsewhere) return { kind: 'match', artifact: elsewhere.artifact, spec: elsewhere.spec, byPath: false };
  return { kind: 'unknown' };
}

/**
 * Registered files with no file in the tree. `exists` answers for a repo-relative path; `snapshotDirs` lists the
 * Hugging Face snapshot folders of each `name@revision`, under which an artifact's paths are also looked for.
 */
export function findMissing(
  index: RegistryIndex,
  paths: readonly string[],
  snapshotDirs: ReadonlyMap<string, readonly string[]>,
): { artifact: ModelArtifact; spec: RegistryFile }[] {
  const present = new Set(paths);
  const out: { artifact: ModelArtifact; spec: RegistryFile }[] = [];
  for (const s of index.specs) {
    // A file the code downloads (a reference pinned by digest: judge.ts `registryDigests`), named by its URL: never
    // one of the repository's.
    if (isDownloadPath(s.spec.path)) continue;
    const roots = ['', ...(snapshotDirs.get(`${s.artifact.name}@${s.artifact.revision}`) ?? []).map((d) => `${d}/`)];
    const found = s.glob
      ? paths.some((p) => roots.some((r) => p.startsWith(r) && s.matches(p.slice(r.length))))
      : roots.some((r) => present.has(r + s.spec.path));
    if (!found) out.push({ artifact: s.artifact, spec: s.spec });
  }
  return out;
}

/** A registry file `path` that is an absolute URL (`https://host/…`): where a download comes from, not a repository path. */
export function isDownloadPath(p: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(p);
}

function candidates(index: RegistryIndex, path: string, snapshot: SnapshotPlace | undefined): IndexedSpec[] {
  const out = [...(index.byPath.get(path) ?? []), ...index.globs.filter((g) => g.matches(path))];
  if (snapshot) {
    for (const s of index.specs) {
      if (
        s.artifact.name === snapshot.repoId &&
        s.artifact.revision === snapshot.revision &&
        s.matches(snapshot.file) &&
        !out.includes(s)
      )
        out.push(s);
    }
  }
  return out;
}

function sameContent(spec: RegistryFile, f: FileFacts): boolean {
  if (spec.sha256 !== undefined && spec.sha256 !== f.sha256) return false;
  if (spec.size !== undefined && spec.size !== f.size) return false;
  if (spec.sha512 !== undefined && spec.sha512 !== f.sha512) return false;
  return spec.sha256 !== undefined || spec.sha512 !== undefined;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
