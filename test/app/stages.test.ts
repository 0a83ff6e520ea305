import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { ScanContext } from '../../src/core/context.js';
import type { Stage, StageInput } from '../../src/core/stage.js';
import { lazyStage } from '../../src/app/lazy-stage.js';
import { ANALYSER_NAMES, STAGES } from '../../src/app/stages.js';
import { loadTrust } from '../../src/app/trust.js';
import { depsStage } from '../../src/deps/stage.js';
import { pythonDepsStage } from '../../src/deps/parsers/python/stage.js';
import { ANALYSERS } from '../../src/inspect/analysers.js';
import { inspectStage } from '../../src/inspect/stage.js';
import { modelsStage } from '../../src/models/stage.js';
import { refsStage } from '../../src/refs/stage.js';
import { pypiStage } from '../../src/registry/pypi/stage.js';
import { registryStage } from '../../src/registry/stage.js';
import { provenanceStage } from '../../src/verify/provenance/stage.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { scanAsCli } from '../helpers/scan.js';

const REPO = path.resolve(import.meta.dirname, '../..');

/** The same pipeline with every stage loaded up front: what STAGES was before stages loaded lazily. */
const EAGER: readonly Stage[] = [
  depsStage,
  registryStage,
  pythonDepsStage,
  pypiStage,
  modelsStage,
  provenanceStage,
  refsStage,
  inspectStage,
  signaturesStage,
];

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-stages-'));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return dir;
}

const scan = (root: string, stages: readonly Stage[]) => scanAsCli(root, { stages });
const asWritten = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('lazy stages change nothing: the same result (findings, records, I/O) as every stage loaded', () => {
  it.each([
    { name: 'an empty folder', root: () => tree({}) },
    { name: 'a README only', root: () => tree({ 'README.md': '# nothing here\n' }) },
    { name: 'the demo project', root: () => Promise.resolve(path.join(REPO, 'fixtures/demo-project')) },
    {
      name: 'an npm lockfile alone',
      root: () => Promise.resolve(path.join(REPO, 'fixtures/lockfiles/cases/install-script.v3')),
    },
    { name: 'a Python lockfile', root: () => Promise.resolve(path.join(REPO, 'fixtures/python/cases/malicious-uv')) },
    {
      name: 'source with model references',
      root: () => Promise.resolve(path.join(REPO, 'fixtures/refs/projects/hf-training')),
    },
    { name: 'pickles', root: () => Promise.resolve(path.join(REPO, 'fixtures/models-malicious/class1')) },
    { name: 'an archive chainproof cannot open', root: () => tree({ 'weights.7z': 'not really' }) },
    { name: 'a disguised file', root: () => tree({ 'notes.txt': '\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00N.' }) },
    { name: 'a detached signature', root: () => tree({ 'a.bin': 'x', 'a.bin.sigstore.json': '{"broken":' }) },
    {
      name: 'a package.json with no lockfile',
      root: () => tree({ 'package.json': '{ "dependencies": { "a": "github:evil/a" } }' }),
    },
    { name: 'a model alone (no provenance to check)', root: () => tree({ 'm.gguf': 'GGUF\x03\x00\x00\x00' }) },
    {
      name: 'a model beside an in-toto attestation',
      root: () => tree({ 'm.gguf': 'GGUF\x03\x00\x00\x00', 'm.gguf.intoto.jsonl': '{"not":"a bundle"}\n' }),
    },
    {
      name: 'a model under an attestations folder',
      root: () => tree({ 'w/m.gguf': 'GGUF\x03\x00\x00\x00', 'w/attestations/sha256:ab.jsonl': '{"broken":\n' }),
    },
  ])('$name', async ({ root }) => {
    const dir = await root();
    const lazy = await scan(dir, STAGES);
    const eager = await scan(dir, EAGER);
    // Compared as written out: a deferred finding holds its rule's wording, which may be a function made per scan
    // (deps/checks/finding.ts PackageWhat), so two equal results need not hold the same function objects.
    expect(asWritten(lazy)).toEqual(asWritten(eager));
  });
});

describe('the pipeline knows what the inspect stage reads without loading it', () => {
  it('ANALYSER_NAMES lists every analyser, in order', () => {
    expect(ANALYSER_NAMES).toEqual(ANALYSERS.map((a) => a.name));
  });

  it('STAGES are the stages, in order', () => {
    expect(STAGES.map((s) => s.name)).toEqual(EAGER.map((s) => s.name));
  });
});

