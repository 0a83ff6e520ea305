import { describe, expect, it } from 'vitest';
import { toPythonGraph } from '../../../src/deps/parsers/python/graph.js';
import { parsePdmLock } from '../../../src/deps/parsers/python/pdm.js';
import { parsePipfileLock } from '../../../src/deps/parsers/python/pipfile.js';
import { parsePoetryLock } from '../../../src/deps/parsers/python/poetry.js';
import { parsePyproject } from '../../../src/deps/parsers/python/pyproject.js';
import { parseUvLock } from '../../../src/deps/parsers/python/uv.js';

/**
 * Python graphs carry the dependency edges the lockfile records (uv, poetry, PDM), so each package's path ends with
 * the entry that pulls it in, and `importers` holds what the project declares. Names are PEP 503 normalised on both
 * ends of an edge.
 */
const paths = (g: ReturnType<typeof toPythonGraph>) =>
  Object.fromEntries(g.packages.map((p) => [`${p.name}@${p.version}`, p.path.join(' > ')]));

const wheel = (n: string) =>
  `wheels = [{ url = "https://files.pythonhosted.org/${n}.whl", hash = "sha256:${'a'.repeat(64)}", size = 1 }]`;

describe('uv.lock edges', () => {
  const lock = [
    'version = 1',
    'revision = 2',
    'requires-python = ">=3.10"',
    '',
    '[[package]]',
    'name = "app"',
    'version = "0.1.0"',
    'source = { editable = "." }',
    'dependencies = [',
    '    { name = "numpy", version = "2.1.0", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= \'3.11\'" },',
    '    { name = "requests", extra = ["socks"] },',
    ']',
    '',
    '[package.dev-dependencies]',
    'dev = [{ name = "pytest" }]',
    '',
    '[package.metadata]',
    'requires-dist = [{ name = "numpy", specifier = ">=1.26" }, { name = "requests", extras = ["socks"], specifier = ">=2.31" }]',
    '',
    '[package.metadata.requires-dev]',
    'dev = [{ name = "pytest", specifier = ">=8" }]',
    '',
    '[[package]]',
    'name = "numpy"',
    'version = "1.26.4"',
    'source = { registry = "https://pypi.org/simple" }',
    wheel('numpy-1'),
    '',
    '[[package]]',
    'name = "numpy"',
    'version = "2.1.0"',
    'source = { registry = "https://pypi.org/simple" }',
    wheel('numpy-2'),
    '',
    '[[package]]',
    'name = "pysocks"',
    'version = "1.7.1"',
    'source = { registry = "https://pypi.org/simple" }',
    wheel('pysocks'),
    '',
    '[[package]]',
    'name = "pytest"',
    'version = "8.3.3"',
    'source = { registry = "https://pypi.org/simple" }',
    wheel('pytest'),
    '',
    '[[package]]',
    'name = "requests"',
    'version = "2.32.3"',
    'source = { registry = "https://pypi.org/simple" }',
    'dependencies = [{ name = "urllib3" }]',
    wheel('requests'),
    '',
    '[package.optional-dependencies]',
    'socks = [{ name = "pysocks" }]',
    '',
    '[[package]]',
    'name = "urllib3"',
    'version = "2.2.3"',
    'source = { registry = "https://pypi.org/simple" }',
    wheel('urllib3'),
    '',
  ].join('\n');

  it('follows dependencies, optional-dependencies and dev-dependencies from the project; versions pick the entry', () => {
    const g = toPythonGraph(parseUvLock('uv.lock', lock));
    expect(paths(g)).toEqual({
      'numpy@1.26.4': 'numpy',
      'numpy@2.1.0': 'root > numpy',
      'pysocks@1.7.1': 'root > requests[socks] > pysocks',
      'pytest@8.3.3': 'root > pytest',
      'requests@2.32.3': 'root > requests',
      'urllib3@2.2.3': 'root > requests > urllib3',
    });
    // Without a pyproject.toml, the declarations are the lock's record of them.
    expect(g.importers).toEqual({ '': { numpy: '>=1.26', requests: '>=2.31', pytest: '>=8' } });
  });

  it('takes the declarations from pyproject.toml when it is the lock`s project', () => {
    const project = parsePyproject(
      'pyproject.toml',
      '[project]\nname = "App"\nversion = "0.1.0"\ndependencies = ["NumPy>=1.26", "requests[socks]>=2.31"]\n\n[tool.uv]\ndev-dependencies = ["pytest>=8"]\n',
    );
    const g = toPythonGraph(parseUvLock('uv.lock', lock), project);
    expect(g.importers).toEqual({ '': { numpy: '>=1.26', requests: '>=2.31', pytest: '>=8' } });
  });
});

