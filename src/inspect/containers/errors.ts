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

/**
 * A compressed stream that failed to decode part way (cut short, or a later block corrupt): `decoded` is what came
 * out before the failure, which bzcat / xzcat write and Python's `BZ2File.read` / `LZMAFile.read` return to their
 * reader before they raise.
 */
export class StreamCutError extends Error {
  override readonly name = 'StreamCutError';
  constructor(
    message: string,
    readonly decoded: Buffer,
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
