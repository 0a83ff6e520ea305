import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/result.js';
import { runCliAsync } from '../helpers/cli.js';
import { tempDir } from './scan.js';
import { rawServers } from '../helpers/raw-server.js';

/**
 * #18's "a registry that never answers": the built CLI, its default limits (10 s per request, a 30 s registry
 * budget), 1,000 packages. Every package is unverifiable under one CPD131 whose cause is `timeout`: the circuit
 * breaker, told of each timed-out attempt, stopped the scan — not the budget (`budget-exhausted`), which is what
 * ended it before, after three whole timeouts per request. Wall time is measured by hand, never asserted.
 */
const rawServer = rawServers();

const BODY_START = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{"name":"x","versions":{';
const FAULTS: { name: string; onSocket: (s: net.Socket) => void }[] = [
  { name: 'accepts, never sends a byte', onSocket: () => undefined },
  { name: 'sends headers and part of a body, then nothing', onSocket: (s) => s.write(BODY_START) },
  {
    name: 'trickles its body a byte every 50 ms',
    onSocket: (s) => {
      s.write(BODY_START);
      const t = setInterval(() => s.write(' '), 50);
      s.on('close', () => clearInterval(t));
    },
  },
];

function writeThousandPackages(root: string): void {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0' } };
  for (let i = 0; i < 1000; i++) {
    const name = `pkg-${String(i).padStart(4, '0')}`;
    const integrity = `sha512-${createHash('sha512').update(name).digest('base64')}`;
    packages[`node_modules/${name}`] = { version: '1.0.0', integrity };
  }
  const lock = { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
  writeFileSync(path.join(root, 'package-lock.json'), JSON.stringify(lock, null, 2));
}

async function scanAgainst(url: string): Promise<{ code: number; report: ScanResult }> {
  const root = tempDir();
  writeThousandPackages(root);
  const home = tempDir('chainproof-home-');
  const out = path.join(tempDir('chainproof-out-'), 'report.json');
  const args = ['scan', root, '--npm-registry', url, '--cache-dir', tempDir('chainproof-cache-'), '-f', `json=${out}`];
  // No user configuration of the developer's: an empty HOME, and npm's exported userconfig pointed into it.
  const run = await runCliAsync(args, { env: { HOME: home, npm_config_userconfig: path.join(home, '.npmrc') } });
  return { code: run.code, report: JSON.parse(readFileSync(out, 'utf8')) as ScanResult };
}

describe('the CLI against a registry that never answers, 1,000 packages, default limits', () => {
  it('every fault: one CPD131 (timeout) for all 1,000, nothing verified, the default gate passes (a warning)', async () => {
    // The three run side by side: each waits on its registry, not on the CPU.
    const runs = await Promise.all(
      FAULTS.map(async (f) => ({ name: f.name, ...(await scanAgainst(await rawServer(f.onSocket))) })),
    );
    for (const { name, code, report } of runs) {
      const causes = report.findings.map((f) => `${f.ruleId}:${String(f.evidence?.['cause'])}`);
      expect({ name, causes, code }).toEqual({ name, causes: ['CPD131:timeout'], code: 0 });
      expect(report.findings[0]?.evidence?.['count']).toBe(1000);
      expect(report.summary).toMatchObject({ packages: 1000, verified: 0, failed: 0, unverifiable: 1000 });
    }
  });
});
