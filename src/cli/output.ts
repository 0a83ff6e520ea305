import path from 'node:path';
import { UsageError } from '../core/errors.js';

import { FORMATS, type Format } from '../report/formats.js';
import { outputPathProblem } from '../io/write-output.js';

export interface OutputTarget {
  readonly format: Format;
  /** undefined = stdout */
  readonly file: string | undefined;
}

/**
 * Pair `--format` with `--output` by position: `--format sarif --output a.sarif --format text` writes SARIF to
 * a.sarif and text to stdout. `--format sarif=a.sarif` is the same in one flag. At most one format goes to stdout.
 */
export function pairOutputs(formats: readonly string[], outputs: readonly string[]): OutputTarget[] {
  const list = formats.length > 0 ? formats : ['text'];
  if (outputs.length > list.length)
    throw new UsageError(
      `${outputs.length} --output values for ${list.length} --format values; give one --format per --output`,
    );
  const targets = list.map((raw, i): OutputTarget => {
    const eq = raw.indexOf('=');
    const name = eq >= 0 ? raw.slice(0, eq) : raw;
    const given = outputs[i];
    if (!(FORMATS as readonly string[]).includes(name))
      throw new UsageError(`unknown --format "${name}"; expected one of ${FORMATS.join(', ')}`);
    // `-f json=a.json -f sarif -o b.sarif`: the --output at position 0 was dropped without a word, the SARIF went to
    // standard output and b.sarif was never written (a later upload step found no file, or an old one). An empty
    // --output is the placeholder that lets a later --output reach its format.
    if (eq >= 0 && given !== undefined && given !== '')
      throw new UsageError(
        `--format ${raw} names its file, and the --output at the same position (${given}) names another; give each format one file, as FORMAT=FILE or as --format FORMAT --output FILE`,
      );
    const file = eq >= 0 ? raw.slice(eq + 1) : given;
    if (file === '')
      throw new UsageError(
        eq >= 0
          ? `--format ${raw} names no file; write ${name}=FILE, or ${name}=- for standard output`
          : `--output for --format ${name} is empty; name a file, or - for standard output`,
      );
    return { format: name as Format, file: file === '-' ? undefined : file };
  });
  if (targets.filter((t) => t.file === undefined).length > 1)
    throw new UsageError('only one --format can go to standard output; give the others an --output file');
  // Two formats into one file: the second report would silently replace the first.
  const seen = new Map<string, Format>();
  for (const t of targets) {
    if (t.file === undefined) continue;
    const abs = path.resolve(t.file);
    const earlier = seen.get(abs);
    if (earlier !== undefined)
      throw new UsageError(`--output ${t.file} is given for both ${earlier} and ${t.format}; give each its own file`);
    seen.set(abs, t.format);
  }
  return targets;
}

/**
 * Refuse, before any work, an --output that cannot take a report (io/write-output.ts `outputPathProblem`): a
 * directory, a device, a pipe, a path under /proc. The report is written at the very end: a directory failed after
 * the whole scan, /dev/null was replaced by a regular file, and a path under /proc hung forever.
 */
export async function checkOutputFiles(targets: readonly OutputTarget[], flag = '--output'): Promise<void> {
  for (const t of targets) {
    if (t.file === undefined) continue;
    const problem = await outputPathProblem(t.file);
    if (problem !== undefined) throw new UsageError(`${flag} ${t.file} ${problem}`);
  }
}

/**
 * Whether a text report goes to the terminal: else a command logs one verdict line (scan's `verdictLine`, review's
 * `reviewVerdictLine`), as a CI log would otherwise show nothing, not even why the step failed.
 */
export function textOnStdout(targets: readonly OutputTarget[]): boolean {
  return targets.some((t) => t.format === 'text' && t.file === undefined);
}

/** A verdict line's "; report(s): a, b" for the reports written to files, or '' when none was. */
export function reportsWritten(targets: readonly OutputTarget[]): string {
  const files = targets.flatMap((t) => (t.file !== undefined ? [t.file] : []));
  return files.length > 0 ? `; report${files.length === 1 ? '' : 's'}: ${files.join(', ')}` : '';
}

export { writeOutput, writeStdout } from '../io/write-output.js';
