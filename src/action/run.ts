import { appendFile, stat } from 'node:fs/promises';
import { availableParallelism, homedir } from 'node:os';
import path from 'node:path';
import { scanRepository } from '../app/scan.js';
import { loadTrust } from '../app/trust.js';
import { exitCodeForError, EXIT } from '../cli/exit-codes.js';
import { renderReport } from '../app/render.js';
import { VERSION } from '../app/version.js';
import type { ScanOptions } from '../core/context.js';
import { errorMessage, UsageError } from '../core/errors.js';
import { levelRank, messageWithMember, type Location } from '../core/finding.js';
import type { ScanResult } from '../core/result.js';
import { findRule } from '../core/rules/index.js';
import { loadBaseline } from '../report/baseline.js';
import { redactResult } from '../report/redact.js';
import { positive } from '../report/sarif.js';
import type { Format } from '../report/formats.js';
import type { ReportOptions } from '../report/reporters.js';
import { outputPathProblem, writeOutput } from '../io/write-output.js';
import { annotationCommand, setStepOutputs, withoutCommands, workflowCommand, type Annotation } from './commands.js';
import { readInputs, type ActionInputs, type Env } from './inputs.js';
import { rootInRepo, rootOutsideWorkspace } from './repo-path.js';
import { actionLogger, redactor } from './log.js';
import { failOnVerdict } from './verdict.js';
import { defaultCacheDir } from '../app/cache-dir.js';
import { elideLongRuns } from '../core/escape-text.js';
import { redactUrls } from '../core/redact-userinfo.js';
import { encodeUriComponent } from '../core/uri-component.js';

export interface ActionIo {
  readonly env: Env;
  /** Where log lines and workflow commands go (the runner reads stdout). */
  readonly write: (text: string) => void;
}

/** The whole Action: inputs → scan → reports, annotations, job summary, outputs → exit code (by fail-on). */
export async function runAction(io: ActionIo): Promise<number> {
  const redact = redactor(io.env);
  const write = (text: string) => io.write(redact(text));
  try {
    return await scanAndReport(readInputs(io.env), io.env, write, redact);
  } catch (err) {
    const code = exitCodeForError(err);
    const kind = code === EXIT.internal ? 'internal error' : 'error';
    write(
      workflowCommand('error', { title: 'chainproof' }, `chainproof: ${kind}: ${redactUrls(errorMessage(err))}`) + '\n',
    );
    return code;
  }
}

