import { NAME_ONLY_FORMATS, formatFromName, sniffContent, type FileFormat } from './catalogue/index.js';
import { classifyZip } from './formats/zip-names.js';

export { formatFromName } from './catalogue/index.js';

/** How many leading bytes discovery reads for content sniffing. */
export const SNIFF_BYTES = 4096;

/** What discovery can add beyond the head: a zip's member names from its central directory. */
export interface DetectExtra {
  readonly zipNames?: readonly string[];
  /** Set when no format was found and the head is a well-formed pickle stream cut off too soon to tell (walk.ts). */
  readonly probe?: SniffProbe;
}

export interface SniffProbe {
  pickleUndecided: boolean;
}

/**
 * Detect a file's format from its first bytes, its name and its size, routed by the format catalogue. Content wins
 * over the name: a pickle named `.safetensors` is a pickle. Returns the detected format and, separately, what the
 * name alone claims. `name` is the repo-relative path (some formats are known by their folder, e.g. SavedModel
 * `variables/`).
 */
export function detectFormat(
  head: Buffer,
  name: string,
  size: number,
  extra: DetectExtra = {},
): { format: FileFormat; claimed?: FileFormat } {
  const claimed = formatFromName(name);
  if (extra.probe) extra.probe.pickleUndecided = false;
  let sniffed = sniffContent({ head, size, claimed, probe: extra.probe });
  if (sniffed !== undefined && extra.probe) extra.probe.pickleUndecided = false;
  if (sniffed === 'zip' && extra.zipNames) sniffed = classifyZip(extra.zipNames);
  const format = sniffed ?? (claimed !== undefined && NAME_ONLY_FORMATS.has(claimed) ? claimed : 'other');
  return claimed !== undefined ? { format, claimed } : { format };
}
