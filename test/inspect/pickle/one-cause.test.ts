import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTar } from '../../hostile/helpers/tar.js';
import { zip } from '../formats/build.js';
import { inspectFolder } from './scan-folder.js';

const root = mkdtempSync(path.join(tmpdir(), 'cp-one-cause-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const P = (s: string) => Buffer.from(s, 'latin1');
/** SHORT_BINUNICODE of an ASCII string. */
const u = (s: string) => `\x8c${String.fromCharCode(s.length)}${s}`;

/** Each file's rule ids (with level), the way a reviewer reads the report. */
async function rulesOf(files: Record<string, Buffer>): Promise<Map<string, string[]>> {
  const dir = mkdtempSync(path.join(root, 'case-'));
  for (const [name, data] of Object.entries(files)) writeFileSync(path.join(dir, name), data);
  const by = await inspectFolder(dir);
  return new Map([...by].map(([p, fs]) => [p, fs.map((f) => `${f.ruleId}:${f.level}`).sort()]));
}

describe('one finding per cause in a malicious pickle', () => {
  it('pydoc.locate("os.system")("id"): the CPI001 on pydoc.locate says the call of what it returned, no CPI006 beside it', async () => {
    // pickle.load: REDUCE calls pydoc.locate, which imports os and returns os.system; the second REDUCE calls that.
    const by = await rulesOf({ 'locate.pkl': P(`\x80\x02cpydoc\nlocate\n${u('os.system')}\x85R${u('id')}\x85R.`) });
    expect(by.get('locate.pkl')).toEqual(['CPI001:error']);
  });

  it('EXT1 code 1 then REDUCE: one CPI010 at error that says the stream calls it, no CPI100 naming copyreg.<extension 1>', async () => {
    // Lib/pickle.py get_extension: an unregistered code raises; a registered one imports what copyreg was given.
    const by = await rulesOf({
      'ext.pkl': P(`\x80\x02\x82\x01${u('id')}\x85R.`),
      'ext-only.pkl': P('\x80\x02\x82\x01.'),
    });
    expect(by.get('ext.pkl')).toEqual(['CPI010:error']);
    expect(by.get('ext-only.pkl')).toEqual(['CPI010:warning']);
  });

  it('a called EXT code past the 100-problem cap is still one CPI010 at error', async () => {
    // 120 unframed opcodes after a FRAME fill the problem cap (CPython reads them); EXT then REDUCE still runs the code.
    const u64 = (n: number): string => String.fromCharCode(n, 0, 0, 0, 0, 0, 0, 0);
    const by = await rulesOf({ 'capped.pkl': P(`\x80\x04\x95${u64(1)}N${'0N'.repeat(120)}0\x82\x01${u('id')}\x85R.`) });
    expect(by.get('capped.pkl')).toContain('CPI010:error');
  });

  it('EXT codes across pickles of one stream: one CPI010, at error when a later pickle calls its code', async () => {
    const by = await rulesOf({ 'ext2.pkl': P(`\x80\x02\x82\x01.\x80\x02\x82\x02${u('id')}\x85R.`) });
    expect(by.get('ext2.pkl')).toEqual(['CPI010:error']);
    // The call named is pickle 1's REDUCE (stream byte 14), not where its EXT imported the code.
    const dir = mkdtempSync(path.join(root, 'case-'));
    writeFileSync(path.join(dir, 'ext2.pkl'), P(`\x80\x02\x82\x01.\x80\x02\x82\x02${u('id')}\x85R.`));
    const [found] = (await inspectFolder(dir)).get('ext2.pkl') ?? [];
    expect(found?.message).toContain('REDUCE calls code 2 (pickle 1, byte 14)');
    expect(found?.evidence).toMatchObject({ codes: '1, 2', calledPickle: 1, calledOffset: 14 });
  });

  it('a pickle followed by a zip: one CPI003 that names the zip, not "persistent IDs" from reading PK as PERSID', async () => {
    const archive = zip([{ name: 'a/data.pkl', data: P(`\x80\x02cos\nsystem\n${u('id')}\x85R.`) }]);
    const dir = mkdtempSync(path.join(root, 'case-'));
    writeFileSync(path.join(dir, 'two.pkl'), Buffer.concat([P(`\x80\x02}${u('a')}K\x01s.`), archive]));
    const found = (await inspectFolder(dir)).get('two.pkl') ?? [];
    expect(found.map((f) => `${f.ruleId}:${f.level}`)).toEqual(['CPI003:warning']);
    expect(found[0]?.message).toContain('zip records (PK\\x03\\x04)');
    expect(found[0]?.evidence?.['offset']).toBe(10); // the zip's first byte
  });

  it('a pickle followed by a zip data descriptor (a member read past its end): the same one CPI003', async () => {
    const dir = mkdtempSync(path.join(root, 'case-'));
    writeFileSync(path.join(dir, 'dd.pkl'), Buffer.concat([P(`\x80\x02}.PK\x07\x08`), Buffer.alloc(12)]));
    const found = (await inspectFolder(dir)).get('dd.pkl') ?? [];
    expect(found.map((f) => `${f.ruleId}:${f.level}`)).toEqual(['CPI003:warning']);
    expect(found[0]?.message).toContain('zip records (PK\\x07\\x08)');
  });

  it('control: a computed call whose origin is safe-listed still has its CPI006', async () => {
    // collections.OrderedDict() returns a dict; calling it (a second REDUCE) is nothing the safe name explains.
    const by = await rulesOf({ 'odict.pkl': P(`\x80\x02ccollections\nOrderedDict\n)R)R.`) });
    expect(by.get('odict.pkl')).toEqual(['CPI006:warning']);
  });
});

describe('torch.load reads one pickle of data.pkl', () => {
  it("a second pickle hidden after data.pkl's STOP is flagged, without claiming torch.load runs it with weights_only=False", async () => {
    const evil = `\x80\x02cos\nsystem\n${u('id')}\x85R.`;
    const archive = zip([
      { name: 'arch/data.pkl', data: P(`\x80\x02}.${evil}`) },
      { name: 'arch/version', data: '3\n' },
    ]);
    const dir = mkdtempSync(path.join(root, 'case-'));
    writeFileSync(path.join(dir, 'model.pt'), archive);
    const found = ((await inspectFolder(dir)).get('model.pt') ?? []).filter((f) => f.ruleId.startsWith('CPI'));
    expect(found.map((f) => `${f.ruleId}:${f.level}:${f.location.member}`)).toEqual(['CPI001:error:arch/data.pkl']);
    // serialization.py `_load` calls unpickler.load() once: the weights-only gate never sees this pickle.
    expect(found[0]?.message).toContain('reads only the first pickle of data.pkl');
    expect(found[0]?.evidence?.['torchLoad']).toBeUndefined();
  });
});

describe("a payload where torch's legacy reader expects a record: the payload is the cause, no CPI003 beside it", () => {
  const EVIL = `\x80\x02cos\nsystem\n${u('id')}\x85R.`;
  /** torch.save's legacy head: MAGIC_NUMBER (LONG1), protocol 1001, sys_info, then the model pickle. */
  const HEAD = `\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.\x80\x02M\xe9\x03.\x80\x02}.\x80\x02}.`;
  const i64 = (n: number) => Buffer.from(new BigInt64Array([BigInt(n)]).buffer);
  const record = `\x80\x02K\x00${u('cpu')}ctorch\nFloatStorage\n\x87.`;
  /** A torch < 0.4 tar checkpoint (sys_info, pickle, no tensors) with the given `storages` member. */
  const legacyTar = (storages: Buffer) =>
    buildTar([
      { name: 'sys_info', data: P('\x80\x02}.') },
      { name: 'pickle', data: P('\x80\x02}.') },
      { name: 'tensors', data: P('\x80\x02K\x00.') },
      { name: 'storages', data: storages },
    ]);

  it.each([
    // serialization.py `_legacy_load`: `deserialized_storage_keys = pickle_module.load(f)` runs os.system, then
    // `for key in deserialized_storage_keys` raises on what it returned.
    { name: 'keys.pt', data: P(`${HEAD}${EVIL}`) },
    { name: 'keys-list.pt', data: P(`${HEAD}\x80\x02]${EVIL.slice(2, -1)}a.`) },
    // The tar format's storages member: `num_storages = pickle_module.load(f)`, then `key, location, storage_type =
    // pickle_module.load(f)` per record; a payload in either place is read, run, and stops the load.
    {
      name: 'count.tar',
      data: legacyTar(Buffer.concat([P(EVIL), P(record), i64(2), Buffer.alloc(8)])),
    },
    {
      name: 'record.tar',
      data: legacyTar(Buffer.concat([P('\x80\x02K\x01.'), P(EVIL), i64(2), Buffer.alloc(8), P('\x80\x02].')])),
    },
  ])('$name: one CPI001 at error', async ({ name, data }) => {
    const by = await rulesOf({ [name]: data });
    expect(by.get(name)?.filter((r) => r !== 'CPI119:note')).toEqual(['CPI001:error']);
  });

  // torch/serialization.py legacy_load: `for i in range(num_storages)`; range() takes anything with __index__.
  it.each([
    { name: 'bool-count.tar', count: '\x80\x02\x88.' },
    { name: 'numpy-count.tar', count: '\x80\x02cnumpy\nint64\nK\x01\x85\x81.' },
    { name: 'big-count.tar', count: '\x80\x02J\x00\x00\x00\x01.' },
  ])('$name: a count range() takes is read, and the record pickle after it is judged', async ({ name, count }) => {
    const by = await rulesOf({ [name]: legacyTar(Buffer.concat([P(count), P(EVIL)])) });
    expect(by.get(name)?.filter((r) => r !== 'CPI119:note')).toEqual(['CPI001:error']);
  });

  it('a count that is a class instance: said unreadable (a CPI002 does not hide it), and the records after it judged', async () => {
    const data = legacyTar(Buffer.concat([P('\x80\x02cmylib\nCount\n)\x81.'), P(EVIL)]));
    const by = await rulesOf({ 'class-count.tar': data });
    expect(by.get('class-count.tar')?.filter((r) => r !== 'CPI119:note')).toEqual([
      'CPI001:error',
      'CPI002:warning',
      'CPI003:warning',
    ]);
  });

  it('control: a keys pickle that is no list and imports nothing keeps its CPI003', async () => {
    const by = await rulesOf({ 'int-keys.pt': P(`${HEAD}\x80\x02K\x05.`) });
    expect(by.get('int-keys.pt')).toContain('CPI003:warning');
  });
});
