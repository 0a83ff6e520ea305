import { mkdtemp, writeFile } from 'node:fs/promises';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { createPypiStage, type PypiStageOptions } from '../../../src/registry/pypi/stage.js';
import { rawServers } from '../../helpers/raw-server.js';
import { scanWith } from '../../helpers/scan.js';

/**
 * A Python index that is dead or hostile costs a bounded time, whatever the package count: the breaker stops asking
 * after a few failed attempts, and one budget caps every request. Proven by counting connections, never by timing.
 */
const rawServer = rawServers();
const N = 40;

async function scanAgainst(index: string, limits: Partial<PypiStageOptions>): Promise<ScanResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-pypi-dead-'));
  const pins = Array.from({ length: N }, (_, i) => `pkg${i}==1.0 --hash=sha256:${'a'.repeat(64)}`);
  await writeFile(path.join(dir, 'requirements.txt'), `${pins.join('\n')}\n`);
  return scanWith(dir, [pythonDepsStage, createPypiStage({ minRetryDelayMs: 10, ...limits })], {
    options: { offline: false, env: { PIP_INDEX_URL: `${index}simple/` }, concurrency: 4 },
  });
}

const online = (r: ScanResult) => r.findings.filter((f) => f.ruleId !== 'CPP013');

describe('a Python index that never answers usably, 40 packages', () => {
  it.each<{ name: string; onSocket: (s: net.Socket) => void }>([
    { name: 'accepts, never sends a byte', onSocket: () => undefined },
    { name: 'answers 503 to everything', onSocket: (s) => s.end('HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n') },
    { name: 'resets every connection', onSocket: (s) => s.destroy() },
  ])('$name: the breaker stops asking; one CPP056 counts all 40', async ({ onSocket }) => {
    let connections = 0;
    const url = await rawServer((s) => {
      connections++;
      onSocket(s);
    });
    const r = await scanAgainst(url, { timeoutMs: 300, retries: 2, breakerThreshold: 3 });
    expect(online(r).map((f) => f.ruleId)).toEqual(['CPP056']);
    expect(online(r)[0]!.evidence?.count).toBe(N);
    expect(r.summary).toMatchObject({ verified: 0, failed: 0, unverifiable: N });
    // Without the breaker: 40 packages × 3 attempts = 120 requests. With it: the ones in flight when it opened.
    expect(connections).toBeLessThan(20);
  });

  // pip's install stops at the first 401 (no credentials, or the wrong ones): every page would answer the same. A
  // 403 is one project's answer (a curated index blocks packages one by one): each package is asked, once, and the
  // breaker stays shut, so which packages are checked never depends on request timing.
  it.each([
    { status: 401, most: 5 },
    { status: 403, most: N },
  ])(
    'answers $status to everything: a 401 asked a few times, a 403 once per package; one CPP056, refused',
    async ({ status, most }) => {
      let connections = 0;
      const url = await rawServer((s) => {
        connections++;
        s.end(`HTTP/1.1 ${status} No\r\nwww-authenticate: Basic realm="pypi"\r\ncontent-length: 0\r\n\r\n`);
      });
      const r = await scanAgainst(url, { timeoutMs: 5_000, retries: 2, breakerThreshold: 3 });
      expect(online(r).map((f) => f.ruleId)).toEqual(['CPP056']);
      expect(online(r)[0]!.evidence?.count).toBe(N);
      expect(online(r)[0]!.message).toContain(`refused the scan (HTTP ${status} from`);
      expect(r.summary).toMatchObject({ verified: 0, failed: 0, unverifiable: N });
      // A 401: the ones in flight (concurrency 4) when it came back. A 403: each package once, never retried.
      if (status === 403) expect(connections).toBe(most);
      else expect(connections).toBeLessThanOrEqual(most);
    },
  );

  it('trickles headers forever, breaker never opening: the budget ends every request, one CPP056 names it', async () => {
    const url = await rawServer((s) => {
      s.write('HTTP/1.1 200 OK\r\nX-Slow: ');
      const t = setInterval(() => s.write('a'), 100);
      s.on('close', () => clearInterval(t));
    });
    const r = await scanAgainst(url, { timeoutMs: 600_000, retries: 0, breakerThreshold: 1_000, budgetMs: 1_000 });
    expect(online(r).map((f) => f.ruleId)).toEqual(['CPP056']);
    expect(online(r)[0]!.evidence?.count).toBe(N);
    expect(String(online(r)[0]!.evidence?.reason)).toContain('budget');
    expect(r.summary).toMatchObject({ verified: 0, unverifiable: N });
  });
});
