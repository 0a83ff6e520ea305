import { availableParallelism } from 'node:os';
import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import type { ScanOptions } from '../../core/context.js';
import { scanRepository } from '../../app/scan.js';
import { loadTrust } from '../../app/trust.js';
import { renderReportChunks } from '../../app/render.js';
import { stagesForTest } from '../test-hooks.js';
import { exitCodeForScan, type FailOn } from '../exit-codes.js';
import { stderrLogger, stderrProgress } from '../logger.js';
import { pairOutputs, writeOutput, writeStdout } from '../output.js';
import { VERSION } from '../version.js';
import { cliOutcome } from '../outcome.js';
import { FORMATS } from '../../report/formats.js';
import { defaultCacheDir } from '../../app/cache-dir.js';

export interface ScanArgs {
  dir: string;
  format: string[];
  output: string[];
  'fail-on': FailOn;
  policy: string | undefined;
  registry: string[];
  'npm-registry': string | undefined;
  offline: boolean;
  concurrency: number;
  quiet: boolean;
  verbose: boolean;
  progress: boolean;
  include: string[];
  exclude: string[];
  'verify-tarballs': boolean;
  cache: boolean;
  'cache-dir': string | undefined;
  shard: string | undefined;
  category: string | undefined;
  baseline: string | undefined;
  refs: boolean;
}

