import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/**
 * pnpm 10 locks a `devEngines.runtime` (`node@runtime:22.0.0`) as `resolution: {type: variations, variants: [...]}`:
 * one BinaryResolution per platform, each downloaded from its `url` and checked against its `integrity`
 * (@pnpm/fetching.binary-fetcher), never from the npm registry. The shape follows pnpm's node resolver
 * (`resolveNodeRuntime`: nodejs.org archives, sha256 digests from SHASUMS256.txt).
 */
const SHA256 = `sha256-${createHash('sha256').update('node archive').digest('base64')}`;
const RELEASE = 'https://nodejs.org/download/release/v22.0.0';

function variant(url: string, integrity: string | undefined, os: string, cpu: string): string[] {
  return [
    '        - resolution:',
    '            archive: tarball',
    '            bin: bin/node',
    ...(integrity !== undefined ? [`            integrity: ${integrity}`] : []),
    '            type: binary',
    `            url: ${url}`,
    '          targets:',
    `            - cpu: ${cpu}`,
    `              os: ${os}`,
  ];
}

function runtimeLock(name: string, variants: string[][]): string {
  return [
    "lockfileVersion: '9.0'",
    '',
    'importers:',
    '',
    '  .:',
    '    devDependencies:',
    `      ${name}:`,
    '        specifier: runtime:22.0.0',
    '        version: runtime:22.0.0',
    '',
    'packages:',
    '',
    `  ${name}@runtime:22.0.0:`,
    '    hasBin: true',
    '    resolution:',
    '      type: variations',
    '      variants:',
    ...variants.flat(),
    '',
    'snapshots:',
    '',
    `  ${name}@runtime:22.0.0: {}`,
    '',
  ].join('\n');
}

async function findingsOf(lock: string): Promise<string[]> {
  const root = await repoWith({ 'pnpm-lock.yaml': lock });
  const r = await scanDeps(root);
  return r.findings
    .filter((f) => !['CPD131', 'CPD137'].includes(f.ruleId))
    .map(
      (f) =>
        `${f.ruleId}@${f.location.line ?? ''} ${f.message.includes('no integrity') ? 'unpinned ' : ''}${String(f.evidence?.resolved ?? '')}`,
    );
}

describe('pnpm runtime resolutions (type: variations / binary)', () => {
  it('a runtime from its own release archives, each pinned by a sha256, is no missing integrity and no tarball', async () => {
    const lock = runtimeLock('node', [
      variant(`${RELEASE}/node-v22.0.0-linux-x64.tar.gz`, SHA256, 'linux', 'x64'),
      variant(`${RELEASE}/node-v22.0.0-darwin-arm64.tar.gz`, SHA256, 'darwin', 'arm64'),
      variant(
        'https://unofficial-builds.nodejs.org/download/release/v22.0.0/node-v22.0.0-linux-x64-musl.tar.gz',
        SHA256,
        'linux',
        'x64',
      ),
    ]);
    expect(await findingsOf(lock)).toEqual([]);
  });

  it('a variant fetched from another host is the tarball URL some platform installs (CPD008)', async () => {
    const lock = runtimeLock('node', [
      variant(`${RELEASE}/node-v22.0.0-linux-x64.tar.gz`, SHA256, 'linux', 'x64'),
      variant('https://evil.example/node-v22.0.0-win-x64.zip', SHA256, 'win32', 'x64'),
    ]);
    expect(await findingsOf(lock)).toEqual(['CPD008@13 https://evil.example/node-v22.0.0-win-x64.zip']);
  });

  it('a variant without its integrity is downloaded unchecked on its platform (CPD008, unpinned)', async () => {
    const lock = runtimeLock('node', [
      variant(`${RELEASE}/node-v22.0.0-linux-x64.tar.gz`, SHA256, 'linux', 'x64'),
      variant(`${RELEASE}/node-v22.0.0-darwin-arm64.tar.gz`, undefined, 'darwin', 'arm64'),
    ]);
    expect(await findingsOf(lock)).toEqual([`CPD008@13 unpinned ${RELEASE}/node-v22.0.0-darwin-arm64.tar.gz`]);
  });

  it('dot segments that climb out of the runtime’s releases are another repository’s download', async () => {
    const url =
      'https://github.com/oven-sh/bun/releases/download/%2e%2e/%2e%2e/%2e%2e/%2e%2e/evil/bun/releases/download/x.zip';
    const lock = runtimeLock('bun', [variant(url, SHA256, 'linux', 'x64')]);
    expect(await findingsOf(lock)).toEqual([`CPD008@13 ${url}`]);
  });

  it('variants pnpm cannot read are no registry package and no silent pass', async () => {
    const lock = runtimeLock('node', [['        - null', '        - {resolution: null}', '        - 5']]);
    expect(await findingsOf(lock)).toEqual(['CPD008@13 unpinned node@runtime:22.0.0']);
  });

  it('a single binary resolution is judged by its url as well', async () => {
    const lock = runtimeLock('deno', [])
      .replace('      type: variations\n      variants:\n', '')
      .replace(
        '    resolution:\n',
        [
          '    resolution:',
          '      archive: zip',
          '      bin: deno',
          `      integrity: ${SHA256}`,
          '      type: binary',
          '      url: https://mirror.example/deno-x86_64-unknown-linux-gnu.zip',
          '',
        ].join('\n'),
      );
    expect(await findingsOf(lock)).toEqual(['CPD008@13 https://mirror.example/deno-x86_64-unknown-linux-gnu.zip']);
  });
});
