import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';

const CASES = path.resolve(import.meta.dirname, '../../../fixtures/python/cases');

describe('index settings a Dockerfile, workflow or script gives pip / uv', () => {
  it.each([
    {
      name: 'PIP_* / UV_* variables: hosts the policy does not allow are CPP070, TLS-off hosts CPP071, http CPP013',
      dir: 'install-env-indexes',
      want: [
        'CPP013@scripts/install.sh:4=plain.example',
        'CPP070@.github/workflows/ci.yml:8=uv-index.example',
        'CPP070@Dockerfile:2=docker-extra.example',
        'CPP070@scripts/install.sh:3=script-links.example',
        'CPP070@scripts/install.sh:4=plain.example',
        'CPP071@Dockerfile:3=docker-extra.example',
      ],
    },
    {
      name: '--extra-index-url / --trusted-host / -i / uv --index on install command lines',
      dir: 'install-command-options',
      want: [
        'CPP070@.github/workflows/ci.yml:8=uv-cli.example',
        'CPP070@Dockerfile:3=run-extra.example',
        'CPP070@Dockerfile:6=glued.example',
        'CPP071@Dockerfile:4=run-extra.example',
      ],
    },
  ])('$name ($dir)', async ({ dir, want }) => {
    const r = await scanWith(path.join(CASES, dir), [pythonDepsStage]);
    const got = r.findings
      .filter((f) => f.ruleId !== 'CPP050')
      .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}=${String(f.evidence?.['host'])}`)
      .sort();
    expect(got).toEqual(want);
  });
});
