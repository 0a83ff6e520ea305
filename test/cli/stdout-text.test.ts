import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';
import { tempTrees } from '../helpers/temp-tree.js';

/**
 * What the commands other than scan print to standard output is read in a terminal and logged by CI: names from the
 * scanned tree are shown with their control characters escaped (stderr-text.test.ts holds the same for errors).
 */
const tree = tempTrees('chainproof-stdout-');

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('command output', () => {
  it('registry add lists a model folder whose file names carry escape sequences, escaped', async () => {
    const dir = tree({ 'models/enc/config.json': '{}', 'models/enc/w\u001b]0;pwned\u0007.bin': 'weights' });
    const r = await runMain([
      'registry',
      'add',
      path.join(dir, 'models/enc'),
      '--name',
      'acme/enc',
      '--revision',
      'v1',
      '--source',
      'https://example.com/enc',
      '--root',
      dir,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('models/enc/w\\x1b]0;pwned\\x07.bin');
  });
});

describe('registry add --from-refs', () => {
  it('names the source files where each reference was found with their control characters escaped', async () => {
    const commit = '4e20de362430cd3b72f300e6b0f18e50e7166e08';
    const file = 'src/\u001b[2Jtrain.py';
    const dir = tree({
      [file]: `from transformers import AutoModel\nm = AutoModel.from_pretrained("acme/encoder", revision="${commit}")\n`,
    });
    const r = await runMain(['registry', 'add', '--from-refs', dir, '--root', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain(
      `added hf:acme/encoder@${commit} to trusted-registry/models.yml (src/\\x1b[2Jtrain.py:2:`,
    );
  });
});
