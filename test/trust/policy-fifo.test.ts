import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain, type CliRun } from '../helpers/cli.js';

/**
 * A FIFO where a policy is read (found in the repository, `-p`, `policy validate`): refused with exit 2 naming it.
 * The red-team case hung forever in open(2). A FIFO has to be a real one (mkfifo); should the fix regress, the test
 * fails at its own deadline and then opens the FIFO's write end, which releases the blocked reader so nothing is
 * left hanging in the suite.
 */
function mkfifo(p: string): string {
  mkdirSync(path.dirname(p), { recursive: true });
  expect(spawnSync('mkfifo', [p]).status).toBe(0);
  return p;
}

const DEADLINE_MS = 10_000;

async function runWithDeadline(args: string[], fifo: string): Promise<CliRun | 'hung'> {
  const run = runMain(args);
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), DEADLINE_MS)));
  const first = await Promise.race([run, hung]);
  clearTimeout(timer);
  if (first !== 'hung') return first;
  // Release the reader blocked in open(2) (an empty write end: it reads EOF), and let the run finish.
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // no reader was waiting
  }
  await run.catch(() => undefined);
  return 'hung';
}

describe('a FIFO as the policy', () => {
  it.each([
    {
      name: 'found in the repository (.chainproof/policy.yml)',
      args: (root: string) => ['scan', root, '--offline', '--no-cache'],
      fifo: (root: string) => path.join(root, '.chainproof', 'policy.yml'),
      names: '.chainproof/policy.yml',
    },
    {
      name: 'given with -p',
      args: (root: string, fifo: string) => ['scan', root, '--offline', '--no-cache', '-p', fifo],
      fifo: (root: string) => path.join(path.dirname(root), 'p.yml'),
      names: 'p.yml',
    },
    {
      name: 'given to policy validate',
      args: (root: string, fifo: string) => ['policy', 'validate', fifo, '--root', root],
      fifo: (root: string) => path.join(path.dirname(root), 'p.yml'),
      names: 'p.yml',
    },
  ])(
    '$name: exit 2 naming it, no hang',
    async ({ args, fifo, names }) => {
      const base = mkdtempSync(path.join(tmpdir(), 'chainproof-policy-fifo-'));
      const root = path.join(base, 'repo');
      mkdirSync(root);
      const p = mkfifo(fifo(root));
      const r = await runWithDeadline(args(root, p), p);
      expect(r).not.toBe('hung');
      if (r === 'hung') return;
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(names);
      expect(r.stderr).toMatch(/FIFO/);
    },
    DEADLINE_MS + 10_000,
  );
});
