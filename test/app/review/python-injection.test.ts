import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, reviewHead } from './repo.js';

/**
 * CPU015 for Python lockfiles that record dependency edges. uv.lock and poetry.lock list each package's
 * dependencies, and `uv sync --frozen` / `poetry install` install what those edges reach from the project: a package
 * added under a dependency the change did not move was written into the lockfile, not resolved. `uv add`, a new
 * transitive dependency of an upgraded package and a newly asked-for extra are resolutions, not injections.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

interface UvPkg {
  readonly name: string;
  readonly version: string;
  readonly deps?: readonly string[];
  readonly extras?: Readonly<Record<string, readonly string[]>>;
}

const hash = (s: string) =>
  [...s]
    .reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 0xffffffff, 7)
    .toString(16)
    .padStart(64, '0');

const depList = (deps: readonly string[]) => `[${deps.map((d) => `{ name = "${d}" }`).join(', ')}]`;

/** A uv.lock as uv writes it (uv-resolver `lock/mod.rs`): the virtual project, then packages in name order. */
function uvLock(rootDeps: readonly string[], pkgs: readonly UvPkg[], rootExtras: Record<string, string[]> = {}) {
  const lines = [
    'version = 1',
    'revision = 2',
    'requires-python = ">=3.10"',
    '',
    '[[package]]',
    'name = "app"',
    'version = "0.1.0"',
    'source = { virtual = "." }',
    `dependencies = ${depList(rootDeps.map((d) => d.replace(/\[.*$/, '')))}`,
    '',
    '[package.metadata]',
    `requires-dist = [${rootDeps.map((d) => `{ name = "${d.replace(/\[.*$/, '')}"${d.includes('[') ? `, extras = ["${d.slice(d.indexOf('[') + 1, -1)}"]` : ''} }`).join(', ')}]`,
  ];
  for (const [extra, deps] of Object.entries(rootExtras)) lines.push(`# extra ${extra}: ${deps.join(',')}`);
  for (const p of [...pkgs].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    lines.push(
      '',
      '[[package]]',
      `name = "${p.name}"`,
      `version = "${p.version}"`,
      'source = { registry = "https://pypi.org/simple" }',
    );
    if (p.deps && p.deps.length > 0) lines.push(`dependencies = ${depList(p.deps)}`);
    lines.push(
      `wheels = [{ url = "https://files.pythonhosted.org/packages/${p.name}-${p.version}-py3-none-any.whl", hash = "sha256:${hash(p.name + p.version)}", size = 1 }]`,
    );
    if (p.extras) {
      lines.push('', '[package.optional-dependencies]');
      for (const [extra, deps] of Object.entries(p.extras)) lines.push(`${extra} = ${depList(deps)}`);
    }
  }
  return [...lines, ''].join('\n');
}

const pyproject = (deps: readonly string[]) =>
  `[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = ${JSON.stringify(deps)}\n`;

const BASE: UvPkg[] = [
  { name: 'requests', version: '2.31.0', deps: ['certifi', 'charset-normalizer', 'urllib3'] },
  { name: 'certifi', version: '2024.8.30' },
  { name: 'charset-normalizer', version: '3.3.2' },
  { name: 'urllib3', version: '2.2.3' },
];
const baseTree = { 'pyproject.toml': pyproject(['requests>=2.31']), 'uv.lock': uvLock(['requests'], BASE) };

async function review(head: Record<string, string>, base: Record<string, string> = baseTree) {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  const r = await reviewHead(repo.dir, { gate: 'patch' });
  return r.findings.filter((f) => f.ruleId === 'CPU015');
}

describe('uv.lock: CPU015 follows the lock`s dependency edges', () => {
  it('a package added under an unchanged dependency is an injection', async () => {
    const pkgs = BASE.map((p) => (p.name === 'certifi' ? { ...p, deps: ['evil-helper'] } : p));
    const found = await review({
      'pyproject.toml': baseTree['pyproject.toml'],
      'uv.lock': uvLock(['requests'], [...pkgs, { name: 'evil-helper', version: '1.0.0' }]),
    });
    expect(found.map((f) => f.artifact)).toEqual([
      { kind: 'package', ecosystem: 'pypi', name: 'evil-helper', version: '1.0.0' },
    ]);
    expect(found[0]!.evidence).toMatchObject({
      pulledInBy: 'certifi@2024.8.30',
      path: 'root > requests > certifi > evil-helper',
    });
    expect(found[0]!.message).toContain('uv lock');
  });

  it('a package added to the project`s entry in uv.lock alone (pyproject.toml unchanged) is an injection', async () => {
    const found = await review({
      'pyproject.toml': baseTree['pyproject.toml'],
      'uv.lock': uvLock(['requests', 'evil-helper'], [...BASE, { name: 'evil-helper', version: '1.0.0' }]),
    });
    expect(
      found.map((f) => [f.artifact?.kind === 'package' ? f.artifact.name : '', f.evidence?.['pulledInBy']]),
    ).toEqual([['evil-helper', 'the root manifest (its declared range is unchanged)']]);
  });

  it('uv add idna: pyproject.toml and uv.lock both gain it', async () => {
    const found = await review({
      'pyproject.toml': pyproject(['requests>=2.31', 'idna>=3.7']),
      'uv.lock': uvLock(['idna', 'requests'], [...BASE, { name: 'idna', version: '3.10' }]),
    });
    expect(found).toEqual([]);
  });

  it('uv add --dev pytest into the legacy `[tool.uv] dev-dependencies`', async () => {
    const lock = uvLock(['requests'], [...BASE, { name: 'pytest', version: '8.3.3' }]).replace(
      '[package.metadata]',
      '[package.dev-dependencies]\ndev = [{ name = "pytest" }]\n\n[package.metadata]',
    );
    const found = await review({
      'pyproject.toml': `${baseTree['pyproject.toml']}\n[tool.uv]\ndev-dependencies = ["pytest>=8"]\n`,
      'uv.lock': lock,
    });
    expect(found).toEqual([]);
  });

  it('a new dependency of an upgraded package', async () => {
    const pkgs = BASE.map((p) => (p.name === 'requests' ? { ...p, version: '2.32.3', deps: [...p.deps!, 'idna'] } : p));
    const found = await review({
      'pyproject.toml': baseTree['pyproject.toml'],
      'uv.lock': uvLock(['requests'], [...pkgs, { name: 'idna', version: '3.10' }]),
    });
    expect(found).toEqual([]);
  });

  it('an extra the project newly asks for', async () => {
    const pkgs = BASE.map((p) => (p.name === 'requests' ? { ...p, extras: { socks: ['pysocks'] } } : p));
    const found = await review({
      'pyproject.toml': pyproject(['requests[socks]>=2.31']),
      'uv.lock': uvLock(['requests[socks]'], [...pkgs, { name: 'pysocks', version: '1.7.1' }]),
    });
    expect(found).toEqual([]);
  });

  it('an entry nothing reaches (uv sync does not install it)', async () => {
    const found = await review({
      'pyproject.toml': baseTree['pyproject.toml'],
      'uv.lock': uvLock(['requests'], [...BASE, { name: 'stray', version: '1.0.0' }]),
    });
    expect(found).toEqual([]);
  });
});

