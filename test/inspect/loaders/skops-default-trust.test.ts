import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { policyWith } from '../../models/helpers.js';
import { zip } from '../formats/build.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

type Node = Record<string, unknown>;
const str = (s: string): Node => ({
  __class__: 'str',
  __module__: 'builtins',
  __loader__: 'JsonNode',
  content: JSON.stringify(s),
  is_json: true,
});
const node = (loader: string, m: string, c: string, extra: Node = {}): Node => ({
  __class__: c,
  __module__: m,
  __loader__: loader,
  ...extra,
});
const dict = (content: Record<string, Node>, m = 'builtins', c = 'dict'): Node =>
  node('DictNode', m, c, {
    content,
    key_types: node('ListNode', 'builtins', 'list', {
      content: Object.keys(content).map(() => node('TypeNode', 'builtins', 'str')),
    }),
  });
const object = (m: string, c: string, attrs: Record<string, Node> = {}): Node =>
  node('ObjectNode', m, c, { content: dict(attrs) });
/** An estimator holding one attribute: what skops.io.dump writes for a fitted model with that attribute. */
const holding = (attr: Node): Buffer =>
  zip([
    {
      name: 'schema.json',
      data: JSON.stringify({
        ...object('sklearn.preprocessing._function_transformer', 'FunctionTransformer', { x: attr }),
        protocol: 2,
        _skops_version: '0.11.0',
      }),
    },
  ]);
const LOAD = 'skops.io.load → audit_tree: each node trusts only the defaults it passes to Node._get_trusted';

/** Names skops trusts or refuses by default depend on the node kind that builds them (skops/io/_general.py etc.). */
const CASES: readonly UnseenCase[] = [
  {
    name: 'skops OrderedDict in a DictNode',
    loader: `${LOAD}: DictNode trusts dict and collections.OrderedDict`,
    files: { 'model.skops': holding(dict({ a: str('b') }, 'collections', 'OrderedDict')) },
    want: [],
  },
  {
    name: 'skops OrderedDict built by an ObjectNode',
    loader: `${LOAD}: ObjectNode trusts scikit-learn estimators only`,
    files: { 'model.skops': holding(object('collections', 'OrderedDict')) },
    want: ['CPI123:warning'],
  },
  {
    name: 'skops private scikit-learn scorer in an ObjectNode',
    loader: `${LOAD}: all_estimators() skips names with a leading underscore`,
    files: { 'model.skops': holding(object('sklearn.metrics._scorer', '_PredictScorer')) },
    want: ['CPI123:warning'],
  },
  {
    name: 'skops HistGradientBoosting TreePredictor in an ObjectNode',
    loader: `${LOAD}: ObjectNode also trusts SKLEARN_INTERNAL_TYPE_NAMES`,
    files: {
      'model.skops': holding(object('sklearn.ensemble._hist_gradient_boosting.predictor', 'TreePredictor')),
    },
    want: [],
  },
  {
    name: 'skops scikit-learn estimator named by a TypeNode',
    loader: `${LOAD}: TypeNode trusts builtins and numpy scalar types only`,
    files: { 'model.skops': holding(node('TypeNode', 'sklearn.linear_model._logistic', 'LogisticRegression')) },
    want: ['CPI123:warning'],
  },
  {
    name: 'skops numpy scalar type named by a TypeNode',
    loader: `${LOAD}: TypeNode trusts NUMPY_DTYPE_TYPE_NAMES`,
    files: { 'model.skops': holding(node('TypeNode', 'numpy', 'int64')) },
    want: [],
  },
  {
    name: 'skops scipy.special ufunc in a FunctionNode',
    loader: `${LOAD}: FunctionNode trusts SCIPY_UFUNC_TYPE_NAMES`,
    files: { 'model.skops': holding(node('FunctionNode', 'scipy.special', 'expit')) },
    want: [],
  },
  {
    name: 'skops dtype in a DTypeNode',
    loader: `${LOAD}: DTypeNode passes an empty default`,
    files: {
      'model.skops': holding(
        node('DTypeNode', 'numpy', 'dtype', {
          content: node('NdArrayNode', 'numpy', 'ndarray', { type: 'numpy', file: 'd.npy' }),
        }),
      ),
    },
    want: ['CPI123:warning'],
  },
  {
    name: 'skops class from an unknown package in an ObjectNode',
    loader: `${LOAD}: unknown code, not a library type`,
    files: { 'model.skops': holding(object('mycompany.models', 'Scaler')) },
    want: ['CPI118:warning'],
  },
];

describeUnseenCases('skops default trust is per node kind, as skops.io.load audits it', CASES);

describe('models.allowedGlobals trusts a skops name the way trusted= does', () => {
  const root = mkdtempSync(join(tmpdir(), 'cp-skops-allowed-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    {
      name: 'exact entry for a known type',
      attr: object('collections', 'OrderedDict'),
      allowed: ['collections.OrderedDict'],
    },
    {
      name: 'wildcard entry for an unknown package',
      attr: object('mycompany.models', 'Scaler'),
      allowed: ['mycompany.*'],
    },
  ])('$name', async ({ attr, allowed }) => {
    const dir = mkdtempSync(join(root, 'case-'));
    writeFileSync(join(dir, 'model.skops'), holding(attr));
    const res = await scanWith(dir, [inspectStage], { policy: policyWith({ allowedGlobals: allowed }) });
    expect(res.findings.map((f) => f.ruleId)).toEqual([]);
  });
});
