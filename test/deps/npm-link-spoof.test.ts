import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/**
 * npm links a registry range to a folder when the lockfile says so: arborist's `depValid` takes a link for a range
 * once the folder's version satisfies it, and the root's workspaces come from package.json on disk, not from the
 * lockfile's `""` entry. A link to a folder package.json does not list as a workspace is CPD020.
 */
function lockfile(folder: string, lockWorkspaces?: string[]): string {
  return JSON.stringify(
    {
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': {
          name: 'app',
          version: '1.0.0',
          ...(lockWorkspaces !== undefined ? { workspaces: lockWorkspaces } : {}),
          dependencies: { lodash: '^4.17.21' },
        },
        'node_modules/lodash': { resolved: folder, link: true },
        [folder]: { name: 'lodash', version: '4.17.21' },
      },
    },
    null,
    2,
  );
}

async function verdicts(folder: string, opts: { manifestWorkspaces?: string[]; lockWorkspaces?: string[] }) {
  const root = await repoWith({
    'package.json': JSON.stringify({
      name: 'app',
      version: '1.0.0',
      ...(opts.manifestWorkspaces !== undefined ? { workspaces: opts.manifestWorkspaces } : {}),
      dependencies: { lodash: '^4.17.21' },
    }),
    [`${folder}/package.json`]: JSON.stringify({ name: 'lodash', version: '4.17.21' }),
    'package-lock.json': lockfile(folder, opts.lockWorkspaces),
  });
  const r = await scanDeps(root);
  return r.findings
    .filter((f) => f.ruleId === 'CPD020' || f.ruleId === 'CPD009')
    .map((f) => `${f.ruleId} ${String(f.evidence?.declared)} ${String(f.evidence?.source)}`);
}

describe('npm: a registry range linked to a folder that is not a workspace', () => {
  // One cause, one finding: the folder's local-path note (CPD009) folds into the CPD020 at the link.
  it('is CPD020 when nothing lists the folder', async () => {
    expect(await verdicts('evil', {})).toEqual(['CPD020 ^4.17.21 file']);
  });

  it('is CPD020 when only the lockfile claims the folder as a workspace', async () => {
    expect(await verdicts('evil', { lockWorkspaces: ['evil'] })).toEqual(['CPD020 ^4.17.21 file']);
  });

  it('is left alone for a workspace package.json lists', async () => {
    expect(
      await verdicts('packages/lodash', { manifestWorkspaces: ['packages/*'], lockWorkspaces: ['packages/*'] }),
    ).toEqual([]);
  });
});

/** pnpm: the same edit in an importer (`version: link:evil` under a range specifier). */
async function pnpmVerdicts(folder: string, workspaceYaml: string | undefined) {
  const root = await repoWith({
    'package.json': JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { lodash: '^4.17.21' } }),
    [`${folder}/package.json`]: JSON.stringify({ name: 'lodash', version: '4.17.21' }),
    ...(workspaceYaml !== undefined ? { 'pnpm-workspace.yaml': workspaceYaml } : {}),
    'pnpm-lock.yaml': [
      "lockfileVersion: '9.0'",
      '',
      'importers:',
      '',
      '  .:',
      '    dependencies:',
      '      lodash:',
      '        specifier: ^4.17.21',
      `        version: link:${folder}`,
      '',
      ...(workspaceYaml !== undefined ? [`  ${folder}: {}`, ''] : []),
    ].join('\n'),
  });
  const r = await scanDeps(root);
  return r.findings.filter((f) => f.ruleId === 'CPD020').map((f) => `${f.ruleId} ${String(f.evidence?.path)}`);
}

describe('pnpm: a registry range linked to a folder that is not a workspace project', () => {
  it('is CPD020 without a pnpm-workspace.yaml', async () => {
    expect(await pnpmVerdicts('evil', undefined)).toEqual(['CPD020 evil']);
  });

  it('is CPD020 when pnpm-workspace.yaml lists other folders', async () => {
    expect(await pnpmVerdicts('evil', 'packages:\n  - packages/*\n')).toEqual(['CPD020 evil']);
  });

  it('is left alone for a workspace project (link-workspace-packages)', async () => {
    expect(await pnpmVerdicts('packages/lodash', 'packages:\n  - packages/*\n')).toEqual([]);
  });
});
