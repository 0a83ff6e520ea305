/**
 * The Hugging Face hub cache layout (huggingface_hub `file_download.py`):
 * `<cache>/models--<org>--<name>/{blobs/<etag>, snapshots/<commit>/<file> → ../../blobs/<etag>, refs/<branch>}`.
 * A blob's name is the sha256 of its content for LFS files and Git's blob sha1 for small files, so a blob whose
 * content does not hash to its name has been altered after download.
 */

export type HfRepoType = 'model' | 'dataset' | 'space';

export type HfCachePath =
  | {
      readonly kind: 'snapshot';
      readonly repoType: HfRepoType;
      /** `org/name` (or `name` for the few repos without an org). */
      readonly repoId: string;
      readonly revision: string;
      /** Path inside the snapshot, e.g. `onnx/model.onnx`. */
      readonly file: string;
      /** Repo-relative folder of the snapshot. */
      readonly snapshotDir: string;
    }
  | {
      readonly kind: 'blob';
      readonly repoType: HfRepoType;
      readonly repoId: string;
      readonly hash: string;
      readonly algorithm: 'sha256' | 'git-sha1';
    };

const PREFIX: Record<string, HfRepoType> = { models: 'model', datasets: 'dataset', spaces: 'space' };

/** Recognise a repo-relative POSIX path inside a hub cache. The innermost `<type>--…` folder wins. */
export function parseHfCachePath(rel: string): HfCachePath | undefined {
  const parts = rel.split('/');
  for (let i = parts.length - 2; i >= 0; i--) {
    const m = /^(models|datasets|spaces)--(.+)$/.exec(parts[i]!);
    if (!m) continue;
    const repoType = PREFIX[m[1]!]!;
    const repoId = m[2]!.split('--').join('/');
    const sub = parts[i + 1];
    if (sub === 'blobs' && parts.length === i + 3) {
      const hash = parts[i + 2]!;
      if (/^[0-9a-f]{64}$/.test(hash)) return { kind: 'blob', repoType, repoId, hash, algorithm: 'sha256' };
      if (/^[0-9a-f]{40}$/.test(hash)) return { kind: 'blob', repoType, repoId, hash, algorithm: 'git-sha1' };
      return undefined;
    }
    if (sub === 'snapshots' && parts.length >= i + 4) {
      return {
        kind: 'snapshot',
        repoType,
        repoId,
        revision: parts[i + 2]!,
        file: parts.slice(i + 3).join('/'),
        snapshotDir: parts.slice(0, i + 3).join('/'),
      };
    }
    return undefined;
  }
  return undefined;
}
