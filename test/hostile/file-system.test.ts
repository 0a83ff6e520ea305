import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { depsStage } from '../../src/deps/stage.js';
import { walkTree, DEFAULT_SKIP_DIRS } from '../../src/discover/walk.js';
import { inspectStage } from '../../src/inspect/stage.js';
import { loadRegistryConfig } from '../../src/registry/config.js';
import { scanAsCli, scanWith } from '../helpers/scan.js';

const walk = (root: string) => walkTree(root, { include: [], exclude: [], skipDirs: DEFAULT_SKIP_DIRS });
const tempDir = () => mkdtempSync(path.join(tmpdir(), 'chainproof-fs-'));
const mkfifo = (p: string) => expect(spawnSync('mkfifo', [p]).status).toBe(0);

describe('only regular files are read', () => {
  it.each([
    { name: 'FIFO named model.pkl', file: 'model.pkl' },
    { name: 'FIFO named yarn.lock', file: 'yarn.lock' },
    { name: 'FIFO named .npmrc', file: '.npmrc' },
  ])('$name → CPX022, not read, no hang', async ({ file }) => {
    const root = tempDir();
    mkfifo(path.join(root, file));
    const result = await scanWith(root, [depsStage, inspectStage]);
    expect(
      result.findings.filter((f) => f.ruleId === 'CPX022').map((f) => [f.location.path, f.evidence?.['reason']]),
    ).toEqual([[file, 'special-file']]);
    expect(result.files.map((f) => f.path)).toEqual([]);
  });

  it('a socket → CPX022', async () => {
    const root = tempDir();
    const sock = path.join(root, 'model.bin');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const out = await walk(root);
      expect(out.findings.map((f) => [f.ruleId, f.location.path])).toEqual([['CPX022', 'model.bin']]);
    } finally {
      server.close();
    }
  });

  it('a symlink inside the root to a FIFO inside the root → CPX022', async () => {
    const root = tempDir();
    mkfifo(path.join(root, 'pipe'));
    symlinkSync('pipe', path.join(root, 'model.pt'));
    const out = await walk(root);
    expect(out.findings.map((f) => f.ruleId).sort()).toEqual(['CPX022', 'CPX022']);
  });

  it.each([
    { name: 'pytorch_model.bin', file: 'pytorch_model.bin', want: ['CPX023'] },
    { name: 'model.safetensors', file: 'model.safetensors', want: ['CPX023'] },
    { name: 'model.pkl', file: 'weights/model.pkl', want: ['CPX023'] },
    { name: 'an empty README', file: 'README.md', want: [] },
  ])('zero-byte $name → $want', async ({ file, want }) => {
    const root = tempDir();
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), '');
    const out = await walk(root);
    expect(out.findings.map((f) => f.ruleId)).toEqual(want);
    if (want.length > 0) expect(out.findings[0]!.location.path).toBe(file);
  });
});

describe('empty model files are one cause', () => {
  it('a scan of many zero-byte model files gives one CPX023 naming them, and no CPX005 or CPI016 beside it', async () => {
    const root = tempDir();
    const files = ['a.pkl', 'b.pt', 'models/c.safetensors', 'models/d.onnx', 'pytorch_model.bin'];
    for (const f of files) {
      mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      writeFileSync(path.join(root, f), '');
    }
    const res = await scanAsCli(root);
    const rules = res.findings.map((f) => f.ruleId).filter((r) => r.startsWith('CPX') || r.startsWith('CPI'));
    expect(rules).toEqual(['CPX023']);
    const cpx023 = res.findings.find((f) => f.ruleId === 'CPX023')!;
    expect(cpx023.evidence).toMatchObject({ count: 5 });
    expect([cpx023.location.path, ...(cpx023.related ?? []).map((l) => l.path)]).toEqual([...files].sort());
  });
});

describe('unrecognised bytes under a name whose loader unpickles the file are one cause', () => {
  /**
   * torch.load / pickle.load of these fail on their first bytes; the content inspector says so (CPI016, or the pickle
   * rule for what the loader reads), and the models stage's name-vs-content CPX005 would be the same cause again.
   */
  it('random bytes named .pt and text named .pth get one finding each, no CPX005 beside it', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'model.pt'), Buffer.from('a28842e79e75e6bc'.repeat(20), 'hex'));
    writeFileSync(path.join(root, 'weights.pth'), 'hello world, these are not weights\n'.repeat(5));
    const res = await scanAsCli(root);
    const rules = res.findings
      .filter((f) => f.ruleId.startsWith('CPX') || f.ruleId.startsWith('CPI'))
      .map((f) => `${f.ruleId} ${f.location.path}`)
      .sort();
    expect(rules).toEqual(['CPI003 weights.pth', 'CPI016 model.pt']);
  });

  it('a gzip stream of text named .pkl and of random bytes named .pt: the inspector finding of what is inside, no CPX005', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'a.pkl'), gzipSync('hello text, not a pickle\n'));
    writeFileSync(path.join(root, 'd.pt'), gzipSync(Buffer.from('a28842e79e75e6bc'.repeat(20), 'hex')));
    const res = await scanAsCli(root);
    const rules = res.findings
      .filter((f) => f.ruleId.startsWith('CPX') || f.ruleId.startsWith('CPI'))
      .map((f) => `${f.ruleId} ${f.location.path}`)
      .sort();
    expect(rules).toEqual(['CPI003 a.pkl', 'CPI003 d.pt']);
  });
});

