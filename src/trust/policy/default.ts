import type { Policy } from '../../core/policy.js';

/**
 * The embedded default policy: applies when no `--policy` is given and no `.chainproof/policy.yml` exists.
 * Kept in sync with `policies/default.yml` (a test compares them).
 */
export const DEFAULT_POLICY: Policy = Object.freeze({
  source: '<embedded default policy>',
  dependencies: {
    allowedRegistries: ['https://registry.npmjs.org/', 'https://registry.yarnpkg.com/'],
    privateScopes: [],
    allowInstallScripts: [],
    sources: { git: 'warning', tarball: 'warning', file: 'note' },
    requireProvenance: [],
    verifySignatures: true,
    failClosed: false,
  },
  models: {
    allowedFormats: [],
    forbiddenFormats: [],
    unknownModel: 'note',
    allowedGlobals: [],
  },
  signatures: {
    tlogThreshold: 1,
    timestampThreshold: 1,
    signers: {},
    require: [],
  },
  rules: {},
  suppressions: [],
}) as Policy;
