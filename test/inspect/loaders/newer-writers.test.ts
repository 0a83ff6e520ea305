import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

const P = (s: string) => Buffer.from(s, 'latin1');
const fixture = (name: string) =>
  readFileSync(path.resolve(import.meta.dirname, '../../../fixtures/loader-cases', name));
/** BINUNICODE of an ASCII string. */
const u = (s: string) => `X${String.fromCharCode(s.length)}\x00\x00\x00${s}`;
const getattr = (owner: string, attr: string) => `c__builtin__\ngetattr\nc${owner}\n${u(attr)}\x86R`;

const PICKLE = 'pickle.load (CPython 3.11 _pickle.c)';

/**
 * Pickles written by newer Python and numpy than this machine's, in the opcodes those versions write, and what a
 * user's own enum looks like since Python 3.11. None of them runs code under pickle.load; each must pass the gate.
 * The controls show that what the accepted shapes lean on still fails it.
 */
const CASES: readonly UnseenCase[] = [
  {
    // Lib/enum.py `Enum.__reduce_ex__` is `getattr, (self.__class__, self._name_)`; the user's class is unknown, so
    // it is a warning (CPI002), as the class instantiated by NEWOBJ in a whole-model torch.save is.
    name: 'Lightning-style checkpoint with a member of the user’s own enum in its hyper-parameters',
    loader: 'torch.load(weights_only=False) / pickle.load: getattr(mytrainer.config.Precision, "BF16")',
    files: { 'last.ckpt': fixture('user_enum_hparams.ckpt') },
    want: ['CPI002:warning'],
  },
  {
    // omegaconf/basecontainer.py `__setstate__` only fills in metadata and updates `__dict__`: data, refused by the
    // default torch.load (a note) like any checkpoint that is more than tensors.
    name: 'Lightning-style checkpoint with Hydra (OmegaConf DictConfig) hyper-parameters',
    loader: 'torch.load(weights_only=False) / pickle.load (python3-omegaconf 2.2)',
    files: { 'last.ckpt': fixture('hydra_hparams.ckpt') },
    want: ['CPI119:note'],
  },
  {
    name: 'enum member of an unlisted class in a plain pickle (protocol 2)',
    loader: PICKLE,
    files: { 'cfg.pkl': P(`\x80\x02}${u('mode')}${getattr('peft.utils.peft_types\nTaskType', 'CAUSAL_LM')}s.`) },
    want: ['CPI002:warning'],
  },
  {
    // numpy >= 2 bit_generator.pyx `BitGenerator.__reduce__`: `(__bit_generator_ctor, (type(self),), (state,
    // seed_seq))`; `_generator.pyx` `Generator.__reduce__`: `(__generator_ctor, (self._bit_generator,), None)`.
    name: 'numpy 2 Generator(PCG64): the bit generator class passed to __bit_generator_ctor',
    loader: 'numpy/random/_pickle.py __bit_generator_ctor(bit_generator: str | type[BitGenerator])',
    files: {
      'rng.pkl': P(
        `\x80\x02cnumpy.random._pickle\n__generator_ctor\ncnumpy.random._pickle\n__bit_generator_ctor\n` +
          `cnumpy.random._pcg64\nPCG64\n\x85R}${u('bit_generator')}${u('PCG64')}sN\x86b\x85R.`,
      ),
    },
    want: [],
  },
  // Controls: numpy 2's `__bit_generator_ctor` calls any class it is given (`bit_gen_class()`), and it is the
  // default `bit_generator_ctor` of `__generator_ctor` / `__randomstate_ctor`: a class the stream passes there is
  // called while loading, as if REDUCE called it (CPI100 for a class nobody listed, not CPI002 for a reference).
  ...[
    ['__bit_generator_ctor', ''],
    ['__generator_ctor', ''],
    ['__randomstate_ctor', ''],
    ['__randomstate_ctor', 'cnumpy.random._pickle\n__bit_generator_ctor\n'],
  ].map(([helper, ctor]): UnseenCase => ({
    name: `numpy 2 ${helper}(${ctor ? 'cls, __bit_generator_ctor' : 'cls'}) calls an unlisted class`,
    loader: 'numpy/random/_pickle.py __bit_generator_ctor: isinstance(bit_generator, type) → bit_gen_class()',
    files: {
      'rng.pkl': P(
        `\x80\x02cnumpy.random._pickle\n${helper}\ncmytools.jobs\nRunner\n${ctor}${ctor ? '\x86' : '\x85'}R.`,
      ),
    },
    want: ['CPI100:error'],
  })),
  {
    name: 'control: numpy < 2 names the bit generator, a string, which nothing calls',
    loader: 'numpy/random/_pickle.py __randomstate_ctor(bit_generator_name, bit_generator_ctor)',
    files: {
      'rng.pkl': P(
        `\x80\x02cnumpy.random._pickle\n__randomstate_ctor\n${u('MT19937')}cnumpy.random._pickle\n__bit_generator_ctor\n\x86R.`,
      ),
    },
    want: [],
  },
  {
    name: 'numpy 2 scalar type `numpy.bool` kept as an estimator parameter (OneHotEncoder(dtype=np.bool_))',
    loader: 'numpy/_core/numerictypes.py: numpy 2 names the type `bool`',
    files: { 'enc.pkl': P(`\x80\x02}${u('dtype')}cnumpy\nbool\ns.`) },
    want: [],
  },
  {
    // Lib/pathlib/_local.py (3.13): `PurePath.__reduce__` returns `self.__class__, tuple(self._raw_paths)`.
    name: 'Python 3.13 PosixPath in saved hyper-parameters (pathlib._local)',
    loader: PICKLE,
    files: { 'hp.pkl': P(`\x80\x02}${u('root')}cpathlib._local\nPosixPath\n${u('/data')}\x85Rs.`) },
    want: [],
  },
  {
    name: 'control: a member of an unlisted class that is then called',
    loader: PICKLE,
    files: { 'run.pkl': P(`\x80\x02${getattr('mylib.tools\nRunner', 'system')}(${u('id')}tR.`) },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: 'control: getattr on an unlisted lower-case name (a module alias, not an enum class)',
    loader: PICKLE,
    files: { 'mod.pkl': P(`\x80\x02${getattr('mylib\ntools', 'Run')}.`) },
    want: ['CPI001:error', 'CPI002:warning'],
  },
  {
    name: 'control: a dunder of an unlisted class',
    loader: PICKLE,
    files: { 'dunder.pkl': P(`\x80\x02${getattr('mylib.tools\nRunner', '__init__')}.`) },
    want: ['CPI001:error', 'CPI002:warning'],
  },
];

describeUnseenCases('pickles written by newer Python and numpy, and user enums', CASES);
