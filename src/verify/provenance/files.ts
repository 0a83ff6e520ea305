import { readFile } from 'node:fs/promises';
import { parseShallowJson } from '../../core/json-depth.js';
import type { DiscoveredFile } from '../../core/files.js';
import { MAX_BUNDLE_BYTES } from '../bundle/parse.js';
import { artifactOf } from '../stage/detached.js';
import { FOLDER_FILE, INTOTO_JSONL } from './names.js';

/**
 * Attestations next to a model file: the detached-bundle names the signatures stage reads (`<file>.sigstore.json`,
 * `<file>.sigstore`: `artifactOf` in stage/detached.ts) and `<file>.intoto.jsonl`, one bundle a line (what SLSA
 * generators name their provenance). Returns model path → its attestation files.
 */
export function attestationsNextTo(files: readonly DiscoveredFile[]): Map<string, DiscoveredFile[]> {
  const out = new Map<string, DiscoveredFile[]>();
  for (const f of files) {
    const target = f.path.endsWith(INTOTO_JSONL) ? f.path.slice(0, -INTOTO_JSONL.length) : artifactOf(f.path);
    if (target === f.path || target === '' || target.endsWith('/')) continue;
    out.set(target, [...(out.get(target) ?? []), f]);
  }
  return out;
}

/** JSON Lines files are read line by line; more lines than this is not an attestation set. */
const MAX_LINES = 64;

/**
 * A folder of attestations: files in an `attestations/` folder (what `gh attestation download` writes,
 * `sha256:<hex>.jsonl`, or bundles saved as `.sigstore.json`). They cover model files under the folder's parent,
 * each found by its subject digest, so a bundle about another file there is not a mismatch.
 */
export function isFolderAttestation(p: string): boolean {
  return FOLDER_FILE.test(p);
}

/** Does the attestation folder holding `attestationPath` cover `modelPath`? */
export function folderCovers(attestationPath: string, modelPath: string): boolean {
  const m = FOLDER_FILE.exec(attestationPath);
  if (!m) return false;
  const parent = attestationPath.slice(0, m.index + m[1]!.length);
  return modelPath.startsWith(parent) && !modelPath.startsWith(`${parent}attestations/`);
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
export async function readAttestations(
  file: DiscoveredFile,
  /** The scan's reader (bundle/shared.ts `ScanBundles.read`), which the signatures stage shares; else read here. */
  read: (f: DiscoveredFile) => Promise<Buffer> = (f) => readFile(f.abs),
): Promise<ReadAttestations> {
  if (file.size > MAX_BUNDLE_BYTES) return { ok: false, reason: 'larger than 16 MiB, not read' };
  let text: string;
  try {
    text = (await read(file)).toString('utf8');
  } catch (err) {
    return { ok: false, reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'I/O error'})` };
  }
  if (!file.path.endsWith('.jsonl')) return { ok: true, bundles: [{ file: file.path, text }] };
  // A `.intoto.jsonl` that is one pretty-printed JSON document (slsa-verifier's own testdata, hand-saved envelopes)
  // is one attestation, as slsa-verifier reads the whole file; split into lines it would be a dozen broken ones.
  const first = text.search(/\S/);
  if (first >= 0 && isOneJsonObject(text)) {
    return { ok: true, bundles: [{ file: file.path, line: text.slice(0, first).split('\n').length, text }] };
  }
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

/** More than one line and parses as a single JSON object (depth-checked: the text is attacker-controlled). */
function isOneJsonObject(text: string): boolean {
  if (text.trim().indexOf('\n') < 0) return false;
  try {
    const v = parseShallowJson(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
