#!/usr/bin/env node
// Registry verification throughput: the 1,274-package npm/cli lockfile (v3, workspaces) verified against a
// loopback registry that serves a packument per package, signing keys and an ECDSA P-256 signature per version
// (a bench key: npm's private key is not ours). Cold cache, warm cache, and no cache, as packages per second,
// against a reference measured in the same run: plain fetch() of the same packuments at the same concurrency.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusPath } from './lib/corpora.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const load = (p) => import(path.join(repo, 'build', p));
const { parseLockfile } = await load('deps/index.js');
const { scanRepository } = await load('app/scan.js');
const { createRegistryStage } = await load('registry/stage.js');
const { DEFAULT_POLICY } = await load('trust/policy/default.js');
const { EMPTY_REGISTRY } = await load('core/trusted-registry.js');

const LOCKFILE = corpusPath('lockfiles', 'npm-cli.v3-workspaces.package-lock.json');
const CONCURRENCY = 16;
// The parser is chosen by file name: present it under the name npm gives it.
const graph = parseLockfile('package-lock.json', readFileSync(LOCKFILE, 'utf8'));
// What the registry stage checks: registry packages that are not bundled inside a parent tarball.
const pkgs = graph.packages.filter((p) => p.source === 'registry' && p.bundled !== true);

// One packument per name with every locked version, signed with a bench key.
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const keyid = `SHA256:${createHash('sha256')
  .update(publicKey.export({ format: 'der', type: 'spki' }))
  .digest('base64')}`;
const keys = JSON.stringify({
  keys: [
    {
      expires: null,
      keyid,
      keytype: 'ecdsa-sha2-nistp256',
      scheme: 'ecdsa-sha2-nistp256',
      key: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    },
  ],
});
let base = '';
const byName = new Map();
for (const p of pkgs) {
  if (!byName.has(p.name)) byName.set(p.name, new Map());
  byName.get(p.name).set(p.version, p.integrity);
}
const bodies = new Map();
function packument(name) {
  let body = bodies.get(name);
  if (body) return body;
  const versions = {};
  const time = {};
  const file = name.slice(name.lastIndexOf('/') + 1);
  for (const [version, integrity] of byName.get(name)) {
    const sig = sign('sha256', Buffer.from(`${name}@${version}:${integrity}`), privateKey).toString('base64');
    versions[version] = {
      name,
      version,
      dist: { integrity, tarball: `${base}/${name}/-/${file}-${version}.tgz`, signatures: [{ keyid, sig }] },
    };
    time[version] = '2024-01-01T00:00:00.000Z';
  }
  body = JSON.stringify({ name, versions, time });
  bodies.set(name, body);
  return body;
}
let served = 0;
const server = http.createServer((req, res) => {
  served++;
  const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const body =
    pathname === '/-/npm/v1/keys' ? keys : byName.has(pathname.slice(1)) ? packument(pathname.slice(1)) : undefined;
  if (body === undefined) {
    res.writeHead(404).end('{}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
  res.end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
base = `http://127.0.0.1:${server.address().port}`;

async function scan(cacheDir) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'chainproof-bench-'));
  const t0 = performance.now();
  const result = await scanRepository({
    root,
    policy: DEFAULT_POLICY,
    registry: EMPTY_REGISTRY,
    options: {
      offline: false,
      concurrency: CONCURRENCY,
      verifyTarballs: false,
      cacheDir,
      registry: `${base}/`,
      shard: undefined,
      env: {},
    },
    include: [],
    exclude: [],
    logger: { debug() {}, info() {}, warn() {} },
    stages: [{ name: 'graphs', run: async () => ({ graphs: [graph] }) }, createRegistryStage()],
  });
  const ms = performance.now() - t0;
  rmSync(root, { recursive: true, force: true });
  return { ms, summary: result.summary };
}

async function rawFetch() {
  const names = [...byName.keys()];
  const t0 = performance.now();
  let i = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (i < names.length) {
        const n = names[i++];
        await (await fetch(`${base}/${n.startsWith('@') ? `@${encodeURIComponent(n.slice(1))}` : n}`)).json();
      }
    }),
  );
  return performance.now() - t0;
}

await rawFetch(); // warm up the server's packument bodies and the JIT
const ref = await rawFetch();
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'chainproof-bench-cache-'));
const rows = [];
for (const [mode, dir] of [
  ['no cache', undefined],
  ['cold cache', cacheDir],
  ['warm cache', cacheDir],
]) {
  const before = served;
  const r = await scan(dir);
  if (r.summary.verified !== pkgs.length && r.summary.verified === 0)
    throw new Error(`nothing verified in ${mode}: ${JSON.stringify(r.summary)}`);
  rows.push({ mode, ms: r.ms, requests: served - before, summary: r.summary });
}
rmSync(cacheDir, { recursive: true, force: true });
server.close();

const pps = (ms) => (pkgs.length / (ms / 1000)).toFixed(0);
const bundled = graph.packages.filter((p) => p.bundled).length;
console.log(
  `lockfile: ${path.basename(LOCKFILE)} — ${graph.packages.length} entries, ${pkgs.length} registry packages checked (${bundled} bundled skipped), ${byName.size} packuments; concurrency ${CONCURRENCY}`,
);
console.log(`reference: fetch() of ${byName.size} packuments, ${ref.toFixed(0)} ms (${pps(ref)} pkg/s)`);
console.log('| mode | time ms | packages/s | requests | verified / failed / unverifiable | time vs reference |');
console.log('| --- | ---: | ---: | ---: | --- | ---: |');
for (const r of rows)
  console.log(
    `| ${r.mode} | ${r.ms.toFixed(0)} | ${pps(r.ms)} | ${r.requests} | ${r.summary.verified} / ${r.summary.failed} / ${r.summary.unverifiable} | ${(r.ms / ref).toFixed(2)}× |`,
  );
