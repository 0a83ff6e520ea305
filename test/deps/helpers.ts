import path from 'node:path';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { scanWith } from '../helpers/scan.js';
import type { Policy } from '../../src/core/policy.js';
import type { ScanResult } from '../../src/core/result.js';
import type { MaliciousPackage, TrustedRegistry } from '../../src/core/trusted-registry.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { depsStage } from '../../src/deps/stage.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { corpusPath } from '../helpers/corpus.js';

/** Real third-party lockfiles, read in place from ../shared/corpora/lockfiles. */
export const LOCKFILES = corpusPath('lockfiles');
/** Hand-made lockfile cases of this project. */
export const CASES = path.resolve(import.meta.dirname, '../../fixtures/lockfiles/cases');

export function policyWith(deps: Partial<Policy['dependencies']>): Policy {
  return { ...DEFAULT_POLICY, dependencies: { ...DEFAULT_POLICY.dependencies, ...deps } };
}

export function registryWith(malicious: Omit<MaliciousPackage, 'file'>[]): TrustedRegistry {
  return {
    ...EMPTY_REGISTRY,
    files: ['trusted-registry/malicious.json'],
    malicious: malicious.map((m) => ({ ...m, file: 'trusted-registry/malicious.json' })),
  };
}

/** Run only the deps stage over `root`. */
export function scanDeps(
  root: string,
  opts: { policy?: Policy; registry?: TrustedRegistry; env?: Record<string, string> } = {},
): Promise<ScanResult> {
  return scanWith(root, [depsStage], {
    ...(opts.policy ? { policy: opts.policy } : {}),
    ...(opts.registry ? { registry: opts.registry } : {}),
    options: { env: opts.env ?? {} },
  });
}

/**
 * A temp repository: values are literal file text or `{ copy }` — `cases/…` from this project's hand-made
 * fixtures/lockfiles/cases, anything else from the corpora's lockfiles/.
 */
export async function repoWith(files: Record<string, string | { copy: string }>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-deps-'));
  for (const [rel, src] of Object.entries(files)) {
    const to = path.join(dir, rel);
    await mkdir(path.dirname(to), { recursive: true });
    if (typeof src === 'string') await writeFile(to, src);
    else
      await copyFile(
        src.copy.startsWith('cases/')
          ? path.join(CASES, src.copy.slice('cases/'.length))
          : path.join(LOCKFILES, src.copy),
        to,
      );
  }
  return dir;
}
