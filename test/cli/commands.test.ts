import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/**
 * The bundle's entry and the chunks it imports statically are what every start pays for, `--version` included.
 * esbuild keeps a `// <source path>` comment before each module it inlines, so the loaded code can be named.
 */
function staticallyLoaded(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const text = readFileSync(entry, 'utf8');
  for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.[^"]+)";/gms))
    staticallyLoaded(path.resolve(path.dirname(entry), m[1]!), seen);
  return seen;
}

describe('the bundled CLI loads commands and heavy libraries only when used', () => {
  const entry = path.join(REPO, 'build', 'cli-bundle', 'chainproof.mjs');

  it('is built (npm run build)', () => {
    expect(existsSync(entry)).toBe(true);
  });

  it('start-up code holds no command, stage or heavy library', () => {
    const files = [...staticallyLoaded(entry)];
    const modules = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)]);
    const loaded = modules.map((m) => m[1]!);
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
    const text = readFileSync(entry, 'utf8');
    const dynamic = [...text.matchAll(/await import\("(\.\/chunks\/[^"]+)"\)/g)].map((m) => m[1]);
    expect(dynamic.length).toBeGreaterThanOrEqual(COMMANDS.length + 1); // + yargs
  });

  it('scan loads no stage, trust loader or heavy library until there is work for it', () => {
    const text = readFileSync(entry, 'utf8');
    const chunk = /await import\("(\.\/chunks\/scan-[^"]+)"\)/.exec(text)?.[1];
    expect(chunk).toBeDefined();
    const files = [...staticallyLoaded(path.resolve(path.dirname(entry), chunk!))];
    const loaded = files.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].map((m) => m[1]!),
    );
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
    const dir = path.join(REPO, 'build', 'cli-bundle', 'chunks');
    const stage = readdirSync(dir).find((f) =>
      /^\/\/ src\/deps\/stage\.ts$/m.test(readFileSync(path.join(dir, f), 'utf8')),
    );
    expect(stage).toBeDefined();
    const loaded = [...staticallyLoaded(path.join(dir, stage!))].flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].map((m) => m[1]!),
    );
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
    const dir = path.join(REPO, 'build', 'cli-bundle', 'chunks');
    const holding = (module: string) =>
      readdirSync(dir).filter((f) => new RegExp(`^// ${module}$`, 'm').test(readFileSync(path.join(dir, f), 'utf8')));
    const stage = holding('src/refs/stage\\.ts');
    expect(stage).toHaveLength(1);
    const loaded = [...staticallyLoaded(path.join(dir, stage[0]!))].flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].map((m) => m[1]!),
    );
    expect(loaded.filter((m) => /^node_modules\/(@lezer|yaml)\//.test(m))).toEqual([]);
    // Python, JavaScript and config front ends in three different chunks, none holding another's grammar.
    const python = holding('node_modules/@lezer/python/dist/index\\.js');
    const javascript = holding('node_modules/@lezer/javascript/dist/index\\.js');
    expect(python).toHaveLength(1);
    expect(javascript).toHaveLength(1);
    expect(python[0]).not.toBe(javascript[0]);
  });
});
