import type { CommandModule } from 'yargs';
import type { FastCommand } from '../fast-args.js';

/**
 * A command as the top-level help lists it. Its module — options, handler, and every stage and library it needs
 * (sigstore, tuf, npm-registry-fetch, ajv, tar, yaml…) — is imported only when that command runs, so
 * `chainproof --version` or `chainproof rules` never loads a scan. `test/cli/commands.test.ts` checks that each
 * entry agrees with the module it loads.
 */
export interface LazyCommand {
  /** The yargs command string, e.g. `scan [dir]`; its first word is what the user types. */
  readonly command: string;
  readonly describe: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly load: () => Promise<CommandModule<object, any>>;
  /** The same command without yargs, for plain invocations (src/cli/fast-args.ts); only the hot path has one. */
  readonly loadFast?: () => Promise<FastCommand>;
}

/** Every CLI command. Adding one is one entry here. */
export const COMMANDS: readonly LazyCommand[] = [
  {
    command: 'scan [dir]',
    describe: 'Scan a repository: dependencies, model files, signatures and model content',
    load: async () => (await import('./scan.js')).scanCommand,
    loadFast: async () => (await import('./scan.js')).scanFast,
  },
  {
    command: 'review [dir]',
    describe: 'Review a dependency or model update: what did the change between two git revisions bring in?',
    load: async () => (await import('./review.js')).reviewCommand,
  },
  {
    command: 'rules',
    describe: 'List every rule with its level, security severity and help',
    load: async () => (await import('./rules.js')).rulesCommand,
  },
  {
    command: 'verify <bundle> <artifact>',
    describe:
      'Verify a Sigstore bundle over a file, or an OpenSSF model signature (model.sig) over a model folder, offline',
    load: async () => (await import('./verify.js')).verifyCommand,
  },
  {
    command: 'registry <command>',
    describe: 'Maintain the trusted registry: add model entries, validate the files',
    load: async () => (await import('./registry.js')).registryCommand,
  },
  {
    command: 'policy <action> [file]',
    describe: 'Validate a policy file, or print the effective policy after defaults and overrides',
    load: async () => (await import('./policy.js')).policyCommand,
  },
  {
    command: 'init [dir]',
    describe:
      'Write a starting policy (.chainproof/policy.yml, where scan looks) and trusted registry (trusted-registry/) from what the repository holds',
    load: async () => (await import('./init.js')).initCommand,
  },
  {
    command: 'sarif <command>',
    describe: 'Work with SARIF files: merge the outputs of sharded scans',
    load: async () => (await import('./sarif.js')).sarifCommand,
  },
];

/** The name a command is typed as (`scan` for `scan [dir]`). */
export function commandName(c: Pick<LazyCommand, 'command'>): string {
  return c.command.split(' ')[0]!;
}
