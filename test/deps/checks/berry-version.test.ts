import { describe, expect, it } from 'vitest';
import { berryLock } from '../../helpers/lockfile-text.js';
import { registryWith, repoWith, scanDeps } from '../helpers.js';

/**
 * yarn berry fetches the version its `resolution` names, not the entry's `version` (Project.setupResolutions →
 * NpmSemverFetcher.getLocatorUrl): with yarn 4 and a loopback registry, `version: 1.3.0` beside
 * `resolution: "left-pad@npm:1.3.1"` installed left-pad 1.3.1.
 */
const lock = (version: string, resolution: string): string =>
  berryLock({ 'left-pad': 'npm:^1.3.0' }, [
    '"left-pad@npm:^1.3.0":',
    `  version: ${version}`,
    `  resolution: "${resolution}"`,
    '  checksum: 10c0/aaaa',
    '  languageName: node',
    '  linkType: hard',
    '',
  ]);

const MALICIOUS = registryWith([{ id: 'MAL-TEST-1', name: 'left-pad', ranges: [], versions: ['1.3.1'] }]);

describe('a yarn berry entry whose version is not its resolution', () => {
  it.each([
    {
      name: 'version hides the resolution',
      version: '1.3.0',
      resolution: 'left-pad@npm:1.3.1',
      want: ['CPD010', 'CPD013'],
    },
    {
      name: 'with an archive URL',
      version: '1.3.0',
      resolution:
        'left-pad@npm:1.3.1::__archiveUrl=https%3A%2F%2Fregistry.npmjs.org%2Fleft-pad%2F-%2Fleft-pad-1.3.1.tgz',
      want: ['CPD010', 'CPD013'],
    },
    { name: 'agreeing entry', version: '1.3.1', resolution: 'left-pad@npm:1.3.1', want: ['CPD013'] },
    { name: 'agreeing benign entry', version: '1.3.0', resolution: 'left-pad@npm:1.3.0', want: [] },
  ])('$name → $want (the malicious 1.3.1 is what installs)', async ({ version, resolution, want }) => {
    const root = await repoWith({
      'package.json': JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { 'left-pad': '^1.3.0' } }),
      'yarn.lock': lock(version, resolution),
    });
    const r = await scanDeps(root, { registry: MALICIOUS });
    const got = r.findings
      .filter((f) => ['CPD010', 'CPD013', 'CPD015'].includes(f.ruleId))
      .map((f) => `${f.ruleId}@${f.location.line ?? ''}`)
      .sort();
    expect(got).toEqual(want.map((id) => `${id}@13`));
  });
});
