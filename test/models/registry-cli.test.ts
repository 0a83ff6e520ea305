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