async function scanAndReport(
  inputs: ActionInputs,
  env: Env,
  write: (t: string) => void,
  redact: (t: string) => string,
): Promise<number> {
  const workspace = path.resolve(env['GITHUB_WORKSPACE'] ?? process.cwd());
  const inWorkspace = (p: string) => path.resolve(workspace, p);
  const root = inWorkspace(inputs.path);
  if (!(await stat(root).catch(() => undefined))?.isDirectory())
    throw new UsageError(`input path: ${inputs.path} is not a directory`);
  const outside = await rootOutsideWorkspace(workspace, root);
  if (outside !== undefined) throw new UsageError(`input path: ${inputs.path} ${outside}`);
  // A report named after a folder failed only after the whole scan, as "cannot write … (EISDIR)", exit 3; one under
  // /proc hung forever, and a device was replaced by a regular file.
  for (const t of inputs.reports) {
    const problem = await outputPathProblem(inWorkspace(t.file));
    if (problem !== undefined)
      throw new UsageError(`input ${t.format === 'sarif' ? 'sarif-file' : 'formats'}: ${t.file} ${problem}`);
  }
  const logger = actionLogger(write);
  const baseline = inputs.baseline !== undefined ? await loadBaseline(inWorkspace(inputs.baseline)) : undefined;
  const trust = await loadTrust(
    root,
    inputs.policy !== undefined ? inWorkspace(inputs.policy) : undefined,
    inputs.registry.map(inWorkspace),
  );
  const options: ScanOptions = {
    offline: inputs.offline,
    concurrency: Math.max(2, availableParallelism() * 2),
    verifyTarballs: inputs.verifyTarballs,
    cacheDir:
      inputs.cacheDirectory !== undefined ? inWorkspace(expandHome(inputs.cacheDirectory)) : defaultCacheDir(env),
    registry: inputs.npmRegistry,
    shard: inputs.shard,
    env,
  };
  if (inputs.reviewBase !== undefined) {
    const { reviewAndReport } = await import('./review.js');
    // A review is one comparison with one gate verdict: each job of a matrix would review (and gate) the whole change.
    if (inputs.shard !== undefined)
      write(
        workflowCommand(
          'warning',
          { title: 'chainproof' },
          `input shard (${inputs.shard.index}/${inputs.shard.count}) does not apply in review mode: this job reviews the whole change`,
        ) + '\n',
      );
    return reviewAndReport({
      inputs: { ...inputs, reviewBase: inputs.reviewBase },
      env,
      root,
      workspace,
      policy: trust.policy,
      registry: trust.registry,
      // reviewChange drops `shard` itself (app/review/index.ts): a review reads the whole change.
      options,
      baseline,
      logger,
      write,
      redact,
      fileUrl: blobUrl(env, rootInRepo(workspace, root).repoPath),
      annotate: (result, repoPath) => annotations(result, inputs.maxAnnotations, repoPath),
    });
  }
  logger.info(
    `chainproof ${VERSION}: scanning ${inputs.path}${inputs.shard ? ` (shard ${inputs.shard.index}/${inputs.shard.count})` : ''}`,
  );
  let result = await scanRepository({
    root,
    trust,
    options,
    include: inputs.include,
    exclude: inputs.exclude,
    logger,
  });
  if (baseline !== undefined) result = baseline(result);

  // Paths in findings are relative to the scan root; GitHub wants them relative to the repository (workspace).
  const { prefix, repoPath } = rootInRepo(workspace, root);

  const links = blobUrl(env, repoPath);
  const reportOptions: ReportOptions = {
    toolVersion: VERSION,
    color: false,
    uriPrefix: prefix,
    ...(inputs.category !== undefined ? { category: inputs.category } : {}),
    ...(links ? { fileUrl: links } : {}),
  };
  const written: Partial<Record<Format, string>> = {};
  for (const t of inputs.reports) {
    const abs = inWorkspace(t.file);
    await writeOutput(abs, redact(renderReport(result, t.format, reportOptions)));
    written[t.format] = abs;
  }

  write(withoutCommands(renderReport(result, 'text', reportOptions)));
  if (inputs.annotations) for (const line of annotations(result, inputs.maxAnnotations, repoPath)) write(line + '\n');

  const summaryFile = env['GITHUB_STEP_SUMMARY'];
  if (inputs.jobSummary && summaryFile) {
    await appendFile(summaryFile, redact(renderReport(result, 'markdown', reportOptions)) + '\n');
  }

  const s = result.summary;
  const outputs: Record<string, string> = {
    'sarif-file': written.sarif ?? '',
    'json-file': written.json ?? '',
    'cyclonedx-file': written.cyclonedx ?? '',
    findings: String(result.findings.length),
    errors: String(s.byLevel.error),
    warnings: String(s.byLevel.warning),
    notes: String(s.byLevel.note),
    suppressed: String(s.suppressed),
    verified: String(s.verified),
    failed: String(s.failed),
    unverifiable: String(s.unverifiable),
    complete: String(result.complete),
    // Review-mode outputs: empty in a scan, so every declared output is always set.
    'gate-passed': '',
    changes: '',
  };
  await setStepOutputs(env['GITHUB_OUTPUT'], outputs, write);

  return failOnVerdict(result, inputs.failOn, write);
}

type Links = ((p: string, line: number | undefined) => string | undefined) | undefined;

/**
 * Annotations of one kind GitHub keeps per step; it drops the rest without a word (actions/toolkit
 * docs/problem-matchers.md: "10 warning annotations and 10 error annotations per step", 50 per job).
 */
export const ANNOTATIONS_PER_KIND = 10;

/**
 * At most `max` annotations, the most severe first, and no more of a kind than GitHub shows: one error is left for
 * the step's own verdict (fail-on, incomplete, fail-closed), printed after them, and one notice for the count of
 * findings not annotated. Past the cap, the eleventh error annotation and the verdict that says why the step
 * failed were the ones never seen.
 */
