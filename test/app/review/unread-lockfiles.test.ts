import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, reviewHead, reviewWorkTree, type Tree } from './repo.js';

/**
 * A lockfile of a package manager the review does not read (Cargo, Go, Deno, rye…) changed: before, the review saw no
 * change at all and `--gate patch` passed a Cargo major update as a clean patch update. It is CPU030, a warning:
 * the patch and minor gates fail, `any` passes.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const cargo = (v: string) =>
  `version = 3\n\n[[package]]\nname = "serde"\nversion = "${v}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "${'ab'.repeat(32)}"\n`;

async function review(base: Tree, head: Tree, remove: string[] = [], workTree = false) {
  const repo = makeRepo(base, head, remove);
  cleanups.push(repo.cleanup);
  const run = workTree ? reviewWorkTree : reviewHead;
  const [patch, any] = [await run(repo.dir, { gate: 'patch' }), await run(repo.dir, { gate: 'any' })];
  const cpu030 = patch.findings
    .filter((f) => f.ruleId === 'CPU030')
    .map((f) => `${f.location.path}:${f.level}:${String(f.evidence?.['change'])}`);
  return { cpu030, patch: patch.gate?.passed, any: any.gate?.passed };
}

describe('review of a lockfile chainproof does not read', () => {
  it('Cargo.lock across a major version → CPU030 warning; the patch gate fails, any passes', async () => {
    const r = await review({ 'Cargo.lock': cargo('1.0.190') }, { 'Cargo.lock': cargo('2.0.0') });
    expect(r).toEqual({ cpu030: ['Cargo.lock:warning:changed'], patch: false, any: true });
  });

  it('in the working tree (what the Action reviews) too, and in a subfolder', async () => {
    const r = await review({ 'svc/Cargo.lock': cargo('1.0.190') }, { 'svc/Cargo.lock': cargo('1.0.191') }, [], true);
    expect(r.cpu030).toEqual(['svc/Cargo.lock:warning:changed']);
  });

  it('a go.sum added and a deno.lock deleted → one finding each', async () => {
    const r = await review({ 'deno.lock': '{"version":"4"}\n' }, { 'go.sum': 'x v1.0.0 h1:abc=\n' }, ['deno.lock']);
    expect(r.cpu030).toEqual(['deno.lock:warning:deleted', 'go.sum:warning:added']);
  });

  it('an unchanged Cargo.lock beside a changed file → nothing', async () => {
    const r = await review({ 'Cargo.lock': cargo('1.0.190'), 'README.md': 'a' }, { 'README.md': 'b' });
    expect(r).toEqual({ cpu030: [], patch: true, any: true });
  });

  it('a vendored one under node_modules → nothing', async () => {
    const r = await review(
      { 'node_modules/x/Cargo.lock': cargo('1.0.0') },
      { 'node_modules/x/Cargo.lock': cargo('2.0.0') },
    );
    expect(r.cpu030).toEqual([]);
  });
});
