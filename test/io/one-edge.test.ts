import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Stages read files through the scan's FileOpener (src/io), asynchronously: a blocking `fs` call inside a stage
 * stalls every other file of the scan. These are the only places that may block, each with its reason.
 */
const ALLOWED = new Map([
  ['src/io/', 'the one I/O edge (async today; a bounded blocking helper would belong here)'],
  ['src/hash/worker-source.ts', 'runs in a hash worker thread, where a blocking read blocks only that thread'],
  [
    'src/discover/walk.ts',
    'the walk runs before any stage, one entry at a time: direct calls cost a tenth of thread-pool round trips',
  ],
  ['src/discover/formats/zip-names.ts', "the walk's zip sniff, on the descriptor the walk holds open"],
  [
    'src/inspect/containers/lzma-wasm.ts',
    "reads node-liblzma's own wasm binary once, when the decoder loads (the Action bundle inlines it)",
  ],
]);

/** Every synchronous function of `node:fs`, from the module itself, so a new one cannot slip past a list. */
const SYNC_FS = Object.keys(fs).filter((k) => k.endsWith('Sync'));
const BLOCKING = new RegExp(`\\b(${SYNC_FS.join('|')})\\b`, 'g');

function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f).split(path.sep).join('/'));
}

/**
 * Code without comments and one-line string literals: a comment may name what the code must not call, and a string
 * may hold another program's text the code compares (yarn's PnP setup block in src/app/review/pnp-runtime.ts).
 */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");
}

/** `file: name` for every blocking fs call outside the allowed places. */
function blockingCalls(files: readonly string[]): string[] {
  return files
    .filter((f) => ![...ALLOWED.keys()].some((a) => f.startsWith(a)))
    .flatMap((f) => [...code(fs.readFileSync(f, 'utf8')).matchAll(BLOCKING)].map((m) => `${f}: ${m[1]}`));
}

describe('one I/O edge: no blocking fs calls in the stages', () => {
  it('knows the synchronous fs functions it looks for', () => {
    expect(SYNC_FS).toEqual(expect.arrayContaining(['readSync', 'openSync', 'readFileSync', 'statSync']));
  });

  it('finds none in src/ outside the allowed places', () => {
    expect(blockingCalls(sources('src'))).toEqual([]);
  });

  it('would find one (the check itself works)', () => {
    const dir = fs.mkdtempSync(path.join(tmpdir(), 'cp-one-edge-'));
    try {
      const f = path.join(dir, 'stage.ts').split(path.sep).join('/');
      fs.writeFileSync(f, "import { readSync } from 'node:fs';\n// statSync in a comment is fine\nreadSync(3, b);\n");
      expect(blockingCalls([f])).toEqual([`${f}: readSync`, `${f}: readSync`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists only allowed places that still exist', () => {
    expect([...ALLOWED.keys()].filter((p) => !fs.existsSync(p))).toEqual([]);
  });
});