describe('poetry.lock edges', () => {
  const lock = [
    '[[package]]',
    'name = "Flask"',
    'version = "3.0.3"',
    'description = ""',
    'optional = false',
    'python-versions = ">=3.8"',
    'groups = ["main"]',
    'files = []',
    '',
    '[package.dependencies]',
    'blinker = ">=1.6.2"',
    'Jinja2 = ">=3.1.2"',
    'python-dotenv = {version = "*", optional = true}',
    '',
    '[package.extras]',
    'dotenv = ["python-dotenv"]',
    '',
    '[[package]]',
    'name = "blinker"',
    'version = "1.8.2"',
    'description = ""',
    'optional = false',
    'python-versions = ">=3.8"',
    'groups = ["main"]',
    'files = []',
    '',
    '[[package]]',
    'name = "jinja2"',
    'version = "3.1.4"',
    'description = ""',
    'optional = false',
    'python-versions = ">=3.7"',
    'groups = ["main"]',
    'files = []',
    '',
    '[package.dependencies]',
    'MarkupSafe = [">=2.0", ">=2.1 ; python_version >= \\"3.12\\""]',
    '',
    '[[package]]',
    'name = "markupsafe"',
    'version = "2.1.5"',
    'description = ""',
    'optional = false',
    'python-versions = ">=3.7"',
    'groups = ["main"]',
    'files = []',
    '',
    '[[package]]',
    'name = "python-dotenv"',
    'version = "1.0.1"',
    'description = ""',
    'optional = false',
    'python-versions = ">=3.8"',
    'groups = ["main"]',
    'files = []',
    '',
    '[metadata]',
    'lock-version = "2.1"',
    'python-versions = "^3.10"',
    `content-hash = "${'0'.repeat(64)}"`,
    '',
  ].join('\n');

  it('normalises the names [package.dependencies] spells as each package does; an optional one is its extra`s', () => {
    const project = parsePyproject(
      'pyproject.toml',
      '[tool.poetry]\nname = "app"\n\n[tool.poetry.dependencies]\npython = "^3.10"\nflask = {version = "^3", extras = ["dotenv"]}\n',
    );
    const g = toPythonGraph(parsePoetryLock('poetry.lock', lock), project);
    expect(paths(g)).toEqual({
      'flask@3.0.3': 'root > flask',
      'blinker@1.8.2': 'root > flask > blinker',
      'jinja2@3.1.4': 'root > flask > jinja2',
      'markupsafe@2.1.5': 'root > flask > jinja2 > markupsafe',
      'python-dotenv@1.0.1': 'root > flask[dotenv] > python-dotenv',
    });
    expect(g.importers).toEqual({ '': { flask: '^3' } });
  });

  it('without pyproject.toml the roots are what no edge reaches, and the declarations are not known', () => {
    const g = toPythonGraph(parsePoetryLock('poetry.lock', lock));
    expect(paths(g)['flask@3.0.3']).toBe('root > flask');
    expect(paths(g)['markupsafe@2.1.5']).toBe('root > flask > jinja2 > markupsafe');
    expect(g.importers).toEqual({});
  });
});

describe('pdm.lock edges and formats without edges', () => {
  it('pdm: `dependencies` strings, an extras entry`s edges are the extra`s', () => {
    const lock = [
      '[metadata]',
      'groups = ["default"]',
      'lock_version = "4.5.0"',
      `content_hash = "sha256:${'0'.repeat(64)}"`,
      '',
      '[[package]]',
      'name = "requests"',
      'version = "2.32.3"',
      'groups = ["default"]',
      'dependencies = ["Charset_Normalizer<4,>=2", "urllib3<3,>=1.21.1"]',
      'files = []',
      '',
      '[[package]]',
      'name = "charset-normalizer"',
      'version = "3.3.2"',
      'groups = ["default"]',
      'files = []',
      '',
      '[[package]]',
      'name = "urllib3"',
      'version = "2.2.3"',
      'groups = ["default"]',
      'files = []',
      '',
    ].join('\n');
    const g = toPythonGraph(parsePdmLock('pdm.lock', lock));
    expect(paths(g)).toEqual({
      'requests@2.32.3': 'root > requests',
      'charset-normalizer@3.3.2': 'root > requests > charset-normalizer',
      'urllib3@2.2.3': 'root > requests > urllib3',
    });
  });

  it('Pipfile.lock records no edges: every package is the project`s, declarations unknown', () => {
    const lock = JSON.stringify({
      _meta: { hash: { sha256: '0'.repeat(64) }, 'pipfile-spec': 6, requires: {}, sources: [] },
      default: { idna: { hashes: [`sha256:${'b'.repeat(64)}`], version: '==3.10' } },
      develop: {},
    });
    const g = toPythonGraph(parsePipfileLock('Pipfile.lock', lock));
    expect(paths(g)).toEqual({ 'idna@3.10': 'root > idna' });
    expect(g.importers).toEqual({});
  });
});

describe('uv.lock editable entries: workspace members or path dependencies', () => {
  const lock = (manifest: string) =>
    [
      'version = 1',
      'revision = 2',
      manifest,
      '[[package]]',
      'name = "app"',
      'version = "0.1.0"',
      'source = { editable = "." }',
      'dependencies = [{ name = "Lib_A" }]',
      '',
      '[[package]]',
      'name = "lib-a"',
      'version = "0.2.0"',
      'source = { editable = "packages/lib-a" }',
      '',
    ].join('\n');

  it('[manifest] members lists it (by its name, normalised): the project, not a package', () => {
    const parsed = parseUvLock('uv.lock', lock('[manifest]\nmembers = ["app", "Lib.A"]\n'));
    expect(parsed.projects).toEqual(['app', 'lib-a']);
    expect(parsed.packages).toEqual([]);
  });

  it('no [manifest] (a single project): an editable other than "." is a path dependency uv builds', () => {
    const parsed = parseUvLock('uv.lock', lock(''));
    expect(parsed.projects).toEqual(['app']);
    expect(parsed.packages.map((p) => [p.name, p.source, p.url])).toEqual([['lib-a', 'directory', 'packages/lib-a']]);
  });
});
