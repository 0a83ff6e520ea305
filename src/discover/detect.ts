import type { FileFormat } from '../core/files.js';
import { inflatesToPickle } from './formats/compressed-head.js';
import { looksLikeOnnx } from './formats/onnx-head.js';
import { looksLikeHeaderlessPickle } from './formats/pickle-head.js';
import { classifyZip } from './formats/zip-names.js';
import { PYTHON_FORMAT_IDS, pythonFormatFromName } from '../deps/parsers/python/formats.js';

/** How many leading bytes discovery reads for content sniffing. */
export const SNIFF_BYTES = 4096;

/** What discovery can add beyond the head: a zip's member names from its central directory. */
export interface DetectExtra {
  readonly zipNames?: readonly string[];
}

/**
 * Detect a file's format from its first bytes, its name and its size. Content wins over the name: a pickle named
 * `.safetensors` is a pickle. Returns the detected format and, separately, what the name alone claims.
 * `name` is the repo-relative path (some formats are known by their folder, e.g. SavedModel `variables/`).
 */
export function detectFormat(
  head: Buffer,
  name: string,
  size: number,
  extra: DetectExtra = {},
): { format: FileFormat; claimed?: FileFormat } {
  const claimed = formatFromName(name);
  let sniffed = sniff(head, size, claimed);
  if (sniffed === 'zip' && extra.zipNames) sniffed = classifyZip(extra.zipNames);
  const format = sniffed ?? nameOnlyFormat(claimed) ?? 'other';
  return claimed !== undefined ? { format, claimed } : { format };
}

/** Formats that have no magic bytes and are trusted from the name alone (text manifests, lockfiles, raw tensors). */
const NAME_ONLY_FORMATS: ReadonlySet<FileFormat> = new Set<FileFormat>([
  'npm-lockfile',
  'yarn-lockfile',
  'pnpm-lockfile',
  'package-json',
  'npmrc',
  ...PYTHON_FORMAT_IDS,
  'tfjs-manifest',
  'tfjs-weights',
  'sigstore-bundle',
  'model-signature',
  'onnx-external-data',
  'savedmodel',
]);

function nameOnlyFormat(claimed: FileFormat | undefined): FileFormat | undefined {
  return claimed !== undefined && NAME_ONLY_FORMATS.has(claimed) ? claimed : undefined;
}

