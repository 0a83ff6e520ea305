/** A container limit (size, ratio, entries, depth) was hit: the rest was not checked. */
export class ContainerLimitError extends Error {
  override readonly name = 'ContainerLimitError';
  constructor(
    message: string,
    /** Bytes decompressed before the limit stopped it: work already spent, charged to the file's budget. */
    readonly decompressed = 0,
  ) {
    super(message);
  }
}

/** Content chainproof cannot open (encryption, unsupported compression or archive format). */
export class UnsupportedContentError extends Error {
  override readonly name = 'UnsupportedContentError';
  constructor(
    message: string,
    /** The raw (still compressed or encrypted) bytes, for content sniffing. */
    readonly raw?: Buffer,
  ) {
    super(message);
  }
}