describe('lazyStage', () => {
  const input: StageInput = { files: [], skipped: [], graphs: [], models: [] };
  const ctx = (prepare?: () => Promise<void>) =>
    ({ trust: { ...(prepare ? { prepareSigstore: prepare } : {}) } }) as unknown as ScanContext;

  it('loads nothing and returns nothing when the stage has no work', async () => {
    const load = vi.fn(() => Promise.reject(new Error('must not load')));
    const prepare = vi.fn(() => Promise.resolve());
    const s = lazyStage({ name: 'x', hasWork: () => false, load, readsSigstore: true });
    expect(await s.run(input, ctx(prepare))).toEqual({});
    expect(load).not.toHaveBeenCalled();
    expect(prepare).not.toHaveBeenCalled();
  });

  it('loads the stage once, prepares Sigstore when the stage reads it, and runs it', async () => {
    const real: Stage = { name: 'x', run: () => Promise.resolve({ failClosed: 'ran' }) };
    const load = vi.fn(() => Promise.resolve(real));
    const prepare = vi.fn(() => Promise.resolve());
    const s = lazyStage({ name: 'x', hasWork: () => true, load, readsSigstore: true });
    expect(await s.run(input, ctx(prepare))).toEqual({ failClosed: 'ran' });
    expect(await s.run(input, ctx(prepare))).toEqual({ failClosed: 'ran' });
    expect(load).toHaveBeenCalledTimes(1);
    expect(prepare).toHaveBeenCalledTimes(2);
  });

  it("takes the real stage's covers, so a failure lists what it loses", async () => {
    const real: Stage = {
      name: 'x',
      run: () => Promise.reject(new Error('boom')),
      covers: () => ['only-this'],
    };
    const s = lazyStage({ name: 'x', hasWork: () => true, load: () => Promise.resolve(real) });
    await expect(s.run(input, ctx())).rejects.toThrow('boom');
    expect([...s.covers!(input)]).toEqual(['only-this']);
  });
});

describe('prefetch: slow work starts while earlier stages run, and changes no result', () => {
  const input: StageInput = { files: [], skipped: [], graphs: [], models: [] };
  const ctx = {} as ScanContext;

  it('lazyStage loads a stage with work and hands on to its prefetch; without work it loads nothing', async () => {
    const prefetch = vi.fn(() => Promise.resolve());
    const load = vi.fn(() => Promise.resolve({ name: 'x', run: () => Promise.resolve({}), prefetch }));
    await lazyStage({ name: 'x', hasWork: () => true, load }).prefetch!(input, ctx);
    expect(prefetch).toHaveBeenCalledWith(input, ctx);
    const idle = vi.fn(() => Promise.reject(new Error('must not load')));
    await lazyStage({ name: 'y', hasWork: () => false, load: idle }).prefetch!(input, ctx);
    expect(idle).not.toHaveBeenCalled();
  });

  it("a later stage's prefetch runs before an earlier stage finishes; a failing prefetch is ignored", async () => {
    let started!: () => void;
    const laterPrefetched = new Promise<void>((resolve) => (started = resolve));
    const stages: Stage[] = [
      // Would wait forever if the pipeline ran prefetches only after the stages before them.
      { name: 'first', run: async () => (await laterPrefetched, { failClosed: 'first ran' }) },
      { name: 'broken', run: () => Promise.resolve({}), prefetch: () => Promise.reject(new Error('prefetch broke')) },
      { name: 'later', run: () => Promise.resolve({}), prefetch: () => Promise.resolve(started()) },
    ];
    const r = await scan(await tree({}), stages);
    expect(r.failClosed).toEqual(['first ran']);
    expect(r.complete).toBe(true);
    expect(r.findings).toEqual([]);
  });
});

describe('trust material under the embedded default', () => {
  it('builds the Sigstore root only after prepareSigstore, then the embedded public-good one', async () => {
    const trust = await loadTrust(await tree({}), undefined, []);
    expect(() => trust.sigstore).toThrow(/prepareSigstore/);
    await trust.prepareSigstore!();
    expect(trust.sigstore.source).toBe('<embedded Sigstore public-good trusted root>');
    expect(trust.sigstore).toBe(trust.sigstore);
    expect(Object.isFrozen(trust)).toBe(true);
  });
});
