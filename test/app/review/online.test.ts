import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testOptions } from '../../helpers/scan.js';
import { corpusPath } from '../../helpers/corpus.js';
import { makeRepo, reviewHead } from './repo.js';
import { manifest, npmLock, sri } from './npm-lock.js';
import type { RegistryLookup } from '../../../src/app/review/online.js';

/**
 * The registry questions of a review, answered by a loopback registry that serves packuments and attestation
 * documents for the package the real actions/checkout update moved (js-yaml 4.1.0 → 4.2.0). The review asks only
 * about the packages the change touches and counts every request.
 */
const NOW = new Date('2026-06-16T12:00:00Z');
const F = 'package-lock.json';
const lock = (side: 'before' | 'after') =>
  readFileSync(corpusPath('lockfiles', 'update-pairs', `actions-checkout-130a169.${side}.${F}`));

interface Scenario {
  readonly published: string;
  readonly deprecated?: string;
  readonly scripts?: Record<string, string>;
  readonly provenanceBefore?: string;
  readonly provenanceAfter?: string;
  /** Real Sigstore bundles served instead of a bare statement, by version. */
  readonly bundles?: Readonly<Record<string, unknown>>;
}

let scenario: Scenario = { published: '2026-06-01T00:00:00Z' };
let requests: string[] = [];
let server: Server;
let url = '';

function statement(repository: string): string {
  const s = {
    _type: 'https://in-toto.io/Statement/v1',
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: { externalParameters: { workflow: { repository, path: '.github/workflows/publish.yml' } } },
      runDetails: { builder: { id: 'https://github.com/actions/runner/github-hosted' } },
    },
  };
  return Buffer.from(JSON.stringify(s)).toString('base64');
}

/**
 * The SLSA bundle of a real npm attestations response (../shared/corpora/sigstore/npm-provenance), optionally with its
 * statement's workflow repository rewritten (the review reads, and does not verify, the bundle).
 */
function npmSlsaBundle(name: string, claimedRepository?: string): unknown {
  const doc = JSON.parse(readFileSync(corpusPath('sigstore', 'npm-provenance', 'gha', `${name}.tgz.json`), 'utf8')) as {
    attestations: { predicateType: string; bundle: { dsseEnvelope: { payload: string } } }[];
  };
  const bundle = doc.attestations.find((a) => a.predicateType === 'https://slsa.dev/provenance/v1')!.bundle;
  if (claimedRepository === undefined) return bundle;
  const s = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as {
    predicate: { buildDefinition: { externalParameters: { workflow: { repository: string } } } };
  };
  s.predicate.buildDefinition.externalParameters.workflow.repository = claimedRepository;
  return {
    ...bundle,
    dsseEnvelope: { ...bundle.dsseEnvelope, payload: Buffer.from(JSON.stringify(s)).toString('base64') },
  };
}

