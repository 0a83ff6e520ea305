/**
 * What discovery knows of a file. Formats are detected by content (magic bytes) first, extension second;
 * `claimed` is what the name alone says, so a renamed file can be reported by what it is.
 */
export type FileFormat =
  // dependency inputs
  | 'npm-lockfile'
  | 'yarn-lockfile'
  | 'pnpm-lockfile'
  | 'package-json'
  | 'npmrc'
  // Python dependency inputs (descriptors in src/deps/parsers/python/formats.ts)
  | 'pip-requirements'
  | 'uv-lockfile'
  | 'poetry-lockfile'
  | 'pipfile-lockfile'
  | 'pylock'
  | 'pyproject-toml'
  | 'pip-config'
  // model formats
  | 'pickle'
  | 'pytorch-zip'
  | 'pytorch-legacy'
  | 'torchscript'
  | 'numpy'
  | 'numpy-npz'
  | 'joblib'
  | 'safetensors'
  | 'gguf'
  | 'onnx'
  | 'onnx-external-data'
  | 'keras'
  | 'keras-h5'
  | 'tflite'
  | 'savedmodel'
  | 'tfjs-manifest'
  | 'tfjs-weights'
  // pointers, signatures, containers
  | 'lfs-pointer'
  | 'sigstore-bundle'
  | 'model-signature'
  | 'zip'
  | 'tar'
  | 'gzip'
  | 'bzip2'
  | 'xz'
  | 'other';

export const MODEL_FORMATS: ReadonlySet<FileFormat> = new Set<FileFormat>([
  'pickle',
  'pytorch-zip',
  'pytorch-legacy',
  'torchscript',
  'numpy',
  'numpy-npz',
  'joblib',
  'safetensors',
  'gguf',
  'onnx',
  'onnx-external-data',
  'keras',
  'keras-h5',
  'tflite',
  'savedmodel',
  'tfjs-weights',
]);

export interface DiscoveredFile {
  /** Repo-relative POSIX path. */
  readonly path: string;
  /** Absolute path on this machine (never printed). */
  readonly abs: string;
  readonly size: number;
  readonly dev: number;
  readonly ino: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /** Detected from content, then name. */
  readonly format: FileFormat;
  /** What the extension alone suggests, when it suggests a format. */
  readonly claimed?: FileFormat;
}

/** A file the walk saw but could not take in: a symlink out of the root, an unreadable file… */
export interface SkippedFile {
  readonly path: string;
  readonly reason: 'symlink-outside-root' | 'symlink-broken' | 'unreadable' | 'special-file';
  readonly detail: string;
}
