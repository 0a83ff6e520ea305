#!/usr/bin/env node
// Type-check and lint, side by side, in one job.
//
// The type check is TypeScript 7's native compiler (`typescript-native`, the `typescript@7` package under another
// name): the same `tsc -p tsconfig.json --noEmit`, in Go, at about a third of the CPU of TypeScript 5's full check.
// eslint's type-aware rules still need TypeScript 5's JavaScript API (typescript-eslint has no TypeScript 7 support),
// so this process builds that program once (tsconfig.json's files) and hands it to typescript-eslint through
// `parserOptions.programs` (its useProvidedPrograms path): the rules type only the nodes they ask about, and no file is
// parsed twice by eslint. The full TypeScript 5 check (`getPreEmitDiagnostics`) is no longer run here.
//
// Exit 1 when the type check reports anything or eslint has any error or warning (`--max-warnings 0`); both reports
// print. Flags: --cache (eslint's content-keyed result cache, as `npm test` uses).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ESLINT_CACHE = path.join(REPO, 'node_modules', '.cache', 'eslint', '');
const NATIVE_TSC = path.join(REPO, 'node_modules', 'typescript-native', 'bin', 'tsc');

const formatHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => REPO,
  getNewLine: () => '\n',
};

/** `tsc -p tsconfig.json --noEmit` with TypeScript 7: its exit code and output. */
function typecheck() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NATIVE_TSC, '-p', 'tsconfig.json', '--noEmit', '--pretty', 'false'], {
      cwd: REPO,
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (err) => resolve({ code: 127, out: `${out}${String(err)}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), out }));
  });
}

/** The program `tsc -p tsconfig.json` builds (TypeScript 5, for the rules), or the config's own errors. */
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
  return { program, diagnostics: [...configErrors, ...parsed.errors] };
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

const checked = typecheck();
const { program, diagnostics } = createProgram();
if (diagnostics.length > 0) process.stdout.write(ts.formatDiagnostics(diagnostics, formatHost));
const linted = program === undefined ? undefined : await lint(program, process.argv.includes('--cache'));
const tsc = await checked;
process.stdout.write(tsc.out);
process.stdout.write(`typecheck (TypeScript 7): ${tsc.code === 0 ? 'no errors' : `exit ${tsc.code}`}\n`);
if (linted) {
  process.stdout.write(linted.text);
  process.stdout.write(`eslint: ${linted.files} file(s), ${linted.problems} problem(s)\n`);
}
if (tsc.code !== 0 || diagnostics.length > 0 || !linted || linted.problems > 0) process.exitCode = 1;
