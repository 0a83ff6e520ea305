import type { UnseenCase } from './unseen-attacks.test.js';
import { zip } from '../formats/build.js';

type Node = Record<string, unknown>;
const json = (v: unknown): Node => ({
  __class__: typeof v === 'number' ? 'float' : typeof v === 'boolean' ? 'bool' : 'str',
  __module__: 'builtins',
  __loader__: 'JsonNode',
  content: JSON.stringify(v),
  is_json: true,
});
const type = (m: string, c: string): Node => ({ __class__: c, __module__: m, __loader__: 'TypeNode' });
const dict = (content: Record<string, Node>): Node => ({
  __class__: 'dict',
  __module__: 'builtins',
  __loader__: 'DictNode',
  content,
  key_types: {
    __class__: 'list',
    __module__: 'builtins',
    __loader__: 'ListNode',
    content: Object.keys(content).map(() => type('builtins', 'str')),
  },
});
const object = (m: string, c: string, attrs: Record<string, Node>): Node => ({
  __class__: c,
  __module__: m,
  __loader__: 'ObjectNode',
  content: dict(attrs),
});
const fn = (m: string, f: string): Node => ({ __class__: f, __module__: m, __loader__: 'FunctionNode' });
/** A `.skops` archive as `skops.io.dump` lays it out (protocol 2): schema.json plus the array members. */
const skops = (root: Node, extra: { name: string; data: string }[] = []) =>
  zip([{ name: 'schema.json', data: JSON.stringify({ ...root, protocol: 2, _skops_version: '0.10.0' }) }, ...extra]);

const LOGREG = object('sklearn.linear_model._logistic', 'LogisticRegression', {
  C: json(1.0),
  coef_: { __class__: 'ndarray', __module__: 'numpy', __loader__: 'NdArrayNode', type: 'numpy', file: 'a.npy' },
  dtype: type('numpy', 'float64'),
  random_state: { __class__: 'RandomState', __module__: 'numpy.random.mtrand', __loader__: 'RandomStateNode' },
});
const transformer = (func: Node) =>
  object('sklearn.preprocessing._function_transformer', 'FunctionTransformer', { func, validate: json(false) });
const LOAD = 'skops.io.load → _audit.audit_tree (UntrustedTypesFoundException), then Node.construct when trusted';

/** `.skops` files judged by what skops.io.load refuses by default and what it builds once a type is trusted. */
export const ROUND3_SKOPS_CASES: readonly UnseenCase[] = [
  {
    name: 'skops LogisticRegression with numpy arrays and a RandomState',
    loader: `${LOAD}: all default-trusted (sklearn estimators, numpy, RandomStateNode)`,
    files: { 'model.skops': skops(LOGREG, [{ name: 'a.npy', data: '' }]) },
    want: [],
  },
  {
    name: 'skops FunctionTransformer whose func is numpy.log1p',
    loader: `${LOAD}: FunctionNode trusts numpy ufuncs`,
    files: { 'model.skops': skops(transformer(fn('numpy', 'log1p'))) },
    want: [],
  },
  {
    name: 'skops FunctionTransformer whose func is posix.system',
    loader: `${LOAD}: FunctionNode._construct returns gettype("posix", "system"); transform() calls it`,
    files: { 'model.skops': skops(transformer(fn('posix', 'system'))) },
    want: ['CPI117:error'],
  },
  {
    // zipfile finds the end record behind the head; content detection sees GGUF first.
    name: 'skops FunctionTransformer whose func is posix.system, behind a GGUF head',
    loader: `${LOAD}: ZipFile(file) reads past leading bytes`,
    files: {
      'model.skops': Buffer.concat([
        Buffer.from('GGUF\x03\x00\x00\x00', 'latin1'),
        Buffer.alloc(16),
        skops(transformer(fn('posix', 'system'))),
      ]),
    },
    want: ['CPI117:error'],
  },
  {
    name: 'skops ConstructorFromReduceNode calling builtins.eval',
    loader: `${LOAD}: ConstructorFromReduceNode._construct calls gettype(module, class)(*args)`,
    files: {
      'model.skops': skops(
        object('sklearn.pipeline', 'Pipeline', {
          steps: {
            __class__: 'eval',
            __module__: 'builtins',
            __loader__: 'ConstructorFromReduceNode',
            content: { __class__: 'tuple', __module__: 'builtins', __loader__: 'TupleNode', content: [json('1')] },
          },
        }),
      ),
    },
    want: ['CPI117:error'],
  },
  {
    name: 'skops protocol 0 FunctionNode (module_path/function) naming builtins.exec',
    loader: `${LOAD}: protocol 0 function_get_instance imports content.module_path.function`,
    files: {
      'model.skops': skops({
        __class__: 'function',
        __module__: 'builtins',
        __loader__: 'FunctionNode',
        content: { module_path: 'builtins', function: 'exec' },
      }),
    },
    want: ['CPI117:error'],
  },
  {
    name: 'skops object of a class from an unknown package',
    loader: `${LOAD}: ObjectNode trusts only scikit-learn estimators by default`,
    files: { 'model.skops': skops(object('mycompany.models', 'TunedRegressor', { alpha: json(0.5) })) },
    want: ['CPI118:warning'],
  },
  {
    name: 'skops archive renamed to .bin',
    loader: `${LOAD}: skops.io.load opens any zip with a schema.json`,
    files: { 'weights.bin': skops(transformer(fn('posix', 'system'))) },
    want: ['CPI117:error'],
  },
  {
    name: '.skops without schema.json',
    loader: 'skops.io.load → ZipFile.read("schema.json") raises KeyError',
    files: {
      'model.skops': zip([
        { name: 'x.npy', data: '' },
        { name: 'README.txt', data: 'hi' },
      ]),
    },
    want: ['CPI050:warning'],
  },
  {
    name: 'plain zip holding an unrelated schema.json',
    loader: 'not a skops archive (no root __loader__/protocol): skops.io.load would fail on it',
    files: { 'data.zip': zip([{ name: 'schema.json', data: '{"type":"object","properties":{}}' }]) },
    want: [],
  },
];
