import { b, binunicode } from './pickle-bytes.js';
import type { UnseenCase } from './unseen-runner.js';

/** `module` + `name` by STACK_GLOBAL (protocol 4, where find_class walks a dotted name). */
const stackGlobal = (module: string, name: string): Buffer =>
  Buffer.concat([binunicode(module), binunicode(name), b('\x93')]);

const MEMMAP = stackGlobal('numpy', 'memmap');
/** numpy.memmap's arguments that create or truncate a file: path, dtype, mode w+, offset 0, shape 4. */
const MEMMAP_ARGS = Buffer.concat([binunicode('/tmp/x'), binunicode('u1'), binunicode('w+'), b('K\x00K\x04')]);

/** `module.name(*items)` by STACK_GLOBAL and REDUCE, protocol 4. */
const call = (module: string, name: string, ...items: Buffer[]): Buffer =>
  Buffer.concat([b('\x80\x04'), stackGlobal(module, name), b('('), ...items, b('tR.')]);

/** A torch.nn Identity made as pickle makes a module (NEWOBJ, then BUILD) whose `forward` is `forward`. */
const module = (forward: Buffer): Buffer =>
  Buffer.concat([
    stackGlobal('torch.nn.modules.linear', 'Identity'),
    b(')\x81}('),
    binunicode('training'),
    b('\x88'),
    binunicode('forward'),
    forward,
    b('ub'),
  ]);

/** The tuple of numpy.memmap's arguments. */
const ARGS_TUPLE = Buffer.concat([b('('), MEMMAP_ARGS, b('t')]);

/**
 * torch and scipy functions that call a callable they are given, with arguments the pickle chooses. The callable
 * (numpy.memmap, or a module whose BUILD-given `forward` it is) was only a reference, and the helper an unknown
 * library name (CPI002, a warning), so each passed the default gate while Debian's torch 1.13 or scipy 1.10 created
 * the file (4 zero bytes) from it.
 */
