import type { DiscoveredFile } from '../../core/files.js';
import type { Finding } from '../../core/finding.js';
import { misplacedFindings } from './external-files.js';
import type { OnnxExternal } from './onnx.js';

/**
 * A relative `location` can still lead out of the model folder through the file system. onnx's
 * `load_external_data_for_model` resolves each one with `checker.resolve_external_data_location` (C++), which
 * before onnx 1.21 only checked `is_regular_file` on `base_dir / location` — that follows a symbolic link, so a
 * link beside the model reads whatever it points at (CVE-2026-27489); 1.21 refuses links.
 */
export async function checkExternalFiles(
  file: DiscoveredFile,
  root: string | undefined,
  externals: readonly OnnxExternal[],
): Promise<Finding[]> {
  return misplacedFindings(
    file,
    root,
    externals,
    (e) => e.location,
    (out, e, kind) => {
      if (kind === 'symlink-outside-root')
        out.add(
          'CPI065',
          `tensor ${JSON.stringify(e.tensor)} loads external data from ${JSON.stringify(e.location)}, a symbolic link that leads out of the scan root; onnx before 1.21 (resolve_external_data_location) follows it and reads that file, 1.21 refuses the link. Do not load the model; replace the link with the data file.`,
          { tensor: e.tensor, location: e.location, offset: e.at, resolves: 'outside-root' },
        );
      else
        out.add(
          'CPI065',
          `tensor ${JSON.stringify(e.tensor)} loads external data from ${JSON.stringify(e.location)}, which is not a regular file (a device, FIFO or folder); onnx's resolve_external_data_location refuses it, other runtimes may block or read a device. Replace it with the data file.`,
          { tensor: e.tensor, location: e.location, offset: e.at, resolves: 'not-regular-file' },
        );
    },
  );
}