function packument(): unknown {
  const dist = (v: string, repo: string | undefined) => ({
    integrity: 'sha512-test',
    tarball: `${url}/js-yaml/-/js-yaml-${v}.tgz`,
    ...(repo
      ? {
          attestations: {
            url: `${url}/-/npm/v1/attestations/js-yaml@${v}`,
            provenance: { predicateType: 'https://slsa.dev/provenance/v1' },
          },
        }
      : {}),
  });
  return {
    name: 'js-yaml',
    versions: {
      '4.1.0': { name: 'js-yaml', version: '4.1.0', dist: dist('4.1.0', scenario.provenanceBefore) },
      '4.2.0': {
        name: 'js-yaml',
        version: '4.2.0',
        dist: dist('4.2.0', scenario.provenanceAfter),
        ...(scenario.deprecated ? { deprecated: scenario.deprecated } : {}),
        ...(scenario.scripts ? { scripts: scenario.scripts } : {}),
      },
    },
    time: { '4.1.0': '2021-03-01T00:00:00Z', '4.2.0': scenario.published },
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const att = /^\/-\/npm\/v1\/attestations\/js-yaml@(.+)$/.exec(req.url ?? '');
    if (req.url === '/js-yaml') return send(packument());
    if (att) {
      const repo = att[1] === '4.1.0' ? scenario.provenanceBefore : scenario.provenanceAfter;
      return send({
        attestations: [
          {
            predicateType: 'https://slsa.dev/provenance/v1',
            bundle: scenario.bundles?.[att[1]!] ?? { dsseEnvelope: { payload: statement(repo ?? '') } },
          },
        ],
      });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

// Every case reviews the same commits (only the registry's answers differ), and a review only reads the repository:
// one repository for the file.
let repo: ReturnType<typeof makeRepo>;
beforeAll(() => {
  repo = makeRepo({ [F]: lock('before') }, { [F]: lock('after') });
});
afterAll(() => repo.cleanup());

async function review(s: Scenario, registry = url) {
  scenario = s;
  requests = [];
  return reviewHead(repo.dir, {
    options: testOptions({ offline: false, registry: `${registry}/` }),
    now: NOW,
    today: '2026-06-16',
    gate: 'minor',
  });
}

const ids = (r: Awaited<ReturnType<typeof review>>) => r.findings.map((f) => f.ruleId).sort();

describe('review: registry questions for the changed packages (loopback registry)', () => {
  it('an old, clean release passes and only the changed package is asked about', async () => {
    const r = await review({ published: '2026-06-01T00:00:00Z' });
    expect(ids(r)).toEqual([]);
    expect(r.gate?.passed).toBe(true);
    expect(requests).toEqual(['/js-yaml']);
  });

  it('a version published two hours ago → CPU007', async () => {
    const r = await review({ published: '2026-06-16T10:00:00Z' });
    expect(ids(r)).toEqual(['CPU007']);
    expect(r.gate?.passed).toBe(false);
  });

  it('a deprecated version → CPU008', async () => {
    expect(ids(await review({ published: '2026-06-01T00:00:00Z', deprecated: 'broken, use 4.2.1' }))).toEqual([
      'CPU008',
    ]);
  });

  it('an install script the lockfile does not record → CPU003 from the registry', async () => {
    const r = await review({ published: '2026-06-01T00:00:00Z', scripts: { postinstall: 'node steal.js' } });
    expect(ids(r)).toEqual(['CPU003']);
    expect(r.findings[0]?.evidence?.['source']).toBe('registry');
  });

  it('provenance lost → CPU004', async () => {
    expect(
      ids(await review({ published: '2026-06-01T00:00:00Z', provenanceBefore: 'https://github.com/nodeca/js-yaml' })),
    ).toEqual(['CPU004']);
  });

  it('provenance from another source repository → CPU005', async () => {
    const r = await review({
      published: '2026-06-01T00:00:00Z',
      provenanceBefore: 'https://github.com/nodeca/js-yaml',
      provenanceAfter: 'https://github.com/evil/js-yaml',
    });
    expect(ids(r)).toEqual(['CPU005']);
    expect(r.findings[0]?.evidence?.['toRepository']).toBe('https://github.com/evil/js-yaml');
  });

  it.each([
    { name: 'the genuine statement of another repository', lie: false },
    // npm writes externalParameters.workflow.repository from GITHUB_REPOSITORY, which the publishing step can set.
    { name: 'a statement claiming the previous repository', lie: true },
  ])(
    'real provenance signed in another repository, $name → CPU005 with the certificate repository',
    async ({ lie }) => {
      const before = npmSlsaBundle('provenance-npm-test-cli-v1-prega');
      const after = npmSlsaBundle(
        'gundam-visor-cli-v1-tag',
        lie ? 'https://github.com/sigstore/sigstore-js' : undefined,
      );
      const r = await review({
        published: '2026-06-01T00:00:00Z',
        provenanceBefore: 'real',
        provenanceAfter: 'real',
        bundles: { '4.1.0': before, '4.2.0': after },
      });
      expect(ids(r)).toEqual(['CPU005']);
      expect(r.findings[0]?.evidence).toMatchObject({
        fromRepository: 'https://github.com/sigstore/sigstore-js',
        toRepository: 'https://github.com/ramonpetgrave64/gundam-visor',
      });
    },
  );

  it('the same real provenance on both versions → no finding', async () => {
    const bundle = npmSlsaBundle('provenance-npm-test-cli-v1-prega');
    const r = await review({
      published: '2026-06-01T00:00:00Z',
      provenanceBefore: 'real',
      provenanceAfter: 'real',
      bundles: { '4.1.0': bundle, '4.2.0': bundle },
    });
    expect(ids(r)).toEqual([]);
  });

  it('the same provenance repository on both versions → no finding', async () => {
    const repo = 'https://github.com/nodeca/js-yaml';
    expect(
      ids(await review({ published: '2026-06-01T00:00:00Z', provenanceBefore: repo, provenanceAfter: repo })),
    ).toEqual([]);
  });

  it('an unreachable registry is one finding with the count, and the gate does not pass', async () => {
    const r = await review({ published: '2026-06-01T00:00:00Z' }, 'http://127.0.0.1:9');
    const unverified = r.findings.filter((f) => f.ruleId === 'CPD130');
    expect(unverified).toHaveLength(1);
    expect(unverified[0]?.evidence?.['count']).toBe(1);
    expect(r.gate?.passed).toBe(false);
  }, 60_000);
});

describe('a registry that cannot be asked, over changes of different sizes', () => {
  const DOWN: RegistryLookup = {
    packument: () => Promise.resolve({ kind: 'unavailable', reason: 'registry down', cause: 'unreachable' }),
    attestations: () => Promise.resolve({ kind: 'unavailable', reason: 'registry down', cause: 'unreachable' }),
  };
  const entry = (n: string) => ({
    version: '1.0.0',
    resolved: `https://registry.npmjs.org/${n}/-/${n}-1.0.0.tgz`,
    integrity: sri(1),
  });
  async function unverified(names: string[]) {
    const deps = Object.fromEntries(names.map((n) => [n, '^1.0.0']));
    const repo = makeRepo(
      { 'package.json': manifest({}), 'package-lock.json': npmLock({}, {}) },
      {
        'package.json': manifest(deps),
        'package-lock.json': npmLock(deps, Object.fromEntries(names.map((n) => [n, entry(n)]))),
      },
    );
    try {
      const r = await reviewHead(repo.dir, { options: testOptions({ offline: false }), lookup: DOWN, now: NOW });
      return r.findings.filter((f) => f.ruleId === 'CPD130');
    } finally {
      repo.cleanup();
    }
  }

  it('is one finding whose fingerprint stays when the change adds another package, every entry related', async () => {
    const [one, two] = [await unverified(['a']), await unverified(['a', 'b'])];
    expect([one.length, two.length]).toEqual([1, 1]);
    expect(two[0]?.evidence).toMatchObject({ count: 2, packages: 'a@1.0.0 b@1.0.0' });
    expect(two[0]?.related?.map((l) => `${l.path}:${l.line ?? 0}`)).toEqual([
      'package-lock.json:15',
      'package-lock.json:20',
    ]);
    expect(two[0]?.fingerprint).toBe(one[0]?.fingerprint);
  });
});
