import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/**
 * dill/_dill.py `_create_array(f, args, state, npdict)` is `f(*args).__setstate__(state)`: dill writes it for numpy
 * arrays, and chainproof accepts it when `f` is a safe global. That `__setstate__` is a BUILD the stream never
 * spells, so the state it hands over is checked as BUILD's is: scipy.stats' `rv_generic.__setstate__` execs
 * `_parse_arg_template` (exec-state.ts). The hostile case was loaded with Debian's python3 (dill 0.3.6, scipy
 * 1.10.1) `pickle.load` on a copy whose template touched a marker file: the marker appeared, and chainproof had
 * reported nothing at all.
 */

/** `dill._dill._create_array(copyreg._reconstructor, (norm_gen, object, None), {'_parse_arg_template': text}, None)`. */
function createArray(template: string): Buffer {
  const text = Buffer.from(template, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(text.length);
  return Buffer.concat([
    Buffer.from(
      '\x80\x02cdill._dill\n_create_array\n(ccopyreg\n_reconstructor\n' +
        'cscipy.stats._continuous_distns\nnorm_gen\ncbuiltins\nobject\nN\x87}\x8c\x13_parse_arg_templateX',
      'latin1',
    ),
    len,
    text,
    Buffer.from('sNtR.', 'latin1'),
  ]);
}

/** scipy/stats/_distn_infrastructure.py `parse_arg_template` as `_construct_argparser` fills it for no shapes. */
const SCIPY_TEMPLATE =
  '\ndef _parse_args(self,  loc=0, scale=1):\n    return (), loc, scale\n\n' +
  'def _parse_args_rvs(self,  loc=0, scale=1, size=None):\n    return self._argcheck_rvs( loc, scale, size=size)\n\n' +
  "def _parse_args_stats(self,  loc=0, scale=1, moments='mv'):\n    return (), loc, scale, moments\n";

const CASES: readonly UnseenCase[] = [
  {
    name: "a scipy.stats distribution restored by dill's _create_array execs a crafted template (ran)",
    loader: 'dill/_dill.py `_create_array`: f(*args).__setstate__(state) → rv_generic._attach_argparser_methods → exec',
    files: { 'm.pkl': createArray("import os\nos.system('id')\n") },
    want: ['CPI111:error'],
  },
  {
    name: 'the template scipy itself generates, restored the same way',
    loader: 'exec of the text `_construct_argparser` builds: the distribution scipy pickles',
    files: { 'm.pkl': createArray(SCIPY_TEMPLATE) },
    want: [],
  },
];

describeUnseenCases("dill's _create_array runs __setstate__ as BUILD does", CASES);
