import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

// npm reads a linked folder's package.json from disk, not from the lockfile (arborist loadVirtual `#resolveLinks`), and
// rebuild runs its preinstall, install, postinstall and prepare, and `node-gyp rebuild` for a binding.gyp
// (`#addToBuildSet`): the lockfile records none of it. This is the package-lock.json npm 11.19.1 wrote
// (`npm install --package-lock-only --ignore-scripts`) for four `file:` folders and a workspace.
const LOCK = `{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "app",
      "version": "1.0.0",
      "workspaces": [
        "packages/*"
      ],
      "dependencies": {
        "nat": "file:vendor/nat",
        "off": "file:vendor/off",
        "own": "file:vendor/own",
        "prep": "file:vendor/prep"
      }
    },
    "node_modules/nat": {
      "resolved": "vendor/nat",
      "link": true
    },
    "node_modules/off": {
      "resolved": "vendor/off",
      "link": true
    },
    "node_modules/own": {
      "resolved": "vendor/own",
      "link": true
    },
    "node_modules/prep": {
      "resolved": "vendor/prep",
      "link": true
    },
    "node_modules/ws": {
      "resolved": "packages/ws",
      "link": true
    },
    "packages/ws": {
      "version": "1.0.0"
    },
    "vendor/nat": {
      "version": "1.0.0"
    },
    "vendor/off": {
      "version": "1.0.0"
    },
    "vendor/own": {
      "version": "1.0.0"
    },
    "vendor/prep": {
      "version": "1.0.0"
    }
  }
}
`;

const manifest = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name, version: '1.0.0', ...extra });

const FILES = {
  'package.json': JSON.stringify({
    name: 'app',
    version: '1.0.0',
    workspaces: ['packages/*'],
    dependencies: { nat: 'file:vendor/nat', off: 'file:vendor/off', own: 'file:vendor/own', prep: 'file:vendor/prep' },
  }),
  'package-lock.json': LOCK,
  'vendor/nat/package.json': manifest('nat'),
  'vendor/nat/binding.gyp': "{ 'targets': [] }\n",
  'vendor/off/package.json': manifest('off', { gypfile: false, scripts: { test: 'node t.js' } }),
  'vendor/off/binding.gyp': "{ 'targets': [] }\n",
  'vendor/own/package.json': manifest('own', { scripts: { install: 'node build.js' } }),
  'vendor/own/binding.gyp': "{ 'targets': [] }\n",
  'vendor/prep/package.json': manifest('prep', { scripts: { prepare: 'node fetch.js', test: 'node t.js' } }),
  'packages/ws/package.json': manifest('ws', { scripts: { prepare: 'tsc', postinstall: 'node x.js' } }),
};

async function scriptFindings(files: Record<string, string>): Promise<string[]> {
  const r = await scanDeps(await repoWith(files));
  return r.findings
    .filter((f) => f.ruleId === 'CPD012')
    .map((f) => `${f.location.line} ${String(f.evidence?.scripts)}`)
    .sort();
}

describe('npm: install scripts of file: folders, read from the folder', () => {
  it('prepare, an install script and a binding.gyp run; gypfile: false and a workspace are not reported', async () => {
    expect(await scriptFindings(FILES)).toEqual([
      '43 install: node-gyp rebuild for its binding.gyp',
      '49 install',
      '52 prepare',
    ]);
  });

  it('a folder without package.json still runs node-gyp rebuild for its binding.gyp', async () => {
    const { ['vendor/nat/package.json']: _dropped, ...rest } = FILES;
    expect(await scriptFindings(rest)).toContain('43 install: node-gyp rebuild for its binding.gyp');
  });

  it('lockfile v1: the folder a file: version names is read the same way', async () => {
    const v1 = JSON.stringify(
      {
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 1,
        requires: true,
        dependencies: { nat: { version: 'file:vendor/nat' }, prep: { version: 'file:vendor/prep' } },
      },
      null,
      2,
    );
    expect(await scriptFindings({ ...FILES, 'package-lock.json': v1 })).toEqual([
      '10 prepare',
      '7 install: node-gyp rebuild for its binding.gyp',
    ]);
  });

  it('ignore-scripts in the project .npmrc runs none of them', async () => {
    expect(await scriptFindings({ ...FILES, '.npmrc': 'ignore-scripts=true\n' })).toEqual([]);
  });
});
