import { truncateSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_TEMPLATE_FILE } from '../../src/discover/formats/chat-template-head.js';
import { DEFAULT_SKIP_DIRS, KEEP_FILE_MAX, TEMPLATE_CHUNK, walkTree } from '../../src/discover/walk.js';
import { ownReferenceSources } from '../../src/refs/sources.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('chainproof-walk-keras-json-');

/**
 * The walk as a scan runs it: with the refs stage's content filter (small JSON is read whole). `size`: the file is
 * `text` then zeros up to it (sparse, so a large file costs no disk).
 */
async function claimOf(file: string, text: string, size?: number): Promise<string> {
  const root = tree({ [file]: text });
  if (size !== undefined) truncateSync(path.join(root, file), size);
  const { files } = await walkTree(root, {
    include: [],
    exclude: [],
    skipDirs: DEFAULT_SKIP_DIRS,
    content: ownReferenceSources,
  });
  return `${files[0]!.format}/${files[0]!.claimed ?? '-'}`;
}

const MODEL = '"class_name": "Sequential", "config": {"layers": []}';
/** A JSON object too large to be read whole whose `class_name` key starts near byte `at`. */
const keyAt = (at: number) => `{"pad": "${'x'.repeat(at - 10)}", ${MODEL}}`;

describe('the walk finds Keras model JSON under other names by content', () => {
  it.each([
    { name: 'the key in the head', file: 'arch.json', text: `{${MODEL}}`, want: 'other/keras-json-file' },
    {
      name: 'the key in the second chunk of a file too large to be read whole',
      file: 'arch.json',
      text: keyAt(KEEP_FILE_MAX + TEMPLATE_CHUNK - 14),
      want: 'other/keras-json-file',
    },
    {
      name: 'the key with a letter escaped: a candidate of both, claimed as a chat template the Keras check reads too',
      file: 'arch.json',
      text: '{"\\u0063lass_name": "Sequential", "config": {}}',
      want: 'other/chat-template-file',
    },
    { name: 'a JSON array is no model', file: 'list.json', text: '[{"class_name": "x"}]', want: 'other/-' },
    { name: 'a .txt file', file: 'arch.txt', text: `{${MODEL}}`, want: 'other/keras-json-file' },
    {
      name: 'a file of no extension, after a BOM',
      file: 'arch',
      text: `\ufeff \n{ ${MODEL}}`,
      want: 'other/keras-json-file',
    },
    {
      name: 'a .cfg file with the key in the second chunk',
      file: 'model.cfg',
      text: keyAt(KEEP_FILE_MAX + TEMPLATE_CHUNK - 14),
      want: 'other/keras-json-file',
    },
    { name: 'a .yaml file that is JSON text', file: 'config.yaml', text: `{${MODEL}}`, want: 'other/keras-json-file' },
    {
      name: 'a .yml JSON text with the key in the second chunk',
      file: 'net.yml',
      text: keyAt(KEEP_FILE_MAX + TEMPLATE_CHUNK - 14),
      want: 'other/keras-json-file',
    },
    {
      name: 'a .template JSON text showing a Jinja delimiter: a chat template candidate the Keras check reads too',
      file: 'model.template',
      text: `{"note": "{{ x }}", ${MODEL}}`,
      want: 'other/chat-template-file',
    },
    {
      name: 'a real YAML file naming the key',
      file: 'config.yaml',
      text: 'class_name: Sequential\nconfig: {layers: []}\n',
      want: 'other/-',
    },
    { name: 'a .txt file that is no JSON object', file: 'notes.txt', text: `see ${MODEL}`, want: 'other/-' },
    { name: 'a block of code, no JSON object', file: 'snippet.txt', text: `{ class_name = 1 }`, want: 'other/-' },
    { name: 'a .txt JSON object without the key', file: 'data.txt', text: '{"name": "x"}', want: 'other/-' },
    { name: 'JSON without the key', file: 'data.json', text: '{"name": "x"}', want: 'other/-' },
    {
      name: 'a name some loader claims keeps its own format',
      file: 'config.json',
      text: `{${MODEL}}`,
      want: 'hf-config/hf-config',
    },
  ])('$name', async ({ file, text, want }) => {
    expect(await claimOf(file, text)).toBe(want);
  });

  it('passes over a file of another name larger than the inspector reads (a dataset of class_name labels)', async () => {
    const labels = '{"image_id": 1, "class_name": "person"}\n';
    expect(await claimOf('labels.jsonl', labels, MAX_TEMPLATE_FILE + 1)).toBe('other/-');
    // A `.json` file of that size is still read as a candidate, as before.
    expect(await claimOf('labels.json', labels, MAX_TEMPLATE_FILE + 1)).toBe('other/keras-json-file');
    // Nor is a YAML file of that size, JSON text or not, a Keras candidate (it is still searched for a chat template).
    expect(await claimOf('labels.yaml', `{"x": 1, ${labels.slice(1)}`, MAX_TEMPLATE_FILE + 1)).toBe('other/-');
  });
});
