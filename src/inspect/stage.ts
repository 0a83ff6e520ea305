import { isEmptyModel } from '../discover/walk-findings.js';
import type { ScanContext } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import type { DiscoveredFile } from '../core/files.js';
import type { Finding } from '../core/finding.js';
import type { Notification, Stage, StageInput, StageOutput } from '../core/stage.js';
import type { ModelAnalyser } from './analyser.js';
import { ANALYSERS } from './analysers.js';
import { entryOf } from '../discover/catalogue/index.js';
import { pushAll } from '../core/push-all.js';
import { groupAcrossFiles } from './causes.js';
import { isZstdPickleName, zstdPickleMessage } from './content/zstd-pickle.js';

/** Archive formats chainproof cannot open; a file with these extensions is reported as not checked. */
const UNREADABLE_ARCHIVE = /\.(7z|rar)$/i;
/**
 * Model formats chainproof has no reader for: ExecuTorch programs, PaddlePaddle inference programs and parameters,
 * Core ML, Caffe, Flax msgpack weights. Their loaders run no Python from the file as far as we know, but nothing
 * here checked that: a note, counted, never a silent pass.
 */
const UNREAD_MODEL = /(\.(pte|pdmodel|pdiparams|mlmodel|caffemodel)|(^|\/)flax_model(-\d+-of-\d+)?\.msgpack)$/i;

/**
 * The analysers for a file: by detected format, or by what the name claims — when content matched nothing, when
 * the claimed format's loader goes by the name whatever the content (`loadedByName`: `.keras`, `.h5`), or when the
 * walk found the zip the name's loader opens behind another format's head (`zipBehindHead`: both are read).
 */
export function analysersFor(file: DiscoveredFile, analysers: readonly ModelAnalyser[] = ANALYSERS): ModelAnalyser[] {
  const claimed = file.claimed;
  const byName =
    claimed !== undefined &&
    (file.format === 'other' || file.zipBehindHead === true || entryOf(claimed).loadedByName === true);
  return analysers.filter((a) => a.formats.includes(file.format) || (byName && a.formats.includes(claimed)));
}

/** Run every matching model analyser over every file; an analyser that throws is a finding, never a silent pass. */
export function createInspectStage(analysers: readonly ModelAnalyser[] = ANALYSERS): Stage {
  return {
    name: 'inspect',
    async run(input: StageInput, ctx: ScanContext): Promise<StageOutput> {
      const findings: Finding[] = [];
      const notifications: Notification[] = [];
      const jobs: Promise<void>[] = [];
      const superseded: ((f: Finding) => boolean)[] = [];
      for (const file of input.files) {
        // An empty model file is the walk's CPX023 (walk-findings.ts `emptyModelsFinding`): a parse error of no bytes
        // would be a second finding of that one cause. (Other empty files, an extern list among them, are read.)
        if (isEmptyModel(file)) continue;
        if (file.format === 'other' && file.claimed === undefined && UNREADABLE_ARCHIVE.test(file.path)) {
          findings.push(
            unreadFinding(
              file.path,
              `${file.path}: ${file.path.slice(file.path.lastIndexOf('.') + 1)} archives cannot be opened by chainproof; its members were not checked. Provide the model as zip/tar or a safe format.`,
              { container: file.path.slice(file.path.lastIndexOf('.') + 1).toLowerCase() },
            ),
          );
          continue;
        }
        if (file.format === 'other' && isZstdPickleName(file.path)) {
          findings.push(
            unreadFinding(
              file.path,
              zstdPickleMessage(file.path),
              { container: 'zstd', loader: 'pandas.read_pickle' },
              'error',
            ),
          );
          continue;
        }
        if (file.format === 'other' && file.claimed === undefined && UNREAD_MODEL.test(file.path)) {
          findings.push(
            unreadFinding(
              file.path,
              `${file.path}: a model format chainproof has no reader for (${file.path.slice(file.path.lastIndexOf('/') + 1)}); its content was not checked. Check it with its own tooling, or convert the model to a format chainproof reads (safetensors, ONNX, GGUF).`,
              { reason: 'no-reader' },
              'note',
            ),
          );
          continue;
        }
        for (const analyser of analysersFor(file, analysers)) {
          jobs.push(
            ctx.limit(async () => {
              if (ctx.signal.aborted) return;
              try {
                const report = await analyser.analyze(file, ctx);
                pushAll(findings, report.findings);
                if (report.supersedes !== undefined) superseded.push(report.supersedes);
                if (report.status !== 'ok') {
                  notifications.push({
                    level: 'warning',
                    message: `${file.path} was only partly inspected by ${analyser.name}`,
                    path: file.path,
                  });
                }
              } catch (err) {
                ctx.logger.warn(`${analyser.name} failed on ${file.path}: ${errorMessage(err)}`);
                findings.push({
                  ruleId: 'CPX003',
                  // An analyser crash is where a crafted file hides: it fails the default gate (policy may lower it).
                  level: 'error',
                  message: `${file.path}: the ${analyser.name} analyser failed (${errorMessage(err)}); the file was not checked and is not known to be safe.`,
                  location: { path: file.path },
                  artifact: { kind: 'model', path: file.path, format: file.format },
                  evidence: { analyser: analyser.name, error: errorMessage(err) },
                });
                notifications.push({
                  level: 'error',
                  message: `${analyser.name} failed on ${file.path}`,
                  path: file.path,
                  ruleId: 'CPX003',
                });
              }
            }),
          );
        }
      }
      await Promise.all(jobs);
      const kept = superseded.length === 0 ? findings : findings.filter((f) => !superseded.some((s) => s(f)));
      kept.sort(
        (a, b) =>
          cmp(a.location.path, b.location.path) ||
          cmp(a.location.member ?? '', b.location.member ?? '') ||
          cmp(a.ruleId, b.ruleId) ||
          cmp(a.message, b.message),
      );
      return { findings: groupAcrossFiles(kept, ctx.policy.suppressions), notifications };
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The inspect stage with every registered analyser. */
export const inspectStage: Stage = createInspectStage();

/** CPI015 for a file the stage cannot read by its name alone (an archive or a format it has no reader for). */
function unreadFinding(
  path: string,
  message: string,
  evidence: Record<string, string>,
  level?: Finding['level'],
): Finding {
  return {
    ruleId: 'CPI015',
    ...(level !== undefined ? { level } : {}),
    message,
    location: { path },
    artifact: { kind: 'file', path },
    evidence,
  };
}
