import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { depsStage } from '../../src/deps/stage.js';
import { parseYarnrc } from '../../src/deps/yarnrc.js';
import { scanWith } from '../helpers/scan.js';
import { berryLock } from '../registry/berry-project.js';
import { tempDir } from '../registry/scan.js';

/**
 * A repository `.yarnrc.yml` whose `checksumBehavior` makes yarn install an archive that does not match yarn.lock
 * (`ignore`, `update`: Cache.fetchPackageFromCache's validateFile) widens trust like a registry or a CA of the tree:
 * CPD155 at error under the default policy, at the line of the setting. `throw` (the default) and values yarn does
 * not know (its `default:` branch throws too) are fine; the runner's own YARN_CHECKSUM_BEHAVIOR outranks the file.
 */
describe('CPD155: a tree .yarnrc.yml that skips checksum verification', () => {
  it.each<{ name: string; yarnrc: string; env?: Record<string, string>; want: { rule: string; line: number }[] }>([
    {
      name: 'ignore',
      yarnrc: 'nodeLinker: node-modules\nchecksumBehavior: ignore\n',
      want: [{ rule: 'CPD155', line: 2 }],
    },
    { name: 'update, quoted', yarnrc: 'checksumBehavior: "update"\n', want: [{ rule: 'CPD155', line: 1 }] },
    {
      name: '${VAR} that expands to ignore',
      yarnrc: 'checksumBehavior: "${CB}"\n',
      env: { CB: 'ignore' },
      want: [{ rule: 'CPD155', line: 1 }],
    },
    { name: 'throw (the default)', yarnrc: 'checksumBehavior: throw\n', want: [] },
    { name: 'a value yarn does not know (it throws)', yarnrc: 'checksumBehavior: Ignore\n', want: [] },
    {
      name: "the runner's YARN_CHECKSUM_BEHAVIOR outranks the file",
      yarnrc: 'checksumBehavior: ignore\n',
      env: { YARN_CHECKSUM_BEHAVIOR: 'throw' },
      want: [],
    },
    { name: 'unset', yarnrc: 'nodeLinker: pnp\n', want: [] },
  ])('$name', async ({ yarnrc, env, want }) => {
    const root = tempDir('chainproof-yarnrc-checksum-');
    writeFileSync(path.join(root, 'yarn.lock'), berryLock(false));
    writeFileSync(path.join(root, '.yarnrc.yml'), yarnrc);
    const result = await scanWith(root, [depsStage], { options: { offline: true, env: env ?? {} } });
    const got = result.findings.filter((f) => f.ruleId === 'CPD155');
    expect(got.map((f) => ({ rule: f.ruleId, line: f.location.line }))).toEqual(want);
    for (const f of got) {
      expect(f.level).toBe('error');
      expect(f.location.path).toBe('.yarnrc.yml');
      expect(f.evidence).toMatchObject({ key: 'checksumBehavior' });
    }
  });

  it('a nearer .yarnrc.yml setting throw hides a farther one setting ignore', () => {
    const near = parseYarnrc('checksumBehavior: throw\n', {});
    expect(near.slots.has('checksumBehavior')).toBe(true);
    expect(near.settings).toEqual([]);
  });
});
