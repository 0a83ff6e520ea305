import { buildZip } from '../containers/build.js';
import type { UnseenCase } from './unseen-runner.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const str = (s: string) => `X${String.fromCharCode(s.length)}\x00\x00\x00${s}`; // BINUNICODE
/** `getattr(torch._C._VariableFunctionsClass, name)`, as pickle saves `torch.<name>` (protocol 2, torch.save). */
const torchFunction = (name: string) => `c__builtin__\ngetattr\nctorch._C\n_VariableFunctionsClass\n${str(name)}\x86R`;
/** `{'act': <value>}`. */
const dictOf = (value: string) => latin1(`\x80\x02}${str('act')}${value}s.`);
const torchZip = (pickle: Buffer) => buildZip([{ name: 'model/data.pkl', data: pickle }]);

const LOADER = 'torch/serialization.py _load (pickle find_class, then builtins.getattr on the class)';

/**
 * A module that keeps `torch.tanh` as an attribute: pickle saves the builtin as a getattr on
 * `torch._C._VariableFunctionsClass`, which only hands the function back. Any other use stays dangerous.
 */
export const ROUND6_TORCH_FUNCTION_CASES: readonly UnseenCase[] = [
  {
    name: 'pickle holding torch.tanh by reference',
    loader: LOADER,
    files: { 'act.pkl': dictOf(torchFunction('tanh')) },
    want: [],
  },
  {
    name: 'torch.save zip holding torch.relu and torch.cat by reference (weights_only refuses it)',
    loader: LOADER,
    files: { 'model.pt': torchZip(dictOf(`(${torchFunction('relu')}${torchFunction('cat')}t`)) },
    want: ['CPI119:note'],
  },
  {
    name: 'torch.from_file read off _VariableFunctionsClass',
    loader: LOADER,
    files: { 'act.pkl': dictOf(torchFunction('from_file')) },
    want: ['CPI001:error'],
  },
  {
    name: 'torch.tanh read off _VariableFunctionsClass and called while loading',
    loader: LOADER,
    files: { 'act.pkl': dictOf(`${torchFunction('tanh')}K\x01\x85R`) },
    want: ['CPI001:error'],
  },
  {
    name: '_VariableFunctionsClass called itself',
    loader: LOADER,
    files: { 'act.pkl': dictOf(`ctorch._C\n_VariableFunctionsClass\n)R`) },
    want: ['CPI001:error'],
  },
];
