import type { Pb } from '../formats/build.js';
import { pb } from '../formats/build.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

/** NodeDef: name (1), op (2), inputs (3), attrs (5); a string Const keeps its value in value → tensor → string_val. */
function node(name: string, op: string, inputs: string[] = [], attrs: { value?: string; separator?: string } = {}) {
  const attr: Pb = [];
  if (attrs.value !== undefined)
    attr.push([
      5,
      [
        [1, 'value'],
        [2, [[8, [[8, attrs.value]]]]],
      ],
    ]);
  if (attrs.separator !== undefined)
    attr.push([
      5,
      [
        [1, 'separator'],
        [2, [[2, attrs.separator]]],
      ],
    ]);
  return [[1, name], [2, op], ...inputs.map((i): Pb[number] => [3, i]), ...attr] satisfies Pb;
}
const konst = (name: string, value: string) => node(name, 'Const', [], { value });

/** saved_model.pb: meta_graphs (2) → graph_def (2) → node (1), or library (2) → function (1) → node_def (3). */
function savedModel(nodes: Pb[], inFunction = false): Buffer {
  const graph: Pb = inFunction
    ? [[2, [[1, [[1, [[1, '__inference__traced_save_42']]], ...nodes.map((m): Pb[number] => [3, m])]]]]]
    : nodes.map((m): Pb[number] => [1, m]);
  return pb([
    [1, 1],
    [2, [[2, graph]]],
  ]);
}

/** A TF1 SavedModel's graph beside its `asset_file_def`s (6): tensor_info (1) → name (1), filename (2). */
function withAssets(nodes: Pb[], assets: [tensor: string, filename: string][]): Buffer {
  const assetDefs = assets.map(([tensor, filename]): Pb[number] => [
    6,
    [
      [1, [[1, tensor]]],
      [2, filename],
    ],
  ]);
  return pb([
    [1, 1],
    [2, [[2, nodes.map((m): Pb[number] => [1, m])], ...assetDefs]],
  ]);
}

/** A vocabulary table TF1's `TextFileInitializer` builds: HashTableV2, initialised from the file `filename` names. */
const table = (filename: Pb) => [
  node('hash_table', 'HashTableV2'),
  filename,
  node('hash_table/table_init', 'InitializeTableFromTextFileV2', ['hash_table', 'Const']),
];
const TABLE_INIT =
  'InitializeTableFromTextFileOp reads `filename` when loader_impl.run_init_ops runs the main op, fed by get_asset_tensors';

/** What tf.saved_model.save writes in its save function: file_prefix is an argument, the rest string ops. */
const tf2Save = (suffix: string) => [
  node('StaticRegexFullMatch', 'StaticRegexFullMatch', ['file_prefix']),
  konst('Const', '.part'),
  konst('Const_1', suffix),
  node('Select', 'Select', ['StaticRegexFullMatch:output:0', 'Const:output:0', 'Const_1:output:0']),
  node('StringJoin', 'StringJoin', ['file_prefix', 'Select:output:0']),
  node('num_shards', 'Const'),
  node('ShardedFilename', 'ShardedFilename', ['StringJoin:output:0', 'num_shards:output:0', 'num_shards:output:0']),
  node('SaveV2', 'SaveV2', ['ShardedFilename:filename:0', '^StringJoin']),
  node('MergeV2Checkpoints/checkpoint_prefixes', 'Pack', ['ShardedFilename:filename:0']),
  node('MergeV2Checkpoints', 'MergeV2Checkpoints', ['MergeV2Checkpoints/checkpoint_prefixes:output:0', 'file_prefix']),
];
const SAVE = 'SaveV2Op::Compute writes at the prefix the StringJoin/ShardedFilename kernels build';

