import { describe, expect, it } from 'vitest';
import { choosingVariables } from '../../../src/deps/parsers/python/env-vars.js';

// pip's req_file.ENV_VAR_RE (`${NAME}`, [A-Z0-9_]+) and posixpath.expandvars (pipenv: `$name`, `${…}`).
describe('choosingVariables: which variables choose the source', () => {
  it.each([
    ['credentials only', '--index-url https://${USER}:${TOKEN}@pypi.example/simple', []],
    ['host', '--extra-index-url https://${HOST}/simple', ['HOST']],
    ['host after credentials', 'https://${TOKEN}@${HOST}/simple', ['HOST']],
    ['port', 'https://pypi.example:${PORT}/simple', ['PORT']],
    ['path after a written host', 'pkg @ https://files.example/${CHANNEL}/pkg-1.0.whl', []],
    ['version', 'dagster==${DAGSTER_VERSION}', ['DAGSTER_VERSION']],
    ['whole line', '${LINE}', ['LINE']],
    ['lower case is not pip\u2019s', '${lower}==1.0 $HOME', []],
    ['two URLs on one line', '-i https://${A}@x.example/s --extra-index-url https://${B}/s', ['B']],
    ['vcs credentials', '-e git+https://${GH_TOKEN}@github.com/o/r.git#egg=r', []],
  ])('pip: %s', (_name, line, want) => {
    expect(choosingVariables(line)).toEqual(want);
  });

  it.each([
    ['$NAME in credentials', 'https://$NEXUS_USER:${NEXUS_PASSWORD}@pypi.org/simple', []],
    ['$name host', 'https://$nexus_host/simple', ['nexus_host']],
  ])('pipenv expandvars: %s', (_name, url, want) => {
    expect(choosingVariables(url, 'expandvars')).toEqual(want);
  });

  it('a hostile line of many URLs and variables is one linear pass, names capped', () => {
    const line =
      'https://${A}@h/${B} a://${C}${D} '.repeat(1000) + Array.from({ length: 40 }, (_, i) => `\${V${i}}`).join('');
    const got = choosingVariables(line);
    expect(got.slice(0, 2)).toEqual(['C', 'D']);
    expect(got).toHaveLength(16);
  });
});
