import type { CommandModule } from 'yargs';
import { registryCommand } from './registry.js';
import { rulesCommand } from './rules.js';
import { sarifCommand } from './sarif.js';
import { scanCommand } from './scan.js';

/** Every CLI command. Adding one is one line here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: readonly CommandModule<any, any>[] = [scanCommand, rulesCommand, registryCommand, sarifCommand];
