import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';

/**
 * A baseline holds a grouped finding by its fingerprint, which does not change when members join the group (one
 * alert in code scanning). "25 of the 25 packages have no integrity hash" in the baseline hid a 26th package added
 * without integrity, the shape of a lockfile injection, and the scan passed. The SARIF now lists a group's members,
 * and a group that gained one is reported again.
 */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An npm v3 lockfile whose registry packages carry no integrity (as npm writes some with install-links). */
function lockfile(names: readonly string[]): string {
  const packages: Record<string, unknown> = {
    '': { name: 'app', version: '1.0.0', dependencies: Object.fromEntries(names.map((n) => [n, '1.0.0'])) },
  };
  for (const n of names)
    packages[`node_modules/${n}`] = { version: '1.0.0', resolved: `https://registry.npmjs.org/${n}/-/${n}-1.0.0.tgz` };
  return JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2);
}

interface SarifResult {
  ruleId: string;
  message: { text: string };
  partialFingerprints: { primaryLocationLineHash: string };
  properties: { evidence?: Record<string, unknown> };
}

/** The 1-based line of a package's entry in the lockfile `lockfile` writes. */
function entryLine(lockNames: readonly string[], name: string): number {
  return lockfile(lockNames).split('\n').indexOf(`    "node_modules/${name}": {`) + 1;
}

const names = Array.from({ length: 25 }, (_, i) => `pkg-${String(i).padStart(2, '0')}`);

async function scanWith(lockNames: readonly string[], baseline: string | undefined) {
  const repo = mkdtempSync(path.join(tmpdir(), 'cp-baseline-groups-'));
  dirs.push(repo);
  writeFileSync(path.join(repo, 'package-lock.json'), lockfile(lockNames));
  const out = path.join(path.dirname(repo), `${path.basename(repo)}.sarif`);
  dirs.push(out);
  const r = await runMain([
    'scan',
    repo,
    '--offline',
    '--no-cache',
    '-f',
    `sarif=${out}`,
    '-f',
    'text',
    ...(baseline !== undefined ? ['--baseline', baseline] : []),
  ]);
  const sarif = JSON.parse(readFileSync(out, 'utf8')) as { runs: { results: SarifResult[] }[] };
  const results = sarif.runs[0]!.results;
  return { code: r.code, rules: results.map((x) => x.ruleId), results, text: r.stdout, sarif: out };
}

describe('--baseline and a grouped finding', () => {
  it('reports the group again when a member joins it, not when it is unchanged or loses one', async () => {
    const base = await scanWith(names, undefined);
    expect(base.rules).toContain('CPD002');
    expect(base.code).toBe(1);

    const same = await scanWith(names, base.sarif);
    expect(same.rules).toEqual([]);
    expect(same.code).toBe(0);

    const fewer = await scanWith(names.slice(1), base.sarif);
    expect(fewer.rules).toEqual([]);

    const injected = await scanWith([...names, 'evil-pkg'], base.sarif);
    expect(injected.rules).toEqual(['CPD002']);
    expect(injected.code).toBe(1);
  });

  it('names the members that joined the group with their places, and keeps its fingerprint', async () => {
    const base = await scanWith(names, undefined);
    const before = base.results.find((x) => x.ruleId === 'CPD002')!;
    const lockNames = [...names.slice(0, 10), 'evil-pkg', ...names.slice(10), 'evil-two'];

    const injected = await scanWith(lockNames, base.sarif);
    const [group] = injected.results;
    expect(group!.message.text).toContain(
      `New since the baseline: evil-pkg@1.0.0 at package-lock.json:${entryLine(lockNames, 'evil-pkg')}, ` +
        `evil-two@1.0.0 at package-lock.json:${entryLine(lockNames, 'evil-two')}.`,
    );
    expect(group!.properties.evidence?.['newMembers']).toBe('evil-pkg@1.0.0 evil-two@1.0.0');
    expect(group!.partialFingerprints).toEqual(before.partialFingerprints);
    expect(injected.text).toContain('evil-pkg@1.0.0');
  });
});
