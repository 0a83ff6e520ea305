import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

const P = (s: string) => Buffer.from(s, 'latin1');
const fixture = (name: string) =>
  readFileSync(path.resolve(import.meta.dirname, '../../../fixtures/loader-cases', name));

const JOBLIB = 'joblib.load 1.2 (sklearn 1.2.1): a scorer keeps its metric function as `_score_func`, never called';
const TORCH = 'torch.load(weights_only=False) / pickle.load: NEWOBJ + SETITEMS of a dict subclass';

/**
 * Names genuine files hold that only say "data" to the loader: metric functions a scikit-learn scorer references and
 * Lightning's AttributeDict hyper-parameters (fixtures made by fixtures/loader-cases/generate.py with Debian's
 * sklearn and torch). The controls keep what the accepted names lean on a warning.
 */
const CASES: readonly UnseenCase[] = [
  {
    // sklearn/metrics/_scorer.py `_BaseScorer` state: `_score_func`, `_sign`, `_kwargs`; get_scorer's
    // positive_likelihood_ratio is a function of _scorer.py itself.
    name: 'GridSearchCV over matthews_corrcoef, cohen_kappa_score and positive_likelihood_ratio scorers',
    loader: JOBLIB,
    files: { 'search.joblib': fixture('grid_scorers.joblib') },
    want: [],
  },
  {
    name: 'a metric from each metric module, referenced as a scorer would keep it (det_curve, contingency_matrix)',
    loader: JOBLIB,
    files: {
      'metrics.pkl': P(
        '\x80\x02]q\x00(csklearn.metrics._ranking\ndet_curve\ncsklearn.metrics.cluster._supervised\ncontingency_matrix\n' +
          'csklearn.metrics._classification\nclass_likelihood_ratios\ne.',
      ),
    },
    want: [],
  },
  {
    // sklearn/metrics/pairwise.py `pairwise_kernels(X, Y, metric)` calls a callable metric: not a metric module's.
    name: 'control: a scorer over pairwise_kernels',
    loader: JOBLIB,
    files: { 'scorer.pkl': fixture('scorer_pairwise.pkl') },
    want: ['CPI002:warning'],
  },
  {
    // `_cached_call(cache, estimator, method, *args)` is `getattr(estimator, method)(*args)`: a method caller, which
    // danger.ts judges by its name.
    name: 'control: _scorer._cached_call, which calls a method the pickle names',
    loader: JOBLIB,
    files: { 'call.pkl': P('\x80\x02csklearn.metrics._scorer\n_cached_call\n.') },
    want: ['CPI001:error'],
  },
  {
    name: 'Lightning 2 checkpoint with AttributeDict hyper-parameters (lightning.fabric.utilities.data)',
    loader: TORCH,
    files: { 'last.ckpt': fixture('attrdict_hparams.ckpt') },
    want: ['CPI119:note'],
  },
  {
    name: 'Lightning 1.x checkpoint with AttributeDict hyper-parameters (pytorch_lightning.utilities.parsing)',
    loader: TORCH,
    files: { 'last.ckpt': fixture('attrdict_hparams_pl1.ckpt') },
    want: ['CPI119:note'],
  },
  {
    name: 'control: another name of the module that defines AttributeDict',
    loader: TORCH,
    files: { 'state.pkl': P('\x80\x02clightning.fabric.utilities.data\n_set_sampler_epoch\n.') },
    want: ['CPI002:warning'],
  },
];

describeUnseenCases('metric functions a scorer keeps and Lightning’s AttributeDict', CASES);
