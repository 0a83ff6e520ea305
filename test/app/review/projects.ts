// Smallest projects of each package manager the review tests change one thing in.
import { manifest, sri } from './npm-lock.js';

/** A yarn berry project with no dependencies. */
const YARN_LOCK = [
  '__metadata:',
  '  version: 8',
  '  cacheKey: 10c0',
  '',
  '"app@workspace:.":',
  '  version: 0.0.0-use.local',
  '  resolution: "app@workspace:."',
  '  languageName: unknown',
  '  linkType: soft',
  '',
].join('\n');
export const YARN_PROJECT = { 'package.json': manifest({}), 'yarn.lock': YARN_LOCK };

/** A pnpm project locking lodash@4.17.20. */
const PNPM_LOCK = [
  "lockfileVersion: '9.0'",
  '',
  'importers:',
  '',
  '  .:',
  '    dependencies:',
  '      lodash:',
  '        specifier: ^4.17.20',
  '        version: 4.17.20',
  '',
  'packages:',
  '',
  '  lodash@4.17.20:',
  `    resolution: {integrity: ${sri(1)}}`,
  '',
  'snapshots:',
  '',
  '  lodash@4.17.20: {}',
  '',
].join('\n');
export const PNPM_PROJECT = { 'package.json': manifest({ lodash: '^4.17.20' }), 'pnpm-lock.yaml': PNPM_LOCK };

/** A uv project's pyproject.toml asking for idna with `requirement` (PEP 508). */
export const idnaPyproject = (requirement: string): string =>
  `[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = ["${requirement}"]\n`;

/**
 * Its uv.lock as uv writes it: the virtual project asking for idna with `asked` (the requires-dist fields, e.g.
 * `specifier = ">=3"`), and idna at `version` from the `source` lines given.
 */
export const idnaUvLock = (asked: string, version: string, source: string): string =>
  [
    'version = 1',
    'revision = 2',
    'requires-python = ">=3.10"',
    '',
    '[[package]]',
    'name = "app"',
    'version = "0.1.0"',
    'source = { virtual = "." }',
    'dependencies = [',
    '    { name = "idna" },',
    ']',
    '',
    '[package.metadata]',
    `requires-dist = [{ name = "idna", ${asked} }]`,
    '',
    '[[package]]',
    'name = "idna"',
    `version = "${version}"`,
    source,
    '',
  ].join('\n');
