import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scanMobileBytecode } from '../../../src/inspect/containers/torchscript-bytecode.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { zip } from '../formats/build.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';
import { sparseZip } from '../content/sparse-checkpoints.js';
import { inspectAtLimits, ROOMY_LIMITS, ruleAtMember } from '../content/small-limits.js';

const tree = tempTrees('chainproof-torchscript-bytecode-');

/** BINUNICODE then BINPUT, as torch's Pickler writes every string (so the next byte is the letter `q`). */
let memo = 0;
const str = (s: string) => {
  const body = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('X'), len, body, Buffer.from([0x71, memo++ & 0xff])]);
};
const op = (hex: string) => Buffer.from(hex, 'hex');
const int1 = (n: number) => Buffer.from([0x4b, n]);

/**
 * bytecode.pkl in the shape torch 1.13's `_save_for_lite_interpreter` writes it (pickletools of a real one):
 * `(8, ('__torch__.M.forward', (('instructions', ((op, x, n), …)), ('operators', ((name, overload, nargs), …)))))`.
 */
function bytecode(operators: readonly string[], pad = 0): Buffer {
  const instructions = operators.map((_, i) => Buffer.concat([str('OP'), int1(i), int1(0), op('87')]));
  const ops = operators.map((name) => Buffer.concat([str(name), str(''), int1(2), op('87')]));
  return Buffer.concat([
    op('8002'),
    op('28'), // MARK
    int1(8),
    ...(pad > 0 ? [str('x'.repeat(pad))] : []),
    str('__torch__.M.forward'),
    op('28'),
    str('instructions'),
    op('28'),
    ...instructions,
    op('74'), // TUPLE
    op('86'),
    str('operators'),
    op('28'),
    ...ops,
    op('74'),
    op('86'),
    op('74'),
    op('86'),
    op('74'),
    op('2e'), // STOP
  ]);
}

/** A lite-interpreter archive whose code/ is clean: torch.jit.load reads it, _load_for_lite_interpreter never. */
const CLEAN_CODE =
  'class M(Module):\n  __parameters__ = []\n  training : bool\n  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n    return torch.add(x, 1)\n';
const lite = (operators: readonly string[], member = 'lite/bytecode.pkl') =>
  zip([
    { name: 'lite/data.pkl', data: op('80027d71002e') },
    { name: 'lite/code/__torch__.py', data: CLEAN_CODE },
    { name: 'lite/constants.pkl', data: op('8002292e') },
    { name: member, data: bytecode(operators) },
    { name: 'lite/version', data: '8\n' },
  ]);

describe('TorchScript mobile bytecode: the operators the lite interpreter runs', () => {
  it.each([
    { name: 'aten::save', operators: ['aten::add', 'aten::save'], want: ['aten::save'] },
    { name: 'aten::from_file', operators: ['aten::from_file'], want: ['aten::from_file'] },
    { name: "torchvision's image::read_file", operators: ['image::read_file'], want: ['image::read_file'] },
    {
      name: 'an operator past the first 64 of the tuple',
      operators: [...Array.from({ length: 100 }, (_, i) => `aten::op${i}`), 'aten::save'],
      want: ['aten::save'],
    },
    {
      name: 'inference operators only',
      operators: ['aten::linear', 'aten::softmax', 'prim::TupleConstruct'],
      want: [],
    },
    { name: 'a name that only starts like one', operators: ['aten::save_x'], want: [] },
  ])('$name', ({ operators, want }) => {
    const found = scanMobileBytecode(bytecode(operators), 'lite/bytecode.pkl');
    expect(found.map((f) => `${f.ruleId}:${f.evidence?.['operator']}`)).toEqual(want.map((w) => `CPI017:${w}`));
  });

  it('stops at an argument cut off, as the jit Unpickler does', () => {
    const whole = bytecode(['aten::save']);
    const cut = whole.subarray(0, whole.indexOf('aten::save') + 4);
    expect(scanMobileBytecode(cut, 'lite/bytecode.pkl')).toEqual([]);
  });
});

describe('a lite-interpreter archive whose code/ is clean', () => {
  // miniz finds `<root>/bytecode.pkl` whatever the case of the stored name (mz_zip_reader_locate_file, flags 0).
  it.each(['lite/bytecode.pkl', 'lite/BYTECODE.PKL'])('is judged on the operators of %s', async (member) => {
    const root = tree({ 'model.ptl': lite(['aten::add', 'aten::save'], member) });
    const result = await scanWith(root, [inspectStage]);
    const found = result.findings.filter((f) => f.ruleId.startsWith('CPI'));
    expect(found.map((f) => `${f.location.path}:${f.location.member}:${f.ruleId}:${f.evidence?.['operator']}`)).toEqual(
      [`model.ptl:${member}:CPI017:aten::save`],
    );
  });

  it('with only inference operators has no finding', async () => {
    const root = tree({ 'model.ptl': lite(['aten::linear', 'aten::relu']) });
    const result = await scanWith(root, [inspectStage]);
    expect(result.findings.filter((f) => f.ruleId.startsWith('CPI'))).toEqual([]);
  });
});

describe('a large lite-interpreter archive, read by ranges', () => {
  // Past 64 MiB (a storage hole) the zip is read by ranges, where a deflated pickle member past 8 MiB used to be only
  // streamed through the pickle reader; bytecode.pkl is read whole instead (within the memory limit) to be judged.
  it('is judged on the operators of a deflated bytecode.pkl of 9 MiB', async () => {
    const dir = path.join(tree({}), 'large');
    mkdirSync(dir);
    const pickle = bytecode(['aten::save'], 9 << 20);
    sparseZip(path.join(dir, 'model.ptl'), [
      { name: 'lite/data.pkl', data: op('80027d71002e') },
      { name: 'lite/constants.pkl', data: op('8002292e') },
      { name: 'lite/bytecode.pkl', method: 8, data: deflateRawSync(pickle, { level: 1 }), size: pickle.length },
      { name: 'lite/data/0', size: 100 << 20 },
    ]);
    const found = await inspectAtLimits(dir, { ...ROOMY_LIMITS, maxInMemory: 16 << 20 });
    expect(found.map(ruleAtMember).filter((r) => r.startsWith('CPI017'))).toEqual(['CPI017:lite/bytecode.pkl']);
  });
});
