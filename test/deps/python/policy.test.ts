import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/trust/policy/index.js';
import { parsePolicy } from '../../../src/trust/policy/load.js';

describe('dependencies.python in the policy', () => {
  it('the README example loads into policy.dependencies.python', async () => {
    const text = [
      'version: 1',
      'dependencies:',
      '  python:',
      '    requireHashes: true',
      "    indexes: ['https://download.pytorch.org/whl/', 'https://pypi.corp.example/simple/']",
      '    requireProvenance:',
      "      - packages: ['sigstore', 'pypi-attestations']",
      '        publishers:',
      "          - { kind: GitHub, repository: 'trailofbits/pypi-attestations', workflow: 'release\\.yml' }",
      '',
    ].join('\n');
    const { policy } = await parsePolicy(text, 'chainproof.yml', '/tmp');
    expect(policy.dependencies.python).toEqual({
      requireHashes: true,
      indexes: ['https://download.pytorch.org/whl/', 'https://pypi.corp.example/simple/'],
      requireProvenance: [
        {
          packages: ['sigstore', 'pypi-attestations'],
          publishers: [{ kind: 'GitHub', repository: 'trailofbits/pypi-attestations', workflow: 'release\\.yml' }],
        },
      ],
    });
  });

  it.each([
    ['an unknown key', 'version: 1\ndependencies:\n  python:\n    requireHash: true\n'],
    [
      'an unknown publisher kind',
      'dependencies:\n  python:\n    requireProvenance:\n      - packages: [x]\n        publishers: [{ kind: Bitbucket }]\n',
    ],
    ['no packages', 'version: 1\ndependencies:\n  python:\n    requireProvenance:\n      - publishers: []\n'],
  ])('%s is a policy error naming the line', async (_name, text) => {
    const err = await parsePolicy(text, 'chainproof.yml', '/tmp').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    expect(String((err as Error).message)).toMatch(/chainproof\.yml:\d+/);
  });

  it('the default python section allows the project-run indexes and nothing else', async () => {
    const { policy } = await parsePolicy('version: 1\n', 'chainproof.yml', '/tmp');
    expect(policy.dependencies.python).toEqual({
      indexes: ['https://download.pytorch.org/whl/', 'https://pypi.nvidia.com/'],
    });
    // A policy's own python settings merge key by key: requireHashes alone keeps the default indexes.
    const merged = await parsePolicy(
      'version: 1\ndependencies:\n  python:\n    requireHashes: true\n',
      'c.yml',
      '/tmp',
    );
    expect(merged.policy.dependencies.python?.indexes).toHaveLength(2);
  });
});
