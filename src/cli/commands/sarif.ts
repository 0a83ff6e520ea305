import { readFile, stat } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { mergeSarif, parseSarifLog } from '../../report/sarif-merge.js';
import { parseCategory } from '../category-option.js';
import { EXIT } from '../exit-codes.js';
import { cliOutcome } from '../outcome.js';
import { checkOutputFiles, writeOutput } from '../output.js';

/** Input SARIF files larger than this are refused rather than read into memory. */
const MAX_INPUT_BYTES = 512 * 1024 * 1024;

export interface SarifMergeArgs {
  files: string[];
  output: string | undefined;
  category: string | undefined;
}

const mergeCommand: CommandModule<object, SarifMergeArgs> = {
  command: 'merge <files..>',
  describe: 'Join SARIF files (e.g. one per --shard job) into one log for a single upload',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'SARIF files to merge' })
      .option('output', {
        alias: 'o',
        type: 'string',
        describe: 'Write the merged SARIF here (default: standard output)',
      })
      .option('category', {
        type: 'string',
        describe: "automationDetails category of the merged run (default: the inputs' common one)",
      })
      .example('$0 sarif merge shard-*.sarif --output chainproof.sarif', 'Join the SARIF of every matrix job'),
  handler: async (argv) => {
    cliOutcome.exitCode = await runSarifMerge(argv);
  },
};

/** `chainproof sarif <subcommand>`. */
export const sarifCommand: CommandModule<object, object> = {
  command: 'sarif <command>',
  describe: 'Work with SARIF files: merge the outputs of sharded scans',
  builder: (y: Argv) =>
    y.command(mergeCommand).demandCommand(1, 'Give a sarif subcommand, e.g. `chainproof sarif merge a.sarif b.sarif`'),
  handler: () => undefined,
};

export async function runSarifMerge(argv: SarifMergeArgs): Promise<number> {
  const category = parseCategory(argv.category);
  if (argv.output !== undefined && argv.output !== '-')
    await checkOutputFiles([{ format: 'sarif', file: argv.output }]);
  const logs = [];
  for (const file of argv.files) {
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) throw new UsageError(`${file} is not a file`);
    if (st.size > MAX_INPUT_BYTES)
      throw new UsageError(`${file} is ${st.size} bytes, over the ${MAX_INPUT_BYTES}-byte limit`);
    logs.push(parseSarifLog(await readFile(file, 'utf8'), file));
  }
  const merged = mergeSarif(logs, category !== undefined ? { category } : {});
  const text = JSON.stringify(merged, null, 2) + '\n';
  if (argv.output === undefined || argv.output === '-') process.stdout.write(text);
  else await writeOutput(argv.output, text);
  return EXIT.ok;
}
