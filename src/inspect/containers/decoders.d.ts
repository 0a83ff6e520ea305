// Minimal typings for seek-bzip (it ships none): the synchronous decoder used by bzip2.ts.
declare module 'seek-bzip' {
  interface ByteSource {
    readByte(): number;
    read(buf: Uint8Array, off: number, len: number): number;
    seek(pos: number): void;
    eof(): boolean;
  }
  interface ByteSink {
    writeByte(b: number): void;
  }
  /** The decoder object `decode` drives; bzip2.ts drives it one block at a time (seek-bzip 2.0.0). */
  interface Bunzip {
    _init_block(): boolean;
    _read_bunzip(): number;
    _start_bunzip(input: ByteSource, output: ByteSink): void;
    readonly reader: { read(bits: number): number };
    readonly streamCRC: number;
  }
  const Bunzip: {
    new (input: ByteSource, output: ByteSink): Bunzip;
    decode(input: ByteSource, output: ByteSink, multistream?: boolean): void;
  };
  export default Bunzip;
}
