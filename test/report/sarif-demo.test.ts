import { beforeAll, describe, expect, it } from 'vitest';
import { sarifValidator } from '../action/helpers.js';
import path from 'node:path';
import { repositoryPrefix } from '../../src/cli/repository-prefix.js';
import { REPO, runCliAsync, runMain } from '../helpers/cli.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed SARIF JSON
async function demoSarif(via: 'bin' | 'main'): Promise<any> {
  const args = ['scan', 'fixtures/demo-project', '--offline', '--quiet', '--format', 'sarif', '--fail-on', 'none'];
  const r = via === 'bin' ? await runCliAsync(args) : await runMain(args, { cwd: REPO });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('SARIF of the demo scan', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed SARIF JSON
  let first: any, second: any;
  beforeAll(async () => {
    // The first run is scan's end-to-end run through the built binary; the second, in-process, must give the same
    // bytes (a second spawned run was ~0.75 s of CPU, mostly a CLI start-up).
    first = await demoSarif('bin');
    second = await demoSarif('main');
  });

  it('is valid against the SARIF 2.1.0 schema GitHub uses', () => {
    // The schema file nests region's anyOf under `properties`; the helper moves it where the spec puts it (stricter).
    const validate = sarifValidator();
    const ok = validate(first);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('has results, each with a location, a rule in rules, the right ruleIndex and a fingerprint', () => {
    const run = first.runs[0];
    const rules = run.tool.driver.rules;
    expect(run.results.length).toBeGreaterThan(5);
    expect(run.automationDetails.id).toMatch(/^chainproof\//);
    for (const r of run.results) {
      expect(rules[r.ruleIndex].id).toBe(r.ruleId);
      expect(r.locations.length).toBeGreaterThan(0);
      const loc = r.locations[0].physicalLocation;
      expect(loc.artifactLocation.uriBaseId).toBe('%SRCROOT%');
      expect(loc.artifactLocation.uri).not.toMatch(/^\/|^[a-z]+:/i);
      expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
      expect(r.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{32}:1$/);
      expect(r.message.text.length).toBeGreaterThan(20);
    }
    for (const rule of rules) {
      expect(typeof rule.properties['security-severity']).toBe('string');
      expect(rule.help.markdown.length).toBeGreaterThan(0);
    }
  });

  it('is byte-for-byte the same on a second run (stable fingerprints, sorted output)', () => {
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('points lockfile findings at their line', async () => {
    // Relative to the repository that holds the demo (this checkout, when it is a git work tree).
    const prefix = await repositoryPrefix(path.join(REPO, 'fixtures/demo-project'));
    const lockUri = prefix === '' ? 'package-lock.json' : `${prefix}/package-lock.json`;
    const lock = first.runs[0].results.filter(
      (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        r.locations[0]!.physicalLocation.artifactLocation.uri === lockUri,
    );
    expect(lock.length).toBeGreaterThan(0);
    for (const r of lock) expect(r.locations[0].physicalLocation.region.startLine).toBeGreaterThan(1);
  });
});
