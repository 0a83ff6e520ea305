import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

/**
 * What a user gets from npm: `npm pack`, then `npm install -g ./chainproof-*.tgz` into an empty prefix, offline,
 * without dev dependencies. The CLI is one bundle (build/cli-bundle), so the package has no runtime dependencies
 * and the install needs nothing from a registry.
 */
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const work = mkdtempSync(path.join(tmpdir(), 'chainproof-pack-'));
const prefix = path.join(work, 'prefix');
let binary: string;

/**
 * Run a child without blocking the worker (a worker blocked in execFileSync cannot answer vitest's RPC; on a busy
 * machine its 60 s deadline runs out and the run fails). Resolves to the exit status and output, never rejects.
 */
function exec(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { ...opts, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });
}

async function npm(args: string[], cwd: string): Promise<void> {
  // The user's npm settings (registry, cache) stay; nothing here may reach the network.
  const env = {
    ...process.env,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const r = await exec(NPM, args, { cwd, env });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
}

beforeAll(async () => {
  if (!existsSync(path.join(REPO, 'build', 'cli-bundle', 'chainproof.mjs')))
    throw new Error('build/cli-bundle/ is missing: run `npm run build` first (npm test does)');
  // --ignore-scripts: the bundle npm test built is packed as is (prepack would rebuild it under running tests).
  await npm(['pack', '--ignore-scripts', '--pack-destination', work], REPO);
  const tarball = readdirSync(work).find((f) => /^chainproof-.*\.tgz$/.test(f));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);
  await npm(
    ['install', '--global', '--prefix', prefix, '--offline', '--ignore-scripts', path.join(work, tarball)],
    work,
  );
  binary = path.join(prefix, process.platform === 'win32' ? 'chainproof.cmd' : path.join('bin', 'chainproof'));
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[], cwd = work) {
  // Run from outside the repository with only the installed package on disk: no repo node_modules to fall back on.
  return exec(binary, args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
}

describe('the packed package, installed globally from its tarball', () => {
  it('installs with no runtime dependencies', () => {
    const lib = path.join(prefix, 'lib', 'node_modules', 'chainproof');
    expect(existsSync(path.join(lib, 'build', 'cli-bundle', 'chainproof.mjs'))).toBe(true);
    expect(existsSync(path.join(lib, 'node_modules'))).toBe(false);
    expect(existsSync(path.join(lib, 'src'))).toBe(false);
  });

  it('`chainproof --version` prints the package version', async () => {
    const r = await run(['--version']);
    expect(r.status, r.stderr).toBe(0);
    const { version } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout).toBe(`${version}\n`);
  });

  it('scans the demo project and reports its planted problems', async () => {
    const demo = path.join(work, 'demo-project');
    cpSync(path.join(REPO, 'fixtures', 'demo-project'), demo, { recursive: true });
    const r = await run(
      ['scan', '.', '--offline', '--no-cache', '--quiet', '--format', 'json', '--fail-on', 'none'],
      demo,
    );
    expect(r.status, r.stderr).toBe(0);
    const rules = new Set((JSON.parse(r.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId));
    for (const id of ['CPD005', 'CPD013', 'CPI001', 'CPI055', 'CPI060', 'CPM002', 'CPM003', 'CPM004'])
      expect(rules).toContain(id);
  });
});
