import type { UnseenCase } from './unseen-attacks.test.js';
import { zip } from '../formats/build.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
/** Protocol 2 GLOBAL `module name`. */
const global2 = (module: string, name: string) => `c${module}\n${name}\n`;
/** `cls.__new__(cls)` then a BUILD with an empty dict: what pickle writes for a plain object (NEWOBJ, protocol 2). */
const newobj2 = (module: string, name: string) => `${global2(module, name)})\x81}b`;
const torchZip = (pickle: Buffer) => zip([{ name: 'archive/data.pkl', data: pickle }]);
/** An .npy v1.0 file: magic, header padded to 64 bytes, then the data. */
const npy = (descr: string, shape: string, data: Buffer) => {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const len = Buffer.alloc(2);
  len.writeUInt16LE(header.length);
  return Buffer.concat([latin1('\x93NUMPY\x01\x00'), len, latin1(header), data]);
};
const npyObject = (pickle: Buffer) => npy('|O', '(3,)', pickle);
const npyPlain = npy('<f8', '(2,)', Buffer.alloc(16));
/** data.pkl of `torch.save(OrderedDict(w=torch.zeros(2)))`, written by Debian's python3-torch 1.13. */
const TORCH_STATE_DICT_PKL =
  '800263636f6c6c656374696f6e730a4f726465726564446963740a710029527101580100000077710263746f7263682e5f7574696c73' +
  '0a5f72656275696c645f74656e736f725f76320a71032828580700000073746f72616765710463746f7263680a466c6f617453746f72' +
  '6167650a71055801000000307106580300000063707571074b02747108514b004b028571094b0185710a8968002952710b74710c5271' +
  '0d732e';

/**
 * `builtins.type` and the DTensor classes, judged by what CPython's `pickle.load` and torch's weights-only
 * unpickler do with them.
 */
export const ROUND3_PICKLE_CASES: readonly UnseenCase[] = [
  {
    name: 'type(None) at protocol 2 (__builtin__.type)',
    loader: 'Lib/pickle.py Pickler.save_type writes save_reduce(type, (None,)); load_reduce calls type(None)',
    files: { 'm.pkl': latin1(`\x80\x02${global2('__builtin__', 'type')}N\x85R.`) },
    want: [],
  },
  {
    name: 'type(...) and type(NotImplemented) at protocol 4',
    loader: 'Lib/pickle.py Pickler.save_type (the Ellipsis and NotImplemented singletons)',
    files: {
      'm.pkl': latin1(
        `\x80\x04(\x8c\x08builtins\x8c\x04type\x93\x94\x8c\x08builtins\x8c\x08Ellipsis\x93\x85R` +
          `h\x00\x8c\x08builtins\x8c\x0eNotImplemented\x93\x85Rl.`,
      ),
    },
    want: [],
  },
  {
    name: 'type(None) at protocol 0 inside a dict',
    loader: 'Lib/pickle.py load_reduce',
    files: { 'm.pkl': latin1(`(dp0\nVt\np1\nc__builtin__\ntype\np2\n(NtRp3\ns.`) },
    want: [],
  },
  {
    name: 'type with three arguments builds a class',
    loader: 'Lib/pickle.py load_reduce → type(name, bases, dict) creates a class',
    files: { 'm.pkl': latin1(`\x80\x02${global2('__builtin__', 'type')}X\x01\x00\x00\x00X)}\x87R.`) },
    want: ['CPI001:error'],
  },
  {
    name: 'type(None) next to type(<string>)',
    loader: 'Lib/pickle.py load_reduce (type of a string is str: not the singleton shape)',
    files: { 'm.pkl': latin1(`\x80\x02(${global2('__builtin__', 'type')}q\x00N\x85Rh\x00X\x01\x00\x00\x00a\x85Rl.`) },
    want: ['CPI001:error'],
  },
  {
    name: 'NEWOBJ on builtins.type',
    loader: 'Lib/pickle.py load_newobj → type.__new__(type, *args) creates a class',
    files: { 'm.pkl': latin1(`\x80\x02${global2('__builtin__', 'type')}X\x01\x00\x00\x00X)}\x87\x81.`) },
    want: ['CPI001:error'],
  },
  {
    name: 'DTensor state dict in a torch zip',
    loader: 'torch/_weights_only_unpickler.py Unpickler.load (DTensor classes allowed with torch.distributed.tensor)',
    files: {
      'm.pt': torchZip(
        latin1(
          `\x80\x02](` +
            [
              ['torch.distributed.device_mesh', 'DeviceMesh'],
              ['torch.distributed.tensor._dtensor_spec', 'DTensorSpec'],
              ['torch.distributed.tensor._dtensor_spec', 'TensorMeta'],
              ['torch.distributed.tensor', 'DTensor'],
              ['torch.distributed.tensor.placement_types', 'Partial'],
              ['torch.distributed.tensor.placement_types', 'Replicate'],
              ['torch.distributed.tensor.placement_types', 'Shard'],
            ]
              .map(([m, n]) => newobj2(m!, n!))
              .join('') +
            `e.`,
        ),
      ),
    },
    want: [],
  },
  {
    name: 'whole nn.Sequential saved with torch.save',
    loader: 'torch/_weights_only_unpickler.py Unpickler.load: "Unsupported global" for nn.Module classes',
    files: {
      'm.pt': torchZip(
        latin1(
          `\x80\x02(${newobj2('torch.nn.modules.container', 'Sequential')}` +
            `${newobj2('torch.nn.modules.linear', 'Linear')}${newobj2('torch.nn.modules.activation', 'ReLU')}l.`,
        ),
      ),
    },
    want: ['CPI119:note'],
  },
  {
    name: 'state dict of tensors in a torch zip',
    loader: 'torch/_weights_only_unpickler.py _get_allowed_globals (OrderedDict, _rebuild_tensor_v2, storages)',
    files: { 'm.pt': torchZip(Buffer.from(TORCH_STATE_DICT_PKL, 'hex')) },
    want: [],
  },
  {
    name: 'whole nn.Sequential pickled with plain pickle (no torch.load)',
    loader: 'Lib/pickle.py Unpickler.load (no weights_only restriction)',
    files: { 'm.pkl': latin1(`\x80\x02${newobj2('torch.nn.modules.container', 'Sequential')}.`) },
    want: [],
  },
  {
    name: '.npy of Python strings and None (dtype object)',
    loader: 'numpy.lib.format.read_array: allow_pickle=False by default refuses object arrays',
    files: { 'a.npy': npyObject(latin1(`\x80\x02]q\x00(X\x01\x00\x00\x00aNK\x03e.`)) },
    want: ['CPI120:note'],
  },
  {
    name: '.npy of plain float64',
    loader: 'numpy.lib.format.read_array (no pickle)',
    files: { 'a.npy': npyPlain },
    want: [],
  },
  {
    name: 'torch.distributed.rpc next to DTensor classes',
    loader: 'torch/_weights_only_unpickler.py Unpickler.load (only the DTensor classes are accepted)',
    files: {
      'm.pt': torchZip(
        latin1(
          `\x80\x02](${newobj2('torch.distributed.tensor', 'DTensor')}` +
            `${global2('torch.distributed.rpc', 'rpc_sync')}X\x01\x00\x00\x00x\x85Re.`,
        ),
      ),
    },
    want: ['CPI001:error'],
  },
];
