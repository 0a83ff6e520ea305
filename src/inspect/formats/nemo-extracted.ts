import { MAX_CONFIG, nemoConfigFindings } from '../content/nemo-config.js';
import type { AllowContext } from '../pickle/allowlist.js';
import type { Findings } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { readAt } from './source.js';

/**
 * A `model_config.yaml` outside a tar: an extracted .nemo. `SaveRestoreConnector.load_config_and_state_dict` reads
 * `<model_extracted_dir>/model_config.yaml` instead of unpacking when `model_extracted_dir` is a folder, which NeMo's
 * Megatron scripts and NeMo-Aligner's `load_from_nemo` set whenever the restore path is a directory ("load as if it
 * was extracted already"); the targets are then instantiated as from a .nemo. The name is common to Hydra projects
 * whose configs name their own classes, so only a target on the known-dangerous list is reported here.
 */
export function* nemoExtractedConfigFindings(src: RandomAccess, out: Findings, allow: AllowContext): ParseSteps<void> {
  // NeMo configs are KiB to a few MiB; a larger file is not read (nemoConfigFindings would only say so).
  if (src.size > MAX_CONFIG) return;
  const body = yield* readAt(src, 0, src.size);
  // Only the `_target_`/`target` checks apply: nothing runs when the YAML does not parse or is past the size limit.
  for (const f of nemoConfigFindings(body, out.path, undefined, allow))
    if (f.ruleId === 'CPI122' && f.level === 'error')
      out.list.push({ ...f, artifact: { kind: 'model', path: out.path, format: out.format } });
}
