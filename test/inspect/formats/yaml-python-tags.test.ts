import { describe, expect, it } from 'vitest';
import { scanAsCli } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('chainproof-yaml-python-tags-');

/** `rule:level:line` per repo-relative path, over every finding of a whole scan (`chainproof scan --offline`). */
async function scanTree(files: Record<string, string>): Promise<Record<string, string[]>> {
  const res = await scanAsCli(tree(files));
  const out: Record<string, string[]> = {};
  for (const f of res.findings)
    (out[f.location.path] ??= []).push(`${f.ruleId}:${f.level}${f.location.line ? `:${f.location.line}` : ''}`);
  for (const rules of Object.values(out)) rules.sort();
  return out;
}

/** `Model.to_yaml()`'s shape (tf.keras 2.x), with the tuples yaml.dump writes. */
const KERAS = `backend: tensorflow
class_name: Sequential
config:
  layers:
  - class_name: Dense
    config:
      batch_input_shape: !!python/tuple [null, 4]
      units: 2
keras_version: 2.4.0
`;

describe('YAML files with PyYAML python tags (CPI134)', () => {
  it.each([
    {
      name: 'a Keras model YAML whose tag calls an allowlisted callable: model_from_yaml (unsafe_load) builds it',
      files: { 'model.yaml': KERAS.replace('units: 2', 'units: !!python/object/apply:collections.OrderedDict [[]]') },
      want: ['CPI134:error:8'],
    },
    {
      name: 'a config calling os.system',
      files: { 'config.yaml': 'lr: 0.1\nhook: !!python/object/apply:os.system ["echo hi"]\n' },
      want: ['CPI134:error:2'],
    },
    {
      name: 'the tag on the line it is on, past an earlier mention of its callable in a comment',
      files: {
        'config.yaml': '# hooks once used os.system\nlr: 0.1\nhook: !!python/object/apply:os.system\n  - echo hi\n',
      },
      want: ['CPI134:error:3'],
    },
    {
      name: 'a %TAG handle spelling the python prefix',
      files: {
        'train.yml': '%TAG !p! tag:yaml.org,2002:python/\n---\nx: !p!object/apply:subprocess.check_output [[id]]\n',
      },
      want: ['CPI134:error:3'],
    },
    {
      name: 'a tag hiding python/ behind a %XX escape (scan_tag_uri decodes it)',
      files: { 'hp.yaml': 'a: 1\nx: !!py%74hon/object/apply:os.system [id]\n' },
      want: ['CPI134:error:2'],
    },
    {
      name: 'a verbatim tag',
      files: { 'params.yaml': 'x: !<tag:yaml.org,2002:python/object/new:os.system> [id]\n' },
      want: ['CPI134:error:1'],
    },
    {
      name: "mkdocs' python/name: a callable outside the allowlist is a note",
      files: {
        'mkdocs.yml':
          'markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n',
      },
      want: ['CPI134:note:3'],
    },
  ])('$name', async ({ files, want }) => {
    const [file] = Object.keys(files);
    expect(await scanTree(files)).toEqual({ [file!]: want });
  });

  it.each([
    { name: 'a Keras model YAML with only tuples', files: { 'model.yaml': KERAS } },
    { name: 'python/ in a plain string', files: { 'env.yaml': 'prefix: /usr/lib/python/site-packages\n' } },
    {
      name: 'a YAML that does not parse (PyYAML builds nothing)',
      files: { 'x.yaml': 'a: !!python/object/apply:os.system [id\n' },
    },
  ])('silent: $name', async ({ files }) => {
    expect(await scanTree(files)).toEqual({});
  });

  it('a file past the parse limit: not checked, counted (the unsafe Loader reads any size)', async () => {
    const text = `${'# padding\n'.repeat(110_000)}x: !!python/object/apply:os.system [id]\n`;
    expect(await scanTree({ 'big.yaml': text })).toEqual({ 'big.yaml': ['CPI051:warning'] });
  });

  it('a chat template candidate is judged for its python tags too', async () => {
    const text = 'chat_template: "{{ messages }}"\nx: !!python/object/apply:os.system [id]\n';
    expect(await scanTree({ 'serve.yaml': text })).toEqual({ 'serve.yaml': ['CPI134:error:2'] });
  });
});
