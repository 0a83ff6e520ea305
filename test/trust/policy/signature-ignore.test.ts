import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { parsePolicy } from '../../../src/trust/policy/load.js';

// A requirement needs a signer defined (validate-semantic.ts): one keyless signer, after the requirement.
const SIGNER =
  '  signers:\n    ci: {kind: sigstore, issuer: "https://token.actions.githubusercontent.com", subject: "https://github.com/acme/m/.github/workflows/sign.yml@refs/heads/main"}\n';

describe('signatures.require[].ignore', () => {
  it('loads ignore globs for a signed model folder', async () => {
    const loaded = await parsePolicy(
      'version: 1\nsignatures:\n  require:\n    - paths: ["models/**"]\n      ignore: ["ignore-me", "*.md"]\n' + SIGNER,
      'policy.yml',
      '/tmp',
    );
    expect(loaded.policy.signatures.require[0]?.ignore).toEqual(['ignore-me', '*.md']);
  });

  it('rejects a non-list ignore with the field named', async () => {
    const err = await parsePolicy(
      'version: 1\nsignatures:\n  require:\n    - paths: ["models/**"]\n      ignore: 3\n' + SIGNER,
      'policy.yml',
      '/tmp',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/policy\.yml:5:\d+: signatures\.require\[0\]\.ignore/);
  });
});