export const ROUND20_CALLABLE_HELPER_CASES: readonly UnseenCase[] = [
  {
    name: 'torch.nn.utils.stateless.functional_call(<Identity, forward=numpy.memmap>, {}, (path, …)) calls the module',
    loader: 'pickle.load (torch/nn/utils/stateless.py functional_call: module(*args))',
    files: { 'model.pkl': call('torch.nn.utils.stateless', 'functional_call', module(MEMMAP), b('}'), ARGS_TUPLE) },
    want: ['CPI001:error', 'CPI002:warning', 'CPI006:error'],
  },
  {
    name: 'torch.func.functional_call, the torch 2 name of the same call',
    loader: 'pickle.load (torch/_functorch/functional_call.py functional_call → stateless._functional_call)',
    files: { 'model.pkl': call('torch.func', 'functional_call', module(MEMMAP), b('}'), ARGS_TUPLE) },
    want: ['CPI001:error', 'CPI002:warning', 'CPI006:error'],
  },
  {
    name: 'the same function under a module of torch that imports it (torch.nn.utils._per_sample_grad)',
    loader: 'pickle.load (torch/nn/utils/_per_sample_grad.py: from torch.nn.utils.stateless import functional_call)',
    files: {
      'model.pkl': call('torch.nn.utils._per_sample_grad', 'functional_call', module(MEMMAP), b('}'), ARGS_TUPLE),
    },
    want: ['CPI001:error', 'CPI002:warning', 'CPI006:error'],
  },
  {
    name: 'CheckpointFunction.apply(numpy.memmap, False, path, …) reached through the class',
    loader: 'pickle.load (torch/utils/checkpoint.py CheckpointFunction.forward: run_function(*args))',
    files: {
      'model.pkl': call('torch.utils.checkpoint', 'CheckpointFunction.apply', MEMMAP, b('\x89'), MEMMAP_ARGS),
    },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: 'CheckpointFunction.forward(FunctionCtx(), numpy.memmap, False, path, …), the static method itself',
    loader: 'pickle.load (torch/utils/checkpoint.py CheckpointFunction.forward: run_function(*args))',
    files: {
      'model.pkl': call(
        'torch.utils.checkpoint',
        'CheckpointFunction.forward',
        stackGlobal('torch.autograd.function', 'FunctionCtx'),
        b(')R'),
        MEMMAP,
        b('\x89'),
        MEMMAP_ARGS,
      ),
    },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: "torch 1.13's _checkpoint_without_reentrant(numpy.memmap, False, path, …)",
    loader: 'pickle.load (torch/utils/checkpoint.py _checkpoint_without_reentrant: function(*args))',
    files: {
      'model.pkl': call('torch.utils.checkpoint', '_checkpoint_without_reentrant', MEMMAP, b('\x89'), MEMMAP_ARGS),
    },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: 'torch.autograd.gradgradcheck(numpy.memmap, (path, …)) calls the function on its inputs first',
    loader: 'pickle.load (torch/autograd/gradcheck.py gradgradcheck: func(*tupled_inputs))',
    files: { 'model.pkl': call('torch.autograd', 'gradgradcheck', MEMMAP, ARGS_TUPLE) },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: 'get_fqn_to_example_inputs(<Identity, forward=numpy.memmap>, (path, …)) runs the model',
    loader: 'pickle.load (torch/ao/quantization/utils.py get_fqn_to_example_inputs: model(*example_inputs))',
    files: {
      'model.pkl': call('torch.ao.quantization.utils', 'get_fqn_to_example_inputs', module(MEMMAP), ARGS_TUPLE),
    },
    want: ['CPI001:error', 'CPI002:warning', 'CPI006:error'],
  },
  {
    name: "torch.masked.maskedtensor's _apply_pass_through_fn(numpy.memmap, path, …)",
    loader: 'pickle.load (torch/masked/maskedtensor/passthrough.py _apply_pass_through_fn: fn(*data_args))',
    files: { 'model.pkl': call('torch.masked.maskedtensor', '_apply_pass_through_fn', MEMMAP, MEMMAP_ARGS) },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: 'torch.ScriptFunction.graph_for(numpy.memmap, path, …) calls its self',
    loader: 'pickle.load (torch/jit/_script.py _graph_for: self(*args))',
    files: { 'model.pkl': call('torch', 'ScriptFunction.graph_for', MEMMAP, MEMMAP_ARGS) },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: 'torch.fork(numpy.memmap, path, …), torch.jit.fork under the name torch re-exports',
    loader: 'pickle.load (torch._C.fork, re-exported by torch/__init__.py: func(*args))',
    files: { 'model.pkl': call('torch', 'fork', MEMMAP, MEMMAP_ARGS) },
    want: ['CPI001:error'],
  },
  {
    name: 'torch.PyTorchFileWriter(path) truncates the file it opens',
    loader: 'pickle.load (torch._C.PyTorchFileWriter, re-exported by torch/__init__.py: PyTorchStreamWriter(path))',
    files: { 'model.pkl': call('torch', 'PyTorchFileWriter', binunicode('/tmp/x')) },
    want: ['CPI001:error'],
  },
  {
    name: "scipy.linalg's _compute_lwork(numpy.memmap, path, …), under a module that imports it",
    loader: 'pickle.load (scipy/linalg/lapack.py _compute_lwork: routine(*args); Debian scipy 1.10 created the file)',
    files: { 'model.pkl': call('scipy.linalg._basic', '_compute_lwork', MEMMAP, MEMMAP_ARGS) },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: 'functional_call on an Identity that keeps its own forward: the module call is still a computed call',
    loader: 'pickle.load (functional_call: module(*args); Identity.forward returns its input)',
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x04'),
        stackGlobal('torch.nn.utils.stateless', 'functional_call'),
        b('('),
        stackGlobal('torch.nn.modules.linear', 'Identity'),
        b(')\x81}('),
        binunicode('training'),
        b('\x88ub}'),
        binunicode('x'),
        b('\x85tR.'),
      ]),
    },
    want: ['CPI002:warning', 'CPI006:error'],
  },
];
