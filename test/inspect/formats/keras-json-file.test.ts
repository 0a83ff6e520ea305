import { describe, expect, it } from 'vitest';
import { KEEP_FILE_MAX } from '../../../src/discover/walk.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('chainproof-keras-json-');

/** A tf_keras `model.to_json()`: a Sequential whose layers carry what the case puts in them. */
const sequential = (...layers: object[]) => ({
  class_name: 'Sequential',
  config: { name: 'sequential', layers: [{ class_name: 'InputLayer', config: { name: 'in' } }, ...layers] },
  keras_version: '2.13.1',
  backend: 'tensorflow',
});
const lambda = {
  class_name: 'Lambda',
  config: { name: 'lambda', function: ['4wEAAAAAAAAAAAAAAAEAAAAC', null, null], function_type: 'lambda' },
};
const osSystem = { module: 'os', class_name: 'function', config: 'system', registered_name: 'system' };
const dense = (config: object = {}) => ({ class_name: 'Dense', config: { name: 'dense', units: 2, ...config } });

/** `json.dumps` with every `"class_name"` key spelled with a `\u0063` escape, as json.loads still reads it. */
const escaped = (v: object) => JSON.stringify(v).replaceAll('"class_name"', '"\\u0063lass_name"');

/**
 * `keras.models.model_from_json(open(path).read())` deserializes a model's architecture whatever the file is called:
 * what the scan finds in JSON files under names no loader looks for by itself.
 */
const CASES: readonly { name: string; file: string; text: string; want: readonly string[] }[] = [
  {
    name: 'a Lambda layer in model_architecture.json',
    file: 'model_architecture.json',
    text: JSON.stringify(sequential(lambda, dense())),
    want: ['CPI060'],
  },
  {
    name: 'a module reference in keys out of order, with every class_name escaped',
    file: 'my_model.json',
    text: escaped({ config: { name: 's', layers: [dense(), osSystem] }, class_name: 'Sequential' }),
    want: ['CPI061'],
  },
  {
    name: 'the first class_name past the part of the file the walk reads whole',
    file: 'arch.json',
    text: JSON.stringify({ pad: 'x'.repeat(KEEP_FILE_MAX + 10_000), ...sequential(lambda) }),
    want: ['CPI060'],
  },
  {
    name: 'a custom activation, which only the loading program resolves',
    file: 'net.json',
    text: JSON.stringify(sequential(dense({ activation: 'evil_act' }))),
    want: ['CPI062'],
  },
  {
    name: 'a custom activation in model.json, read by the TensorFlow.js reader',
    file: 'model.json',
    text: JSON.stringify(sequential(dense({ activation: 'evil_act' }))),
    want: ['CPI062'],
  },
  {
    name: 'a Lambda layer in a file with no .json name (model_from_json reads text, whatever the name)',
    file: 'model.cfg',
    text: JSON.stringify(sequential(lambda, dense())),
    want: ['CPI060'],
  },
  {
    name: 'a module reference in a .txt file padded past the head',
    file: 'arch.txt',
    text: JSON.stringify({ pad: 'x'.repeat(KEEP_FILE_MAX + 10_000), ...sequential(dense(), osSystem) }),
    want: ['CPI061'],
  },
  {
    name: 'a Lambda layer in a file with no extension at all, every class_name escaped',
    file: 'architecture',
    text: escaped(sequential(lambda)),
    want: ['CPI060'],
  },
  {
    name: 'a Lambda layer in config.yaml that is JSON text (json.loads reads it; so does PyYAML)',
    file: 'config.yaml',
    text: JSON.stringify(sequential(lambda, dense())),
    want: ['CPI060'],
  },
  {
    name: 'a module reference in a .yml file that also holds a chat_template (read by the chat template reader)',
    file: 'net.yml',
    text: JSON.stringify({ ...sequential(dense(), osSystem), chat_template: '{{ messages }}' }),
    want: ['CPI061'],
  },
  {
    name: 'a Lambda layer in a .template file whose string shows a Jinja delimiter',
    file: 'model.template',
    text: JSON.stringify({ ...sequential(lambda), note: '{{ x }}' }),
    want: ['CPI060'],
  },
  {
    name: 'a Lambda layer in a .jinja file that is JSON text',
    file: 'arch.jinja',
    text: escaped(sequential(lambda)),
    want: ['CPI060'],
  },
  {
    name: 'a real YAML config naming a class_name and a module: not JSON, no model_from_json text',
    file: 'config.yaml',
    text: 'model:\n  class_name: Sequential\n  module: os\n  config:\n    layers: []\n',
    want: [],
  },
  {
    name: 'a benign architecture in config.yaml',
    file: 'config.yaml',
    text: JSON.stringify(sequential(dense())),
    want: [],
  },
  { name: 'a benign architecture', file: 'arch.json', text: JSON.stringify(sequential(dense())), want: [] },
  { name: 'a benign architecture in arch.txt', file: 'arch.txt', text: JSON.stringify(sequential(dense())), want: [] },
  {
    name: 'other JSON with a class_name: a label map',
    file: 'labels.json',
    text: JSON.stringify({ class_name: 'cat', config: { color: 'red', module: 'os' } }),
    want: [],
  },
  {
    name: 'other JSON with class_name deeper down: annotations',
    file: 'coco.json',
    text: JSON.stringify({ annotations: [{ class_name: 'dog', module: 'os', config: 'system' }] }),
    want: [],
  },
];

describe('Keras architecture JSON under any name', () => {
  it.each(CASES)('$name', async ({ file, text, want }) => {
    const root = tree({ [file]: text });
    const result = await scanWith(root, [inspectStage]);
    const rules = result.findings
      .filter((f) => f.ruleId.startsWith('CPI'))
      .map((f) => `${f.location.path}:${f.ruleId}`);
    expect(rules).toEqual(want.map((r) => `${file}:${r}`));
  });
});
