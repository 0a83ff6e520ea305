import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';

/**
 * The walk skips `node_modules` and `.git` by name. A repository with a committed `node_modules` no lockfile
 * describes was then scanned in part without a word: the summary counted the files walked and the report read as
 * the whole tree. Such folders are now counted beside the files and named in one notification; the usual installed
 * tree beside its lockfile (or under a workspace's) and `.git` stay quiet.
 */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A package-lock.json v3 of a root with workspace `packages/web` and a `file:` folder `libs/util`. */
const LOCKFILE = JSON.stringify({
  name: 'app',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: 'app', version: '1.0.0', workspaces: ['packages/*'], dependencies: { util: 'file:libs/util' } },
    'libs/util': { version: '1.0.0' },
    'node_modules/util': { resolved: 'libs/util', link: true },
    'node_modules/web': { resolved: 'packages/web', link: true },
    'packages/web': { name: 'web', version: '1.0.0' },
  },
});

/** A tree of the given files (repo-relative path → content). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'cp-unwalked-'));
  dirs.push(root);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

interface Report {
  notScannedFolders?: string[];
  notifications: { level: string; message: string }[];
}

async function scan(root: string) {
  const json = `${root}.json`;
  const sarif = `${root}.sarif`;
  dirs.push(json, sarif);
  const r = await runMain([
    'scan',
    root,
    '--offline',
    '--no-cache',
    '-f',
    'text',
    '-f',
    `json=${json}`,
    '-f',
    `sarif=${sarif}`,
  ]);
  const log = JSON.parse(readFileSync(sarif, 'utf8')) as {
    runs: { invocations: { toolExecutionNotifications: { message: { text: string } }[] }[] }[];
  };
  return {
    code: r.code,
    text: r.stdout,
    json: JSON.parse(readFileSync(json, 'utf8')) as Report,
    sarifNotes: log.runs[0]!.invocations[0]!.toolExecutionNotifications.map((n) => n.message.text),
  };
}

describe('folders the walk skips by name', () => {
  it('counts and names a node_modules no lockfile describes in text, JSON and SARIF', async () => {
    const root = tree({
      'tools/bundle/node_modules/left-pad/index.js': 'module.exports = 1;\n',
      'tools/bundle/index.js': 'require("left-pad");\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
    });
    const r = await scan(root);
    expect(r.json.notScannedFolders).toEqual(['tools/bundle/node_modules']);
    const notes = r.json.notifications.filter((n) => n.message.includes('skipped by name'));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.level).toBe('warning');
    expect(notes[0]!.message).toContain('1 node_modules folder that no lockfile describes was not scanned');
    expect(notes[0]!.message).toContain('tools/bundle/node_modules');
    expect(r.sarifNotes.some((t) => t.includes('tools/bundle/node_modules'))).toBe(true);
    expect(r.text).toContain('files 1 (1 node_modules folder not scanned)');
  });

  it('says nothing of an installed tree its lockfile describes, a workspace member, or .git', async () => {
    const root = tree({
      'package-lock.json': LOCKFILE,
      'node_modules/a/index.js': 'module.exports = 1;\n',
      'packages/web/node_modules/b/index.js': 'module.exports = 2;\n',
      'libs/util/node_modules/c/index.js': 'module.exports = 3;\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      'vendor/lib/.git/HEAD': 'ref: refs/heads/main\n',
    });
    const r = await scan(root);
    expect(r.json.notScannedFolders).toBeUndefined();
    expect(r.json.notifications.filter((n) => n.message.includes('skipped by name'))).toEqual([]);
    expect(r.text).not.toContain('folder not scanned');
    expect(r.code).toBe(0);
  });

  // arborist loadVirtual builds nodes for the lockfile's `packages` keys only; reify writes node_modules in those
  // folders. pnpm installs into its importers, yarn and bun into their workspaces.
  it.each([
    {
      name: 'package-lock.json',
      lockfile: 'package-lock.json',
      text: LOCKFILE,
      manifest: { name: 'app', workspaces: ['packages/*'] },
    },
    {
      name: 'pnpm-lock.yaml',
      lockfile: 'pnpm-lock.yaml',
      text: "lockfileVersion: '9.0'\nimporters:\n  .: {}\n  packages/web: {}\n  libs/util: {}\n",
      manifest: { name: 'app' },
    },
    {
      name: 'yarn.lock (berry)',
      lockfile: 'yarn.lock',
      text: [
        '__metadata:\n  version: 8\n  cacheKey: 10c0\n',
        '"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n  languageName: unknown\n  linkType: soft\n',
        '"util@workspace:libs/util":\n  version: 0.0.0-use.local\n  resolution: "util@workspace:libs/util"\n  languageName: unknown\n  linkType: soft\n',
        '"web@workspace:packages/web":\n  version: 0.0.0-use.local\n  resolution: "web@workspace:packages/web"\n  languageName: unknown\n  linkType: soft\n',
      ].join('\n'),
      manifest: { name: 'app', workspaces: ['packages/*', 'libs/*'] },
    },
    {
      name: 'yarn.lock (classic)',
      lockfile: 'yarn.lock',
      text: '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n',
      manifest: { name: 'app', private: true, workspaces: ['packages/*', 'libs/*'] },
    },
    {
      name: 'bun.lock',
      lockfile: 'bun.lock',
      text: JSON.stringify({
        lockfileVersion: 1,
        workspaces: { '': { name: 'app' }, 'packages/web': { name: 'web' }, 'libs/util': { name: 'util' } },
        packages: {},
      }),
      manifest: { name: 'app', workspaces: ['packages/*', 'libs/*'] },
    },
  ])(
    'names a vendored node_modules below a $name that installs no package there',
    async ({ lockfile, text, manifest }) => {
      const root = tree({
        [lockfile]: text,
        'package.json': JSON.stringify(manifest),
        'packages/web/package.json': JSON.stringify({ name: 'web' }),
        'libs/util/package.json': JSON.stringify({ name: 'util' }),
        'node_modules/a/index.js': 'module.exports = 1;\n',
        'packages/web/node_modules/b/index.js': 'module.exports = 2;\n',
        'libs/util/node_modules/c/index.js': 'module.exports = 3;\n',
        'vendor/x/node_modules/evil/index.js': 'module.exports = 4;\n',
        'vendor/x/index.js': 'require("evil");\n',
      });
      const r = await scan(root);
      expect(r.json.notScannedFolders).toEqual(['vendor/x/node_modules']);
      expect(r.text).toContain('files');
      expect(r.text).toContain('(1 node_modules folder not scanned)');
    },
  );

  // npm ≥ 7 migrates a v1 lockfile's `file:` folder entry to a link and puts what is nested under it into the
  // folder (arborist Shrinkwrap `#loadAll`); npm 11.19 installed such a nested package into vendor/x/node_modules.
  it('says nothing of the node_modules of a file: folder a lockfile v1 nests packages under', async () => {
    const root = tree({
      'package.json': JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { x: 'file:vendor/x' } }),
      'package-lock.json': JSON.stringify({
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 1,
        requires: true,
        dependencies: {
          x: {
            version: 'file:vendor/x',
            requires: { y: 'file:y' },
            dependencies: { y: { version: 'file:y' } },
          },
        },
      }),
      'vendor/x/package.json': JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { y: 'file:y' } }),
      'vendor/x/y/package.json': JSON.stringify({ name: 'y', version: '1.0.0' }),
      'vendor/x/node_modules/y/index.js': 'module.exports = 1;\n',
    });
    const r = await scan(root);
    expect(r.json.notScannedFolders).toBeUndefined();
  });

  it('keeps quiet below a lockfile that could not be parsed (its own finding says so)', async () => {
    const root = tree({
      'package-lock.json': '{ not json',
      'vendor/x/node_modules/evil/index.js': 'module.exports = 4;\n',
    });
    const r = await scan(root);
    expect(r.json.notScannedFolders).toBeUndefined();
  });
});