describe('config files obey the symlink rule', () => {
  it.each([
    { name: 'symlink out of the root', target: () => path.join(tempDir(), 'evil.npmrc') },
    { name: 'symlink to /dev/stdin', target: () => '/dev/stdin' },
  ])('.npmrc as a $name is reported (CPX002) and not read', async ({ target }) => {
    const root = tempDir();
    const t = target();
    if (!t.startsWith('/dev/')) writeFileSync(t, 'registry=https://evil.example/\n');
    symlinkSync(t, path.join(root, '.npmrc'));
    const out = await walk(root);
    expect(out.findings.map((f) => [f.ruleId, f.location.path])).toEqual([['CPX002', '.npmrc']]);
    const config = await loadRegistryConfig({ root, env: {}, override: undefined });
    expect(config.defaultRegistry).toBe('https://registry.npmjs.org/');
  });

  it('a regular .npmrc in the root is still read (for a registry the policy allows)', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, '.npmrc'), 'registry=https://mirror.example/\n');
    const config = await loadRegistryConfig({
      root,
      env: {},
      override: undefined,
      allowed: ['https://mirror.example/'],
    });
    expect(config.defaultRegistry).toBe('https://mirror.example/');
  });
});

describe('over-long paths', () => {
  it('a path past PATH_MAX is CPX024 and the rest of the tree is still scanned', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'model.pkl'), Buffer.from('80044b012e', 'hex'));
    // Built one relative step at a time: no single call sees the whole path.
    const name = 'd'.repeat(250);
    const script = `cd "$1" && for i in $(seq 1 20); do mkdir ${name} && cd ${name}; done && echo x > model.pkl`;
    expect(spawnSync('bash', ['-c', script, 'bash', root]).status).toBe(0);
    const out = await walk(root);
    expect(out.files.map((f) => f.path)).toContain('model.pkl');
    const long = out.findings.filter((f) => f.ruleId === 'CPX024');
    expect(long).toHaveLength(1);
    expect(long[0]!.location.path.startsWith(`${name}/`)).toBe(true);
  });
});

describe('other shapes: special files under lockfile and model names, links to devices and /proc', () => {
  it('FIFOs named package-lock.json and models/model.safetensors → CPX022 each, nothing read, no hang', async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'models'));
    mkfifo(path.join(root, 'package-lock.json'));
    mkfifo(path.join(root, 'models', 'model.safetensors'));
    const result = await scanWith(root, [depsStage, inspectStage]);
    expect(
      result.findings
        .filter((f) => f.ruleId === 'CPX022')
        .map((f) => f.location.path)
        .sort(),
    ).toEqual(['models/model.safetensors', 'package-lock.json']);
    expect(result.files).toEqual([]);
  });

  it('model.bin → /dev/zero, .npmrc → /proc/self/environ, yarn.lock → /dev/stdin: CPX002 each, none read', async () => {
    const root = tempDir();
    symlinkSync('/dev/zero', path.join(root, 'model.bin'));
    symlinkSync('/proc/self/environ', path.join(root, '.npmrc'));
    symlinkSync('/dev/stdin', path.join(root, 'yarn.lock'));
    const out = await walk(root);
    expect(out.findings.map((f) => [f.ruleId, f.location.path]).sort()).toEqual([
      ['CPX002', '.npmrc'],
      ['CPX002', 'model.bin'],
      ['CPX002', 'yarn.lock'],
    ]);
    expect(out.files).toEqual([]);
    // The environment (where CI keeps its tokens) never becomes registry configuration.
    const config = await loadRegistryConfig({
      root,
      env: { NPM_TOKEN: 'npm_fromTheEnvironment' },
      override: undefined,
    });
    expect(config.defaultRegistry).toBe('https://registry.npmjs.org/');
    expect(JSON.stringify(config)).not.toContain('npm_fromTheEnvironment');
  });
});
