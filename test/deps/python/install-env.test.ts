import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';

const CASES = path.resolve(import.meta.dirname, '../../../fixtures/python/cases');

describe('PIP_* / UV_* index variables a Dockerfile, workflow or script sets', () => {
  it('install-env-indexes: each index host the policy does not allow is CPP070, TLS-off hosts CPP071, http CPP013', async () => {
    const r = await scanWith(path.join(CASES, 'install-env-indexes'), [pythonDepsStage]);
    const got = r.findings
      .filter((f) => f.ruleId !== 'CPP050')
      .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}=${String(f.evidence?.['host'])}`)
      .sort();
    expect(got).toEqual([
      'CPP013@scripts/install.sh:4=plain.example',
      'CPP070@.github/workflows/ci.yml:8=uv-index.example',
      'CPP070@Dockerfile:2=docker-extra.example',
      'CPP070@scripts/install.sh:3=script-links.example',
      'CPP070@scripts/install.sh:4=plain.example',
      'CPP071@Dockerfile:3=docker-extra.example',
    ]);
  });

  it('install-command-options: --extra-index-url / --trusted-host / -i / uv --index on install command lines', async () => {
    const r = await scanWith(path.join(CASES, 'install-command-options'), [pythonDepsStage]);
    const got = r.findings
      .filter((f) => f.ruleId !== 'CPP050')
      .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}=${String(f.evidence?.['host'])}`)
      .sort();
    expect(got).toEqual([
      'CPP070@.github/workflows/ci.yml:8=uv-cli.example',
      'CPP070@Dockerfile:3=run-extra.example',
      'CPP070@Dockerfile:6=glued.example',
      'CPP071@Dockerfile:4=run-extra.example',
    ]);
  });
});
