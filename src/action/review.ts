import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReviewResult } from '../app/review/index.js';
import { reviewChange } from '../app/review/index.js';
import { narrowReview } from '../app/review/narrow.js';
import { EXIT } from '../cli/exit-codes.js';
import { notComparedError } from '../cli/not-compared-error.js';
import { writeOutput } from '../cli/output.js';
import { VERSION } from '../cli/version.js';
import type { Logger, ScanOptions } from '../core/context.js';
import type { Policy } from '../core/policy.js';
import type { ScanResult } from '../core/result.js';
import type { TrustedRegistry } from '../core/trusted-registry.js';
import { toReviewJson, toReviewMarkdown, toReviewText } from '../report/review.js';
import { toSarif } from '../report/sarif.js';
import { setStepOutputs, withoutCommands, workflowCommand } from './commands.js';
import type { ActionInputs, Env } from './inputs.js';
import { rebaseSarif } from './rebase.js';
import { rootInRepo } from './repo-path.js';
import { failOnVerdict } from './verdict.js';

export interface ReviewSetup {
  readonly inputs: ActionInputs & { readonly reviewBase: string };
  readonly env: Env;
  readonly root: string;
  readonly workspace: string;
  readonly policy: Policy;
  readonly registry: TrustedRegistry;
  readonly options: ScanOptions;
  /** The `baseline` input, loaded before the review (report/baseline.ts `loadBaseline`). */
  readonly baseline: ((scan: ScanResult) => ScanResult) | undefined;
  readonly logger: Logger;
  readonly write: (t: string) => void;
  readonly redact: (t: string) => string;
  /** A link to a root-relative path and line at the checked-out commit, when the runner names one (run.ts `blobUrl`). */
  readonly fileUrl: ((p: string, line: number | undefined) => string | undefined) | undefined;
  /** Annotation lines for the findings (shared with scan mode). */
  readonly annotate: (result: ReviewResult['scan'], repoPath: ((p: string) => string) | undefined) => string[];
}

/**
 * Review mode of the Action (`review-base` set): what the change from the base revision to the checked-out tree
 * brought in. SARIF carries only the findings the change introduced, at the head lockfile's lines; the job summary
 * is the review table; `gate` decides the exit code. `include` / `exclude` narrow what is reviewed and `baseline` hides
 * known findings, as in a scan; `shard` does not apply (run.ts warns).
 */
export async function reviewAndReport(s: ReviewSetup): Promise<number> {
  const { inputs, write } = s;
  s.logger.info(`chainproof ${VERSION}: reviewing ${inputs.path} against ${inputs.reviewBase}`);
  const reviewed = await reviewChange({
    dir: s.root,
    base: inputs.reviewBase,
    policy: s.policy,
    registry: s.registry,
    options: s.options,
    include: inputs.include,
    exclude: inputs.exclude,
    logger: s.logger,
    ...(inputs.gate !== undefined ? { gate: inputs.gate } : {}),
  });
  // `include` / `exclude` and `baseline` mean in review what they mean in a scan (app/review/narrow.ts).
  const result = narrowReview(reviewed, inputs, s.baseline);
  const { prefix, repoPath } = rootInRepo(s.workspace, s.root);
  const markdownOptions = s.fileUrl !== undefined ? { fileUrl: s.fileUrl } : {};
  const written: Record<string, string> = {};
  for (const t of inputs.reports) {
    const abs = path.resolve(s.workspace, t.file);
    const text =
      t.format === 'sarif'
        ? JSON.stringify(
            rebaseSarif(
              toSarif(result.scan, { toolVersion: VERSION, category: inputs.category ?? 'chainproof-review' }),
              prefix,
            ),
            null,
            2,
          ) + '\n'
        : t.format === 'json'
          ? JSON.stringify(toReviewJson(result, VERSION), null, 2) + '\n'
          : t.format === 'markdown'
            ? toReviewMarkdown(result, markdownOptions)
            : toReviewText(result);
    await writeOutput(abs, s.redact(text));
    written[t.format] = abs;
  }
  write(withoutCommands(toReviewText(result)));
  if (inputs.annotations) for (const line of s.annotate(result.scan, repoPath)) write(line + '\n');
  const summaryFile = s.env['GITHUB_STEP_SUMMARY'];
  if (inputs.jobSummary && summaryFile)
    await appendFile(summaryFile, s.redact(toReviewMarkdown(result, markdownOptions)) + '\n');
  const sum = result.scan.summary;
  const by = sum.byLevel;
  // Every output action.yml declares, as a scan sets them: `suppressed`, `verified`, `failed`, `unverifiable` and
  // `cyclonedx-file` were missing, and a workflow reading them got '' (`fromJSON('')` fails the expression).
  const outputs: Record<string, string> = {
    'sarif-file': written['sarif'] ?? '',
    'json-file': written['json'] ?? '',
    'cyclonedx-file': '',
    findings: String(result.findings.length),
    errors: String(by.error),
    warnings: String(by.warning),
    notes: String(by.note),
    suppressed: String(sum.suppressed),
    verified: String(sum.verified),
    failed: String(sum.failed),
    unverifiable: String(sum.unverifiable),
    changes: String(result.lockfiles.reduce((n, lf) => n + lf.changes.length, 0)),
    // A review that compared nothing passes no gate, whatever the policy made of its CPU022.
    'gate-passed': result.gate ? String(result.gate.passed && result.notCompared === undefined) : '',
    complete: String(result.scan.complete),
  };
  await setStepOutputs(s.env['GITHUB_OUTPUT'], outputs, write);
  // As `chainproof review`: exit 2 with the reason. The gate was judged on CPU022 alone, and a policy that turned it
  // off (or suppressed it) made an unread base revision pass the gate: exit 0, `gate-passed: true`, an auto-merge.
  if (result.notCompared !== undefined) throw notComparedError(result.notCompared);
  if (result.gate) {
    if (!result.gate.passed)
      write(
        workflowCommand(
          'error',
          { title: 'chainproof review' },
          `not a clean ${result.gate.kind} update: ${result.gate.reasons[0] ?? ''}`,
        ) + '\n',
      );
    return result.gate.passed ? EXIT.ok : EXIT.findings;
  }
  return failOnVerdict(result.scan, inputs.failOn, write);
}