export function formatFromName(name: string): FileFormat | undefined {
  const lower = name.toLowerCase();
  const base = lower.slice(lower.lastIndexOf('/') + 1);
  if (base === 'package-lock.json' || base === 'npm-shrinkwrap.json') return 'npm-lockfile';
  if (base === 'yarn.lock') return 'yarn-lockfile';
  if (base === 'pnpm-lock.yaml') return 'pnpm-lockfile';
  if (base === 'package.json') return 'package-json';
  if (base === '.npmrc') return 'npmrc';
  if (pythonFormatFromName(lower) !== undefined) return pythonFormatFromName(lower);
  if (base === 'model.sig') return 'model-signature';
  if (base.endsWith('.sigstore.json') || base.endsWith('.sigstore')) return 'sigstore-bundle';
  if (base === 'saved_model.pb' || base === 'saved_model.pbtxt') return 'savedmodel';
  // SavedModel variables: `variables/variables.index`, `variables/variables.data-00000-of-00001`.
  if (/(^|\/)variables\/variables\.(index|data-\d+-of-\d+)$/.test(lower)) return 'savedmodel';
  if (/weights_manifest\.json$|^model\.json$/.test(base)) return 'tfjs-manifest';
  if (/-shard\d+of\d+(\.bin)?$/.test(base)) return 'tfjs-weights';
  if (/\.onnx[._]data$/.test(base)) return 'onnx-external-data';
  const ext = base.includes('.') ? base.slice(base.lastIndexOf('.') + 1) : '';
  switch (ext) {
    case 'pkl':
    case 'pickle':
    case 'dill':
      return 'pickle';
    case 'pt':
    case 'pth':
    case 'ckpt':
      return 'pytorch-zip';
    case 'npy':
      return 'numpy';
    case 'npz':
      return 'numpy-npz';
    case 'joblib':
      return 'joblib';
    case 'safetensors':
      return 'safetensors';
    case 'gguf':
      return 'gguf';
    case 'onnx':
      return 'onnx';
    case 'keras':
      return 'keras';
    case 'h5':
    case 'hdf5':
      return 'keras-h5';
    case 'tflite':
      return 'tflite';
    case 'zip':
      return 'zip';
    case 'tar':
      return 'tar';
    case 'gz':
    case 'tgz':
      return 'gzip';
    case 'bz2':
      return 'bzip2';
    case 'xz':
      return 'xz';
    default:
      return undefined;
  }
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
/** torch.save's legacy format: protocol-2 pickle of LONG1 magic 0x1950a86a20f9469cfc6c first. */
const TORCH_LEGACY_MAGIC = Buffer.from([
  0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19,
]);
/** Members of the pre-1.0 torch.save tar format. */
const TORCH_TAR_MEMBERS = new Set(['sys_info', 'pickle', 'storages', 'tensors']);

function sniff(head: Buffer, size: number, claimed: FileFormat | undefined): FileFormat | undefined {
  if (head.length === 0) return undefined;
  const latin = (a: number, b: number) => head.subarray(a, b).toString('latin1');
  if (latin(0, 4) === 'GGUF') return 'gguf';
  if (latin(0, 6) === '\x93NUMPY') return 'numpy';
  // HDF5 may sit after a user block of 512, 1024, 2048… bytes.
  for (const off of [0, 512, 1024, 2048]) {
    if (head.length >= off + 8 && head.subarray(off, off + 8).equals(HDF5_SIGNATURE)) return 'keras-h5';
  }
  if (head.length >= 8 && latin(4, 8) === 'TFL3') return 'tflite';
  if (
    head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])) ||
    head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  )
    return 'zip';
  if (latin(0, 40) === 'version https://git-lfs.github.com/spec/') return 'lfs-pointer';
  if (
    head.length >= TORCH_LEGACY_MAGIC.length &&
    head.subarray(0, TORCH_LEGACY_MAGIC.length).equals(TORCH_LEGACY_MAGIC)
  )
    return 'pytorch-legacy';
  if (head[0] === 0x80 && head.length > 1 && head[1]! >= 2 && head[1]! <= 5) {
    return latin(0, head.length).includes('joblib.numpy_pickle') || claimed === 'joblib' ? 'joblib' : 'pickle';
  }
  if (isSafetensorsHead(head, size)) return 'safetensors';
  if (head.length >= 262 && latin(257, 262) === 'ustar') {
    const first = latin(0, 100).replace(/\0.*$/s, '').replace(/^\.\//, '');
    return TORCH_TAR_MEMBERS.has(first) ? 'pytorch-legacy' : 'tar';
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return inflatesToPickle(head) || claimed === 'joblib' ? 'joblib' : 'gzip';
  if (inflatesToPickle(head)) return 'joblib';
  if (latin(0, 3) === 'BZh') return claimed === 'joblib' ? 'joblib' : 'bzip2';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])))
    return claimed === 'joblib' ? 'joblib' : 'xz';
  if (looksLikeOnnx(head, size)) return 'onnx';
  if (looksLikeHeaderlessPickle(head, head.length >= size)) return claimed === 'joblib' ? 'joblib' : 'pickle';
  // A name that promises a pickle is loaded as one: keep it, so the inspector reads it and reports what it finds.
  if (claimed === 'pickle' || claimed === 'joblib') return claimed;
  return undefined;
}

/** safetensors: u64 little-endian header length, then a JSON object. */
function isSafetensorsHead(head: Buffer, size: number): boolean {
  if (head.length < 10) return false;
  const n = head.readBigUInt64LE(0);
  return n > 1n && n + 8n <= BigInt(size) && head[8] === 0x7b; /* { */
}