/** A poetry.lock 2.x as Poetry's `Locker._dump_package` writes it, dependency names as each package spells them. */
function poetryLock(pkgs: readonly { name: string; version: string; deps?: Record<string, string> }[]) {
  const lines: string[] = [
    '# This file is automatically @generated by Poetry 2.1.1 and should not be changed by hand.',
  ];
  for (const p of pkgs) {
    lines.push(
      '',
      '[[package]]',
      `name = "${p.name}"`,
      `version = "${p.version}"`,
      `description = ""`,
      'optional = false',
      'python-versions = ">=3.8"',
      'groups = ["main"]',
      'files = [',
      `    {file = "${p.name}-${p.version}-py3-none-any.whl", hash = "sha256:${hash(p.name + p.version)}"},`,
      ']',
    );
    if (p.deps) {
      lines.push('', '[package.dependencies]');
      for (const [d, spec] of Object.entries(p.deps)) lines.push(`${d} = ${spec}`);
    }
  }
  lines.push(
    '',
    '[metadata]',
    'lock-version = "2.1"',
    'python-versions = "^3.10"',
    `content-hash = "${'0'.repeat(64)}"`,
    '',
  );
  return lines.join('\n');
}

const poetryProject = (deps: Record<string, string>) =>
  [
    '[tool.poetry]',
    'name = "app"',
    'version = "0.1.0"',
    'description = ""',
    'authors = []',
    '',
    '[tool.poetry.dependencies]',
    'python = "^3.10"',
    ...Object.entries(deps).map(([n, s]) => `${n} = "${s}"`),
    '',
  ].join('\n');

const POETRY_BASE = [
  { name: 'certifi', version: '2024.8.30' },
  { name: 'charset-normalizer', version: '3.3.2' },
  { name: 'requests', version: '2.31.0', deps: { certifi: '">=2017.4.17"', Charset_Normalizer: '">=2,<4"' } },
];
const poetryBase = { 'pyproject.toml': poetryProject({ requests: '^2.31' }), 'poetry.lock': poetryLock(POETRY_BASE) };

describe('poetry.lock: CPU015 follows `[package.dependencies]`', () => {
  it('a package added under an unchanged dependency, named as the package spells it', async () => {
    const pkgs = [
      ...POETRY_BASE.map((p) => (p.name === 'certifi' ? { ...p, deps: { Evil_Helper: '"*"' } } : p)),
      { name: 'evil-helper', version: '1.0.0' },
    ];
    const found = await review(
      { 'pyproject.toml': poetryBase['pyproject.toml'], 'poetry.lock': poetryLock(pkgs) },
      poetryBase,
    );
    expect(
      found.map((f) => [f.artifact?.kind === 'package' ? f.artifact.name : '', f.evidence?.['pulledInBy']]),
    ).toEqual([['evil-helper', 'certifi@2024.8.30']]);
  });

  it('poetry add idna: pyproject.toml and poetry.lock both gain it', async () => {
    const found = await review(
      {
        'pyproject.toml': poetryProject({ requests: '^2.31', idna: '^3.7' }),
        'poetry.lock': poetryLock([...POETRY_BASE, { name: 'idna', version: '3.10' }]),
      },
      poetryBase,
    );
    expect(found).toEqual([]);
  });

  it('an optional dependency whose extra the project now asks for', async () => {
    const socks = { certifi: '">=2017.4.17"', PySocks: '{version = ">=1.5.6", optional = true}' };
    const withExtra = POETRY_BASE.map((p) => (p.name === 'requests' ? { ...p, deps: socks } : p));
    const base = { 'pyproject.toml': poetryBase['pyproject.toml'], 'poetry.lock': poetryLock(withExtra) };
    const found = await review(
      {
        'pyproject.toml': poetryProject({ requests: '^2.31' }).replace(
          'requests = "^2.31"',
          'requests = {version = "^2.31", extras = ["socks"]}',
        ),
        'poetry.lock': poetryLock([...withExtra, { name: 'pysocks', version: '1.7.1' }]),
      },
      base,
    );
    expect(found).toEqual([]);
  });
});
