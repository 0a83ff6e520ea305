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
    (out, names) => {
      // onnx's `load_external_data_for_tensor` opens each file (older releases with `open`, FileNotFoundError; newer
      // ones check it first in `_resolve_external_data_location`, which raises): onnx.load fails. Nothing is read,
      // but the model as shipped is incomplete and those weights were not checked. One note for the model.
      const listed = names.slice(0, MAX_LISTED).map((n) => JSON.stringify(n.slice(0, 200)));
      const more = names.length > MAX_LISTED ? ` and ${names.length - MAX_LISTED} more` : '';
      out.add(
        'CPI065',
        `${names.length === 1 ? 'an external data file' : `${names.length} external data files`} the model names (${listed.join(', ')}${more}) ${names.length === 1 ? 'is' : 'are'} not beside it; onnx.load (load_external_data_for_tensor) and ONNX Runtime fail to load the model, and the missing weights were not checked. Ship the data files with the model, or re-export it with the weights inside.`,
        { missing: names.slice(0, 50).join(', '), count: names.length, resolves: 'missing' },
        undefined,
        'note',
      );
    },
  );
}

/** Missing file names quoted in the message; the evidence lists more. */
const MAX_LISTED = 5;
