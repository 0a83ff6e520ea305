import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TARBALL_BOUNDS, inspectTarball } from '../../src/registry/tarball.js';
import { sri } from '../helpers/npm-endpoints-server.js';

/** A tar archive built entry by entry, so hostile layouts (`../`, absolute paths) can be written as-is. */
function tarOf(entries: readonly { path: string; body: string; type?: 'File' | 'ContiguousFile' }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.body);
    const h = new Header({ path: e.path, size: data.length, type: e.type ?? 'File', mode: 0o644, mtime: new Date(0) });
    const header = Buffer.alloc(512);
    h.encode(header, 0);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

const pkgJson = (extra: object = {}) => JSON.stringify({ name: 'x', version: '1.0.0', ...extra });

describe('inspectTarball (bounded, never executes anything)', () => {
  it.each([
    {
      name: 'a plain package',
      entries: [{ path: 'package/package.json', body: pkgJson() }],
      want: { problems: [], scripts: [] },
    },
    {
      name: 'install scripts',
      entries: [
        { path: 'package/package.json', body: pkgJson({ scripts: { preinstall: 'a', postinstall: 'b', test: 'c' } }) },
      ],
      want: { problems: [], scripts: ['preinstall', 'postinstall'] },
    },
    {
      name: 'a binding.gyp (implicit node-gyp rebuild)',
      entries: [
        { path: 'package/package.json', body: pkgJson() },
        { path: 'package/binding.gyp', body: '{}' },
      ],
      want: { problems: [], scripts: ['binding.gyp'] },
    },
    {
      name: 'an entry escaping with ../',
      entries: [
        { path: 'package/package.json', body: pkgJson() },
        { path: 'package/../../etc/evil', body: 'x' },
      ],
      want: { problems: [expect.stringContaining('escapes the package folder')], scripts: [] },
    },
    {
      name: 'an absolute entry',
      entries: [
        { path: 'package/package.json', body: pkgJson() },
        { path: '/tmp/evil', body: 'x' },
      ],
      want: { problems: [expect.stringContaining('escapes the package folder')], scripts: [] },
    },
    {
      name: 'no package.json',
      entries: [{ path: 'package/index.js', body: '1' }],
      want: { problems: [expect.stringContaining('no package.json')], scripts: [] },
    },
    {
      name: 'package.json not JSON',
      entries: [{ path: 'package/package.json', body: '{nope' }],
      want: { problems: ['package.json is not valid JSON'], scripts: [] },
    },
  ])('$name', async ({ entries, want }) => {
    const bytes = tarOf(entries);
    const facts = await inspectTarball(Readable.from([bytes]), 'sha512', DEFAULT_TARBALL_BOUNDS);
    expect(facts.integrity).toBe(sri('sha512', bytes));
    expect({ problems: facts.problems, scripts: facts.installScripts }).toEqual(want);
  });

  // What npm installs is what pacote extracts: node-tar with strip: 1 (lib/fetcher.js `[_tarxOptions]`). Each case was
  // extracted that way with the tar this project locks; the package.json it wrote is the one judged here.
  const twice = expect.stringContaining('more than one entry of the archive extracts to its package.json');
  it.each([
    {
      name: './package.json after package/package.json (node-tar strips "." as the first part)',
      entries: [
        { path: 'package/package.json', body: pkgJson() },
        { path: './package.json', body: pkgJson({ scripts: { postinstall: 'x' } }) },
      ],
      want: { problems: [twice], scripts: ['postinstall'] },
    },
    {
      name: './package.json alone is the manifest',
      entries: [
        { path: './package.json', body: pkgJson({ scripts: { install: 'x' } }) },
        { path: 'package/index.js', body: '1' },
      ],
      want: { problems: [], scripts: ['install'] },
    },
    {
      name: 'a ContiguousFile entry is written as a file',
      entries: [
        { path: 'package/package.json', body: pkgJson() },
        {
          path: 'package/package.json',
          body: pkgJson({ scripts: { preinstall: 'x' } }),
          type: 'ContiguousFile' as const,
        },
      ],
      want: { problems: [twice], scripts: ['preinstall'] },
    },
    {
      name: './binding.gyp next to the manifest (node-gyp rebuild)',
      entries: [
        { path: 'package/package.json', body: pkgJson() },
        { path: './binding.gyp', body: '{}' },
      ],
      want: { problems: [], scripts: ['binding.gyp'] },
    },
    {
      name: 'a package.json with a byte order mark (npm strips it)',
      entries: [{ path: 'package/package.json', body: `\uFEFF${pkgJson({ scripts: { postinstall: 'x' } })}` }],
      want: { problems: [], scripts: ['postinstall'] },
    },
    {
      name: 'package.json outside any folder is not written (strip: 1 leaves no name)',
      entries: [
        { path: 'package/package.json', body: pkgJson() },
        { path: 'package.json', body: pkgJson({ scripts: { postinstall: 'x' } }) },
      ],
      want: { problems: [], scripts: [] },
    },
  ])('$name', async ({ entries, want }) => {
    const facts = await inspectTarball(Readable.from([tarOf(entries)]), 'sha512', DEFAULT_TARBALL_BOUNDS);
    expect({ problems: facts.problems, scripts: facts.installScripts }).toEqual(want);
  });

  it('reads on past an entry npm skips (escaping with ../): a later entry may become the installed package.json', async () => {
    const bytes = tarOf([
      { path: 'package/package.json', body: pkgJson() },
      { path: 'package/../../evil', body: 'x'.repeat(4096) },
      { path: './package.json', body: pkgJson({ scripts: { postinstall: 'x' } }) },
    ]);
    // As a registry sends it: in pieces, so the skipped entry is seen before the rest has arrived.
    const pieces = Array.from({ length: Math.ceil(bytes.length / 16) }, (_, i) => bytes.subarray(i * 16, i * 16 + 16));
    const facts = await inspectTarball(Readable.from(pieces), 'sha512', DEFAULT_TARBALL_BOUNDS);
    expect(facts.installScripts).toEqual(['postinstall']);
    expect(facts.problems).toEqual([expect.stringContaining('escapes the package folder'), twice]);
  });

  it.each([
    { name: 'too many entries', bounds: { maxEntries: 2 }, want: 'more than 2 entries' },
    { name: 'too many bytes', bounds: { maxBytes: 100 }, want: 'larger than 100 bytes' },
    { name: 'too many unpacked bytes', bounds: { maxUnpackedBytes: 10 }, want: 'more than 10 bytes unpacked' },
    { name: 'an oversized package.json', bounds: { maxManifestBytes: 5 }, want: 'package.json is larger than 5 bytes' },
  ])('reports a bound hit: $name', async ({ bounds, want }) => {
    const bytes = tarOf([
      { path: 'package/package.json', body: pkgJson() },
      { path: 'package/a.js', body: 'a'.repeat(50) },
      { path: 'package/b.js', body: 'b' },
    ]);
    const facts = await inspectTarball(Readable.from([bytes]), 'sha512', { ...DEFAULT_TARBALL_BOUNDS, ...bounds });
    expect(facts.problems.join('; ')).toContain(want);
  });

  it('reports garbage that is not an archive, and still hashes it', async () => {
    const bytes = Buffer.from('this is not a tarball at all, just text '.repeat(40));
    const facts = await inspectTarball(Readable.from([bytes]), 'sha1', DEFAULT_TARBALL_BOUNDS);
    expect(facts.problems.length).toBeGreaterThan(0);
    expect(facts.integrity).toBe(sri('sha1', bytes));
  });
});
