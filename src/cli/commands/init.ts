import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { REGISTRY_SCHEMA } from '../../trust/registry/schema.js';
import { scaffoldPolicy, scaffoldRegistry } from '../../trust/policy/scaffold.js';
import { POLICY_SCHEMA } from '../../trust/policy/schema.js';
import { surveyRepository } from '../../trust/policy/survey.js';
import { cliOutcome } from '../outcome.js';

export interface InitArgs {
  dir: string;
  force: boolean;
}

export const initCommand: CommandModule<object, InitArgs> = {
  command: 'init [dir]',
  describe:
    'Write a starting policy (policies/) and trusted registry (trusted-registry/) from what the repository holds',
  builder: (y: Argv) =>
    y
      .positional('dir', { type: 'string', default: '.', describe: 'Repository root' })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite files that already exist' })
      .example('$0 init', 'Scaffold policies/policy.yml and trusted-registry/models.yml here'),
  handler: async (argv) => {
    cliOutcome.exitCode = await runInit(argv, process.env);
  },
};

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

export async function runInit(argv: InitArgs, env: Record<string, string | undefined>): Promise<number> {
  const root = path.resolve(argv.dir);
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new UsageError(`${argv.dir} is not a directory`);
  const survey = await surveyRepository(root, env);
  const files: { rel: string; text: string }[] = [
    { rel: 'policies/policy.yml', text: scaffoldPolicy(survey, './policy.schema.json') },
    { rel: 'policies/policy.schema.json', text: json(POLICY_SCHEMA) },
    { rel: 'trusted-registry/models.yml', text: scaffoldRegistry(survey, './schema.json') },
    { rel: 'trusted-registry/schema.json', text: json(REGISTRY_SCHEMA) },
  ];
  // Decide everything before writing anything: a refused init leaves the repository as it was.
  const existing: string[] = [];
  const todo: typeof files = [];
  for (const f of files) {
    const current = await readFile(path.join(root, f.rel), 'utf8').catch(() => undefined);
    if (current === undefined || argv.force) todo.push(f);
    else if (current !== f.text) existing.push(f.rel);
  }
  if (existing.length > 0) {
    throw new UsageError(
      `${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written (use --force to overwrite)`,
    );
  }
  for (const f of todo) {
    const abs = path.join(root, f.rel);
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, f.text);
  }
  const out = process.stdout;
  out.write(
    `Found ${survey.lockfiles.length} lockfile(s), ${survey.npmrcRegistries.length} .npmrc registr${survey.npmrcRegistries.length === 1 ? 'y' : 'ies'}, ${survey.models.length} model file(s)`,
  );
  out.write(
    survey.models.some((m) => m.pickle) ? `, ${survey.models.filter((m) => m.pickle).length} pickle-based.\n` : '.\n',
  );
  for (const u of survey.unreadable) out.write(`Could not read ${u.path}: ${u.reason}\n`);
  for (const f of files) out.write(`${todo.includes(f) ? 'wrote' : 'unchanged'} ${f.rel}\n`);
  out.write(
    'Review policies/policy.yml, then: chainproof policy validate policies/policy.yml && chainproof scan . --policy policies/policy.yml\n',
  );
  return 0;
}
