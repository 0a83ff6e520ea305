import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

const fixture = (name: string) =>
  readFileSync(path.resolve(import.meta.dirname, '../../../fixtures/loader-cases', name));
const READ =
  'torch.distributed.checkpoint FileSystemReader.read_data: each item cut out by offset and torch.load-ed; BYTE_IO items via DefaultLoadPlanner.load_bytes, torch.load(weights_only=False)';
const METADATA = 'torch.distributed.checkpoint FileSystemReader.read_metadata: pickle.load(.metadata)';

/**
 * A PyTorch Distributed Checkpoint folder (FSDP sharded state dicts, accelerate, NeMo 2 `weights/`): a `.metadata`
 * pickle and `__<rank>_<n>.distcp` shards, each a concatenation of torch.save archives (fixtures made by
 * fixtures/loader-cases/generate.py with Debian's torch.save, in the layout filesystem.py `_write_item` writes).
 */
const CASES: readonly UnseenCase[] = [
  {
    name: 'genuine shard: a BYTE_IO item and two tensors, one torch.save archive each',
    loader: READ,
    files: { 'ckpt/__0_0.distcp': fixture('dcp_shard.distcp') },
    want: [],
  },
  {
    name: 'shard whose second item (a BYTE_IO object) pickles os.system',
    loader: READ,
    files: { 'ckpt/__0_0.distcp': fixture('dcp_evil.distcp') },
    want: ['CPI001:error'],
  },
  {
    name: 'genuine .metadata: the checkpoint.metadata dataclasses and _StorageInfo',
    loader: METADATA,
    files: { 'ckpt/.metadata': fixture('dcp_metadata.pickle') },
    want: [],
  },
  {
    // torch.load of the whole concatenation fails (miniz reads the last directory at its raw offset): outside a
    // shard's name the file keeps the ordinary zip reader's verdict.
    name: 'control: the same concatenation under a torch.save name',
    loader: 'torch.load',
    files: { 'model.pt': fixture('dcp_shard.distcp') },
    want: ['CPI003:warning', 'CPI012:error', 'CPI014:warning', 'CPI119:note'],
  },
];

describeUnseenCases('PyTorch Distributed Checkpoint shards and metadata', CASES);

describe('a Distributed Checkpoint item is located and described as DCP loads it', () => {
  it('names the item and does not promise the weights_only default (load_bytes passes weights_only=False)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-distcp-'));
    try {
      writeFileSync(join(dir, '__0_0.distcp'), fixture('dcp_evil.distcp'));
      const res = await scanWith(dir, [inspectStage]);
      const f = res.findings.find((x) => x.ruleId === 'CPI001');
      expect(f?.location.member).toMatch(/^<distcp item@\d+>!archive\/data\.pkl$/);
      expect(f?.message).not.toMatch(/weights_only=True/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
