import path from 'node:path';
import type { DiscoveredFile } from '../core/files.js';
import type { FileOpener } from '../core/file-source.js';
import { readHead } from './read-small.js';
import { isRecord } from '../core/is-record.js';
import { leavesBase } from '../core/relative-path.js';

/** tfjs manifests are small JSON; a bigger one is not read (its shards are then found by name only). */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const MAX_PATHS = 100_000;

/**
 * Weight files named by a TensorFlow.js manifest (`model.json` `weightsManifest[].paths`, or a
 * `*weights_manifest.json` array): raw tensors with no magic bytes, known only through the manifest that loads
 * them. Returns repo-relative paths; a path leaving the scan root is ignored (it is not in the tree to check).
 * The manifest is attacker-controlled JSON: parsed with bounds, shapes checked before use.
 */
export async function tfjsWeightPaths(files: FileOpener, manifest: DiscoveredFile): Promise<string[]> {
  if (manifest.size > MAX_MANIFEST_BYTES) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse((await readHead(files, manifest, MAX_MANIFEST_BYTES)).toString('utf8'));
  } catch {
    return [];
  }
  const groups = Array.isArray(parsed)
    ? parsed
    : isRecord(parsed) && Array.isArray(parsed['weightsManifest'])
      ? parsed['weightsManifest']
      : [];
  const dir = path.posix.dirname(manifest.path);
  const out: string[] = [];
  for (const g of groups as unknown[]) {
    if (!isRecord(g) || !Array.isArray(g['paths'])) continue;
    for (const p of g['paths'] as unknown[]) {
      if (typeof p !== 'string' || out.length >= MAX_PATHS) continue;
      const rel = path.posix.normalize(path.posix.join(dir === '.' ? '' : dir, p));
      if (leavesBase(rel)) continue;
      out.push(rel);
    }
  }
  return out;
}
