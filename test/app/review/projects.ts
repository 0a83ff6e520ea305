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
