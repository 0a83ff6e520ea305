#!/usr/bin/env node
// Registry speed through a slow network (issue 14): an online scan of babel's ~1,750-entry yarn berry lockfile
// (../shared/corpora) against a loopback registry that adds 20 ms to every answer (lib/latency-registry.mjs, its
// own process, npm-sized packuments), cold cache then warm cache, with the requests the server counted.
// Reference measured in the same run, in the same kind of process: a client that only fetches and JSON.parses one
// packument per package (the documents the scan asks first) at the registry stage's concurrency — the floor any
// client pays. Each run is its own process, so peak RSS is the scan's; medians of BENCH_ROUNDS (default 3)
// alternating rounds. Imports the built code: run `npx tsc -p tsconfig.build.json` first (`npm run bench` does).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNote, median } from './lib/process.mjs';

const here = fileURLToPath(import.meta.url);
const repo = path.resolve(path.dirname(here), '../..');
const corpora = process.env.CHAINPROOF_CORPORA ?? path.resolve(repo, '..', 'shared', 'corpora');
const LOCKFILE = path.join(corpora, 'lockfiles', 'babel.berry-v10.yarn.lock');
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const load = (p) => import(path.join(repo, 'build', p));

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], process.argv[5]);
else await main();

/** One measured run in this process: prints `{ms, cpuMs, rssMiB, summary}`. */
async function child(mode, base, cacheDir) {
  const { parseLockfile } = await load('deps/index.js');
  const { NETWORK_CONCURRENCY } = await load('registry/stage.js');
  const graph = parseLockfile('yarn.lock', readFileSync(LOCKFILE, 'utf8'));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let summary;
  if (mode === 'floor') {
    const names = [...new Set(graph.packages.filter((p) => p.source === 'registry').map((p) => p.name))];
    let i = 0;
    await Promise.all(
      Array.from({ length: NETWORK_CONCURRENCY }, async () => {
        while (i < names.length) {
          const n = names[i++];
          const url = `${base}${n.startsWith('@') ? `@${encodeURIComponent(n.slice(1))}` : encodeURIComponent(n)}`;
          const res = await fetch(url, { headers: { accept: 'application/vnd.npm.install-v1+json' } });
          JSON.parse(await res.text());
        }
      }),
    );
  } else summary = (await scan(graph, base, cacheDir)).summary;
  const ms = performance.now() - t0;
  const c = process.cpuUsage(cpu0);
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1000, rssMiB, summary }));
}

async function scan(graph, base, cacheDir) {
  const { scanRepository } = await load('app/scan.js');
  const { createRegistryStage } = await load('registry/stage.js');
  const { DEFAULT_POLICY } = await load('trust/policy/default.js');
  const { EMPTY_REGISTRY } = await load('core/trusted-registry.js');
  const root = mkdtempSync(path.join(os.tmpdir(), 'chainproof-bench-'));
  try {
    return await scanRepository({
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
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main() {
  const server = spawn(
    process.execPath,
    [path.join(path.dirname(here), 'lib', 'latency-registry.mjs'), LOCKFILE, String(LATENCY_MS)],
    {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  const info = await new Promise((resolve, reject) => {
    server.stdout.once('data', (d) => resolve(JSON.parse(String(d))));
    server.once('exit', (code) => reject(new Error(`registry exited ${code}`)));
  });
  const base = `http://127.0.0.1:${info.port}/`;
  // A fresh connection each time: this process blocks in spawnSync between calls, so a kept-alive socket goes stale.
  const stats = () =>
    new Promise((resolve, reject) =>
      http
        .get(`${base}-/bench/stats`, { agent: false }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve(JSON.parse(body)));
        })
        .on('error', reject),
    );
  const run = async (mode, cacheDir = '') => {
    const before = await stats();
    const r = spawnSync(process.execPath, [here, '--child', mode, base, cacheDir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${mode} exited ${r.status}: ${r.stderr}`);
    const after = await stats();
    const requests = Object.fromEntries(['abbreviated', 'full', 'keys'].map((k) => [k, after[k] - before[k]]));
    return { ...JSON.parse(r.stdout.trim().split('\n').at(-1)), requests, mb: (after.bytes - before.bytes) / 2 ** 20 };
  };
  const rows = { floor: [], cold: [], warm: [] };
  for (let i = 0; i < ROUNDS; i++) {
    rows.floor.push(await run('floor'));
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'chainproof-bench-cache-'));
    rows.cold.push(await run('cold', cacheDir));
    rows.warm.push(await run('warm', cacheDir));
    rmSync(cacheDir, { recursive: true, force: true });
  }
  server.disconnect();
  server.kill();

  const mib = (b) => (b / 2 ** 20).toFixed(1);
  console.log(
    `lockfile: ${path.basename(LOCKFILE)} — ${info.packages} registry packages, ${info.packuments} packuments (full ${mib(info.fullBytes)} MiB, abbreviated ${mib(info.abbreviatedBytes)} MiB); ${LATENCY_MS} ms added per request; ${loadNote()}`,
  );
  const floorMs = median(rows.floor.map((r) => r.ms));
  console.log(
    `reference: fetch() + JSON.parse of one abbreviated packument per package at the stage's concurrency: ${floorMs.toFixed(0)} ms wall, ${median(rows.floor.map((r) => r.cpuMs)).toFixed(0)} ms CPU, peak RSS ${median(rows.floor.map((r) => r.rssMiB)).toFixed(0)} MiB`,
  );
  console.log(
    '| mode | time ms | CPU ms | peak RSS MiB | requests (abbreviated + full + keys) | MiB served | verified / failed / unverifiable | vs reference | target |',
  );
  console.log('| --- | ---: | ---: | ---: | --- | ---: | --- | ---: | --- |');
  for (const mode of ['cold', 'warm']) {
    const rs = rows[mode];
    const r = rs[0];
    const ms = median(rs.map((x) => x.ms));
    const q = r.requests;
    console.log(
      `| ${mode} cache | ${ms.toFixed(0)} | ${median(rs.map((x) => x.cpuMs)).toFixed(0)} | ${median(rs.map((x) => x.rssMiB)).toFixed(0)} | ${q.abbreviated + q.full + q.keys} (${q.abbreviated} + ${q.full} + ${q.keys}) | ${r.mb.toFixed(1)} | ${r.summary.verified} / ${r.summary.failed} / ${r.summary.unverifiable} | ${(ms / floorMs).toFixed(2)}× | ${mode === 'cold' ? '< 8000 ms' : '0 requests'} |`,
    );
  }
}
