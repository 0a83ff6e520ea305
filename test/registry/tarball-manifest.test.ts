import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { create } from 'tar';
import { describe, expect, it } from 'vitest';
import type { DependencyGraph } from '../../src/core/records.js';
import { sri } from '../helpers/npm-endpoints-server.js';
import { routeRegistries } from './route-registry.js';
import { graphOf, node, scanGraphs, tempDir } from './scan.js';

/**
 * npm's registry takes a version's manifest from the publish request, not from the tarball ("manifest confusion"):
 * the packument can say "no install script" of a package whose package.json runs one. For lockfiles that record no
 * install scripts (yarn, pnpm) that metadata is what the install-script policy reads (CPD136), so with
 * --verify-tarballs the package.json npm extracts is compared with it.
 */
const startRegistry = routeRegistries();

function tarball(manifest: object): Buffer {
  const dir = tempDir('chainproof-tgz-');
  mkdirSync(path.join(dir, 'package'));
  writeFileSync(path.join(dir, 'package', 'package.json'), JSON.stringify(manifest));
  const file = path.join(dir, 'x.tgz');
  create({ gzip: true, cwd: dir, file, sync: true, portable: true }, ['package']);
  return readFileSync(file);
}

function yarnGraph(integrity: string, resolved: string): DependencyGraph {
  const pkg = node('confused', '1.0.0', { lockfile: 'yarn.lock', integrity, resolved });
  return { ...graphOf([pkg]), lockfile: 'yarn.lock', kind: 'yarn-classic', formatVersion: '1' };
}

async function scanConfused(
  versionDoc: Record<string, unknown>,
  corgiDoc?: Record<string, unknown>,
  top: Record<string, unknown> = {},
) {
  const reg = await startRegistry();
  const bytes = tarball({ name: 'confused', version: '1.0.0', scripts: { postinstall: 'node steal.js' } });
  const integrity = sri('sha512', bytes);
  const url = `${reg.origin}/confused/-/confused-1.0.0.tgz`;
  reg.route('/confused/-/confused-1.0.0.tgz', { body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  const doc = (extra: Record<string, unknown>) => ({
    name: 'confused',
    ...top,
    versions: { '1.0.0': { name: 'confused', version: '1.0.0', ...extra, dist: { integrity, tarball: url } } },
  });
  reg.route('/confused', { body: doc(versionDoc), ...(corgiDoc !== undefined ? { corgi: doc(corgiDoc) } : {}) });
  const result = await scanGraphs({
    root: tempDir(),
    graphs: [yarnGraph(integrity, url)],
    registry: reg.url,
    verifyTarballs: true,
    policy: { verifySignatures: false },
  });
  return { ...result, packumentRequests: reg.seen.filter((r) => r.path === '/confused').length };
}

describe('install scripts in the tarball that the registry metadata does not list (yarn.lock)', () => {
  it('the packument lists none: CPD105, the package fails', async () => {
    const result = await scanConfused({});
    expect(result.findings.map((f) => f.ruleId)).toEqual(['CPD105']);
    expect(result.findings[0]?.evidence).toMatchObject({ scripts: 'postinstall', source: 'tarball' });
    expect(result.verifications.map((v) => v.status)).toEqual(['failed']);
  });

  it('only the abbreviated packument leaves it out: the install-script policy finding (CPD136), from the full one', async () => {
    const result = await scanConfused({ scripts: { postinstall: 'node steal.js' } }, {});
    expect(result.findings.map((f) => f.ruleId)).toEqual(['CPD136']);
    expect(result.findings[0]?.evidence).toMatchObject({ scripts: 'postinstall' });
  });

  it('a registry that answers every Accept with the full document (publish times) is asked for it once', async () => {
    const result = await scanConfused({}, undefined, { time: { '1.0.0': '2020-01-01T00:00:00.000Z' } });
    expect(result.findings.map((f) => f.ruleId)).toEqual(['CPD105']);
    expect(result.packumentRequests).toBe(1);
  });

  it('the packument lists it: the install-script policy finding (CPD136) alone', async () => {
    const result = await scanConfused({ scripts: { postinstall: 'node steal.js' } });
    expect(result.findings.map((f) => f.ruleId)).toEqual(['CPD136']);
  });
});
