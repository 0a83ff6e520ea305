import yargs from 'yargs';
import { errorMessage } from '../core/errors.js';
import { UsageError } from '../core/errors.js';
import { COMMANDS } from './commands/index.js';
import { exitCodeForError, EXIT } from './exit-codes.js';
import { cliOutcome } from './outcome.js';
import { VERSION } from './version.js';

/** Run the CLI; resolves to the process exit code. Errors are mapped to exit codes here and only here. */
export async function main(argv: readonly string[]): Promise<number> {
  cliOutcome.exitCode = EXIT.ok;
  try {
    let parser = yargs([...argv])
      .scriptName('chainproof')
      .version(VERSION)
      .strict()
      .demandCommand(1, 'Give a command, e.g. `chainproof scan .`')
      .recommendCommands()
      .exitProcess(false)
      .wrap(Math.min(120, process.stdout.columns || 120))
      .epilog(
        'Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or configuration error, 3 operational failure, 4 internal error.',
      )
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      });
    for (const c of COMMANDS) parser = parser.command(c);
    await parser.parseAsync();
    return cliOutcome.exitCode;
  } catch (err) {
    const code = exitCodeForError(err);
    const prefix = code === EXIT.internal ? 'internal error' : 'error';
    process.stderr.write(`chainproof: ${prefix}: ${errorMessage(err)}\n`);
    if (code === EXIT.internal && err instanceof Error && err.stack && process.env['CHAINPROOF_DEBUG'])
      process.stderr.write(err.stack + '\n');
    return code;
  }
}
