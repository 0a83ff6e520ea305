import { MODEL_FORMATS, type DiscoveredFile } from '../../core/files.js';
import { matchSubjectHashing, type DigestsOf, type TrustCheck } from './attestation.js';
import { AttestationCache } from './cache.js';
import { attestationsNextTo, folderCovers, isFolderAttestation } from './files.js';
import { isBuildProvenance } from './kind.js';
import { mayBeAttestation } from './names.js';

/** A file `registry add` records, with the sha256 it writes. */
export interface EntryFile {
  readonly file: DiscoveredFile;
  readonly sha256: string;
}

/** The one source every attested file of a registry entry was verifiably built from, or why there is none. */
export type EntryProvenance =
  | { readonly kind: 'verified'; readonly repository: string; readonly commit: string; readonly attestations: string[] }
  /** No file of the entry carries an attestation, and no model file needs one: nothing to record, nothing wrong. */
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'unverified'; readonly reason: string };

/** Reasons shown when provenance does not verify; the rest are counted. */
const MAX_REASONS = 3;

/**
 * The source repository and commit a trusted-registry entry can record (`sourceRepository`, `sourceCommit`), read
 * the way a scan will check them (provenance/stage.ts): the attestations next to each file or in an `attestations/`
 * folder above it, verified as provenance against the policy's trust root and thresholds, each file found among
 * their subjects by its sha256, SLSA build provenance only (judge.ts). The scan holds every model file of the entry
 * to the recorded commit, so each of them, and each other file an attestation is about, must have one, and they
 * must all name the same source; otherwise nothing is recorded, and the reason says which file fell short.
 */
export async function entryProvenance(
  entry: readonly EntryFile[],
  all: readonly DiscoveredFile[],
  check: TrustCheck,
  /** Only the digests a subject carries beyond the file's sha256, as the scan hashes them (provenance/stage.ts). */
  digestsOf: DigestsOf,
): Promise<EntryProvenance> {
  const nextTo = attestationsNextTo(all);
  const folders = all.filter((f) => isFolderAttestation(f.path));
  const sources = (p: string) => [...(nextTo.get(p) ?? []), ...folders.filter((f) => folderCovers(f.path, p))];
  const attested = entry.filter(
    (e) =>
      !mayBeAttestation(e.file.path) &&
      (MODEL_FORMATS.has(e.file.format) || e.file.format === 'lfs-pointer' || sources(e.file.path).length > 0),
  );
  if (attested.every((e) => sources(e.file.path).length === 0))
    return {
      kind: 'none',
      reason:
        attested.length === 0
          ? 'no model file among them and no attestation about one'
          : 'no provenance attestation next to the model files or in an attestations/ folder above them',
    };
  const cache = new AttestationCache(check);
  const problems: string[] = [];
  // Per file, the sources ("repository\0commit") its verified attestations name, and one attestation for each.
  const perFile: Map<string, string>[] = [];
  for (const { file, sha256 } of attested) {
    const found = new Map<string, string>();
    const digests: Record<string, string> = { sha256 };
    const why: string[] = [];
    if (file.format === 'lfs-pointer') why.push('it is a Git LFS pointer: fetch the object and record that');
    else
      for (const a of sources(file.path)) {
        const read = await cache.read(a);
        if (!read.ok) {
          why.push(`${a.path} ${read.reason}`);
          continue;
        }
        for (const at of read.bundles) {
          const where = `${at.file}${at.line !== undefined ? `:${at.line}` : ''}`;
          const v = await cache.verify(at);
          if (!v.ok) {
            if (!('notProvenance' in v)) why.push(`${where}: ${v.reason}`);
            continue;
          }
          const m = await matchSubjectHashing(v.statement, digests, (algorithms) => digestsOf(file, algorithms));
          if (m.kind !== 'match') {
            // An attestations folder holds bundles about other files: only a bundle next to the file must be its.
            if ((nextTo.get(file.path) ?? []).includes(a))
              why.push(`${where}: its subject is not the file (sha256 ${sha256})`);
            continue;
          }
          if (!isBuildProvenance(v.statement.predicateType)) {
            why.push(`${where}: a ${v.statement.predicateType} statement, not SLSA build provenance`);
            continue;
          }
          const key = `${v.repository}\0${v.commit}`;
          if (!found.has(key)) found.set(key, where);
        }
      }
    if (found.size === 0)
      problems.push(`${file.path} has no verified build provenance (${why.join('; ') || 'no attestation about it'})`);
    perFile.push(found);
  }
  if (problems.length > 0) return { kind: 'unverified', reason: bounded(problems) };
  const common = [...perFile[0]!.keys()].filter((k) => perFile.every((f) => f.has(k)));
  if (common.length !== 1) {
    const named = [...new Set(perFile.flatMap((f) => [...f.keys()]))].map((k) => k.replace('\0', '@'));
    return {
      kind: 'unverified',
      reason:
        common.length === 0
          ? `the files' attestations name different sources (${bounded(named)}), and the entry records one`
          : `the files' attestations name several sources each (${bounded(named)}), and the entry records one`,
    };
  }
  const [repository, commit] = common[0]!.split('\0') as [string, string];
  return { kind: 'verified', repository, commit, attestations: [...new Set(perFile.map((f) => f.get(common[0]!)!))] };
}

function bounded(items: readonly string[]): string {
  const more = items.length - MAX_REASONS;
  return `${items.slice(0, MAX_REASONS).join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}
