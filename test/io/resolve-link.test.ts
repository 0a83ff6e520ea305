import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveLinkFrom } from '../../src/io/resolve-link.js';

/** The same answer as realpath(3) on `<dir>/<name>`: the real path, or the error code. */
function byRealpath(dir: string, name: string): string {
  try {
    return realpathSync.native(Buffer.from(`${dir}/${name}`, 'latin1'), { encoding: 'buffer' }).toString('latin1');
  } catch (err) {
    return (err as { code: string }).code;
  }
}

const shown = (r: ReturnType<typeof resolveLinkFrom>): string => (r.kind === 'real' ? r.path : r.code);

describe('resolveLinkFrom agrees with realpath', () => {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'cp-resolve-')));
  const outside = realpathSync(mkdtempSync(path.join(tmpdir(), 'cp-resolve-out-')));
  mkdirSync(path.join(root, 'a/b'), { recursive: true });
  writeFileSync(path.join(root, 'a/b/file'), 'x');
  writeFileSync(path.join(outside, 'secret'), 'x');
  const links: [string, string][] = [
    ['plain', 'a/b/file'],
    ['up', '..'],
    ['chain1', 'chain2'],
    ['chain2', 'a/../a/b/./file'],
    ['abs-in', path.join(root, 'a/b/file')],
    ['abs-out', path.join(outside, 'secret')],
    ['rel-out', path.relative(root, path.join(outside, 'secret'))],
    ['loop1', 'loop2'],
    ['loop2', 'loop1'],
    ['dangling', 'nowhere'],
    ['past-a-file', 'a/b/file/..'],
    ['into-link-dir', 'dirlink/file'],
    ['dirlink', 'a/b'],
    ['\u00ff-latin1', 'a/b/file'],
  ];
  for (const [name, target] of links) symlinkSync(target, path.join(root, name));
  // A link whose name is not UTF-8 (the byte 0xff): paths are byte strings.
  symlinkSync('a/b/file', Buffer.concat([Buffer.from(`${root}/raw`), Buffer.from([0xff])]));

  it.each([...links.map(([name]) => name), `raw\u00ff`])('%s', (name) => {
    const nameKey = name === `raw\u00ff` ? name : Buffer.from(name).toString('latin1');
    const rootKey = Buffer.from(root).toString('latin1');
    expect(shown(resolveLinkFrom(rootKey, nameKey))).toBe(byRealpath(rootKey, nameKey));
    // Knowing the folders real on the way changes nothing but the work.
    expect(shown(resolveLinkFrom(rootKey, nameKey, new Set([rootKey, `${rootKey}/a/b`])))).toBe(
      byRealpath(rootKey, nameKey),
    );
  });
});
