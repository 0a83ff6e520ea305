import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { initCommand } from '../../src/cli/commands/init.js';
import { parseRegistryText } from '../../src/trust/registry/load.js';
import { loadPolicy } from '../../src/trust/policy/load.js';
import { runCommand } from '../helpers/run-command.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'chainproof-init-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function repoWith(files: Record<string, string | Buffer>): Promise<string> {
  const root = await mkdtemp(path.join(tmp, 'repo-'));
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), body);
  }
  return root;
}

/** Run init, then load what it wrote exactly as a scan would: the policy and the registry must both be valid. */
async function initAndLoad(root: string) {
  const r = await runCommand(initCommand, ['init', root]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const text = await readFile(path.join(root, '.chainproof/policy.yml'), 'utf8');
  const policy = await loadPolicy(path.join(root, '.chainproof/policy.yml'), root);
  const registryText = await readFile(path.join(root, 'trusted-registry/models.yml'), 'utf8');
  const registry = parseRegistryText(registryText, 'trusted-registry/models.yml');
  return { r, text, policy, registryText, registry };
}

const safetensors = (() => {
  const header = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, header, Buffer.alloc(4)]);
})();

const lockfile = JSON.stringify(
  {
    name: 'svc',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': {
        name: 'svc',
        version: '1.0.0',
        dependencies: { '@acme/util': '1.0.0', esbuild: '0.20.0', 'left-pad': '1.3.0' },
      },
      'node_modules/@acme/util': {
        version: '1.0.0',
        resolved: 'https://npm.acme.dev/@acme/util/-/util-1.0.0.tgz',
        integrity: 'sha512-' + 'A'.repeat(86) + '==',
      },
      'node_modules/esbuild': {
        version: '0.20.0',
        resolved: 'https://registry.npmjs.org/esbuild/-/esbuild-0.20.0.tgz',
        integrity: 'sha512-' + 'B'.repeat(86) + '==',
        hasInstallScript: true,
      },
      'node_modules/left-pad': {
        version: '1.3.0',
        resolved: 'https://packages.unknown-mirror.example/npm/left-pad/-/left-pad-1.3.0.tgz',
        integrity: 'sha512-' + 'C'.repeat(86) + '==',
      },
    },
  },
  null,
  2,
);

