import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('cp-conda-channels-');
const ids = (r: ScanResult) => r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`).sort();

// conda searches an environment's channels in order for every conda package it installs (strict channel priority):
// a channel on a host nobody allowed serves the environment's python and numpy too.
describe("a conda environment file's channels", () => {
  it('on a host the policy does not allow are CPP070, one per host; http is CPP013; a /t/ token CPP093', async () => {
    const dir = tree({
      'environment.yml': [
        'name: ml',
        'channels:',
        '  - https://conda.evil.example/channel',
        '  - http://conda.evil.example/other',
        '  - https://conda.anaconda.org/t/MadeUpCondaTok3n/private',
        '  - conda-forge',
        '  - https://conda.anaconda.org/pytorch',
        '  - https://conda.corp.example/t/MadeUpCorpTok3n/ml',
        'dependencies:',
        '  - numpy',
        '',
      ].join('\n'),
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(ids(r)).toEqual([
      'CPP013@environment.yml:4',
      'CPP070@environment.yml:3',
      'CPP070@environment.yml:8',
      'CPP093@environment.yml:5',
    ]);
    expect(JSON.stringify(r.findings)).not.toMatch(/MadeUpCondaTok3n|MadeUpCorpTok3n/);
  });

  // conda's `_ANACONDA_TOKEN_RE` (`/t/([a-zA-Z0-9-]*)`) needs no `/` after the token; requests sends user info alone
  // (`https://TOKEN@host`) as Basic credentials.
  it('a /t/ token at the end of the URL, or a token as user info, is CPP093 and never printed', async () => {
    const dir = tree({
      'environment.yml':
        'channels:\n  - https://conda.example.com/t/tk-123-456\n  - https://tok-SECRET789@conda.example.com/c\ndependencies: [numpy]\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(ids(r)).toEqual(['CPP070@environment.yml:2', 'CPP093@environment.yml:2']);
    expect(r.findings.find((f) => f.ruleId === 'CPP093')?.evidence?.['lines']).toBe('2 3');
    expect(JSON.stringify(r.findings)).not.toMatch(/tk-123-456|tok-SECRET789/);
    // conda's own ways, not pip's `${PIP_USER}`.
    const advice = r.findings.find((f) => f.ruleId === 'CPP093')!.message;
    expect(advice).toContain('conda token set');
    expect(advice).not.toContain('PIP_USER');
  });

  // conda's MatchSpec takes `channel::name` and `name[channel=…]`: that package comes from the URL given there.
  it('a URL channel a dependency names for itself is judged as a channel', async () => {
    const dir = tree({
      'environment.yml':
        'dependencies:\n  - https://evil.example.com/c::numpy>=1\n  - scipy[channel=http://evil2.example.com/c]\n  - conda-forge::pandas\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(ids(r)).toEqual(['CPP013@environment.yml:3', 'CPP070@environment.yml:2', 'CPP070@environment.yml:3']);
    expect(r.findings.find((f) => f.ruleId === 'CPP070')?.message).toContain('numpy is installed from conda channel');
  });

  it("named channels and Anaconda's hosts are none", async () => {
    const dir = tree({
      'conda-env.yaml':
        'channels: [conda-forge, nvidia, "https://repo.anaconda.com/pkgs/main"]\ndependencies: [python]\n',
    });
    expect(ids(await scanWith(dir, [pythonDepsStage]))).toEqual([]);
  });
});
