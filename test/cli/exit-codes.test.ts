import { mkdtempSync, mkdirSync, writeFileSync, chmodSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

function tempRepo(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-cli-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

const MALICIOUS = corpusPath('pickles/picklescan-data/malicious1_v4.pkl');

// In-process through main() (the same parsing and exit-code mapping as bin/); test/cli/e2e.test.ts spawns the real
// binary once per command.
describe('exit codes through the CLI', () => {
  // The first in-process call compiles the CLI and every stage (seconds on a busy machine): do it outside the cases.
  beforeAll(() => import('../../src/cli/commands/scan.js'), 300_000);

  it.each([
    { name: 'unknown flag', args: ['scan', '.', '--no-such-flag'], want: 2 },
    { name: 'missing directory', args: ['scan', '/nonexistent/chainproof-dir'], want: 2 },
    { name: 'bad --fail-on', args: ['scan', '.', '--fail-on', 'critical'], want: 2 },
    { name: 'bad --shard', args: ['scan', '.', '--shard', '5/4'], want: 2 },
    { name: '--shard past MAX_SHARDS', args: ['scan', '.', '--shard', '1/99999999999999999999'], want: 2 },
    { name: 'two formats on stdout', args: ['scan', '.', '--format', 'json', '--format', 'sarif'], want: 2 },
    { name: 'no command', args: [], want: 2 },
  ])('$name → $want', async ({ args, want }) => {
    const dir = tempRepo({ 'README.md': '# empty\n' });
    const r = await runMain(args, { cwd: dir });
    expect(r.code, r.stderr).toBe(want);
    expect(r.stderr).toMatch(/chainproof|Usage|scan/);
  });

  it('a clean tree exits 0 and a malformed policy exits 2 naming the file', async () => {
    const dir = tempRepo({ 'README.md': '# nothing to see\n', 'policy.yml': 'version: 1\nmodels: [not, a, map]\n' });
    expect((await runMain(['scan', dir, '--offline', '--quiet'])).code).toBe(0);
    const bad = await runMain(['scan', dir, '--offline', '--policy', path.join(dir, 'policy.yml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('policy.yml');
  });

  it('findings at --fail-on exit 1, below it exit 0', async () => {
    const dir = tempRepo({});
    copyFileSync(MALICIOUS, path.join(dir, 'model.pkl'));
    const at = await runMain(['scan', dir, '--offline', '--quiet', '--fail-on', 'error', '--format', 'json']);
    expect(at.code, at.stderr).toBe(1);
    const json = JSON.parse(at.stdout);
    expect(json.findings.some((f: { level: string }) => f.level === 'error')).toBe(true);
    expect((await runMain(['scan', dir, '--offline', '--quiet', '--fail-on', 'none'])).code).toBe(0);
  });

  it('notes below --fail-on warning exit 0', async () => {
    const dir = tempRepo({ 'weights/classifier.pkl': Buffer.from('80044b012e', 'hex') });
    const r = await runMain(['scan', dir, '--offline', '--quiet', '--format', 'json', '--fail-on', 'warning']);
    const json = JSON.parse(r.stdout);
    const worst = json.findings.some((f: { level: string }) => f.level !== 'note');
    expect(r.code).toBe(worst ? 1 : 0);
    expect(json.models.map((m: { path: string }) => m.path)).toContain('weights/classifier.pkl');
  });

  it('a malformed file in the tree never crashes the scan', async () => {
    const dir = tempRepo({
      'garbage.json': Buffer.from([0, 1, 2, 255, 254, 0x7b, 0x7b]),
      'package-lock.json': '{"lockfileVersion": 3, "packages": {',
      'models/broken.safetensors': Buffer.from([16, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x22]),
      'models/truncated.pkl': Buffer.from('8004955a', 'hex'),
    });
    mkdirSync(path.join(dir, 'locked'));
    writeFileSync(path.join(dir, 'locked', 'secret.pt'), 'x');
    chmodSync(path.join(dir, 'locked', 'secret.pt'), 0o000);
    const r = await runMain(['scan', dir, '--offline', '--quiet', '--format', 'json', '--fail-on', 'none']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    const paths = new Set(json.findings.map((f: { location: { path: string } }) => f.location.path));
    expect(paths).toContain('package-lock.json');
    expect(paths).toContain('models/broken.safetensors');
    expect(paths).toContain('models/truncated.pkl');
    // root can read a 000 file; only assert the unreadable case when we are not root
    if (process.getuid?.() !== 0) expect(paths).toContain('locked/secret.pt');
  });
});
