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
    files: { 'ckpt/.metadata': fixture('dcp_metadata.pickle'), 'ckpt/__0_0.distcp': fixture('dcp_shard.distcp') },
    want: [],
  },
  {
    // read_data opens `concat_path(checkpoint, relative_path)`: what it would read there is unknown, and reported.
    name: '.metadata whose items lie outside the scan root and in a missing file, beside a genuine shard',
    loader: READ,
    files: {
      'ckpt/.metadata': fixture('dcp_unreachable.metadata'),
      'ckpt/__0_0.distcp': fixture('dcp_shard.distcp'),
    },
    want: ['CPI131:error'],
  },
  {
    name: 'a genuine .metadata whose shard is not in the tree',
    loader: READ,
    files: { 'ckpt/.metadata': fixture('dcp_metadata.pickle') },
    want: ['CPI131:error'],
  },
  {
    // read_data cuts items by `.metadata`'s `_StorageInfo(offset, length)`, not by the shard's own layout: a BYTE_IO
    // item declared inside the tensor's raw bytes is a whole torch.save archive that load_bytes loads.
    name: 'shard whose .metadata declares a BYTE_IO item inside the tensor’s bytes (an archive of os.system there)',
    loader: READ,
    files: {
      'ckpt/__0_0.distcp': fixture('dcp_hidden.distcp'),
      'ckpt/.metadata': fixture('dcp_hidden.metadata'),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'genuine shard with the .metadata that declares exactly its three items',
    loader: READ,
    files: {
      'ckpt/__0_0.distcp': fixture('dcp_shard.distcp'),
      'ckpt/.metadata': fixture('dcp_shard.metadata'),
    },
    want: [],
  },
  {
    // read_data opens `concat_path(checkpoint, relative_path)`: any file of the folder, not only the shards.
    name: '.metadata that declares a BYTE_IO item in the folder’s README (a torch.save archive appended to it)',
    loader: READ,
    files: {
      'ckpt/__0_0.distcp': fixture('dcp_shard.distcp'),
      'ckpt/.metadata': fixture('dcp_readme.metadata'),
      'ckpt/README.md': fixture('dcp_readme.md'),
    },
    want: ['CPI001:error'],
  },
  {
    name: 'control: the same README without a .metadata that declares a range in it',
    loader: READ,
    files: {
      'ckpt/__0_0.distcp': fixture('dcp_shard.distcp'),
      'ckpt/.metadata': fixture('dcp_shard.metadata'),
      'ckpt/README.md': fixture('dcp_readme.md'),
    },
    want: [],
  },
  {
    // Without the `.metadata` nothing declares the inner range, and read_data has nothing to load it by.
    name: 'control: the same one-tensor shard without a .metadata beside it',
    loader: READ,
    files: { 'ckpt/__0_0.distcp': fixture('dcp_hidden.distcp') },
    want: [],
  },
  {
    // torch.load of the whole concatenation fails (miniz reads the last directory at its raw offset): outside a
    // shard's name the file keeps the ordinary zip reader's verdict. The zip records read past data.pkl's STOP are no
    // pickle torch.load reads (it unpickles data.pkl once), so they carry no weights-only note (CPI119).
    name: 'control: the same concatenation under a torch.save name',
    loader: 'torch.load',
    files: { 'model.pt': fixture('dcp_shard.distcp') },
    want: ['CPI003:warning', 'CPI012:error', 'CPI014:warning'],
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

  it('names the declared item at the offset .metadata gives for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-distcp-'));
    try {
      writeFileSync(join(dir, '__0_0.distcp'), fixture('dcp_hidden.distcp'));
      writeFileSync(join(dir, '.metadata'), fixture('dcp_hidden.metadata'));
      const res = await scanWith(dir, [inspectStage]);
      const f = res.findings.filter((x) => x.ruleId === 'CPI001');
      const at = innerArchiveAt(fixture('dcp_hidden.distcp'));
      expect(f.map((x) => x.location)).toEqual([
        { path: '__0_0.distcp', member: `<distcp item@${at}>!archive/data.pkl` },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a range .metadata declares in another file is reported at the .metadata, naming the file', () => {
  it('names the file and the offset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-distcp-'));
    try {
      writeFileSync(join(dir, '__0_0.distcp'), fixture('dcp_shard.distcp'));
      writeFileSync(join(dir, '.metadata'), fixture('dcp_readme.metadata'));
      writeFileSync(join(dir, 'README.md'), fixture('dcp_readme.md'));
      const res = await scanWith(dir, [inspectStage]);
      const at = fixture('dcp_readme.md').indexOf('PK\x03\x04', 0, 'latin1');
      expect(res.findings.filter((x) => x.ruleId === 'CPI001').map((x) => x.location)).toEqual([
        { path: '.metadata', member: `<distcp item@${at} in README.md>!archive/data.pkl` },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('files a .metadata names that could not be checked', () => {
  it('are named in one finding, each with why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-distcp-'));
    try {
      writeFileSync(join(dir, '__0_0.distcp'), fixture('dcp_shard.distcp'));
      writeFileSync(join(dir, '.metadata'), fixture('dcp_unreachable.metadata'));
      const res = await scanWith(dir, [inspectStage]);
      const cpi131 = res.findings.filter((x) => x.ruleId === 'CPI131');
      expect(cpi131.map((x) => [x.location.path, x.evidence?.['files'], x.evidence?.['items']])).toEqual([
        ['.metadata', '../../outside/step.bin (outside the scan root), missing.bin (missing)', 2],
      ]);
      expect(cpi131[0]!.message).toContain('FileSystemReader.read_data');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a .metadata that declares more ranges than are checked', () => {
  it('checks the first ones and reports the rest as unchecked (CPI004)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-distcp-'));
    try {
      const shard = fixture('dcp_hidden.distcp');
      writeFileSync(join(dir, '__0_0.distcp'), shard);
      writeFileSync(
        join(dir, '.metadata'),
        storageInfos(1100, (i) => [i, shard.length - i]),
      );
      const res = await scanWith(dir, [inspectStage]);
      const cpi004 = res.findings.filter((x) => x.ruleId === 'CPI004');
      // Range 0 is the shard's own item (read already): 1099 extra ranges, 1024 of them checked.
      expect(cpi004.map((x) => [x.location.path, x.evidence?.['unchecked']])).toEqual([['__0_0.distcp', 1099 - 1024]]);
      // The archive at 320 is among the ranges checked.
      expect(res.findings.some((x) => x.ruleId === 'CPI001')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A protocol-2 list of `_StorageInfo('__0_0.distcp', offset, length)` dataclasses, as `.metadata` holds them. */
function storageInfos(n: number, range: (i: number) => [number, number]): Buffer {
  const int = (v: number) => {
    const b = Buffer.alloc(5);
    b.writeUInt8(0x4a, 0);
    b.writeInt32LE(v, 1);
    return b;
  };
  const str = (t: string) =>
    Buffer.concat([Buffer.from([0x58]), Buffer.from(new Uint32Array([t.length]).buffer), Buffer.from(t)]);
  const parts: Buffer[] = [Buffer.from('\x80\x02]q\x00(', 'latin1')];
  for (let i = 0; i < n; i++) {
    const [offset, length] = range(i);
    parts.push(
      Buffer.from('ctorch.distributed.checkpoint.filesystem\n_StorageInfo\n)\x81}(', 'latin1'),
      str('relative_path'),
      str('__0_0.distcp'),
      str('offset'),
      int(offset),
      str('length'),
      int(length),
      Buffer.from('ub', 'latin1'),
    );
  }
  parts.push(Buffer.from('e.', 'latin1'));
  return Buffer.concat(parts);
}

/** Where the archive hidden in the tensor's bytes starts: the second local header named `archive/data.pkl`. */
function innerArchiveAt(shard: Buffer): number {
  const LOCAL = Buffer.from('PK\x03\x04', 'latin1');
  for (let p = shard.indexOf(LOCAL, 1); p >= 0; p = shard.indexOf(LOCAL, p + 1))
    if (shard.toString('latin1', p + 30, p + 46) === 'archive/data.pkl') return p;
  return -1;
}
