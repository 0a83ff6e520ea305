import type { FileFormat } from '../core/files.js';

/** How many leading bytes discovery reads for content sniffing. */
export const SNIFF_BYTES = 4096;

/**
 * Detect a file's format from its first bytes, its name and its size. Content wins over the name: a pickle named
 * `.safetensors` is a pickle. Returns the detected format and, separately, what the name alone claims.
 */
export function detectFormat(head: Buffer, name: string, size: number): { format: FileFormat; claimed?: FileFormat } {
  const claimed = formatFromName(name);
  const sniffed = sniff(head, size, claimed);
  const format = sniffed ?? nameOnlyFormat(claimed) ?? 'other';
  return claimed !== undefined ? { format, claimed } : { format };
}

/** Formats that have no magic bytes and are trusted from the name alone (text manifests, lockfiles). */
function nameOnlyFormat(claimed: FileFormat | undefined): FileFormat | undefined {
  switch (claimed) {
    case 'npm-lockfile':
    case 'yarn-lockfile':
    case 'pnpm-lockfile':
    case 'package-json':
    case 'npmrc':
    case 'tfjs-manifest':
    case 'tfjs-weights':
    case 'sigstore-bundle':
    case 'model-signature':
    case 'onnx-external-data':
      return claimed;
    default:
      return undefined;
  }
}

export function formatFromName(name: string): FileFormat | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1).toLowerCase();
  if (base === 'package-lock.json' || base === 'npm-shrinkwrap.json') return 'npm-lockfile';
  if (base === 'yarn.lock') return 'yarn-lockfile';
  if (base === 'pnpm-lock.yaml') return 'pnpm-lockfile';
  if (base === 'package.json') return 'package-json';
  if (base === '.npmrc') return 'npmrc';
  if (base === 'model.sig') return 'model-signature';
  if (base.endsWith('.sigstore.json') || base.endsWith('.sigstore')) return 'sigstore-bundle';
  if (base === 'saved_model.pb' || base === 'saved_model.pbtxt') return 'savedmodel';
  if (/weights_manifest\.json$|^model\.json$/.test(base)) return 'tfjs-manifest';
  if (/-shard\d+of\d+(\.bin)?$/.test(base)) return 'tfjs-weights';
  const ext = base.includes('.') ? base.slice(base.lastIndexOf('.') + 1) : '';
  switch (ext) {
    case 'pkl':
    case 'pickle':
    case 'dill':
      return 'pickle';
    case 'pt':
    case 'pth':
    case 'bin':
    case 'ckpt':
      return ext === 'bin' ? undefined : 'pytorch-zip';
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

function sniff(head: Buffer, size: number, claimed: FileFormat | undefined): FileFormat | undefined {
  if (head.length === 0) return undefined;
  if (head.subarray(0, 4).toString('latin1') === 'GGUF') return 'gguf';
  if (head.subarray(0, 6).equals(Buffer.from('\x93NUMPY', 'latin1'))) return 'numpy';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'keras-h5';
  if (head.length >= 8 && head.subarray(4, 8).toString('latin1') === 'TFL3') return 'tflite';
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'zip';
  if (head.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))) return 'gzip';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  if (head.subarray(0, 40).toString('latin1') === 'version https://git-lfs.github.com/spec/') return 'lfs-pointer';
  if (head[0] === 0x80 && head.length > 1 && head[1]! >= 2 && head[1]! <= 5) return 'pickle';
  if (isSafetensorsHead(head, size)) return 'safetensors';
  if (claimed === 'pickle' || claimed === 'joblib') return claimed;
  return undefined;
}

/** safetensors: u64 little-endian header length, then a JSON object. */
function isSafetensorsHead(head: Buffer, size: number): boolean {
  if (head.length < 10) return false;
  const n = head.readBigUInt64LE(0);
  return n > 1n && n + 8n <= BigInt(size) && head[8] === 0x7b /* { */;
}
