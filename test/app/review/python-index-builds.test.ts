import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import type { PypiIndexServer, ServedFile } from '../../helpers/pypi-index-server.js';
import { startPypiIndex } from '../../helpers/pypi-index-server.js';
import { testOptions } from '../../helpers/scan.js';
import { makeRepo, reviewHead, type Tree } from './repo.js';

/**
 * A Python pin new to a lockfile that names no files (requirements, Pipfile.lock): whether pip builds it from its
 * sdist is known only from the index, so the online review asks the scan's PyPI index (a loopback one here) for the
 * new pins only. pip takes a wheel only when `packaging.tags` lists its tags (`Wheel.supported`), else it builds the
 * sdist (`prepare_distribution_metadata`): CPU003, as a new npm package with a postinstall.
 */
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const SDIST: ServedFile = { filename: 'native-1.0.tar.gz', sha256: B };
const LINUX_WHEEL: ServedFile = { filename: 'native-1.0-cp312-cp312-manylinux_2_17_x86_64.whl', sha256: A };
const PY2_WHEEL: ServedFile = { filename: 'native-1.0-py2-none-any.whl', sha256: C };

let index: PypiIndexServer;
beforeAll(async () => {
  index = await startPypiIndex();
});
afterAll(() => index.close());

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const BASE_REQ = 'six==1.16.0\n';
// In hash mode pip requires a hash on every line (else CPP011): the unchanged pin gets one too.
const HASHED_BASE = `six==1.16.0 --hash=sha256:${C}\n`;

async function review(
  base: Tree,
  head: Tree,
  served: readonly ServedFile[],
  opts: {
    offline?: boolean;
    fault?: 'http-500';
    allow?: string[];
    npmRegistry?: string;
    requireAuth?: string;
    pipIndexUrl?: string;
    exclude?: string[];
  } = {},
) {
  index.serve(
    { native: served, other: served },
    {
      ...(opts.fault !== undefined ? { fault: opts.fault } : {}),
      ...(opts.requireAuth !== undefined ? { requireAuth: opts.requireAuth } : {}),
    },
  );
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  index.requests.length = 0;
  return reviewHead(repo.dir, {
    ...(opts.exclude !== undefined ? { exclude: opts.exclude } : {}),
    policy: {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, allowInstallScripts: opts.allow ?? [] },
    },
    // The npm registry is a closed port: a Python pin must never be asked of it.
    options: testOptions({
      offline: opts.offline ?? false,
      registry: opts.npmRegistry ?? 'http://127.0.0.1:9/',
      env: { PIP_INDEX_URL: opts.pipIndexUrl ?? index.indexUrl, PIP_CONFIG_FILE: '/dev/null' },
    }),
  });
}

