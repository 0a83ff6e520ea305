import { vi } from 'vitest';
import yargs from 'yargs';
import type { CommandModule } from 'yargs';
import { errorMessage, UsageError } from '../../src/core/errors.js';
import { exitCodeForError } from '../../src/cli/exit-codes.js';
import { cliOutcome } from '../../src/cli/outcome.js';

/** Run one command module in-process the way src/cli/main.ts does: errors map to exit codes, output is captured. */
export async function runCommand(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  command: CommandModule<any, any>,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  cliOutcome.exitCode = 0;
  try {
    await yargs([...args])
      .command(command)
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .parseAsync();
    return { code: cliOutcome.exitCode, stdout, stderr: '' };
  } catch (err) {
    return { code: exitCodeForError(err), stdout, stderr: errorMessage(err) };
  } finally {
    spy.mockRestore();
  }
}