export const scanCommand: CommandModule<object, ScanArgs> = {
  command: 'scan [dir]',
  describe: 'Scan a repository: dependencies, model files, signatures and model content',
  // yargs' inferred option types are wider than ScanArgs (choices, arrays); the handler validates what matters.
  /* eslint-disable @typescript-eslint/no-unnecessary-type-assertion */
  builder: (y: Argv) =>
    y
      .positional('dir', { type: 'string', default: '.', describe: 'Repository root to scan' })
      .option('format', {
        alias: 'f',
        type: 'string',
        array: true,
        default: [],
        describe: `Output format, repeatable: ${FORMATS.join(', ')} (also FORMAT=FILE)`,
      })
      .option('output', {
        alias: 'o',
        type: 'string',
        array: true,
        default: [],
        describe: 'Output file for the --format at the same position ("-" = stdout)',
      })
      .option('fail-on', {
        choices: ['error', 'warning', 'note', 'none'] as const,
        default: 'error' as FailOn,
        describe: 'Exit 1 when a finding is at or above this level',
      })
      .option('policy', {
        alias: 'p',
        type: 'string',
        describe: 'Policy file (default: .chainproof/policy.yml if present, else the embedded default)',
      })
      .option('registry', {
        alias: 'r',
        type: 'string',
        array: true,
        default: [],
        describe: 'Trusted-registry file(s) (default: every file in <dir>/trusted-registry/)',
      })
      .option('npm-registry', {
        type: 'string',
        describe: 'npm registry URL to verify packages against (default: from .npmrc)',
      })
      .option('offline', {
        type: 'boolean',
        default: false,
        describe: 'Make no network request; answer from the cache',
      })
      .option('verify-tarballs', {
        type: 'boolean',
        default: false,
        describe: 'Download package tarballs and check them against the lockfile',
      })
      .option('concurrency', {
        alias: 'j',
        type: 'number',
        default: Math.max(2, availableParallelism() * 2),
        describe: 'Parallel file and network operations',
      })
      .option('include', { type: 'string', array: true, default: [], describe: 'Only scan paths matching these globs' })
      .option('exclude', { type: 'string', array: true, default: [], describe: 'Skip paths matching these globs' })
      .option('cache', {
        type: 'boolean',
        default: true,
        describe: 'Use the digest and registry cache (--no-cache turns it off)',
      })
      .option('cache-dir', {
        type: 'string',
        describe: 'Cache directory (default: $CHAINPROOF_CACHE_DIR, else ~/.cache/chainproof)',
      })
      .option('shard', { type: 'string', describe: 'Handle shard i of n (e.g. 2/4) for a runner matrix' })
      .option('refs', {
        type: 'boolean',
        default: true,
        describe: 'Search source code and config for the models it downloads (--no-refs skips it)',
      })
      .option('category', { type: 'string', describe: 'SARIF automationDetails category' })
      .option('baseline', { type: 'string', describe: 'Previous SARIF: report only findings that are new' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No log lines on stderr' })
      .option('verbose', {
        type: 'boolean',
        default: false,
        describe: 'Debug log lines on stderr; list every package a cause finding covers',
      })
      .option('progress', {
        type: 'boolean',
        default: true,
        describe: 'Progress bar on stderr when it is a terminal (--no-progress)',
      })
      .example('$0 scan .', 'Scan the current repository with the embedded default policy')
      .example('$0 scan . -f sarif -o out.sarif -f text', 'Write SARIF for code scanning and text to the terminal')
      .example('$0 scan . -p strict.yml --fail-on warning', 'Fail on warnings under a stricter policy')
      .example(
        '$0 scan . --offline --shard 2/4',
        'Second of four matrix jobs, with no network',
      ) as unknown as Argv<ScanArgs>,
  /* eslint-enable @typescript-eslint/no-unnecessary-type-assertion */
  handler: async (argv) => {
    cliOutcome.exitCode = await runScan(argv);
  },
};

export async function runScan(argv: ScanArgs): Promise<number> {
  const root = path.resolve(argv.dir);
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new UsageError(`${argv.dir} is not a directory`);
  const targets = pairOutputs(argv.format, argv.output);
  const shard = parseShard(argv.shard);
  if (!Number.isInteger(argv.concurrency) || argv.concurrency < 1)
    throw new UsageError('--concurrency must be a whole number of at least 1');
  const logger = stderrLogger({ quiet: argv.quiet, verbose: argv.verbose });
  const trust = await loadTrust(root, argv.policy, argv.registry);
  const env = process.env;
  const options: ScanOptions = {
    offline: argv.offline,
    concurrency: argv.concurrency,
    verifyTarballs: argv['verify-tarballs'],
    cacheDir: argv.cache
      ? argv['cache-dir'] !== undefined
        ? path.resolve(argv['cache-dir'])
        : defaultCacheDir(env)
      : undefined,
    registry: argv['npm-registry'],
    shard,
    env,
    ...(argv.refs ? {} : { references: false }),
  };
  const progress = stderrProgress(argv.progress && !argv.quiet);
  const stages = stagesForTest(env);
  let result = await scanRepository({
    root,
    trust,
    options,
    include: argv.include,
    exclude: argv.exclude,
    logger,
    ...(progress ? { progress } : {}),
    ...(stages ? { stages } : {}),
  });
  if (argv.baseline !== undefined) {
    const { applyBaseline } = await import('../../report/baseline.js');
    result = await applyBaseline(result, argv.baseline);
  }
  const color = !('NO_COLOR' in env) && process.stdout.isTTY === true;
  for (const t of targets) {
    // Streamed: a report of 300k findings is never held as one string.
    const pieces = renderReportChunks(result, t.format, {
      toolVersion: VERSION,
      color: t.file === undefined && color,
      verbose: argv.verbose,
      ...(argv.category !== undefined ? { category: argv.category } : {}),
    });
    if (t.file === undefined) await writeStdout(pieces);
    else await writeOutput(t.file, pieces);
  }
  if (!result.complete) logger.warn('the scan is incomplete: a stage failed (CPX020); exiting 4');
  else for (const why of result.failClosed ?? []) logger.warn(`${why} Exiting 3.`);
  return exitCodeForScan(result, argv['fail-on']);
}

export function parseShard(raw: string | undefined): { index: number; count: number } | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count)
    throw new UsageError(`--shard must be i/n with 1 <= i <= n, got "${raw}"`);
  return { index, count };
}
