import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { Argv, CommandModule, Options } from 'yargs';
import { UsageError } from '../../core/errors.js';
import type { ScanOptions } from '../../core/context.js';
import { scanRepository } from '../../app/scan.js';
import { loadTrust } from '../../app/trust.js';
import { renderReportChunks } from '../../app/render.js';
import { stagesForTest } from '../test-hooks.js';
import { EXIT, exitCodeForScan, type FailOn } from '../exit-codes.js';
import { stderrLogger, stderrProgress } from '../logger.js';
import { colorWanted, progressWanted } from '../terminal.js';
import {
  checkOutputFiles,
  pairOutputs,
  reportsWritten,
  textOnStdout,
  writeOutput,
  writeStdout,
  type OutputTarget,
} from '../output.js';
import { plural } from '../../core/plural.js';
import { parseShardSpec } from '../../core/shard.js';
import { parseCategory } from '../category-option.js';
import { baselinedText, notScannedText } from '../../report/text.js';
import { levelRank } from '../../core/finding.js';
import { severityOf } from '../../core/rules/index.js';
import type { ScanResult } from '../../core/result.js';
import { VERSION } from '../version.js';
import { cliOutcome } from '../outcome.js';
import { repositoryPrefix } from '../repository-prefix.js';
import { defaultCacheDir } from '../../app/cache-dir.js';
import type { FastCommand } from '../fast-args.js';
import { SCAN_OPTIONS } from './scan-options.js';
import { parseNpmRegistry } from '../npm-registry-option.js';

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
  /** --color / --no-color; undefined: decided from the terminal (terminal.ts `colorWanted`). */
  color: boolean | undefined;
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
  builder: (y: Argv) =>
    y
      .positional('dir', { type: 'string', default: '.', describe: 'Repository root to scan' })
      .options(SCAN_OPTIONS as Record<string, Options>)
      .example('$0 scan .', 'Scan the current repository with the embedded default policy')
      .example('$0 scan . -f sarif -o out.sarif -f text', 'Write SARIF for code scanning and text to the terminal')
      .example('$0 scan . -p strict.yml --fail-on warning', 'Fail on warnings under a stricter policy')
      .example(
        '$0 scan . --offline --shard 2/4',
        'Second of four matrix jobs, with no network',
      ) as unknown as Argv<ScanArgs>,
  handler: async (argv) => {
    cliOutcome.exitCode = await runScan(argv);
  },
};

/** `chainproof scan` without yargs for plain invocations (src/cli/main.ts); same table, same handler. */
export const scanFast: FastCommand = {
  positionals: [{ name: 'dir', default: '.' }],
  options: SCAN_OPTIONS,
  run: async (args) => {
    cliOutcome.exitCode = await runScan(args as unknown as ScanArgs);
  },
};

export async function runScan(argv: ScanArgs): Promise<number> {
  const root = path.resolve(argv.dir);
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new UsageError(`${argv.dir} is not a directory`);
  const targets = pairOutputs(argv.format, argv.output);
  await checkOutputFiles(targets);
  const shard = parseShardSpec(argv.shard, '--shard');
  const category = parseCategory(argv.category);
  const npmRegistry = parseNpmRegistry(argv['npm-registry']);
  if (!Number.isInteger(argv.concurrency) || argv.concurrency < 1)
    throw new UsageError('--concurrency must be a whole number of at least 1');
  const logger = stderrLogger({ quiet: argv.quiet, verbose: argv.verbose });
  const trust = await loadTrust(root, argv.policy, argv.registry);
  const baseline =
    argv.baseline !== undefined
      ? await (await import('../../report/baseline.js')).loadBaseline(argv.baseline)
      : undefined;
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
    registry: npmRegistry,
    shard,
    env,
    ...(argv.refs ? {} : { references: false }),
  };
  const progress = stderrProgress(progressWanted(argv.progress && !argv.quiet, env, process.stderr.isTTY));
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
  if (baseline !== undefined) result = baseline(result);
  const color = colorWanted(argv.color, env, process.stdout.isTTY);
  // SARIF paths relative to the repository, as code scanning reads them (repository-prefix.ts): asked once, only for SARIF.
  const uriPrefix = targets.some((t) => t.format === 'sarif') ? await repositoryPrefix(root) : '';
  for (const t of targets) {
    // Streamed: a report of 300k findings is never held as one string.
    const pieces = renderReportChunks(result, t.format, {
      toolVersion: VERSION,
      color: t.file === undefined && color,
      verbose: argv.verbose,
      uriPrefix,
      ...(category !== undefined ? { category } : {}),
    });
    if (t.file === undefined) await writeStdout(pieces);
    else await writeOutput(t.file, pieces);
  }
  const code = exitCodeForScan(result, argv['fail-on']);
  // Reports only in files or as JSON/SARIF on stdout: a CI log then showed nothing, not even why the step failed.
  if (!textOnStdout(targets)) logger.info(verdictLine(result, argv['fail-on'], code, targets));
  if (!result.complete) logger.warn('the scan is incomplete: a stage failed (CPX020); exiting 4');
  else for (const why of result.failClosed ?? []) logger.warn(`${why} Exiting 3.`);
  return code;
}

/**
 * One line for the log when no text report went to the terminal: the counts, the most severe finding (the pipeline
 * sorts by path, so it is searched for), where the reports are and why the exit code is what it is.
 */
export function verdictLine(
  result: ScanResult,
  failOn: FailOn,
  code: number,
  targets: readonly OutputTarget[],
): string {
  const s = result.summary;
  const counts = `${plural(s.byLevel.error, 'error')}, ${plural(s.byLevel.warning, 'warning')}, ${plural(s.byLevel.note, 'note')}`;
  const worst = mostSevere(result.findings);
  const first =
    worst !== undefined
      ? `; most severe: ${worst.level} ${worst.ruleId} at ${worst.location.path}${worst.location.line !== undefined ? `:${worst.location.line}` : ''}`
      : '';
  const where = reportsWritten(targets);
  const why =
    code === EXIT.findings
      ? `exit 1: findings at or above --fail-on ${failOn}`
      : code === EXIT.ok
        ? `exit 0 (--fail-on ${failOn})`
        : `exit ${code}`;
  return `chainproof: ${counts}${baselinedText(s.baselined)} in ${plural(s.files, 'file')}${notScannedText(result.skipped.length, result.unwalked?.length)}${first}${where}; ${why}.`;
}

/**
 * The finding the verdict line names: the highest level, and within it the rule of the highest SARIF
 * `security-severity` (the order code scanning ranks alerts by); equals keep the report's order (by path). The first
 * error by path named a requirements.txt missing a hash (7.0) over a pickle that runs `os.system` on load (9.8).
 */
function mostSevere(findings: ScanResult['findings']): ScanResult['findings'][number] | undefined {
  let worst = findings[0];
  for (const f of findings) {
    if (worst === undefined) break;
    const rank = levelRank(f.level) - levelRank(worst.level);
    if (rank > 0 || (rank === 0 && severityOf(f.ruleId) > severityOf(worst.ruleId))) worst = f;
  }
  return worst;
}

export function parseShard(raw: string | undefined): { index: number; count: number } | undefined {
  return parseShardSpec(raw, '--shard');
}
