import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildTar, buildZip } from '../containers/build.js';
import { scanAsCli } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('chainproof-yaml-python-tags-');

/** `rule:level:line` per repo-relative path, over every finding of a whole scan (`chainproof scan --offline`). */
async function scanTree(files: Record<string, string | Buffer>): Promise<Record<string, string[]>> {
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

/** `rule:level:member` per repo-relative path, for YAML files shipped inside an archive. */
async function scanMembers(files: Record<string, Buffer>): Promise<Record<string, string[]>> {
  const res = await scanAsCli(tree(files));
  const out: Record<string, string[]> = {};
  for (const f of res.findings) (out[f.location.path] ??= []).push(`${f.ruleId}:${f.level}:${f.location.member}`);
  for (const rules of Object.values(out)) rules.sort();
  return out;
}

/** A tar of several members: each buildTar ends in the two zero blocks, kept only after the last. */
const tarOf = (members: Record<string, string | Buffer>) =>
  Buffer.concat([
    ...Object.entries(members).map(([name, data]) => {
      const one = buildTar(name, Buffer.from(data));
      return one.subarray(0, one.length - 1024);
    }),
    Buffer.alloc(1024),
  ]);

const SYSTEM = 'lr: 0.1\nhook: !!python/object/apply:os.system ["echo hi"]\n';

describe('YAML members of archives: extracted, they are read as the same file in a repository is', () => {
  it.each([
    {
      name: 'a config calling os.system in a release zip',
      files: { 'release.zip': buildZip([{ name: 'cfg/train.yaml', data: Buffer.from(SYSTEM), deflate: true }]) },
      want: { 'release.zip': ['CPI134:error:cfg/train.yaml'] },
    },
    {
      name: 'a Keras model YAML in a .tar.gz',
      files: {
        'model.tar.gz': gzipSync(
          tarOf({
            'export/weights.txt': 'not a model\n',
            'export/model.yml': KERAS.replace('units: 2', 'units: !!python/object/new:collections.OrderedDict []'),
          }),
        ),
      },
      want: { 'model.tar.gz': ['CPI134:error:<gzip>!export/model.yml'] },
    },
    {
      name: 'a tag hidden behind a %XX escape in a plain tar',
      files: { 'bundle.tar': tarOf({ 'hp.yaml': 'a: 1\nx: !!py%74hon/object/apply:os.system [id]\n' }) },
      want: { 'bundle.tar': ['CPI134:error:hp.yaml'] },
    },
    {
      name: 'a gzipped config (whoever gunzips it reads the YAML)',
      files: { 'cfg.yaml.gz': gzipSync(SYSTEM) },
      want: { 'cfg.yaml.gz': ['CPI134:error:<gzip>'] },
    },
    {
      name: 'a member past the parse limit: not checked, counted',
      files: {
        'big.zip': buildZip([
          {
            name: 'big.yaml',
            data: Buffer.from(`${'# padding\n'.repeat(110_000)}x: !!python/object/apply:os.system [id]\n`),
            deflate: true,
          },
        ]),
      },
      want: { 'big.zip': ['CPI051:warning:big.yaml'] },
    },
  ])('$name', async ({ files, want }) => {
    expect(await scanMembers(files)).toEqual(want);
  });

  it.each([
    { name: 'tuples only', data: KERAS },
    { name: 'no python tag sign', data: 'prefix: /usr/lib/python3/site-packages\nlr: 0.1\n' },
    { name: 'the tag in a member not named YAML (as the walk ignores such a file)', data: SYSTEM, member: 'notes.txt' },
  ])('silent: $name', async ({ data, member }) => {
    const zip = buildZip([{ name: member ?? 'config.yaml', data: Buffer.from(data), deflate: true }]);
    expect(await scanMembers({ 'bundle.zip': zip })).toEqual({});
  });
});
