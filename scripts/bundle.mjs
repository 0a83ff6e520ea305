// Bundle the GitHub Action: src/action/main.ts → dist/index.js (one ESM file, Node 20+, runs on node24).
// Deterministic: no timestamps, no sourcemap, paths in comments relative to the repository, so
// scripts/check-dist.mjs can rebuild and compare byte for byte.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// `const require = createRequire(import.meta.url)` resolves at run time from the file's own location, which in
// the bundle is dist/ (no node_modules next to it). Dropping the line makes those `require()`s plain ones that
// esbuild resolves and inlines at build time (package.json for the version, @sigstore/tuf's seeds.json).
const CREATE_REQUIRE = /^const require = createRequire\(import\.meta\.url\);$/m;

export const inlineRequires = {
  name: 'inline-create-require',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!CREATE_REQUIRE.test(source)) return undefined;
      return { contents: source.replace(CREATE_REQUIRE, ''), loader: 'ts' };
    });
    // The sources read only the version from the repository's package.json: inline just that, so editing scripts
    // or dependency lists does not change (and stale) the bundles.
    const ownManifest = path.join(REPO, 'package.json');
    build.onLoad({ filter: /[\\/]package\.json$/ }, async (args) => {
      if (path.resolve(args.path) !== ownManifest) return undefined;
      const { name, version } = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

/**
 * src/inspect/containers/lzma-wasm.ts reads liblzma's WASM from node_modules, which the bundle has not beside it:
 * replace that module with the same bytes inlined, so dist/ stays one file.
 */
export const inlineLzmaWasm = {
  name: 'inline-lzma-wasm',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]inspect[\\/]containers[\\/]lzma-wasm\.ts$/ }, async () => {
      const wasm = await readFile(createRequire(import.meta.url).resolve('node-liblzma/wasm/liblzma.wasm'));
      return {
        contents: `const WASM = ${JSON.stringify(wasm.toString('base64'))};\nexport function loadLzmaWasm() { return Buffer.from(WASM, 'base64'); }\n`,
        loader: 'js',
      };
    });
  },
};

/** CommonJS dependencies call require() for Node built-ins; an ESM bundle has none, so give it one. */
export const REQUIRE_BANNER =
  "import { createRequire as __chainproofCreateRequire } from 'node:module';\nconst require = __chainproofCreateRequire(import.meta.url);";

/**
 * seek-bzip (bzip2) and jsonparse (npm-registry-fetch's streamed JSON) call the deprecated `Buffer()` constructor.
 * Node warns about it (DEP0005, on stderr, in the middle of a scan's output) only for callers outside node_modules,
 * which bundled code is. The replacement does what `new Buffer(x, …)` does since Node 8: a zero-filled buffer for a
 * size, `Buffer.from` for anything else.
 */
export const legacyBufferCalls = {
  name: 'legacy-buffer-calls',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/](seek-bzip|jsonparse)[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const shim =
        "var __legacyBuffer = (a, b, c) => (typeof a === 'number' ? Buffer.alloc(a) : Buffer.from(a, b, c));\n";
      return { contents: shim + source.replaceAll('new Buffer(', '__legacyBuffer('), loader: 'js' };
    });
  },
};

/** esbuild options the Action bundle and the CLI bundle (scripts/bundle-cli.mjs) share. */
export const SHARED_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Prefer packages' ES module builds: some `main` builds are UMD wrappers whose run-time require()s of their
  // own files (jsonc-parser) esbuild cannot follow.
  mainFields: ['module', 'main'],
  // Module paths in the bundle's comments stay `node_modules/…` even when node_modules is a symlink
  // (a clean export of the repository for a release build), so the output depends only on the sources.
  preserveSymlinks: true,
  sourcemap: false,
  minify: false,
  // No minification, so names stay as written; keepNames would wrap every function and class in a `__name(…)` call
  // that redefines its `name`, at load and each time a closure is made (python-snippet.ts makes dozens a file): 2.7 %
  // of the instructions of a `scan --no-refs` of bench `refs`'s repository. Only names esbuild renames to keep
  // bundled modules apart (`parse2`) lose their `name`; nothing here reads one.
  keepNames: false,
  legalComments: 'eof',
  // ASCII out (esbuild escapes non-ASCII in strings and regular expressions; comments keep theirs): a module with
  // one character over U+007F is decoded to a two-byte string and scanned as one when V8 compiles it. -22 M
  // instructions on a scan of bench `refs`'s repository, with or without --no-refs.
  charset: 'ascii',
  logLevel: 'warning',
  banner: { js: REQUIRE_BANNER },
};

/** Build into `outdir` (default dist/). Returns the files written, relative to outdir. */
export async function bundle(outdir = path.join(REPO, 'dist')) {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await esbuild.build({
    absWorkingDir: REPO,
    entryPoints: ['src/action/main.ts'],
    outfile: path.join(outdir, 'index.js'),
    ...SHARED_BUILD_OPTIONS,
    plugins: [inlineRequires, inlineLzmaWasm, legacyBufferCalls],
  });
  // dist/ must be ESM whatever package.json says next to it (an action is run from its checkout).
  await writeFile(path.join(outdir, 'package.json'), '{ "type": "module" }\n');
  return ['index.js', 'package.json'];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
  const files = await bundle(out);
  console.log(
    `bundled ${files.join(', ')} into ${path.relative(process.cwd(), out ?? path.join(REPO, 'dist')) || '.'}`,
  );
}
