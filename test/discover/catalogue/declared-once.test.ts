import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, FORMAT_IDS, LOCKFILE_FORMATS } from '../../../src/discover/catalogue/index.js';

/**
 * Formats are known in one place. This guard fails when `src/` declares a list of format ids (an array, a Set or a
 * type union holding two or more catalogue ids) or spells a lockfile's file name as a string literal anywhere but
 * the catalogue. Comments are ignored; the exceptions below are homonyms or lines another branch owns.
 */
const SRC = resolve(import.meta.dirname, '../../../src');
const CATALOGUE_DIR = 'discover/catalogue/';

const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  // compression algorithm names, not file formats
  'inspect/containers/compression.ts': ['bzip2,gzip,xz', 'bzip2,xz'],
  'discover/formats/compressed-head.ts': ['bzip2,gzip,lz4,xz'],
  'inspect/containers/inflate-source.ts': ['bzip2,gzip,lz4,xz'],
  // Python module names of the model libraries the pickle judge knows
  'inspect/pickle/known-libraries.ts': ['joblib,keras,numpy'],
  // DependencyGraph kinds (the parser that produced a graph), named like the files they come from
  'core/records.ts': ['pip-requirements,pylock'],
  // Python module names in the gadget table
  'inspect/pickle/danger.ts': ['gzip,pickle'],
  // classifyZip narrows its return type to the zip-based formats; the catalogue test pins what it may return
  'discover/formats/zip-names.ts': ['keras,numpy-npz,pytorch-zip,torch-package,torchscript,zip'],
  // the analyser's own `formats` line; routing ignores it and catalogue.test.ts keeps it equal to the catalogue
  'inspect/formats/keras.ts': ['keras,zip'],
  'inspect/formats/skops.ts': ['skops,zip'],
  // analyser names (the catalogue's `readBy` routing keys), listed so the lazy pipeline can tell whether the inspect
  // stage has work without loading it; a test in test/app keeps the list equal to src/inspect/analysers.ts
  'app/stages.ts': ['chat-template,gguf,keras,keras-h5,onnx,pickle,safetensors,savedmodel,skops,tflite,torch-package'],
  // the same analyser names, each beside the module that loads on its first file (catalogue.test.ts checks them)
  'inspect/analysers.ts': [
    'chat-template,gguf,keras,keras-h5,onnx,pickle,safetensors,savedmodel,skops,tflite,torch-package',
  ],
};

const LOCKFILE_NAMES = CATALOGUE.filter((e) => LOCKFILE_FORMATS.has(e.id)).flatMap((e) => e.names.basenames ?? []);

export interface Stray {
  readonly file: string;
  readonly what: string;
}

/** Format-id lists and lockfile-name literals in one source text. */
export function findStrays(file: string, source: string): Stray[] {
  const ids = new Set<string>(FORMAT_IDS);
  const code = source.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: Stray[] = [];
  const lists = [...code.matchAll(/\[[^[\]]*\]/g), ...code.matchAll(/(['"])[^'"\n]*\1(?:\s*\|\s*(['"])[^'"\n]*\2)+/g)];
  for (const [list] of lists) {
    const found = [...new Set([...list.matchAll(/(['"`])([^'"`\n]*)\1/g)].map((m) => m[2]!).filter((s) => ids.has(s)))];
    if (found.length >= 2) out.push({ file, what: found.sort().join(',') });
  }
  for (const [, , name] of code.matchAll(/(['"`])([^'"`\n]+)\1/g)) {
    if (LOCKFILE_NAMES.includes(name!)) out.push({ file, what: `lockfile name ${name!}` });
  }
  return out;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* sourceFiles(p);
    else if (e.name.endsWith('.ts')) yield p;
  }
}

describe('formats are declared only in the catalogue', () => {
  it('src/ has no other format-id list or lockfile name', () => {
    const strays: Stray[] = [];
    for (const abs of sourceFiles(SRC)) {
      const file = relative(SRC, abs).split('\\').join('/');
      if (file.startsWith(CATALOGUE_DIR)) continue;
      strays.push(
        ...findStrays(file, readFileSync(abs, 'utf8')).filter((s) => !(ALLOWED[file] ?? []).includes(s.what)),
      );
    }
    expect(strays).toEqual([]);
  });

  it.each([
    {
      name: 'a Set of model formats',
      src: "const M = new Set(['pickle', 'safetensors']);",
      want: 'pickle,safetensors',
    },
    { name: 'a union type', src: "type L = 'npm-lockfile' | 'yarn-lockfile';", want: 'npm-lockfile,yarn-lockfile' },
    { name: 'an array over lines', src: "const x = [\n  'gguf',\n  'onnx',\n];", want: 'gguf,onnx' },
    { name: 'a lockfile name', src: "if (base === 'bun.lock') return 1;", want: 'lockfile name bun.lock' },
    { name: 'a lockfile name in a template', src: 'const n = `pnpm-lock.yaml`;', want: 'lockfile name pnpm-lock.yaml' },
  ])('catches $name', ({ src, want }) => {
    expect(findStrays('planted.ts', src).map((s) => s.what)).toEqual([want]);
  });

  it.each([
    { name: 'one id compared', src: "if (f.format === 'pickle') return;" },
    { name: 'ids in a comment', src: "// ['pickle', 'joblib']\n/* 'yarn.lock' */ const a = 1;" },
    { name: 'a name inside a message', src: "throw new Error('not a valid yarn.lock v1');" },
  ])('lets $name pass', ({ src }) => {
    expect(findStrays('planted.ts', src)).toEqual([]);
  });
});
