import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { loadTrustedRegistry } from '../../../src/trust/registry/load.js';

const root = mkdtempSync(path.join(tmpdir(), 'cp-provenance-registry-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const entry = (sourceCommit: string) =>
  [
    'version: 1',
    'models:',
    '  - name: acme/classifier',
    '    revision: v1',
    '    source: https://github.com/acme/classifier/releases/tag/v1',
    `    sourceCommit: ${JSON.stringify(sourceCommit)}`,
    '    files:',
    '      - path: models/classifier.onnx',
    `        sha256: ${'0'.repeat(63)}f`,
    '',
  ].join('\n');

describe('trusted-registry sourceCommit', () => {
  it('is read onto the model artifact', async () => {
    writeFileSync(path.join(root, 'ok.yml'), entry('a'.repeat(40)));
    const reg = await loadTrustedRegistry(root, ['ok.yml']);
    expect(reg.models[0]).toMatchObject({ name: 'acme/classifier', sourceCommit: 'a'.repeat(40), line: 3 });
  });

  it.each([
    { name: 'short commit', commit: 'abc1234' },
    { name: 'a branch name', commit: 'main' },
    { name: 'upper-case hex', commit: 'A'.repeat(40) },
  ])('$name is a config error naming the file, line and field', async ({ name, commit }) => {
    const file = `${name.replace(/\W+/g, '-')}.yml`;
    writeFileSync(path.join(root, file), entry(commit));
    const err = await loadTrustedRegistry(root, [file]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    // file:line:col: path: expected — the one config loader's problem format.
    expect((err as ConfigError).message).toMatch(
      new RegExp(`${file.replace(/\./g, '\\.')}:6:\\d+: models\\[0\\]\\.sourceCommit: must be a full git commit id`),
    );
  });
});
