import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { depsStage } from '../../src/deps/stage.js';
import { corpusPath } from '../helpers/corpus.js';
import { CASES, repoWith } from '../deps/helpers.js';
import { scanWith } from '../helpers/scan.js';

/** The deps stage reads every lockfile, package.json and .npmrc through the scan's FileOpener, once each. */
describe('stages read through the I/O edge, and the scan result says how much', () => {
  it.each([
    {
      name: 'a lockfile and its package.json',
      dir: path.join(CASES, 'sources.bun'),
      files: ['bun.lock', 'package.json', 'packages/lib/package.json'],
    },
    { name: 'a lockfile alone', dir: path.join(CASES, 'unknown-version.bun'), files: ['bun.lock'] },
  ])('$name', async ({ dir, files }) => {
    const r = await scanWith(dir, [depsStage]);
    // Each file once: opened once, every byte read once.
    const plugins = { opens: files.length, bytesRead: files.reduce((n, f) => n + statSync(path.join(dir, f)).size, 0) };
    expect(r.io).toEqual({ ...plugins, byKind: { plugins, hash: { opens: 0, bytesRead: 0 } } });
  });

  it('counts a real lockfile read in place from the corpus', async () => {
    const lock = corpusPath('lockfiles', 'bun', 'elysiajs-elysia.bun.lock');
    const root = await repoWith({ 'bun.lock': readFileSync(lock, 'utf8') });
    const r = await scanWith(root, [depsStage]);
    const plugins = { opens: 1, bytesRead: statSync(lock).size };
    expect(r.io).toEqual({ ...plugins, byKind: { plugins, hash: { opens: 0, bytesRead: 0 } } });
  });
});
