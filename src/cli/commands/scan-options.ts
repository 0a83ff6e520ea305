import { availableParallelism } from 'node:os';
import { FORMATS } from '../../report/formats.js';
import { POLICY_FILE_CANDIDATES } from '../../trust/policy/find.js';
import type { OptionSpec } from '../fast-args.js';
import { TERMINAL_OPTIONS } from '../terminal-options.js';

/**
 * `chainproof scan`'s options, in help order. One table for both parsers: yargs reads it for help and error
 * messages, src/cli/fast-args.ts for plain invocations (so a scan starts without loading yargs).
 */
export const SCAN_OPTIONS = {
  format: {
    alias: 'f',
    type: 'string',
    array: true,
    default: [],
    describe: `Output format, repeatable: ${FORMATS.join(', ')} (also FORMAT=FILE)`,
  },
  output: {
    alias: 'o',
    type: 'string',
    array: true,
    default: [],
    describe: 'Output file for the --format at the same position ("-" = stdout)',
  },
  'fail-on': {
    choices: ['error', 'warning', 'note', 'none'],
    default: 'error',
    describe: 'Exit 1 when a finding is at or above this level',
  },
  policy: {
    alias: 'p',
    type: 'string',
    // Named from the list findPolicyFile walks: the help said `.chainproof/policy.yml` alone, and a repository's
    // `chainproof.policy.yml` judged its scan while the help said the embedded default would.
    describe: `Policy file (default: the first of ${POLICY_FILE_CANDIDATES.join(', ')} in <dir>, else the embedded default)`,
  },
  registry: {
    alias: 'r',
    type: 'string',
    array: true,
    default: [],
    describe: 'Trusted-registry file(s) (default: every file in <dir>/trusted-registry/)',
  },
  'npm-registry': {
    type: 'string',
    describe: 'npm registry URL to verify packages against (default: from .npmrc)',
  },
  offline: {
    type: 'boolean',
    default: false,
    describe: 'Make no network request; answer from the cache',
  },
  'verify-tarballs': {
    type: 'boolean',
    default: false,
    describe: 'Download package tarballs and check them against the lockfile',
  },
  concurrency: {
    alias: 'j',
    type: 'number',
    default: Math.max(2, availableParallelism() * 2),
    describe: 'Parallel file and network operations',
  },
  include: { type: 'string', array: true, default: [], describe: 'Only scan paths matching these globs' },
  exclude: { type: 'string', array: true, default: [], describe: 'Skip paths matching these globs' },
  cache: {
    type: 'boolean',
    default: true,
    describe: 'Use the digest and registry cache (--no-cache turns it off)',
  },
  'cache-dir': {
    type: 'string',
    describe: 'Cache directory (default: $CHAINPROOF_CACHE_DIR, else ~/.cache/chainproof)',
  },
  shard: { type: 'string', describe: 'Handle shard i of n (e.g. 2/4) for a runner matrix' },
  refs: {
    type: 'boolean',
    default: true,
    describe: 'Search source code and config for the models it downloads (--no-refs skips it)',
  },
  category: { type: 'string', describe: 'SARIF automationDetails category' },
  baseline: { type: 'string', describe: 'Previous SARIF: report only findings that are new' },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'No log lines on stderr' },
  verbose: {
    type: 'boolean',
    default: false,
    describe: 'Debug log lines on stderr; list every package a cause finding covers',
  },
  ...TERMINAL_OPTIONS,
} satisfies Record<string, OptionSpec>;
