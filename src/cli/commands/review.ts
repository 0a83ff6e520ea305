import { availableParallelism } from 'node:os';
import path from 'node:path';
import { stat } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import type { ScanOptions } from '../../core/context.js';
import { loadTrust } from '../../app/trust.js';
import { GATE_KINDS, type GateKind } from '../../app/review/gate.js';
import { parseCategory } from '../category-option.js';
import { EXIT, exitCodeForScan, type FailOn } from '../exit-codes.js';
import { stderrLogger } from '../logger.js';
import {
  checkOutputFiles,
  pairOutputs,
  reportsWritten,
  textOnStdout,
  writeOutput,
  type OutputTarget,
} from '../output.js';
import { plural } from '../../core/plural.js';
import type { ReviewResult } from '../../app/review/index.js';
import { VERSION } from '../version.js';
import { repositoryPrefix } from '../repository-prefix.js';
import { cliOutcome } from '../outcome.js';
import { defaultCacheDir } from '../../app/cache-dir.js';
import { parseNpmRegistry } from '../npm-registry-option.js';
import { notComparedError } from '../not-compared-error.js';

export interface ReviewArgs {
  dir: string;
  base: string;
  head: string | undefined;
  gate: GateKind | undefined;
  format: string[];
  output: string[];
  'fail-on': FailOn;
  policy: string | undefined;
  registry: string[];
  'npm-registry': string | undefined;
  offline: boolean;
  'min-release-age': number;
  cache: boolean;
  'cache-dir': string | undefined;
  include: string[];
  exclude: string[];
  category: string | undefined;
  quiet: boolean;
  verbose: boolean;
}

