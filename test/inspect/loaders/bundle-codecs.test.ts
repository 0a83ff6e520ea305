import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../../..');
const CASES = join(REPO, 'fixtures/loader-cases');
const out = mkdtempSync(join(tmpdir(), 'cp-bundle-codecs-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

type Decompress = (kind: string, data: Buffer, lim: { maxOutput: number; maxRatio: number }) => Buffer;

/**
 * The decoders must survive esbuild the way the Action bundle builds them (scripts/bundle.mjs: ESM, node,
 * module-first main fields, a require banner): the last attempt's lzma-purejs broke the bundle through amdefine;
 * xz and LZMA_Alone now go through node-liblzma's inline WASM build.
 */
/** The bundle's own plugin that inlines liblzma's WASM (scripts/bundle.mjs has no type declarations). */
async function lzmaWasmPlugin(): Promise<esbuild.Plugin> {
  const mod = (await import(pathToFileURL(join(REPO, 'scripts/bundle.mjs')).href)) as {
    inlineLzmaWasm: esbuild.Plugin;
  };
  return mod.inlineLzmaWasm;
}

async function bundledDecompress(): Promise<Decompress> {
  const outfile = join(out, 'compression.mjs');
  await esbuild.build({
    absWorkingDir: REPO,
    entryPoints: ['src/inspect/containers/compression.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    plugins: [await lzmaWasmPlugin()],
    banner: { js: "import { createRequire as __r } from 'node:module';\nconst require = __r(import.meta.url);" },
  });
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  const mod = (await import(pathToFileURL(outfile).href)) as {
    decompress: Decompress;
    loadLzmaDecoder: () => Promise<boolean>;
  };
  // The WASM xz/LZMA_Alone decoder must load from the bundle alone (inlined, no file beside it).
  expect(await mod.loadLzmaDecoder()).toBe(true);
  return mod.decompress;
}

describe('the bundled decoders decode each codec they claim', () => {
  it.each([
    { file: 'evil_zlib.joblib', kind: 'zlib' },
    { file: 'evil_gzip.joblib', kind: 'gzip' },
    { file: 'evil_bz2.joblib', kind: 'bzip2' },
    { file: 'evil_xz.joblib', kind: 'xz' },
    { file: 'evil_lzma.joblib', kind: 'lzma' },
  ])('$kind ($file)', async ({ file, kind }) => {
    const decompress = await bundledDecompress();
    const plain = decompress(kind, readFileSync(join(CASES, file)), { maxOutput: 1 << 20, maxRatio: 1000 });
    // joblib pickles with the highest protocol: PROTO 4 or 5, and the payload names os.system (posix on Linux).
    expect(plain[0]).toBe(0x80);
    expect(plain.toString('latin1')).toMatch(/posix|nt|os/);
  });
});
