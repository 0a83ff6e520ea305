import { describe, expect, it } from 'vitest';
import { checkRepoNpmrc } from '../../src/deps/checks/npmrc.js';
import { checkRepoYarnrc } from '../../src/deps/checks/yarnrc.js';
import { parseNpmrc } from '../../src/deps/npmrc.js';
import { parseYarnrc } from '../../src/deps/yarnrc.js';

const ALLOWED = ['https://registry.npmjs.org/', 'https://registry.yarnpkg.com/'];
const TOKEN = 'npm_SECRETtoken123';

interface Case {
  name: string;
  file: '.npmrc' | '.yarnrc.yml';
  text: string;
  env: Record<string, string>;
  /** `ruleId@line`, in output order. */
  want: string[];
}

/**
 * Registries written with `${VAR}`: npm's env-replace (@npmcli/config lib/env-replace.js) leaves an unset `${NAME}`
 * as written and makes `${NAME?}` empty, yarn's `replaceEnvVariables` takes a default or stops. A registry the scan's
 * environment cannot expand is one CPD164 per file, not a CPD134/CPD150 judging the unexpanded text; a resolvable
 * default (yarn) or a defined variable is judged as a registry.
 */
const cases: Case[] = [
  {
    name: 'npm: registry and a scope registry from unset variables are one CPD164 (was CPD134 twice)',
    file: '.npmrc',
    text: `registry=\${NPM_REGISTRY}\n@corp:registry=\${CORP_REG?}\n//npm.corp.example/:_authToken=\${NPM_TOKEN}\n`,
    env: { NPM_TOKEN: TOKEN },
    want: ['CPD164@1'],
  },
  {
    name: 'npm: a defined variable is expanded and judged (allowed: nothing)',
    file: '.npmrc',
    text: 'registry=${NPM_REGISTRY}\n',
    env: { NPM_REGISTRY: 'https://registry.npmjs.org/' },
    want: [],
  },
  {
    name: 'npm: a defined variable naming a registry the policy does not allow is CPD134',
    file: '.npmrc',
    text: 'registry=${NPM_REGISTRY}\n',
    env: { NPM_REGISTRY: 'https://npm.evil.example/' },
    want: ['CPD134@1'],
  },
  {
    name: 'npm: an unset variable in a token only is no registry question',
    file: '.npmrc',
    text: 'registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n',
    env: {},
    want: [],
  },
  {
    name: 'yarn: an unset npmRegistryServer variable is CPD164 (was CPD150)',
    file: '.yarnrc.yml',
    text: 'npmRegistryServer: "${NPM_REGISTRY}"\nnpmAuthToken: "${NPM_TOKEN}"\n',
    env: { NPM_TOKEN: TOKEN },
    want: ['CPD164@1'],
  },
  {
    name: 'yarn: a ${VAR:-default} yarn can resolve is the registry, judged as written (allowed)',
    file: '.yarnrc.yml',
    text: 'npmScopes:\n  corp:\n    npmRegistryServer: "${CORP_REG:-https://registry.npmjs.org}"\n',
    env: {},
    want: [],
  },
  {
    name: 'yarn: a resolvable ${VAR-default} the policy does not allow is CPD150',
    file: '.yarnrc.yml',
    text: 'npmScopes:\n  corp:\n    npmRegistryServer: "${CORP_REG-https://npm.corp.example}"\n',
    env: {},
    want: ['CPD150@3'],
  },
];

describe('registries chosen by environment variables (CPD164)', () => {
  it.each(cases)('$name', ({ file, text, env, want }) => {
    const findings =
      file === '.npmrc'
        ? checkRepoNpmrc([{ path: file, text, config: parseNpmrc(text, env) }], ALLOWED)
        : checkRepoYarnrc([{ kind: 'ok', path: file, config: parseYarnrc(text, env) }], ALLOWED);
    expect(findings.map((f) => `${f.ruleId}@${f.location.line ?? ''}`)).toEqual(want);
    expect(JSON.stringify(findings)).not.toContain(TOKEN);
  });
});
