import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeForError } from '../../../src/cli/exit-codes.js';
import { loadPolicy } from '../../../src/trust/policy/load.js';
import { PolicyError } from '../../../src/trust/policy/problems.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cp-provenance-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('models.requireProvenance in a policy file', () => {
  it('loads paths, anchored builders and the source repository', async () => {
    const file = write(
      'ok.yml',
      [
        'version: 1',
        'models:',
        '  requireProvenance:',
        "    - paths: ['models/**']",
        "      builders: ['https://github\\.com/acme/models/\\.github/workflows/train\\.yml@refs/tags/v.*']",
        '      sourceRepository: https://github.com/acme/models',
        "    - paths: ['weights']",
        '      sourceRepository: https://github.com/acme/weights',
        '',
      ].join('\n'),
    );
    const policy = await loadPolicy(file, dir);
    expect(policy.models.requireProvenance).toEqual([
      {
        paths: ['models/**'],
        builders: ['https://github\\.com/acme/models/\\.github/workflows/train\\.yml@refs/tags/v.*'],
        sourceRepository: 'https://github.com/acme/models',
      },
      { paths: ['weights'], builders: [], sourceRepository: 'https://github.com/acme/weights' },
    ]);
  });

  it.each([
    {
      name: 'bad builder regex',
      yaml: "version: 1\nmodels:\n  requireProvenance:\n    - paths: ['m/**']\n      builders: ['https://github.com/(acme']\n      sourceRepository: https://github.com/acme/m\n",
      code: 'bad-regex',
      line: 5,
      field: 'models.requireProvenance[0].builders[0]',
    },
    {
      name: 'repository that is not a URL',
      yaml: "version: 1\nmodels:\n  requireProvenance:\n    - paths: ['m/**']\n      sourceRepository: acme/models\n",
      code: 'bad-value',
      line: 5,
      field: 'models.requireProvenance[0].sourceRepository',
    },
    {
      name: 'no paths',
      yaml: "version: 1\nmodels:\n  requireProvenance:\n    - builders: ['x']\n      sourceRepository: https://github.com/acme/m\n",
      code: 'missing-key',
      line: 4,
      field: 'models.requireProvenance[0]',
    },
    {
      // gh attestation verify requires --owner or --repo; slsa-verifier --source-uri.
      name: 'builders but no source repository',
      yaml: "version: 1\nmodels:\n  requireProvenance:\n    - paths: ['m/**']\n      builders: ['https://github\\.com/acme/m/\\.github/workflows/release\\.yml@.*']\n",
      code: 'missing-key',
      line: 4,
      field: 'models.requireProvenance[0]: expected sourceRepository',
    },
  ])('$name: exit 2 with the line and field', async ({ name, yaml, code, line, field }) => {
    const file = write(`${name.replace(/\W+/g, '-')}.yml`, yaml);
    const err = await loadPolicy(file, dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PolicyError);
    const pe = err as PolicyError;
    expect(exitCodeForError(pe)).toBe(2);
    expect(pe.problems.map((p) => [p.code, p.line])).toEqual([[code, line]]);
    expect(pe.message).toContain(field);
  });
});
