import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, inspectFolder } from './scan-folder.js';

const RESEARCH = path.join(FIXTURES, 'models-benign', 'research');

/** One file inspected alone, so nothing groups it with another file's findings. */
async function inspectAlone(name: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cp-legacy-protocol-'));
  try {
    copyFileSync(path.join(RESEARCH, name), path.join(dir, name));
    return (await inspectFolder(dir)).get(name) ?? [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('legacy torch.save files written with pickle_protocol=N (Debian torch 1.13)', () => {
  // torch's weights-only unpickler raises at the first opcode it lacks, in the first of the five pickles: one note,
  // at that pickle, not one per pickle and opcode.
  it.each([
    { name: 'legacy_protocol1.pt', opcode: 'LONG' },
    { name: 'legacy_protocol4.pt', opcode: 'FRAME' },
    { name: 'legacy_protocol5.pt', opcode: 'FRAME' },
  ])('$name: one CPI119, at the opcode torch refuses first ($opcode)', async ({ name, opcode }) => {
    const got = await inspectAlone(name);
    expect(got.map((f) => [f.ruleId, f.level, f.evidence?.['opcode'], f.evidence?.['pickle']])).toEqual([
      ['CPI119', 'note', opcode, 0],
    ]);
  });

  it('legacy_protocol3.pt: nothing (protocol 3 writes only opcodes the weights-only unpickler implements here)', async () => {
    expect(await inspectAlone('legacy_protocol3.pt')).toEqual([]);
  });

  // torch.load's `_legacy_load` reads any non-zip, non-tar file whose first pickle is the magic number, and runs the
  // second pickle (the protocol version) before it checks anything: the text spelling protocols 0–1 write is the
  // legacy format under any name. It was neither recognised nor read when the name claimed no pickle.
  it.each(['pytorch_model.bin', 'checkpoint.data', 'weights'])(
    'a hand-made legacy file with the text magic, named %s: the payload in its second pickle is CPI001',
    async (name) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'cp-legacy-text-magic-'));
      try {
        const body = 'L119547037146038801333356L\n.cos\nsystem\n(Vid\ntR.';
        writeFileSync(path.join(dir, name), Buffer.from(body, 'latin1'));
        const got = (await inspectFolder(dir)).get(name) ?? [];
        expect(got.filter((f) => f.level === 'error').map((f) => [f.ruleId, f.evidence?.['global']])).toEqual([
          ['CPI001', 'os.system'],
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  // Any int opcode spelling the magic is the legacy format: `_legacy_load` compares the value pickle.load returns.
  const MAGIC = 0x1950a86a20f9469cfc6cn;
  const le = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => Number((MAGIC >> BigInt(8 * i)) & 0xffn)));
  it.each([
    { spelling: 'LONG1 of 11 bytes', first: Buffer.concat([Buffer.from([0x8a, 11]), le(11), Buffer.from('.')]) },
    { spelling: 'LONG4', first: Buffer.concat([Buffer.from([0x8b, 10, 0, 0, 0]), le(10), Buffer.from('.')]) },
    { spelling: 'INT text', first: Buffer.from('I119547037146038801333356\n.', 'latin1') },
    { spelling: 'LONG text with a sign', first: Buffer.from('L +119547037146038801333356L\n.', 'latin1') },
  ])('the magic as $spelling, named weights.bin: the payload after it is CPI001', async ({ first }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cp-legacy-magic-spelling-'));
    try {
      writeFileSync(
        path.join(dir, 'weights.bin'),
        Buffer.concat([first, Buffer.from('cos\nsystem\n(Vid\ntR.', 'latin1')]),
      );
      const got = (await inspectFolder(dir)).get('weights.bin') ?? [];
      expect(got.filter((f) => f.level === 'error').map((f) => [f.ruleId, f.evidence?.['global']])).toEqual([
        ['CPI001', 'os.system'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
