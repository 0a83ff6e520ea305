#!/usr/bin/env node
// Type-check and lint with ONE TypeScript program, in one process.
//
// `tsc --noEmit` and eslint's type-aware rules each used to build their own program over the same ~1,100 files:
// parsing, binding and checking twice. Here the program tsc would build (from tsconfig.json) is type-checked in full
// first, then handed to typescript-eslint through `parserOptions.programs` (its useProvidedPrograms path), so every
// type a rule asks for is already in the checker's cache and no file is parsed a second time.
//
// Exit 1 when there is any type error or any eslint error or warning (`--max-warnings 0`); the type check runs to the
// end before lint, so both reports print. Flags: --cache (eslint's content-keyed result cache, as `npm test` uses).
import { rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

// require, not `import ts from 'typescript'`: importing a CommonJS module from ESM first scans its source for named
// exports (Node's cjs-module-lexer), which for typescript.js (9 MB) cost 0.65 s of CPU for nothing (0.27-0.38 s
// required against 0.89-1.07 s imported, three runs each); typescript-eslint requires the same instance.
const ts = createRequire(import.meta.url)('typescript');

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// A folder (the trailing separator), as `npm run lint`'s --cache-location names it: path.join drops a trailing ''
// and eslint then wrote a file where `npm run lint` makes a folder (EEXIST after the other had run). A file left by
// that is removed once.
const ESLINT_CACHE = path.join(REPO, 'node_modules', '.cache', 'eslint') + path.sep;
if (statSync(ESLINT_CACHE.slice(0, -1), { throwIfNoEntry: false })?.isFile()) rmSync(ESLINT_CACHE.slice(0, -1));

const formatHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => REPO,
  getNewLine: () => '\n',
};

/** The program `tsc -p tsconfig.json` builds, or the config's own errors. */
function createProgram() {
  const configErrors = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(REPO, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => configErrors.push(d) },
  );
  if (parsed === undefined) return { program: undefined, diagnostics: configErrors };
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    projectReferences: parsed.projectReferences,
    configFileParsingDiagnostics: parsed.errors,
  });
  // What `tsc --noEmit` reports: config, options, syntax, global and semantic diagnostics of every file.
  return { program, diagnostics: [...configErrors, ...ts.getPreEmitDiagnostics(program)] };
}

async function lint(program, useCache) {
  const eslint = new ESLint({
    cwd: REPO,
    ...(useCache ? { cache: true, cacheStrategy: 'content', cacheLocation: ESLINT_CACHE } : {}),
    overrideConfig: {
      languageOptions: {
        parserOptions: {
          projectService: false,
          // eslint hashes the resolved config for its cache key: a Program cannot be serialised, so name it instead.
          programs: Object.assign([program], { toJSON: () => 'tsconfig.json' }),
        },
      },
    },
  });
  const results = await eslint.lintFiles(['.']);
  const formatter = await eslint.loadFormatter('stylish');
  const problems = results.reduce((n, r) => n + r.errorCount + r.warningCount + r.fatalErrorCount, 0);
  return { text: await formatter.format(results), problems, files: results.length };
}

const { program, diagnostics } = createProgram();
if (diagnostics.length > 0) process.stdout.write(ts.formatDiagnostics(diagnostics, formatHost));
process.stdout.write(`typecheck: ${diagnostics.length} error(s)\n`);
if (program === undefined) process.exit(1);

const linted = await lint(program, process.argv.includes('--cache'));
process.stdout.write(linted.text);
process.stdout.write(`eslint: ${linted.files} file(s), ${linted.problems} problem(s)\n`);
if (diagnostics.length > 0 || linted.problems > 0) process.exitCode = 1;
