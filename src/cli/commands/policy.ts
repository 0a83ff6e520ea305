import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { explainPolicy } from '../../trust/policy/explain.js';
import { expiredSuppressions } from '../../trust/policy/expired.js';
import { readPolicy } from '../../trust/policy/load.js';
import { todayUtc } from '../../trust/policy/patterns.js';
import { formatProblem, PolicyError } from '../../trust/policy/problems.js';
import { cliOutcome } from '../outcome.js';

export interface PolicyArgs {
  action: 'validate' | 'explain';
  file: string | undefined;
  root: string;
  strict: boolean;
  json: boolean;
}

export const policyCommand: CommandModule<object, PolicyArgs> = {
  command: 'policy <action> [file]',
  describe: 'Validate a policy file, or print the effective policy after defaults and overrides',
  builder: (y: Argv) =>
    y
      .positional('action', { choices: ['validate', 'explain'] as const, describe: 'validate | explain' })
      .positional('file', {
        type: 'string',
        describe:
          'Policy file (default: .chainproof/policy.yml or chainproof.policy.yml under --root, else the embedded default)',
      })
      .option('root', {
        type: 'string',
        default: '.',
        describe: 'Repository root: where the policy is looked for, and what paths in messages are relative to',
      })
      .option('strict', {
        type: 'boolean',
        default: false,
        describe: 'validate: treat expired suppressions as errors (exit 2)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'explain: print the loaded policy as JSON (paths resolved)',
      })
      .example(
        '$0 policy validate policies/policy.yml',
        'Check a policy: every problem with file, line and field; exit 2 if any',
      )
      .example(
        '$0 policy explain',
        "Show the repository's effective policy and where each value came from",
      ) as unknown as Argv<PolicyArgs>,
  handler: async (argv) => {
    cliOutcome.exitCode = await runPolicy(argv, todayUtc());
  },
};

/** Returns the exit code; invalid policies throw PolicyError (exit 2). Results go to stdout. */
export async function runPolicy(
  argv: Pick<PolicyArgs, 'action' | 'file' | 'root' | 'strict' | 'json'>,
  today: string,
): Promise<number> {
  const root = path.resolve(argv.root);
  const loaded = await readPolicy(argv.file, root);
  if (argv.action === 'explain') {
    process.stdout.write(argv.json ? JSON.stringify(loaded.policy, null, 2) + '\n' : explainPolicy(loaded));
    return 0;
  }
  const expired = expiredSuppressions(loaded, today);
  if (argv.strict && expired.length > 0) throw new PolicyError(loaded.display, expired);
  for (const p of expired) process.stdout.write(`warning: ${formatProblem(loaded.display, p)}\n`);
  const n = loaded.policy.suppressions.length;
  const what =
    loaded.file === undefined ? 'no policy file found; the embedded default policy' : `policy ${loaded.display}`;
  process.stdout.write(`${what} is valid (${n} suppression${n === 1 ? '' : 's'}, ${expired.length} expired)\n`);
  return 0;
}
