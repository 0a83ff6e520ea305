import { describe, expect, it } from 'vitest';
import { ByteSource } from '../../../src/inspect/pickle/source.js';
import { judgeGlobal, toFindings } from '../../../src/inspect/pickle/verdict.js';
import { runPickle } from '../../../src/inspect/pickle/vm.js';

const P = (s: string) => Buffer.from(s, 'latin1');
const call = (mod: string, name: string) => P(`\x80\x02c${mod}\n${name}\n)R.`); // REDUCE with no args
const newobj = (mod: string, name: string) => P(`\x80\x02c${mod}\n${name}\n)\x81}b.`); // NEWOBJ + BUILD
const getattr = (owner: string, attr: string) =>
  P(`\x80\x02c__builtin__\ngetattr\nc${owner}\nX${String.fromCharCode(attr.length)}\x00\x00\x00${attr}\x86R.`);

function rules(data: Buffer): string[] {
  const run = runPickle(ByteSource.fromBuffer(data));
  return toFindings([run], { location: { path: 'x.pkl' }, allow: {}, what: 'pickle' }).map((f) => f.ruleId);
}

describe('severity of unknown and known globals', () => {
  it.each([
    { name: 'unknown function of a non-model module, called', data: call('mytools.jobs', 'run'), want: ['CPI100'] },
    { name: '__main__ function, called', data: call('__main__', 'make_model'), want: ['CPI100'] },
    { name: 'unknown class, only instantiated', data: newobj('mymodels.nets', 'TinyNet'), want: ['CPI002'] },
    // pickle.py find_class('__main__', name): the loading program's own class (or AttributeError), nothing the file
    // brings — only instantiating it runs no foreign code (instantiated-classes.ts).
    { name: 'class of the saving script, only instantiated', data: newobj('__main__', 'TinyNet'), want: [] },
    {
      name: 'unknown name of a model library, called',
      data: call('sklearn.utils.fixes', 'new_helper'),
      want: ['CPI002'],
    },
    // Loaders and writers a model library imports under their own names (Debian's joblib 1.2, numpy 1.24, scipy
    // 1.10, scikit-learn 1.2): each ran its payload under pickle.load while chainproof said CPI002.
    ...[
      ['joblib.parallel', 'loads'], // cloudpickle's loads = pickle.loads
      ['numpy.lib', 'savetxt'],
      ['numpy.matlib', 'load'],
      ['scipy._lib._tmpdirs', 'rmtree'],
      ['sklearn.utils.discovery', 'import_module'],
      ['torch', '_import_dotted_name'],
    ].map(([mod, name]) => ({
      name: `${mod}.${name}, re-exported and called`,
      data: call(mod!, name!),
      want: ['CPI001'],
    })),
    {
      name: 'stdlib gadget (namedtuple builds a class with exec)',
      data: call('collections', 'namedtuple'),
      want: ['CPI001'],
    },
    { name: 'advisory gadget (ensurepip._run_pip)', data: call('ensurepip', '_run_pip'), want: ['CPI001'] },
    { name: 'pandas reconstructor', data: call('pandas.core.indexes.base', '_new_Index'), want: [] },
    {
      name: 'class family never covers a gadget',
      data: newobj('pandas.core.computation.expr', 'Expr'),
      want: ['CPI001'],
    },
    {
      name: 'enum member via getattr',
      data: getattr('transformers.trainer_utils\nIntervalStrategy', 'STEPS'),
      want: [],
    },
    {
      name: 'getattr with a private name',
      data: getattr('transformers.trainer_utils\nIntervalStrategy', '_x'),
      want: ['CPI001'],
    },
    {
      // a user's own enum member since Python 3.11: the class is reported on its own, getattr adds nothing
      name: 'getattr on a class not on the safe list',
      data: getattr('mytools.jobs\nRunner', 'RUN'),
      want: ['CPI002'],
    },
    {
      name: 'getattr on a name not on the safe list that is not a class',
      data: getattr('mytools\njobs', 'RUN'),
      want: ['CPI001', 'CPI002'],
    },
  ])('$name → $want', ({ data, want }) => {
    expect(rules(data).sort()).toEqual(want);
  });

  // torch.save of a float8/uint4/int4 tensor: torch/_tensor.py `_reduce_ex_internal` writes `_rebuild_tensor_v3` with
  // the dtype as a global (torch/storage.py `_new_dtypes`), and a tensor of a storage-less device (mtia, maia) as
  // `_rebuild_device_tensor_from_cpu_tensor(cpu_tensor, dtype, device, requires_grad)`; weights_only admits both.
  it.each(['float8_e4m3fnuz', 'float8_e8m0fnu', 'float4_e2m1fn_x2', 'bits8', 'uint4', 'int4'])(
    'a %s tensor rebuilt through _rebuild_tensor_v3 and moved to its device is safe',
    (dtype) => {
      const storage = `(X\x07\x00\x00\x00storagectorch\nUntypedStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQ`;
      const v3 = `ctorch._utils\n_rebuild_tensor_v3\n(${storage}K\x00K\x04\x85K\x01\x85\x89)ctorch\n${dtype}\n}tR`;
      const moved = `ctorch._utils\n_rebuild_device_tensor_from_cpu_tensor\n(${v3}ctorch\n${dtype}\nX\x04\x00\x00\x00mtia\x89tR.`;
      expect(rules(P(`\x80\x02${moved}`))).toEqual([]);
    },
  );

  // What genuine files hold (Debian's scipy 1.10, scikit-learn 1.2, torch 1.13), each once reported.
  it.each([
    {
      // pickle.dump(interp1d, protocol=2), and torch.save of a dict holding one: pickle.py `save_global` writes the
      // dotted qualname `interp1d._call_linear_np` as getattr(interp1d, '_call_linear_np') below protocol 4
      name: 'protocol 2 method reference by getattr, its dotted name on the safe list',
      data: getattr('scipy.interpolate._interpolate\ninterp1d', '_call_linear_np'),
      want: [],
    },
    {
      name: 'control: getattr of a private member whose dotted name is not on the safe list',
      data: getattr('scipy.interpolate._interpolate\ninterp1d', '_prepare_x'),
      want: ['CPI001'],
    },
    { name: 'FeatureAgglomeration default pooling_func', data: P('\x80\x02cnumpy\nmean\n.'), want: [] },
    {
      name: 'BisectingKMeans keeps its k-means step',
      data: P(
        '\x80\x02(csklearn.cluster._kmeans\n_kmeans_single_lloyd\ncsklearn.cluster._kmeans\n_kmeans_single_elkan\nl.',
      ),
      want: [],
    },
    {
      name: 'lazy module placeholder parameter',
      data: P('\x80\x02ctorch.nn.parameter\nUninitializedParameter\n\x88\x85R.'),
      want: [],
    },
    { name: 'hook handle of a whole lazy module', data: newobj('torch.utils.hooks', 'RemovableHandle'), want: [] },
  ])('$name → $want', ({ data, want }) => {
    expect(rules(data).sort()).toEqual(want);
  });

  it('exact allowlist entries beat the module-wide dangerous entry they sit in (transformers)', () => {
    expect(judgeGlobal('transformers.training_args', 'TrainingArguments', {}).kind).toBe('safe');
    expect(judgeGlobal('transformers.modeling_utils', 'PreTrainedModel', {}).kind).toBe('dangerous');
  });
});
