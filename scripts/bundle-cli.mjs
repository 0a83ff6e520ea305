// Bundle the CLI: src/cli/main.ts → build/cli-bundle/chainproof.mjs plus chunks/, all dependencies included, so the
// npm package has no runtime dependencies (`npm install -g chainproof-*.tgz` needs nothing else) and starts fast.
// ESM with `splitting`: every `import()` in the sources (each command in src/cli/commands/index.ts, yargs in
// src/cli/main.ts) becomes its own chunk, loaded only when that command runs.
import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { inlineLzmaWasm, inlineRequires, REPO, SHARED_BUILD_OPTIONS, legacyBufferCalls } from './bundle.mjs';

/**
 * cliui's ESM entry (what yargs imports) swaps wrap-ansi for a stand-in that cuts lines at the column width, so
 * `--help` broke words mid-word ("revisi / ons"). Its CommonJS entry wraps at word boundaries with wrap-ansi: bundle
 * that one.
 */
const cliuiWordWrap = {
  name: 'cliui-word-wrap',
  setup(build) {
    const cjs = createRequire(path.join(REPO, 'package.json')).resolve('cliui');
    build.onResolve({ filter: /^cliui$/ }, () => ({ path: cjs }));
  },
};

export const CLI_BUNDLE_DIR = path.join(REPO, 'build', 'cli-bundle');

/**
 * esbuild's account of a bundle (each chunk's modules, static and dynamic imports), beside the bundle's folder, not
 * in it: the npm package ships that folder. Paths in it are relative to the repository.
 */
export const metafilePath = (outdir = CLI_BUNDLE_DIR) => `${outdir}.meta.json`;

/** Build into `outdir` (default build/cli-bundle/). Returns the files written, relative to outdir, sorted. */
export async function bundleCli(outdir = CLI_BUNDLE_DIR) {
  await rm(outdir, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: REPO,
    entryPoints: { chainproof: 'src/cli/main.ts' },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    // Same resolution and output choices as the Action bundle (scripts/bundle.mjs says why).
    ...SHARED_BUILD_OPTIONS,
    // No indentation, spaces or line breaks esbuild can drop (names stay as written, so a stack trace still names
    // its functions, at line 1 and a column): V8 scans every byte of each chunk a command loads, and preparses all of
    // it. The loaded JavaScript of a scan is 23 % smaller; measured (cachegrind, node --predictable) on bench `refs`:
    // -41 M instructions loading the chunks of a `scan --no-refs`, -11 M more for the refs stage's 24 chunks, and
    // about -60 M for the whole scan either way. Which module went into which chunk, which esbuild wrote as a
    // `// src/…` comment, is in the metafile written beside the bundle (`metafilePath`).
    minifyWhitespace: true,
    splitting: true,
    metafile: true,
    plugins: [cliuiWordWrap, inlineRequires, inlineLzmaWasm, legacyBufferCalls],
  });
  await writeFile(metafilePath(outdir), JSON.stringify(result.metafile));
  return Object.keys(result.metafile.outputs)
    .map((f) => path.relative(outdir, path.resolve(REPO, f)))
    .sort();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
  const files = await bundleCli(out);
  console.log(
    `bundled the CLI into ${path.relative(process.cwd(), out ?? CLI_BUNDLE_DIR) || '.'} (${files.length} files)`,
  );
}
