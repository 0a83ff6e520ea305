import { readFile } from 'node:fs/promises';
import type { DiscoveredFile } from '../../core/files.js';
import { MAX_BUNDLE_BYTES } from '../bundle/parse.js';

/**
 * Where a model's attestations sit, next to it: the detached-bundle names the signatures stage reads
 * (`<file>.sigstore.json`, `<file>.sigstore`, see stage/detached.ts) and `<file>.intoto.jsonl`, one bundle a line
 * (what `gh attestation download` writes and SLSA generators name their provenance).
 */
export const ATTESTATION_SUFFIXES = ['.sigstore.json', '.sigstore', '.intoto.jsonl'] as const;

/** JSON Lines files are read line by line; more lines than this is not an attestation set. */
const MAX_LINES = 64;

export function attestationFilesFor(modelPath: string, byPath: ReadonlyMap<string, DiscoveredFile>): DiscoveredFile[] {
  return ATTESTATION_SUFFIXES.flatMap((s) => {
    const f = byPath.get(modelPath + s);
    return f ? [f] : [];
  });
}

/** One bundle out of an attestation file, with the line it starts on for JSON Lines. */
export interface BundleText {
  readonly file: string;
  readonly line?: number;
  readonly text: string;
}

export type ReadAttestations =
  { readonly ok: true; readonly bundles: BundleText[] } | { readonly ok: false; readonly reason: string };

/** Read an attestation file, bounded; a file too large or unreadable is a reason, not a throw. */
export async function readAttestations(file: DiscoveredFile): Promise<ReadAttestations> {
  if (file.size > MAX_BUNDLE_BYTES) return { ok: false, reason: 'larger than 16 MiB, not read' };
  let text: string;
  try {
    text = (await readFile(file.abs)).toString('utf8');
  } catch (err) {
    return { ok: false, reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'I/O error'})` };
  }
  if (!file.path.endsWith('.jsonl')) return { ok: true, bundles: [{ file: file.path, text }] };
  const bundles: BundleText[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    if (bundles.length === MAX_LINES) return { ok: false, reason: `more than ${MAX_LINES} attestations` };
    bundles.push({ file: file.path, line: i + 1, text: line });
  }
  if (bundles.length === 0) return { ok: false, reason: 'holds no attestation' };
  return { ok: true, bundles };
}
