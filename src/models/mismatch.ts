import { MODEL_FORMATS, type DiscoveredFile } from '../core/files.js';
import type { Finding } from '../core/finding.js';
import {
  JOBLIB_STREAMS,
  NAME_ONLY_FORMATS,
  NON_MODEL_EXTENSIONS,
  PICKLE_CLAIMS,
  compatibleWith,
} from '../discover/catalogue/index.js';

/**
 * CPX005 when a name and the content disagree in a way that matters: the content or the claim is a model format,
 * and no single loader reads both. LFS pointers stand in for their file and never mismatch.
 */
export function extensionMismatch(file: DiscoveredFile): Finding | undefined {
  // An empty file is CPX023 (walk-findings.ts `emptyModelsFinding`): its name and its no content are that cause.
  if (file.format === 'lfs-pointer' || file.size === 0) return undefined;
  const claimed = file.claimed ?? nonModelClaim(file.path);
  if (claimed === undefined || claimed === file.format) return undefined;
  if (compatibleWith(claimed).includes(file.format)) return undefined;
  const claimIsModel = claimed !== 'other' && MODEL_FORMATS.has(claimed);
  const isModel = MODEL_FORMATS.has(file.format);
  if (!claimIsModel && !isModel) return undefined;
  // A name-only format (savedmodel, raw tensors) with no recognisable content is what its name says.
  if (file.format === 'other' && claimIsModel && NAME_ONLY_FORMATS.has(claimed)) return undefined;
  // Unrecognised bytes under a name whose loader unpickles the file (`model.pt`, `clf.pkl`): the content inspector
  // reads them as that loader would and always reports them, CPI016 "named as … but the content is …" or the pickle
  // rule for what the loader would run (inspect/content/analyser.ts). That finding is this cause's one. So for a
  // compressed stream joblib.load decompresses by its magic (numpy_pickle_utils.py `_detect_compressor`): the
  // inspector unpacks it and judges what is inside as that loader would.
  if ((file.format === 'other' || JOBLIB_STREAMS.has(file.format)) && PICKLE_CLAIMS.has(claimed)) return undefined;
  const what = isModel ? `${file.format} content` : 'content that is not a model format chainproof recognises';
  const claim = file.claimed !== undefined ? `its name says ${claimed}` : 'its extension says it is not a model';
  return {
    ruleId: 'CPX005',
    message: `${file.path} holds ${what}, but ${claim}. Loaders dispatch on content, name-based checks on the name: rename the file to match its content, or find out why it was disguised.`,
    location: { path: file.path },
    artifact: { kind: 'model', path: file.path, format: file.format },
    evidence: { claimed, detected: file.format },
  };
}

function nonModelClaim(path: string): 'other' | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  return dot > 0 && NON_MODEL_EXTENSIONS.has(base.slice(dot + 1)) ? 'other' : undefined;
}
