import { MODEL_FORMATS, type DiscoveredFile, type FileFormat } from '../core/files.js';
import type { Finding } from '../core/finding.js';

/** Content a name may legitimately hold: the same loader reads all of these. */
const COMPATIBLE: Partial<Record<FileFormat, readonly FileFormat[]>> = {
  'pytorch-zip': ['pytorch-zip', 'pytorch-legacy', 'torchscript'],
  pickle: ['pickle', 'joblib'],
  joblib: ['joblib', 'pickle'],
  gzip: ['gzip', 'joblib'],
  bzip2: ['bzip2', 'joblib'],
  xz: ['xz', 'joblib'],
};

/** Extensions of data, text and media: a model behind one of these is hiding. */
const NON_MODEL_EXTENSIONS = new Set([
  'txt',
  'md',
  'json',
  'yaml',
  'yml',
  'toml',
  'ini',
  'cfg',
  'csv',
  'tsv',
  'xml',
  'html',
  'htm',
  'log',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'webp',
  'bmp',
  'ico',
  'wav',
  'mp3',
  'mp4',
  'pdf',
  'js',
  'mjs',
  'cjs',
  'ts',
  'py',
  'sh',
  'css',
]);

/**
 * CPX005 when a name and the content disagree in a way that matters: the content or the claim is a model format,
 * and no single loader reads both. LFS pointers stand in for their file and never mismatch.
 */
export function extensionMismatch(file: DiscoveredFile): Finding | undefined {
  if (file.format === 'lfs-pointer') return undefined;
  const claimed = file.claimed ?? nonModelClaim(file.path);
  if (claimed === undefined || claimed === file.format) return undefined;
  if ((COMPATIBLE[claimed] ?? []).includes(file.format)) return undefined;
  const claimIsModel = claimed !== 'other' && MODEL_FORMATS.has(claimed);
  const isModel = MODEL_FORMATS.has(file.format);
  if (!claimIsModel && !isModel) return undefined;
  // A name-only format (savedmodel, raw tensors) with no recognisable content is what its name says.
  if (
    file.format === 'other' &&
    (claimed === 'savedmodel' || claimed === 'onnx-external-data' || claimed === 'tfjs-weights')
  )
    return undefined;
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
