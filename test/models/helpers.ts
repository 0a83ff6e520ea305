import path from 'node:path';
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { silentLogger } from '../../src/core/context.js';
import type { Policy } from '../../src/core/policy.js';
import type { ScanResult } from '../../src/core/result.js';
import { scanRepository } from '../../src/app/scan.js';
import { modelsStage } from '../../src/models/stage.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { loadTrustedRegistry } from '../../src/trust/registry/load.js';
import { corpusPath } from '../helpers/corpus.js';

export const REPO = path.resolve(import.meta.dirname, '../..');
/** Real model files, read in place from ../shared/corpora/models. */
export const MODELS = corpusPath('models');

export function policyWith(models: Partial<Policy['models']>): Policy {
  return { ...DEFAULT_POLICY, models: { ...DEFAULT_POLICY.models, ...models } };
}

/** Run only the models stage over `root`, with the registry found under it. */
export async function scanModels(
  root: string,
  opts: { policy?: Policy; cacheDir?: string; include?: string[]; exclude?: string[] } = {},
): Promise<ScanResult> {
  return scanRepository({
    root,
    policy: opts.policy ?? DEFAULT_POLICY,
    registry: await loadTrustedRegistry(root),
    options: {
      offline: true,
      concurrency: 4,
      verifyTarballs: false,
      cacheDir: opts.cacheDir,
      registry: undefined,
      shard: undefined,
      env: {},
    },
    include: opts.include ?? [],
    exclude: opts.exclude ?? [],
    logger: silentLogger,
    stages: [modelsStage],
    today: '2025-01-01',
  });
}

/** A temp repository holding copies of real model files at the given repo-relative paths. */
export async function repoWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-models-'));
  for (const [rel, src] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await copyFile(path.join(MODELS, src), path.join(dir, rel));
  }
  return dir;
}

export function ruleIds(r: ScanResult): string[] {
  return r.findings.map((f) => `${f.ruleId} ${f.location.path}`).sort();
}
