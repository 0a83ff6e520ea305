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
    .filter((f) => f.ruleId === 'CPD020')
    .map((f) => `${f.ruleId} ${String(f.evidence?.declared)} ${String(f.evidence?.source)}`);
}

describe('npm: a registry range linked to a folder that is not a workspace', () => {
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
