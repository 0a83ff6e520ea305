import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { scanTorchScriptCode } from '../../../src/inspect/containers/torchscript.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { zip } from '../formats/build.js';
import { corpusPath, hasCorpora } from '../../helpers/corpus.js';
import { scanWith } from '../../helpers/scan.js';

/** The forward of a TorchScript module as torch.jit.save writes it, with `body` at its start. */
const forward = (body: string) =>
  `class TinyNet(Module):\n  __parameters__ = []\n  training : bool\n  fc1 : __torch__.torch.nn.modules.linear.Linear\n  def forward(self: __torch__.TinyNet,\n    x: Tensor) -> Tensor:\n${body}    fc1 = self.fc1\n    return (fc1).forward(x, )\n`;

const operators = (body: string) =>
  scanTorchScriptCode(forward(body), 'code/__torch__.py').map(
    (f) => `${f.evidence?.['operator']}@${f.evidence?.['line']}`,
  );

describe('TorchScript code: file operators however the source importer reaches them', () => {
  // import_source.cpp binds `torch` to BuiltinModule("aten") and `ops` to OpsValue; BuiltinModule::attr maps
  // `autograd` back to aten; ir_emitter's getattr takes a string literal; parser.cpp joins adjacent literals.
  it.each([
    ['torch.from_file', '    _0 = torch.from_file("/etc/passwd", False, 100)\n', 'aten::from_file@7'],
    [
      'getattr with a concatenated name',
      '    _0 = getattr(torch, "from_" "file")("/etc/passwd", False, 9)\n',
      'aten::from_file@7',
    ],
    ['getattr with an octal escape', '    getattr(torch, "sa\\166e")(x, "/root/.bashrc")\n', 'aten::save@7'],
    ['torch.autograd.save', '    torch.autograd.save(x, "/root/.bashrc")\n', 'aten::save@7'],
    ['a local bound to torch', '    t = torch\n    t.save(x, "/root/.bashrc")\n', 'aten::save@8'],
    ['a local bound to ops.aten', '    a = ops.aten\n    a.save(x, "/root/.bashrc")\n', 'aten::save@8'],
    ['the call split over lines in brackets', '    _1 = (torch.save\n      (x, "/root/.bashrc"))\n', 'aten::save@7'],
    ['the attribute on the next line', '    _1 = (torch\n      .save(x, "/root/.bashrc"))\n', 'aten::save@8'],
    ['a line continuation', '    torch.\\\n      save(x, "/root/.bashrc")\n', 'aten::save@8'],
    ["torchvision's image::write_file", '    ops.image.write_file("/root/.bashrc", x)\n', 'image::write_file@7'],
    ['a parenthesised getattr of ops', '    (getattr(ops, "image")).read_file("/etc/shadow")\n', 'image::read_file@7'],
  ])('%s is found', (_, body, want) => {
    expect(operators(body)).toEqual([want]);
  });

  it.each([
    ['a comment', '    # torch.save(x, "/root/.bashrc")\n'],
    ['a string', '    _0 = "torch.save(x)"\n'],
    ['a method of a submodule named save', '    fc2 = self.fc2\n    _2 = (fc2).save(x, )\n'],
    ['a comparison, not a binding', '    t = x\n    _3 = t == torch\n    _4 = t.save(x, )\n'],
    ['an op of an extension named profile', '    _5 = ops.my_ns.profile(x)\n'],
  ])('%s is not an operator use', (_, body) => {
    expect(operators(body)).toEqual([]);
  });

  it('a deep nest of brackets is read in bounded work and still found', () => {
    const body = `    _0 = ${'('.repeat(100_000)}torch.save${')'.repeat(100_000)}(x, "/p")\n`;
    expect(operators(body)).toEqual(['aten::save@7']);
  });
});

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.runIf(hasCorpora())('a genuine TorchScript archive with its code rewritten', () => {
  it('is judged on operators reached through getattr and aliases', async () => {
    const entries = readZip(readFileSync(corpusPath('models', 'torchscript_tinynet.pt')));
    const code = 'torchscript_tinynet/code/__torch__.py';
    const original = entries.find((e) => e.name === code)!.data.toString();
    const evil = original.replace(
      '    fc2 = self.fc2\n',
      '    t = torch\n    getattr(t, "sa" "ve")(x, "/root/.bashrc")\n    fc2 = self.fc2\n',
    );
    expect(evil).not.toBe(original);
    const dir = mkdtempSync(join(tmpdir(), 'cp-torchscript-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'model.pt'), zip(entries.map((e) => (e.name === code ? { name: e.name, data: evil } : e))));
    const res = await scanWith(dir, [inspectStage]);
    expect(res.findings.filter((f) => f.ruleId === 'CPI017').map((f) => f.evidence?.['operator'])).toEqual([
      'aten::save',
    ]);
  });

  // findSourceInArchiveFromQualifier asks PyTorchStreamReader::getRecord for `code/__torch__.py`; miniz's
  // mz_zip_reader_locate_file (flags 0) compares names case-insensitively, so torch.jit.load runs this member.
  it('is judged when its code member is stored as CODE/__torch__.PY', async () => {
    const entries = readZip(readFileSync(corpusPath('models', 'torchscript_tinynet.pt')));
    const code = 'torchscript_tinynet/code/__torch__.py';
    const original = entries.find((e) => e.name === code)!.data.toString();
    const evil = original.replace(
      '    fc2 = self.fc2\n',
      '    _0 = torch.from_file("/etc/passwd", False, 9)\n    fc2 = self.fc2\n',
    );
    expect(evil).not.toBe(original);
    const dir = mkdtempSync(join(tmpdir(), 'cp-torchscript-'));
    dirs.push(dir);
    const renamed = entries.map((e) =>
      e.name === code ? { name: 'torchscript_tinynet/CODE/__torch__.PY', data: Buffer.from(evil) } : e,
    );
    writeFileSync(join(dir, 'model.pt'), zip(renamed));
    const res = await scanWith(dir, [inspectStage]);
    expect(res.findings.filter((f) => f.ruleId === 'CPI017').map((f) => f.evidence?.['operator'])).toEqual([
      'aten::from_file',
    ]);
  });
});

/** The members of a zip (stored or deflated), read from the central directory. */
function readZip(buf: Buffer): { name: string; data: Buffer }[] {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const out: { name: string; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    out.push({ name, data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw) });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}
