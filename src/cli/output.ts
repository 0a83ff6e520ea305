import { UsageError } from '../core/errors.js';

import { FORMATS, type Format } from '../report/formats.js';

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
    const file = eq >= 0 ? raw.slice(eq + 1) : outputs[i];
    if (!(FORMATS as readonly string[]).includes(name))
      throw new UsageError(`unknown --format "${name}"; expected one of ${FORMATS.join(', ')}`);
    return { format: name as Format, file: file === '-' ? undefined : file };
  });
  if (targets.filter((t) => t.file === undefined).length > 1)
    throw new UsageError('only one --format can go to standard output; give the others an --output file');
  return targets;
}

export { writeOutput, writeStdout } from '../io/write-output.js';
