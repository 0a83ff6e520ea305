import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandName, COMMANDS } from '../../src/cli/commands/index.js';
import { REPO } from '../helpers/cli.js';

describe('lazy commands: each listed entry agrees with the module it loads', () => {
  it('lists every command once', () => {
    const names = COMMANDS.map(commandName);
    expect(names).toEqual(['scan', 'review', 'rules', 'verify', 'registry', 'policy', 'init', 'sarif']);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(COMMANDS.map((c) => ({ name: commandName(c), c })))('$name', async ({ c }) => {
    const mod = await c.load();
    expect(mod.command).toBe(c.command);
    expect(mod.describe).toBe(c.describe);
    expect(typeof mod.handler).toBe('function');
  });
});

/** esbuild's metafile of the built bundle (scripts/bundle-cli.mjs `metafilePath`): each chunk's modules and imports. */
interface BundleMeta {
  readonly outputs: Record<
    string,
    { readonly imports: readonly { readonly path: string; readonly kind: string }[]; readonly inputs: object }
  >;
}
const ENTRY = 'build/cli-bundle/chainproof.mjs';
const meta = (): BundleMeta =>
  JSON.parse(readFileSync(path.join(REPO, 'build', 'cli-bundle.meta.json'), 'utf8')) as BundleMeta;

/** The bundle's entry and the chunks it imports statically are what every start pays for, `--version` included. */
function staticallyLoaded(m: BundleMeta, chunk: string, seen = new Set<string>()): Set<string> {
  if (seen.has(chunk)) return seen;
  seen.add(chunk);
  for (const i of m.outputs[chunk]!.imports)
    if (i.kind === 'import-statement' && i.path in m.outputs) staticallyLoaded(m, i.path, seen);
  return seen;
}

/** The source modules (src/…, node_modules/…) bundled into these chunks. */
const modulesIn = (m: BundleMeta, chunks: Iterable<string>): string[] =>
  [...chunks].flatMap((c) => Object.keys(m.outputs[c]!.inputs));

/** The chunks the entry imports on demand. */
const dynamicImports = (m: BundleMeta): string[] =>
  m.outputs[ENTRY]!.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path);

/** The chunks that hold `module`. */
const holding = (m: BundleMeta, module: string): string[] =>
  Object.keys(m.outputs).filter((c) => module in m.outputs[c]!.inputs);

describe('the bundled CLI loads commands and heavy libraries only when used', () => {
  it('is built (npm run build)', () => {
    expect(existsSync(path.join(REPO, ENTRY))).toBe(true);
  });

  it('is written without the whitespace V8 would scan at every start', () => {
    // scripts/bundle-cli.mjs `minifyWhitespace`: no indented lines (the banner's two lines stand alone).
    const text = readFileSync(path.join(REPO, ENTRY), 'utf8');
    expect(text.split('\n').filter((l) => /^\s/.test(l))).toEqual([]);
  });

  it('start-up code holds no command, stage or heavy library', () => {
    const m = meta();
    const loaded = modulesIn(m, staticallyLoaded(m, ENTRY));
    expect(loaded).toContain('src/cli/main.ts');
    // src/app/version.ts is one constant (the version `--version` prints), not a stage.
    const heavy = loaded.filter(
      (m) =>
        m !== 'src/app/version.ts' &&
        /^node_modules\/(yargs|@sigstore|tuf-js|npm-registry-fetch|ajv|tar|yaml|js-yaml)\/|^src\/(app|deps|models|inspect|verify|registry|trust|report)\//.test(
          m,
        ),
    );
    expect(heavy).toEqual([]);
  });

  it('each command is its own chunk, imported on demand', () => {
    const dynamic = dynamicImports(meta());
    expect(dynamic.length).toBeGreaterThanOrEqual(COMMANDS.length + 1); // + yargs
  });

  it('scan loads no stage, trust loader or heavy library until there is work for it', () => {
    const m = meta();
    const chunk = dynamicImports(m).find((c) => c.startsWith('build/cli-bundle/chunks/scan-'));
    expect(chunk).toBeDefined();
    const loaded = modulesIn(m, staticallyLoaded(m, chunk!));
    expect(loaded).toContain('src/app/stages.ts');
    // The predicates the pipeline asks before loading a stage are all it may hold of the stages' folders (with the
    // refs stage's file-name test, which tells the walk which small sources to keep, and its byte pre-filter, which
    // tells it which of those bytes to keep).
    const light = new Set([
      'src/models/mismatch.ts',
      'src/verify/stage/applies.ts',
      'src/verify/stage/cosign-names.ts', // applies.ts's test for cosign's files beside a blob, by name only
      'src/verify/provenance/names.ts',
      'src/refs/sources.ts',
      'src/refs/prefilter.ts',
      'src/refs/needle-scan.ts', // the pre-filter's one-pass byte scan; its tables are built at the first file
      'src/refs/needle-scan-wasm.ts', // its loop, under 1 KB of WebAssembly compiled at the first file
      'src/refs/needle-buckets.ts', // the bucket of each loader needle, 31 numbers
      'src/refs/wasm.ts', // the runtime's WebAssembly API, or none
      'src/deps/credential-files.ts', // the deps stage's other work: three config file names (CPD168)
      'src/deps/python-inputs.ts', // the Python deps stage's files: lockfiles, index configs, install commands
    ]);
    const heavy = loaded.filter(
      (m) =>
        !light.has(m) &&
        /^node_modules\/(@sigstore|tuf-js|npm-registry-fetch|ajv|tar|yaml|js-yaml|@lezer|@huggingface|node-liblzma|seek-bzip|smol-toml|@yarnpkg|jsonc-parser|semver)\/|^src\/(deps|models|inspect|verify|registry|refs|hash)\/|^src\/trust\/(policy\/(load|schema|validate-schema|document)|registry\/load|sigstore\/root|config\/(ajv|yaml))\.ts$/.test(
          m,
        ),
    );
    expect(heavy).toEqual([]);
  });
});

describe('the bundled scan loads a lockfile parser only for a lockfile of its format', () => {
  it('the deps stage holds no lockfile parser or parsing library', () => {
    const m = meta();
    const stage = holding(m, 'src/deps/stage.ts');
    expect(stage).toHaveLength(1);
    const loaded = modulesIn(m, staticallyLoaded(m, stage[0]!));
    expect(loaded).toContain('src/deps/parsers/index.ts');
    const parsers = loaded.filter((m) =>
      /^node_modules\/(yaml|@yarnpkg|js-yaml)\/|^src\/deps\/parsers\/(npm|npm-lock|npm-v1|yarn-berry|yarn-classic|pnpm|bun)\.ts$/.test(
        m,
      ),
    );
    expect(parsers).toEqual([]);
  });
});

describe('the bundled refs stage loads a grammar only for a language whose files name a loader', () => {
  it('the refs stage holds no parser; each language front end is its own chunk', () => {
    const m = meta();
    const stage = holding(m, 'src/refs/stage.ts');
    expect(stage).toHaveLength(1);
    const loaded = modulesIn(m, staticallyLoaded(m, stage[0]!));
    expect(loaded.filter((m) => /^node_modules\/(@lezer|yaml)\//.test(m))).toEqual([]);
    // Python, JavaScript and config front ends in three different chunks, none holding another's grammar.
    const python = holding(m, 'node_modules/@lezer/python/dist/index.js');
    const javascript = holding(m, 'node_modules/@lezer/javascript/dist/index.js');
    expect(python).toHaveLength(1);
    expect(javascript).toHaveLength(1);
    expect(python[0]).not.toBe(javascript[0]);
  });
});
