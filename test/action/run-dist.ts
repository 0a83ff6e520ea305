import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from '../helpers/cli.js';

export const DIST = path.join(REPO, 'dist', 'index.js');

export interface DistRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
  readonly workspace: string;
}

/** A workspace like a runner's checkout: the demo project copied under `app/`, plus what a test adds. */
export function makeWorkspace(extra: Record<string, string> = {}): string {
  const ws = mkdtempSync(path.join(tmpdir(), 'chainproof-ws-'));
  cpSync(path.join(REPO, 'fixtures', 'demo-project'), path.join(ws, 'app'), { recursive: true });
  for (const [rel, text] of Object.entries(extra)) {
    mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
    writeFileSync(path.join(ws, rel), text);
  }
  return ws;
}

/**
 * Run the committed bundle the way the runner does: `node dist/index.js` with the inputs as `INPUT_*` variables
 * (names as GitHub derives them), GITHUB_WORKSPACE as the working directory, and GITHUB_OUTPUT /
 * GITHUB_STEP_SUMMARY as files. `command` lets a test run it under another Node (e.g. `npx -y node@24`).
 */
export async function runDist(
  workspace: string,
  inputs: Record<string, string>,
  opts: { command?: readonly string[]; env?: Record<string, string> } = {},
): Promise<DistRun> {
  if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run `npm run bundle`');
  const { env, outputFile, summaryFile } = runnerEnv(workspace, inputs, opts.env);
  const [cmd, ...args] = opts.command ?? [process.execPath];
  // execFile, not spawnSync: a worker blocked for a whole Action run cannot answer vitest's RPC, and on a busy machine
  // its 60 s deadline runs out ("Timeout calling onTaskUpdate", an unhandled error that fails `npm test`). Being
  // asynchronous, a caller now falls under vitest's test timeout: give it one as long as this child's.
  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      cmd!,
      [...args, DIST],
      { cwd: workspace, env, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
  return {
    ...r,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    workspace,
  };
}

/** The environment the runner gives an Action step (inputs as `INPUT_*`), with fresh output and summary files. */
function runnerEnv(workspace: string, inputs: Record<string, string>, extra: Record<string, string> = {}) {
  const runnerDir = mkdtempSync(path.join(tmpdir(), 'chainproof-runner-'));
  const outputFile = path.join(runnerDir, 'output');
  const summaryFile = path.join(runnerDir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: runnerDir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/demo',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    RUNNER_TEMP: runnerDir,
    ...extra,
  };
  for (const [id, value] of Object.entries(inputs)) env[`INPUT_${id.replace(/ /g, '_').toUpperCase()}`] = value;
  return { env, outputFile, summaryFile };
}

/**
 * The same step in-process: `runAction` (what dist/index.js runs) with the runner's environment, its log captured.
 * For cases that test the Action's logic, not its bundling (each bundle run is a process and ~0.5 s of CPU).
 */
export async function runActionInProcess(
  workspace: string,
  inputs: Record<string, string>,
  opts: { env?: Record<string, string> } = {},
): Promise<DistRun> {
  const { runAction } = await import('../../src/action/run.js');
  const { env, outputFile, summaryFile } = runnerEnv(workspace, inputs, opts.env);
  let stdout = '';
  const code = await runAction({ env, write: (text) => void (stdout += text) });
  return {
    code,
    stdout,
    stderr: '',
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    workspace,
  };
}

/** Read GITHUB_OUTPUT the way the runner does: `name<<DELIM` … `DELIM` blocks, or `name=value` lines. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      if (i >= lines.length) throw new Error(`output ${name}: delimiter ${delim} never closes`);
      out[name!] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`malformed GITHUB_OUTPUT line: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** Workflow-command annotations printed on stdout, with properties and message decoded. */
export function parseAnnotations(stdout: string): { level: string; props: Record<string, string>; message: string }[] {
  const decode = (s: string) =>
    s.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const found = [];
  let stopToken: string | undefined;
  for (const line of stdout.split('\n')) {
    // Between ::stop-commands::TOKEN and ::TOKEN:: the runner obeys no command; neither do we.
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop) {
      stopToken = stop[1];
      continue;
    }
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const eq = kv.indexOf('=');
      props[kv.slice(0, eq)] = decode(kv.slice(eq + 1));
    }
    found.push({ level: m[1]!, props, message: decode(m[3]!) });
  }
  return found;
}
