import { zip } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const str = (s: string): string => `X${String.fromCharCode(s.length)}\x00\x00\x00${s}`;

/** A torch zip whose data.pkl is the protocol-2 dict `{'w': <tensor>, key: <value>}`, as torch.save writes it. */
function checkpoint(key: string, value: string): Buffer {
  const tensor =
    `ctorch._utils\n_rebuild_tensor_v2\n((${str('storage')}ctorch\nFloatStorage\n${str('0')}${str('cpu')}K\x02tQ` +
    'K\x00K\x02\x85K\x01\x85\x89ccollections\nOrderedDict\n)RtR';
  const pkl = b(`\x80\x02ccollections\nOrderedDict\n)R(${str('w')}${tensor}${str(key)}${value}u.`);
  return zip([
    { name: 'archive/data.pkl', data: pkl },
    { name: 'archive/data/0', data: Buffer.alloc(8) },
    { name: 'archive/version', data: b('3\n') },
  ]);
}

/** `np.int64(3)`: numpy.core.multiarray.scalar(dtype('i8'), <8 bytes>), the bytes through `_codecs.encode`. */
const NUMPY_SCALAR =
  'cnumpy.core.multiarray\nscalar\ncnumpy\ndtype\nX\x02\x00\x00\x00i8\x89\x88\x87R(K\x03X\x01\x00\x00\x00<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb' +
  `c_codecs\nencode\n${str('\x03\x00\x00\x00\x00\x00\x00\x00')}${str('latin1')}\x86R\x86R`;

const LOADER =
  'torch.load, default weights_only=True: _weights_only_unpickler.Unpickler.load refuses a GLOBAL outside _get_allowed_globals';

/**
 * torch >= 2.6 loads with weights_only=True, whose allowlist holds no numpy name and of builtins only set,
 * bytearray and complex. chainproof treated every numpy and builtins name as allowed, so a state dict carrying a
 * numpy scalar (an epoch count, a best score) or a frozenset got no CPI119, though the default torch.load raises
 * "Unsupported global" on it and users then reach for weights_only=False. Its unpickler also implements only
 * protocol 2's opcodes: a SHORT_BINUNICODE or LIST is "Unsupported operand", which chainproof did not say either.
 */
export const ROUND14_WEIGHTS_ONLY_CASES: readonly UnseenCase[] = [
  {
    name: 'state dict with a numpy int64 scalar next to a tensor',
    loader: LOADER,
    files: { 'model.pt': checkpoint('epoch', NUMPY_SCALAR) },
    want: ['CPI119:note'],
  },
  {
    name: 'state dict with a frozenset of tags',
    loader: LOADER,
    files: { 'model.pt': checkpoint('tags', `c__builtin__\nfrozenset\n]K\x01a\x85R`) },
    want: ['CPI119:note'],
  },
  {
    name: 'state dict with a slice',
    loader: LOADER,
    files: { 'model.pt': checkpoint('rows', `c__builtin__\nslice\nK\x01K\x02N\x87R`) },
    want: ['CPI119:note'],
  },
  {
    name: 'state dict with a set (builtins.set is allowlisted)',
    loader: LOADER,
    files: { 'model.pt': checkpoint('ids', `c__builtin__\nset\n]K\x01a\x85R`) },
    want: [],
  },
  {
    name: 'state dict with a SHORT_BINUNICODE string (torch.save pickle_protocol=4)',
    loader: `${LOADER}; Unpickler._load raises "Unsupported operand" on opcodes past protocol 2`,
    files: { 'model.pt': checkpoint('name', '\x8c\x03mlp') },
    want: ['CPI119:note'],
  },
  {
    name: 'state dict with a protocol-0 LIST opcode',
    loader: `${LOADER}; Unpickler._load raises "Unsupported operand" on opcodes past protocol 2`,
    files: { 'model.pt': checkpoint('sizes', '(K\x01l') },
    want: ['CPI119:note'],
  },
  {
    name: 'state dict of tensors only',
    loader: LOADER,
    files: { 'model.pt': checkpoint('bias', 'N') },
    want: [],
  },
];
