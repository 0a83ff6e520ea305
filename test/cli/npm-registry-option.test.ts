import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';
import { tempTrees } from '../helpers/temp-tree.js';

/**
 * `--npm-registry` is checked before the scan starts: anything but an http(s) URL exits 2 with one line naming the
 * flag (red-team rt2 item 7: `not a url` exited 4 from the registry stage with a lockfile, and was accepted offline
 * or without one; `file:///etc/passwd` was accepted). Credentials in the value are never echoed.
 */
const tree = tempTrees('chainproof-npm-registry-');

describe('--npm-registry', () => {
  let withLock: string;
  let empty: string;
  beforeAll(async () => {
    // The first in-process call compiles the CLI and every stage: outside the cases.
    await import('../../src/cli/commands/scan.js');
    withLock = tree({});
    copyFileSync(
      corpusPath('lockfiles', 'sigstore-js.v3-workspaces.package-lock.json'),
      path.join(withLock, 'package-lock.json'),
    );
    empty = tree({ 'README.md': '# nothing\n' });
  }, 300_000);

  it.each([
    { name: 'not a URL, with a lockfile', value: 'not a url', offline: false, lock: true, shown: '"not a url"' },
    { name: 'not a URL, without a lockfile', value: 'not a url', offline: false, lock: false, shown: '"not a url"' },
    { name: 'not a URL, offline', value: 'not a url', offline: true, lock: true, shown: '"not a url"' },
    { name: 'a file: URL', value: 'file:///etc/passwd', offline: true, lock: true, shown: '"file:///etc/passwd"' },
    { name: 'an ftp: URL', value: 'ftp://registry.example/', offline: true, lock: false, shown: 'ftp://' },
    { name: 'no host', value: 'https://', offline: true, lock: false, shown: '"https://"' },
    {
      name: 'credentials in a bad scheme',
      value: 'ftp://user:SECRET0001@registry.example/',
      offline: true,
      lock: false,
      shown: '"ftp://***@registry.example/"',
    },
    {
      name: 'credentials behind a scheme that is not one',
      value: 'ht!tp://user:SECRET0004@registry.example/',
      offline: true,
      lock: false,
      shown: '"ht!tp://***@registry.example/"',
    },
    {
      name: 'credentials without a scheme',
      value: 'tok:SECRET0002@registry.example',
      offline: false,
      lock: true,
      shown: '"***@registry.example"',
    },
  ])('$name → exit 2, one line', async ({ value, offline, lock, shown }) => {
    const dir = lock ? withLock : empty;
    const r = await runMain(['scan', dir, '--npm-registry', value, '--no-cache', ...(offline ? ['--offline'] : [])]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--npm-registry: expected an http(s) URL, got ');
    expect(r.stderr).toContain(shown);
    expect(r.stderr).not.toMatch(/SECRET/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('review checks it the same way', async () => {
    const r = await runMain(['review', empty, '--base', 'HEAD', '--npm-registry', 'file:///etc/passwd']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('--npm-registry: expected an http(s) URL, got "file:///etc/passwd"');
  });

  it.each(['https://registry.npmjs.org/', 'http://user:SECRET0003@127.0.0.1:9/'])(
    '%s is accepted (offline: nothing is asked)',
    async (value) => {
      const r = await runMain(['scan', empty, '--npm-registry', value, '--offline', '--no-cache', '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/SECRET/);
    },
  );
});
