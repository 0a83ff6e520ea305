import path from 'node:path';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import yargs from 'yargs';
import { describe, expect, it, vi } from 'vitest';
import { registryCommand } from '../../src/cli/commands/registry.js';
import { loadTrustedRegistry } from '../../src/trust/registry/load.js';
import { MODELS } from './helpers.js';

async function run(args: string[]): Promise<{ out: string; err: unknown }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  try {
    await yargs(args)
      .command(registryCommand)
      .strict()
      .exitProcess(false)
      .fail((msg, e) => {
        throw e ?? new Error(msg);
      })
      .parseAsync();
    return { out, err: undefined };
  } catch (err) {
    return { out, err };
  } finally {
    spy.mockRestore();
  }
}

describe('chainproof registry add / check', () => {
  it('adds a folder, updates the same name@revision in place, and check passes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-regcli-'));
    await mkdir(path.join(dir, 'models/tiny'), { recursive: true });
    await copyFile(path.join(MODELS, 'real-gguf/llama-2-tiny-random.gguf'), path.join(dir, 'models/tiny/model.gguf'));
    await writeFile(path.join(dir, 'models/tiny/config.json'), '{"a":1}\n');
    const add = [
      'registry',
      'add',
      path.join(dir, 'models/tiny'),
      '--root',
      dir,
      '--name',
      'acme/tiny',
      '--revision',
      'v1',
      '--source',
      'https://example.com/acme/tiny',
      '--license',
      'MIT',
    ];
    expect((await run(add)).err).toBeUndefined();
    expect((await run(add)).out).toMatch(/^updated acme\/tiny@v1/);
    const reg = await loadTrustedRegistry(dir);
    expect(reg.models).toHaveLength(1);
    expect(reg.models[0]!.files).toEqual([
      { path: 'models/tiny/config.json', size: 8, sha256: createHash('sha256').update('{"a":1}\n').digest('hex') },
      {
        path: 'models/tiny/model.gguf',
        size: 1750560,
        sha256: '81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb',
      },
    ]);
    const text = await readFile(path.join(dir, 'trusted-registry/models.yml'), 'utf8');
    expect(text).toContain('# chainproof trusted registry');
    const check = await run(['registry', 'check', '--root', dir]);
    expect(check.err).toBeUndefined();
    expect(check.out).toContain('trusted registry OK: 1 file, 1 models');
  });

  it('re-adding an entry keeps what it does not compute: description, comments, signer, licence, sourceCommit', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-regcli-'));
    await mkdir(path.join(dir, 'models/tiny'), { recursive: true });
    await mkdir(path.join(dir, 'trusted-registry'));
    await writeFile(path.join(dir, 'models/tiny/config.json'), '{"a":2}\n');
    const commit = 'a'.repeat(40);
    await writeFile(
      path.join(dir, 'trusted-registry/models.yml'),
      [
        'version: 1',
        'models:',
        '  # reviewed by the ML platform team',
        '  - name: acme/tiny',
        '    revision: v1',
        '    source: https://example.com/acme/tiny',
        '    license: MIT',
        '    description: tokenizer config only, reviewed 2026-11',
        '    sourceRepository: https://github.com/acme/tiny',
        `    sourceCommit: ${commit}`,
        '    files:',
        '      - path: models/tiny/config.json',
        '        size: 8',
        `        sha256: ${'ab'.repeat(32)}`,
        '',
      ].join('\n'),
    );
    const add = ['registry', 'add', path.join(dir, 'models/tiny'), '--root', dir, '--name', 'acme/tiny'];
    const { out, err } = await run([...add, '--revision', 'v1', '--source', 'https://example.com/acme/tiny']);
    expect(err).toBeUndefined();
    expect(out).toMatch(/^updated acme\/tiny@v1/);
    expect(out).toContain("the entry's sourceCommit is kept, and the scan requires provenance naming it");
    expect(out).toContain('kept from the entry: description, license, sourceCommit, sourceRepository');
    const text = await readFile(path.join(dir, 'trusted-registry/models.yml'), 'utf8');
    expect(text).toContain('# reviewed by the ML platform team');
    expect(text).toContain('description: tokenizer config only, reviewed 2026-11');
    const [entry] = (await loadTrustedRegistry(dir)).models;
    expect(entry).toMatchObject({
      license: 'MIT',
      sourceCommit: commit,
      files: [
        { path: 'models/tiny/config.json', size: 8, sha256: createHash('sha256').update('{"a":2}\n').digest('hex') },
      ],
    });
    // A licence given again replaces the entry's; a new revision is a new entry, with nothing carried over.
    const again = await run([
      ...add,
      '--revision',
      'v1',
      '--source',
      'https://example.com/acme/tiny',
      '--license',
      'Apache-2.0',
    ]);
    expect(again.out).toContain('kept from the entry: description, sourceCommit, sourceRepository');
    const v2 = await run([...add, '--revision', 'v2', '--source', 'https://example.com/acme/tiny']);
    expect(v2.out).toMatch(/^added acme\/tiny@v2/);
    expect(v2.out).not.toContain('kept from the entry');
    const models = (await loadTrustedRegistry(dir)).models;
    expect(models.map((m) => [m.revision, m.license, m.sourceCommit])).toEqual([
      ['v1', 'Apache-2.0', commit],
      ['v2', undefined, undefined],
    ]);
    expect((await readFile(path.join(dir, 'trusted-registry/models.yml'), 'utf8')).match(/description:/g)).toHaveLength(
      1,
    );
  });

  it('check fails with a CONFIG error naming file, line and field', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-regcli-'));
    await mkdir(path.join(dir, 'trusted-registry'));
    await writeFile(
      path.join(dir, 'trusted-registry/models.yml'),
      'version: 1\nmodels:\n  - name: a\n    revision: "1"\n    source: not a url\n    files: []\n',
    );
    const { err } = await run(['registry', 'check', '--root', dir]);
    expect(err).toMatchObject({ code: 'CONFIG_REGISTRY_INVALID' });
    expect((err as Error).message).toContain(
      'trusted-registry/models.yml:5:13: models[0].source: must be an absolute URL',
    );
    expect((err as Error).message).toContain(
      'trusted-registry/models.yml:6:12: models[0].files: must NOT have fewer than 1 items',
    );
  });

  it('add refuses a path outside the root', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-regcli-'));
    const { err } = await run([
      'registry',
      'add',
      MODELS,
      '--root',
      dir,
      '--name',
      'x',
      '--revision',
      '1',
      '--source',
      'https://example.com/x',
    ]);
    expect(err).toMatchObject({ code: 'USAGE' });
  });
});
