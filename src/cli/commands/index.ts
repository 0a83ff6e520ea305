import type { CommandModule } from 'yargs';
import { initCommand } from './init.js';
import { policyCommand } from './policy.js';
import { registryCommand } from './registry.js';
import { reviewCommand } from './review.js';
import { rulesCommand } from './rules.js';
import { sarifCommand } from './sarif.js';
import { scanCommand } from './scan.js';
import { verifyCommand } from './verify.js';

/** Every CLI command. Adding one is one line here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: readonly CommandModule<object, any>[] = [
  scanCommand,
  reviewCommand,
  rulesCommand,
  verifyCommand,
  registryCommand,
  policyCommand,
  initCommand,
  sarifCommand,
];