const at = (r: Awaited<ReturnType<typeof review>>) =>
  r.findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.line ?? 0}`).sort();

describe('review online: a new requirements / Pipfile.lock pin that pip builds from its sdist', () => {
  it.each([
    {
      name: 'the index lists only the sdist',
      served: [SDIST],
      line: 'native==1.0',
      want: ['CPU003 requirements.txt:2'],
    },
    { name: 'a wheel for CPython 3 on the index', served: [LINUX_WHEEL, SDIST], line: 'native==1.0', want: [] },
    {
      name: 'only a py2 wheel beside the sdist',
      served: [PY2_WHEEL, SDIST],
      line: 'native==1.0',
      want: ['CPU003 requirements.txt:2'],
    },
    {
      name: 'only the sdist hash pinned though a wheel exists',
      served: [LINUX_WHEEL, SDIST],
      line: `native==1.0 --hash=sha256:${B}`,
      want: ['CPU003 requirements.txt:2'],
    },
    {
      name: 'the wheel hash pinned',
      served: [LINUX_WHEEL, SDIST],
      line: `native==1.0 --hash=sha256:${A}`,
      want: [],
    },
  ])('$name', async (c) => {
    const base = c.line.includes('--hash') ? HASHED_BASE : BASE_REQ;
    const r = await review({ 'requirements.txt': base }, { 'requirements.txt': `${base}${c.line}\n` }, c.served);
    expect(at(r)).toEqual(c.want);
    // Only the new pin is asked about, never the unchanged six.
    expect(index.requests).toEqual(['/simple/native/']);
  });

  it('a new Pipfile.lock entry with only an sdist → CPU003', async () => {
    const lock = (extra: Record<string, unknown>) =>
      JSON.stringify(
        {
          _meta: { hash: { sha256: 'x' }, 'pipfile-spec': 6, requires: {}, sources: [] },
          default: { six: { hashes: [`sha256:${C}`], version: '==1.16.0' }, ...extra },
          develop: {},
        },
        null,
        4,
      ) + '\n';
    const r = await review(
      { 'Pipfile.lock': lock({}) },
      { 'Pipfile.lock': lock({ native: { hashes: [`sha256:${B}`], version: '==1.0' } }) },
      [SDIST],
    );
    expect(r.findings.map((f) => f.ruleId)).toEqual(['CPU003']);
    expect(r.findings[0]?.evidence?.['source']).toBe('index');
  });

  it('allowed by dependencies.allowInstallScripts → not asked, nothing said', async () => {
    const r = await review(
      { 'requirements.txt': BASE_REQ },
      { 'requirements.txt': `${BASE_REQ}native==1.0\n` },
      [SDIST],
      {
        allow: ['Native'],
      },
    );
    expect(at(r)).toEqual([]);
    expect(index.requests).toEqual([]);
  });

  it('under --only-binary :all: → not asked, nothing said (pip skips the sdist: nothing is built)', async () => {
    // verify/pypi/builds.ts `needsIndexForBuild`, as the scan's online CPP074 judges the same pin.
    const base = `--only-binary :all:\n${BASE_REQ}`;
    const r = await review({ 'requirements.txt': base }, { 'requirements.txt': `${base}native==1.0\n` }, [SDIST]);
    expect(at(r)).toEqual([]);
    expect(index.requests).toEqual([]);
  });

  it('already pinned by a base requirements file → its build is not new', async () => {
    const r = await review(
      { 'requirements.txt': `${BASE_REQ}native==1.0\n` },
      { 'requirements.txt': `${BASE_REQ}native==1.0\n`, 'tools/requirements.txt': 'native==1.0\n' },
      [SDIST],
    );
    expect(at(r)).toEqual([]);
  });

  it('a uv.lock naming the configured index by its bare URL → asked with the credentials PIP_INDEX_URL carries', async () => {
    // registry/pypi/stage.ts `pypiClientFor`: the lockfile's own index is the configured one, so its credentials go.
    const uvLock = (extra: string) =>
      `version = 1\nrequires-python = ">=3.8"\n\n[[package]]\nname = "six"\nversion = "1.16.0"\nsource = { registry = "${index.indexUrl}" }\n${extra}`;
    const native = `\n[[package]]\nname = "native"\nversion = "1.0"\nsource = { registry = "${index.indexUrl}" }\n`;
    const r = await review({ 'uv.lock': uvLock('') }, { 'uv.lock': uvLock(native) }, [SDIST], {
      requireAuth: `Basic ${Buffer.from('user:secret').toString('base64')}`,
      pipIndexUrl: index.indexUrl.replace('http://', 'http://user:secret@'),
    });
    // CPP011 / CPP013 (no hashes, a plain-http index) are the hand-made lock's own; the question was answered.
    expect(r.findings.map((f) => f.ruleId).filter((id) => id === 'CPU003' || id === 'CPD130')).toEqual(['CPU003']);
    expect(index.requests).toEqual(['/simple/native/']);
  });

  it('an index that fails → one CPD130 for the cause with the count, not one per package', async () => {
    const r = await review(
      { 'requirements.txt': BASE_REQ },
      { 'requirements.txt': `${BASE_REQ}native==1.0\nother==1.0\n` },
      [SDIST],
      { fault: 'http-500' },
    );
    expect(r.findings.map((f) => f.ruleId)).toEqual(['CPD130']);
    expect(r.findings[0]?.evidence?.['count']).toBe(2);
    expect(r.findings[0]?.related?.map((l) => l.line)).toEqual([2, 3]);
  });

  it('a change adding 201 pins asks about 200: the rest is one CPD130 with its count', async () => {
    const pins = Array.from({ length: 201 }, (_, i) => `pkg${String(i).padStart(3, '0')}==1.0\n`).join('');
    const r = await review({ 'requirements.txt': BASE_REQ }, { 'requirements.txt': `${BASE_REQ}${pins}` }, [SDIST]);
    // The index serves none of them: 200 "no such project", 1 not asked.
    expect(r.findings.map((f) => `${f.ruleId} ${String(f.evidence?.['count'])}`).sort()).toEqual([
      'CPD130 1',
      'CPD130 200',
    ]);
    expect(index.requests).toHaveLength(200);
  });

  it('a lockfile the exclude globs leave out is not asked about, online or offline', async () => {
    // The Action's `exclude`, as the scan's walk applies it: the excluded lockfile's new pin was asked online, and
    // counted in the offline CPD130 at `.` that the Action's narrowing keeps (it could fail a `fail-on: note` gate).
    const base = { 'requirements.txt': BASE_REQ, 'legacy/requirements.txt': BASE_REQ };
    const head = {
      'requirements.txt': `${BASE_REQ}native==1.0\n`,
      'legacy/requirements.txt': `${BASE_REQ}other==1.0\n`,
    };
    const exclude = ['legacy/**'];
    const online = await review(base, head, [SDIST], { exclude });
    expect(index.requests).toEqual(['/simple/native/']);
    expect(at(online)).toEqual(['CPU003 requirements.txt:2']);
    const offline = await review(base, head, [SDIST], { offline: true, exclude });
    expect(offline.findings.map((f) => `${f.ruleId} ${String(f.evidence?.['packages'])}`)).toEqual([
      'CPD130 native@1.0',
    ]);
    expect(offline.lockfiles.map((lf) => lf.lockfile)).toEqual(['requirements.txt']);
  });

  it('offline → one CPD130 note with the count', async () => {
    const r = await review(
      { 'requirements.txt': BASE_REQ },
      { 'requirements.txt': `${BASE_REQ}native==1.0\nother==1.0\n` },
      [SDIST],
      { offline: true },
    );
    expect(r.findings.map((f) => `${f.ruleId} ${f.level}`)).toEqual(['CPD130 note']);
    expect(r.findings[0]?.evidence?.['count']).toBe(2);
    expect(index.requests).toEqual([]);
  });
});

/**
 * An update of a pin in a lockfile that names no files to a release pip builds from its sdist runs the new release's
 * build backend, as a new package does: asked of the index too, and reported when the base release had a wheel to take
 * (as questions.ts `newSourceBuild` judges a lock that names its files). The base release is read from the same page.
 */
describe('review online: an updated requirements / Pipfile.lock pin that pip now builds from its sdist', () => {
  const WHEEL_1: ServedFile = { filename: 'native-1.0-py3-none-any.whl', sha256: A };
  const SDIST_1: ServedFile = { filename: 'native-1.0.tar.gz', sha256: C };
  const SDIST_2: ServedFile = { filename: 'native-2.0.tar.gz', sha256: B };
  const WHEEL_2: ServedFile = { filename: 'native-2.0-py3-none-any.whl', sha256: C };

  it.each([
    { name: 'the base release had a wheel, the new one only an sdist', served: [WHEEL_1, SDIST_2], want: true },
    { name: 'both releases have a wheel', served: [WHEEL_1, WHEEL_2, SDIST_2], want: false },
    { name: 'the base release was built too: no new kind of install', served: [SDIST_1, SDIST_2], want: false },
    { name: 'the base release is gone from the index: the build is reported', served: [SDIST_2], want: true },
  ])('$name', async (c) => {
    const r = await review(
      { 'requirements.txt': `${BASE_REQ}native==1.0\n` },
      { 'requirements.txt': `${BASE_REQ}native==2.0\n` },
      c.served,
    );
    expect(at(r)).toEqual(c.want ? ['CPU003 requirements.txt:2'] : []);
    expect(index.requests).toEqual(['/simple/native/']);
    if (c.want) expect(r.findings[0]?.evidence).toMatchObject({ from: '1.0', to: '2.0', source: 'index' });
  });

  it('a Pipfile.lock downgrade to a release with only its sdist hash pinned → CPU003', async () => {
    const lock = (version: string, hash: string) =>
      JSON.stringify(
        {
          _meta: { hash: { sha256: 'x' }, 'pipfile-spec': 6, requires: {}, sources: [] },
          default: { native: { hashes: [`sha256:${hash}`], version: `==${version}` } },
          develop: {},
        },
        null,
        4,
      ) + '\n';
    const r = await review({ 'Pipfile.lock': lock('2.0', C) }, { 'Pipfile.lock': lock('1.0', C) }, [
      WHEEL_2,
      { ...SDIST_1, sha256: C },
    ]);
    expect(r.findings.filter((f) => f.ruleId === 'CPU003').map((f) => f.evidence?.['source'])).toEqual(['index']);
  });

  it('offline → the added and the updated pin are one CPD130 note', async () => {
    const r = await review(
      { 'requirements.txt': `${BASE_REQ}native==1.0\n` },
      { 'requirements.txt': `${BASE_REQ}native==2.0\nother==1.0\n` },
      [SDIST_2],
      { offline: true },
    );
    expect(r.findings.map((f) => `${f.ruleId} ${f.level}`)).toEqual(['CPD130 note']);
    expect(r.findings[0]?.evidence).toMatchObject({ count: 2, packages: 'native@2.0 other@1.0' });
  });
});

describe('review online: a Python pin is never asked of the npm registry', () => {
  it('an npm package of the same name, deprecated, fresh and with a postinstall, says nothing about the pin', async () => {
    const asked: string[] = [];
    const npm = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          name: 'native',
          versions: {
            '1.0': { name: 'native', version: '1.0', deprecated: 'gone', scripts: { postinstall: 'node x.js' } },
          },
          time: { '1.0': new Date().toISOString() },
        }),
      );
    });
    await new Promise<void>((r) => npm.listen(0, '127.0.0.1', r));
    try {
      const port = (npm.address() as AddressInfo).port;
      const r = await review(
        { 'requirements.txt': BASE_REQ },
        { 'requirements.txt': `${BASE_REQ}native==1.0\n` },
        [LINUX_WHEEL, SDIST],
        { npmRegistry: `http://127.0.0.1:${port}/` },
      );
      expect(at(r)).toEqual([]);
      expect(asked).toEqual([]);
    } finally {
      await new Promise<void>((r) => npm.close(() => r()));
    }
  });
});
