/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON and YAML documents under test */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/action/inputs.js';
import { REPO } from '../helpers/cli.js';

const schema = JSON.parse(readFileSync(path.join(REPO, 'fixtures/action/github-action.schema.json'), 'utf8'));
const action = parse(readFileSync(path.join(REPO, 'action.yml'), 'utf8'));

function validator() {
  expect(schema.$schema).toMatch(/draft-07/);
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

describe('action.yml', () => {
  const validate = validator();

  it('is valid action metadata', () => {
    expect(validate(action), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it.each([
    { name: 'no description', edit: (a: any) => delete a.description },
    { name: 'an unknown runtime', edit: (a: any) => (a.runs.using = 'node18') },
    { name: 'a JavaScript action without main', edit: (a: any) => delete a.runs.main },
    { name: 'an input without a description', edit: (a: any) => (a.inputs.path = { default: '.' }) },
    { name: 'an input id starting with a digit', edit: (a: any) => (a.inputs['1st'] = { description: 'x' }) },
    { name: 'required given as a string', edit: (a: any) => (a.inputs.path.required = 'yes') },
    { name: 'an unknown top-level key', edit: (a: any) => (a.version = 2) },
    { name: 'a colour GitHub does not offer', edit: (a: any) => (a.branding.color = 'pink') },
    { name: 'an icon outside the Feather set', edit: (a: any) => (a.branding.icon = 'skull') },
    {
      name: 'a composite action output without value',
      edit: (a: any) => (a.runs = { using: 'composite', steps: [{ run: 'true', shell: 'bash' }] }),
    },
    { name: 'docker keys on a JavaScript action', edit: (a: any) => (a.runs.image = 'Dockerfile') },
  ])('the schema rejects $name', ({ edit }) => {
    const broken = structuredClone(action);
    edit(broken);
    expect(validate(broken)).toBe(false);
  });

  it('declares exactly the inputs src/action/inputs.ts reads', () => {
    const read = new Set<string>();
    const env = new Proxy(
      {},
      {
        get: (_t, k) => {
          if (typeof k === 'string' && k.startsWith('INPUT_')) read.add(k);
          return undefined;
        },
      },
    );
    readInputs(env);
    const declared = Object.keys(action.inputs).map((id) => `INPUT_${id.replace(/ /g, '_').toUpperCase()}`);
    expect([...read].sort()).toEqual(declared.sort());
  });

  it('gives every input a default the Action accepts', () => {
    const env: Record<string, string> = {};
    for (const [id, spec] of Object.entries<any>(action.inputs))
      env[`INPUT_${id.toUpperCase()}`] = String(spec.default ?? '');
    expect(() => readInputs(env)).not.toThrow();
  });
});
