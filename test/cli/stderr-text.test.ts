import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorText } from '../../src/cli/error-text.js';
import { ConfigError, UsageError } from '../../src/core/errors.js';
import { runMain } from '../helpers/cli.js';
import { tempTrees } from '../helpers/temp-tree.js';

/**
 * What the CLI writes to standard error is logged by CI like its reports: a file name from the scanned tree must not
 * start a line of its own there (a `::error::` workflow command), and a URL's credentials are masked there too.
 */
const tree = tempTrees('chainproof-stderr-');

describe('errorText', () => {
  it.each([
    {
      name: 'a newline in the file a config error names is escaped',
      err: new ConfigError(
        'registry r/a\n::error::x.yml is invalid:\n  r/a\n::error::x.yml:1:1: bad',
        'r/a\n::error::x.yml',
      ),
      want: 'registry r/a\\x0a::error::x.yml is invalid:\n  r/a\\x0a::error::x.yml:1:1: bad',
    },
    { name: 'ANSI escapes are escaped', err: new UsageError('bad \u001b[2J value'), want: 'bad \\x1b[2J value' },
    { name: 'a carriage return is escaped', err: new UsageError('a\rb'), want: 'a\\x0db' },
    {
      name: 'a line of the message starting with ::',
      err: new UsageError('a\n::warning::b'),
      want: 'a\n\\x3a:warning::b',
    },
    {
      name: 'credentials in an invalid URL',
      err: new UsageError('got "ht!tp://u:SECRET0005@x/"'),
      want: 'got "ht!tp://***@x/"',
    },
    {
      name: 'credentials holding @',
      err: new Error('fetch https://u:SECRET@0006@h/x'),
      want: 'fetch https://***@h/x',
    },
  ])('$name', ({ err, want }) => {
    expect(errorText(err)).toBe(want);
  });
});

describe('the CLI error line', () => {
  beforeAll(async () => {
    await import('../../src/cli/commands/scan.js');
  }, 300_000);

  it('a trusted-registry file named with a newline and ::error:: forges no line', async () => {
    const dir = tree({ 'README.md': '# x\n' });
    mkdirSync(path.join(dir, 'trusted-registry'));
    writeFileSync(path.join(dir, 'trusted-registry', 'a\n::error file=x::forged\n.yml'), 'version: 1\nfoo: [\n');
    const r = await runMain(['scan', dir, '--offline', '--no-cache']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('trusted-registry/a\\x0a::error file=x::forged\\x0a.yml');
    expect(r.stderr.split('\n').filter((l) => l.trimStart().startsWith('::'))).toEqual([]);
  });

  it('a policy value with credentials in a URL that is not one is masked', async () => {
    const dir = tree({ 'README.md': '# x\n' });
    const policy = path.join(dir, 'policy.yml');
    writeFileSync(policy, 'version: 1\ndependencies:\n  allowedRegistries:\n    - "ht!tp://u:SECRET0007@x/"\n');
    const r = await runMain(['scan', dir, '--offline', '--no-cache', '-p', policy]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('dependencies.allowedRegistries[0]');
    expect(r.stderr).not.toContain('SECRET');
  });
});
