import path from 'node:path';
import type { DiscoveredFile } from '../../core/files.js';
import type { Finding } from '../../core/finding.js';
import { locateInRoot } from '../../io/open-regular.js';
import { folderOf } from '../../io/raw-names.js';
import type { OnnxExternal } from './onnx.js';
import { Findings } from './report.js';

/** Distinct external files looked up per model; real models name one to a few hundred. */
const MAX_LOOKUPS = 1000;

/**
 * A relative `location` can still lead out of the model folder through the file system. onnx's
 * `load_external_data_for_model` resolves each one with `checker.resolve_external_data_location` (C++), which
 * before onnx 1.21 only checked `is_regular_file` on `base_dir / location` — that follows a symbolic link, so a
 * link beside the model reads whatever it points at (CVE-2026-27489); 1.21 refuses links. The link itself is
 * never followed here: only where it resolves is looked up (`locateInRoot`), as discovery does.
 */
export async function checkExternalFiles(
  file: DiscoveredFile,
  root: string | undefined,
  externals: readonly OnnxExternal[],
): Promise<Finding[]> {
  if (root === undefined || externals.length === 0) return [];
  const out = new Findings(file.path, file.format);
  const seen = new Set<string>();
  for (const e of externals) {
    if (seen.has(e.location) || seen.size >= MAX_LOOKUPS) continue;
    seen.add(e.location);
    const located = await locateInRoot(root, path.resolve(folderOf(file.abs), e.location));
    if (located.kind === 'symlink-outside-root')
      out.add(
        'CPI065',
        `tensor ${JSON.stringify(e.tensor)} loads external data from ${JSON.stringify(e.location)}, a symbolic link that leads out of the scan root; onnx before 1.21 (resolve_external_data_location) follows it and reads that file, 1.21 refuses the link. Do not load the model; replace the link with the data file.`,
        { tensor: e.tensor, location: e.location, offset: e.at, resolves: 'outside-root' },
      );
    else if (located.kind === 'not-regular-file')
      out.add(
        'CPI065',
        `tensor ${JSON.stringify(e.tensor)} loads external data from ${JSON.stringify(e.location)}, which is not a regular file (a device, FIFO or folder); onnx's resolve_external_data_location refuses it, other runtimes may block or read a device. Replace it with the data file.`,
        { tensor: e.tensor, location: e.location, offset: e.at, resolves: 'not-regular-file' },
      );
  }
  return out.list;
}
