import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'bin', 'chainproof.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the built CLI exactly as a user does: `node bin/chainproof.js …` (needs `npm run build`). */
export function runCli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliRun {
  if (!existsSync(path.join(REPO, 'build', 'cli-bundle', 'chainproof.mjs')))
    throw new Error('build/cli-bundle/ is missing: run `npm run build` first (npm test does)');
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    env: {
      ...process.env,
      NO_COLOR: '1',
      CHAINPROOF_CACHE_DIR: path.join(REPO, 'node_modules', '.cache', 'chainproof-test'),
      ...opts.env,
    },
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
