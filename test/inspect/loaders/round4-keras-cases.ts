import { kerasArchive, sequential } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

/** A Lambda layer as Keras writes it for `Lambda(fn)` of a named function (no bytecode). */
const namedLambda = (config: Record<string, unknown>) =>
  kerasArchive(
    sequential([
      { module: 'keras.layers', class_name: 'Lambda', config: { name: 'l', ...config }, registered_name: null },
    ]),
  );
const LOADER = 'tf_keras Lambda._parse_function_from_config / keras Lambda.from_config → deserialize_keras_object';

/** Lambda layers that name a function: what runs is that function, looked up by name (no bytecode). */
export const ROUND4_KERAS_CASES: readonly UnseenCase[] = [
  {
    name: 'Lambda naming a Keras activation (relu)',
    loader: `${LOADER}: "relu" resolves to keras.activations.relu`,
    files: { 'm.keras': namedLambda({ function: 'relu', function_type: 'function', module: 'keras.activations' }) },
    want: [],
  },
  {
    name: 'Lambda naming a function without a module',
    loader: `${LOADER}: looked up in custom objects and Keras objects only`,
    files: { 'm.keras': namedLambda({ function: 'softmax' }) },
    want: [],
  },
  {
    name: 'Lambda naming os.system through its module',
    loader: 'tf_keras Lambda._parse_function_from_config: globs = sys.modules["os"].__dict__ → os.system',
    files: { 'm.keras': namedLambda({ function: 'system', function_type: 'function', module: 'os' }) },
    want: ['CPI061:error'],
  },
  {
    name: 'Lambda naming keras get_file',
    loader: `${LOADER}: keras.utils.get_file downloads (CVE-2025-8747 shape)`,
    files: { 'm.keras': namedLambda({ function: 'get_file' }) },
    want: ['CPI061:error'],
  },
  {
    name: 'Lambda naming a TensorFlow op outside Keras',
    loader: 'tf_keras Lambda._parse_function_from_config: sys.modules["tensorflow.python.ops.nn_impl"]',
    files: {
      'm.keras': namedLambda({
        function: 'l2_normalize',
        function_type: 'function',
        module: 'tensorflow.python.ops.nn_impl',
      }),
    },
    want: ['CPI062:warning'],
  },
  {
    name: 'Lambda whose function is Python source text (no function_type)',
    loader: `${LOADER}: the text is looked up as a name and fails (tf_keras: KeyError on function_type); nothing runs`,
    files: { 'm.keras': namedLambda({ function: "lambda x: __import__('os').system('id')" }) },
    want: ['CPI060:warning'],
  },
  {
    name: 'Lambda whose function is Python source text looked up by name (function_type "function")',
    loader: 'tf_keras Lambda._parse_function_from_config: deserialize_keras_object(text) finds no such function',
    files: { 'm.keras': namedLambda({ function: 'eval("1")', function_type: 'function', module: 'builtins' }) },
    want: ['CPI060:warning'],
  },
  {
    name: 'Lambda with a named function but a marshalled output_shape',
    loader: 'tf_keras Lambda._parse_function_from_config: output_shape_type "lambda" → func_load(marshal)',
    files: {
      'm.keras': namedLambda({ function: 'relu', output_shape: ['4wAAAA==', null, null], output_shape_type: 'lambda' }),
    },
    want: ['CPI060:error'],
  },
];
