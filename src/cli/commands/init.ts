import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { INIT_POLICY_FILE, initRepository } from '../../app/init.js';
import { UsageError } from '../../core/errors.js';
import { escapeControl, guardLineStart } from '../../core/escape-text.js';
import { cliOutcome } from '../outcome.js';

export interface InitArgs {
  dir: string;
  force: boolean;
}

export const initCommand: CommandModule<object, InitArgs> = {
  command: 'init [dir]',
  describe: `Write a starting policy (${INIT_POLICY_FILE}, where scan looks) and trusted registry (trusted-registry/) from what the repository holds`,
  builder: (y: Argv) =>
    y
      .positional('dir', { type: 'string', default: '.', describe: 'Repository root' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite files that already exist' })
      .example('$0 init', `Scaffold ${INIT_POLICY_FILE} and trusted-registry/models.yml here`),
  handler: async (argv) => {
    cliOutcome.exitCode = await runInit(argv, process.env);
  },
};

export async function runInit(argv: InitArgs, env: Record<string, string | undefined>): Promise<number> {
  const root = path.resolve(argv.dir);
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new UsageError(`${argv.dir} is not a directory`, { code: 'USAGE_NOT_A_DIRECTORY' });
  const { survey, files } = await initRepository(root, env, argv.force);
  const out = process.stdout;
  const rcs = survey.npmrcRegistries.length;
  out.write(
    `Found ${survey.lockfiles.length} lockfile(s), ${rcs} .npmrc registr${rcs === 1 ? 'y' : 'ies'}, ${survey.models.length} model file(s)`,
  );
  const pickles = survey.models.filter((m) => m.pickle).length;
  out.write(pickles > 0 ? `, ${pickles} pickle-based.\n` : '.\n');
  // The path and the parser's reason are the scanned tree's text: a folder named with an OSC sequence retitled the
  // terminal. Shown escaped, as every report shows them.
  for (const u of survey.unreadable)
    out.write(`${guardLineStart(escapeControl(`Could not read ${u.path}: ${u.reason}`))}\n`);
  for (const f of files) out.write(`${f.written ? 'wrote' : 'unchanged'} ${f.rel}\n`);
  out.write(`Review ${INIT_POLICY_FILE}, then: chainproof policy validate && chainproof scan .\n`);
  return 0;
}
