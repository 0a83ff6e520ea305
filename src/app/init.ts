import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { POLICY_FILE_CANDIDATES } from '../trust/policy/load.js';
import { POLICY_SCHEMA } from '../trust/policy/schema.js';
import { REGISTRY_DIR } from '../trust/registry/load.js';
import { REGISTRY_SCHEMA } from '../trust/registry/schema.js';
import { scaffoldPolicy, scaffoldRegistry } from './init-scaffold.js';
import { surveyRepository, type RepoSurvey } from './init-survey.js';

/** Where init writes the policy: the first place `scan` looks, so init then scan needs no flag. */
export const INIT_POLICY_FILE = POLICY_FILE_CANDIDATES[0]!;
const INIT_POLICY_SCHEMA = `${path.posix.dirname(INIT_POLICY_FILE)}/policy.schema.json`;

export interface InitResult {
  readonly survey: RepoSurvey;
  /** Every file init owns, repo-relative, and whether this run wrote it (false: already identical). */
  readonly files: readonly { readonly rel: string; readonly written: boolean }[];
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

/**
 * Survey the repository with the real walk and dependency stage, then write a starting policy where `scan` looks
 * for it and a trusted registry where `scan` reads it. Decides everything before writing anything: a refused init
 * (a file exists and differs, without `force`) leaves the repository as it was.
 */
export async function initRepository(
  root: string,
  env: Record<string, string | undefined>,
  force: boolean,
): Promise<InitResult> {
  const survey = await surveyRepository(root, env);
  const files: { rel: string; text: string }[] = [
    { rel: INIT_POLICY_FILE, text: scaffoldPolicy(survey, `./${path.posix.basename(INIT_POLICY_SCHEMA)}`) },
    { rel: INIT_POLICY_SCHEMA, text: json(POLICY_SCHEMA) },
    { rel: `${REGISTRY_DIR}/models.yml`, text: scaffoldRegistry(survey, './schema.json') },
    { rel: `${REGISTRY_DIR}/schema.json`, text: json(REGISTRY_SCHEMA) },
  ];
  const existing: string[] = [];
  const todo = new Set<string>();
  for (const f of files) {
    const current = await readFile(path.join(root, f.rel), 'utf8').catch(() => undefined);
    if (current === undefined || force) todo.add(f.rel);
    else if (current !== f.text) existing.push(f.rel);
  }
  if (existing.length > 0) {
    throw new UsageError(
      `${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written (use --force to overwrite)`,
      { code: 'USAGE_BAD_ARGUMENT' },
    );
  }
  for (const f of files.filter((x) => todo.has(x.rel))) {
    const abs = path.join(root, f.rel);
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, f.text);
  }
  return { survey, files: files.map((f) => ({ rel: f.rel, written: todo.has(f.rel) })) };
}
