import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/**
 * npm 6 wrote the packages a `file:` folder needs under its lockfile v1 entry (`x: {version: "file:vendor/deep/x",
 * dependencies: {…}}`), their `file:` paths as the folder's package.json declares them. npm ≥ 7 migrates the tree
 * (arborist Shrinkwrap `#loadAll`: "dependencies nested under a link are actually under the link target") and
 * installs them into the folder's own node_modules from the folder: with npm 11.19 (`npm install --lockfile-version 1`
 * then `npm ci` with an empty cache), `file:../../../pk/y-1.0.0.tgz` under `vendor/deep/x` came from the project's
 * `pk/`, into `vendor/deep/x/node_modules/y` — by replacing the entry with the spec x declares ("placeDep vendor/deep/x
 * y@1.0.0 REPLACE"), so a tarball replaced after locking was installed with no EINTEGRITY.
 */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A gzipped npm package tarball (`package/package.json`), fixed mtimes. */
async function pack(manifest: Record<string, unknown>): Promise<Buffer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cp-v1-tgz-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'package'));
  writeFileSync(path.join(dir, 'package', 'package.json'), JSON.stringify(manifest));
  const out = path.join(dir, 'out.tgz');
  await tar.create({ gzip: true, file: out, cwd: dir, portable: true, mtime: new Date(0) }, ['package']);
  return readFileSync(out);
}

const sri = (bytes: Buffer) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;

/** The lockfile npm 11.19 wrote (`--lockfile-version 1`) for x, a `file:` folder needing y@1 beside the root's y@2. */
function lockfile(nestedY: string, y1: string, y2: string): string {
  const dependencies = {
    x: {
      version: 'file:vendor/deep/x',
      requires: { y: nestedY },
      dependencies: { y: { version: nestedY, integrity: y1 } },
    },
    y: { version: 'file:pk/y-2.0.0.tgz', integrity: y2 },
  };
  return JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 1, requires: true, dependencies }, null, 2);
}

async function project(nestedY: string, x: Record<string, unknown> = {}, tampered = false) {
  const y1 = await pack({ name: 'y', version: '1.0.0' });
  const y2 = await pack({ name: 'y', version: '2.0.0' });
  const now = tampered ? await pack({ name: 'y', version: '1.0.0', scripts: { postinstall: 'node x.js' } }) : y1;
  const root = await repoWith({
    'package.json': JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { x: 'file:vendor/deep/x' } }),
    'package-lock.json': lockfile(nestedY, sri(y1), sri(y2)),
    'vendor/deep/x/package.json': JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { y: nestedY }, ...x }),
  });
  dirs.push(root);
  mkdirSync(path.join(root, 'pk'));
  writeFileSync(path.join(root, 'pk', 'y-1.0.0.tgz'), now);
  writeFileSync(path.join(root, 'pk', 'y-2.0.0.tgz'), y2);
  return root;
}

async function findings(root: string) {
  const r = await scanDeps(root);
  return r.findings
    .filter((f) => f.ruleId !== 'CPD009' && f.ruleId !== 'CPD131' && f.ruleId !== 'CPD137')
    .map((f) => ({ rule: f.ruleId, line: f.location.line, message: f.message }));
}

describe('npm lockfile v1: what is nested under a file: folder is read from that folder', () => {
  it('a tarball path relative to the folder stays inside the repository (no CPD017)', async () => {
    const root = await project('file:../../../pk/y-1.0.0.tgz');
    expect(await findings(root)).toEqual([]);
  });

  it('the tarball there, replaced after locking, is CPD161, installed unchecked', async () => {
    const root = await project('file:../../../pk/y-1.0.0.tgz', {}, true);
    const got = await findings(root);
    expect(got.map((f) => `${f.rule}@${f.line}`)).toEqual(['CPD161@13']);
    expect(got[0]!.message).toContain('is installed from pk/y-1.0.0.tgz');
    expect(got[0]!.message).toContain('npm ≥ 7 does not check it');
  });

  it('a path that leaves the repository from the folder is CPD017', async () => {
    const root = await project('file:../../../../pk/y-1.0.0.tgz');
    expect((await findings(root)).map((f) => `${f.rule}@${f.line}`)).toEqual(['CPD017@13']);
  });

  it("the folder's devDependency the lockfile does not hold is CPD014 (npm ci: Missing from lock file)", async () => {
    const root = await project('file:../../../pk/y-1.0.0.tgz', { devDependencies: { z: '^1.0.0' } });
    const got = await findings(root);
    expect(got.map((f) => f.rule)).toEqual(['CPD014']);
    expect(got[0]!.message).toContain('vendor/deep/x/package.json declares z@^1.0.0 in devDependencies');
  });
});
