import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonDepsStage } from '../../src/deps/parsers/python/stage.js';
import { scanWith } from '../helpers/scan.js';

/**
 * A project's poetry.toml `[certificates.<source>] cert = false` turns TLS checks off for that source (Poetry merges
 * it in `Factory.create_poetry`): CPP071, as pip's `--trusted-host`. Its `[http-basic]` credentials never show.
 * Fixtures: fixtures/lockfiles/install-agreement/README.md.
 */
const DIR = path.resolve(import.meta.dirname, '../../fixtures/lockfiles/install-agreement/poetry-toml-cert-off');

describe('poetry.toml', () => {
  it('cert = false for a source is CPP071 at its line, naming the source host', async () => {
    const r = await scanWith(DIR, [pythonDepsStage], {});
    const got = r.findings.filter((f) => f.ruleId !== 'CPP050');
    expect(got.map((f) => `${f.ruleId}:${f.level ?? ''}@${f.location.path}:${f.location.line ?? ''}`)).toEqual([
      'CPP071:error@poetry.toml:6',
    ]);
    expect(got[0]?.evidence?.host).toBe('pypi.org');
  });

  it('never prints [http-basic] credentials', async () => {
    const r = await scanWith(DIR, [pythonDepsStage], {});
    const text = JSON.stringify([r.findings.map((f) => [f.message, f.evidence]), r.notifications]);
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain('ci-bot');
  });
});
