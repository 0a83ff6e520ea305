import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/finding.js';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { buildTar } from '../containers/build.js';
import { writeSparseZip, zip } from './build.js';

const FIXTURES = new URL('../../../fixtures/torch-package/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'cp-torch-package-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The inspect stage over one file, as a scan of a folder holding it finds it. */
async function inspect(name: string, data?: Buffer): Promise<Finding[]> {
  const dir = mkdtempSync(join(tmp, 'case-'));
  if (data === undefined) cpSync(join(FIXTURES, name), join(dir, name));
  else writeFileSync(join(dir, name), data);
  const res = await scanWith(dir, [inspectStage]);
  return res.findings.filter((f) => f.ruleId.startsWith('CPI'));
}

const ruleLevels = (fs: readonly Finding[]) => [...new Set(fs.map((f) => `${f.ruleId}:${f.level}`))].sort();

/** A protocol-`proto` pickle that imports `module.name` with GLOBAL and returns it. */
function globalPickle(module: string, name: string, proto = 3): Buffer {
  return Buffer.concat([Buffer.from([0x80, proto]), Buffer.from(`c${module}\n${name}\n.`)]);
}

/** A torch.package archive as PackageExporter lays it out, under `archive/`, with these records and externs. */
function torchPackage(records: Record<string, Buffer | string>, externs: Buffer | string = ''): Buffer {
  return zip([
    ...Object.entries(records).map(([name, data]) => ({ name: `archive/${name}`, data })),
    { name: 'archive/.data/extern_modules', data: externs },
    { name: 'archive/.data/version', data: '6\n' },
  ]);
}

describe('torch.package archives written by PackageExporter (fixtures/torch-package)', () => {
  it('a pickle of an interned class runs the shipped module: CPI132 names it and the pickle', async () => {
    const found = await inspect('interned.pt');
    const shipped = found.filter((f) => f.ruleId === 'CPI132');
    expect(shipped).toHaveLength(1);
    expect(shipped[0]!.level).toBe('error');
    expect(shipped[0]!.location.member).toBe('interned/model/net.pkl');
    // `from tpfix import helper` in model.py: the real load left tpfix.model and tpfix.helper in `imp.modules`.
    expect(shipped[0]!.evidence).toMatchObject({
      modules: 'tpfix.model',
      sources: 'tpfix/model.py, tpfix/helper.py',
      count: 1,
      sourceCount: 2,
    });
  });

  it('one finding per cause: no CPI002 beside the CPI132 for the shipped class', async () => {
    expect(ruleLevels(await inspect('interned.pt'))).toEqual(['CPI132:error']);
  });

  it('the same class marked extern comes from the host: only the pickle rules judge it', async () => {
    expect(ruleLevels(await inspect('extern.pt'))).toEqual(['CPI002:warning']);
  });

  it('shipped source no pickle imports does not run on load_pickle: nothing to report', async () => {
    expect(await inspect('unused-source.package')).toEqual([]);
  });
});

describe('torch.package archives crafted as an attacker would', () => {
  it.each([
    {
      name: 'a module shipped under the name the pickle imports, any file name',
      file: 'weights.bin',
      data: torchPackage({ 'res/m.pkl': globalPickle('evil', 'X'), 'evil.py': 'X = 1\n' }),
      modules: 'evil',
    },
    {
      name: 'the mangled name a PackagePickler never writes (`<torch_package_0>.` is demangled by import_module)',
      file: 'm.pt',
      data: torchPackage({ 'res/m.pkl': globalPickle('<torch_package_0>.evil', 'X'), 'evil.py': 'X = 1\n' }),
      modules: '<torch_package_0>.evil',
    },
    {
      name: 'a parent package whose __init__.py runs before its missing submodule fails to import',
      file: 'm.pt',
      data: torchPackage({ 'res/m.pkl': globalPickle('pkg.absent', 'X'), 'pkg/__init__.py': 'X = 1\n' }),
      modules: 'pkg.absent',
    },
    {
      name: "protocol 2: find_class renames with _compat_pickle first (copy_reg → copyreg), then imports the archive's",
      file: 'm.pt',
      data: torchPackage({ 'res/m.pkl': globalPickle('copy_reg', '_reconstructor', 2), 'copyreg.py': 'X = 1\n' }),
      modules: 'copyreg',
    },
    {
      name: 'a UTF-8 module name stored without the UTF-8 flag (torch decodes the raw name as UTF-8)',
      file: 'm.pt',
      data: torchPackage({ 'res/m.pkl': globalPickle('évil', 'X'), 'évil.py': 'X = 1\n' }),
      modules: 'évil',
    },
    {
      name: 'a record replaces an extern of the same name (_add_file runs after _add_extern)',
      file: 'm.pt',
      data: torchPackage({ 'res/m.pkl': globalPickle('evil', 'X'), 'evil.py': 'X = 1\n' }, 'evil\n'),
      modules: 'evil',
    },
  ])('$name: CPI132', async ({ file, data, modules }) => {
    const found = (await inspect(file, data)).filter((f) => f.ruleId === 'CPI132');
    expect(found.map((f) => [f.level, f.location.member, f.evidence?.['modules']])).toEqual([
      ['error', 'archive/res/m.pkl', modules],
    ]);
  });

  it('CPI132 replaces CPI002 only for the globals the archive ships; a host global keeps its CPI002', async () => {
    // One pickle: `evil.X` (shipped), `tpfix.Y` (extern) and `other.Z` (neither: the host's, or ModuleNotFoundError).
    const pickle = Buffer.concat([Buffer.from([0x80, 3]), Buffer.from('cevil\nX\n0ctpfix\nY\n0cother\nZ\n.')]);
    const found = await inspect('m.pt', torchPackage({ 'res/m.pkl': pickle, 'evil.py': '' }, 'tpfix\n'));
    // The two left are one CPI002 for the pickle (unknown-globals.ts), folded after the supersession: no `evil.X`.
    const named = (f: (typeof found)[number]) =>
      f.evidence?.['global'] ?? f.evidence?.['globals'] ?? f.evidence?.['modules'];
    expect(found.map((f) => [f.ruleId, named(f)]).sort()).toEqual([
      ['CPI002', 'other.Z,tpfix.Y'],
      ['CPI132', 'evil'],
    ]);
    expect(found.find((f) => f.ruleId === 'CPI002')!.evidence).toMatchObject({ globalCount: 2 });
  });

  it('a pickle that takes torch_package_importer gets the importer, which runs any member: CPI132', async () => {
    const data = torchPackage({
      'res/a.pkl': globalPickle('torch_package_importer', '_make_module'),
      'res/b.pkl': globalPickle('torch_package_importer', 'import_module'),
    });
    const found = (await inspect('m.pt', data)).filter((f) => f.ruleId === 'CPI132');
    expect(found.map((f) => [f.level, f.location.member, f.evidence?.['attributes']])).toEqual([
      ['error', 'archive/res/a.pkl', '_make_module, import_module'],
    ]);
  });

  it.each([
    { name: 'an extern module (from the host)', externs: 'evil\n', shipped: {} },
    { name: 'an extern parent covers its submodules', externs: 'evil\n', shipped: { 'other.py': 'X = 1\n' } },
    { name: 'a name neither shipped nor extern (ModuleNotFoundError)', externs: '', shipped: { 'other.py': '' } },
    { name: 'extern_modules split as str.splitlines does (CRLF, \\v)', externs: 'a\r\nevil\vb', shipped: {} },
  ])('no archive code runs for $name', async ({ externs, shipped }) => {
    const data = torchPackage({ 'res/m.pkl': globalPickle('evil.sub', 'X'), ...shipped }, externs);
    expect((await inspect('m.pt', data)).filter((f) => f.ruleId === 'CPI132')).toEqual([]);
  });

  it.each([
    {
      name: 'a module inside a module marked extern',
      data: torchPackage({ 'res/m.pkl': globalPickle('evil', 'X'), 'evil/sub.py': '' }, 'evil\n'),
    },
    {
      name: 'a module that is also a folder of modules',
      data: torchPackage({ 'res/m.pkl': globalPickle('evil', 'X'), 'evil.py': '', 'evil/sub.py': '' }),
    },
    {
      name: 'an extern_modules that is not UTF-8',
      data: torchPackage({ 'res/m.pkl': globalPickle('evil', 'X') }, Buffer.from([0xff, 0x0a])),
    },
  ])('the importer refuses $name: a parse finding, not a pass', async ({ data }) => {
    const found = await inspect('m.pt', data);
    expect(found.filter((f) => f.ruleId === 'CPI050' && f.message.includes('torch.package refuses'))).toHaveLength(1);
  });
});

describe('bounds', () => {
  it('one finding names every shipped module however many pickles import them', async () => {
    const records: Record<string, Buffer | string> = {};
    for (let i = 0; i < 300; i++) {
      records[`res/p${i}.pkl`] = globalPickle(`m${i}`, 'X');
      records[`m${i}.py`] = '';
    }
    const found = (await inspect('m.pt', torchPackage(records))).filter((f) => f.ruleId === 'CPI132');
    expect(found).toHaveLength(1);
    expect(found[0]!.evidence).toMatchObject({ count: 300 });
    expect(String(found[0]!.evidence?.['modules']).split(', ')).toHaveLength(20);
  });

  it('the shipped code imports are followed to the end, each source read once', async () => {
    // m0 imports m1, which imports m2, …: loading the pickle runs all 2,000 (a cycle back to m0 ends the chain).
    const records: Record<string, Buffer | string> = { 'res/m.pkl': globalPickle('m0', 'X') };
    for (let i = 0; i < 2000; i++) records[`m${i}.py`] = `import m${(i + 1) % 2000}\nX = 1\n`;
    const found = (await inspect('m.pt', torchPackage(records))).filter((f) => f.ruleId === 'CPI132');
    expect(found.map((f) => [f.evidence?.['count'], f.evidence?.['sourceCount']])).toEqual([[1, 2000]]);
  });

  it('a pickle too large to read is counted as unchecked (CPI051), never passed; a large resource is no pickle', async () => {
    const big = Buffer.alloc(65 * 1024 * 1024, 0x4e); // NONE opcodes: pickle-shaped, past MAX_PICKLE
    big[0] = 0x80;
    big[1] = 0x03;
    const resource = Buffer.alloc(65 * 1024 * 1024); // `save_binary` bytes, no pickle
    const found = await inspect('m.pt', torchPackage({ 'res/big.pkl': big, 'res/blob.bin': resource, 'evil.py': '' }));
    expect(found.filter((f) => f.ruleId === 'CPI051' && f.evidence?.['unchecked'] === 1)).toHaveLength(1);
  });
});

describe('the pickles budget is spent on pickles only', () => {
  it('256 MiB of save_binary resources before the pickle leave it checked: CPI132, not an unchecked CPI051', async () => {
    const dir = mkdtempSync(join(tmp, 'case-'));
    writeSparseZip(join(dir, 'm.pt'), [
      ...[0, 1, 2, 3].map((i) => ({ name: `archive/res/blob${i}.bin`, data: 64 * 1024 * 1024 })),
      { name: 'archive/res/m.pkl', data: globalPickle('evil', 'X') },
      { name: 'archive/evil.py', data: Buffer.from('import os\n') },
      { name: 'archive/.data/extern_modules', data: Buffer.alloc(0) },
      { name: 'archive/.data/version', data: Buffer.from('6\n') },
    ]);
    const found = (await scanWith(dir, [inspectStage])).findings;
    expect(found.filter((f) => f.ruleId === 'CPI132')).toHaveLength(1);
    expect(found.filter((f) => f.ruleId === 'CPI051')).toEqual([]);
  });
});

describe('a torch.package inside a bundle (extracted, then handed to PackageImporter)', () => {
  it('a zip holding the archive under any name: CPI132 on the member, beside the pickle rules', async () => {
    const inner = readFileSync(join(FIXTURES, 'interned.pt'));
    const found = await inspect('bundle.zip', zip([{ name: 'models/weights.bin', data: inner }]));
    expect(found.filter((f) => f.ruleId === 'CPI132').map((f) => [f.level, f.location.member])).toEqual([
      ['error', 'models/weights.bin!interned/model/net.pkl'],
    ]);
  });

  it.each([
    { name: 'a zip', file: 'bundle.zip', bundle: (inner: Buffer) => zip([{ name: 'm.pt', data: inner }]) },
    { name: 'a .tar.gz', file: 'bundle.tar.gz', bundle: (inner: Buffer) => gzipSync(buildTar('m.pt', inner)) },
  ])('one finding per cause in $name too: no CPI002 beside the CPI132 for the shipped class', async (c) => {
    const inner = readFileSync(join(FIXTURES, 'interned.pt'));
    expect(ruleLevels(await inspect(c.file, c.bundle(inner)))).toEqual(['CPI132:error']);
  });

  it('inside a bundle a host global keeps its CPI002 beside the CPI132', async () => {
    const pickle = Buffer.concat([Buffer.from([0x80, 3]), Buffer.from('cevil\nX\n0ctpfix\nY\n.')]);
    const inner = torchPackage({ 'res/m.pkl': pickle, 'evil.py': '' }, 'tpfix\n');
    const found = await inspect('bundle.zip', zip([{ name: 'm.pt', data: inner }]));
    expect(found.map((f) => [f.ruleId, f.evidence?.['global'] ?? f.evidence?.['modules']]).sort()).toEqual([
      ['CPI002', 'tpfix.Y'],
      ['CPI132', 'evil'],
    ]);
  });

  it('a zip member that only looks like one (no .data/extern_modules) is no torch.package', async () => {
    const inner = zip([
      { name: 'archive/res/m.pkl', data: globalPickle('evil', 'X') },
      { name: 'archive/evil.py', data: '' },
    ]);
    const found = await inspect('bundle.zip', zip([{ name: 'm.pt', data: inner }]));
    expect(found.filter((f) => f.ruleId === 'CPI132')).toEqual([]);
  });
});

describe('an extracted torch.package (PackageImporter(<folder>) reads it with DirectoryReader)', () => {
  /** A folder as `unzip` leaves a PackageExporter archive: `pkg/` holding the records, `.data/` among them. */
  async function scanFolder(records: Record<string, Buffer | string>, externs: string | null = ''): Promise<Finding[]> {
    const dir = mkdtempSync(join(tmp, 'dir-'));
    const all = { ...records, ...(externs !== null ? { '.data/extern_modules': externs } : {}) };
    for (const [name, data] of Object.entries({ ...all, '.data/version': '6\n' })) {
      mkdirSync(dirname(join(dir, 'pkg', name)), { recursive: true });
      writeFileSync(join(dir, 'pkg', name), data);
    }
    const res = await scanWith(dir, [inspectStage]);
    return res.findings.filter((f) => f.ruleId === 'CPI132' || f.ruleId === 'CPI002');
  }

  const interned = {
    'model/net.pkl': globalPickle('tpfix.model', 'Net'),
    'tpfix/model.py': 'from tpfix import helper\n',
    'tpfix/helper.py': 'SCALE = 2\n',
  };

  it('a pickle importing a module shipped in the folder: one CPI132 for the folder, as for the archive', async () => {
    const found = await scanFolder(interned);
    expect(found.filter((f) => f.ruleId === 'CPI002')).toEqual([]);
    expect(found.map((f) => [f.level, f.location.path, f.location.member, f.evidence?.['sources']])).toEqual([
      ['error', 'pkg/.data/extern_modules', 'model/net.pkl', 'tpfix/model.py, tpfix/helper.py'],
    ]);
  });

  it('256 MiB of resources (sparse files) before the pickle leave it checked: the budget is spent on pickles only', async () => {
    const dir = mkdtempSync(join(tmp, 'dir-'));
    const records = {
      'z/m.pkl': globalPickle('evil', 'X'),
      'evil.py': '',
      '.data/extern_modules': '',
      '.data/version': '6\n',
    };
    for (const [name, data] of Object.entries(records)) {
      mkdirSync(dirname(join(dir, 'pkg', name)), { recursive: true });
      writeFileSync(join(dir, 'pkg', name), data);
    }
    mkdirSync(join(dir, 'pkg', 'a'));
    for (let i = 0; i < 4; i++) {
      const blob = join(dir, 'pkg', 'a', `blob${i}.bin`);
      writeFileSync(blob, '');
      truncateSync(blob, 64 * 1024 * 1024); // a hole: no disk, no memory
    }
    const found = (await scanWith(dir, [inspectStage])).findings;
    expect(found.filter((f) => f.ruleId === 'CPI132').map((f) => f.location.member)).toEqual(['z/m.pkl']);
    expect(found.filter((f) => f.ruleId === 'CPI051')).toEqual([]);
  });

  it('load_pickle reads a pickle in a hidden folder too (get_record opens any path); glob lists no hidden module', async () => {
    const found = await scanFolder({ '.cache/m.pkl': globalPickle('evil', 'X'), 'evil.py': '', '.hid/x.py': '' });
    expect(found.filter((f) => f.ruleId === 'CPI132').map((f) => [f.location.member, f.evidence?.['modules']])).toEqual(
      [['.cache/m.pkl', 'evil']],
    );
  });

  it.each([
    { name: 'the module is extern (imported from the host)', externs: 'tpfix\n' },
    { name: 'without .data/extern_modules DirectoryReader refuses the folder', externs: null },
  ])('no CPI132 when $name: the pickle rules judge the global (CPI002)', async ({ externs }) => {
    expect(ruleLevels(await scanFolder(interned, externs))).toEqual(['CPI002:warning']);
  });
});
