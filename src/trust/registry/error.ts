import { ConfigFileError, type ConfigProblem } from '../config/problems.js';

/**
 * Every problem of one trusted-registry file, each `file:line:col: path: expected`. Exit 2. Apart from load.ts so
 * that trust loading can report a registry problem it finds against the policy without loading the YAML parser.
 */
export class RegistryError extends ConfigFileError {
  constructor(file: string, problems: readonly ConfigProblem[]) {
    super('CONFIG_REGISTRY_INVALID', 'trusted registry file', file, problems);
    this.name = 'RegistryError';
  }
}
