import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { policyCommand } from '../../../src/cli/commands/policy.js';
import { readPolicy } from '../../../src/trust/policy/load.js';
import { runCommand } from '../../helpers/run-command.js';

const BROKEN = 'fixtures/policies/broken';

describe('chainproof policy validate', () => {
  it.each([
    {
      name: 'valid file',
      args: ['fixtures/policies/valid/signers.yml'],
      code: 0,
      out: /^policy fixtures\/policies\/valid\/signers\.yml is valid \(0 suppressions, 0 expired\)\n$/,
    },
    {
      name: 'no file: the embedded default',
      args: ['--root', 'fixtures/policies/keys'],
      code: 0,
      out: /^no policy file found; the embedded default policy is valid/,
    },
    {
      name: 'expired suppression: a warning, exit 0',
      args: [`${BROKEN}/expired-suppression.yml`],
      code: 0,
      out: /^warning: fixtures\/policies\/broken\/expired-suppression\.yml:6:14: suppressions\[0\]\.expires: suppression of CPX005 for models\/legacy\.pt expired on 2020-01-31;/,
    },
  ])('$name', async ({ args, code, out }) => {
    const r = await runCommand(policyCommand, ['policy', 'validate', ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(code);
    expect(r.stdout).toMatch(out);
  });

  it('expired suppression with --strict: exit 2 with file, line and field', async () => {
    const r = await runCommand(policyCommand, ['policy', 'validate', '--strict', `${BROKEN}/expired-suppression.yml`]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toEqual([
      `policy ${BROKEN}/expired-suppression.yml is invalid (1 problem):`,
      `  ${BROKEN}/expired-suppression.yml:6:14: suppressions[0].expires: suppression of CPX005 for models/legacy.pt expired on 2020-01-31; it no longer hides findings (renew it with a new date and reason, or remove it)`,
    ]);
  });

  it.each(['wrong-type-list', 'unknown-key-top', 'bad-regex-subject', 'bad-date-calendar', 'many-problems'])(
    '%s: exit 2, every problem on stderr, nothing on stdout',
    async (name) => {
      const r = await runCommand(policyCommand, ['policy', 'validate', `${BROKEN}/${name}.yml`]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^policy ${BROKEN}/${name}\\.yml is invalid`));
      for (const line of r.stderr.split('\n').slice(1))
        expect(line).toMatch(new RegExp(`^  ${BROKEN}/${name}\\.yml:\\d+:\\d+: \\S+: .+`));
    },
  );

  it('a missing file: exit 2', async () => {
    const r = await runCommand(policyCommand, ['policy', 'validate', 'no/such/policy.yml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('policy file no/such/policy.yml does not exist');
  });

  it('an unknown action is a usage error', async () => {
    const r = await runCommand(policyCommand, ['policy', 'check']);
    expect(r.code).toBe(2);
  });
});

describe('chainproof policy explain', () => {
  it('prints the effective policy with where each value came from', async () => {
    const file = 'fixtures/policies/valid/merge.yml';
    const r = await runCommand(policyCommand, ['policy', 'explain', file]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const commentBefore = (key: string) =>
      lines[lines.findIndex((l) => l.trimStart().startsWith(`${key}:`)) - 1]?.trim();
    expect(commentBefore('dependencies')).toBe(`# ${file}:2, merged over the embedded default`);
    expect(commentBefore('git')).toBe(`# ${file}:7`);
    expect(commentBefore('tarball')).toBe('# embedded default');
    expect(commentBefore('models')).toBe('# embedded default');
    expect(commentBefore('rules')).toBe(`# ${file}:8`);
    // The printed YAML is the effective document itself.
    const loaded = await readPolicy(file, '.');
    expect(parse(r.stdout)).toEqual({ version: 1, ...loaded.effective });
  });

  it('--json prints the loaded policy with resolved paths', async () => {
    const r = await runCommand(policyCommand, ['policy', 'explain', '--json', 'fixtures/policies/valid/signers.yml']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.source).toBe('fixtures/policies/valid/signers.yml');
    expect(p.signatures.signers['p384-key'].key).toBe(path.resolve('fixtures/policies/keys/p384-public.pem'));
  });

  it('without a file: the embedded default, said so', async () => {
    const r = await runCommand(policyCommand, ['policy', 'explain', '--root', 'fixtures/policies/keys']);
    expect(r.stdout.split('\n')[0]).toBe(
      '# Effective chainproof policy: no policy file, so the embedded default applies.',
    );
  });
});
