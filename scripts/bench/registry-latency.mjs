#!/usr/bin/env node
// Registry speed through a slow network (issue 14): an online scan of babel's ~1,750-package yarn berry lockfile
// (../shared/corpora) against a loopback registry that adds 20 ms to every answer, cold cache then warm cache,
// with the requests the server counted. Reference measured in the same run: the time of one request per packument
// at the same concurrency (the floor any client pays for the latency). Imports the built code: run
// `npx tsc -p tsconfig.build.json` first (`npm run bench` does).
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (p) => import(path.join(repo, 'build', p));
const { parseLockfile } = await load('deps/index.js');
const { scanRepository } = await load('app/scan.js');
const { createRegistryStage } = await load('registry/stage.js');
const { DEFAULT_POLICY } = await load('trust/policy/default.js');
const { EMPTY_REGISTRY } = await load('core/trusted-registry.js');

const corpora = process.env.CHAINPROOF_CORPORA ?? path.resolve(repo, '..', 'shared', 'corpora');
const LOCKFILE = path.join(corpora, 'lockfiles', 'babel.berry-v10.yarn.lock');
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const graph = parseLockfile('yarn.lock', readFileSync(LOCKFILE, 'utf8'));
const pkgs = graph.packages.filter((p) => p.source === 'registry');

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const spki = publicKey.export({ format: 'der', type: 'spki' });
const keyid = `SHA256:${createHash('sha256').update(spki).digest('base64')}`;
const keys = JSON.stringify({
  keys: [
    {
      expires: null,
      keyid,
      keytype: 'ecdsa-sha2-nistp256',
      scheme: 'ecdsa-sha2-nistp256',
      key: spki.toString('base64'),
    },
  ],
});
const versionsByName = new Map();
for (const p of pkgs) versionsByName.set(p.name, new Set([...(versionsByName.get(p.name) ?? []), p.version]));
const bodies = new Map();
function packument(name) {
  let body = bodies.get(name);
  if (body) return body;
  const versions = {};
  const time = {};
  for (const version of versionsByName.get(name)) {
    const integrity = `sha512-${createHash('sha512').update(`${name}@${version}`).digest('base64')}`;
    const sig = sign('sha256', Buffer.from(`${name}@${version}:${integrity}`), privateKey).toString('base64');
    versions[version] = { name, version, dist: { integrity, signatures: [{ keyid, sig }] } };
    time[version] = '2024-01-01T00:00:00.000Z';
  }
  body = JSON.stringify({ name, versions, time });
  bodies.set(name, body);
  return body;
}

let served = 0;
const server = http.createServer((req, res) => {
  served++;
  setTimeout(() => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const name = pathname.slice(1);
    const body = pathname === '/-/npm/v1/keys' ? keys : versionsByName.has(name) ? packument(name) : undefined;
    if (body === undefined) return void res.writeHead(404).end('{}');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  }, LATENCY_MS);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;

async function scan(cacheDir) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'chainproof-bench-'));
  const t0 = performance.now();
  const result = await scanRepository({
    root,
    policy: DEFAULT_POLICY,
    registry: EMPTY_REGISTRY,
    options: {
      offline: false,
      concurrency: 4,
      verifyTarballs: false,
      cacheDir,
      registry: base,
      shard: undefined,
      env: {},
    },
    include: [],
    exclude: ['**'],
    logger: { debug() {}, info() {}, warn() {} },
    stages: [{ name: 'graphs', run: async () => ({ graphs: [graph] }) }, createRegistryStage()],
  });
  const ms = performance.now() - t0;
  rmSync(root, { recursive: true, force: true });
  return { ms, summary: result.summary };
}

/** The floor: one GET per packument at the registry stage's concurrency, nothing else. */
async function floor(concurrency) {
  const names = [...versionsByName.keys()];
  const t0 = performance.now();
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < names.length) {
        const n = names[i++];
        await (await fetch(`${base}${n.startsWith('@') ? `@${encodeURIComponent(n.slice(1))}` : n}`)).text();
      }
    }),
  );
  return performance.now() - t0;
}

const ref = await floor(24);
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'chainproof-bench-cache-'));
const rows = [];
for (const mode of ['cold cache', 'warm cache']) {
  const before = served;
  const r = await scan(cacheDir);
  rows.push({ mode, ms: r.ms, requests: served - before, summary: r.summary });
}
rmSync(cacheDir, { recursive: true, force: true });
server.close();

console.log(
  `lockfile: babel.berry-v10.yarn.lock — ${pkgs.length} registry packages, ${versionsByName.size} packuments; ${LATENCY_MS} ms added per request`,
);
console.log(`reference: one fetch() per packument at concurrency 24: ${ref.toFixed(0)} ms`);
console.log('| mode | time ms | requests | verified / failed / unverifiable | vs reference | target |');
console.log('| --- | ---: | ---: | --- | ---: | --- |');
for (const r of rows)
  console.log(
    `| ${r.mode} | ${r.ms.toFixed(0)} | ${r.requests} | ${r.summary.verified} / ${r.summary.failed} / ${r.summary.unverifiable} | ${(r.ms / ref).toFixed(2)}× | ${r.mode === 'cold cache' ? '< 8000 ms' : '0 requests'} |`,
  );
