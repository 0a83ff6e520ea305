import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.js';
import { signaturesStage } from '../../src/verify/stage.js';
import { scanWith } from '../helpers/scan.js';
import { blockNetwork, modelsSignedBy } from './helpers.js';

beforeAll(blockNetwork);

/**
 * A model folder nothing signs is one cause, fixed by one `model_signing sign <folder>`: one CPS003 for the folder,
 * not one per shard. Every file still fails the requirement (verifications), and a file a suppression names keeps a
 * finding of its own, so the suppression hides only it.
 */
let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function repo(files: readonly string[]): void {
  root = mkdtempSync(path.join(tmpdir(), 'cp-unsigned-fold-'));
  for (const rel of files) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), rel);
  }
}

const SHARDS = [
  'models/llama/model-00001.safetensors',
  'models/llama/model-00002.safetensors',
  'models/llama/config.json',
];

const scan = (policy: Policy = modelsSignedBy(['ecKey'], [])) =>
  scanWith(root, [signaturesStage], { policy, today: '2025-06-01' });

describe('CPS003 for unsigned files, one per folder', () => {
  it('the unsigned files of one folder are one finding at the folder; a lone file keeps its own', async () => {
    repo([...SHARDS, 'models/other/x.onnx']);
    const r = await scan();
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`).sort()).toEqual([
      'CPS003 models/llama',
      'CPS003 models/other/x.onnx',
    ]);
    const folder = r.findings.find((f) => f.location.path === 'models/llama')!;
    expect(folder.message).toContain('3 files in models/llama/ must be signed (policy signatures.require[0]');
    expect(folder.message).toContain('model_signing sign models/llama');
    expect(folder.evidence).toMatchObject({ files: 3, requirement: 0 });
    expect(folder.related?.map((l) => l.path)).toEqual([...SHARDS].sort());
    // Not checked is never clean: each file still fails the requirement.
    const failed = r.verifications.filter((v) => v.status === 'failed').map((v) => v.key);
    expect(failed.sort()).toEqual([...SHARDS, 'models/other/x.onnx'].map((p) => `file:${p}`).sort());
  });

  it("one more unsigned file keeps the folder finding's fingerprint", async () => {
    repo(SHARDS);
    const before = (await scan()).findings.map((f) => f.fingerprint);
    writeFileSync(path.join(root, 'models/llama/model-00003.safetensors'), 'x');
    const after = await scan();
    expect(after.findings.map((f) => f.fingerprint)).toEqual(before);
    expect(after.findings[0]!.evidence).toMatchObject({ files: 4 });
  });

  it('a suppression naming one file hides that file only', async () => {
    repo(SHARDS);
    const base = modelsSignedBy(['ecKey'], []);
    const policy: Policy = {
      ...base,
      suppressions: [{ rule: 'CPS003', path: 'models/llama/config.json', reason: 'test', expires: '2099-01-01' }],
    };
    const r = await scan(policy);
    expect(r.suppressed.map((f) => f.location.path)).toEqual(['models/llama/config.json']);
    expect(r.findings.map((f) => `${f.ruleId} ${f.location.path}`)).toEqual(['CPS003 models/llama']);
    expect(r.findings[0]!.evidence).toMatchObject({ files: 2 });
  });
});