export function annotations(scanned: ScanResult, max: number, repoPath: ((p: string) => string) | undefined): string[] {
  // Annotations are a report like the others: through the reporters' redaction (src/report/redact.ts). Findings
  // quote the scanned tree's URLs, and `.npmrc`'s `@acme:registry=https://u:secret@host/` (CPD134) reached the log
  // and the check run's annotations with its password, while every report file masked it.
  const result = redactResult(scanned);
  const sorted = byRuleTurns(result.findings);
  const room = { error: ANNOTATIONS_PER_KIND - 1, warning: ANNOTATIONS_PER_KIND, notice: ANNOTATIONS_PER_KIND - 1 };
  const chosen = new Set<ScanResult['findings'][number]>();
  for (const f of sorted) {
    if (chosen.size >= max) break;
    const kind = f.level === 'note' ? 'notice' : f.level;
    if (room[kind] === 0) continue;
    room[kind]--;
    chosen.add(f);
  }
  // Shown in the report's order (most severe first, then by file), whichever turn chose them.
  const shown = [...result.findings]
    .filter((f) => chosen.has(f))
    .sort((a, b) => levelRank(b.level) - levelRank(a.level));
  const lines = shown.map((f) => {
    const rule = findRule(f.ruleId);
    const located = repoPath !== undefined && f.location.path !== '.';
    return annotationCommand({
      level: f.level === 'note' ? 'notice' : f.level,
      title: rule ? `${f.ruleId} ${rule.name}` : f.ruleId,
      message: elideLongRuns(messageWithMember(f, (m) => ` (in ${m})`)),
      ...(located ? { file: repoPath(f.location.path), ...linesOf(f.location) } : {}),
    });
  });
  const more = sorted.length - shown.length;
  if (more > 0) {
    lines.push(
      annotationCommand({
        level: 'notice',
        title: 'chainproof',
        message: `${more} more finding${more === 1 ? ' is' : 's are'} not annotated (GitHub shows ${ANNOTATIONS_PER_KIND} annotations of a kind per step); see the job summary and the SARIF report.`,
      }),
    );
  }
  return lines;
}

/**
 * A finding's line, end line and column as the runner keeps them (ActionCommandManager.cs
 * `IssueCommandExtension.ValidateLinesAndColumns`): an end line before the line makes it drop both, which put the
 * annotation on the file's first line. A line or column below 1 (a parser's 0 for "unknown") is left out, as the
 * SARIF region leaves it out (sarif.ts `regionOf`).
 */
function linesOf(loc: Location): Pick<Annotation, 'line' | 'endLine' | 'col'> {
  const line = positive(loc.line);
  if (line === undefined) return {};
  const endLine = positive(loc.endLine);
  const col = positive(loc.column);
  return {
    line,
    ...(endLine !== undefined && endLine >= line ? { endLine } : {}),
    ...(col !== undefined ? { col } : {}),
  };
}

/**
 * The findings in the order annotations are handed out: the most severe first, and within a level every rule's first
 * finding before any rule's second. Ten slots per kind went to the first ten in file order: 40 pickles in one test-data
 * folder with the same unknown global took every warning slot, and the lockfile's install-script warnings were never
 * annotated.
 */
function byRuleTurns(findings: ScanResult['findings']): ScanResult['findings'] {
  const seen = new Map<string, number>();
  const turn = new Map<ScanResult['findings'][number], number>();
  for (const f of findings) {
    const n = seen.get(f.ruleId) ?? 0;
    turn.set(f, n);
    seen.set(f.ruleId, n + 1);
  }
  // Array.prototype.sort is stable: equal keys keep the report's order.
  return [...findings].sort((a, b) => levelRank(b.level) - levelRank(a.level) || turn.get(a)! - turn.get(b)!);
}

/** Links into the repository at the scanned commit, when the runner says which one. */
function blobUrl(env: Env, repoPath: ((p: string) => string) | undefined): Links {
  const server = env['GITHUB_SERVER_URL'];
  const repo = env['GITHUB_REPOSITORY'];
  const sha = env['GITHUB_SHA'];
  if (!server || !repo || !sha || repoPath === undefined) return undefined;
  return (p, line) => {
    const file = repoPath(p).split('/').map(encodeUriComponent).join('/');
    return `${server}/${repo}/blob/${sha}/${file}${line !== undefined ? `#L${line}` : ''}`;
  };
}

/** `~/x` as actions/cache writes it: the runner does not expand `~` in inputs, so the Action does. */
export function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? path.join(homedir(), p.slice(2)) : p;
}
