import type { FileFormat } from '../discover/catalogue/index.js';

/**
 * What discovery knows of a file. Formats are detected by content (magic bytes) first, extension second;
 * `claimed` is what the name alone says, so a renamed file can be reported by what it is. Format ids and the
 * model-format set come from the one format catalogue (src/discover/catalogue/).
 */
export type { FileFormat } from '../discover/catalogue/index.js';
export { MODEL_FORMATS } from '../discover/catalogue/index.js';

/**
 * A path to open: a string, or the raw bytes when a part of it is not UTF-8 (Node's fs takes both; a string would be
 * re-encoded as UTF-8 and name another file). See io/raw-names.ts.
 */
export type FsPath = string | Buffer;

export interface DiscoveredFile {
  /** Repo-relative POSIX path. */
  readonly path: string;
  /** Absolute path on this machine (never printed); raw bytes when the name is not UTF-8 (`path` escapes them). */
  readonly abs: FsPath;
  readonly size: number;
  readonly dev: number;
  readonly ino: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /** Detected from content, then name. */
  readonly format: FileFormat;
  /**
   * What the extension alone suggests, when it suggests a format; for a file whose name suggests none, what the
   * walk's bounded search of its bytes found: `chat-template-file` (discover/formats/chat-template-head.ts).
   */
  readonly claimed?: FileFormat;
  /**
   * The whole file as the walk read it, when the walk was asked to keep it (`WalkOptions.content`, small files
   * only): a reader uses it instead of opening the file a second time.
   */
  readonly content?: Buffer;
  /** The walk read the whole file and its reader declined the bytes (`WalkOptions.content`): nothing to read. */
  readonly contentDeclined?: true;
  /**
   * The walk's sniff of the first bytes, for a format they may also be a pickle in, found none `pickle.load` would
   * run (discover/formats/pickle-head.ts `leadingPickle`): inspect/content/leading-pickle.ts need not open it.
   */
  readonly pickleFreeHead?: true;
  /**
   * No name claims the file and its first bytes look like a Sigstore bundle (catalogue/sniffers.ts
   * `hasSigstoreBundleHead`): it may be a model signature under another name. A hint, never a format: the file stays
   * `other` for every other stage (a Python file may open with the same dict literal), and the signatures stage takes
   * it for a signature only once the whole file parses as model_signing's.
   */
  readonly sigstoreHead?: true;
  /**
   * Its name's loader opens zips by their end record (catalogue `zipFromTail`) and the walk found a zip's directory
   * in its tail: an archive behind leading bytes, as in a self-extractor. When the head shows no format, `format` is
   * that zip's; behind a head a format claims (a pickle, HDF5…), `format` stays the head's and the name's readers
   * judge the zip too. Python's `zipfile` reads it; torch.load's miniz view does not apply (`_is_zipfile` reads byte 0).
   */
  readonly zipBehindHead?: true;
  /**
   * The symbolic links (repo-relative paths) the walk followed to reach this file, outermost first, the file itself
   * last when it is one. Absent for a path with no link on it. A model signature made without `allow_symlinks` does
   * not verify a folder with a link in it (model_signing `_filesystem.check_path_within_model`).
   */
  readonly links?: readonly string[];
}

/** A file the walk saw but could not take in: a symlink out of the root, an unreadable file… */
export interface SkippedFile {
  readonly path: string;
  readonly reason: 'symlink-outside-root' | 'symlink-broken' | 'unreadable' | 'special-file' | 'path-too-long';
  readonly detail: string;
}

/**
 * The first `n` bytes of `buf`, copied out (the walk reads into its buffers again): what a walk's `ContentFilter`
 * keeps (`DiscoveredFile.content`). Not `Buffer.from` of a view: V8 compiled that path (two functions of node's
 * buffer module) into the walk's own.
 */
export function copyOf(buf: Buffer, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  buf.copy(out, 0, 0, n);
  return out;
}
