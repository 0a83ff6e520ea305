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
  const Bunzip: {
    decode(input: ByteSource, output: ByteSink, multistream?: boolean): void;
  };
  export default Bunzip;
}
