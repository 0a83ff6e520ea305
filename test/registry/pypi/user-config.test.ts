import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../../helpers/cli.js';
import { mirrorServers } from './mirror-server.js';

/**
 * pip reads the index from the configuration files of the user who runs it (configuration.py `iter_config_files`):
 * `pip config set global.index-url …` writes `~/.config/pip/pip.conf`. Asking PyPI instead verified the lockfile
 * against an index pip never uses (a private package is "not a project", a private build of a public name
 * "tampering").
 */
const start = mirrorServers();
const SHA = 'a'.repeat(64);
const WHEEL = 'corp_lib-1.0-py3-none-any.whl';

async function userHome(conf: string): Promise<string> {
  const home = await mkdtemp(path.join(tmpdir(), 'cp-pip-home-'));
  await mkdir(path.join(home, '.config', 'pip'), { recursive: true });
  await writeFile(path.join(home, '.config', 'pip', 'pip.conf'), conf);
  return home;
}

describe("the index of the user's own pip.conf (~/.config/pip/pip.conf)", () => {
  it.each([
    { name: 'is the index the lockfile is verified against, as pip installs from it', fifo: false },
    // Read without being named: a named pipe there (coreutils mkfifo) is passed over, never waited on.
    { name: 'is read past a named pipe at ~/.netrc', fifo: true },
  ])('$name', async ({ fifo }) => {
    const { base, seen } = await start((_req, res, url) => {
      if (url.pathname !== '/simple/corp-lib/') {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
      res.end(
        JSON.stringify({
          meta: { 'api-version': '1.1' },
          files: [{ filename: WHEEL, url: `/f/${WHEEL}`, hashes: { sha256: SHA } }],
        }),
      );
    });
    const home = await userHome(`[global]\nindex-url = ${base}/simple/\n`);
    if (fifo) execFileSync('mkfifo', [path.join(home, '.netrc')]);
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-pip-proj-'));
    await writeFile(path.join(dir, 'requirements.txt'), `corp-lib==1.0 --hash=sha256:${SHA}\n`);
    const run = await runMain(['scan', dir, '--format', 'json', '--no-cache', '--fail-on', 'none'], {
      env: { HOME: home, XDG_CONFIG_HOME: '', PIP_CONFIG_FILE: '' },
    });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { summary: { verified: number } };
    expect(report.summary.verified).toBe(1);
    expect(seen.map((s) => s.path)).toContain('/simple/corp-lib/');
  });
});