const CASES: readonly UnseenCase[] = [
  {
    name: 'SavedModel TF2 save function: file_prefix joined with _temp/part',
    loader: `${SAVE}; file_prefix is the caller's path`,
    files: { 'saved_model.pb': savedModel(tf2Save('_temp/part'), true) },
    want: [],
  },
  {
    name: 'SavedModel TF2-shaped save function whose suffix climbs with ..',
    loader: `${SAVE}: StringJoin(file_prefix, "/../../../etc/cron.d/x")`,
    files: { 'saved_model.pb': savedModel(tf2Save('/../../../etc/cron.d/x'), true) },
    want: ['CPI070:error'],
  },
  {
    name: 'SavedModel TF1 Saver: StringJoin of save/Const "model" and a temp part',
    loader: `${SAVE}; save/Const is the default filename`,
    files: {
      'saved_model.pb': savedModel([
        node('save/Const', 'PlaceholderWithDefault', ['save/filename']),
        konst('save/filename', 'model'),
        konst('save/StringJoin/inputs_1', '_temp_0123/part'),
        node('save/StringJoin', 'StringJoin', ['save/Const', 'save/StringJoin/inputs_1']),
        node('save/ShardedFilename', 'ShardedFilename', ['save/StringJoin', 'save/num_shards', 'save/num_shards']),
        node('save/num_shards', 'Const'),
        node('save/SaveV2', 'SaveV2', ['save/ShardedFilename']),
        node('save/RestoreV2', 'RestoreV2', ['save/Const']),
      ]),
    },
    want: [],
  },
  {
    name: 'SavedModel SaveV2 at a StringJoin of constants making an absolute path',
    loader: `${SAVE}: StringJoin(["/etc", "cron.d/job"], separator="/")`,
    files: {
      'saved_model.pb': savedModel([
        konst('a', '/etc'),
        konst('b', 'cron.d/job'),
        node('j', 'StringJoin', ['a', 'b'], { separator: '/' }),
        node('s', 'ShardedFilename', ['j', 'n', 'n']),
        node('n', 'Const'),
        node('save', 'SaveV2', ['s:filename:0']),
      ]),
    },
    want: ['CPI070:error'],
  },
  {
    name: 'SavedModel RestoreV2 whose path a RegexReplace computes',
    loader: 'RestoreV2Op::Compute reads the prefix RegexReplace returns at run time',
    files: {
      'saved_model.pb': savedModel([
        konst('p', 'model'),
        node('rewrite', 'RegexReplace', ['p', 'p', 'p']),
        node('restore', 'RestoreV2', ['rewrite:output:0']),
      ]),
    },
    want: ['CPI124:note'],
  },
  {
    name: 'SavedModel function caching a dataset in memory (filename "")',
    loader: 'CacheDatasetOp::MakeDataset: an empty filename caches in memory',
    files: {
      'saved_model.pb': savedModel(
        [konst('Const', ''), node('cache', 'CacheDatasetV2', ['ds:handle:0', 'Const:output:0', 'mem:0'])],
        true,
      ),
    },
    want: [],
  },
  {
    name: 'SavedModel function caching a dataset into /tmp',
    loader: 'CacheDatasetOp::MakeDataset: a filename makes FileDataset write cache files there',
    files: {
      'saved_model.pb': savedModel(
        [konst('Const', '/tmp/cache'), node('cache', 'CacheDatasetV2', ['ds:handle:0', 'Const:output:0', 'mem:0'])],
        true,
      ),
    },
    want: ['CPI070:error'],
  },
  {
    name: 'SavedModel TF1 vocabulary table whose asset Const kept the absolute export path',
    loader: `${TABLE_INIT}: the AssetFileDef's tensor is fed assets/vocab.txt`,
    files: {
      'saved_model.pb': withAssets(table(konst('Const', '/home/me/export/vocab.txt')), [['Const:0', 'vocab.txt']]),
    },
    want: [],
  },
  {
    name: 'SavedModel vocabulary table initialised from a constant host path that is no asset',
    loader: `${TABLE_INIT}: nothing feeds Const, so the table reads /etc/passwd`,
    files: { 'saved_model.pb': withAssets(table(konst('Const', '/etc/passwd')), [['Other:0', 'vocab.txt']]) },
    want: ['CPI070:error'],
  },
  {
    name: 'SavedModel vocabulary table initialised from ../ joined to a placeholder',
    loader: `${TABLE_INIT}: StringJoin(fed, "/../../.ssh/id_rsa")`,
    files: {
      'saved_model.pb': withAssets(
        [
          node('hash_table', 'HashTableV2'),
          node('dir', 'Placeholder'),
          konst('tail', '/../../.ssh/id_rsa'),
          node('Const', 'StringJoin', ['dir', 'tail']),
          node('hash_table/table_init', 'InitializeTableFromTextFile', ['hash_table', 'Const']),
        ],
        [],
      ),
    },
    want: ['CPI070:error'],
  },
  {
    name: 'SavedModel TF2 table initializer function: the filename is its captured asset argument',
    loader: 'TF2 load.py _recreate_asset captures the asset path and feeds it to the initializer function',
    files: {
      'saved_model.pb': savedModel(
        [node('table_init', 'InitializeTableFromTextFileV2', ['table_handle', 'asset_path'])],
        true,
      ),
    },
    want: [],
  },
];

describeUnseenCases('SavedModel checkpoint and vocabulary paths are resolved like the kernels build them', CASES);

it("a path op's reason is the path it reaches, not an output_stream attribute it carries (binary and text agree)", async () => {
  const withStream: Pb = [
    ...node('save', 'SaveV2', ['j']),
    [
      5,
      [
        [1, 'output_stream'],
        [2, [[2, 'nothing to see']]],
      ],
    ],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'cp-savedmodel-detail-'));
  writeFileSync(join(dir, 'saved_model.pb'), savedModel([konst('j', '/etc/cron.d/job'), withStream]));
  const res = await scanWith(dir, [inspectStage]);
  const found = res.findings.filter((f) => f.ruleId === 'CPI070');
  expect(found).toHaveLength(1);
  expect(found[0]!.message).toContain('/etc/cron.d/job');
  expect(found[0]!.message).not.toContain('nothing to see');
});
