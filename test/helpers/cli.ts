import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_CACHE_DIR } from './test-cache.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'bin', 'chainproof.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How both runners start the built CLI: no colour, the test cache folder, the caller's cwd and env on top. */
function spawnOptions(opts: { cwd?: string; env?: Record<string, string> }) {
  if (!existsSync(path.join(REPO, 'build', 'cli-bundle', 'chainproof.mjs')))
    throw new Error('build/cli-bundle/ is missing: run `npm run build` first (npm test does)');
  return {
    cwd: opts.cwd ?? REPO,
    env: {
      ...process.env,
      NO_COLOR: '1',
      CHAINPROOF_CACHE_DIR: TEST_CACHE_DIR,
      ...opts.env,
    },
    encoding: 'utf8' as const,
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  };
}

/** Run the built CLI exactly as a user does: `node bin/chainproof.js …` (needs `npm run build`). */
export function runCli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], spawnOptions(opts));
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Run the CLI in-process through `main()` — the same argument parsing, commands and exit codes as `bin/`, without
 * starting a process per call. stdout and stderr are captured; `cwd` is entered and `env` set on `process.env` for
 * the call, then both are restored (the vitest pool is `forks`, so chdir is allowed; the CLI reads `process.env` when
 * a command runs, not when its module loads). Calls must not overlap: run them one after another.
 */
export async function runMain(
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const { main } = await import('../../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = (chunk: string | Uint8Array) => ((stdout += String(chunk)), true);
  process.stderr.write = (chunk: string | Uint8Array) => ((stderr += String(chunk)), true);
  const before = process.cwd();
  // The same environment runCli gives the process: no colour, a cache under node_modules rather than ~/.cache, the
  // caller's variables on top.
  const env: Record<string, string> = {
    NO_COLOR: '1',
    CHAINPROOF_CACHE_DIR: TEST_CACHE_DIR,
    ...opts.env,
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    if (opts.cwd) process.chdir(opts.cwd);
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.chdir(before);
    process.stdout.write = out;
    process.stderr.write = err;
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

/**
 * runCli without blocking the test worker: a worker blocked in spawnSync cannot answer vitest's RPC, and on a busy
 * machine the 60 s deadline runs out ("Timeout calling onTaskUpdate", an unhandled error that fails the run).
 */
export function runCliAsync(
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const options = spawnOptions(opts);
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], options, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