describe('chainproof init', () => {
  it('the demo project: pickle files are named, nothing forbidden yet, untrusted mirrors only in comments', async () => {
    const root = await mkdtemp(path.join(tmp, 'demo-'));
    // The demo as it was before adopting chainproof: without its trusted registry.
    await cp('fixtures/demo-project', root, { recursive: true, filter: (src) => !src.includes('trusted-registry') });
    const { r, text, policy, registryText, registry } = await initAndLoad(root);
    expect(policy.models.forbiddenFormats).toEqual([]);
    expect(policy.models.unknownModel).toBe('warning');
    expect(text).toMatch(/# Pickle-based model files found .*models\/legacy\/classifier\.pkl \(pickle\)/);
    expect(text).toMatch(/# forbiddenFormats: \["pickle"\]/);
    // A lockfile naming a registry does not make it trusted.
    expect(policy.dependencies.allowedRegistries).toEqual([
      'https://registry.npmjs.org/',
      'https://registry.yarnpkg.com/',
    ]);
    expect(text).toMatch(/# {3}- "https:\/\/npm\.evil-mirror\.example\/"/);
    expect(text).toMatch(/# {3}- "http:\/\/registry\.yarnpkg\.com\/"/);
    expect(registry.models).toEqual([]);
    expect(registryText).toContain('#   models/legacy/classifier.pkl (pickle,');
    expect(r.stdout).toMatch(/^Found 1 lockfile\(s\), 0 \.npmrc registries, \d+ model file\(s\), \d+ pickle-based\.\n/);
  });

  it('a private registry: .npmrc scopes become private, credentials never reach the file, install scripts listed', async () => {
    const root = await repoWith({
      '.npmrc':
        '@acme:registry=https://npm.acme.dev/\n//npm.acme.dev/:_authToken=s3cr3t-token\nregistry=https://ci:hunter2@proxy.acme.dev/npm/\n',
      'package.json': JSON.stringify({ name: '@acme/svc', version: '1.0.0' }),
      'package-lock.json': lockfile,
      'models/encoder.safetensors': safetensors,
      '.git/config': '[remote "origin"]\n\turl = git@github.com:acme/svc.git\n',
    });
    const { text, policy } = await initAndLoad(root);
    expect(text).not.toMatch(/s3cr3t|hunter2|ci:/);
    expect(policy.dependencies.privateScopes).toEqual(['@acme']);
    expect(policy.dependencies.allowedRegistries).toEqual([
      'https://registry.npmjs.org/',
      'https://registry.yarnpkg.com/',
      'https://npm.acme.dev/',
      'https://proxy.acme.dev/npm/',
    ]);
    expect(text).toMatch(/# {3}- "https:\/\/packages\.unknown-mirror\.example\/npm\/" {2}# package-lock\.json/);
    // Today's install scripts are recorded as a reviewable baseline, so the next scan flags only new ones.
    expect(text).toMatch(
      /# These run install scripts in your lockfiles today.*\n.*\n {2}allowInstallScripts:\n {4}- "esbuild"\n/,
    );
    expect(policy.dependencies.allowInstallScripts).toEqual(['esbuild']);
    // Only safetensors: pickle is forbidden from the start.
    expect(policy.models.forbiddenFormats).toEqual(['pickle']);
    expect(text).toContain(
      'subjectPattern: https://github\\.com/acme/svc/\\.github/workflows/release\\.yml@refs/tags/v.*',
    );
  });

  it('an empty folder: a valid policy and an empty registry', async () => {
    const root = await repoWith({});
    const { policy, text } = await initAndLoad(root);
    expect(policy.models.unknownModel).toBe('note');
    expect(text.startsWith('# yaml-language-server: $schema=./policy.schema.json\n')).toBe(true);
    const schema = JSON.parse(await readFile(path.join(root, '.chainproof/policy.schema.json'), 'utf8'));
    expect(schema.title).toBe('chainproof policy');
    expect(parse(await readFile(path.join(root, 'trusted-registry/models.yml'), 'utf8'))).toEqual({
      version: 1,
      models: [],
    });
  });

  it('refuses to overwrite a changed file without --force, and writes nothing', async () => {
    const root = await repoWith({ '.chainproof/policy.yml': 'version: 1\n# mine\n' });
    const r = await runCommand(initCommand, ['init', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('.chainproof/policy.yml already exists; nothing was written (use --force to overwrite)');
    expect(await readFile(path.join(root, '.chainproof/policy.yml'), 'utf8')).toBe('version: 1\n# mine\n');
    await expect(readFile(path.join(root, 'trusted-registry/models.yml'), 'utf8')).rejects.toThrow();
    const forced = await runCommand(initCommand, ['init', root, '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(path.join(root, '.chainproof/policy.yml'), 'utf8')).toMatch(/^# yaml-language-server/);
  });

  it('running again on an unchanged repository is a no-op, not an error', async () => {
    const root = await repoWith({});
    await initAndLoad(root);
    const again = await runCommand(initCommand, ['init', root]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('unchanged .chainproof/policy.yml');
  });

  it("prints an unreadable lockfile's name and reason with their control characters shown, not obeyed", async () => {
    // A folder whose name sets the terminal's title (OSC 0) and a lockfile that is not JSON.
    const folder = 'sub\u001b]0;pwned\u0007';
    const root = await repoWith({ [`${folder}/package-lock.json`]: '{"lockfileVersion": 3, "packages": {' });
    const r = await runCommand(initCommand, ['init', root]);
    expect(r.code).toBe(0);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(r.stdout).toContain('Could not read sub\\x1b]0;pwned\\x07/package-lock.json: ');
  });

  it('a directory that does not exist is a usage error', async () => {
    const r = await runCommand(initCommand, ['init', path.join(tmp, 'nope')]);
    expect(r.code).toBe(2);
  });
});
