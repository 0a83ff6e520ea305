import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonMinors } from '../../../src/deps/parsers/python/checks/wheel-python.js';
import { poetryPythonSpecifier } from '../../../src/deps/parsers/python/poetry-python.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const WHEEL = 'native-1.0-cp312-cp312-manylinux_2_17_x86_64.whl';
const SDIST = 'native-1.0.tar.gz';

const poetryLock = (pythonVersions: string) => `[[package]]
name = "native"
version = "1.0"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
files = [
    {file = "${WHEEL}", hash = "sha256:${A}"},
    {file = "${SDIST}", hash = "sha256:${B}"},
]

[metadata]
lock-version = "2.1"
python-versions = "${pythonVersions}"
content-hash = "${'0'.repeat(64)}"
`;

const pdmLock = (targets: string[]) => `[metadata]
groups = ["default"]
strategy = ["inherit_metadata"]
lock_version = "4.5.0"
content_hash = "sha256:${'0'.repeat(64)}"
${targets.map((t) => `\n[[metadata.targets]]\nrequires_python = "${t}"\n`).join('')}
[[package]]
name = "native"
version = "1.0"
requires_python = ">=3.8"
groups = ["default"]
files = [
    {file = "${WHEEL}", hash = "sha256:${A}"},
    {file = "${SDIST}", hash = "sha256:${B}"},
]
`;

async function builds(file: string, text: string, pyproject?: string): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-lock-python-'));
  await writeFile(path.join(dir, file), text);
  if (pyproject !== undefined) await writeFile(path.join(dir, 'pyproject.toml'), pyproject);
  const r = await scanWith(dir, [pythonDepsStage]);
  // The linux-only wheel also leaves macOS and Windows to build (another CPP074): only the Python verdict counts here.
  return r.findings
    .filter((f) => f.ruleId === 'CPP074' && f.message.includes('wheels only for other Python versions'))
    .map((f) => f.message);
}

// A release whose only wheel is cp312 is built from its sdist on a lock for Pythons below 3.12: Poetry's `Chooser`
// and PDM's finder take only wheels the interpreter's tags admit.
describe("CPP074 judges poetry.lock and pdm.lock wheels for the lock's own Python", () => {
  it.each([
    { pythons: '^3.10,<3.12', want: 1 },
    { pythons: '~3.11', want: 1 },
    { pythons: '>=3.9, <3.12', want: 1 },
    { pythons: '>= 3.9 < 3.12', want: 1 },
    { pythons: '3.11.*', want: 1 },
    { pythons: '^3.10', want: 0 },
    { pythons: '~3.12', want: 0 },
    { pythons: '^3.9 || ~3.12', want: 0 },
    { pythons: '*', want: 0 },
  ])('poetry.lock python-versions "$pythons": $want', async ({ pythons, want }) => {
    const found = await builds('poetry.lock', poetryLock(pythons));
    expect(found).toHaveLength(want);
  });

  it.each([
    { targets: ['>=3.9,<3.12'], want: 1 },
    { targets: ['>=3.12'], want: 0 },
    { targets: ['>=3.9,<3.12', '>=3.12'], want: 0 },
    { targets: [], want: 0 },
  ])('pdm.lock targets $targets: $want', async ({ targets, want }) => {
    expect(await builds('pdm.lock', pdmLock(targets))).toHaveLength(want);
  });

  // Before lock_version 4.5 PDM wrote no targets: the lock is for pyproject.toml's `requires-python`
  // (`BaseEnvironment.allow_all_spec`); a lock's own target wins over it.
  const project = (requires: string) => `[project]\nname = "app"\nversion = "0"\nrequires-python = "${requires}"\n`;
  it.each([
    { version: '4.4.1', targets: [], requires: '>=3.9,<3.12', want: 1 },
    { version: '4.4.1', targets: [], requires: '>=3.12', want: 0 },
    { version: '4.5.0', targets: ['>=3.12'], requires: '>=3.9,<3.12', want: 0 },
  ])(
    'pdm.lock $version targets $targets beside requires-python "$requires": $want',
    async ({ version, targets, requires, want }) => {
      const lock = pdmLock(targets).replace('lock_version = "4.5.0"', `lock_version = "${version}"`);
      expect(await builds('pdm.lock', lock, project(requires))).toHaveLength(want);
    },
  );
});

// poetry-core parse_single_constraint, by the CPython minors each admits.
describe('poetry python-versions read as poetry-core reads them', () => {
  it.each([
    { constraint: '^3.10', spec: '>=3.10,<4', minors: [10, 11, 12, 13, 14] },
    { constraint: '^3.10,<3.12', spec: '>=3.10,<4,<3.12', minors: [10, 11] },
    { constraint: '~3.9', spec: '>=3.9,<3.10', minors: [9] },
    { constraint: '~3', spec: '>=3,<4', minors: [8, 9, 10, 11, 12, 13, 14] },
    { constraint: '>=3.8 <3.11', spec: '>=3.8,<3.11', minors: [8, 9, 10] },
    { constraint: '3.11', spec: '==3.11', minors: [11] },
    { constraint: '=3.11', spec: '==3.11', minors: [11] },
    { constraint: '3.10.*', spec: '==3.10.*', minors: [10] },
    { constraint: '~=3.10', spec: '~=3.10', minors: [10, 11, 12, 13, 14] },
    { constraint: '<>3.9,>=3.8,<3.11', spec: '!=3.9,>=3.8,<3.11', minors: [8, 9, 10] },
    { constraint: '^0.3', spec: '>=0.3,<0.4', minors: [] },
  ])('"$constraint" is $spec', ({ constraint, spec, minors }) => {
    expect(poetryPythonSpecifier(constraint)).toBe(spec);
    expect(pythonMinors(spec)).toEqual(minors);
  });

  it.each(['*', '', '^3.8 || ^3.11', '>=3.8 | <2', '>=3.10-dev', 'python3'])(
    '"%s" has no PEP 440 form: every minor stays in range',
    (constraint) => expect(poetryPythonSpecifier(constraint)).toBeUndefined(),
  );
});
