import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { torchMobileSteps } from '../../../src/inspect/formats/torch-mobile.js';
import { Findings } from '../../../src/inspect/formats/report.js';
import { bufferSource, driveSync } from '../../../src/inspect/formats/source.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { FIXTURES } from '../pickle/scan-folder.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';
import { zip } from './build.js';

const tree = tempTrees('chainproof-torch-mobile-');

/** A flatbuffer string as flatbuffers writes one: its u32 length, the bytes, a NUL, padding to four bytes. */
function fbString(s: string, length = Buffer.byteLength(s)): Buffer {
  const body = Buffer.from(s);
  const out = Buffer.alloc(4 + body.length + 1 + ((4 - ((body.length + 1) % 4)) % 4));
  out.writeUInt32LE(length);
  body.copy(out, 4);
  return out;
}

/**
 * A PyTorch Mobile flatbuffer's identifier, an empty root table (a vtable of no fields) and the strings of other
 * tables (the operators' names among them): the names are judged wherever they stand.
 */
const flatbuffer = (...parts: Buffer[]) => {
  const head = Buffer.alloc(16);
  head.writeUInt32LE(12, 0); // root table
  head.write('PTMF', 4, 'latin1');
  head.writeUInt16LE(4, 8); // its vtable: no field
  head.writeUInt16LE(4, 10);
  head.writeInt32LE(12 - 8, 12);
  return Buffer.concat([head, ...parts]);
};

const operatorsOf = (bytes: Buffer): string[] => {
  const out = new Findings('model.ptl', 'torch-mobile-flatbuffer');
  driveSync(torchMobileSteps(bufferSource(bytes), out));
  return out.list.map((f) => `${f.ruleId}:${f.evidence?.['operator']}`);
};

describe('PyTorch Mobile flatbuffer: the operators _load_for_lite_interpreter runs', () => {
  it.each([
    {
      name: 'aten::save',
      parts: [fbString('aten::add'), fbString('Scalar'), fbString('aten::save')],
      want: ['aten::save'],
    },
    { name: 'aten::from_file', parts: [fbString('aten::from_file'), fbString('')], want: ['aten::from_file'] },
    { name: "torchvision's image::write_file", parts: [fbString('image::write_file')], want: ['image::write_file'] },
    {
      // The length 97 is the byte of `a`: the name is still found from where its own length says it starts.
      name: 'a name whose length byte reads as a letter',
      parts: [fbString(`${'a'.repeat(91)}::save`)],
      want: [`${'a'.repeat(91)}::save`],
    },
    { name: 'inference operators only', parts: [fbString('aten::linear'), fbString('aten::softmax')], want: [] },
    // The source text beside the bytecode (`torch.save(x, p)` in a string of jit sources) is no operator name.
    { name: 'an operator name inside other text', parts: [fbString('# calls aten::save here')], want: [] },
    { name: 'a length that is not the name’s', parts: [fbString('aten::save', 12)], want: [] },
  ])('$name', ({ parts, want }) => {
    expect(operatorsOf(flatbuffer(...parts))).toEqual(want.map((w) => `CPI017:${w}`));
  });
});

/**
 * A Module table (mobile_bytecode.fbs) whose only field is `jit_sources` (field 8): one ExtraFile `{name, content}`,
 * laid out as flatbuffers does (root uoffset, vtables before their tables, strings last).
 */
function moduleWithSource(name: string, source: string): Buffer {
  const strings = Buffer.concat([fbString(name), fbString(source)]);
  const out = Buffer.alloc(68 + strings.length);
  out.writeUInt32LE(32, 0); // root table
  out.write('PTMF', 4, 'latin1');
  out.writeUInt16LE(22, 8); // Module vtable: 9 fields
  out.writeUInt16LE(8, 10);
  out.writeUInt16LE(4, 8 + 4 + 2 * 8); // jit_sources at table + 4
  out.writeInt32LE(32 - 8, 32);
  out.writeUInt32LE(40 - 36, 36); // the vector
  out.writeUInt32LE(1, 40);
  out.writeUInt32LE(56 - 44, 44); // its one ExtraFile
  out.writeUInt16LE(8, 48); // ExtraFile vtable: name at +4, content at +8
  out.writeUInt16LE(12, 50);
  out.writeUInt16LE(4, 52);
  out.writeUInt16LE(8, 54);
  out.writeInt32LE(56 - 48, 56);
  out.writeUInt32LE(68 - 60, 60);
  out.writeUInt32LE(68 + fbString(name).length - 64, 64);
  strings.copy(out, 68);
  return out;
}

const FORWARD = (body: string) =>
  `class M(Module):\n  __parameters__ = []\n  training : bool\n  def forward(self: __torch__.M,\n    x: Tensor) -> Tensor:\n${body}    return x\n`;

describe('PyTorch Mobile flatbuffer: the TorchScript source torch.jit.load compiles from it', () => {
  it.each([
    { name: 'torch.save in the source', body: '    torch.save(x, "/root/.bashrc")\n', want: ['CPI017:aten::save'] },
    {
      name: 'a getattr of torch',
      body: '    getattr(torch, "from_" "file")("/etc/passwd", False, 9)\n',
      want: ['CPI017:aten::from_file'],
    },
    { name: 'inference code', body: '    x = torch.relu(x)\n', want: [] },
  ])('$name', ({ body, want }) => {
    expect(operatorsOf(moduleWithSource('__torch__', FORWARD(body)))).toEqual(want);
  });
});

describe('a mobile flatbuffer in a scan', () => {
  it.each([
    { file: 'model.ptl', want: ['model.ptl:torch-mobile-flatbuffer:CPI017'] },
    { file: 'model.bin', want: ['model.bin:torch-mobile-flatbuffer:CPI017'] },
  ])('is found by its identifier and judged ($file)', async ({ file, want }) => {
    const root = tree({ [file]: flatbuffer(fbString('aten::save')) });
    const result = await scanWith(root, [inspectStage]);
    const format = (p: string) => result.files.find((f) => f.path === p)?.format;
    const found = result.findings.filter((f) => f.ruleId.startsWith('CPI'));
    expect(found.map((f) => `${f.location.path}:${format(f.location.path)}:${f.ruleId}`)).toEqual(want);
  });

  it('is judged inside an archive, as outside it', async () => {
    const root = tree({ 'bundle.zip': zip([{ name: 'app/model.ptl', data: flatbuffer(fbString('aten::save')) }]) });
    const result = await scanWith(root, [inspectStage]);
    const found = result.findings.filter((f) => f.ruleId.startsWith('CPI'));
    expect(found.map((f) => `${f.location.path}:${f.location.member}:${f.ruleId}`)).toEqual([
      'bundle.zip:app/model.ptl:CPI017',
    ]);
  });

  it('raises nothing on the benign ones torch writes', async () => {
    const result = await scanWith(path.join(FIXTURES, 'models-benign', 'mobile'), [inspectStage]);
    expect(result.files.map((f) => `${f.path}:${f.format}`)).toEqual([
      'tinynet_flatbuffer.ptl:torch-mobile-flatbuffer',
      'tinynet_lite.ptl:torchscript',
    ]);
    expect(result.findings.filter((f) => f.ruleId.startsWith('CPI'))).toEqual([]);
  });
});
