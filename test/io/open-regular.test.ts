import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locateInRoot } from '../../src/io/open-regular.js';

/** root/ holds a file, a folder and links; outside/ is beside it. */
const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'cp-locate-')));
const root = path.join(base, 'root');
mkdirSync(path.join(root, 'dir'), { recursive: true });
mkdirSync(path.join(base, 'outside'));
writeFileSync(path.join(root, 'a.npy'), 'x');
writeFileSync(path.join(base, 'outside', 'b.npy'), 'x');
symlinkSync(path.join(root, 'a.npy'), path.join(root, 'link-in.npy'));
symlinkSync(path.join(base, 'outside', 'b.npy'), path.join(root, 'link-out.npy'));
symlinkSync(path.join(root, 'gone.npy'), path.join(root, 'dangling.npy'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('locateInRoot: a path named by scanned content, resolved as opening it would', () => {
  it.each([
    { name: 'a regular file', rel: 'a.npy', want: 'file', real: 'a.npy' },
    { name: 'a symlink to a file inside the root', rel: 'link-in.npy', want: 'file', real: 'a.npy' },
    { name: 'a missing file', rel: 'none.npy', want: 'missing' },
    { name: 'a dangling symlink', rel: 'dangling.npy', want: 'missing' },
    { name: 'a symlink out of the root', rel: 'link-out.npy', want: 'symlink-outside-root' },
    { name: 'a folder', rel: 'dir', want: 'not-regular-file' },
  ])('$name: $want', async ({ rel, want, real }) => {
    const got = await locateInRoot(root, path.join(root, rel));
    expect(got.kind).toBe(want);
    if (got.kind === 'file') expect(got.real).toBe(path.join(root, real!));
  });
});