export const reviewCommand: CommandModule<object, ReviewArgs> = {
  command: 'review [dir]',
  describe: 'Review a dependency or model update: what did the change between two git revisions bring in?',
  /* eslint-disable @typescript-eslint/no-unnecessary-type-assertion */
  builder: (y: Argv) =>
    y
      .positional('dir', { type: 'string', default: '.', describe: 'Repository folder (inside a git work tree)' })
      .option('base', {
        type: 'string',
        demandOption: true,
        describe: 'Base git revision (e.g. the pull request base SHA)',
      })
      .option('head', { type: 'string', describe: 'Head git revision (default: the working tree)' })
      .option('gate', {
        choices: GATE_KINDS,
        describe: 'Exit 1 unless the change is a clean update of this kind (patch, minor, any)',
      })
      .option('format', {
        alias: 'f',
        type: 'string',
        array: true,
        default: [],
        describe: 'text, json, sarif, markdown (repeatable; FORMAT=FILE)',
      })
      .option('output', {
        alias: 'o',
        type: 'string',
        array: true,
        default: [],
        describe: 'File for the --format at the same position',
      })
      .option('fail-on', {
        choices: ['error', 'warning', 'note', 'none'] as const,
        default: 'error' as FailOn,
        describe: 'Without --gate: exit 1 when an introduced finding is at or above this level',
      })
      .option('policy', { alias: 'p', type: 'string', describe: 'Policy file (default as for scan)' })
      .option('registry', {
        alias: 'r',
        type: 'string',
        array: true,
        default: [],
        describe: 'Trusted-registry file(s)',
      })
      .option('npm-registry', { type: 'string', describe: 'npm registry URL (default: from .npmrc)' })
      .option('offline', { type: 'boolean', default: false, describe: 'Lockfile questions only; no network request' })
      .option('min-release-age', {
        type: 'number',
        default: 24,
        describe: 'Hours a new version must have been published',
      })
      .option('cache', { type: 'boolean', default: true, describe: 'Use the registry cache (--no-cache turns it off)' })
      .option('cache-dir', {
        type: 'string',
        describe: 'Cache directory (default: $CHAINPROOF_CACHE_DIR, else ~/.cache/chainproof)',
      })
      .option('include', {
        type: 'string',
        array: true,
        default: [],
        describe: 'Only review the lockfiles, model files and references at paths matching these globs',
      })
      .option('exclude', {
        type: 'string',
        array: true,
        default: [],
        describe: 'Changes at paths matching these globs are not reviewed nor gated',
      })
      .option('category', { type: 'string', describe: 'SARIF automationDetails category' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No log lines on stderr' })
      .option('verbose', { type: 'boolean', default: false, describe: 'Debug log lines on stderr' })
      .example('$0 review --base origin/main --gate patch', 'Pass only a clean patch-level update (for auto-merge)')
      .example(
        '$0 review --base "$BASE_SHA" -f markdown=review.md -f sarif=review.sarif',
        'Write the PR comment and SARIF',
      ) as unknown as Argv<ReviewArgs>,
  /* eslint-enable @typescript-eslint/no-unnecessary-type-assertion */
  handler: async (argv) => {
    cliOutcome.exitCode = await runReview(argv);
  },
};

const REVIEW_FORMATS = new Set(['text', 'json', 'sarif', 'markdown']);

export async function runReview(argv: ReviewArgs): Promise<number> {
  const root = path.resolve(argv.dir);
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new UsageError(`${argv.dir} is not a directory`);
  const targets = pairOutputs(argv.format, argv.output);
  for (const t of targets)
    if (!REVIEW_FORMATS.has(t.format))
      throw new UsageError(`review writes text, json, sarif or markdown, not ${t.format}`);
  await checkOutputFiles(targets);
  if (!Number.isFinite(argv['min-release-age']) || argv['min-release-age'] < 0)
    throw new UsageError('--min-release-age must be a number of hours, 0 or more');
  checkRevisionArg('--base', argv.base);
  const npmRegistry = parseNpmRegistry(argv['npm-registry']);
  const category = parseCategory(argv.category) ?? 'chainproof-review';
  if (argv.head !== undefined) checkRevisionArg('--head', argv.head);
  const logger = stderrLogger({ quiet: argv.quiet, verbose: argv.verbose });
  const { policy, registry } = await loadTrust(root, argv.policy, argv.registry);
  const env = process.env;
  const options: ScanOptions = {
    offline: argv.offline,
    concurrency: Math.max(2, availableParallelism() * 2),
    verifyTarballs: false,
    cacheDir: argv.cache
      ? argv['cache-dir'] !== undefined
        ? path.resolve(argv['cache-dir'])
        : defaultCacheDir(env)
      : undefined,
    registry: npmRegistry,
    shard: undefined,
    env,
  };
  const { reviewChange } = await import('../../app/review/index.js');
  const { narrowReview } = await import('../../app/review/narrow.js');
  const { toReviewJson, toReviewMarkdown, toReviewText } = await import('../../report/review.js');
  const selection = { include: argv.include, exclude: argv.exclude };
  const reviewed = await reviewChange({
    dir: root,
    base: argv.base,
    ...(argv.head !== undefined ? { head: argv.head } : {}),
    policy,
    registry,
    options,
    logger,
    ...selection,
    ...(argv.gate !== undefined ? { gate: argv.gate } : {}),
    minReleaseAgeHours: argv['min-release-age'],
  });
  // As the Action's review mode (action/review.ts): the walk leaves the globs' paths unread, and narrowReview drops
  // the findings the tree-reading checks made there and judges the gate again without them.
  const result = narrowReview(reviewed, selection, undefined);
  for (const t of targets) {
    let text: string;
    if (t.format === 'json') text = JSON.stringify(toReviewJson(result, VERSION), null, 2) + '\n';
    else if (t.format === 'markdown') text = toReviewMarkdown(result);
    else if (t.format === 'sarif') {
      const { toSarif } = await import('../../report/sarif.js');
      const { rebaseSarif } = await import('../../report/sarif-rebase.js');
      const log = toSarif(result.scan, {
        toolVersion: VERSION,
        category,
      });
      // Relative to the repository, as code scanning reads them (repository-prefix.ts).
      text = JSON.stringify(rebaseSarif(log, await repositoryPrefix(root)), null, 2) + '\n';
    } else text = toReviewText(result);
    if (t.file === undefined) process.stdout.write(text);
    else await writeOutput(t.file, text);
  }
  // A revision that is not there is the caller's setup (a shallow clone, a typo), not a crash: the reports say CPU022,
  // and the exit code is a usage error's, whatever the gate says.
  if (result.notCompared) throw notComparedError(result.notCompared);
  const code = result.gate
    ? result.gate.passed
      ? EXIT.ok
      : EXIT.findings
    : exitCodeForScan(result.scan, argv['fail-on']);
  // As scan's verdict line: with the reports only in files (or JSON on stdout) a failed gate said nothing in the log.
  if (!textOnStdout(targets)) logger.info(reviewVerdictLine(result, code, targets));
  return code;
}

/** The review's outcome in one log line: the gate and its first reason, or the introduced findings; the reports. */
export function reviewVerdictLine(result: ReviewResult, code: number, targets: readonly OutputTarget[]): string {
  const changes = result.lockfiles.reduce((n, lf) => n + lf.changes.length, 0);
  const by = result.scan.summary.byLevel;
  const findings = `${plural(by.error, 'error')}, ${plural(by.warning, 'warning')} introduced`;
  const gate = result.gate;
  const first = gate?.reasons[0];
  const verdict =
    gate === undefined
      ? findings
      : `gate ${gate.kind} ${gate.passed ? 'passed' : 'FAILED'}${first !== undefined ? `: ${first}${gate.reasons.length > 1 ? ` (and ${gate.reasons.length - 1} more)` : ''}` : ''}`;
  // The reports say offline; this line is all a CI log shows when they go to files.
  const offline = result.online ? '' : '; offline: registry questions not asked';
  return `chainproof review: ${plural(changes, 'package change')}; ${verdict}${offline}${reportsWritten(targets)}; exit ${code}.`;
}

/**
 * A revision never starts with `-`: git would read it as an option. yargs reads `--base --output=x` as an empty
 * `--base` and another option, so the value given is taken from the command line to name it.
 */
function checkRevisionArg(flag: string, value: string): void {
  if (value !== '' && !value.startsWith('-')) return;
  const args = process.argv.slice(2);
  const i = args.indexOf(flag);
  const given = value !== '' ? value : i >= 0 && i + 1 < args.length ? args[i + 1]! : '';
  throw new UsageError(
    `${flag} needs a git revision, not ${JSON.stringify(given)}: a value that starts with "-" (or is empty) is refused, never passed to git, which would read it as an option. Give a commit SHA, branch or tag (${flag}=<revision>).`,
  );
}
