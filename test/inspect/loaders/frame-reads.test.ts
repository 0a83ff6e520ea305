import { describeUnseenCases } from './unseen-runner.js';

const short = (s: string) => Buffer.from(`\x8c${String.fromCharCode(s.length)}${s}`, 'latin1');
const ops = (s: string) => Buffer.from(s, 'latin1');
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const frame = (body: Buffer) => {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(body.length));
  return Buffer.concat([ops('\x95'), len, body]);
};
/** `module.name('id')`, its result left on the stack. */
const call = (module: string, name: string) =>
  Buffer.concat([short(module), short(name), ops('\x93'), short('id'), ops('\x85R')]);

const ARRAY = 64;
/** A NumpyArrayWrapper of `ARRAY` bytes of dtype `dtype` (no alignment padding), BUILD its last opcode. */
const wrapper = (dtype: string) =>
  Buffer.concat([
    short('joblib.numpy_pickle'),
    short('NumpyArrayWrapper'),
    ops('\x93)\x81}('),
    ...[short('subclass'), short('numpy'), short('ndarray'), ops('\x93')],
    ...[short('shape'), ops(`K${String.fromCharCode(ARRAY)}\x85`)],
    ...[short('order'), short('C')],
    ...[short('dtype'), short('numpy'), short('dtype'), ops('\x93'), short(dtype), ops('\x85R')],
    ...[short('allow_mmap'), ops('\x89ub')],
  ]);

/**
 * The wrapper's frame goes on after its BUILD with `rest`, then the array data, then `after` and STOP. joblib
 * (`pickle._Unframer` has read the whole frame) reads the data from after the frame, runs `rest`, then `after`.
 * The data's last bytes are a FRAME whose BYTES opcode swallows `after`: a reading that takes the data from right
 * after BUILD skips `rest` and reads `after` as a bytes value.
 */
function dataAfterFrame(after: Buffer, rest?: Buffer): Buffer {
  const swallow = Buffer.concat([ops('B'), u32(after.length)]);
  const tail = Buffer.concat([ops('\x95'), Buffer.alloc(8), swallow]);
  tail.writeBigUInt64LE(BigInt(swallow.length + after.length + 2), 1);
  const inFrame = rest ?? ops('N0'.repeat(tail.length / 2));
  return Buffer.concat([
    ops('\x80\x04'),
    frame(Buffer.concat([wrapper('u1'), inFrame])),
    Buffer.alloc(ARRAY - tail.length),
    tail,
    after,
    ops('0.'),
  ]);
}

const LOADER = 'joblib NumpyUnpickler.load_build → NumpyArrayWrapper.read_array reads the file after the frame';

/**
 * An object array wrapper whose pickle's FRAME declares `rest` bytes past its STOP, then `after` and STOP. The C
 * unpickler `read_array` calls reads a frame of 8 KiB or more with `read()` (`_pickle.c` `_Unpickler_ReadFromFile`),
 * so joblib goes on after the frame; the bytes past STOP are a BYTES opcode that swallows `after` for a reading that
 * goes on after STOP. The array pickle is `np.array([None], dtype=object)` at protocol 4, by CPython 3.11/numpy 1.24.
 */
function frameAfterStop(after: Buffer, rest: number): Buffer {
  const swallow = Buffer.concat([ops('B'), u32(rest - 5 + after.length), Buffer.alloc(rest - 5)]);
  return Buffer.concat([
    ops('\x80\x04'),
    frame(wrapper('O')),
    ops('\x80\x04'),
    frame(Buffer.concat([OBJECT_ARRAY, ops('.'), swallow])),
    after,
    ops('0.'),
  ]);
}

const OBJECT_ARRAY = ops(
  '\x8c\x15numpy.core.multiarray\x94\x8c\x0c_reconstruct\x94\x93\x94\x8c\x05numpy\x94\x8c\x07ndarray\x94\x93\x94K\x00\x85\x94C\x01b\x94\x87\x94R\x94(K\x01K\x01\x85\x94h\x03\x8c\x05dtype\x94\x93\x94\x8c\x02O8\x94\x89\x88\x87\x94R\x94(K\x03\x8c\x01|\x94NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?t\x94b\x89]\x94Nat\x94b',
);

/** Streams joblib.dump never writes (`NumpyPickler.save` commits the frame before the data): not checked is an error. */
describeUnseenCases('a joblib array wrapper built inside a FRAME with opcodes after it', [
  {
    name: 'os.system after the array data, hidden from a reading that takes the data from after BUILD',
    loader: LOADER,
    files: { 'm.joblib': dataAfterFrame(Buffer.concat([ops('N0'), call('os', 'system')])) },
    want: ['CPI004:error'],
  },
  {
    name: 'os.system in the rest of the frame',
    loader: LOADER,
    files: {
      'm.joblib': Buffer.concat([
        ops('\x80\x04'),
        frame(Buffer.concat([wrapper('u1'), call('os', 'system'), ops('0')])),
        Buffer.alloc(ARRAY),
        ops('.'),
      ]),
    },
    want: ['CPI001:error', 'CPI004:error'],
  },
  {
    name: 'an object array whose pickle joblib reads from after the frame',
    loader: 'joblib NumpyArrayWrapper.read_array: pickle.load(unpickler.file_handle) after the frame',
    files: {
      'm.joblib': Buffer.concat([
        ops('\x80\x04'),
        frame(Buffer.concat([wrapper('O'), ops('N0')])),
        ops('\x80\x02'),
        call('os', 'system'),
        ops('.'),
        ops('.'),
      ]),
    },
    want: ['CPI001:error', 'CPI004:error'],
  },
  {
    name: "os.system after an object array pickle's 8 KiB frame that declares bytes past its STOP",
    loader: 'joblib NumpyArrayWrapper.read_array: pickle.load(file_handle) reads the whole frame',
    files: { 'm.joblib': frameAfterStop(call('os', 'system'), 9000) },
    want: ['CPI004:error'],
  },
]);

/** torch's legacy MAGIC_NUMBER as LONG1 takes it: ten little-endian bytes. */
const MAGIC = (() => {
  const b = Buffer.alloc(10);
  let v = 0x1950a86a20f9469cfc6cn;
  for (let i = 0; i < 10; i++, v >>= 8n) b[i] = Number(v & 0xffn);
  return Buffer.concat([ops('\x8a\x0a'), b]);
})();

describeUnseenCases('a legacy torch file whose magic-number pickle ends inside a FRAME', [
  {
    name: 'os.system as the next record after an 8 KiB frame that declares bytes past STOP',
    loader: 'torch.serialization._legacy_load: pickle.load(f) reads a frame of 8 KiB or more with read()',
    files: {
      'm.pt': Buffer.concat([
        ops('\x80\x04'),
        frame(Buffer.concat([MAGIC, ops('.'), ops('B'), u32(9000 + 16), Buffer.alloc(9000)])),
        ops('\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.'),
        ops('.'),
      ]),
    },
    want: ['CPI004:error', 'CPI119:note'],
  },
]);
