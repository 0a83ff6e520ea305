// Minimal typings for the pure-JS decoders used by compression.ts (neither package ships its own).
declare module 'seek-bzip' {
  interface ByteSource {
    readByte(): number;
    read(buf: Uint8Array, off: number, len: number): number;
    eof(): boolean;
    seek(pos: number): void;
  }
  interface ByteSink {
    writeByte(b: number): void;
  }
  const Bunzip: {
    decode(input: ByteSource, output: ByteSink, multistream?: boolean): void;
  };
  export default Bunzip;
}

declare module 'lzma-purejs' {
  interface ByteSource {
    readByte(): number;
  }
  interface ByteSink {
    writeByte(b: number): void;
  }
  const LZMA: {
    /** LZMA_Alone: 13-byte header (properties, dictionary size, uncompressed size) then the raw stream. */
    decompressFile(input: ByteSource, output: ByteSink): unknown;
  };
  export default LZMA;
}
