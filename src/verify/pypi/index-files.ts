/** One file of a project's PEP 691 JSON simple page. */
export interface IndexFile {
  readonly filename: string;
  readonly version: string;
  /** Algorithm → lower-case hex. */
  readonly hashes: Readonly<Record<string, string>>;
  /** PEP 740: the provenance URL, null when the file has none, undefined when the index does not say. */
  readonly provenance: string | null | undefined;
  /** PEP 592 / PEP 691 `yanked`: false, true, or the reason (a string means yanked). */
  readonly yanked: boolean | string;
}

const MAX_FILES = 100_000;

/**
 * The files of a PEP 691 project page (`{ "files": [{ filename, url, hashes, provenance?, yanked }] }`).
 * Attacker-controlled JSON: entries without a string file name are dropped, hash values must be hex.
 */
export function parseProjectPage(json: unknown): IndexFile[] | undefined {
  if (!isRecord(json) || !Array.isArray(json.files)) return undefined;
  const out: IndexFile[] = [];
  for (const f of (json.files as unknown[]).slice(0, MAX_FILES)) {
    if (!isRecord(f) || typeof f.filename !== 'string') continue;
    const hashes: Record<string, string> = {};
    if (isRecord(f.hashes)) {
      for (const [alg, hex] of Object.entries(f.hashes)) {
        if (typeof hex === 'string' && /^[0-9a-f]+$/i.test(hex)) hashes[alg.toLowerCase()] = hex.toLowerCase();
      }
    }
    const provenance = typeof f.provenance === 'string' ? f.provenance : f.provenance === null ? null : undefined;
    // PEP 691: `yanked` is a boolean or a reason string; any string (even empty) means yanked.
    const yanked = typeof f.yanked === 'string' ? f.yanked : f.yanked === true;
    out.push({ filename: f.filename, version: versionOfFile(f.filename), hashes, provenance, yanked });
  }
  return out;
}

/**
 * The version in a distribution file name: a wheel is `{name}-{version}-….whl` (PEP 427, the name has no `-`);
 * an sdist `{name}-{version}.tar.gz` / `.zip`, where old sdists keep `-` in the name, so the version is the last part.
 */
export function versionOfFile(filename: string): string {
  if (filename.endsWith('.whl')) return filename.split('-')[1] ?? '';
  const stem = filename.replace(/\.(tar\.gz|tar\.bz2|tar\.xz|zip|tgz|tar)$/i, '');
  return stem.slice(stem.lastIndexOf('-') + 1);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
