import { escapeControlButNewlines } from '../core/escape-text.js';
import { redactUrls } from '../core/redact-userinfo.js';
import { errorText } from './error-text.js';
import { UsageError } from '../core/errors.js';
import { commandName, COMMANDS } from './commands/index.js';
import { exitCodeForError, EXIT } from './exit-codes.js';
import { parsePlainArgs } from './fast-args.js';
import { cliOutcome } from './outcome.js';
import { IGNORED_TERMINAL_OPTIONS } from './terminal-options.js';
import { VERSION } from './version.js';

/** The global flags (`--progress`, `--color`): the root parser registers them, so they may stand before the command. */
const GLOBAL_FLAGS = new Set(Object.keys(IGNORED_TERMINAL_OPTIONS).map((name) => `--${name}`));

/** `--color false`: yargs-parser takes a `true`/`false` after a boolean flag as its value, not as a positional. */
function isGlobalFlagValue(argv: readonly string[], i: number): boolean {
  return /^(true|false)$/.test(argv[i] ?? '') && GLOBAL_FLAGS.has(argv[i - 1] ?? '');
}

/** The command the user typed: the first argument that is neither an option nor a global flag's value. */
function invokedCommand(argv: readonly string[]): string | undefined {
  return argv.find((a, i) => !a.startsWith('-') && !isGlobalFlagValue(argv, i));
}

/** Run the CLI; resolves to the process exit code. Errors are mapped to exit codes here and only here. */
export async function main(argv: readonly string[]): Promise<number> {
  cliOutcome.exitCode = EXIT.ok;
  // `--version` alone answers before yargs or any command module is loaded (start-up is what it measures).
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  try {
    // A plain `chainproof scan …` skips yargs (~50 ms of start-up); anything else, help and errors included, is
    // parsed by yargs below, so its messages and help stay the only ones.
    const fast = COMMANDS.find((c) => commandName(c) === argv[0])?.loadFast;
    if (fast) {
      const cmd = await fast();
      const args = parsePlainArgs(argv.slice(1), cmd);
      if (args) {
        await cmd.run(args);
        return cliOutcome.exitCode;
      }
    }
    const { default: yargs } = await import('yargs');
    let parser = yargs([...argv])
      .scriptName('chainproof')
      .version(VERSION)
      .strict()
      .demandCommand(1, 'Give a command, e.g. `chainproof scan .`')
      .recommendCommands()
      // yargs root options are global: every command takes scan's terminal flags; scan redefines them with effect.
      .options(IGNORED_TERMINAL_OPTIONS)
      .exitProcess(false)
      .wrap(Math.min(120, process.stdout.columns || 120))
      .epilog(
        'Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or configuration error, 3 operational failure, 4 internal error.',
      )
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      });
    // Only the invoked command's module is imported; the others are listed for help and suggestions.
    const invoked = invokedCommand(argv);
    for (const c of COMMANDS) {
      if (commandName(c) === invoked) parser = parser.command(await c.load());
      else parser = parser.command(c.command, c.describe);
    }
    await parser.parseAsync();
    return cliOutcome.exitCode;
  } catch (err) {
    const code = exitCodeForError(err);
    const prefix = code === EXIT.internal ? 'internal error' : 'error';
    process.stderr.write(`chainproof: ${prefix}: ${errorText(err)}\n`);
    if (code === EXIT.internal && err instanceof Error && err.stack && process.env['CHAINPROOF_DEBUG'])
      process.stderr.write(escapeControlButNewlines(redactUrls(err.stack)) + '\n');
    return code;
  }
}
